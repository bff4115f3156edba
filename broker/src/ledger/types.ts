/**
 * What the ingest hands the ledger: messages already validated against the protocol schemas and
 * attributed to a gateway. The ledger trusts these types; everything untrusted arrives as a
 * dead letter with its raw bytes.
 */
import type { GatewayState, KitStatePayload, Telemetry, UsageEvent } from '@stemlab/protocol';

interface FromGateway {
  unit: string;
  gateway: string;
  /** When the central received it (its own clock, which is synchronised). */
  receivedAt: number;
}

export type LedgerMessage =
  | (FromGateway & { kind: 'usage'; event: UsageEvent })
  | (FromGateway & { kind: 'gateway-state'; state: GatewayState })
  | (FromGateway & { kind: 'kit-state'; kit: string; state: KitStatePayload })
  | (FromGateway & { kind: 'telemetry'; kit: string; component: string; telemetry: Telemetry })
  /**
   * A usage event's payload as published (UTF-8 text), not yet validated: the writer validates it
   * (ingest/validate.ts validateUsage) where it writes, off the broker's thread on SQLite, and
   * stores it as a 'usage' message, or leaves it out and reports it in BatchResult.invalid.
   */
  | (FromGateway & { kind: 'unchecked-usage'; payload: string })
  /** The broker saw the gateway's MQTT connection open or close. */
  | (FromGateway & { kind: 'connection'; connected: boolean; clientId: string })
  | { kind: 'dead-letter'; topic: string; payload: Buffer; reason: string; clientId: string | null; receivedAt: number };

/** What one insertBatch did; the ingest adds it to its counters. */
export interface BatchResult {
  /** New usage events stored. */
  inserted: number;
  /** Usage events already in the ledger (same event id): delivered again, stored once. */
  duplicates: number;
  deadLetters: number;
  /** Offline wills older than the gateway's current birth, ignored. */
  staleWills: number;
  /**
   * The 'unchecked-usage' messages that failed validation, by their index in the batch, with the
   * reason: not written (the ingest decides whether each becomes a dead letter: its quota).
   * Left out when there are none.
   */
  invalid?: Array<{ index: number; reason: string }>;
}

export type GapStatus = 'open' | 'evicted' | 'closed';

export interface GapRow {
  id: number;
  unit: string;
  gateway: string;
  fromSeq: number;
  toSeq: number;
  /** Seqs of the range neither stored nor explained by an eviction: still on their way, or lost. */
  missing: number;
  /** Seqs of the range the gateway reported evicted from its outbox (lost, but not silently). */
  evicted: number;
  detectedAt: number;
  /** When nothing was missing any more (every seq arrived or was reported evicted). */
  closedAt: number | null;
  status: GapStatus;
}

export interface UsageEventRow {
  eventId: string;
  unit: string;
  gateway: string;
  seq: number;
  type: UsageEvent['type'];
  kit: string | null;
  component: string | null;
  deviceType: string | null;
  sessionId: string | null;
  event: UsageEvent;
  at: number;
  /** The best estimate of when it happened by a true clock, or null if it cannot be corrected. */
  correctedAt: number | null;
  clockSynced: boolean;
  bootId: string;
  uptimeMs: number;
  receivedAt: number;
}

export interface GatewayRow {
  unit: string;
  gateway: string;
  online: boolean;
  connected: boolean;
  clientId: string | null;
  bdSeq: number | null;
  bootId: string | null;
  /** The current boot's offset (wall time = offset + uptime), when known. */
  clockOffsetMs: number | null;
  statusAt: number | null;
  firstSeen: number;
  lastSeen: number;
  outboxPending: number | null;
  outboxEvicted: number | null;
  agentVersion: string | null;
}

export interface KitStateRow {
  unit: string;
  gateway: string;
  kit: string;
  state: KitStatePayload['state'];
  reason: string | null;
  at: number;
  receivedAt: number;
}

/** One change of a kit's state (history.ts). */
export interface KitStateChange extends KitStateRow {
  /** `at` corrected by the gateway's boot clock (clock.ts), or null when it cannot be. */
  correctedAt: number | null;
}

/** One interval of a gateway's presence timeline (history.ts). */
export interface PresenceRow {
  unit: string;
  gateway: string;
  online: boolean;
  from: number;
  /** null: the current state. */
  to: number | null;
  /** The last message from the gateway while this state held. */
  confirmedAt: number;
  /** The run of the central that recorded it. */
  central: string;
  source: 'birth' | 'will' | 'connect' | 'disconnect';
}

export interface TelemetryRow {
  unit: string;
  gateway: string;
  kit: string;
  component: string;
  value: unknown;
  at: number;
  receivedAt: number;
}

export interface DeadLetterRow {
  id: number;
  topic: string;
  /** The payload as text when it was valid UTF-8, else base64 (see encoding). */
  payload: string;
  encoding: 'utf8' | 'base64';
  reason: string;
  clientId: string | null;
  receivedAt: number;
}

export interface LedgerCounts {
  events: number;
  gateways: number;
  online: number;
  openGaps: number;
  deadLetters: number;
}
