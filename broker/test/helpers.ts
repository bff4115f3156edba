/**
 * Builders of valid protocol payloads and a central on port 0 in a temporary directory, for the
 * broker's tests. Payloads are parsed by the protocol schemas here, so a test that means to send
 * a valid message cannot send an invalid one by accident.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { pino } from 'pino';
import {
  gatewayStateSchema,
  topics,
  usageEventSchema,
  type Clock,
  type GatewayState,
  type UsageEvent,
} from '@stemlab/protocol';
import { startCentral, type Central, type CentralOptions } from '../src/central.ts';
import { gatewayClientId } from '@stemlab/protocol';
import { OPEN_ANONYMOUS } from '../../testing/anonymous-rights.ts';

export const UNIT = 'thcs-q1-01';
export const GATEWAY = 'robot-club-1';

export function tmpDir(): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'stemlab-broker-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export function clock(overrides: Partial<Clock> = {}): Clock {
  return { synced: true, bootId: 'boot-1', uptimeMs: 60_000, ...overrides };
}

/** A session.start event with the given seq (a fresh event id and session id each call). */
export function sessionStart(seq: number, overrides: { at?: number; clock?: Partial<Clock>; kit?: string } = {}): UsageEvent {
  return usageEventSchema.parse({
    v: 1,
    eventId: randomUUID(),
    seq,
    at: overrides.at ?? Date.now(),
    clock: clock(overrides.clock),
    type: 'session.start',
    device: { kit: overrides.kit ?? 'robot-1', component: 'left-motor', type: 'motor' },
    session: { id: randomUUID(), startedAt: overrides.at ?? Date.now(), purpose: { kind: 'club-session' } },
  });
}

/**
 * A session's two events, seq and seq+1: its start at `startedAt` and its end at `endedAt`,
 * published `closeDelayMs` later (an idle end is noticed when the idle window runs out). With
 * faults the session ended by a disconnect, else idle.
 */
export function sessionEvents(
  seq: number,
  s: { startedAt: number; endedAt: number; device?: Extract<UsageEvent, { type: 'session.start' }>['device']; faults?: number; closeDelayMs?: number; clock?: Partial<Clock> },
): UsageEvent[] {
  const id = randomUUID();
  const { startedAt, endedAt } = s;
  const faults = s.faults ?? 0;
  const device = s.device ?? { kit: 'robot-1', component: 'left-motor', type: 'motor' };
  const c = clock(s.clock);
  const purpose = { kind: 'club-session' as const };
  return [
    usageEventSchema.parse({ v: 1, eventId: randomUUID(), seq, at: startedAt, clock: c, type: 'session.start', device, session: { id, startedAt, purpose } }),
    usageEventSchema.parse({
      v: 1,
      eventId: randomUUID(),
      seq: seq + 1,
      at: endedAt + (s.closeDelayMs ?? 0),
      clock: c,
      type: 'session.end',
      device,
      session: { id, startedAt, endedAt, durationMs: endedAt - startedAt, purpose, counts: { activations: 1, motorMs: 0, readings: 0 }, faults, endReason: faults > 0 ? 'disconnect' : 'idle' },
    }),
  ];
}

/** The outbox.evicted event an agent publishes after dropping [fromSeq, toSeq]. */
export function outboxEvicted(seq: number, fromSeq: number, toSeq: number): UsageEvent {
  return usageEventSchema.parse({
    v: 1,
    eventId: randomUUID(),
    seq,
    at: Date.now(),
    clock: clock(),
    type: 'outbox.evicted',
    evicted: { count: toSeq - fromSeq + 1, fromSeq, toSeq, reason: 'size' },
  });
}

export function birth(bdSeq: number, c: Partial<Clock> = {}): GatewayState {
  return gatewayStateSchema.parse({ status: 'online', bdSeq, at: Date.now(), clock: clock(c), agent: { version: '0.1.0' } });
}

export function will(bdSeq: number, c: Partial<Clock> = {}): GatewayState {
  return gatewayStateSchema.parse({ status: 'offline', bdSeq, at: Date.now(), clock: clock(c) });
}

export type TestCentral = Central & { dataDir: string; /** stop() and remove the data dir. */ cleanup(): Promise<void> };

/** A central on 127.0.0.1, port 0, with its data in a fresh temporary directory. */
export async function startTestCentral(options: Partial<CentralOptions> = {}): Promise<TestCentral> {
  const { dir, remove } = tmpDir();
  const central = await startCentral({ dataDir: dir, mqtt: { host: '127.0.0.1', port: 0 }, log: pino({ level: 'silent' }), security: OPEN_ANONYMOUS, ...options });
  return Object.assign(central, { dataDir: dir, cleanup: async () => (await central.stop(), remove()) });
}

/** A gateway's MQTT client (client id gw:{unit}:{gateway}, its will set as the agent sets it). */
export function connectGateway(central: Central, options: { unit?: string; gateway?: string; bdSeq?: number } & IClientOptions = {}): Promise<MqttClient> {
  const { unit = UNIT, gateway = GATEWAY, bdSeq, ...rest } = options;
  return mqtt.connectAsync(central.mqttUrl, {
    clientId: gatewayClientId(unit, gateway),
    reconnectPeriod: 0,
    will: bdSeq === undefined ? undefined : { topic: topics.gatewayState(unit, gateway), payload: Buffer.from(JSON.stringify(will(bdSeq))), qos: 1, retain: true },
    ...rest,
  });
}

export async function publishUsage(client: MqttClient, event: UsageEvent, unit = UNIT, gateway = GATEWAY): Promise<void> {
  await client.publishAsync(topics.usage(unit, gateway), JSON.stringify(event), { qos: 1 });
}

/** Resolves once `check` holds, re-checking after every ingest commit (no fixed sleeps). */
export async function until(central: Central, check: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    let checking = false;
    let again = false;
    const timer = setTimeout(() => {
      central.ingest.off('commit', onCommit);
      reject(new Error(`condition not met within ${timeoutMs} ms`));
    }, timeoutMs);
    const onCommit = (): void => {
      // One check at a time; a commit during a check makes it check once more.
      if (checking) return void (again = true);
      checking = true;
      again = false;
      void Promise.resolve(check()).then((ok) => {
        checking = false;
        if (!ok) return again ? onCommit() : undefined;
        clearTimeout(timer);
        central.ingest.off('commit', onCommit);
        resolve();
      }, reject);
    };
    central.ingest.on('commit', onCommit);
    // The first check with the listener already on: a commit while it runs makes it check again
    // (checked before listening, a commit during that check was missed and the wait timed out).
    onCommit();
  });
}
