/**
 * The broker's own state survives a restart of the central (a real stop and a new startCentral
 * on the same data dir, or the same Redis): retained messages, the subscriptions of a persistent
 * session, and QoS 1 commands published while a gateway was offline, delivered when it comes
 * back, to a raw MQTT client (to the real edge agent: e2e/broker-restart.test.ts).
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { gatewayClientId, topics } from '@stemlab/protocol';
import { assertAvailable, shouldRun } from '../../testing/requirements.ts';
import { redis, REDIS_URL } from '../../testing/services.ts';
import { startCentral, type Central, type CentralOptions } from '../src/central.ts';
import { CentralConfigError } from '../src/config.ts';
import { openPersistence, type StateOptions } from '../src/state/persistence.ts';
import { endSessions, sweepRedis } from './fixtures/redis-sweep.ts';
import { birth, tmpDir } from './helpers.ts';
import { OPEN_ANONYMOUS } from '../../testing/anonymous-rights.ts';

/** Redis database of this file's tests (others use other numbers; pub/sub is shared, names are unique). */
const REDIS_DB = 13;
const redisUp = await redis();

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Starts centrals on one data dir and one state; restart() stops the current one and starts the next on the same port. */
async function rig(state: StateOptions) {
  const { dir, remove } = tmpDir();
  const unit = `t-${randomUUID().slice(0, 8)}`;
  let port = 0;
  let central: Central | undefined;
  const start = async () => {
    central = await startCentral({ dataDir: dir, mqtt: { host: '127.0.0.1', port }, state, security: OPEN_ANONYMOUS, log: pino({ level: 'silent' }) });
    port = Number(new URL(central.mqttUrl).port);
    brokerIds.push(central.broker.id);
    return central;
  };
  const clients: MqttClient[] = [];
  const connect = async (options: IClientOptions) => {
    const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { reconnectPeriod: 0, ...options });
    clients.push(client);
    return client;
  };
  const brokerIds: string[] = [];
  cleanups.push(async () => {
    // Leave a shared Redis as we found it: no session, retained message or queued packet of ours.
    if (central && state.kind === 'redis') await endSessions(central.mqttUrl, [...clients.map((c) => c.options.clientId!), gatewayClientId(unit, 'gw-1')]);
    await Promise.all(clients.map((c) => c.endAsync(true)));
    await central?.stop();
    if (state.kind === 'redis') await sweepRedis(state.url!, unit, brokerIds);
    remove();
  });
  return {
    dir,
    unit,
    start,
    connect,
    central: () => central!,
    url: () => `mqtt://127.0.0.1:${port}`,
    async restart() {
      await central!.stop();
      return start();
    },
  };
}

function nextMessage(client: MqttClient, topic: string, timeoutMs = 5000): Promise<{ payload: string; retain: boolean }> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`nothing on ${topic} within ${timeoutMs} ms`)), timeoutMs);
    const onMessage = (t: string, payload: Buffer, packet: { retain: boolean }) => {
      if (t !== topic) return;
      clearTimeout(timer);
      client.off('message', onMessage);
      resolve({ payload: payload.toString(), retain: packet.retain });
    };
    client.on('message', onMessage);
  });
}

const states: { name: string; state: StateOptions; run: boolean }[] = [
  { name: 'on disk', state: { kind: 'disk' }, run: true },
  { name: 'in Redis', state: { kind: 'redis', url: `${REDIS_URL}/${REDIS_DB}` }, run: shouldRun('broker state in Redis', redisUp) },
];

describe.each(states)('broker state $name survives a restart', ({ state, run }) => {
  it.runIf(run)("keeps a gateway's retained birth", async () => {
    if (state.kind === 'redis') assertAvailable('Redis', redisUp);
    const r = await rig(state);
    await r.start();
    const u = r.unit;
    const gw = await r.connect({ clientId: gatewayClientId(u, 'gw-1') });
    const b = birth(7);
    await gw.publishAsync(topics.gatewayState(u, 'gw-1'), JSON.stringify(b), { qos: 1, retain: true });
    await gw.endAsync();
    if (state.kind === 'disk') expect(r.central().brokerState).toBe(join(r.dir, 'broker-state'));

    await r.restart();
    const viewer = await r.connect({ clientId: `viewer-${u}` });
    const seen = nextMessage(viewer, topics.gatewayState(u, 'gw-1'));
    await viewer.subscribeAsync(topics.gatewayState(u, 'gw-1'), { qos: 1 });
    const got = await seen;
    expect(got.retain).toBe(true);
    expect(JSON.parse(got.payload)).toEqual(b);
  });

  it.runIf(run)("keeps a persistent session's subscriptions and the QoS 1 commands queued while it was offline", async () => {
    if (state.kind === 'redis') assertAvailable('Redis', redisUp);
    const r = await rig(state);
    await r.start();
    const u = r.unit;
    const clientId = gatewayClientId(u, 'gw-1');
    const cmd = (name: string) => topics.command(u, 'gw-1', name);
    const gw = await r.connect({ clientId, clean: false });
    await gw.subscribeAsync(topics.commands(u, 'gw-1'), { qos: 1 });
    await gw.endAsync();

    const operator = await r.connect({ clientId: `console-${u}` });
    await operator.publishAsync(cmd('estop'), JSON.stringify({ requestId: 'before-restart' }), { qos: 1 });
    await r.restart();
    const operator2 = await r.connect({ clientId: `console-${u}` });
    // Aedes sends the PUBACK before it queues the message: wait for the queueing ('publish' comes
    // after it), else the session below could resume in between and take it live, ahead of the
    // queued estop.
    const queued = new Promise<void>((resolve) => r.central().broker.on('publish', (packet) => packet.topic === cmd('config') && resolve()));
    await operator2.publishAsync(cmd('config'), JSON.stringify({ requestId: 'after-restart' }), { qos: 1 });
    await queued;

    // Back, without subscribing again: the session has the subscription and both commands.
    const received: { topic: string; payload: string; qos: number }[] = [];
    const back = mqtt.connect(r.url(), { clientId, clean: false, reconnectPeriod: 0 });
    back.on('message', (topic, payload, packet) => received.push({ topic, payload: payload.toString(), qos: packet.qos }));
    const connack = await new Promise<{ sessionPresent: boolean }>((resolve, reject) => back.once('connect', resolve).once('error', reject));
    cleanups.push(() => back.endAsync(true));
    expect(connack.sessionPresent).toBe(true);
    // QoS 1 is at least once: a command published while the session resumes may come twice. Each
    // comes, in the order sent.
    await expect.poll(() => new Set(received.map((m) => m.payload)).size).toBe(2);
    expect([...new Map(received.map((m) => [m.payload, m])).values()]).toEqual([
      { topic: cmd('estop'), payload: JSON.stringify({ requestId: 'before-restart' }), qos: 1 },
      { topic: cmd('config'), payload: JSON.stringify({ requestId: 'after-restart' }), qos: 1 },
    ]);
    // Acknowledged, so gone: a third connection gets nothing more.
    await back.endAsync();
    const again = await r.connect({ clientId, clean: false });
    const extra: string[] = [];
    again.on('message', (topic) => extra.push(topic));
    await again.publishAsync(`probe/${u}`, 'x', { qos: 1 }); // one round trip, so anything queued would be here first
    expect(extra).toEqual([]);
  });
  // The same across a restart to the real edge agent: e2e/broker-restart.test.ts.
});

describe('broker state problems', () => {
  it('refuses a second central on the same data dir, naming it', async () => {
    const r = await rig({ kind: 'disk' });
    await r.start();
    const error = await startCentral({ dataDir: r.dir, mqtt: { host: '127.0.0.1', port: 0 }, log: pino({ level: 'silent' }) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CentralConfigError);
    expect((error as CentralConfigError).issues).toEqual([{ path: 'dataDir', message: expect.stringMatching(/broker-state: another central is using it/) }]);
  });

  it('logs, and does not crash on, a subscription whose retained messages are read after the state closed (a SUBSCRIBE as the central stops)', async () => {
    const { dir, remove } = tmpDir();
    cleanups.push(remove);
    const warnings: string[] = [];
    const log = pino({ level: 'warn' }, { write: (line: string) => warnings.push((JSON.parse(line) as { msg: string }).msg) });
    const state = await openPersistence({ kind: 'disk' }, dir, 'state.url', log);
    await state.close();
    // As Aedes's subscribe handler does: a pipe, no 'error' listener of its own.
    const stream = (state.persistence as unknown as { createRetainedStreamCombi(patterns: string[]): Readable }).createRetainedStreamCombi(['stemlab/#']);
    stream.pipe(new Writable({ objectMode: true, write: (_packet, _encoding, done) => done() }));
    await expect.poll(() => warnings).toEqual(['could not read the retained messages for a subscription']);
  });

  it('names the field of a Redis it cannot reach or a URL that is not Redis', async () => {
    const { dir, remove } = tmpDir();
    cleanups.push(remove);
    const start = (options: Partial<CentralOptions>) => startCentral({ dataDir: dir, mqtt: { host: '127.0.0.1', port: 0 }, log: pino({ level: 'silent' }), ...options }).then(
        async (central) => (await central.stop(), new CentralConfigError('CONFIG_INVALID', [])),
        (e: unknown) => e as CentralConfigError,
      );
    expect((await start({ state: { kind: 'redis', url: 'redis://127.0.0.1:1/0' } })).issues).toEqual([{ path: 'state.url', message: expect.stringMatching(/cannot reach Redis at 127\.0\.0\.1:1/) }]);
    expect((await start({ cluster: { redis: 'http://127.0.0.1:6379' } })).issues).toEqual([{ path: 'cluster.redis', message: expect.stringMatching(/is not a Redis URL/) }]);
  });
});
