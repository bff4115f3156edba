/**
 * Every MQTT payload, defined once (zod) and imported by the gateway that publishes it and the
 * central side that ingests it. Payloads are JSON. Times are milliseconds since the epoch by the
 * gateway's wall clock, which may be wrong: a Pi without an RTC boots with a stale time, so
 * every timed payload also says whether the clock was synchronised and where it stands on the
 * gateway's monotonic clock (boot id + uptime), which lets the ledger correct it.
 */
import { z } from 'zod';
import { idSchema } from './ids.ts';

const id = idSchema();
const epochMs = z.number().int().nonnegative();

/** Where an event stands on the gateway's clocks. */
export const clockSchema = z.strictObject({
  /** Whether the wall clock was synchronised (NTP) when the event happened. */
  synced: z.boolean(),
  /** Changes at every boot of the gateway; uptimes compare only within one boot. */
  bootId: z.string().min(1).max(64),
  /** Milliseconds since the gateway booted (monotonic: never jumps with the wall clock). */
  uptimeMs: z.number().int().nonnegative(),
});
export type Clock = z.infer<typeof clockSchema>;

/** stemlab/v1/{unit}/{gateway}/state: the birth (online) and the will (offline), retained. */
export const gatewayStateSchema = z.strictObject({
  status: z.enum(['online', 'offline']),
  /** Birth sequence number (Sparkplug's bdSeq): the will carries the same number as the birth it ends. */
  bdSeq: z.number().int().nonnegative(),
  at: epochMs,
  clock: clockSchema,
  /** Usage events waiting in the gateway's outbox, and how many it ever had to evict (never silently). */
  outbox: z.strictObject({ pending: z.number().int().nonnegative(), evicted: z.number().int().nonnegative() }).optional(),
  agent: z.strictObject({ version: z.string() }).optional(),
  /** The gateway's emergency stop: latched until a teacher resets it. Re-published (retained) on every change. */
  estop: z.strictObject({
    latched: z.boolean(),
    at: epochMs.optional(),
    source: z.string().max(100).optional(),
  }).optional(),
});
export type GatewayState = z.infer<typeof gatewayStateSchema>;

/** stemlab/v1/{unit}/{gateway}/kit/{kit}/state, retained. */
export const kitStateSchema = z.strictObject({
  state: z.enum(['connected', 'disconnected', 'fault']),
  reason: z.string().max(500).optional(),
  at: epochMs,
  clock: clockSchema,
});
export type KitStatePayload = z.infer<typeof kitStateSchema>;

/** What a session of use was for: a teacher or a flow tags it. */
export const purposeSchema = z.strictObject({
  kind: z.enum(['lesson', 'experiment', 'club-session', 'class', 'free-practice']),
  lessonId: z.string().max(100).optional(),
  classId: z.string().max(100).optional(),
  clubSessionId: z.string().max(100).optional(),
  /** The team of a club session that has the kit (the room console's session tags). */
  teamId: z.string().max(100).optional(),
  /** Who tagged it: a teacher's name, a flow's id. */
  by: z.string().max(100).optional(),
});
export type Purpose = z.infer<typeof purposeSchema>;

export const deviceRefSchema = z.strictObject({
  kit: id,
  /** The component, or null for the kit as a whole. */
  component: id.nullable(),
  /** The component type (motor, thermometer...) or 'kit'. */
  type: z.string().min(1).max(40),
});
export type DeviceRef = z.infer<typeof deviceRefSchema>;

export const usageCountsSchema = z.strictObject({
  /** Commands that set an actuator going (on, forward, to, tone...). */
  activations: z.number().int().nonnegative(),
  /** Time motors ran, summed over motors, in ms. */
  motorMs: z.number().int().nonnegative(),
  /** Sensor readings taken. */
  readings: z.number().int().nonnegative(),
});
export type UsageCounts = z.infer<typeof usageCountsSchema>;

const eventBase = {
  v: z.literal(1),
  /** Unique: the ledger stores each event once, however often it is delivered. */
  eventId: z.uuid(),
  /** Per gateway, from 1, without gaps; a gap at the ledger is data lost or still on its way. */
  seq: z.number().int().positive(),
  at: epochMs,
  clock: clockSchema,
};

export const sessionStartSchema = z.strictObject({
  ...eventBase,
  type: z.literal('session.start'),
  device: deviceRefSchema,
  session: z.strictObject({ id: z.uuid(), startedAt: epochMs, purpose: purposeSchema }),
});

export const sessionEndSchema = z.strictObject({
  ...eventBase,
  type: z.literal('session.end'),
  device: deviceRefSchema,
  session: z.strictObject({
    id: z.uuid(),
    startedAt: epochMs,
    endedAt: epochMs,
    durationMs: z.number().int().nonnegative(),
    purpose: purposeSchema,
    counts: usageCountsSchema,
    faults: z.number().int().nonnegative(),
    /** 'crash': the agent died with the session open (power cut, kill); it ended at its last recorded activity. */
    endReason: z.enum(['idle', 'disconnect', 'fault', 'retag', 'shutdown', 'estop', 'crash']),
  }),
});

/** The outbox had to drop events (full, or too old): the gap in seq is explained, never silent. */
export const outboxEvictedSchema = z.strictObject({
  ...eventBase,
  type: z.literal('outbox.evicted'),
  evicted: z.strictObject({
    count: z.number().int().positive(),
    fromSeq: z.number().int().positive(),
    toSeq: z.number().int().positive(),
    reason: z.enum(['size', 'age']),
  }),
});

/** stemlab/v1/{unit}/{gateway}/usage, QoS 1. */
export const usageEventSchema = z.discriminatedUnion('type', [sessionStartSchema, sessionEndSchema, outboxEvictedSchema]);
export type UsageEvent = z.infer<typeof usageEventSchema>;
export type SessionStart = z.infer<typeof sessionStartSchema>;
export type SessionEnd = z.infer<typeof sessionEndSchema>;
/** Why a session ended. */
export type SessionEndReason = SessionEnd['session']['endReason'];

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
/**
 * A session start or end as the gateway's usage tracker makes it, before its outbox numbers it
 * (`v`, `eventId`, `seq`): derived from the schemas above, so the two cannot drift.
 */
export type UsageDraft = DistributiveOmit<SessionStart | SessionEnd, 'v' | 'eventId' | 'seq'>;

/** stemlab/v1/{unit}/{gateway}/telemetry/{kit}/{component}, QoS 0. */
export const telemetrySchema = z.strictObject({
  value: z.unknown(),
  at: epochMs,
});
export type Telemetry = z.infer<typeof telemetrySchema>;

/** stemlab/v1/{unit}/{gateway}/cmd/{name}: a request, with an id its reply repeats. */
export const commandRequestSchema = z.strictObject({
  requestId: z.string().min(1).max(64),
  args: z.unknown().optional(),
  /**
   * When the command stops making sense (ms since the epoch). Commands to an offline gateway wait
   * at the broker (persistent session): a motor command or an e-stop reset from hours ago must
   * not run when the gateway comes back. Without it, the command has no expiry.
   */
  expiresAt: epochMs.optional(),
});
export type CommandRequest = z.infer<typeof commandRequestSchema>;

/** stemlab/v1/{unit}/{gateway}/cmd/{name}/reply: one envelope for every command. */
export const commandReplySchema = z.discriminatedUnion('status', [
  z.strictObject({ requestId: z.string().max(64), status: z.literal('ok'), result: z.unknown().optional() }),
  z.strictObject({ requestId: z.string().max(64), status: z.literal('error'), code: z.string(), message: z.string() }),
]);
export type CommandReply = z.infer<typeof commandReplySchema>;

/** The commands a gateway answers, and the arguments each takes. */
export const gatewayCommands = {
  /** Stop every actuator and latch. */
  estop: z.strictObject({ source: z.string().max(100).optional() }).optional(),
  /** Release the e-stop (a teacher). */
  'estop-reset': z.strictObject({ by: z.string().max(100).optional() }).optional(),
  /** A teacher starts a club session: what follows on these kits is tagged with it. */
  'session-start': z.strictObject({ purpose: purposeSchema, kits: z.array(id).optional() }),
  /** Ends the tagging; what follows is free practice. */
  'session-stop': z.strictObject({ kits: z.array(id).optional() }).optional(),
  /** Run the self-test and reply with its report. */
  selftest: z.strictObject({}).optional(),
  /** Reply with the gateway's config (secrets left out). */
  config: z.strictObject({}).optional(),
  /** Send one component a command (protocol/src/commands.ts). */
  component: z.strictObject({ kit: id, component: id, command: z.unknown() }),
  /**
   * A teacher deploys a lesson (from the curriculum shipped with the gateway) to this gateway's
   * Node-RED: its starter or its solution, on `kit` (the lesson's own kit by default), replacing
   * that lesson's tab and leaving the others running. With `kits`, one tab per kit (a club's
   * robots each get their own copy of the lesson, with their own node ids).
   */
  'lesson-deploy': z.strictObject({
    lesson: id,
    variant: z.enum(['starter', 'solution']).default('starter'),
    kit: id.optional(),
    kits: z.array(id).min(1).max(50).optional(),
    by: z.string().max(100).optional(),
  }),
  /** Put back the flows that were there before the last lesson deploy. */
  'lesson-rollback': z.strictObject({ by: z.string().max(100).optional() }).optional(),
} as const;
export type GatewayCommandName = keyof typeof gatewayCommands;
