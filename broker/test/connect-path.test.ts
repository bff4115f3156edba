/**
 * What the central changes in Aedes's CONNECT path from outside (issue 17, the reconnect storm):
 *
 * - state/client-announcements.ts: alone (no cluster), `$SYS/{id}/new/clients` and
 *   `/disconnect/clients` go out only while a client is subscribed to a '$' filter;
 * - state/empty-queue.ts: the pipeline of an empty offline queue ends at once.
 *
 * Each replaces or relies on a piece of Aedes 1.2's code, pinned here: an Aedes whose code
 * changed fails these tests, and the override must be looked at again.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import stream, { PassThrough, Readable, Writable } from 'node:stream';
import { promisify } from 'node:util';
import { Aedes } from 'aedes';
import mqtt, { type MqttClient } from 'mqtt';
import { gatewayClientId } from '@stemlab/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { emptyPipelinesSkipped, NothingQueued } from '../src/state/empty-queue.ts';
import { startTestCentral, until, UNIT, type TestCentral } from './helpers.ts';

const aedesDir = dirname(createRequire(import.meta.url).resolve('aedes'));
const squash = (code: string) => code.replace(/\s+/g, ' ').trim();

let central: TestCentral | undefined;
const clients: MqttClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.endAsync(true)));
  await central?.cleanup();
  central = undefined;
});

async function client(id: string, options: mqtt.IClientOptions = {}): Promise<MqttClient> {
  const c = await mqtt.connectAsync(central!.mqttUrl, { clientId: id, reconnectPeriod: 0, ...options });
  clients.push(c);
  return c;
}

describe("Aedes's code the overrides stand on", () => {
  it('registers and unregisters a client as client-announcements.ts copies it', () => {
    const proto = Aedes.prototype as unknown as Record<string, () => void>;
    expect(squash(proto._finishRegisterClient!.toString())).toBe(
      squash(`_finishRegisterClient (client) {
        this.connectedClients++
        this.clients[client.id] = client
        this.emit('client', client)
        this.publish({
          topic: $SYS_PREFIX + this.id + '/new/clients',
          payload: Buffer.from(client.id, 'utf8')
        }, noop)
      }`),
    );
    expect(squash(proto.unregisterClient!.toString())).toBe(
      squash(`unregisterClient (client) {
        this.deleteClient(client.id)
        this.emit('clientDisconnect', client)
        this.publish({
          topic: $SYS_PREFIX + this.id + '/disconnect/clients',
          payload: Buffer.from(client.id, 'utf8')
        }, noop)
      }`),
    );
  });

  it("pipes the outgoing queue with stream's pipeline on CONNECT, as empty-queue.ts expects", () => {
    const source = squash(readFileSync(join(aedesDir, 'lib/handlers/connect.js'), 'utf8'));
    expect(source).toContain("import { pipeline } from 'stream'");
    expect(source).toContain('const outgoing = persistence.outgoingStream(client) client.resume() pipeline( outgoing, through(function clearQueue (data, enc, next) {');
  });
});

describe('$SYS announcements of connects and closes, on a central alone', () => {
  it("reach a '$' subscriber, and are left out while there is none; presence and a takeover of the id work either way", async () => {
    central = await startTestCentral();
    const published: string[] = [];
    const broker = central.broker as unknown as { publish: (packet: { topic: string }, ...rest: unknown[]) => void };
    const publish = broker.publish;
    broker.publish = function (packet, ...rest) {
      if (packet.topic.startsWith('$SYS/') && packet.topic.endsWith('/clients')) published.push(packet.topic.split('/').slice(2).join('/'));
      return publish.call(this, packet, ...rest);
    };
    const id = gatewayClientId(UNIT, 'lab-7');

    // A subscriber to '#' does not hear $SYS topics [MQTT-4.7.2-1]: nothing is announced.
    const display = await client('display');
    await display.subscribeAsync('#');
    const first = await client(id);
    await until(central, async () => (await central!.ledger.gateway(UNIT, 'lab-7'))?.connected === true);
    // The same id again: Aedes closes the first connection (a takeover on one node); the gateway stays connected.
    const second = await client(id);
    await expect.poll(() => first.connected).toBe(false);
    await until(central, async () => (await central!.ledger.gateway(UNIT, 'lab-7'))?.connected === true);
    expect(published).toEqual([]);

    // A '$' subscriber hears them, as from a plain Aedes.
    const heard: string[] = [];
    const watcher = await client('watcher');
    watcher.on('message', (topic, payload) => heard.push(`${topic.split('/').slice(2).join('/')} ${payload.toString()}`));
    await watcher.subscribeAsync(['$SYS/+/new/clients', '$SYS/+/disconnect/clients']);
    await second.endAsync();
    const third = await client(id);
    await expect.poll(() => heard).toEqual([`disconnect/clients ${id}`, `new/clients ${id}`]);
    await watcher.unsubscribeAsync(['$SYS/+/new/clients', '$SYS/+/disconnect/clients']);
    const count = published.length;
    await third.endAsync();
    await until(central, async () => (await central!.ledger.gateway(UNIT, 'lab-7'))?.connected === false);
    expect(published.length).toBe(count);

    // A subscriber that leaves by closing its connection counts no more either (Aedes drops its
    // subscriptions before it unregisters it, so its own close is not announced, as before).
    await watcher.subscribeAsync('$SYS/#');
    await client('early');
    expect(published.length).toBe(count + 1);
    await watcher.endAsync();
    await expect.poll(() => Object.keys((central!.broker as unknown as { clients: object }).clients)).not.toContain('watcher');
    await client('late'); // registered (and announced, or not) before its CONNACK
    expect(published.length).toBe(count + 1);
  });
});

describe('the pipeline of an empty offline queue', () => {
  it('ends at once for a clean client, and the CONNECT completes', async () => {
    central = await startTestCentral();
    const before = emptyPipelinesSkipped();
    const c = await client('fresh');
    await c.subscribeAsync('t/x');
    const got = new Promise<string>((resolve) => c.once('message', (_t, p) => resolve(p.toString())));
    await c.publishAsync('t/x', 'hello', { qos: 1 });
    expect(await got).toBe('hello');
    expect(emptyPipelinesSkipped()).toBe(before + 1);
    // A queue with messages still goes through Node's pipeline: stored-clients.test.ts ("keeps a persistent session").
  });

  it("leaves every other pipeline to Node's", async () => {
    central = await startTestCentral();
    const seen: string[] = [];
    const sink = new Writable({ objectMode: true, write: (chunk: string, _e, next) => (seen.push(chunk), next()) });
    await promisify(stream.pipeline)(Readable.from(['a', 'b']), new PassThrough({ objectMode: true }), sink);
    expect(seen).toEqual(['a', 'b']);
    expect(promisify(stream.pipeline)).toBe(stream.promises.pipeline);
    // A NothingQueued read by anything else is an ended stream of nothing.
    const items: unknown[] = [];
    for await (const item of new NothingQueued()) items.push(item);
    expect(items).toEqual([]);
    const done = await new Promise<Error | null | undefined>((resolve) => stream.pipeline(new NothingQueued(), new PassThrough({ objectMode: true }), new PassThrough({ objectMode: true }), resolve));
    expect(done).toBeFalsy();
  });
});
