/**
 * The ingest as a client of a standard broker (src/ingest/client.ts), against the real
 * Mosquitto of this machine and against our own Aedes. Protects: every event lands once; a share
 * group splits the messages between ingest processes; the broker's persistent session keeps what
 * gateways publish while the ingest is killed; malformed payloads become dead letters; nothing is
 * acknowledged to the broker before it is committed (a failing ledger makes the broker resend);
 * `stemlab ingest` stops cleanly on SIGTERM and refuses a bad config with exit code 2.
 *
 * Mosquitto is shared with other tests running at the same time: every test uses units of its
 * own (a random suffix) and subscribes only to them, and removes its sessions afterwards.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import mqtt, { type MqttClient } from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { gatewayClientId, kitStateSchema, telemetrySchema, topics } from '@stemlab/protocol';
import { assertAvailable, shouldRun, type Requirement } from '../../testing/requirements.ts';
import { mosquitto, MOSQUITTO_URL, tcpOpen } from '../../testing/services.ts';
import { runStemlab, stemlabBin } from '../../testing/cli.ts';
import { IngestClient, ingestTopicFilters, type IngestClientOptions } from '../src/ingest/client.ts';
import { parseIngestConfig } from '../src/ingest/client-config.ts';
import { Ingest } from '../src/ingest/ingest.ts';
import { openLedger, type Ledger } from '../src/ledger/ledger.ts';
import { birth, clock, sessionStart, startTestCentral, tmpDir } from './helpers.ts';

const broker = await mosquitto();
const RUN = randomBytes(3).toString('hex');
let n = 0;
/** A unit id no other test run uses. */
const freshUnit = () => `ix-${RUN}-${++n}`;
const GW = 'lab-1';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

interface Running {
  client: IngestClient;
  ingest: Ingest;
  ledger: Ledger;
  /** The ledger's SQLite file, which the tests read directly. */
  file: string;
  stop(): Promise<void>;
}

/** An Ingest on a ledger (its own temp dir unless `file`), fed by an IngestClient. */
async function startIngest(options: Partial<IngestClientOptions> & { file?: string } = {}): Promise<Running> {
  const { file, ...rest } = options;
  let path = file;
  if (!path) {
    const dir = tmpDir();
    cleanups.push(dir.remove);
    path = join(dir.dir, 'ledger.sqlite');
  }
  const ledger = await openLedger({ kind: 'sqlite', file: path });
  const ingest = new Ingest({ ledger });
  const clientId = rest.clientId ?? `ix-test-${RUN}-${++n}`;
  const client = new IngestClient({ ingest, url: MOSQUITTO_URL, clientId, healthIntervalMs: 0, reconnect: { minMs: 50, maxMs: 400 }, ...rest });
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await client.stop();
    await ingest.stop();
    await ledger.close();
  };
  cleanups.push(async () => {
    await stop();
    if (!rest.url) await endSession(clientId);
  });
  await client.start();
  return { client, ingest, ledger, file: path, stop };
}

/** Removes a client's persistent session from Mosquitto (clean start, no expiry). */
async function endSession(clientId: string): Promise<void> {
  const c = await mqtt.connectAsync(MOSQUITTO_URL, { clientId, clean: true, protocolVersion: 5, reconnectPeriod: 0 });
  await c.endAsync();
}

async function gateway(unit: string, url = MOSQUITTO_URL): Promise<MqttClient> {
  const c = await mqtt.connectAsync(url, { clientId: gatewayClientId(unit, GW), reconnectPeriod: 0 });
  cleanups.push(() => c.endAsync());
  return c;
}

async function publishEvents(c: MqttClient, unit: string, from: number, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let seq = from; seq < from + count; seq++) {
    const event = sessionStart(seq);
    ids.push(event.eventId);
    await c.publishAsync(topics.usage(unit, GW), JSON.stringify(event), { qos: 1 });
  }
  return ids;
}

function count(file: string, sql: string, ...params: unknown[]): number {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return (db.prepare(sql).get(...params) as { n: number }).n;
  } finally {
    db.close();
  }
}
const usageRows = (file: string, unit: string) => count(file, 'SELECT COUNT(*) AS n FROM usage_events WHERE unit = ?', unit);

/**
 * Resolves once `check` holds. Re-checked on each commit of `ingest` when the ledger is written
 * in this process, else every 50 ms (a ledger written by a child process).
 */
function until(check: () => boolean, what: string, ingest?: Ingest, timeoutMs = 10_000): Promise<void> {
  if (check()) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const done = (err?: Error) => {
      clearTimeout(timer);
      clearInterval(poll);
      ingest?.off('commit', onCommit);
      if (err) reject(err);
      else resolve();
    };
    const onCommit = () => check() && done();
    const timer = setTimeout(() => done(new Error(`${what}: not within ${timeoutMs} ms`)), timeoutMs);
    const poll = ingest ? undefined : setInterval(() => check() && done(), 50);
    ingest?.on('commit', onCommit);
  });
}

describe.runIf(shouldRun('the ingest client against Mosquitto', broker))('the ingest client on Mosquitto', () => {
  it('writes every event a gateway publishes once, with its birth, kit state and telemetry', async () => {
    assertAvailable('Mosquitto', broker);
    const unit = freshUnit();
    const { client, ingest, ledger, file } = await startIngest({ units: [unit] });
    // Nothing is acknowledged before its commit: checked at every PUBACK the client sends.
    const violations: string[] = [];
    let committed = 0;
    const insertBatch = ledger.insertBatch.bind(ledger);
    ledger.insertBatch = async (messages) => {
      const result = await insertBatch(messages);
      committed += messages.length; // the transaction has committed when insertBatch resolves
      return result;
    };
    client.on('acked', () => {
      if (client.stats.acked > committed) violations.push(`${client.stats.acked} acknowledged, ${committed} committed`);
    });
    const gw = await gateway(unit);
    await gw.publishAsync(topics.gatewayState(unit, GW), JSON.stringify(birth(1)), { qos: 1, retain: true });
    await gw.publishAsync(topics.kitState(unit, GW, 'robot-1'), JSON.stringify(kitStateSchema.parse({ state: 'connected', at: Date.now(), clock: clock() })), { qos: 1, retain: true });
    await gw.publishAsync(topics.telemetry(unit, GW, 'robot-1', 'sonar'), JSON.stringify(telemetrySchema.parse({ value: 42, at: Date.now() })), { qos: 0 });
    const ids = await publishEvents(gw, unit, 1, 50);
    await until(() => usageRows(file, unit) === 50, '50 events in the ledger', ingest);
    // A gateway resending (its outbox after a lost PUBACK): the same event ids, still once.
    for (const id of ids.slice(0, 5)) {
      const event = { ...sessionStart(1), eventId: id };
      await gw.publishAsync(topics.usage(unit, GW), JSON.stringify(event), { qos: 1 });
    }
    await until(() => client.stats.received >= 55, '55 usage messages received', ingest);
    await ingest.drain();
    expect(usageRows(file, unit)).toBe(50);
    expect(count(file, 'SELECT COUNT(DISTINCT event_id) AS n FROM usage_events WHERE unit = ?', unit)).toBe(50);
    expect(count(file, "SELECT COUNT(*) AS n FROM gateways WHERE unit = ? AND online = 1", unit)).toBe(1);
    expect(count(file, "SELECT COUNT(*) AS n FROM kit_states WHERE unit = ? AND state = 'connected'", unit)).toBe(1);
    await until(() => count(file, 'SELECT COUNT(*) AS n FROM telemetry_latest WHERE unit = ?', unit) === 1, 'the telemetry reading', ingest);
    expect(violations).toEqual([]);
    expect(client.inFlight).toBe(0);
  });

  it('splits the load between two ingest processes of one share group, each event written once', async () => {
    assertAvailable('Mosquitto', broker);
    const unit = freshUnit();
    const dir = tmpDir();
    cleanups.push(dir.remove);
    const file = join(dir.dir, 'ledger.sqlite');
    const shareGroup = `g-${RUN}-${++n}`;
    // Two processes on one ledger, as a city runs them behind one broker (SQLite WAL: one writer at a time).
    const a = await startIngest({ units: [unit], shareGroup, file });
    const b = await startIngest({ units: [unit], shareGroup, file });
    expect(ingestTopicFilters([unit], shareGroup)[0]).toBe(`$share/${shareGroup}/stemlab/v1/${unit}/+/state`);
    const gw = await gateway(unit);
    await publishEvents(gw, unit, 1, 200);
    await until(() => usageRows(file, unit) === 200, '200 events in the ledger', undefined, 15_000);
    await Promise.all([a.ingest.drain(), b.ingest.drain()]);
    // The broker gave each message to one of them: together they received exactly 200.
    expect(a.client.stats.received + b.client.stats.received).toBe(200);
    expect(a.client.stats.received).toBeGreaterThan(0);
    expect(b.client.stats.received).toBeGreaterThan(0);
    expect(a.client.stats.acked + b.client.stats.acked).toBe(200);
  });

  it('turns malformed payloads into dead letters, and acknowledges them', async () => {
    assertAvailable('Mosquitto', broker);
    const unit = freshUnit();
    const { client, ingest, file } = await startIngest({ units: [unit] });
    const gw = await gateway(unit);
    await gw.publishAsync(topics.usage(unit, GW), 'not json at all', { qos: 1 });
    await gw.publishAsync(topics.usage(unit, GW), JSON.stringify({ v: 1, eventId: 'x' }), { qos: 1 });
    const dead = () => new Database(file, { readonly: true }).prepare('SELECT topic, reason FROM dead_letters WHERE topic LIKE ? ORDER BY id').all(`%/${unit}/%`) as Array<{ topic: string; reason: string }>;
    await until(() => dead().length === 2, 'two dead letters', ingest);
    const [first, second] = dead();
    expect(first?.reason).toMatch(/^not JSON/);
    expect(second?.reason).toMatch(/^usage event fails the schema: type: /);
    expect(usageRows(file, unit)).toBe(0);
    await until(() => client.stats.acked === 2, 'both acknowledged', ingest);
  });

  it('acknowledges nothing the ledger did not commit: Mosquitto sends it again', async () => {
    assertAvailable('Mosquitto', broker);
    const unit = freshUnit();
    const { client, ingest, ledger, file } = await startIngest({ units: [unit] });
    // The write path dies: every insert fails, as on a full or failing disk.
    const insertBatch = ledger.insertBatch.bind(ledger);
    ledger.insertBatch = () => Promise.reject(Object.assign(new Error('disk I/O error'), { code: 'SQLITE_IOERR' }));
    const dropped = new Promise<void>((resolve) => client.once('disconnected', resolve));
    const gw = await gateway(unit);
    await publishEvents(gw, unit, 1, 3);
    await dropped;
    expect(client.stats.failed).toBeGreaterThan(0);
    expect(client.stats.acked).toBe(0);
    expect(usageRows(file, unit)).toBe(0);
    // The disk is back: the reconnected session brings the same messages again.
    ledger.insertBatch = insertBatch;
    await until(() => usageRows(file, unit) === 3, 'the 3 events after the redelivery', ingest);
    await until(() => client.stats.acked >= 3, 'acknowledged after the commit', ingest);
    expect(client.stats.connects).toBeGreaterThanOrEqual(2);
  });
});

describe.runIf(shouldRun('stemlab ingest against Mosquitto', broker))('stemlab ingest', () => {
  /** Starts `stemlab ingest --config FILE`; resolves when it says it is subscribed. */
  function spawnIngest(config: string): Promise<ChildProcess & { output: () => string }> {
    const child = spawn(process.execPath, [stemlabBin, 'ingest', '--config', config], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    cleanups.push(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`stemlab ingest did not start:\n${out}`)), 15_000);
      child.stdout.on('data', () => {
        if (!/^ingest: /m.test(out)) return;
        clearTimeout(timer);
        resolve(Object.assign(child, { output: () => out }));
      });
      child.once('exit', (code) => reject(new Error(`stemlab ingest exited with ${code}:\n${out}`)));
    });
  }

  it('keeps what gateways publish while it is killed (persistent session), and stops cleanly on SIGTERM', async () => {
    assertAvailable('Mosquitto', broker);
    const unit = freshUnit();
    const dir = tmpDir();
    cleanups.push(dir.remove);
    const clientId = `ix-cli-${RUN}-${++n}`;
    cleanups.push(() => endSession(clientId));
    const config = join(dir.dir, 'ingest.yaml');
    writeFileSync(config, `dataDir: ${dir.dir}\nbroker:\n  url: ${MOSQUITTO_URL}\n  clientId: ${clientId}\nunits: [${unit}]\nlog:\n  level: info\n`);
    const file = join(dir.dir, 'ledger.sqlite');
    const gw = await gateway(unit);

    const first = await spawnIngest(config);
    await publishEvents(gw, unit, 1, 5);
    await until(() => usageRows(file, unit) === 5, 'the first 5 events');
    first.kill('SIGKILL');
    await new Promise((resolve) => first.once('exit', resolve));

    // Published while no ingest runs: Mosquitto queues them in the ingest's session.
    await publishEvents(gw, unit, 6, 10);
    expect(usageRows(file, unit)).toBe(5);

    const second = await spawnIngest(config);
    await until(() => usageRows(file, unit) === 15, 'the 10 events queued while it was down');
    const exited = new Promise<number | null>((resolve) => second.once('exit', resolve));
    second.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(second.output()).toMatch(/"msg":"ingest client stopped"/);
    expect(count(file, 'SELECT COUNT(DISTINCT seq) AS n FROM usage_events WHERE unit = ?', unit)).toBe(15);
  });

  it('refuses a bad config with exit code 2, naming the field', async () => {
    const dir = tmpDir();
    cleanups.push(dir.remove);
    const config = join(dir.dir, 'ingest.yaml');
    writeFileSync(config, 'broker:\n  url: http://example.org\n  protocolVersion: 3\nshareGroup: Bad Group\n');
    const { code, stderr } = await runStemlab(['ingest', '--config', config]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/broker\.url: an MQTT URL/);
    expect(stderr).toMatch(/broker\.protocolVersion/);
    expect(stderr).toMatch(/shareGroup: "Bad Group" is not a valid share group/);
    expect(() => parseIngestConfig({ reconnect: { minMs: 1000, maxMs: 500 } })).toThrow(/reconnect\.maxMs: must be at least reconnect\.minMs/);
  });
});

describe('the ingest client on our own Aedes (any broker)', () => {
  it('writes a gateway’s events to its own ledger over MQTT 3.1.1', async () => {
    const central = await startTestCentral();
    cleanups.push(() => central.cleanup());
    const unit = freshUnit();
    const { ingest, client, file } = await startIngest({ url: central.mqttUrl, protocolVersion: 4, units: [unit], clientId: `ix-aedes-${randomUUID().slice(0, 8)}` });
    const gw = await gateway(unit, central.mqttUrl);
    await publishEvents(gw, unit, 1, 20);
    await until(() => usageRows(file, unit) === 20, '20 events in the ingest client’s ledger', ingest);
    await until(() => client.stats.acked === 20, 'all 20 acknowledged', ingest);
    // The central wrote them too, in its own ledger: two independent ledgers, one broker.
    expect(usageRows(join(central.dataDir, 'ledger.sqlite'), unit)).toBe(20);
  });
});

/** A Mosquitto of this test's own, with broker/examples/mosquitto/stemlab.acl as shipped. */
async function startAclMosquitto(users: Record<string, string>): Promise<string> {
  const dir = tmpDir();
  cleanups.push(dir.remove);
  const passwd = join(dir.dir, 'passwd');
  writeFileSync(passwd, '');
  for (const [user, password] of Object.entries(users)) execFileSync('mosquitto_passwd', ['-b', passwd, user, password]);
  const port = await new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
  // Started as root, mosquitto drops to the user 'mosquitto', which must read these files: the
  // ACL is copied here, as the clone may sit in a folder only its owner can enter (a home, a mktemp -d).
  const acl = join(dir.dir, 'stemlab.acl');
  copyFileSync(fileURLToPath(new URL('../examples/mosquitto/stemlab.acl', import.meta.url)), acl);
  chmodSync(dir.dir, 0o755);
  chmodSync(passwd, 0o644);
  chmodSync(acl, 0o644);
  const conf = join(dir.dir, 'mosquitto.conf');
  writeFileSync(conf, `listener ${port} 127.0.0.1\nallow_anonymous false\npassword_file ${passwd}\nacl_file ${acl}\npersistence false\nlog_dest stderr\n`);
  const child = spawn('mosquitto', ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  cleanups.push(() => void child.kill('SIGKILL'));
  const url = `mqtt://127.0.0.1:${port}`;
  for (let i = 0; !(await tcpOpen(url, port)); i++) {
    if (i > 100 || child.exitCode !== null) throw new Error(`mosquitto -c ${conf} did not start: ${stderr}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return url;
}

const mosquittoBinary: Requirement = existsSync('/usr/sbin/mosquitto') || existsSync('/usr/bin/mosquitto')
  ? { ok: true }
  : { ok: false, reason: 'the mosquitto program is not installed: apt-get install mosquitto' };

describe.runIf(shouldRun('the example Mosquitto ACL', mosquittoBinary))('the example Mosquitto ACL (broker/examples/mosquitto)', () => {
  it('lets the ingest read, keeps each gateway to its own topics, refuses a wrong password', async () => {
    assertAvailable('mosquitto', mosquittoBinary);
    const url = await startAclMosquitto({ 'stemlab-ingest': 'ingest-secret', 'thcs-q1-01.robot-club-1': 'gw-secret', 'thcs-q1-02': 'unit-secret' });
    const { ingest, file } = await startIngest({ url, username: 'stemlab-ingest', password: 'ingest-secret', shareGroup: 'ledger', clientId: 'ingest-acl' });
    const rows = (unit: string, gateway: string) => count(file, 'SELECT COUNT(*) AS n FROM usage_events WHERE unit = ? AND gateway = ?', unit, gateway);
    const send = (c: MqttClient, unit: string, gateway: string) => c.publishAsync(topics.usage(unit, gateway), JSON.stringify(sessionStart(1)), { qos: 1 });

    // Per-gateway block: its own topic passes; another gateway's is dropped by Mosquitto.
    const exact = await mqtt.connectAsync(url, { clientId: 'gw:thcs-q1-01:robot-club-1', username: 'thcs-q1-01.robot-club-1', password: 'gw-secret', reconnectPeriod: 0 });
    cleanups.push(() => exact.endAsync());
    await send(exact, 'thcs-q1-01', 'intruded');
    await send(exact, 'thcs-q1-01', 'robot-club-1');
    // Pattern (username = unit id): any gateway of its unit passes; another unit's is dropped.
    const unitUser = await mqtt.connectAsync(url, { clientId: 'gw:thcs-q1-02:lab-1', username: 'thcs-q1-02', password: 'unit-secret', reconnectPeriod: 0 });
    cleanups.push(() => unitUser.endAsync());
    await send(unitUser, 'thcs-q1-01', 'robot-club-1');
    await send(unitUser, 'thcs-q1-02', 'lab-1');
    // Each client's own publish comes after its refused one: once it is in, the refused one would be too.
    await until(() => rows('thcs-q1-01', 'robot-club-1') >= 1 && rows('thcs-q1-02', 'lab-1') === 1, 'the allowed publishes', ingest);
    await ingest.drain();
    expect(rows('thcs-q1-01', 'robot-club-1')).toBe(1);
    expect(rows('thcs-q1-01', 'intruded')).toBe(0);

    await expect(startIngest({ url, username: 'stemlab-ingest', password: 'wrong', clientId: 'ingest-bad-password' })).rejects.toThrow(/refused the ingest's connection: Connection refused: Not authorized/);
  });
});
