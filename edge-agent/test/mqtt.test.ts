import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import net, { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Aedes, type AedesOptions } from 'aedes';
import { connectAsync } from 'mqtt';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Backoff, seededRandom, topics, type CommandReply, type GatewayState, type UsageEvent } from '@stemlab/protocol';
import { assertAvailable, shouldRun, type Requirement } from '../../testing/requirements.ts';
import { MqttExtension, type MqttExtensionOptions } from '../src/mqtt/mqtt-extension.ts';
import { Outbox, type UsageDraft } from '../src/outbox/outbox.ts';
import { systemClock } from '../src/mqtt/clock.ts';
import { robotKit, simAgent } from './helpers/sim-agent.ts';

// The gateway's side of the MQTT contract, against a real in-process Aedes and, where this
// machine runs it, a real Mosquitto (proof that the agent speaks standard MQTT).

const MOSQUITTO = 'mqtt://127.0.0.1:1883';
const mosquitto = await new Promise<Requirement>((resolve) => {
  const socket = net.connect(1883, '127.0.0.1');
  socket.once('connect', () => (socket.destroy(), resolve({ ok: true })));
  socket.once('error', (err) => resolve({ ok: false, reason: `no Mosquitto on 127.0.0.1:1883 (${err.message}): apt-get install mosquitto` }));
});
const withMosquitto = shouldRun('MQTT tests against Mosquitto', mosquitto);

/** An Aedes on a TCP port; close() cuts every connection like a broker that goes away. */
async function startAedes(port = 0, options: AedesOptions = {}) {
  // Gateway client ids (`gw:{unit}:{gateway}`) are longer than the 23 characters MQTT 3.1.1 guarantees.
  const broker = await Aedes.createBroker({ maxClientsIdLength: 200, ...options });
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    broker.handle(socket);
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const url = `mqtt://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    broker,
    url,
    port: (server.address() as AddressInfo).port,
    async close() {
      if (!server.listening) return;
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await new Promise<void>((resolve) => broker.close(() => resolve()));
    },
  };
}

interface Message {
  topic: string;
  json: unknown;
  retain: boolean;
}

/** A tool on the broker: sees what the gateway publishes, sends commands. */
async function observer(url: string, filter: string) {
  const client = await connectAsync(url, { clientId: `obs-${randomUUID().slice(0, 8)}`, reconnectPeriod: 100 });
  const messages: Message[] = [];
  const waiting = new Set<() => void>();
  client.on('message', (topic, payload, packet) => {
    let json: unknown;
    try {
      json = payload.length ? JSON.parse(payload.toString()) : undefined;
    } catch {
      json = payload.toString(); // our own malformed commands come back to us
    }
    messages.push({ topic, json, retain: packet.retain });
    for (const check of waiting) check();
  });
  await client.subscribeAsync(filter, { qos: 1 });
  /** The first message (received already or still to come) that passes `test`. */
  const waitFor = (test: (m: Message) => boolean, what = 'a message', timeoutMs = 5000) =>
    new Promise<Message>((resolve, reject) => {
      const check = () => {
        const found = messages.find(test);
        if (!found) return;
        waiting.delete(check);
        clearTimeout(timer);
        resolve(found);
      };
      const timer = setTimeout(() => (waiting.delete(check), reject(new Error(`no ${what} within ${timeoutMs} ms; saw ${messages.map((m) => m.topic).join(', ')}`))), timeoutMs);
      waiting.add(check);
      check();
    });
  return { client, messages, waitFor };
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  vi.restoreAllMocks();
});

/** An agent on a simulated robot kit with MQTT to `url`, under unit/gateway ids no other test uses. */
async function rig(url: string, mqtt: Record<string, unknown> = {}, options: { observe?: string; extension?: MqttExtensionOptions } = {}) {
  const unit = `t-${randomUUID().slice(0, 8)}`;
  const gateway = 'gw-1';
  const dir = mkdtempSync(join(tmpdir(), 'stemlab-mqtt-'));
  const running = await simAgent({ unit, gateway, kits: [robotKit('robot-1')], dataDir: dir, mqtt: { url, reconnectMs: 100, ...mqtt } });
  const outbox = Outbox.open({ path: join(dir, 'outbox.sqlite'), maxEvents: 10_000, maxAgeMs: 86_400_000 });
  const obs = await observer(options.observe ?? url, `stemlab/v1/${unit}/${gateway}/#`);
  const ext = new MqttExtension(running.agent, outbox, options.extension);
  cleanups.push(async () => {
    await running.stop();
    outbox.close();
    // Leave Mosquitto as we found it: no retained messages, no persistent session of ours. (A
    // broker that a test has already closed needs no cleaning.)
    const live = obs.client.connected;
    if (live) {
      for (const topic of new Set(obs.messages.filter((m) => m.retain || /\/state$/.test(m.topic)).map((m) => m.topic))) {
        await obs.client.publishAsync(topic, '', { qos: 1, retain: true });
      }
    }
    await obs.client.endAsync(!live);
    if (live) {
      const session = await connectAsync(url, { clientId: `gw:${unit}:${gateway}`, clean: true, reconnectPeriod: 0 }).catch(() => undefined);
      await session?.endAsync();
    }
    rmSync(dir, { recursive: true, force: true });
  });
  await running.agent.use(ext);
  let n = 0;
  const command = async (name: string, body: unknown): Promise<CommandReply> => {
    // A payload that is not JSON has no requestId to repeat: its reply carries ''.
    const requestId = typeof body === 'string' ? '' : typeof body === 'object' && body && 'requestId' in body ? String(body.requestId) : `r${++n}`;
    const payload = typeof body === 'string' ? body : JSON.stringify(body ?? { requestId });
    await obs.client.publishAsync(topics.command(unit, gateway, name), payload, { qos: 1 });
    const reply = await obs.waitFor((m) => m.topic === topics.reply(unit, gateway, name) && (m.json as CommandReply).requestId === requestId, `reply to ${name}`);
    obs.messages.splice(obs.messages.indexOf(reply), 1);
    return reply.json as CommandReply;
  };
  // url: where the observer is connected.
  return { running, ext, outbox, obs, unit, gateway, url: options.observe ?? url, command };
}
type Rig = Awaited<ReturnType<typeof rig>>;

const usageDraft = (kit = 'robot-1'): UsageDraft => {
  const stamp = systemClock.now();
  return { type: 'session.start', ...stamp, device: { kit, component: null, type: 'kit' }, session: { id: randomUUID(), startedAt: stamp.at, purpose: { kind: 'free-practice' } } };
};

const state = (r: Rig, status: 'online' | 'offline', bdSeq?: number) => (m: Message) =>
  m.topic === topics.gatewayState(r.unit, r.gateway) && (m.json as GatewayState | undefined)?.status === status && (bdSeq === undefined || (m.json as GatewayState).bdSeq === bdSeq);

const brokers: Array<{ name: string; run: boolean; start: () => Promise<{ url: string; close(): Promise<void> }> }> = [
  { name: 'Aedes', run: true, start: () => startAedes() },
  { name: 'Mosquitto', run: withMosquitto, start: async () => (assertAvailable('Mosquitto', mosquitto), { url: MOSQUITTO, close: async () => undefined }) },
];

describe.each(brokers)('through $name', ({ run, start }) => {
  const test = run ? it : it.skip;
  const broker = async () => {
    const b = await start();
    cleanups.push(() => b.close());
    return b.url;
  };

  test('a retained birth after each connect; the will with the same bdSeq when the connection dies; TCP_NODELAY each time', async () => {
    const noDelay = vi.spyOn(net.Socket.prototype, 'setNoDelay');
    const r = await rig(await broker());
    const birth = await r.obs.waitFor(state(r, 'online'), 'birth');
    const { bdSeq } = birth.json as GatewayState;
    expect(birth.json).toMatchObject({ outbox: { pending: 0, evicted: 0 }, agent: { version: expect.any(String) }, clock: { bootId: expect.any(String) } });
    // Retained: a dashboard that subscribes later still gets it.
    const late = await observer(r.url, topics.gatewayState(r.unit, r.gateway));
    expect((await late.waitFor(state(r, 'online', bdSeq), 'retained birth')).retain).toBe(true);
    await late.client.endAsync();

    const first = r.ext.mqttClient!.stream as net.Socket;
    expect(noDelay.mock.contexts).toContain(first);
    first.destroy();
    await r.obs.waitFor(state(r, 'offline', bdSeq), 'will');
    await r.obs.waitFor(state(r, 'online', bdSeq + 1), 'second birth');
    const second = r.ext.mqttClient!.stream as net.Socket;
    expect(second).not.toBe(first);
    expect(noDelay.mock.calls[noDelay.mock.contexts.indexOf(second)]).toEqual([true]);

    // A clean stop says offline itself, with the live session's number.
    await r.running.agent.stop();
    expect((await r.obs.waitFor(state(r, 'offline', bdSeq + 1), 'death on stop')).json).toMatchObject({ status: 'offline' });
  });

  test("each kit's state, retained: connected, then disconnected when unplugged", async () => {
    const r = await rig(await broker());
    const topic = topics.kitState(r.unit, r.gateway, 'robot-1');
    await r.obs.waitFor((m) => m.topic === topic && (m.json as { state: string }).state === 'connected', 'kit connected');
    r.running.sim.port('robot-1').unplug();
    const gone = await r.obs.waitFor((m) => m.topic === topic && (m.json as { state: string }).state === 'disconnected', 'kit disconnected');
    expect(gone.json).toMatchObject({ reason: expect.any(String), clock: { synced: expect.any(Boolean) } });
  });

  test('usage events in seq order at QoS 1, each deleted from the outbox after its PUBACK', async () => {
    const r = await rig(await broker());
    await r.obs.waitFor(state(r, 'online'), 'birth');
    const sent = Array.from({ length: 50 }, () => r.outbox.append(usageDraft()));
    const usage = topics.usage(r.unit, r.gateway);
    await r.obs.waitFor((m) => m.topic === usage && (m.json as UsageEvent).seq === 50, 'the 50th event');
    expect(r.obs.messages.filter((m) => m.topic === usage).map((m) => m.json)).toEqual(sent);
    await vi.waitFor(() => expect(r.outbox.stats().pending).toBe(0));
  });

  test('an e-stop reset over MQTT works only where mqtt.allowEstopReset is on', async () => {
    const r = await rig(await broker(), { allowEstopReset: true });
    await r.obs.waitFor(state(r, 'online'), 'birth');
    expect(await r.command('estop', { requestId: 'p1' })).toMatchObject({ status: 'ok' });
    expect(await r.command('estop-reset', { requestId: 'r1', args: { by: 'centre' } })).toMatchObject({ status: 'ok', result: { estop: { latched: false } } });
    expect(r.running.agent.estop.latched).toBe(false);
  });

  test('telemetry at most N per second per device: the first at once, the latest at the end of the interval', async () => {
    const r = await rig(await broker(), { telemetryPerSecond: 2 });
    await r.obs.waitFor(state(r, 'online'), 'birth');
    const t0 = Date.now();
    for (let i = 0; i < 20; i++) {
      r.running.agent.bus.emit('component:reading', { kit: 'robot-1', component: 'probe', type: 'analog-sensor', value: i, at: t0 + i });
      r.running.agent.bus.emit('component:reading', { kit: 'robot-1', component: 'probe-2', type: 'analog-sensor', value: -i, at: t0 + i });
    }
    const topic = topics.telemetry(r.unit, r.gateway, 'robot-1', 'probe');
    await r.obs.waitFor((m) => m.topic === topic && (m.json as { value: number }).value === 19, 'the trailing reading');
    await r.obs.waitFor((m) => m.topic.endsWith('/probe-2') && (m.json as { value: number }).value === -19, 'the other device');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(450);
    expect(r.obs.messages.filter((m) => m.topic === topic).map((m) => m.json)).toEqual([{ value: 0, at: t0 }, { value: 19, at: t0 + 19 }]);
  });

  test('the birth says the e-stop is free, and is published again (retained, same bdSeq) on each latch and reset', async () => {
    const r = await rig(await broker());
    const birth = await r.obs.waitFor(state(r, 'online'), 'birth');
    const { bdSeq } = birth.json as GatewayState;
    expect((birth.json as GatewayState).estop).toEqual({ latched: false });
    const latchedState = (m: Message) => state(r, 'online', bdSeq)(m) && (m.json as GatewayState).estop?.latched === true;
    r.running.agent.estop.trigger('console');
    const latched = await r.obs.waitFor(latchedState, 'birth with the latch');
    expect(latched.json).toMatchObject({ estop: { latched: true, source: 'console', at: expect.any(Number) } });
    // Retained: a client subscribing now (the central after a restart) learns it too.
    const late = await observer(r.url, topics.gatewayState(r.unit, r.gateway));
    cleanups.push(() => late.client.endAsync());
    expect((await late.waitFor((m) => m.retain && (m.json as GatewayState).estop?.latched === true, 'retained latch')).json).toMatchObject({ bdSeq });
    r.running.agent.estop.reset('teacher');
    const reset = await r.obs.waitFor((m) => state(r, 'online', bdSeq)(m) && (m.json as GatewayState).estop?.latched === false && (m.json as GatewayState).estop?.source === 'teacher', 'birth with the reset');
    expect((reset.json as GatewayState).estop?.at).toBeGreaterThanOrEqual((latched.json as GatewayState).estop?.at ?? 0);
  });

  test('every command answers on its reply topic with the same requestId; malformed ones get an error code', async () => {
    const r = await rig(await broker(), { password: 'hunter2', username: 'gw' });
    await r.obs.waitFor(state(r, 'online'), 'birth');
    const { agent } = r.running;

    expect(await r.command('estop', { requestId: 'e1', args: { source: 'teacher' } })).toEqual({ requestId: 'e1', status: 'ok', result: { estop: { latched: true, source: 'teacher' } } });
    expect(agent.estop.latched).toBe(true);
    expect(await r.command('component', { requestId: 'c1', args: { kit: 'robot-1', component: 'left', command: { action: 'forward', speed: 100 } } })).toMatchObject({ status: 'error', code: 'ESTOP_LATCHED' });
    // A reset from the centre is off unless the gateway's config allows it: the room decides.
    expect(await r.command('estop-reset', { requestId: 'e2' })).toMatchObject({ status: 'error', code: 'COMMAND_DISABLED', message: expect.stringContaining('mqtt.allowEstopReset') });
    expect(agent.estop.latched).toBe(true);
    agent.estop.reset('teacher in the room');
    expect(await r.command('component', { requestId: 'c2', args: { kit: 'robot-1', component: 'led', command: { action: 'on' } } })).toMatchObject({ status: 'ok', result: { result: expect.any(Object) } });
    expect(await r.command('component', { requestId: 'c3', args: { kit: 'robot-9', component: 'led', command: { action: 'on' } } })).toMatchObject({ status: 'error', code: 'KIT_UNKNOWN' });

    const config = await r.command('config', { requestId: 'cfg' });
    expect(config).toMatchObject({ status: 'ok', result: { config: { unit: r.unit, mqtt: { username: 'gw', password: '[redacted]' } } } });
    expect(JSON.stringify(config)).not.toContain('hunter2');

    expect(await r.command('session-start', { requestId: 's1', args: { purpose: { kind: 'club-session' } } })).toMatchObject({ status: 'error', code: 'COMMAND_UNAVAILABLE' });
    const off = r.ext.registerCommand('session-start', (args, { requestId }) => ({ tagged: args.purpose.kind, requestId }));
    expect(await r.command('session-start', { requestId: 's2', args: { purpose: { kind: 'club-session' } } })).toEqual({ requestId: 's2', status: 'ok', result: { tagged: 'club-session', requestId: 's2' } });
    off();

    // Malformed, every way: the gateway answers each and keeps running.
    expect(await r.command('estop', 'not json')).toEqual({ requestId: '', status: 'error', code: 'COMMAND_MALFORMED', message: expect.stringContaining('not JSON') });
    expect(await r.command('estop', { requestId: 'm1', extra: true })).toMatchObject({ requestId: 'm1', status: 'error', code: 'COMMAND_MALFORMED' });
    expect(await r.command('estop', { requestId: 'm2', args: { source: 42 } })).toMatchObject({ status: 'error', code: 'COMMAND_ARGS_INVALID', message: expect.stringContaining('source') });
    expect(await r.command('component', { requestId: 'm3', args: { kit: 'robot-1' } })).toMatchObject({ status: 'error', code: 'COMMAND_ARGS_INVALID' });
    expect(await r.command('fly', { requestId: 'm4' })).toMatchObject({ status: 'error', code: 'COMMAND_UNKNOWN' });
    // A command that waited too long (at the broker, while the gateway was away) is not run.
    expect(await r.command('estop', { requestId: 'm6', expiresAt: Date.now() - 1000 })).toMatchObject({ status: 'error', code: 'COMMAND_EXPIRED' });
    expect(agent.estop.latched).toBe(false);
    expect(await r.command('selftest', { requestId: 'm5' })).toMatchObject({ status: 'error', code: 'COMMAND_UNAVAILABLE' });
  });

  test('a QoS 1 command sent while the gateway is away is run when it comes back (persistent session)', async () => {
    const r = await rig(await broker());
    await r.obs.waitFor(state(r, 'online'), 'birth');
    await r.ext.stop();
    await r.obs.client.publishAsync(topics.command(r.unit, r.gateway, 'estop'), JSON.stringify({ requestId: 'away', args: { source: 'central' } }), { qos: 1 });
    await r.ext.start();
    await r.obs.waitFor((m) => m.topic.endsWith('/cmd/estop/reply') && (m.json as CommandReply).requestId === 'away', 'reply to the queued command');
    expect(r.running.agent.estop.latched).toBe(true);
  });
});

describe('the broker goes away and comes back', () => {
  it('the broker dies with events in flight: nothing leaves the outbox before its PUBACK, and after the restart all arrive in order', async () => {
    const seqOf = (payload: Buffer) => (JSON.parse(payload.toString()) as UsageEvent).seq;
    // The first broker takes usage events but never acknowledges them.
    const received: number[] = [];
    const first = await startAedes(0, {
      authorizePublish: (_client, packet, done) => {
        if (packet.topic.endsWith('/usage')) received.push(seqOf(packet.payload as Buffer));
        else done(null);
      },
    });
    cleanups.push(() => first.close());
    const r = await rig(first.url, { inflight: 8 });
    await r.obs.waitFor(state(r, 'online'), 'birth');
    const events = Array.from({ length: 200 }, () => r.outbox.append(usageDraft()));
    await vi.waitFor(() => expect(received).toHaveLength(8));
    // The window: 8 in flight and no more; none acknowledged, so none deleted.
    expect(received).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(r.outbox.stats().pending).toBe(200);

    await first.close();
    await vi.waitFor(() => expect(r.ext.connected).toBe(false));
    const more = Array.from({ length: 50 }, () => r.outbox.append(usageDraft()));

    const arrived: number[] = [];
    const second = await startAedes(first.port);
    cleanups.push(() => second.close());
    second.broker.on('publish', (packet, client) => {
      if (client && packet.topic.endsWith('/usage')) arrived.push(seqOf(packet.payload as Buffer));
    });
    await vi.waitFor(() => expect(r.outbox.stats().pending).toBe(0), { timeout: 10_000 });
    // The 8 in flight are resent first, then the rest: the new broker sees every event, in order.
    // Aedes writes a QoS 1 PUBACK before it emits 'publish', so the outbox can empty a moment
    // before the last events are seen here: wait for the count, then check the order.
    const all = [...events, ...more].map((e) => e.seq);
    await vi.waitFor(() => expect(arrived.length).toBeGreaterThanOrEqual(all.length));
    expect(arrived).toEqual(all);
  });

  it('a gateway that cannot reach the broker waits longer each time, with jitter, so gateways do not all return in the same second', async () => {
    // A "broker" that hangs up on every connection: each attempt is seen, with its time.
    const attempts: number[] = [];
    const hangUp = net.createServer((socket) => (attempts.push(performance.now()), socket.destroy()));
    await new Promise<void>((resolve) => hangUp.listen(0, '127.0.0.1', resolve));
    // Closed before the rig's cleanup, which would otherwise wait for a CONNACK from it.
    const closeHangUp = () => new Promise<void>((resolve) => (hangUp.listening ? hangUp.close(() => resolve()) : resolve()));
    const observe = await startAedes();
    cleanups.push(() => observe.close());
    const seed = 1405;
    console.log(`reconnect jitter seed ${seed}`);
    cleanups.push(closeHangUp);
    const r = await rig(`mqtt://127.0.0.1:${(hangUp.address() as AddressInfo).port}`, { reconnectMs: 100, reconnectMaxMs: 400 }, { observe: observe.url, extension: { random: seededRandom(seed) } });
    const waits: number[] = [];
    r.ext.mqttClient?.on('close', () => waits.push(r.ext.mqttClient?.options.reconnectPeriod ?? -1));
    await vi.waitFor(() => expect(attempts.length).toBeGreaterThanOrEqual(6), { timeout: 10_000 });
    // The waits are the shared backoff's, step 100 → 200 → 400 (the cap), each a seeded part of its step.
    const expected = new Backoff({ minMs: 100, maxMs: 400, random: seededRandom(seed) });
    expect(waits.slice(0, 5)).toEqual(Array.from({ length: 5 }, () => expected.next()));
    expect(new Set(waits.slice(2, 5)).size).toBeGreaterThan(1); // jitter: not one fixed period
    // And the attempts are that far apart (mqtt.js waits the whole period before the next one).
    for (let i = 1; i < 5; i++) expect(attempts[i]! - attempts[i - 1]!).toBeGreaterThanOrEqual(waits[i - 1]! - 5);
    await closeHangUp();
  });

  it('a gateway that starts with the broker unreachable works offline and connects when it appears', async () => {
    const probe = await startAedes();
    const { port, url } = probe;
    await probe.close();
    const observe = await startAedes();
    cleanups.push(() => observe.close());
    // The agent points at the dead port; the observer watches a live broker, so rig() does not block.
    const r = await rig(url, {}, { observe: observe.url });
    expect(r.ext.connected).toBe(false);
    r.outbox.append(usageDraft());
    expect(r.outbox.stats().pending).toBe(1);

    const seen: UsageEvent[] = [];
    const late = await startAedes(port);
    cleanups.push(() => late.close());
    late.broker.on('publish', (packet, client) => {
      if (client && packet.topic.endsWith('/usage')) seen.push(JSON.parse(packet.payload.toString()) as UsageEvent);
    });
    await vi.waitFor(() => expect(r.outbox.stats().pending).toBe(0), { timeout: 5000 });
    await vi.waitFor(() => expect(seen.map((e) => e.seq)).toEqual([1])); // PUBACK comes before 'publish'
  });
});

