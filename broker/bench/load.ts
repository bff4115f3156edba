/**
 * The load the broker bench puts on every broker, the same bytes for each (and broker/bench/
 * profile-ingest.ts puts on the central alone): gateways publishing usage events at QoS 1 and
 * telemetry readings at QoS 0, one subscriber taking them all.
 */
import mqtt, { type MqttClient } from 'mqtt';
import { gatewayClientId, topics } from '@stemlab/protocol';
import { sessionStart } from '../test/helpers.ts';

export interface Target {
  host: string;
  port: number;
}

export const PUBLISHERS = 4;
/** Messages each publisher sends: QoS 0 telemetry readings, QoS 1 usage events. */
export const EACH = { 0: 10_000, 1: 2_500 } as const;
export const INGEST_GATEWAYS = 10;
export const INGEST_EACH = 1_000;

export async function client(target: Target, clientId: string): Promise<MqttClient> {
  const c = await mqtt.connectAsync({ ...target, protocol: 'mqtt', clientId, clean: true, reconnectPeriod: 0 });
  (c.stream as unknown as { setNoDelay?(on: boolean): void }).setNoDelay?.(true);
  return c;
}

/** QoS 0: a sonar's readings; QoS 1: usage events. */
function flow(unit: string, qos: 0 | 1): { topic(g: number): string; payload(i: number): string; filter: string } {
  if (qos === 0) {
    return {
      topic: (g) => topics.telemetry(unit, `gw-${g}`, 'robot-1', 'sonar'),
      payload: (i) => JSON.stringify({ value: i, at: Date.now() }),
      filter: topics.telemetry(unit, '+', 'robot-1', 'sonar'),
    };
  }
  return { topic: (g) => topics.usage(unit, `gw-${g}`), payload: (i) => JSON.stringify(sessionStart(i + 1)), filter: topics.usage(unit, '+') };
}

/**
 * PUBLISHERS gateways publish EACH[qos] messages at once; one subscriber takes them all. Messages/s
 * from the first publish to the subscriber's last message (QoS 0 may drop under load: counted
 * as received, not sent).
 */
export async function fanout(target: Target, unit: string, qos: 0 | 1): Promise<number> {
  const { topic, payload, filter } = flow(unit, qos);
  const each = EACH[qos];
  const sub = await client(target, `bench-sub-${unit}-${qos}`);
  await sub.subscribeAsync(filter, { qos });
  const pubs = await Promise.all(Array.from({ length: PUBLISHERS }, (_, g) => client(target, gatewayClientId(unit, `gw-${g}`))));
  const total = PUBLISHERS * each;
  let received = 0;
  let last = 0;
  const done = new Promise<void>((resolve) => {
    let idle: NodeJS.Timeout | undefined;
    const quiet = () => {
      clearTimeout(idle);
      idle = setTimeout(resolve, 3000); // QoS 0 losses: stop waiting once nothing has come for 3 s
    };
    quiet();
    sub.on('message', () => {
      received++;
      last = performance.now();
      if (received >= total) {
        clearTimeout(idle);
        resolve();
      } else if (received % 1000 === 0) quiet();
    });
  });
  const t0 = performance.now();
  await Promise.all(
    pubs.map(async (c, g) => {
      const sends: Array<Promise<unknown>> = [];
      for (let i = 0; i < each; i++) {
        sends.push(c.publishAsync(topic(g), payload(i), { qos }));
        // Let the sockets drain now and then: a real publisher does not queue 10,000 messages in memory.
        if (i % 500 === 499) await new Promise((r) => setImmediate(r));
      }
      await Promise.all(sends);
    }),
  );
  await done;
  await Promise.all([...pubs, sub].map((c) => c.endAsync()));
  if (qos === 1 && received < total) console.error(`broker bench: ${target.host}:${target.port} delivered ${received} of ${total} QoS 1 messages`);
  return received / ((last - t0) / 1000);
}

/** Gateways publish usage events at QoS 1 to the central: events/s until the last PUBACK (= committed). */
export async function intoLedger(target: Target, unit: string): Promise<number> {
  const gws = await Promise.all(Array.from({ length: INGEST_GATEWAYS }, (_, g) => client(target, gatewayClientId(unit, `gw-${g}`))));
  const t0 = performance.now();
  await Promise.all(gws.map((c, g) => Promise.all(Array.from({ length: INGEST_EACH }, (_, i) => c.publishAsync(topics.usage(unit, `gw-${g}`), JSON.stringify(sessionStart(i + 1)), { qos: 1 })))));
  const seconds = (performance.now() - t0) / 1000;
  await Promise.all(gws.map((c) => c.endAsync()));
  return (INGEST_GATEWAYS * INGEST_EACH) / seconds;
}
