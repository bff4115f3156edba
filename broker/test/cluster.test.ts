/**
 * Two central nodes over one Redis (mqemitter-redis + aedes-persistence-redis), in one test:
 * gateways on each node, every usage event in the ledger exactly once, commands and retained
 * births across nodes, a session that moves between nodes, and a gateway that moves from node A
 * to node B staying connected in the ledger.
 *
 * Both nodes share one data dir, hence one ledger file: two SQLite writers on one machine, the
 * ingest retrying SQLITE_BUSY. That is how nodes on one host share a ledger; nodes on several
 * hosts need a ledger server (SQLite over a network share is not safe).
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { pino } from 'pino';
import type { EventEmitter } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gatewayClientId, topics } from '@stemlab/protocol';
import { assertAvailable, shouldRun } from '../../testing/requirements.ts';
import { redis, REDIS_URL } from '../../testing/services.ts';
import { within } from '../../testing/within.ts';
import { startCentral, type Central } from '../src/central.ts';
import { CentralConfigError } from '../src/config.ts';
import { endSessions, sweepRedis } from './fixtures/redis-sweep.ts';
import { birth, publishUsage, sessionStart, tmpDir, will } from './helpers.ts';
import { OPEN_ANONYMOUS } from '../../testing/anonymous-rights.ts';

/**
 * Redis databases of this file (the broker state; pub/sub is server-wide, so names are unique per
 * run): nodes A and B at the default heartbeat, and the fast-beating nodes of the tests of a dead
 * node, in a database of their own because a cluster's nodes must agree on the rate.
 */
const REDIS_DB = 14;
const FAST_DB = 12;
/**
 * Key prefixes (cluster.keyPrefix) of this run: the heartbeat rate nodes agree on is a Redis key,
 * and a run of this file in another clone at the same time, or one test's nodes stopped a moment
 * ago, must not hold a rate the next nodes are refused by. One per group of nodes.
 */
const run_ = randomUUID().slice(0, 8);
const keyPrefix = (group: string) => `test-${run_}-${group}:`;
const redisUp = await redis();
const run = shouldRun('cluster tests (two central nodes over Redis)', redisUp);

describe.runIf(run)('two central nodes over Redis', () => {
  const unit = `t-${randomUUID().slice(0, 8)}`;
  const data = tmpDir();
  let a: Central;
  let b: Central;
  const clients: MqttClient[] = [];
  const connect = async (node: Central, options: IClientOptions = {}) => {
    const client = await mqtt.connectAsync(node.mqttUrl, { reconnectPeriod: 0, ...options });
    clients.push(client);
    return client;
  };
  /** Broker ids of the nodes a test starts and stops itself (on FAST_DB), for the Redis clean-up. */
  const otherIds: string[] = [];
  const ledgerGateway = (gateway: string) => Promise.resolve(a.ledger.gateway(unit, gateway));

  beforeAll(async () => {
    assertAvailable('Redis', redisUp);
    const node = (nodeId: string) =>
      startCentral({
        dataDir: data.dir,
        mqtt: { host: '127.0.0.1', port: 0 },
        cluster: { redis: `${REDIS_URL}/${REDIS_DB}`, nodeId, keyPrefix: keyPrefix('ab') },
        security: OPEN_ANONYMOUS,
        log: pino({ level: 'silent' }),
      });
    a = await node('node-a');
    b = await node('node-b');
  });

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.endAsync(true)));
    if (a) await endSessions(a.mqttUrl, clients.map((c) => c.options.clientId!));
    await b?.stop();
    await a?.stop();
    // Leave the shared Redis as we found it.
    await sweepRedis(`${REDIS_URL}/${REDIS_DB}`, unit, [a, b].filter(Boolean).map((node) => node.broker.id));
    await sweepRedis(`${REDIS_URL}/${FAST_DB}`, unit, otherIds);
    data.remove();
  });

  it('gives each node its own broker id, sharing the Redis state', () => {
    expect(a.broker.id).toMatch(/^node-a-[0-9a-z]{9}-[0-9a-f]{6}$/);
    expect(b.broker.id).toMatch(/^node-b-[0-9a-z]{9}-[0-9a-f]{6}$/);
    expect(b.broker.id.slice(7) > a.broker.id.slice(7)).toBe(true); // started later, sorts later
    expect(a.brokerState).toBe(`redis://127.0.0.1:6379/${REDIS_DB}`);
  });

  it('is known to the other nodes as soon as it starts, not a heartbeat (60 s) later', async () => {
    // Else a will sweep of node A in that minute would take B for dead and publish, then delete,
    // the wills of B's new gateways (state/emitter.ts announceNode).
    await expect.poll(() => a.broker.brokers[b.broker.id]).toBeDefined();
    expect(Date.now() - a.broker.brokers[b.broker.id]!).toBeLessThan(60_000);
  });

  it('refuses a node whose heartbeat differs from the running nodes\', naming the field; takes a new rate once all have stopped', async () => {
    const start = (redisDb: number, nodeId: string, heartbeatSeconds: number) =>
      startCentral({ dataDir: data.dir, mqtt: { host: '127.0.0.1', port: 0 }, cluster: { redis: `${REDIS_URL}/${redisDb}`, nodeId, heartbeatSeconds, keyPrefix: keyPrefix(redisDb === REDIS_DB ? 'ab' : 'fg') }, security: OPEN_ANONYMOUS, log: pino({ level: 'silent' }) });
    const refusal = (heartbeatSeconds: number, agreed: number) => ({
      issues: [{ path: 'cluster.heartbeatSeconds', message: expect.stringContaining(`${heartbeatSeconds} here, but the nodes running on this Redis use ${agreed}: give every node the same value`) }],
    });
    // A and B run at the default 60 s: a node at 30 s would take them for dead.
    await expect(start(REDIS_DB, 'node-e', 30)).rejects.toThrow(CentralConfigError);
    await expect(start(REDIS_DB, 'node-e', 30)).rejects.toMatchObject(refusal(30, 60));
    // Every node at 0.5 s stopped: 0.25 s is refused until the old rate expires (3 heartbeats), then taken.
    const f = await start(FAST_DB, 'node-f', 0.5);
    otherIds.push(f.broker.id);
    await f.stop();
    await expect(start(FAST_DB, 'node-g', 0.25)).rejects.toMatchObject(refusal(0.25, 0.5));
    let g: Central | undefined;
    await expect.poll(async () => (g ??= await start(FAST_DB, 'node-g', 0.25).catch(() => undefined)) !== undefined).toBe(true);
    otherIds.push(g!.broker.id);
    await g!.stop();
  });

  it('lives through the broker\'s error event (a dead node\'s will it could not publish), which Aedes emits with no one bound to hear it', () => {
    expect(() => (a.broker as unknown as EventEmitter).emit('error', new Error('will refused'))).not.toThrow();
  });

  it('writes every usage event to the ledger exactly once, whichever node its gateway is on', async () => {
    // Watchers on both nodes subscribe to everything of the unit, so every event also crosses
    // Redis to the other node: that copy must not reach the ledger a second time.
    const watched = { a: 0, b: 0 };
    for (const [name, node] of [['a', a], ['b', b]] as const) {
      const watcher = await connect(node);
      watcher.on('message', () => watched[name]++);
      await watcher.subscribeAsync(`stemlab/v1/${unit}/+/usage`, { qos: 1 });
    }
    const perGateway = 40;
    const gateways = [
      ...[1, 2, 3].map((i) => ({ node: a, gateway: `on-a-${i}` })),
      ...[1, 2, 3].map((i) => ({ node: b, gateway: `on-b-${i}` })),
    ];
    const received = { a: a.ingest.stats.received, b: b.ingest.stats.received };
    await Promise.all(
      gateways.map(async ({ node, gateway }) => {
        const gw = await connect(node, { clientId: gatewayClientId(unit, gateway) });
        for (let seq = 1; seq <= perGateway; seq++) await publishUsage(gw, sessionStart(seq), unit, gateway);
      }),
    );
    // A PUBACK comes after the commit of the node that took the event.
    for (const { gateway } of gateways) {
      const events = await Promise.resolve(a.ledger.events(unit, gateway));
      expect(events.map((e) => e.seq)).toEqual(Array.from({ length: perGateway }, (_, i) => i + 1));
    }
    // Each node took exactly its own gateways' events (plus their connection rows, not counted in received).
    expect(a.ingest.stats.received - received.a).toBe(3 * perGateway);
    expect(b.ingest.stats.received - received.b).toBe(3 * perGateway);
    await expect.poll(() => watched).toEqual({ a: 6 * perGateway, b: 6 * perGateway });
    const counts = await Promise.resolve(a.ledger.counts());
    expect(counts.deadLetters).toBe(0);
  });

  it('delivers a command published on node A to a gateway subscribed on node B, and queues it in the shared session while the gateway is away', async () => {
    const clientId = gatewayClientId(unit, 'cmd-gw');
    const gw = await connect(b, { clientId, clean: false });
    await gw.subscribeAsync(topics.commands(unit, 'cmd-gw'), { qos: 1 });
    const operator = await connect(a);
    const first = new Promise<string>((resolve) => gw.once('message', (_t, p) => resolve(p.toString())));
    await operator.publishAsync(topics.command(unit, 'cmd-gw', 'estop'), '{"requestId":"live"}', { qos: 1 });
    expect(await within(first, 'the live command on node B')).toBe('{"requestId":"live"}');

    // Offline: the command waits in Redis, and the gateway picks it up on node A.
    await gw.endAsync();
    await operator.publishAsync(topics.command(unit, 'cmd-gw', 'estop'), '{"requestId":"queued"}', { qos: 1 });
    const back = mqtt.connect(a.mqttUrl, { clientId, clean: false, reconnectPeriod: 0 });
    clients.push(back);
    const queued = new Promise<string>((resolve) => back.once('message', (_t, p) => resolve(p.toString())));
    const connack = await within(new Promise<{ sessionPresent: boolean }>((resolve) => back.once('connect', resolve)), 'the CONNACK of node A');
    expect(connack.sessionPresent).toBe(true);
    expect(await within(queued, 'the queued command on node A')).toBe('{"requestId":"queued"}');
  });

  it('shows a retained birth published on node A to a subscriber on node B', async () => {
    const gw = await connect(a, { clientId: gatewayClientId(unit, 'born-on-a') });
    const state = birth(3);
    await gw.publishAsync(topics.gatewayState(unit, 'born-on-a'), JSON.stringify(state), { qos: 1, retain: true });
    const viewer = await connect(b);
    const seen = new Promise<{ payload: string; retain: boolean }>((resolve) => viewer.once('message', (_t, p, packet) => resolve({ payload: p.toString(), retain: packet.retain })));
    await viewer.subscribeAsync(topics.gatewayState(unit, 'born-on-a'), { qos: 1 });
    const got = await seen;
    expect(got.retain).toBe(true);
    expect(JSON.parse(got.payload)).toEqual(state);
  });

  it("keeps a gateway that moved from node A to node B connected: node A's late disconnect does not count", async () => {
    const gateway = 'mover';
    const clientId = gatewayClientId(unit, gateway);
    const stateTopic = topics.gatewayState(unit, gateway);
    const willOf = (bdSeq: number) => ({ topic: stateTopic, payload: Buffer.from(JSON.stringify(will(bdSeq))), qos: 1 as const, retain: true });
    const onA = await connect(a, { clientId, will: willOf(1) });
    await onA.publishAsync(stateTopic, JSON.stringify(birth(1)), { qos: 1, retain: true });
    expect(await ledgerGateway(gateway)).toMatchObject({ connected: true, online: true, bdSeq: 1 });

    const viewer = await connect(b);
    const oldWill = new Promise<unknown>((resolve) => viewer.on('message', (_t, p) => p.includes('"offline"') && resolve(JSON.parse(p.toString()))));
    await viewer.subscribeAsync(stateTopic, { qos: 1 });

    // Its connection to A has not timed out yet when it reaches B (a new route, a load balancer).
    const aLetGo = new Promise<void>((resolve) => a.broker.on('clientDisconnect', (client) => client.id === clientId && resolve()));
    const onB = await connect(b, { clientId, will: willOf(2) });
    await onB.publishAsync(stateTopic, JSON.stringify(birth(2)), { qos: 1, retain: true });
    // Node A closed its connection when node B announced the client, and published its will (bdSeq 1).
    await aLetGo;
    expect(await oldWill).toMatchObject({ status: 'offline', bdSeq: 1 });
    await new Promise<void>((resolve) => onA.stream.destroyed ? resolve() : onA.once('close', () => resolve()));
    await a.ingest.drain();
    await b.ingest.drain();
    expect(await ledgerGateway(gateway)).toMatchObject({ connected: true, online: true, bdSeq: 2 });

    // Its real end, on B, counts.
    await onB.endAsync();
    await expect.poll(() => ledgerGateway(gateway).then((g) => g?.connected)).toBe(false);
  });

  it("publishes, from a surviving node, the wills of the gateways that were on a node that died", { timeout: 60_000 }, async () => {
    // Node C in its own process, killed with SIGKILL; node D here. Fast heartbeats so the test
    // sees in seconds what takes 3 to 7 minutes with the default 60 s; not faster, or a loaded
    // machine delays a live node's heartbeats past the 3 intervals that mean dead.
    const cluster = { redis: `${REDIS_URL}/${FAST_DB}`, heartbeatSeconds: 0.5, keyPrefix: keyPrefix('cd') };
    const d = await startCentral({ dataDir: data.dir, mqtt: { host: '127.0.0.1', port: 0 }, cluster: { ...cluster, nodeId: 'node-d' }, security: OPEN_ANONYMOUS, log: pino({ level: 'silent' }) });
    const seen: string[] = []; // for the failure message
    d.ingest.on('retry', (e) => seen.push(`ingest retry: ${e.message}`));
    d.ingest.on('commit', (c) => seen.push(`commit of ${c.messages}`));
    const child = spawn(process.execPath, ['--import', 'tsx', new URL('./fixtures/central-node.ts', import.meta.url).pathname, JSON.stringify({ dataDir: data.dir, mqtt: { host: '127.0.0.1', port: 0 }, cluster: { ...cluster, nodeId: 'node-c' }, security: OPEN_ANONYMOUS })], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      const line = await new Promise<string>((resolve, reject) => {
        createInterface({ input: child.stdout }).once('line', resolve);
        child.once('exit', (code) => reject(new Error(`node C exited with ${code}`)));
      });
      const c = JSON.parse(line) as { mqttUrl: string; brokerId: string };
      otherIds.push(c.brokerId, d.broker.id);
      // C announced itself before it listened: D will not take it for dead before its first heartbeat.
      await expect.poll(() => d.broker.brokers[c.brokerId]).toBeDefined();
      const gateway = 'on-dead-node';
      const stateTopic = topics.gatewayState(unit, gateway);
      const gw = await mqtt.connectAsync(c.mqttUrl, { clientId: gatewayClientId(unit, gateway), reconnectPeriod: 0, will: { topic: stateTopic, payload: Buffer.from(JSON.stringify(will(4))), qos: 1, retain: true } });
      gw.on('error', () => undefined);
      await gw.publishAsync(stateTopic, JSON.stringify(birth(4)), { qos: 1, retain: true });
      expect(await ledgerGateway(gateway)).toMatchObject({ online: true, connected: true, bdSeq: 4 });
      const viewer = await connect(d);
      const willSeen = new Promise<string>((resolve) => viewer.on('message', (_t, p) => p.includes('"offline"') && resolve(p.toString())));
      await viewer.subscribeAsync(stateTopic, { qos: 1 });

      child.kill('SIGKILL');
      const diedAt = Date.now();
      const willOrWhy = within(willSeen, 'the will from node D after node C died', 20_000).catch((err: Error) => {
        throw new Error(`${err.message}; D knows brokers ${JSON.stringify(Object.keys(d.broker.brokers))}; D's ingest: ${seen.slice(0, 20).join(', ') || 'nothing'}`);
      });
      expect(JSON.parse(await willOrWhy)).toMatchObject({ status: 'offline', bdSeq: 4 });
      // 3 to 7 heartbeats of 0.5 s; a loaded CI machine stretches timers, hence the margin.
      expect(Date.now() - diedAt).toBeLessThan(15_000);
      await expect.poll(() => ledgerGateway(gateway).then((g) => g?.online)).toBe(false);
      // No node saw the connection end, so the ledger still has it connected: the will, not the broker, says offline.
      expect(await ledgerGateway(gateway)).toMatchObject({ online: false, connected: true });
      gw.end(true);
    } finally {
      child.kill('SIGKILL');
      await d.stop();
    }
  });
});
