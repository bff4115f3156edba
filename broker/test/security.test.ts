/**
 * The central's access policy against a real Aedes on port 0 with real MQTT clients: who may
 * connect (credentials, rotation, revocation, anonymous switch, client id = username), what a
 * gateway may publish (another gateway's topics dropped and counted, its ledger untouched, the
 * sender not cut off) and subscribe to (0x80), and the limits (packet size, publish flood,
 * connection rate) that cut off one client without hurting the others. With the central's state
 * (the credentials) on SQLite and on PostgreSQL.
 */
import { once } from 'node:events';
import { connect as netConnect } from 'node:net';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import mqttPacket from 'mqtt-packet';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { gatewayClientId, topics } from '@stemlab/protocol';
import { provisionGatewayCommand } from '../src/index.ts';
import { openCentralState } from '../src/central-state/state.ts';
import type { LedgerChoice } from '../src/ledger/ledger.ts';
import { revokeGateway, verify } from '../src/security/credentials.ts';
import { FrameScanner } from '../src/security/frame-guard.ts';
import type { SecurityOptions } from '../src/security/policy.ts';
import { gatewayMaySubscribe, gatewayPublishRefusal } from '../src/security/topic-acl.ts';
import { BACKENDS, LedgerFactory } from './backends.ts';
import { GATEWAY, publishUsage, sessionStart, startTestCentral, UNIT, type TestCentral } from './helpers.ts';

const OTHER = 'lab-2';
let central: TestCentral;
const clients: MqttClient[] = [];
/** The backend of the suite running: undefined for SQLite, a fresh PostgreSQL schema per test. */
let ledger: LedgerChoice | undefined;

async function start(security: SecurityOptions = {}): Promise<TestCentral> {
  central = await startTestCentral({ security, ledger });
  return central;
}

function provision(unit = UNIT, gateway = GATEWAY) {
  return provisionGatewayCommand(central.dataDir, unit, gateway, ledger);
}

async function connect(options: IClientOptions): Promise<MqttClient> {
  const client = await mqtt.connectAsync(central.mqttUrl, { reconnectPeriod: 0, ...options });
  clients.push(client);
  return client;
}

/** Logs in as the gateway with the credentials given (by default its own, freshly provisioned). */
async function gateway(creds: { username: string; password: string }, options: IClientOptions = {}): Promise<MqttClient> {
  return connect({ clientId: creds.username, username: creds.username, password: creds.password, ...options });
}

/** The CONNACK return code a connection is refused with (mqtt.js puts it on the error's `code`). */
async function refusal(options: IClientOptions): Promise<number | undefined> {
  const error = await connect(options).then(
    () => undefined,
    (err: unknown) => err as { code?: number },
  );
  return error?.code;
}

/** The arguments of a client's next `name` event (mqtt.js's emitter is not a Node EventEmitter to the types). */
function event(client: MqttClient, name: 'close' | 'message'): Promise<unknown[]> {
  return new Promise((resolve) => client.once(name, (...args: unknown[]) => resolve(args)));
}

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.endAsync(true)));
  await central?.cleanup();
});
describe.each(BACKENDS)('the access policy with the state on $backend', ({ backend, run }) => {
  const backends = new LedgerFactory(backend);
  beforeEach(() => {
    if (!run) return;
    backends.require();
    ledger = backends.choice();
  });
  afterAll(() => backends.dispose());

  describe.runIf(run)('connect', () => {
    it('refuses anonymous clients by default (0x05) and lets them in when allowAnonymous is on', async () => {
      await start();
      expect(await refusal({ clientId: 'tool-1' })).toBe(5);
      expect(central.security.refusals.anonymous).toBe(1);
      await central.cleanup();
      await start({ allowAnonymous: true });
      expect((await connect({ clientId: 'tool-1' })).connected).toBe(true);
    });

    it('accepts a gateway with its secret and refuses a wrong secret or an unknown username (0x04)', async () => {
      await start();
      const creds = await provision();
      expect(creds.username).toBe(gatewayClientId(UNIT, GATEWAY));
      expect(creds.password).toMatch(/^[A-Za-z0-9_-]{43}$/); // 32 bytes, base64url
      expect((await gateway(creds)).connected).toBe(true);
      expect(await refusal({ clientId: creds.username, username: creds.username, password: `${creds.password}x` })).toBe(4);
      const stranger = gatewayClientId(UNIT, 'nobody');
      expect(await refusal({ clientId: stranger, username: stranger, password: creds.password })).toBe(4);
      expect(await refusal({ clientId: creds.username, username: creds.username })).toBe(4);
      expect(central.security.refusals['bad-credentials']).toBe(3);
    });

    it('stores only a salted scrypt hash of the secret', async () => {
      await start();
      const a = await provision();
      const b = await provision(UNIT, OTHER);
      const db = await openCentralState(ledger, central.dataDir);
      try {
        const rows = (await db.query<{ h: string }>('SELECT secret_hash AS h FROM credentials')).map((r) => r.h);
        expect(rows).toHaveLength(2);
        for (const h of rows) {
          expect(h).toMatch(/^scrypt\$32768\$8\$1\$/);
          expect(h).not.toContain(a.password);
          expect(h).not.toContain(b.password);
        }
        expect(await verify(db, a.username, a.password)).toEqual({ unit: UNIT, gateway: GATEWAY });
        expect(await verify(db, a.username, b.password)).toBeUndefined();
      } finally {
        await db.close();
      }
    });

    it('after a rotation refuses the old secret and accepts the new one, from the next connection', async () => {
      await start();
      const old = await provision();
      const open = await gateway(old);
      const rotated = await provision();
      expect(rotated.rotated).toBe(true);
      expect(rotated.password).not.toBe(old.password);
      expect(await refusal({ clientId: old.username, username: old.username, password: old.password })).toBe(4);
      // Already-open connections are not cut by a rotation: the next CONNECT is where it counts.
      expect(open.connected).toBe(true);
      const closed = event(open, 'close');
      expect((await gateway(rotated)).connected).toBe(true);
      await closed; // the same client id takes the old connection over [MQTT-3.1.4-2]
    });

    it('refuses a revoked gateway, and a new provisioning lets it back in', async () => {
      await start();
      const creds = await provision();
      const db = await openCentralState(ledger, central.dataDir);
      try {
        expect(await revokeGateway(db, UNIT, GATEWAY)).toBe(true);
        expect(await revokeGateway(db, UNIT, GATEWAY)).toBe(false);
      } finally {
        await db.close();
      }
      expect(await refusal({ clientId: creds.username, username: creds.username, password: creds.password })).toBe(4);
      expect((await gateway(await provision())).connected).toBe(true);
    });

    it("refuses a gateway whose client id is not its username (0x02): it could take over another gateway's presence", async () => {
      await start();
      const creds = await provision();
      await provision(UNIT, OTHER);
      expect(await refusal({ clientId: gatewayClientId(UNIT, OTHER), username: creds.username, password: creds.password })).toBe(2);
      expect(central.security.refusals['client-id-mismatch']).toBe(1);
    });

    it("refuses an anonymous client that uses a provisioned gateway's client id, even when anonymous access is on", async () => {
      await start({ allowAnonymous: true });
      const creds = await provision();
      expect(await refusal({ clientId: creds.username })).toBe(5);
      expect(await refusal({ clientId: creds.username, username: creds.username, password: 'guess' })).toBe(4);
      expect((await connect({ clientId: gatewayClientId(UNIT, 'not-provisioned') })).connected).toBe(true);
    });
  });

  describe.runIf(run)('topic access', () => {
    it("drops and counts a publish under another gateway's topics without cutting the sender off; the other's ledger is untouched", async () => {
      await start({ allowAnonymous: true });
      const mine = await gateway(await provision());
      await provision(UNIT, OTHER);
      const monitor = await connect({ clientId: 'monitor' });
      await monitor.subscribeAsync('#', { qos: 1 });
      const seen: string[] = [];
      monitor.on('message', (topic) => seen.push(topic));
      const first = event(monitor, 'message');

      // QoS 1: the PUBACK comes (no negative PUBACK in 3.1.1), so the sender does not resend forever.
      await publishUsage(mine, sessionStart(1), UNIT, OTHER);
      await mine.publishAsync(topics.gatewayState(UNIT, OTHER), '{"status":"offline"}', { qos: 1, retain: true });
      await mine.publishAsync(topics.command(UNIT, GATEWAY, 'reboot'), '{}', { qos: 1 }); // its own command topic: not a gateway's to send
      await mine.publishAsync('elsewhere/x', 'x', { qos: 0 });

      // Still connected: its own event goes through, acknowledged after the commit.
      const own = sessionStart(1);
      await publishUsage(mine, own); // after this PUBACK the QoS 0 publish before it has been handled too
      expect(central.security.refusals['publish-foreign']).toBe(2);
      expect(central.security.refusals['publish-not-allowed']).toBe(2);
      expect(await central.ledger.event(own.eventId)).toMatchObject({ unit: UNIT, gateway: GATEWAY });
      await first; // nothing dropped was forwarded before it
      expect(seen).toEqual([topics.usage(UNIT, GATEWAY)]);
      expect(await central.ledger.events(UNIT, OTHER)).toEqual([]);
      expect(await central.ledger.deadLetters()).toEqual([]);
      expect(await central.ledger.gateway(UNIT, OTHER)).toBeUndefined();
    });

    it("grants a gateway its own commands and answers 0x80 for another gateway's commands or anything else", async () => {
      await start();
      const mine = await gateway(await provision());
      const filters = [topics.commands(UNIT, GATEWAY), topics.command(UNIT, GATEWAY, 'ping'), topics.commands(UNIT, OTHER), topics.allGateways, '$stemlab/dropped'];
      // mqtt.js turns any 0x80 into an error that carries the SUBACK.
      const suback = await mine.subscribeAsync(filters, { qos: 1 }).then(
        () => undefined,
        (err: unknown) => (err as { packet?: { granted: number[] } }).packet,
      );
      expect(suback?.granted).toEqual([1, 1, 128, 128, 128]);
      expect(central.security.refusals['subscribe-not-allowed']).toBe(3);
      expect(mine.connected).toBe(true);
    });

    it("refuses a gateway whose will is on another gateway's topics or a reserved one (0x05): no such will is stored", async () => {
      await start({ allowAnonymous: true });
      const creds = await provision();
      const willOn = (topic: string) => ({ clientId: creds.username, username: creds.username, password: creds.password, will: { topic, payload: Buffer.from('{}'), qos: 1 as const, retain: true } });
      expect(await refusal(willOn(topics.gatewayState(UNIT, OTHER)))).toBe(5);
      expect(await refusal(willOn(topics.command(UNIT, OTHER, 'estop-reset')))).toBe(5);
      expect(await refusal(willOn(topics.usage('other-unit', GATEWAY)))).toBe(5);
      expect(await refusal({ clientId: 'tool-1', will: { topic: '$stemlab/dropped', payload: Buffer.from('x'), qos: 0, retain: false } })).toBe(5);
      expect(central.security.refusals['will-not-allowed']).toBe(4);
      // Its own state topic (the agent's will) is fine, and published when the connection dies.
      const own = await gateway(creds, { will: { topic: topics.gatewayState(UNIT, GATEWAY), payload: Buffer.from('{}'), qos: 1, retain: true } });
      const gone = once(central.broker, 'clientDisconnect');
      own.stream.destroy();
      await gone;
      expect(central.security.refusals['will-orphan-refused'] + central.security.refusals['publish-foreign']).toBe(0);
    });

    it('checks a will published with no client attached (after a restart, or for a dead node) against the identity it was stored with', async () => {
      await start({ allowAnonymous: false });
      const dataDir = central.dataDir;
      // Wills stored for this gateway by a central that was then killed (kill -9: no clean close),
      // as an older central stored them without a check at connect.
      type Will = { topic: string; payload: Buffer; qos: 0 | 1; retain: boolean };
      const persistence = (central.broker as unknown as { persistence: { putWill(client: object, will: Will): Promise<void>; streamWill(brokers: object): AsyncIterable<Will> } }).persistence;
      const forgedEnd = { ...sessionStart(7), type: 'session.end', durationMs: 3_600_000 };
      const stored: Record<string, Will> = {
        [gatewayClientId(UNIT, GATEWAY)]: { topic: topics.usage(UNIT, OTHER), payload: Buffer.from(JSON.stringify(forgedEnd)), qos: 1, retain: false },
        'gw:thcs-q1-01:lab-3': { topic: topics.command(UNIT, OTHER, 'estop-reset'), payload: Buffer.from('{"requestId":"x"}'), qos: 1, retain: false },
        'some-tool': { topic: topics.command(UNIT, OTHER, 'estop-reset'), payload: Buffer.from('{"requestId":"y"}'), qos: 1, retain: false },
        [gatewayClientId(UNIT, 'lab-4')]: { topic: topics.gatewayState(UNIT, 'lab-4'), payload: Buffer.from(JSON.stringify({ status: 'offline' })), qos: 1, retain: false },
      };
      for (const [id, w] of Object.entries(stored)) await persistence.putWill({ id, broker: central.broker }, w);
      await central.stop();
      central = Object.assign(await startTestCentral({ dataDir, ledger, security: { allowAnonymous: false } }), { dataDir });
      const victim = await gateway(await provision(UNIT, OTHER));
      const received: string[] = [];
      victim.on('message', (topic) => received.push(topic));
      await victim.subscribeAsync(topics.commands(UNIT, OTHER), { qos: 1 });
      // What Aedes's will sweep does (aedes.js _clearWills) for each will whose broker is gone:
      // authorizePublish with no client, then publish.
      const broker = central.broker as unknown as { authorizePublish(client: null, packet: Will, cb: (err?: Error | null) => void): void; publish(packet: Will, cb: () => void): void };
      const published: string[] = [];
      for await (const w of (central.broker as unknown as { persistence: typeof persistence }).persistence.streamWill({})) {
        await new Promise<void>((resolve, reject) => broker.authorizePublish(null, w, (err) => (err ? reject(err) : resolve())));
        await new Promise<void>((resolve) => broker.publish(w, resolve));
        published.push(w.topic);
      }
      expect(published).toHaveLength(4);
      // The three foreign wills were dropped and counted; the gateway's own offline state went out.
      expect(central.security.refusals['will-orphan-refused']).toBe(3);
      expect(published.filter((t) => t === '$stemlab/dropped')).toHaveLength(3);
      expect(published).toContain(topics.gatewayState(UNIT, 'lab-4'));
      const check = sessionStart(1);
      await publishUsage(victim, check, UNIT, OTHER); // after its PUBACK, anything published before has been delivered
      await victim.publishAsync(topics.reply(UNIT, OTHER, 'ping'), '{}', { qos: 1 });
      expect(received).toEqual([]);
      expect((await central.ledger.events(UNIT, OTHER)).map((e) => e.eventId)).toEqual([check.eventId]);
    });

    it('the rules, as functions', () => {
      const gw = { unit: UNIT, gateway: GATEWAY };
      expect(gatewayPublishRefusal(gw, topics.usage(UNIT, GATEWAY))).toBeUndefined();
      expect(gatewayPublishRefusal(gw, topics.kitState(UNIT, GATEWAY, 'uno-1'))).toBeUndefined();
      expect(gatewayPublishRefusal(gw, topics.telemetry(UNIT, GATEWAY, 'uno-1', 'temp'))).toBeUndefined();
      expect(gatewayPublishRefusal(gw, topics.reply(UNIT, GATEWAY, 'ping'))).toBeUndefined();
      expect(gatewayPublishRefusal(gw, topics.gatewayState(UNIT, GATEWAY))).toBeUndefined();
      expect(gatewayPublishRefusal(gw, topics.usage('other-unit', GATEWAY))).toBe('publish-foreign');
      expect(gatewayPublishRefusal(gw, `stemlab/v1/${UNIT}/${OTHER}/whatever`)).toBe('publish-foreign');
      expect(gatewayPublishRefusal(gw, `stemlab/v1/${UNIT}/${GATEWAY}/whatever`)).toBe('publish-not-allowed');
      expect(gatewayMaySubscribe(gw, `stemlab/v1/${UNIT}/${GATEWAY}/cmd/#`)).toBe(true);
      expect(gatewayMaySubscribe(gw, `stemlab/v1/${UNIT}/${GATEWAY}/cmd/+/reply`)).toBe(false);
      expect(gatewayMaySubscribe(gw, `stemlab/v1/${UNIT}/${GATEWAY}/#`)).toBe(false);
    });
  });

  describe.runIf(run)('limits', () => {
    it('disconnects a client that sends a packet over maxPacketBytes, and only that client', async () => {
      await start({ maxPacketBytes: 1024 });
      const big = await gateway(await provision());
      const other = await gateway(await provision(UNIT, OTHER));
      const closed = event(big, 'close');
      big.publish(topics.telemetry(UNIT, GATEWAY, 'uno-1', 'temp'), Buffer.alloc(2000, 'x'), { qos: 0 });
      await closed;
      expect(central.security.refusals['packet-too-large']).toBe(1);
      const e = sessionStart(1);
      await publishUsage(other, e, UNIT, OTHER);
      expect(await central.ledger.event(e.eventId)).toBeDefined();
    });

    it('disconnects a client that floods past its publish rate, and only that client', async () => {
      await start({ publishesPerSecond: 10, publishBurst: 20 });
      const flood = await gateway(await provision());
      const other = await gateway(await provision(UNIT, OTHER));
      const closed = event(flood, 'close');
      for (let i = 0; i < 200; i++) flood.publish(topics.telemetry(UNIT, GATEWAY, 'uno-1', 'temp'), '{}', { qos: 0 });
      await closed;
      expect(central.security.refusals['publish-rate']).toBe(1);
      const e = sessionStart(1);
      await publishUsage(other, e, UNIT, OTHER);
      expect(await central.ledger.event(e.eventId)).toBeDefined();
    });

    it('closes connections from an address over its connection rate before CONNACK and any password check', async () => {
      await start({ allowAnonymous: true, connectsPerSecond: 0.001, connectBurst: 2 });
      await connect({ clientId: 'a' });
      await connect({ clientId: 'b' });
      const socket = netConnect(Number(new URL(central.mqttUrl).port), '127.0.0.1');
      await once(socket, 'connect');
      const received: unknown[] = [];
      socket.on('data', (d) => received.push(d));
      socket.write(mqttPacket.generate({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clientId: 'c', clean: true, keepalive: 0 }));
      await once(socket, 'close');
      expect(received).toEqual([]);
      expect(central.security.refusals['connect-rate']).toBe(1);
    });

    it('follows MQTT framing across chunks to find a packet that is too large', () => {
      const packet = mqttPacket.generate({ cmd: 'publish', topic: 't', payload: Buffer.alloc(300), qos: 0, retain: false, dup: false });
      const ok = new FrameScanner(400);
      for (let i = 0; i < packet.length; i += 7) expect(ok.scan(packet.subarray(i, i + 7))).toBe(true);
      expect(ok.scan(Buffer.concat([packet, packet]))).toBe(true);
      const small = new FrameScanner(100);
      expect(small.scan(packet.subarray(0, 2))).toBe(true); // the length is not complete yet
      expect(small.scan(packet.subarray(2, 3))).toBe(false);
      expect(small.scan(Buffer.from([0xc0, 0x00]))).toBe(false); // stays refused
    });
  });
});
