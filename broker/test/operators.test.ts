/**
 * People on the broker (issue 14.7), against a real Aedes on port 0 with real MQTT clients and
 * anonymous access off: a unit's teacher or technician logs in with their account's password or
 * a session token, commands only their unit's gateways and reads only their unit's topics; the
 * department (viewer, admin) reads every unit and commands nothing. Their log-ins go through the
 * same failure limits and bounded queue as gateways'. And anonymous clients' configurable rights.
 */
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { gatewayClientId, topics } from '@stemlab/protocol';
import { provisionGatewayCommand } from '../src/index.ts';
import { openCentralState, type CentralState } from '../src/central-state/state.ts';
import { createUser, issueToken, updateUser } from '../src/api/users.ts';
import type { SecurityOptions } from '../src/security/policy.ts';
import { startTestCentral, type TestCentral } from './helpers.ts';

const UNIT = 'thcs-q1-01';
const OTHER_UNIT = 'thcs-q3-02';
const GW = 'robot-club-1';
const PASSWORD = 'correct-horse-battery';

let central: TestCentral;
let db: CentralState;
const clients: MqttClient[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.endAsync(true)));
  await db?.close();
  await central?.cleanup();
});

async function start(security: SecurityOptions = { allowAnonymous: false }): Promise<void> {
  central = await startTestCentral({ security });
  db = await openCentralState(undefined, central.dataDir);
  await createUser(db, { username: 'co.lan', password: PASSWORD, role: 'teacher', unit: UNIT }, 'test');
  await createUser(db, { username: 'thay.minh', password: PASSWORD, role: 'technician', unit: OTHER_UNIT }, 'test');
  await createUser(db, { username: 'so.gd', password: PASSWORD, role: 'viewer' }, 'test');
  await createUser(db, { username: 'quan.tri', password: PASSWORD, role: 'admin' }, 'test');
}

async function connect(options: IClientOptions): Promise<MqttClient> {
  const client = await mqtt.connectAsync(central.mqttUrl, { reconnectPeriod: 0, ...options });
  clients.push(client);
  return client;
}

const person = (username: string, password = PASSWORD, clientId = `tool-${username}`) => connect({ clientId, username, password });

async function refusal(options: IClientOptions): Promise<number | undefined> {
  const error = await connect(options).then(
    () => undefined,
    (err: unknown) => err as { code?: number },
  );
  return error?.code;
}

/** The SUBACK's granted codes (mqtt.js rejects on any 0x80 and carries the SUBACK on the error). */
async function granted(client: MqttClient, filters: string[]): Promise<number[]> {
  const subscribed = await client.subscribeAsync(filters, { qos: 1 }).then(
    (grants) => grants.map((g) => g.qos),
    (err: unknown) => (err as { packet?: { granted: number[] } }).packet?.granted ?? [],
  );
  return subscribed;
}

/** A provisioned gateway, logged in, subscribed to its commands, collecting what it receives. */
async function gatewayListening(unit: string, gateway: string): Promise<{ client: MqttClient; received: string[]; next: (topic: string) => Promise<string> }> {
  const creds = await provisionGatewayCommand(central.dataDir, unit, gateway);
  const client = await connect({ clientId: creds.username, username: creds.username, password: creds.password });
  const received: string[] = [];
  const waiters: Array<{ topic: string; resolve: (payload: string) => void }> = [];
  client.on('message', (topic, payload) => {
    received.push(`${topic} ${payload.toString()}`);
    const i = waiters.findIndex((w) => w.topic === topic);
    if (i >= 0) waiters.splice(i, 1)[0]!.resolve(payload.toString());
  });
  await client.subscribeAsync(topics.commands(unit, gateway), { qos: 1 });
  return { client, received, next: (topic) => new Promise((resolve) => waiters.push({ topic, resolve })) };
}

describe('people on the broker, anonymous access off', () => {
  beforeEach(() => start());

  it("lets a unit's teacher command that unit's gateways and read its topics, nothing of another unit's", async () => {
    const mine = await gatewayListening(UNIT, GW);
    const theirs = await gatewayListening(OTHER_UNIT, GW);
    const teacher = await person('co.lan');
    expect(await granted(teacher, [`stemlab/v1/${UNIT}/#`, topics.reply(UNIT, GW, 'estop'), `stemlab/v1/${OTHER_UNIT}/#`, '#', 'stemlab/v1/+/+/state', '$SYS/#'])).toEqual([1, 1, 128, 128, 128, 128]);

    // Another unit's gateway: dropped (PUBACK, nothing delivered); the marker from that unit's technician arrives alone.
    await teacher.publishAsync(topics.command(OTHER_UNIT, GW, 'estop-reset'), '{"requestId":"foreign"}', { qos: 1 });
    expect(central.security.refusals['publish-not-allowed']).toBe(1);
    const technician = await person('thay.minh');
    const marker = theirs.next(topics.command(OTHER_UNIT, GW, 'ping'));
    await technician.publishAsync(topics.command(OTHER_UNIT, GW, 'ping'), '{"requestId":"marker"}', { qos: 1 });
    expect(await marker).toBe('{"requestId":"marker"}');
    expect(theirs.received).toEqual([`${topics.command(OTHER_UNIT, GW, 'ping')} {"requestId":"marker"}`]);

    // Its own unit's gateway: delivered. A forged gateway state or reply of its own unit: dropped.
    await teacher.publishAsync(topics.gatewayState(UNIT, GW), '{"status":"offline"}', { qos: 1, retain: true });
    await teacher.publishAsync(topics.reply(UNIT, GW, 'estop'), '{"requestId":"x","status":"ok"}', { qos: 1 });
    expect(central.security.refusals['publish-not-allowed']).toBe(3);
    const deploy = mine.next(topics.command(UNIT, GW, 'lesson-deploy'));
    await teacher.publishAsync(topics.command(UNIT, GW, 'lesson-deploy'), '{"requestId":"mine"}', { qos: 1, retain: true });
    expect(await deploy).toBe('{"requestId":"mine"}');
    expect(mine.received).toEqual([`${topics.command(UNIT, GW, 'lesson-deploy')} {"requestId":"mine"}`]);

    // The command was not retained: a new subscriber of the gateway's commands gets nothing stored.
    const retained: string[] = [];
    const store = (central.broker as unknown as { persistence: { createRetainedStreamCombi(p: string[]): AsyncIterable<{ topic: string }> } }).persistence;
    for await (const p of store.createRetainedStreamCombi(['#'])) retained.push(p.topic);
    expect(retained).toEqual([]);
  });

  it('lets the department read every unit and command none', async () => {
    const mine = await gatewayListening(UNIT, GW);
    for (const username of ['so.gd', 'quan.tri']) {
      const viewer = await person(username);
      expect(await granted(viewer, ['stemlab/v1/#', `stemlab/v1/${OTHER_UNIT}/+/state`, '#'])).toEqual([1, 1, 128]);
      await viewer.publishAsync(topics.command(UNIT, GW, 'estop'), '{"requestId":"dept"}', { qos: 1 });
    }
    expect(central.security.refusals['publish-not-allowed']).toBe(2);
    const teacher = await person('co.lan');
    const marker = mine.next(topics.command(UNIT, GW, 'ping'));
    await teacher.publishAsync(topics.command(UNIT, GW, 'ping'), '{}', { qos: 1 });
    await marker;
    expect(mine.received).toHaveLength(1);
  });

  it('takes a live session token of the account instead of its password, and refuses others', async () => {
    const { token } = await issueToken(db, 'co.lan', 3_600_000, 'test');
    expect((await person('co.lan', token)).connected).toBe(true);
    // The token is the teacher's: not a password for another account, and a changed letter is wrong.
    expect(await refusal({ clientId: 'x1', username: 'thay.minh', password: token })).toBe(4);
    expect(await refusal({ clientId: 'x2', username: 'co.lan', password: `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}` })).toBe(4);
    // Expired.
    const expired = await issueToken(db, 'co.lan', 3_600_000, 'test', Date.now() - 2 * 3_600_000);
    expect(await refusal({ clientId: 'x3', username: 'co.lan', password: expired.token })).toBe(4);
  });

  it("refuses a wrong password, a disabled account, no credentials, and a person's tool using a gateway's client id", async () => {
    expect(await refusal({ clientId: 'a', username: 'co.lan', password: 'wrong-password' })).toBe(4);
    expect(await refusal({ clientId: 'b', username: 'nobody.here', password: PASSWORD })).toBe(4);
    expect(await refusal({ clientId: 'c' })).toBe(5);
    expect(await refusal({ clientId: gatewayClientId(UNIT, GW), username: 'co.lan', password: PASSWORD })).toBe(2);
    expect(central.security.refusals['person-client-id']).toBe(1);
    await updateUser(db, 'co.lan', { disabled: true }, 'test');
    expect(await refusal({ clientId: 'd', username: 'co.lan', password: PASSWORD })).toBe(4);
  });

  it("refuses a person's will outside their rights (0x05)", async () => {
    const will = (topic: string) => ({ clientId: 'w', username: 'co.lan', password: PASSWORD, will: { topic, payload: Buffer.from('{}'), qos: 1 as const, retain: false } });
    expect(await refusal(will(topics.gatewayState(UNIT, GW)))).toBe(5);
    expect(await refusal(will(topics.command(OTHER_UNIT, GW, 'estop-reset')))).toBe(5);
    expect(central.security.refusals['will-not-allowed']).toBe(2);
  });

  it("puts people's log-ins through the same failure limit and bounded queue as gateways'", async () => {
    const work = central.security.loginWork;
    const ran = work.stats.ran;
    // 5 wrong passwords for one account from one address: each checked (a hash each)...
    for (let i = 0; i < 5; i++) expect(await refusal({ clientId: `g${i}`, username: 'co.lan', password: `guess-${i}` })).toBe(4);
    expect(work.stats.ran - ran).toBe(5);
    // ...then refused without hashing, even the right password, until the window ends.
    expect(await refusal({ clientId: 'g5', username: 'co.lan', password: PASSWORD })).toBe(4);
    expect(central.security.refusals['login-limit']).toBe(1);
    expect(work.stats.ran - ran).toBe(5);
    // Another account from the same address still logs in (the per-address limit is higher).
    expect((await person('thay.minh')).connected).toBe(true);
  });

  it('lets a person back in on the cheap check once their password passed, and not after it changed', async () => {
    const work = central.security.loginWork;
    await (await person('co.lan')).endAsync();
    const ran = work.stats.ran;
    expect((await person('co.lan')).connected).toBe(true);
    expect(work.stats.ran).toBe(ran);
    await updateUser(db, 'co.lan', { password: 'a-new-password-1' }, 'test');
    expect(await refusal({ clientId: 'old', username: 'co.lan', password: PASSWORD })).toBe(4);
    expect((await person('co.lan', 'a-new-password-1')).connected).toBe(true);
  });
});

describe('anonymous rights (allowAnonymous on, a closed lab network)', () => {
  const anonymous = {
    publish: { allow: ['stemlab/v1/#'], deny: ['stemlab/v1/+/+/cmd/+'] },
    subscribe: { allow: ['stemlab/v1/#'], deny: ['stemlab/v1/+/+/usage'] },
  };

  it('grants only covered filters that overlap no denied one (else 0x80), and drops denied publishes', async () => {
    await start({ allowAnonymous: true, anonymous });
    const mine = await gatewayListening(UNIT, GW);
    const anon = await connect({ clientId: 'lab-laptop' });
    expect(await granted(anon, ['#', 'stemlab/v1/#', `stemlab/v1/${UNIT}/+/state`, topics.usage(UNIT, GW), `stemlab/v1/${UNIT}/${GW}/cmd/#`, 'other/topic'])).toEqual([128, 128, 1, 128, 1, 128]);
    expect(central.security.refusals['subscribe-not-allowed']).toBe(4);

    await anon.publishAsync(topics.command(UNIT, GW, 'estop-reset'), '{"requestId":"anon"}', { qos: 1 });
    await anon.publishAsync('other/topic', 'x', { qos: 1 });
    expect(central.security.refusals['publish-not-allowed']).toBe(2);
    // A command needs a person's log-in: the teacher's arrives, the anonymous one never did.
    const teacher = await person('co.lan');
    const marker = mine.next(topics.command(UNIT, GW, 'ping'));
    await teacher.publishAsync(topics.command(UNIT, GW, 'ping'), '{}', { qos: 1 });
    await marker;
    expect(mine.received).toEqual([`${topics.command(UNIT, GW, 'ping')} {}`]);
    // An allowed publish is delivered (the anonymous client reads it back on its granted filter).
    const seen = new Promise<string>((resolve) => anon.on('message', (t) => resolve(t)));
    await anon.publishAsync(topics.gatewayState(UNIT, 'lab-9'), JSON.stringify({ status: 'offline', bdSeq: 0, at: Date.now(), clock: { synced: true, bootId: 'b', uptimeMs: 1 } }), { qos: 1 });
    expect(await seen).toBe(topics.gatewayState(UNIT, 'lab-9'));
  });

  it('refuses an anonymous will on a topic it may not publish to (0x05)', async () => {
    await start({ allowAnonymous: true, anonymous });
    expect(await refusal({ clientId: 'w', will: { topic: topics.command(UNIT, GW, 'estop-reset'), payload: Buffer.from('{}'), qos: 1, retain: false } })).toBe(5);
    expect((await connect({ clientId: 'w2', will: { topic: 'stemlab/v1/x/y/state', payload: Buffer.from('{}'), qos: 1, retain: false } })).connected).toBe(true);
  });

  it('left out, anonymous rights read everything but command nothing, publish nothing of a gateway\'s and retain nothing', async () => {
    await start({ allowAnonymous: true });
    const mine = await gatewayListening(UNIT, GW);
    const laptop = await connect({ clientId: 'student-laptop' });
    // A classroom display: every topic, telemetry and $SYS included, as before.
    expect(await granted(laptop, [`stemlab/v1/${OTHER_UNIT}/+/telemetry/#`, '#', '$SYS/#'])).toEqual([1, 1, 1]);
    const reading = new Promise<string>((resolve) => laptop.on('message', (t, payload) => t.includes('/telemetry/') && resolve(`${t} ${payload.toString()}`)));

    // Another room's e-stop reset, and forged gateway topics: dropped, counted.
    await laptop.publishAsync(topics.command(UNIT, GW, 'estop-reset'), '{"requestId":"anon"}', { qos: 1 });
    await laptop.publishAsync(topics.usage(UNIT, GW), '{}', { qos: 1 });
    await laptop.publishAsync(topics.gatewayState(UNIT, GW), '{}', { qos: 1, retain: true });
    await laptop.publishAsync(topics.telemetry(UNIT, GW, 'robot-1', 'temp'), '{}', { qos: 1 });
    expect(central.security.refusals['publish-not-allowed']).toBe(4);
    // The gateway never received the reset: a teacher's command after it is the first it gets.
    const teacher = await person('co.lan');
    const ping = mine.next(topics.command(UNIT, GW, 'ping'));
    await teacher.publishAsync(topics.command(UNIT, GW, 'ping'), '{}', { qos: 1 });
    await ping;
    expect(mine.received).toEqual([`${topics.command(UNIT, GW, 'ping')} {}`]);

    // Off the fleet's tree a class's own exercise publishes, but a retained message is not kept.
    const own = new Promise<boolean>((resolve) => laptop.on('message', (t, _p, packet) => t === 'lab-3/hello' && resolve(packet.retain)));
    await laptop.publishAsync('lab-3/hello', 'xin chao', { qos: 1, retain: true });
    expect(await own).toBe(false);
    expect(central.security.refusals['retain-not-allowed']).toBe(1);

    // The gateway's own telemetry reaches the display; its retained state is kept, the laptop's not.
    const temp = JSON.stringify({ value: 21, at: Date.now() });
    await mine.client.publishAsync(topics.telemetry(UNIT, GW, 'robot-1', 'temp'), temp, { qos: 1 });
    expect(await reading).toBe(`${topics.telemetry(UNIT, GW, 'robot-1', 'temp')} ${temp}`);
    await mine.client.publishAsync(topics.gatewayState(UNIT, GW), JSON.stringify({ status: 'online', bdSeq: 0, at: Date.now(), clock: { synced: true, bootId: 'b', uptimeMs: 1 }, agent: { version: '0.1.0' } }), { qos: 1, retain: true });
    const stored = async () => {
      const store = (central.broker as unknown as { persistence: { createRetainedStreamCombi(p: string[]): AsyncIterable<{ topic: string }> } }).persistence;
      const found: string[] = [];
      for await (const p of store.createRetainedStreamCombi(['#'])) found.push(p.topic);
      return found.sort();
    };
    for (let i = 0; i < 1000 && (await stored()).length === 0; i++) await new Promise((resolve) => setImmediate(resolve));
    expect(await stored()).toEqual([topics.gatewayState(UNIT, GW)]);
  });

  it('left out, an anonymous will on a command or a gateway topic is refused (0x05)', async () => {
    await start({ allowAnonymous: true });
    expect(await refusal({ clientId: 'w', will: { topic: topics.command(UNIT, GW, 'estop-reset'), payload: Buffer.from('{}'), qos: 1, retain: false } })).toBe(5);
    expect(await refusal({ clientId: 'w2', will: { topic: topics.gatewayState(UNIT, GW), payload: Buffer.from('{}'), qos: 1, retain: true } })).toBe(5);
    expect(central.security.refusals['will-not-allowed']).toBe(2);
  });
});
