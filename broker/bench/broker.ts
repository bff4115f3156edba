/**
 * The broker itself, side by side with Mosquitto in the same run (ratios survive a noisy,
 * shared machine). The peer is a Mosquitto of our own on a free port (startMosquitto says why
 * not the system one at 1883, which is the fallback):
 *
 * - throughput, publisher → subscriber, at QoS 0 and QoS 1, and the QoS 1 round trip
 *   (publish → PUBACK), for (a) our broker engine alone: plain Aedes on a TCP port, no access
 *   policy, no ingest (startCentral cannot leave the ingest out, so this is Aedes by itself, as
 *   the central creates it), and (b) the central with the durable ingest on the publish path,
 *   where a PUBACK means the row is committed (QoS 0 is telemetry there, QoS 1 usage events);
 * - events/s into committed ledger rows: the central's ingest, and the ingest as a client of
 *   Mosquitto (`stemlab ingest`, src/ingest/client.ts);
 * - 10,000 MQTT connections held by one node: the central in a child process (its RSS measured
 *   alone, before and after), and a fresh Mosquitto of our own on a free port; the client sockets come from two child processes of 5,000 raw sockets
 *   each (CONNECT, then one PINGREQ each to show they are all alive), because the fd limit is
 *   per process.
 *
 * Payloads are the same bytes for every broker: valid usage events and telemetry readings, under
 * unit ids of this run only (Mosquitto is shared with other runs).
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect as netConnect, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Aedes } from 'aedes';
import mqtt, { type MqttClient } from 'mqtt';
import { pino } from 'pino';
import { gatewayClientId, topics } from '@stemlab/protocol';
import { startCentral } from '../src/central.ts';
import { IngestClient } from '../src/ingest/client.ts';
import { Ingest } from '../src/ingest/ingest.ts';
import { openLedger } from '../src/ledger/ledger.ts';
import { sessionStart } from '../test/helpers.ts';
import { latencyResults, round, type BenchResult, type BenchSuite } from '../../bench/types.ts';
import { OPEN_ANONYMOUS } from '../../testing/anonymous-rights.ts';

const MOSQUITTO = { host: '127.0.0.1', port: 1883 };
const PUBLISHERS = 4;
const QOS0_EACH = 10_000;
const QOS1_EACH = 2_500;
const RTT_SAMPLES = 500;
const INGEST_GATEWAYS = 10;
const INGEST_EACH = 1_000;
const CONNECTIONS = 10_000;
const HOLDERS = 2;
const silent = pino({ level: 'silent' });

interface Target {
  host: string;
  port: number;
}

export const brokerSuite: BenchSuite = {
  name: 'broker',
  title: 'MQTT broker: throughput, QoS 1 round trip, durable ingest, 10,000 connections (peer: Mosquitto, same run)',
  async run() {
    const results: BenchResult[] = [];
    const run = randomBytes(3).toString('hex');
    const dir = mkdtempSync(join(tmpdir(), 'stemlab-bench-broker-'));
    // A Mosquitto of our own (see startMosquitto); the system one at 1883 if mosquitto cannot be run.
    const own = await startMosquitto(dir, 'flows').catch(() => undefined);
    const peer = own?.target ?? ((await reachable(MOSQUITTO)) ? MOSQUITTO : undefined);
    if (!own && peer) console.error('broker bench: cannot run mosquitto; peer is the system Mosquitto at 127.0.0.1:1883 (its max_queued_messages may drop QoS 1 messages under these bursts)');
    const aedes = await startAedes();
    const central = await startCentral({
      dataDir: join(dir, 'central'),
      mqtt: { host: '127.0.0.1', port: 0 },
      log: silent,
      security: { ...OPEN_ANONYMOUS, publishesPerSecond: 0, connectsPerSecond: 0 },
    });
    const ours = { host: '127.0.0.1', port: Number(new URL(central.mqttUrl).port) };
    try {
      const mq = peer ? await flows(peer, `bq-${run}`) : undefined;
      const alone = await flows(aedes.target, `ba-${run}`);
      const durable = await flows(ours, `bc-${run}`);
      for (const [label, m] of [
        ['Aedes alone (no ingest)', alone],
        ['central with durable ingest', durable],
      ] as const) {
        results.push(ratio({ name: `${label}: QoS 0 msgs/s, ${PUBLISHERS} publishers → 1 subscriber`, value: round(m.qos0, 0), unit: 'msgs/s' }, mq && round(mq.qos0, 0)));
        results.push(ratio({ name: `${label}: QoS 1 msgs/s, ${PUBLISHERS} publishers → 1 subscriber`, value: round(m.qos1, 0), unit: 'msgs/s' }, mq && round(mq.qos1, 0)));
        const [median, p99] = latencyResults(`${label}: QoS 1 round trip (publish → PUBACK)`, m.rtt);
        const [peerMedian, peerP99] = mq ? latencyResults('', mq.rtt) : [];
        results.push(ratio(median as BenchResult, peerMedian?.value), ratio(p99 as BenchResult, peerP99?.value));
      }
      const committed = await intoLedger(ours, `bl-${run}`);
      results.push({ name: `central: usage events/s into committed rows, ${INGEST_GATEWAYS} gateways × ${INGEST_EACH} (PUBACK = committed)`, value: round(committed, 0), unit: 'events/s' });
      if (peer) {
        const behind = await ingestBehind(peer, dir, `bi-${run}`);
        results.push({
          ...ratio({ name: `stemlab ingest behind Mosquitto: usage events/s into committed rows, ${INGEST_GATEWAYS} gateways × ${INGEST_EACH}`, value: round(behind, 0), unit: 'events/s' }, round(committed, 0)),
          peer: 'central with durable ingest',
        });
      }
    } finally {
      await central.stop();
      await aedes.stop();
      own?.stop();
    }
    try {
      const held = await holdOnCentral(join(dir, 'held'), run);
      const mosq = await holdOnMosquitto(dir, run).catch((err: unknown) => {
        console.error(`broker bench: no Mosquitto of our own for the connection test (${String(err)}); skipped`);
        return undefined;
      });
      results.push(ratio({ name: `central: time to connect ${CONNECTIONS} clients (CONNACK)`, value: round(held.seconds, 2), unit: 's' }, mosq && round(mosq.seconds, 2)));
      results.push(ratio({ name: 'central: connections held, alive (PINGRESP)', value: held.alive, unit: 'connections' }, mosq?.alive));
      results.push(ratio({ name: 'central: RSS before the connections', value: round(held.rssBefore / 2 ** 20, 1), unit: 'MiB' }, mosq && round(mosq.rssBefore / 2 ** 20, 1)));
      results.push(ratio({ name: `central: RSS with ${CONNECTIONS} connections`, value: round(held.rssAfter / 2 ** 20, 1), unit: 'MiB' }, mosq && round(mosq.rssAfter / 2 ** 20, 1)));
      results.push(ratio({ name: 'central: memory per connection', value: round(held.perConnectionKb, 1), unit: 'kB' }, mosq && round(mosq.perConnectionKb, 1)));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    return results;
  },
};

function ratio(result: BenchResult, peerValue: number | undefined): BenchResult {
  if (peerValue === undefined || peerValue === 0) return result;
  return { ...result, peer: 'mosquitto', peerValue, ratio: round(result.value / peerValue, 2) };
}

async function reachable(target: Target): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = netConnect(target, () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Our broker engine by itself, as the central creates it (TCP_NODELAY, long client ids), without policy or ingest. */
async function startAedes(): Promise<{ target: Target; stop(): Promise<void> }> {
  const broker = await Aedes.createBroker({ maxClientsIdLength: 140 });
  const server: Server = createServer((socket) => {
    socket.setNoDelay(true);
    broker.handle(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const target = { host: '127.0.0.1', port: (server.address() as AddressInfo).port };
  return {
    target,
    stop: async () => {
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function client(target: Target, clientId: string): Promise<MqttClient> {
  const c = await mqtt.connectAsync({ ...target, protocol: 'mqtt', clientId, clean: true, reconnectPeriod: 0 });
  (c.stream as unknown as { setNoDelay?(on: boolean): void }).setNoDelay?.(true);
  return c;
}

/** QoS 0 and QoS 1 throughput and the QoS 1 round trip on one broker. */
async function flows(target: Target, unit: string): Promise<{ qos0: number; qos1: number; rtt: number[] }> {
  const telemetry = (g: number) => topics.telemetry(unit, `gw-${g}`, 'robot-1', 'sonar');
  const qos0 = await fanout(target, unit, 0, QOS0_EACH, telemetry, (i) => JSON.stringify({ value: i, at: Date.now() }), `${topics.telemetry(unit, '+', 'robot-1', 'sonar')}`);
  const qos1 = await fanout(target, unit, 1, QOS1_EACH, (g) => topics.usage(unit, `gw-${g}`), (i) => JSON.stringify(sessionStart(i + 1)), topics.usage(unit, '+'));
  const rtt = await roundTrip(target, unit);
  return { qos0, qos1, rtt };
}

/**
 * PUBLISHERS gateways publish `each` messages at once; one subscriber takes them all. Messages/s
 * from the first publish to the subscriber's last message (QoS 0 may drop under load: counted
 * as received, not sent).
 */
async function fanout(target: Target, unit: string, qos: 0 | 1, each: number, topic: (g: number) => string, payload: (i: number) => string, filter: string): Promise<number> {
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

/** Sequential QoS 1 publishes of usage events, each waiting for its PUBACK. */
async function roundTrip(target: Target, unit: string): Promise<number[]> {
  const c = await client(target, gatewayClientId(unit, 'rtt'));
  const samples: number[] = [];
  for (let seq = 1; seq <= RTT_SAMPLES; seq++) {
    const body = JSON.stringify(sessionStart(seq));
    const t0 = performance.now();
    await c.publishAsync(topics.usage(unit, 'rtt'), body, { qos: 1 });
    samples.push(performance.now() - t0);
  }
  await c.endAsync();
  return samples;
}

/** Gateways publish usage events at QoS 1 to the central: events/s until the last PUBACK (= committed). */
async function intoLedger(target: Target, unit: string): Promise<number> {
  const gws = await Promise.all(Array.from({ length: INGEST_GATEWAYS }, (_, g) => client(target, gatewayClientId(unit, `gw-${g}`))));
  const t0 = performance.now();
  await Promise.all(gws.map((c, g) => Promise.all(Array.from({ length: INGEST_EACH }, (_, i) => c.publishAsync(topics.usage(unit, `gw-${g}`), JSON.stringify(sessionStart(i + 1)), { qos: 1 })))));
  const seconds = (performance.now() - t0) / 1000;
  await Promise.all(gws.map((c) => c.endAsync()));
  return (INGEST_GATEWAYS * INGEST_EACH) / seconds;
}

/** The same load published to Mosquitto, with `stemlab ingest` behind it: events/s until the ledger has committed them all. */
async function ingestBehind(peer: Target, dir: string, unit: string): Promise<number> {
  const ledger = await openLedger({ kind: 'sqlite', file: join(dir, 'ingest-client.sqlite') });
  const ingest = new Ingest({ ledger, log: silent });
  const clientId = `bench-ingest-${unit}`;
  const ingestClient = new IngestClient({ ingest, url: `mqtt://${peer.host}:${peer.port}`, clientId, units: [unit], healthIntervalMs: 0, log: silent });
  await ingestClient.start();
  const total = INGEST_GATEWAYS * INGEST_EACH;
  let committed = 0;
  const all = new Promise<void>((resolve) =>
    ingest.on('commit', (c) => {
      committed += c.messages;
      if (committed >= total) resolve();
    }),
  );
  const gws = await Promise.all(Array.from({ length: INGEST_GATEWAYS }, (_, g) => client(peer, gatewayClientId(unit, `gw-${g}`))));
  const t0 = performance.now();
  await Promise.all(gws.map((c, g) => Promise.all(Array.from({ length: INGEST_EACH }, (_, i) => c.publishAsync(topics.usage(unit, `gw-${g}`), JSON.stringify(sessionStart(i + 1)), { qos: 1 })))));
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([all, new Promise((resolve) => (timer = setTimeout(resolve, 30_000)))]);
  clearTimeout(timer);
  const seconds = (performance.now() - t0) / 1000;
  if (committed < total) console.error(`broker bench: the ingest behind Mosquitto committed ${committed} of ${total} events within 30 s`);
  await Promise.all(gws.map((c) => c.endAsync()));
  await ingestClient.stop();
  await ingest.stop();
  await ledger.close();
  // Leave no session behind on the shared Mosquitto.
  const cleaner = await mqtt.connectAsync({ ...peer, protocol: 'mqtt', clientId, clean: true, protocolVersion: 5, reconnectPeriod: 0 });
  await cleaner.endAsync();
  return committed / seconds;
}

// ---------------------------------------------------------------------------------------------
// Connections held by one node.

interface Held {
  seconds: number;
  alive: number;
  rssBefore: number;
  rssAfter: number;
  perConnectionKb: number;
}

const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));

/** The next message of a child that has `key`. */
function reply<T>(child: ChildProcess, key: string, timeoutMs = 60_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no '${key}' from child ${child.pid} within ${timeoutMs} ms`)), timeoutMs);
    const onMessage = (m: unknown) => {
      if (typeof m !== 'object' || m === null || !(key in m)) return;
      clearTimeout(timer);
      child.off('message', onMessage);
      resolve(m as T);
    };
    child.on('message', onMessage);
  });
}

/** HOLDERS child processes open CONNECTIONS sockets to the port, then ping them all. */
async function hold(port: number, prefix: string, measure: () => Promise<number>): Promise<Held> {
  const rssBefore = await measure();
  const holders = Array.from({ length: HOLDERS }, (_, k) =>
    fork(here('./connections/holder.ts'), ['127.0.0.1', String(port), String(CONNECTIONS / HOLDERS), `${prefix}-${k}`], { execArgv: ['--import', 'tsx'], stdio: 'ignore' }),
  );
  try {
    const connected = await Promise.all(holders.map((h) => reply<{ connected: number; failed: number; ms: number }>(h, 'connected')));
    const pongs = await Promise.all(holders.map((h) => (h.send('ping'), reply<{ pongs: number }>(h, 'pongs'))));
    const rssAfter = await measure();
    const alive = pongs.reduce((n, p) => n + p.pongs, 0);
    return {
      seconds: Math.max(...connected.map((c) => c.ms)) / 1000,
      alive,
      rssBefore,
      rssAfter,
      perConnectionKb: (rssAfter - rssBefore) / Math.max(1, alive) / 1024,
    };
  } finally {
    for (const h of holders) h.kill('SIGKILL');
  }
}

async function holdOnCentral(dataDir: string, run: string): Promise<Held> {
  const child = fork(here('./connections/central.ts'), [dataDir], { execArgv: ['--import', 'tsx', '--expose-gc'], stdio: 'ignore' });
  try {
    const { port } = await reply<{ port: number }>(child, 'port');
    return await hold(port, `bench-c-${run}`, async () => (child.send('rss'), (await reply<{ rss: number }>(child, 'rss')).rss));
  } finally {
    child.kill('SIGKILL');
  }
}

/**
 * A Mosquitto of our own on a free port: no persistence, no connection limit, and
 * max_queued_messages 0. With the default (1000 messages per client above the in-flight window)
 * Mosquitto DROPS QoS 1 messages for a subscriber that is online but behind, which these bursts
 * (10,000 messages at once) cause: the system Mosquitto would lose part of what the ingest should
 * write (see docs/ingest-on-any-broker.md). Its in-flight window stays the default (20 for MQTT
 * 3.1.1 subscribers; an MQTT 5 ingest sets its own with Receive Maximum).
 */
async function startMosquitto(dir: string, name: string): Promise<{ target: Target; pid: number; stop(): void }> {
  const port = await freePort();
  const conf = join(dir, `mosquitto-${name}.conf`);
  writeFileSync(conf, `listener ${port} 127.0.0.1\nallow_anonymous true\nmax_connections -1\npersistence false\nmax_queued_messages 0\nlog_dest none\n`);
  const child = spawn('mosquitto', ['-c', conf], { stdio: 'ignore' });
  const failed = new Promise<never>((_, reject) => child.once('error', reject));
  try {
    await Promise.race([waitForPort(port), failed]);
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  return { target: { host: '127.0.0.1', port }, pid: child.pid as number, stop: () => child.kill('SIGKILL') };
}

/** 10,000 connections to a fresh Mosquitto of our own, its RSS from /proc. */
async function holdOnMosquitto(dir: string, run: string): Promise<Held> {
  const m = await startMosquitto(dir, 'connections');
  try {
    const rss = () => Promise.resolve(Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${m.pid}/status`, 'utf8'))?.[1] ?? NaN) * 1024);
    return await hold(m.target.port, `bench-m-${run}`, rss);
  } finally {
    m.stop();
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number, timeoutMs = 5000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await reachable({ host: '127.0.0.1', port }))) {
    if (Date.now() > until) throw new Error(`mosquitto did not listen on ${port} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
