/**
 * The broker itself, side by side with Mosquitto in the same run (ratios survive a noisy,
 * shared machine). The peer is a Mosquitto of our own on a free port (startMosquitto says why
 * not the system one at 1883, which is the fallback). Every broker under test runs in a process
 * of its own, as Mosquitto does: the central (connections/central.ts), Aedes alone
 * (connections/aedes.ts) and `stemlab ingest` (connections/ingest-client.ts) are child processes,
 * and this process holds only the clients (mqtt.js publishers and subscribers, for all three
 * brokers alike). The children are killed, and the data directory removed, whatever happens.
 *
 * - throughput, publisher → subscriber, at QoS 0 and QoS 1, and the QoS 1 round trip
 *   (publish → PUBACK), for (a) our broker engine alone: plain Aedes on a TCP port, no access
 *   policy, no ingest (startCentral cannot leave the ingest out, so this is Aedes by itself, as
 *   the central creates it), and (b) the central with the durable ingest on the publish path,
 *   where a PUBACK means the row is committed (QoS 0 is telemetry there, QoS 1 usage events);
 * - the disk's floor under that committed PUBACK (disk-floor.ts): one small append + fdatasync,
 *   and a one-row SQLite commit as the ledger makes it, on the filesystem of the central's data
 *   directory; no round trip with a PUBACK after the commit can beat it;
 * - events/s into committed ledger rows: the central's ingest, and the ingest as a client of
 *   Mosquitto (`stemlab ingest`, src/ingest/client.ts);
 * - 10,000 MQTT connections held by one node: a fresh central in a child process (its RSS
 *   measured alone, before and after), and a fresh Mosquitto of our own on a free port; the
 *   client sockets come from two child processes of 5,000 raw sockets each (CONNECT, then one
 *   PINGREQ each to show they are all alive), because the fd limit is per process.
 *
 * Payloads are the same bytes for every broker: valid usage events and telemetry readings, under
 * unit ids of this run only (Mosquitto is shared with other runs).
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect as netConnect, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import mqtt from 'mqtt';
import { gatewayClientId, topics } from '@stemlab/protocol';
import { sessionStart } from '../test/helpers.ts';
import { latencyResults, round, type BenchResult, type BenchSuite } from '../../bench/types.ts';
import { stemlabNodeFlags } from '../../testing/cli.ts';
import { measureDiskFloor } from './disk-floor.ts';
import { client, fanout, intoLedger, INGEST_EACH, INGEST_GATEWAYS, PUBLISHERS, type Target } from './load.ts';

const MOSQUITTO = { host: '127.0.0.1', port: 1883 };
const RTT_SAMPLES = 500;
const CONNECTIONS = 10_000;
const HOLDERS = 2;


export const brokerSuite: BenchSuite = {
  name: 'broker',
  title: 'MQTT broker: throughput, QoS 1 round trip, disk floor, durable ingest, 10,000 connections (peer: Mosquitto, same run; each broker in its own process)',
  async run() {
    const results: BenchResult[] = [];
    const run = randomBytes(3).toString('hex');
    const dir = mkdtempSync(join(tmpdir(), 'stemlab-bench-broker-'));
    const children: ChildProcess[] = [];
    try {
      try {
        // A Mosquitto of our own (see startMosquitto); the system one at 1883 if mosquitto cannot be run.
        const own = await startMosquitto(dir, 'flows').catch(() => undefined);
        if (own) children.push(own.child);
        const peer = own?.target ?? ((await reachable(MOSQUITTO)) ? MOSQUITTO : undefined);
        if (!own && peer) console.error('broker bench: cannot run mosquitto; peer is the system Mosquitto at 127.0.0.1:1883 (its max_queued_messages may drop QoS 1 messages under these bursts)');
        const aedes = await brokerChild('aedes.ts', [], children);
        const central = await brokerChild('central.ts', [join(dir, 'central')], children);
        const mq = peer ? await flows(peer, `bq-${run}`) : undefined;
        const alone = await flows(aedes, `ba-${run}`);
        const durable = await flows(central, `bc-${run}`);
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
        // Right after the round trips, the brokers idle: the floor under the central's committed PUBACK.
        const floor = measureDiskFloor(dir, RTT_SAMPLES);
        results.push(...latencyResults(`disk floor of a committed PUBACK: ${RTT_SAMPLES} × (append 400 B + fdatasync), data dir's filesystem`, floor.fdatasync));
        results.push(...latencyResults(`disk floor of a committed PUBACK: ${RTT_SAMPLES} × one-row SQLite commit (WAL, synchronous = FULL)`, floor.sqliteCommit));
        const committed = await intoLedger(central, `bl-${run}`);
        results.push({ name: `central: usage events/s into committed rows, ${INGEST_GATEWAYS} gateways × ${INGEST_EACH} (PUBACK = committed)`, value: round(committed, 0), unit: 'events/s' });
        if (peer) {
          const behind = await ingestBehind(peer, dir, `bi-${run}`, children);
          results.push({
            ...ratio({ name: `stemlab ingest behind Mosquitto: usage events/s into committed rows, ${INGEST_GATEWAYS} gateways × ${INGEST_EACH}`, value: round(behind, 0), unit: 'events/s' }, round(committed, 0)),
            peer: 'central with durable ingest',
          });
        }
      } finally {
        await Promise.all(children.splice(0).map(endChild));
      }
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
      // The children are gone (every path above ends them), so nothing writes here any more.
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

const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));

/** The central runs with the Node flags `stemlab central` launches with; "Aedes alone" with Node's defaults. */
const execArgvOf = (script: 'central.ts' | 'aedes.ts') => ['--import', 'tsx', '--expose-gc', ...(script === 'central.ts' ? stemlabNodeFlags() : [])];

/**
 * A broker under test in a child process of its own (connections/central.ts or aedes.ts), listening
 * on a free port; added to `children` at once, so the caller's finally ends it even if it never
 * says where it listens.
 */
async function brokerChild(script: 'central.ts' | 'aedes.ts', args: string[], children: ChildProcess[]): Promise<Target> {
  const child = fork(here(`./connections/${script}`), args, { execArgv: execArgvOf(script), stdio: 'ignore' });
  children.push(child);
  const { port } = await reply<{ port: number }>(child, 'port');
  return { host: '127.0.0.1', port };
}

/** Kills a child (SIGKILL: a broker under test owes us nothing) and waits until it is gone. */
async function endChild(child: ChildProcess): Promise<void> {
  // Never started (spawn failed), or already gone.
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGKILL');
  await gone;
}


/** QoS 0 and QoS 1 throughput and the QoS 1 round trip on one broker. */
async function flows(target: Target, unit: string): Promise<{ qos0: number; qos1: number; rtt: number[] }> {
  const qos0 = await fanout(target, unit, 0);
  const qos1 = await fanout(target, unit, 1);
  const rtt = await roundTrip(target, unit);
  return { qos0, qos1, rtt };
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


/**
 * The same load published to Mosquitto, with `stemlab ingest` behind it in a child process
 * (connections/ingest-client.ts): events/s until the ledger has committed them all.
 */
async function ingestBehind(peer: Target, dir: string, unit: string, children: ChildProcess[]): Promise<number> {
  const clientId = `bench-ingest-${unit}`;
  const total = INGEST_GATEWAYS * INGEST_EACH;
  const args = [join(dir, 'ingest-client.sqlite'), `mqtt://${peer.host}:${peer.port}`, clientId, unit, String(total)];
  const child = fork(here('./connections/ingest-client.ts'), args, { execArgv: ['--import', 'tsx'], stdio: 'ignore' });
  children.push(child);
  await reply(child, 'ready');
  const gws = await Promise.all(Array.from({ length: INGEST_GATEWAYS }, (_, g) => client(peer, gatewayClientId(unit, `gw-${g}`))));
  const t0 = performance.now();
  // Listening before the first publish: the child says so once, as soon as the last one is committed.
  const all = reply<{ committed: number }>(child, 'committed', 30_000).then(
    () => true,
    () => false,
  );
  await Promise.all(gws.map((c, g) => Promise.all(Array.from({ length: INGEST_EACH }, (_, i) => c.publishAsync(topics.usage(unit, `gw-${g}`), JSON.stringify(sessionStart(i + 1)), { qos: 1 })))));
  const complete = await all;
  const seconds = (performance.now() - t0) / 1000;
  await Promise.all(gws.map((c) => c.endAsync()));
  child.send('stop');
  const { committed } = await reply<{ committed: number }>(child, 'stopped');
  if (!complete) console.error(`broker bench: the ingest behind Mosquitto committed ${committed} of ${total} events within 30 s`);
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

/** The next message of a child that has `key`; rejects if the child ends first. */
function reply<T>(child: ChildProcess, key: string, timeoutMs = 60_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const done = () => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    const timer = setTimeout(() => (done(), reject(new Error(`no '${key}' from child ${child.pid} within ${timeoutMs} ms`))), timeoutMs);
    const onMessage = (m: unknown) => {
      if (typeof m !== 'object' || m === null || !(key in m)) return;
      done();
      resolve(m as T);
    };
    const onExit = (code: number | null, signal: string | null) => (done(), reject(new Error(`child ${child.pid} ended (${signal ?? `code ${code}`}) before its '${key}'`)));
    child.on('message', onMessage);
    child.once('exit', onExit);
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
    await Promise.all(holders.map(endChild));
  }
}

async function holdOnCentral(dataDir: string, run: string): Promise<Held> {
  const child = fork(here('./connections/central.ts'), [dataDir], { execArgv: execArgvOf('central.ts'), stdio: 'ignore' });
  try {
    const { port } = await reply<{ port: number }>(child, 'port');
    return await hold(port, `bench-c-${run}`, async () => (child.send('rss'), (await reply<{ rss: number }>(child, 'rss')).rss));
  } finally {
    await endChild(child);
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
async function startMosquitto(dir: string, name: string): Promise<{ target: Target; pid: number; child: ChildProcess }> {
  const port = await freePort();
  const conf = join(dir, `mosquitto-${name}.conf`);
  writeFileSync(conf, `listener ${port} 127.0.0.1\nallow_anonymous true\nmax_connections -1\npersistence false\nmax_queued_messages 0\nlog_dest none\n`);
  const child = spawn('mosquitto', ['-c', conf], { stdio: 'ignore' });
  const failed = new Promise<never>((_, reject) => child.once('error', reject));
  try {
    await Promise.race([waitForPort(port), failed]);
  } catch (err) {
    await endChild(child);
    throw err;
  }
  return { target: { host: '127.0.0.1', port }, pid: child.pid as number, child };
}

/** 10,000 connections to a fresh Mosquitto of our own, its RSS from /proc. */
async function holdOnMosquitto(dir: string, run: string): Promise<Held> {
  const m = await startMosquitto(dir, 'connections');
  try {
    const rss = () => Promise.resolve(Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${m.pid}/status`, 'utf8'))?.[1] ?? NaN) * 1024);
    return await hold(m.target.port, `bench-m-${run}`, rss);
  } finally {
    await endChild(m.child);
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
