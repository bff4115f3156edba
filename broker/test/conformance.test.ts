/**
 * The central against MQTT 3.1.1 rules (OASIS mqtt-v3.1.1-os), one test per clause, with raw
 * packets (mqtt-packet over a TCP socket) where a well-behaved client library cannot send the
 * packet that breaks the rule. The first ones are rules plain Aedes 1.2 bends and the central's
 * policy (src/security/policy.ts) enforces; the last ones Aedes keeps itself, tested so that an
 * upgrade that loses them is noticed.
 */
import type { Socket } from 'node:net';
import mqtt, { type MqttClient } from 'mqtt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestCentral, type TestCentral } from './helpers.ts';
import { OPEN_ANONYMOUS_RIGHTS } from '../../testing/anonymous-rights.ts';
import { rawMqtt } from './raw-mqtt.ts';

let central: TestCentral;
const clients: MqttClient[] = [];
const sockets: Socket[] = [];

beforeEach(async () => {
  // Every topic, and `$lab/…` for [MQTT-4.7.2-1] (a `$` topic no first-level wildcard reaches).
  const anonymous = { ...OPEN_ANONYMOUS_RIGHTS, publish: { allow: ['#', '$lab/#'], deny: [] }, subscribe: { allow: [...OPEN_ANONYMOUS_RIGHTS.subscribe.allow, '$lab/#'], deny: [] } };
  central = await startTestCentral({ security: { allowAnonymous: true, anonymous } });
});
/** The arguments of a client's next `name` event (mqtt.js's emitter is not a Node EventEmitter to the types). */
function event(client: MqttClient, name: 'close' | 'message'): Promise<unknown[]> {
  return new Promise((resolve) => client.once(name, (...args: unknown[]) => resolve(args)));
}

afterEach(async () => {
  sockets.splice(0).forEach((s) => s.destroy());
  await Promise.all(clients.splice(0).map((c) => c.endAsync(true)));
  await central.cleanup();
});

/** A raw MQTT 3.1.1 connection: send any packet, see every packet back and whether it closed. */
const raw = () => rawMqtt(Number(new URL(central.mqttUrl).port), sockets);

/** A CONNECT written byte by byte, for what mqtt-packet refuses to generate. */
function connectBytes(level: number, flags: number, clientId: string): Buffer {
  const id = Buffer.from(clientId);
  const body = Buffer.concat([Buffer.from([0, 4]), Buffer.from('MQTT'), Buffer.from([level, flags, 0, 0, 0, id.length]), id]);
  return Buffer.concat([Buffer.from([0x10, body.length]), body]);
}

const connectPacket = (overrides: Record<string, unknown> = {}) => ({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clientId: 'raw-1', clean: true, keepalive: 0, ...overrides });

async function client(options: mqtt.IClientOptions = {}): Promise<MqttClient> {
  const c = await mqtt.connectAsync(central.mqttUrl, { reconnectPeriod: 0, ...options });
  clients.push(c);
  return c;
}

describe('rules plain Aedes bends, enforced by the central', () => {
  it('[MQTT-3.1.3-8] refuses a zero-length client id with CleanSession=0: CONNACK 0x02, then closes', async () => {
    const c = await raw();
    c.send(connectBytes(4, 0x00, '')); // CleanSession=0; mqtt-packet will not generate it
    expect(await c.next()).toMatchObject({ cmd: 'connack', returnCode: 2, sessionPresent: false });
    await c.closed;
    expect(central.security.refusals['identifier-rejected']).toBe(1);
  });

  it('[MQTT-3.1.3-6] [MQTT-3.1.3-7] accepts a zero-length client id with CleanSession=1 and assigns one', async () => {
    const c = await raw();
    c.send(connectPacket({ clientId: '', clean: true }));
    expect(await c.next()).toMatchObject({ cmd: 'connack', returnCode: 0 });
    c.send({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'x/y', qos: 1 }] });
    expect(await c.next()).toMatchObject({ cmd: 'suback', messageId: 1, granted: [1] });
    expect(Object.keys((central.broker as unknown as { clients: Record<string, unknown> }).clients).some((id) => id.length > 0)).toBe(true);
  });

  it('[MQTT-4.7.1-1] closes a connection whose will topic has a wildcard, without CONNACK (a will topic is a topic name)', async () => {
    for (const topic of ['a/#', 'a/+/b']) {
      const c = await raw();
      c.send(connectPacket({ clientId: `will-${topic.length}`, will: { topic, payload: Buffer.from('x'), qos: 0, retain: false } }));
      await c.closed;
      expect(c.received).toEqual([]);
    }
    expect(central.security.refusals['protocol-violation']).toBe(2);
  });

  it('[MQTT-1.5.3-2] [MQTT-4.7.3-2] closes a connection that sends U+0000 in a client id, topic name or topic filter', async () => {
    const id = await raw();
    id.send(connectPacket({ clientId: 'a\u0000b' }));
    await id.closed;
    expect(id.received).toEqual([]);

    const pub = await raw();
    pub.send(connectPacket({ clientId: 'pub' }));
    expect(await pub.next()).toMatchObject({ cmd: 'connack', returnCode: 0 });
    pub.send({ cmd: 'publish', topic: 'a/\u0000', payload: Buffer.from('x'), qos: 1, messageId: 7, retain: false, dup: false });
    await pub.closed;
    expect(pub.received).toEqual([]); // no PUBACK

    const sub = await raw();
    sub.send(connectPacket({ clientId: 'sub' }));
    expect(await sub.next()).toMatchObject({ cmd: 'connack', returnCode: 0 });
    sub.send({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'a/\u0000/#', qos: 0 }] });
    await sub.closed;
    expect(sub.received).toEqual([]);
    expect(central.security.refusals['protocol-violation']).toBe(3);
  });

  it('[MQTT-1.5.3-1] closes a connection that sends ill-formed UTF-8 in a topic name, a topic filter or a client id', async () => {
    const badTopic = Buffer.from([0x61, 0x2f, 0xff, 0xfe]); // "a/" then bytes that are not UTF-8
    const pub = await raw();
    pub.send(connectPacket({ clientId: 'pub-utf8' }));
    expect(await pub.next()).toMatchObject({ cmd: 'connack', returnCode: 0 });
    const body = Buffer.concat([Buffer.from([0, badTopic.length]), badTopic, Buffer.from([0, 9]), Buffer.from('x')]);
    pub.send(Buffer.concat([Buffer.from([0x32, body.length]), body])); // QoS 1, packet id 9
    await pub.closed;
    expect(pub.received).toEqual([]); // no PUBACK

    const sub = await raw();
    sub.send(connectPacket({ clientId: 'sub-utf8' }));
    expect(await sub.next()).toMatchObject({ cmd: 'connack', returnCode: 0 });
    const subBody = Buffer.concat([Buffer.from([0, 1, 0, badTopic.length]), badTopic, Buffer.from([0])]);
    sub.send(Buffer.concat([Buffer.from([0x82, subBody.length]), subBody]));
    await sub.closed;
    expect(sub.received).toEqual([]);

    const id = await raw();
    const connect = connectBytes(4, 0x02, 'id-x');
    connect[connect.length - 1] = 0xff; // the client id's last byte: not UTF-8
    id.send(connect);
    await id.closed;
    expect(id.received).toEqual([]);
    expect(central.security.refusals['protocol-violation']).toBe(3);
  });

  it('[MQTT-2.3.1-1] closes a connection that sends a QoS 1 PUBLISH with packet identifier 0', async () => {
    const pub = await raw();
    pub.send(connectPacket({ clientId: 'pub-id0' }));
    expect(await pub.next()).toMatchObject({ cmd: 'connack', returnCode: 0 });
    const topic = Buffer.from('a/b');
    const body = Buffer.concat([Buffer.from([0, topic.length]), topic, Buffer.from([0, 0]), Buffer.from('x')]);
    pub.send(Buffer.concat([Buffer.from([0x32, body.length]), body]));
    await pub.closed;
    expect(pub.received).toEqual([]);
    expect(central.security.refusals['protocol-violation']).toBe(1);
  });

  it('[MQTT-3.1.2-2] answers an unsupported protocol level with CONNACK 0x01 (mqtt-packet would just close)', async () => {
    const c = await raw();
    c.send(connectBytes(6, 0x02, 'x'));
    expect(await c.next()).toMatchObject({ cmd: 'connack', returnCode: 1 });
    await c.closed;
  });
});

describe('rules Aedes keeps (guarding against a regression)', () => {
  it('[MQTT-3.1.0-2] treats a second CONNECT as a protocol violation and disconnects', async () => {
    const c = await raw();
    c.send(connectPacket());
    expect(await c.next()).toMatchObject({ cmd: 'connack', returnCode: 0 });
    c.send(connectPacket());
    await c.closed;
    expect(c.received).toEqual([]);
  });

  it('[MQTT-3.1.0-1] closes a connection whose first packet is not CONNECT', async () => {
    const c = await raw();
    c.send({ cmd: 'pingreq' });
    await c.closed;
    expect(c.received).toEqual([]);
  });

  it('[MQTT-4.7.1-2] [MQTT-4.7.1-3] closes a connection that subscribes to an invalid topic filter', async () => {
    const c = await raw();
    c.send(connectPacket());
    expect(await c.next()).toMatchObject({ cmd: 'connack', returnCode: 0 });
    c.send({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'a/#/b', qos: 0 }] });
    await c.closed;
    expect(c.received).toEqual([]);
  });

  it('[MQTT-4.7.2-1] does not match $ topics with a filter that starts with a wildcard', async () => {
    const all = await client({ clientId: 'all' });
    const dollar = await client({ clientId: 'dollar' });
    await all.subscribeAsync('#', { qos: 1 });
    await dollar.subscribeAsync('$lab/#', { qos: 1 });
    const seenByAll: string[] = [];
    all.on('message', (t) => seenByAll.push(t));
    const got = event(dollar, 'message');
    const publisher = await client({ clientId: 'pub' });
    await publisher.publishAsync('$lab/x', 'x', { qos: 1 });
    expect(((await got) as [string])[0]).toBe('$lab/x');
    const plain = event(all, 'message');
    await publisher.publishAsync('lab/x', 'x', { qos: 1 });
    await plain;
    expect(seenByAll).toEqual(['lab/x']);
  });
});
