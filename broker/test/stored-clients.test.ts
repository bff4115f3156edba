/**
 * The in-memory index of which clients have broker state on disk (state/stored-clients.ts): the
 * LevelDB work Aedes does on every CONNECT is skipped only for clients with nothing stored, so a
 * client whose state was written before a restart must still have it kept (a persistent session)
 * or cleared (the same id back with a clean session). Real central, LevelDB state, real MQTT
 * clients; the stored keys are read back from LevelDB after the central stopped.
 */
import { join } from 'node:path';
import { Level } from 'level';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { startCentral, type Central } from '../src/central.ts';
import { ClientIndex } from '../src/state/stored-clients.ts';
import { tmpDir } from './helpers.ts';
import { OPEN_ANONYMOUS } from '../../testing/anonymous-rights.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface State {
  incomingStorePacket(client: { id: string }, packet: object): Promise<void>;
  incomingGetPacket(client: { id: string }, packet: { messageId: number }): Promise<unknown>;
  putWill(client: { id: string }, packet: object): Promise<void>;
  getWill(client: { id: string }): Promise<unknown>;
}

function rig() {
  const { dir, remove } = tmpDir();
  let central: Central | undefined;
  const clients: MqttClient[] = [];
  cleanups.push(async () => {
    await Promise.all(clients.map((c) => c.endAsync(true)));
    await central?.stop();
    remove();
  });
  return {
    dir,
    async start() {
      central = await startCentral({ dataDir: dir, mqtt: { host: '127.0.0.1', port: 0 }, security: OPEN_ANONYMOUS, log: pino({ level: 'silent' }) });
      return central;
    },
    async stop() {
      await central?.stop();
      central = undefined;
    },
    state: () => (central!.broker as unknown as { persistence: State }).persistence,
    async connect(options: IClientOptions) {
      return (await this.session(options)).client;
    },
    /** Connects, with the CONNACK's sessionPresent; `messages` collects what arrives from the first packet on. */
    async session(options: IClientOptions) {
      const client = mqtt.connect(central!.mqttUrl, { reconnectPeriod: 0, ...options });
      clients.push(client);
      const messages: string[] = [];
      client.on('message', (topic, payload) => messages.push(`${topic} ${payload.toString()}`));
      const connack = await new Promise<{ sessionPresent: boolean }>((resolve, reject) => {
        client.once('connect', resolve);
        client.once('error', reject);
      });
      return { client, sessionPresent: connack.sessionPresent, messages };
    },
  };
}

/** The keys stored for a client id, read from LevelDB itself (the central must be stopped). */
async function keysOf(dir: string, id: string): Promise<string[]> {
  const db = new Level<string, Buffer>(join(dir, 'broker-state'), { valueEncoding: 'buffer' });
  try {
    const keys: string[] = [];
    for await (const key of db.keys()) if (key.includes(`:${encodeURIComponent(id)}`)) keys.push(key);
    return keys;
  } finally {
    await db.close();
  }
}

const qos2 = (messageId: number) => ({ cmd: 'publish', topic: 't/x', payload: Buffer.from('x'), qos: 2, retain: false, dup: false, messageId });
const willPacket = { topic: 't/will', payload: Buffer.from('gone'), qos: 1, retain: false };

describe('the index of clients with stored state, across a restart', () => {
  it('keeps a persistent session and clears a clean one, for state written before the restart', async () => {
    const r = rig();
    await r.start();
    for (const id of ['keep', 'wipe']) {
      const c = await r.connect({ clientId: id, clean: false });
      await c.subscribeAsync(`t/${id}`, { qos: 1 });
      await c.endAsync();
      await r.state().incomingStorePacket({ id }, qos2(7));
      await r.state().putWill({ id }, { ...willPacket });
    }
    await r.stop();
    expect((await keysOf(r.dir, 'wipe')).sort()).toEqual(['incoming:wipe:0000000000000007', 'subscriptions:wipe:t/wipe', 'will:wipe']);

    await r.start();
    const pub = await r.connect({ clientId: 'pub' });
    await pub.publishAsync('t/keep', 'queued', { qos: 1 });

    // The persistent session is back, with its queued message and its incoming QoS 2 entry.
    const keep = await r.session({ clientId: 'keep', clean: false });
    expect(keep.sessionPresent).toBe(true);
    await expect.poll(() => keep.messages).toEqual(['t/keep queued']);
    expect(await r.state().incomingGetPacket({ id: 'keep' }, { messageId: 7 })).toMatchObject({ messageId: 7 });

    // The same id back with a clean session: its subscriptions, incoming entries and will are cleared.
    const wipe = await r.connect({ clientId: 'wipe', clean: true });
    await wipe.endAsync();
    await expect.poll(() => r.state().incomingGetPacket({ id: 'wipe' }, { messageId: 7 }).then(() => 'kept', () => 'cleared')).toBe('cleared');
    expect(await r.state().getWill({ id: 'wipe' })).toBeUndefined();
    await keep.client.endAsync();
    await pub.endAsync();
    await r.stop();

    expect(await keysOf(r.dir, 'wipe')).toEqual([]);
    expect((await keysOf(r.dir, 'keep')).filter((k) => !k.startsWith('will:'))).toEqual(expect.arrayContaining(['incoming:keep:0000000000000007', 'subscriptions:keep:t/keep']));

    // And a third start still knows: 'keep' resumes its session, 'wipe' has none.
    await r.start();
    const sessions: Record<string, boolean> = {};
    for (const id of ['keep', 'wipe']) {
      const c = await r.session({ clientId: id, clean: false });
      sessions[id] = c.sessionPresent;
      await c.client.endAsync();
    }
    expect(sessions).toEqual({ keep: true, wipe: false });
  });

  it('a client without stored state that starts storing is indexed at once (a QoS 2 duplicate is still caught)', async () => {
    const r = rig();
    await r.start();
    const c = await r.connect({ clientId: 'fresh', clean: true });
    await c.publishAsync('t/fresh', 'once', { qos: 2 });
    await r.state().incomingStorePacket({ id: 'fresh' }, qos2(9));
    expect(await r.state().incomingGetPacket({ id: 'fresh' }, { messageId: 9 })).toMatchObject({ messageId: 9 });
    await r.state().putWill({ id: 'fresh' }, { ...willPacket });
    expect(await r.state().getWill({ id: 'fresh' })).toMatchObject({ topic: 't/will' });
    await c.endAsync();
    await expect.poll(() => r.state().incomingGetPacket({ id: 'fresh' }, { messageId: 9 }).then(() => 'kept', () => 'cleared')).toBe('cleared');
  });
});

describe('ClientIndex', () => {
  it('forgets an id only after a clear that no write overlapped', () => {
    const index = new ClientIndex();
    index.load('a');
    index.clearing('a')();
    expect(index.has('a')).toBe(false);

    // A write still running when the clear started: its key may land after the clear.
    const written = index.writing('b');
    const clearedB = index.clearing('b');
    written();
    clearedB();
    expect(index.has('b')).toBe(true);

    // A write that began while the clear ran.
    index.load('c');
    const clearedC = index.clearing('c');
    index.writing('c')();
    clearedC();
    expect(index.has('c')).toBe(true);

    // A clear of an id with nothing stored changes nothing.
    index.clearing('d')();
    expect(index.has('d')).toBe(false);
    expect(index.size).toBe(2);
  });
});
