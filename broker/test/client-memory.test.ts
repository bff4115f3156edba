/**
 * What the central trims from Aedes's per-connection objects (src/transport/client-memory.ts),
 * through a real central and raw MQTT bytes: the trimmed parser still reads packets split at
 * every byte and several packets in one chunk, and the packet identifiers it writes are right
 * without mqtt-packet's number cache.
 */
import { once } from 'node:events';
import type { Socket } from 'node:net';
import mqttPacket from 'mqtt-packet';
import { gatewayClientId, topics } from '@stemlab/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PassThrough } from 'node:stream';
import { leanCloseWatch, leanParser, leanTables } from '../src/transport/client-memory.ts';
import { GATEWAY, sessionStart, startTestCentral, UNIT, until, type TestCentral } from './helpers.ts';
import { rawMqtt } from './raw-mqtt.ts';

let central: TestCentral;
const sockets: Socket[] = [];

beforeEach(async () => {
  central = await startTestCentral();
});

afterEach(async () => {
  sockets.splice(0).forEach((s) => s.destroy());
  await central.cleanup();
});

/** A raw MQTT 3.1.1 connection whose bytes go out in the pieces given. */
const raw = () => rawMqtt(Number(new URL(central.mqttUrl).port), sockets);

const clientId = gatewayClientId(UNIT, GATEWAY);
const connect = mqttPacket.generate({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clientId, clean: true, keepalive: 30 });

describe('per-connection memory trimmed from Aedes', () => {
  it("keeps a client's pending bytes in a plain BufferList, and reads a packet split at every byte", async () => {
    const c = await raw();
    await c.write(connect);
    expect(await c.next()).toMatchObject({ cmd: 'connack', returnCode: 0 });
    const clients = (central.broker as unknown as { clients: Record<string, { _parser: { _list: object } }> }).clients;
    const list = clients[clientId]!._parser._list;
    expect(list.constructor.name).toBe('BufferList');
    const e = sessionStart(1);
    const publish = mqttPacket.generate({ cmd: 'publish', topic: topics.usage(UNIT, GATEWAY), payload: Buffer.from(JSON.stringify(e)), qos: 1, messageId: 4242, retain: false, dup: false });
    for (let i = 0; i < publish.length; i++) await c.write(publish.subarray(i, i + 1));
    // The PUBACK follows the commit, and carries the identifier written without the number cache.
    expect(await c.next()).toMatchObject({ cmd: 'puback', messageId: 4242 });
    expect(await central.ledger.event(e.eventId)).toBeDefined();
  });

  it('reads several packets that arrive in one chunk', async () => {
    const c = await raw();
    const e = sessionStart(1);
    const publish = mqttPacket.generate({ cmd: 'publish', topic: topics.usage(UNIT, GATEWAY), payload: Buffer.from(JSON.stringify(e)), qos: 1, messageId: 7, retain: false, dup: false });
    await c.write(Buffer.concat([connect, publish, mqttPacket.generate({ cmd: 'pingreq' })]));
    expect(await c.next()).toMatchObject({ cmd: 'connack', returnCode: 0 });
    const answers = [await c.next(), await c.next()].map((p) => p.cmd).sort();
    expect(answers).toEqual(['pingresp', 'puback']);
  });

  it("keeps a client's subscriptions in a table with no prototype: a SUBSCRIBE works, an inherited name reads back absent", async () => {
    const c = await raw();
    await c.write(connect);
    expect(await c.next()).toMatchObject({ cmd: 'connack', returnCode: 0 });
    const filter = topics.command(UNIT, GATEWAY, '+');
    await c.write(mqttPacket.generate({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: filter, qos: 1 }] }));
    expect(await c.next()).toMatchObject({ cmd: 'suback', granted: [1] });
    const clients = (central.broker as unknown as { clients: Record<string, { subscriptions: Record<string, unknown>; duplicates: Record<string, unknown> }> }).clients;
    const { subscriptions, duplicates } = clients[clientId]!;
    expect(Object.getPrototypeOf(subscriptions)).toBeNull();
    expect(Object.getPrototypeOf(duplicates)).toBeNull();
    expect(Object.keys(subscriptions)).toEqual([filter]);
    expect(subscriptions['constructor']).toBeUndefined();
    expect(subscriptions['__proto__']).toBeUndefined();
  });

  it('replaces only empty tables with no prototype', () => {
    const used = Object.create(null) as Record<string, unknown>;
    used['t/#'] = { qos: 1 };
    const client = { subscriptions: used, duplicates: {} };
    expect(leanTables(client)).toBe(false);
    expect(client.subscriptions).toBe(used);
  });

  it('leaves a parser whose list it does not know as it is', () => {
    const list = { append: () => undefined, consume: () => undefined, readUInt8: () => 0, slice: () => Buffer.alloc(0), toString: () => '' };
    const client = { _parser: { _list: list } };
    expect(leanParser(client)).toBe(false);
    expect(client._parser._list).toBe(list);
    expect(leanParser({})).toBe(false);
  });

  it('closes a client whose connection is destroyed without an end or an error: unregistered, presence offline', async () => {
    const c = await raw();
    await c.write(connect);
    expect(await c.next()).toMatchObject({ cmd: 'connack', returnCode: 0 });
    await until(central, async () => (await central.ledger.gateway(UNIT, GATEWAY))?.connected === true);
    const clients = (central.broker as unknown as { clients: Record<string, { conn: Socket }> }).clients;
    const gone = once(central.broker, 'clientDisconnect');
    // Destroyed on the central's side with no error: only the stream's 'close' says so.
    clients[clientId]!.conn.destroy();
    await gone;
    expect(central.broker.connectedClients).toBe(0);
    expect(clients[clientId]).toBeUndefined();
    await until(central, async () => (await central.ledger.gateway(UNIT, GATEWAY))?.connected === false);
  });

  it("keeps Aedes's own end-of-stream watch for a stream that is closed already", () => {
    const conn = new PassThrough();
    conn.destroy();
    let removed = false;
    const client = { conn, _eos: () => void (removed = true), close: () => undefined };
    Object.assign(conn, { client });
    expect(leanCloseWatch(client)).toBe(false);
    expect(removed).toBe(false);
  });
});
