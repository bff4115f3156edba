/**
 * One gateway's credentials cannot fill the central's disk (security/quotas.ts): payloads over
 * their kind's limit dropped, retained copies only for state topics and within the gateway's
 * quota, dead letters capped per hour; each hit counted in /metrics and listed by the API.
 */
import mqtt, { type MqttClient } from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { topics } from '@stemlab/protocol';
import { metricsRegistry, provisionGatewayCommand, renderMetrics } from '../src/index.ts';
import { DEFAULT_QUOTAS } from '../src/security/quotas.ts';
import { GATEWAY, publishUsage, sessionStart, startTestCentral, UNIT, type TestCentral } from './helpers.ts';

let central: TestCentral;
const clients: MqttClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.endAsync(true)));
  await central?.cleanup();
});

describe('per-gateway quotas', () => {
  it('drops oversized payloads, keeps retained copies within the quota, caps dead letters, and reports each hit', async () => {
    central = await startTestCentral({
      security: { allowAnonymous: false, quotas: { payloadBytes: { usage: 8192, state: 4096, kitState: 4096, telemetry: 2048, reply: 65536 }, retainedTopics: 3, retainedBytes: 100_000, deadLettersPerHour: 5 } },
    });
    const creds = await provisionGatewayCommand(central.dataDir, UNIT, GATEWAY);
    const gw = await mqtt.connectAsync(central.mqttUrl, { clientId: creds.username, username: creds.username, password: creds.password, reconnectPeriod: 0 });
    clients.push(gw);
    // 50 KB "telemetry" on distinct topics, retained: dropped, nothing kept.
    for (let i = 0; i < 20; i++) await gw.publishAsync(topics.telemetry(UNIT, GATEWAY, 'robot-1', `c${i}`), Buffer.alloc(50_000, 'x'), { qos: 1, retain: true });
    // Small retained telemetry: delivered, not retained. Kit states: 3 retained, the 4th not.
    await gw.publishAsync(topics.telemetry(UNIT, GATEWAY, 'robot-1', 'temp'), JSON.stringify({ value: 1, at: Date.now() }), { qos: 1, retain: true });
    for (let k = 1; k <= 4; k++) await gw.publishAsync(topics.kitState(UNIT, GATEWAY, `robot-${k}`), JSON.stringify({ state: 'connected', at: Date.now(), clock: { synced: true, bootId: 'b', uptimeMs: 1 } }), { qos: 1, retain: true });
    // 100 junk usage payloads: 5 dead letters stored, the rest counted.
    for (let i = 0; i < 100; i++) await gw.publishAsync(topics.usage(UNIT, GATEWAY), `junk ${i}`, { qos: 1 });
    const e = sessionStart(1);
    await publishUsage(gw, e); // after its PUBACK, every publish before it has been handled
    expect(await central.ledger.event(e.eventId)).toBeDefined();
    expect((await central.ledger.deadLetters()).length).toBe(5);

    // What is retained, read from the broker's persistence.
    const retained: string[] = [];
    const stream = (central.broker as unknown as { persistence: { createRetainedStreamCombi(patterns: string[]): AsyncIterable<{ topic: string }> } }).persistence.createRetainedStreamCombi([`stemlab/v1/${UNIT}/${GATEWAY}/#`]);
    for await (const p of stream) retained.push(p.topic);
    expect(retained.sort()).toEqual([1, 2, 3].map((k) => topics.kitState(UNIT, GATEWAY, `robot-${k}`)));

    const hits = Object.fromEntries(central.security.quotas.hits().map((h) => [h.quota, h.count]));
    expect(hits).toEqual({ payload: 20, 'retained-not-allowed': 1, 'retained-topics': 1, 'dead-letters': 95 });
    expect(central.security.refusals.quota).toBe(20);
    const text = await renderMetrics(metricsRegistry({ counts: () => central.ledger.counts(), quotaHits: () => central.security.quotas.hits() }));
    expect(text).toMatch(new RegExp(`^stemlab_quota_hits_total\\{unit="${UNIT}",gateway="${GATEWAY}",quota="dead-letters"\\} 95$`, 'm'));
  });

  it('caps the dead letters of a burst of bad usage events published at once (validated by the ledger\'s writer) as it does one by one', async () => {
    central = await startTestCentral({ security: { allowAnonymous: false, quotas: { ...DEFAULT_QUOTAS, deadLettersPerHour: 5 } } });
    const creds = await provisionGatewayCommand(central.dataDir, UNIT, GATEWAY);
    const gw = await mqtt.connectAsync(central.mqttUrl, { clientId: creds.username, username: creds.username, password: creds.password, reconnectPeriod: 0 });
    clients.push(gw);
    await Promise.all(Array.from({ length: 40 }, (_, i) => gw.publishAsync(topics.usage(UNIT, GATEWAY), `junk ${i}`, { qos: 1 })));
    expect((await central.ledger.deadLetters()).length).toBe(5);
    expect(Object.fromEntries(central.security.quotas.hits().map((h) => [h.quota, h.count]))).toEqual({ 'dead-letters': 35 });
    expect(central.ingest.stats.refused).toBe(35);
  });
});
