/**
 * The cluster's price: messages per second from publishers to subscribers through one central
 * node, and through two nodes over Redis (publishers on node A, subscribers on node B, so every
 * message crosses Redis pub/sub), at QoS 0 and QoS 1, each beside Mosquitto on this machine in
 * the same run. The messages are commands (`.../cmd/bench`): the path the console's commands
 * take to gateways on another node, which the ingest passes without writing the ledger, so this
 * measures the broker and its state, not SQLite (the pipeline suite measures that).
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectAsync, type MqttClient } from 'mqtt';
import { topics } from '@stemlab/protocol';
import { createLogger } from '@stemlab/protocol/log';
import { redis, REDIS_URL, tcpOpen } from '../../testing/services.ts';
import { startCentral, type Central, type CentralOptions } from '../src/central.ts';
import { sweepRedis } from '../test/fixtures/redis-sweep.ts';
import { round, type BenchResult, type BenchSuite } from '../../bench/types.ts';
import { OPEN_ANONYMOUS } from '../../testing/anonymous-rights.ts';

const MOSQUITTO_URL = 'mqtt://127.0.0.1:1883';
/** Redis database of the benchmark's broker state (tests use 13 and 14). */
const REDIS_DB = 15;
/** Publisher → subscriber pairs, each on its own gateway's command topic. */
const PAIRS = 4;
const MESSAGES = { 0: 20_000, 1: 8_000 } as const;
/** A measurement that has not finished by then reports what arrived (QoS 0 may drop under overload). */
const CAP_MS = 12_000;

export const clusterSuite: BenchSuite = {
  name: 'cluster',
  title: 'Central cluster: messages/s publisher → subscriber, 1 node vs 2 nodes over Redis (peer: Mosquitto)',
  async run() {
    const results: BenchResult[] = [];
    const dir = mkdtempSync(join(tmpdir(), 'stemlab-bench-cluster-'));
    const unit = `bench-${randomUUID().slice(0, 8)}`;
    const peer = (await tcpOpen(MOSQUITTO_URL, 1883)) ? MOSQUITTO_URL : undefined;
    const options = (name: string): CentralOptions => ({
      dataDir: join(dir, name),
      mqtt: { host: '127.0.0.1', port: 0 },
      log: createLogger('silent'),
      security: { ...OPEN_ANONYMOUS, publishesPerSecond: 0, connectsPerSecond: 0 },
    });
    const nodes: Central[] = [];
    try {
      const single = await startCentral(options('single'));
      nodes.push(single);
      const redisUp = (await redis()).ok;
      if (redisUp) {
        const cluster = { redis: `${REDIS_URL}/${REDIS_DB}` };
        nodes.push(await startCentral({ ...options('a'), cluster: { ...cluster, nodeId: 'bench-a' } }));
        nodes.push(await startCentral({ ...options('b'), cluster: { ...cluster, nodeId: 'bench-b' } }));
      }
      for (const qos of [0, 1] as const) {
        const peerRate = peer ? await flow(peer, peer, unit, qos) : undefined;
        const one = await flow(single.mqttUrl, single.mqttUrl, unit, qos);
        results.push(withPeer({ name: `QoS ${qos} messages/s, 1 node (state on disk), ${PAIRS} publishers → ${PAIRS} subscribers`, value: round(one, 0), unit: 'msg/s' }, peerRate));
        if (nodes.length === 3) {
          const two = await flow(nodes[1]!.mqttUrl, nodes[2]!.mqttUrl, unit, qos);
          results.push(withPeer({ name: `QoS ${qos} messages/s, 2 nodes over Redis (publishers on A, subscribers on B)`, value: round(two, 0), unit: 'msg/s' }, peerRate));
        }
      }
    } finally {
      for (const node of nodes.reverse()) await node.stop();
      if (nodes.length > 1) await sweepRedis(`${REDIS_URL}/${REDIS_DB}`, unit, nodes.map((n) => n.broker.id));
      rmSync(dir, { recursive: true, force: true });
    }
    return results;
  },
};

function withPeer(result: BenchResult, peerValue: number | undefined): BenchResult {
  if (peerValue === undefined) return result;
  return { ...result, peer: 'mosquitto', peerValue: round(peerValue, 0), ratio: round(result.value / peerValue, 2) };
}

async function client(url: string): Promise<MqttClient> {
  const c = await connectAsync(url, { clientId: `bench-${randomUUID().slice(0, 12)}`, clean: true, reconnectPeriod: 0 });
  (c.stream as unknown as { setNoDelay?(on: boolean): void }).setNoDelay?.(true);
  return c;
}

/** PAIRS publishers on `from` each send MESSAGES[qos] to a subscriber on `to`; delivered messages per second. */
async function flow(from: string, to: string, unit: string, qos: 0 | 1): Promise<number> {
  const run = randomUUID().slice(0, 6);
  const each = MESSAGES[qos];
  const publishers = await Promise.all(Array.from({ length: PAIRS }, () => client(from)));
  const subscribers = await Promise.all(Array.from({ length: PAIRS }, () => client(to)));
  let delivered = 0;
  let lastAt = 0;
  let finish: () => void = () => undefined;
  const all = new Promise<void>((resolve) => (finish = resolve));
  for (const [i, sub] of subscribers.entries()) {
    sub.on('message', () => {
      lastAt = performance.now();
      if (++delivered === PAIRS * each) finish();
    });
    await sub.subscribeAsync(topics.commands(unit, `gw-${run}-${i}`), { qos });
  }
  // A subscription made on node B reaches node A through Redis: let it settle before timing.
  await new Promise((resolve) => setTimeout(resolve, 200));
  const payload = JSON.stringify({ requestId: 'r', args: { kit: 'robot-1', component: 'left', command: { action: 'forward', speed: 100 } } });
  const t0 = performance.now();
  await Promise.all(
    publishers.map(async (pub, i) => {
      const topic = topics.command(unit, `gw-${run}-${i}`, 'bench');
      // QoS 0 in bursts with a yield between them, so the socket is written as it drains; QoS 1 all at once (mqtt.js keeps them in flight).
      for (let n = 0; n < each; n += 500) {
        await Promise.all(Array.from({ length: Math.min(500, each - n) }, () => pub.publishAsync(topic, payload, { qos })));
      }
    }),
  );
  await Promise.race([all, new Promise((resolve) => setTimeout(resolve, CAP_MS))]);
  const seconds = ((delivered === PAIRS * each ? lastAt : performance.now()) - t0) / 1000;
  await Promise.all([...publishers, ...subscribers].map((c) => c.endAsync(true)));
  return delivered / seconds;
}
