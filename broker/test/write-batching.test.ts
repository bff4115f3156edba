/**
 * transport/write-batching.ts: the packets Aedes writes to a connection in one event-loop turn
 * leave in one writev, in order, with back-pressure and end() as before; and through a running
 * central, a subscriber still gets every message, in order.
 */
import { once } from 'node:events';
import { Writable } from 'node:stream';
import mqttPacket from 'mqtt-packet';
import mqtt from 'mqtt';
import { topics } from '@stemlab/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { batchWrites } from '../src/transport/write-batching.ts';
import { startTestCentral, type TestCentral } from './helpers.ts';

/** A stream recording each _writev (and _write) call's bytes. */
function recorder(highWaterMark = 16 * 1024): { stream: Writable; calls: Buffer[] } {
  const calls: Buffer[] = [];
  const stream = new Writable({
    highWaterMark,
    write(chunk: Buffer, _encoding, callback) {
      calls.push(chunk);
      callback();
    },
    writev(chunks, callback) {
      calls.push(Buffer.concat(chunks.map((c) => c.chunk as Buffer)));
      callback();
    },
  });
  return { stream, calls };
}

const publish = (i: number) => ({ cmd: 'publish' as const, topic: 't/x', payload: Buffer.from(`message ${i}`), qos: 0 as const, dup: false, retain: false });
const nextTurn = () => new Promise((resolve) => setImmediate(resolve));
/** What the packets are, written one after the other without batching. */
const expected = (from: number, to: number) => Buffer.concat(Array.from({ length: to - from }, (_, k) => mqttPacket.generate(publish(from + k))));

describe('batchWrites', () => {
  it('sends the packets of one turn, each written from its own immediate as Aedes does, in one write, in order', async () => {
    const { stream, calls } = recorder();
    batchWrites(stream);
    await Promise.all(Array.from({ length: 100 }, (_, i) => new Promise<void>((resolve) => setImmediate(() => (mqttPacket.writeToStream(publish(i), stream), resolve())))));
    await nextTurn();
    expect(calls.length).toBe(1);
    expect(Buffer.concat(calls)).toEqual(expected(0, 100));
    // The next turn's packets go out on their own, after these.
    mqttPacket.writeToStream(publish(100), stream);
    await nextTurn();
    expect(calls.length).toBe(2);
    expect(Buffer.concat(calls)).toEqual(expected(0, 101));
  });

  it('keeps back-pressure: write() says false past the high-water mark, and drain follows the flush', async () => {
    const { stream, calls } = recorder(256);
    batchWrites(stream);
    let full = false;
    for (let i = 0; i < 50 && !full; i++) full = !mqttPacket.writeToStream(publish(i), stream);
    expect(full).toBe(true);
    await once(stream, 'drain');
    expect(calls.length).toBeGreaterThan(0);
  });

  it('end() sends what is held at once', async () => {
    const { stream, calls } = recorder();
    batchWrites(stream);
    mqttPacket.writeToStream(publish(0), stream);
    const finished = once(stream, 'finish');
    stream.end();
    await finished;
    expect(Buffer.concat(calls)).toEqual(expected(0, 1));
  });
});

describe('a central with batched writes', () => {
  let central: TestCentral;
  beforeAll(async () => {
    central = await startTestCentral({ state: { kind: 'memory' } });
  });
  afterAll(async () => {
    await central?.cleanup();
  });

  it('delivers every message of a burst to a subscriber, in order', async () => {
    const options = { reconnectPeriod: 0 };
    const sub = await mqtt.connectAsync(central.mqttUrl, options);
    const pub = await mqtt.connectAsync(central.mqttUrl, options);
    try {
      const topic = topics.telemetry('burst-unit', 'burst-gw', 'robot-1', 'sonar');
      await sub.subscribeAsync(topic, { qos: 0 });
      const got: number[] = [];
      const all = new Promise<void>((resolve) =>
        sub.on('message', (_t, payload) => {
          got.push((JSON.parse(payload.toString()) as { value: number }).value);
          if (got.length === 2000) resolve();
        }),
      );
      for (let i = 0; i < 2000; i++) pub.publish(topic, JSON.stringify({ value: i, at: Date.now() }));
      await all;
      expect(got).toEqual(Array.from({ length: 2000 }, (_, i) => i));
    } finally {
      await sub.endAsync();
      await pub.endAsync();
    }
  });
});
