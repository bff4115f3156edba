/**
 * The central's retention (retention.ts, central.yaml `retention`), on a real central with real
 * gateways and an injected clock: dead letters and latest telemetry older than their retention
 * are deleted, newer ones kept; a retained message nothing was published on for retainedDays is
 * deleted once its gateway is not connected, while a connected gateway keeps its own.
 */
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { topics } from '@stemlab/protocol';
import { provisionGatewayCommand } from '../src/index.ts';
import type { LedgerChoice } from '../src/ledger/ledger.ts';
import { BACKENDS, LedgerFactory } from './backends.ts';
import { birth, startTestCentral, UNIT, type TestCentral } from './helpers.ts';

const DAY = 86_400_000;
let central: TestCentral;
const clients: MqttClient[] = [];
/** undefined for SQLite; a fresh PostgreSQL schema per test. */
let ledger: LedgerChoice | undefined;
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.endAsync(true)));
  await central?.cleanup();
});

async function gateway(name: string): Promise<MqttClient> {
  const creds = await provisionGatewayCommand(central.dataDir, UNIT, name, ledger);
  const client = await mqtt.connectAsync(central.mqttUrl, { clientId: creds.username, username: creds.username, password: creds.password, reconnectPeriod: 0 });
  clients.push(client);
  return client;
}

async function retainedTopics(): Promise<string[]> {
  const store = (central.broker as unknown as { persistence: { createRetainedStreamCombi(p: string[]): AsyncIterable<{ topic: string }> } }).persistence;
  const found: string[] = [];
  for await (const p of store.createRetainedStreamCombi(['#'])) found.push(p.topic);
  return found.sort();
}

/** Resolves when `check` holds, asking again after each turn of the event loop (the broker stores retained messages after the PUBACK). */
async function eventually(check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 1000 && !(await check()); i++) await new Promise((resolve) => setImmediate(resolve));
  expect(await check()).toBe(true);
}

describe.each(BACKENDS)('retention with the ledger on $backend', ({ backend, run }) => {
  const backends = new LedgerFactory(backend);
  beforeEach(() => {
    if (!run) return;
    backends.require();
    ledger = backends.choice();
  });
  afterAll(() => backends.dispose());

  it.runIf(run)('prunes dead letters, latest telemetry and retained messages past their days, by the injected clock', async () => {
    let now = Date.parse('2026-03-02T08:00:00Z');
    const clock = () => now;
    central = await startTestCentral({
      ledger,
      security: { allowAnonymous: false },
      ingest: { now: clock },
      retention: { deadLetterDays: 30, telemetryDays: 7, retainedDays: 90, sweepMinutes: 60, now: clock },
    });
    const gone = await gateway('lab-1');
    const staying = await gateway('lab-2');
    await gone.publishAsync(topics.usage(UNIT, 'lab-1'), 'junk from day 0', { qos: 1 });
    await gone.publishAsync(topics.telemetry(UNIT, 'lab-1', 'bench-1', 'temp'), JSON.stringify({ value: 21.5, at: now }), { qos: 1 });
    for (const [client, name] of [[gone, 'lab-1'], [staying, 'lab-2']] as const) {
      await client.publishAsync(topics.gatewayState(UNIT, name), JSON.stringify(birth(1)), { qos: 1, retain: true });
    }
    await eventually(async () => (await retainedTopics()).length === 2);
    expect(await central.retention.sweep()).toEqual({ deadLetters: 0, telemetry: 0, retained: 0 });

    // Day 8: the day-0 reading is past 7 days; a new dead letter and a new reading arrive.
    now += 8 * DAY;
    await gone.publishAsync(topics.usage(UNIT, 'lab-1'), 'junk from day 8', { qos: 1 });
    await gone.publishAsync(topics.telemetry(UNIT, 'lab-1', 'bench-1', 'ph'), JSON.stringify({ value: 7, at: now }), { qos: 1 });
    expect(await central.retention.sweep()).toEqual({ deadLetters: 0, telemetry: 1, retained: 0 });
    expect((await central.ledger.telemetry(UNIT, 'lab-1')).map((t) => t.component)).toEqual(['ph']);

    // Day 31: the day-0 dead letter goes, the day-8 one stays.
    now += 23 * DAY;
    await gone.endAsync();
    expect(await central.retention.sweep()).toEqual({ deadLetters: 1, telemetry: 1, retained: 0 });
    expect((await central.ledger.deadLetters()).map((d) => d.payload)).toEqual(['junk from day 8']);

    // Day 91: lab-1's retained birth (and the will-less offline state it left) is past 90 days, its
    // gateway gone: deleted. lab-2 is still connected: its own stays.
    now += 60 * DAY;
    const pruned = await central.retention.sweep();
    expect(pruned.retained).toBe(1);
    expect(await retainedTopics()).toEqual([topics.gatewayState(UNIT, 'lab-2')]);
    expect(central.retention.pruned).toEqual({ deadLetters: 2, telemetry: 2, retained: 1 });
  });

  it.runIf(run)('counts a retained message it never saw published from the first sweep that finds it', async () => {
    let now = Date.parse('2026-03-02T08:00:00Z');
    central = await startTestCentral({ ledger, security: { allowAnonymous: false }, retention: { retainedDays: 90, now: () => now } });
    const gw = await gateway('lab-3');
    await gw.publishAsync(topics.gatewayState(UNIT, 'lab-3'), JSON.stringify(birth(1)), { qos: 1, retain: true });
    await gw.endAsync();
    await eventually(async () => (await retainedTopics()).length === 1);
    // As after a restart: the central has forgotten when it saw the publish.
    (central.retention as unknown as { retainedAt: Map<string, number> }).retainedAt.clear();
    now += 200 * DAY;
    expect((await central.retention.sweep()).retained).toBe(0);
    now += 89 * DAY;
    expect((await central.retention.sweep()).retained).toBe(0);
    now += 2 * DAY;
    expect((await central.retention.sweep()).retained).toBe(1);
    expect(await retainedTopics()).toEqual([]);
  });
});
