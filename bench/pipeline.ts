import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect as netConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectAsync, type MqttClient } from 'mqtt';
import pg from 'pg';
import { gatewayClientId, topics } from '@stemlab/protocol';
import { createLogger } from '@stemlab/protocol/log';
import { openOutbox, parseConfig } from '@stemlab/edge-agent';
import { composeGateway } from '@stemlab/compose';
import { startCentral, type Central } from '@stemlab/broker';
import { robotKit } from '../edge-agent/test/helpers/sim-agent.ts';
import { sessionStart } from '../broker/test/helpers.ts';
import { latencyResults, round, type BenchResult, type BenchSuite } from './types.ts';
import { POSTGRES_URL, postgres } from '../testing/services.ts';
import { OPEN_ANONYMOUS } from '../testing/anonymous-rights.ts';

const MOSQUITTO = { host: '127.0.0.1', port: 1883 };
/** A busy robot club's week: ~15,600 usage events (the outbox's own estimate, edge-agent config), rounded up. */
const WEEK_OF_EVENTS = 20_000;

/**
 * The usage pipeline: QoS 1 round trip and throughput into the committed ledger (a PUBACK from
 * our broker means the row is committed), side by side with Mosquitto on this machine (which
 * stores nothing: the ratio is the price of durability); publish-to-commit latency under load;
 * and the replay of a week of buffered events from one gateway through the real agent. Then the
 * same throughput and latency with the ledger on PostgreSQL (POSTGRES_URL, a schema of its own,
 * dropped after), the SQLite figures as its peer.
 */
export const pipelineSuite: BenchSuite = {
  name: 'pipeline',
  title: 'Usage pipeline: gateways → broker → committed ledger rows (peer: Mosquitto, no ledger)',
  async run() {
    const results: BenchResult[] = [];
    const dir = mkdtempSync(join(tmpdir(), 'stemlab-bench-'));
    const central = await startCentral({ dataDir: join(dir, 'central'), mqtt: { host: '127.0.0.1', port: 0 }, log: createLogger('silent'), security: { ...OPEN_ANONYMOUS, publishesPerSecond: 0, connectsPerSecond: 0 } });
    const ours = { host: '127.0.0.1', port: Number(new URL(central.mqttUrl).port) };
    const peer = (await reachable(MOSQUITTO)) ? MOSQUITTO : undefined;
    try {
      const rtt = await roundTrip(ours, 'rtt-ours');
      const rttPeer = peer ? await roundTrip(peer, 'rtt-peer') : undefined;
      for (const r of latencyResults('QoS 1 round trip (publish → PUBACK = committed)', rtt)) results.push(withPeer(r, rttPeer && latencyResults('', rttPeer)));
      const load = await throughput(ours, 10, 2000);
      const loadPeer = peer ? await throughput(peer, 10, 2000) : undefined;
      results.push(withPeer({ name: 'events/s into the committed ledger, 10 gateways × 2,000 events, QoS 1', value: round(load.perSecond, 0), unit: 'events/s' }, loadPeer && [{ value: round(loadPeer.perSecond, 0) }]));
      const pacedSqlite = latencyResults('publish → commit, 10 gateways at 200 events/s each', await paced(ours, 10, 200, 3));
      results.push(...pacedSqlite);
      results.push(await replayWeek(dir, central));
      if ((await postgres()).ok) results.push(...(await onPostgres(dir, load.perSecond, pacedSqlite)));
    } finally {
      await central.stop();
      rmSync(dir, { recursive: true, force: true });
    }
    return results;
  },
};

function withPeer(result: BenchResult, peer: Array<{ value: number }> | undefined): BenchResult {
  const index = result.name.endsWith('p99') ? 1 : 0;
  const peerValue = peer?.[index]?.value;
  if (peerValue === undefined) return result;
  return { ...result, peer: 'mosquitto', peerValue, ratio: round(result.value / peerValue, 2) };
}

async function reachable(target: { host: string; port: number }): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = netConnect(target, () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function client(target: { host: string; port: number }, id: string): Promise<MqttClient> {
  const c = await connectAsync({ ...target, protocol: 'mqtt', clientId: id, clean: true, reconnectPeriod: 0 });
  (c.stream as unknown as { setNoDelay?(on: boolean): void }).setNoDelay?.(true);
  return c;
}

/** Sequential QoS 1 publishes of valid usage events, each waiting for its PUBACK. */
async function roundTrip(target: { host: string; port: number }, gateway: string): Promise<number[]> {
  const unit = 'bench-unit';
  const c = await client(target, gatewayClientId(unit, gateway));
  const samples: number[] = [];
  for (let seq = 1; seq <= 1000; seq++) {
    const payload = JSON.stringify(sessionStart(seq));
    const t0 = performance.now();
    await c.publishAsync(topics.usage(unit, gateway), payload, { qos: 1 });
    samples.push(performance.now() - t0);
  }
  await c.endAsync();
  return samples;
}

/** `gateways` clients publish `each` events at once (mqtt.js keeps them in flight); events/s until the last PUBACK. */
async function throughput(target: { host: string; port: number }, gateways: number, each: number): Promise<{ perSecond: number }> {
  const unit = `bench-${Date.now()}`;
  const clients = await Promise.all(Array.from({ length: gateways }, (_, g) => client(target, gatewayClientId(unit, `gw-${g}`))));
  const t0 = performance.now();
  await Promise.all(
    clients.map((c, g) =>
      Promise.all(
        Array.from({ length: each }, (_, i) => {
          return c.publishAsync(topics.usage(unit, `gw-${g}`), JSON.stringify(sessionStart(i + 1)), { qos: 1 });
        }),
      ),
    ),
  );
  const seconds = (performance.now() - t0) / 1000;
  await Promise.all(clients.map((c) => c.endAsync()));
  return { perSecond: (gateways * each) / seconds };
}

/** Publish → PUBACK (= committed) latencies at a steady offered load, as gateways really send. */
async function paced(target: { host: string; port: number }, gateways: number, perSecond: number, seconds: number): Promise<number[]> {
  const unit = `paced-${Date.now()}`;
  const clients = await Promise.all(Array.from({ length: gateways }, (_, g) => client(target, gatewayClientId(unit, `gw-${g}`))));
  const latencies: number[] = [];
  const pending: Array<Promise<unknown>> = [];
  const total = perSecond * seconds;
  const start = performance.now();
  for (let i = 0; i < total; i++) {
    // One event from every gateway each 1/perSecond s: a steady load, not a burst.
    const due = start + (i / perSecond) * 1000;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    for (const [g, c] of clients.entries()) {
      const sent = performance.now();
      pending.push(c.publishAsync(topics.usage(unit, `gw-${g}`), JSON.stringify(sessionStart(i + 1)), { qos: 1 }).then(() => latencies.push(performance.now() - sent)));
    }
  }
  await Promise.all(pending);
  await Promise.all(clients.map((c) => c.endAsync()));
  return latencies;
}

/** A gateway offline for a week of club sessions comes back: time until the ledger has every event. */
async function replayWeek(dir: string, central: Central): Promise<BenchResult> {
  const config = parseConfig({
    unit: 'bench-unit',
    gateway: 'gw-week',
    room: 'robot-club',
    dataDir: join(dir, 'gw-week'),
    http: { port: 0 },
    mqtt: { enabled: false },
    kits: [robotKit('robot-1')],
  });
  // Offline: the week's events go to the outbox only.
  const offline = await composeGateway(config, { log: createLogger('silent'), port: 0 });
  await offline.agent.waitForKits('connected', 10_000);
  for (let i = 0; offline.outbox.stats().pending < WEEK_OF_EVENTS; i++) {
    offline.agent.command('robot-1', 'left', { action: 'forward', speed: 100 }, 'flow');
    offline.agent.command('robot-1', 'led', { action: 'on' }, 'flow');
    offline.usage.tag({ kind: 'lesson', lessonId: `l-${i}` }, ['robot-1']);
  }
  await offline.stop();
  const probe = openOutbox(config);
  const buffered = probe.stats().pending;
  probe.close();
  const online = parseConfig({ ...config, mqtt: { url: central.mqttUrl } });
  const t0 = performance.now();
  const gateway = await composeGateway(online, { log: createLogger('silent'), port: 0 });
  while (gateway.outbox.stats().pending > 0) await new Promise((r) => setTimeout(r, 10));
  const seconds = (performance.now() - t0) / 1000;
  await gateway.stop();
  return { name: `replay of a week of buffered events (${buffered}) from one gateway, until the ledger has them`, value: round(seconds, 2), unit: 's' };
}

/** Throughput and publish → commit latency with the ledger on PostgreSQL, next to SQLite's. */
async function onPostgres(dir: string, sqlitePerSecond: number, pacedSqlite: BenchResult[]): Promise<BenchResult[]> {
  const schema = `bench_${randomBytes(6).toString('hex')}`;
  const central = await startCentral({
    dataDir: join(dir, 'central-pg'),
    mqtt: { host: '127.0.0.1', port: 0 },
    log: createLogger('silent'),
    security: { ...OPEN_ANONYMOUS, publishesPerSecond: 0, connectsPerSecond: 0 },
    ledger: { kind: 'postgres', url: POSTGRES_URL, schema },
  });
  const sqlite = { peer: 'sqlite ledger' };
  try {
    const target = { host: '127.0.0.1', port: Number(new URL(central.mqttUrl).port) };
    const load = await throughput(target, 10, 2000);
    const results: BenchResult[] = [
      {
        name: 'PostgreSQL ledger: events/s into the committed ledger, 10 gateways × 2,000 events, QoS 1',
        value: round(load.perSecond, 0),
        unit: 'events/s',
        ...sqlite,
        peerValue: round(sqlitePerSecond, 0),
        ratio: round(load.perSecond / sqlitePerSecond, 2),
      },
    ];
    const paced_ = latencyResults('PostgreSQL ledger: publish → commit, 10 gateways at 200 events/s each', await paced(target, 10, 200, 3));
    paced_.forEach((r, i) => {
      const peerValue = pacedSqlite[i]?.value;
      results.push(peerValue ? { ...r, ...sqlite, peerValue, ratio: round(r.value / peerValue, 2) } : r);
    });
    return results;
  } finally {
    await central.stop();
    const client = new pg.Client({ connectionString: POSTGRES_URL });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await client.end();
  }
}
