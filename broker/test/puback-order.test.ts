/**
 * [MQTT-4.6.0-2] A client's PUBACKs in the order its QoS 1 PUBLISH packets arrived, whichever
 * path each takes through the central (src/ingest/puback-order.ts): a usage event's PUBACK waits
 * for its commit, while a command reply, a publish the policy drops or a dead letter past its
 * quota is answered at once, and Aedes runs the packets of one socket chunk concurrently. A raw
 * MQTT connection sends them in one write, so they meet in one chunk; the commit is slowed by
 * holding the ledger's insertBatch (no sleeps).
 */
import { once } from 'node:events';
import type { Socket } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { gatewayClientId, topics } from '@stemlab/protocol';
import { GATEWAY, sessionStart, startTestCentral, UNIT, until, type TestCentral } from './helpers.ts';
import { DEFAULT_QUOTAS } from '../src/security/quotas.ts';
import { OPEN_ANONYMOUS } from '../../testing/anonymous-rights.ts';
import { rawMqtt, type RawMqtt } from './raw-mqtt.ts';

let central: TestCentral;
const sockets: Socket[] = [];

beforeEach(async () => {
  // One dead letter an hour: the second one is dropped, and answered at once.
  central = await startTestCentral({ security: { ...OPEN_ANONYMOUS, quotas: { ...DEFAULT_QUOTAS, deadLettersPerHour: 1 } } });
});

afterEach(async () => {
  sockets.splice(0).forEach((s) => s.destroy());
  await central.cleanup();
});

/** A raw MQTT 3.1.1 connection of the gateway's client id, connected. */
async function raw(): Promise<RawMqtt> {
  const c = await rawMqtt(Number(new URL(central.mqttUrl).port), sockets);
  c.send({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clientId: gatewayClientId(UNIT, GATEWAY), clean: true, keepalive: 0 });
  expect(await c.next()).toMatchObject({ cmd: 'connack', returnCode: 0 });
  return c;
}

const publish = (messageId: number, topic: string, payload: string | Buffer, qos = 1) => ({ cmd: 'publish', topic, payload: Buffer.from(payload), qos, messageId, retain: false, dup: false });
const usage = (messageId: number, seq: number) => publish(messageId, topics.usage(UNIT, GATEWAY), JSON.stringify(sessionStart(seq)));
/** A command reply: the ledger has no business with it, answered at once. */
const reply = (messageId: number) => publish(messageId, topics.reply(UNIT, GATEWAY, 'deploy'), JSON.stringify({ requestId: `r-${messageId}`, status: 'ok' }));
/** A topic no client may publish on: the policy drops it, answered at once. */
const dropped = (messageId: number) => publish(messageId, '$stemlab/not-yours', 'x');
const pingreq = { cmd: 'pingreq' };

/** The next `count` packets' identifiers (PUBACKs), or their commands for anything else. */
async function acks(c: RawMqtt, count: number): Promise<(number | string)[]> {
  const ids: (number | string)[] = [];
  for (let i = 0; i < count; i++) {
    const p = await c.next();
    ids.push(p.cmd === 'puback' ? (p.messageId as number) : p.cmd);
  }
  return ids;
}

/** Holds every commit until release(): the ledger's insertBatch waits (an fsync that takes its time). */
function holdCommits(): { release(): void } {
  const ledger = central.ledger;
  const insertBatch = ledger.insertBatch.bind(ledger);
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  ledger.insertBatch = async (messages) => {
    await gate;
    return insertBatch(messages);
  };
  return { release };
}

describe('[MQTT-4.6.0-2] PUBACKs in the order the QoS 1 PUBLISH packets arrived', () => {
  it('a usage event waiting for its commit, then publishes answered at once: acknowledged in sending order', async () => {
    const c = await raw();
    c.send(usage(1, 1), reply(2), dropped(3), reply(4), usage(5, 2), dropped(6), reply(7));
    expect(await acks(c, 7)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect((await central.ledger.events(UNIT, GATEWAY)).map((e) => e.seq)).toEqual([1, 2]);
    expect(central.security.refusals['publish-not-allowed']).toBe(2);
    expect(central.ingest.pubacks.clientsWaiting).toBe(0);
  });

  it('also the answers the ingest gives in another order: a QoS 1 reading, an event the writer dead-letters, a dead letter past its quota', async () => {
    const c = await raw();
    const telemetry = topics.telemetry(UNIT, GATEWAY, 'bench-1', 'water-temp');
    c.send(
      publish(1, telemetry, JSON.stringify({ value: 20, at: Date.now() })), // committed after the batch's events
      usage(2, 1),
      publish(3, topics.usage(UNIT, GATEWAY), 'junk'), // dead-lettered by the writer, in the next commit
      usage(4, 2),
      publish(5, topics.kitState(UNIT, GATEWAY, 'bench-1'), 'not json'), // the hour's one dead letter, stored
      publish(6, 'somewhere/else', 'x'), // a dead letter past the quota: dropped, answered at once
      publish(7, telemetry, JSON.stringify({ value: 21, at: Date.now() })), // replaces the first reading
      reply(8),
    );
    expect(await acks(c, 8)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect((await central.ledger.events(UNIT, GATEWAY)).map((e) => e.seq)).toEqual([1, 2]);
    expect((await central.ledger.telemetry(UNIT, GATEWAY))).toMatchObject([{ value: 21 }]);
    expect(central.ingest.pubacks.clientsWaiting).toBe(0);
  });

  it('with a slow commit: nothing is acknowledged before the event is committed, then everything in order', async () => {
    const c = await raw();
    const commits = holdCommits();
    const e = sessionStart(1);
    // A PINGRESP is answered at once in the same chunk: what would overtake the event came before it.
    c.send(publish(1, topics.usage(UNIT, GATEWAY), JSON.stringify(e)), reply(2), dropped(3), reply(4), pingreq);
    expect(await c.next()).toMatchObject({ cmd: 'pingresp' });
    expect(central.ingest.pubacks.clientsWaiting).toBe(1);
    expect(await central.ledger.event(e.eventId)).toBeUndefined();
    commits.release();
    const first = await c.next();
    expect(first).toMatchObject({ cmd: 'puback', messageId: 1 });
    expect(await central.ledger.event(e.eventId)).toBeDefined(); // committed when its PUBACK came
    expect(await acks(c, 3)).toEqual([2, 3, 4]);
    expect(central.ingest.pubacks.clientsWaiting).toBe(0);
  });

  it('a refused publish that closes the connection closes it at once, as without a held one; the held event is still committed and nothing is left held', async () => {
    const c = await raw();
    const commits = holdCommits();
    const e = sessionStart(1);
    // U+0000 in a topic: a protocol violation [MQTT-4.7.3-2]; what follows it in the chunk is not handled.
    c.send(publish(1, topics.usage(UNIT, GATEWAY), JSON.stringify(e)), reply(2), publish(3, 'a/\u0000', 'x'), reply(4), pingreq);
    await c.closed;
    expect(c.received).toEqual([]); // nothing acknowledged out of order, nor after the violation
    expect(central.security.refusals['protocol-violation']).toBe(1);
    commits.release();
    await until(central, async () => (await central.ledger.event(e.eventId)) !== undefined && central.ingest.pubacks.clientsWaiting === 0);

    const again = await raw();
    again.send(usage(1, 1), reply(2), usage(3, 2)); // the event again (its PUBACK never came), then more
    expect(await acks(again, 3)).toEqual([1, 2, 3]);
    expect((await central.ledger.events(UNIT, GATEWAY)).map((x) => x.seq)).toEqual([1, 2]);
  });

  it('a held publish the ledger cannot take closes the connection, and nothing sent after it is acknowledged first', async () => {
    const c = await raw();
    const ledger = central.ledger;
    const insertBatch = ledger.insertBatch.bind(ledger);
    let fail!: () => void;
    const failing = new Promise<void>((resolve) => (fail = resolve));
    // Not a busy database (retried): a write that fails, alone too, and then as a dead letter.
    ledger.insertBatch = async () => {
      await failing;
      throw Object.assign(new Error('disk I/O error'), { code: 'SQLITE_IOERR' });
    };
    try {
      c.send(usage(1, 1), reply(2), dropped(3), pingreq);
      expect(await c.next()).toMatchObject({ cmd: 'pingresp' });
      fail();
      await c.closed;
      expect(c.received).toEqual([]);
      expect(central.ingest.stats.failed).toBeGreaterThanOrEqual(1);
      expect(central.ingest.pubacks.clientsWaiting).toBe(0);
    } finally {
      ledger.insertBatch = insertBatch;
    }
  });

  it('a client that disconnects while its PUBACKs are held: its event is still committed, nothing is left held, and its next connection is in order', async () => {
    const c = await raw();
    const commits = holdCommits();
    const e = sessionStart(1);
    c.send(publish(1, topics.usage(UNIT, GATEWAY), JSON.stringify(e)), reply(2), dropped(3), pingreq);
    expect(await c.next()).toMatchObject({ cmd: 'pingresp' });
    expect(central.ingest.pubacks.clientsWaiting).toBe(1);
    const gone = once(central.broker, 'clientDisconnect');
    c.socket.destroy();
    await gone;
    commits.release();
    await until(central, async () => (await central.ledger.event(e.eventId)) !== undefined && central.ingest.pubacks.clientsWaiting === 0);
    expect(central.ingest.stats.failed).toBe(0);

    const again = await raw();
    again.send(usage(1, 1), reply(2), usage(3, 2), dropped(4)); // the event again (the PUBACK never came), then more
    expect(await acks(again, 4)).toEqual([1, 2, 3, 4]);
    expect((await central.ledger.events(UNIT, GATEWAY)).map((x) => x.seq)).toEqual([1, 2]);
    expect(central.ingest.pubacks.clientsWaiting).toBe(0);
  });
});
