/**
 * The central end to end on both ledger backends: a real Aedes on port 0, real MQTT clients, a
 * real SQLite file or a real PostgreSQL schema. What these protect: an acknowledged event is
 * committed, stored once, gaps and evictions stay visible, nothing malformed is lost or crashes
 * the ingest, presence follows the gateway, a busy or lost database holds the PUBACK.
 */
import { once } from 'node:events';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import mqtt, { type MqttClient } from 'mqtt';
import pg from 'pg';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { topics } from '@stemlab/protocol';
import { POSTGRES_URL } from '../../testing/services.ts';
import type { CentralOptions } from '../src/central.ts';
import { openLedger, type Ledger, type LedgerChoice } from '../src/ledger/ledger.ts';
import { BACKENDS, LedgerFactory } from './backends.ts';
import {
  birth,
  connectGateway,
  GATEWAY,
  outboxEvicted,
  publishUsage,
  sessionStart,
  startTestCentral,
  UNIT,
  until,
  will,
  type TestCentral,
} from './helpers.ts';

const schemaOf = (c: TestCentral) => /schema (\w+)$/.exec(c.ledger.where)?.[1] as string;

describe.each(BACKENDS)('the ingest on $backend', ({ backend, run }) => {
  const factory = new LedgerFactory(backend);
  let central: TestCentral;
  let choice: LedgerChoice | undefined;
  const clients: MqttClient[] = [];
  async function gateway(options: Parameters<typeof connectGateway>[1] = {}): Promise<MqttClient> {
    const client = await connectGateway(central, options);
    clients.push(client);
    return client;
  }
  const seqs = async () => (await central.ledger.events(UNIT, GATEWAY)).map((e) => e.seq);
  const start = (options: Partial<CentralOptions> = {}) => {
    factory.require();
    choice = factory.choice();
    return startTestCentral({ ...options, ...(choice ? { ledger: choice } : {}) });
  };
  /** The same ledger, opened again after the central stopped. */
  const reopen = (): Promise<Ledger> => openLedger(choice?.kind === 'postgres' ? choice : { kind: 'sqlite', file: join(central.dataDir, 'ledger.sqlite') });

  beforeEach(async () => {
    if (run) central = await start();
  });
  afterEach(async () => {
    if (!run) return;
    await Promise.all(clients.splice(0).map((c) => c.endAsync(true)));
    await central.cleanup();
  });
  afterAll(() => factory.dispose());

  describe.runIf(run)('(service available)', () => {
    describe('usage events', () => {
      it('stores an event published twice once, and the row is committed when the PUBACK arrives', async () => {
        const gw = await gateway();
        const e = sessionStart(1);
        await publishUsage(gw, e);
        expect((await central.ledger.event(e.eventId))).toMatchObject({ seq: 1, unit: UNIT, gateway: GATEWAY });
        await publishUsage(gw, e);
        expect(await seqs()).toEqual([1]);
        expect(central.ledger.stats.duplicates).toBe(1);
      });

      it('acknowledges each of many QoS 1 events only after its row is committed', async () => {
        // A long batching window: an ack sent before the commit would reach the client first.
        await central.cleanup();
        central = await start({ ingest: { maxDelayMs: 50 } });
        const gw = await gateway();
        const events = Array.from({ length: 200 }, (_, i) => sessionStart(i + 1));
        const missingAtAck: number[] = [];
        await Promise.all(events.map((e) => publishUsage(gw, e).then(async () => (await central.ledger.event(e.eventId)) ?? missingAtAck.push(e.seq))));
        expect(missingAtAck).toEqual([]);
      });

      if (backend === 'sqlite') it('holds the PUBACK while the database is locked, and sends it once the event is committed', async () => {
        const gw = await gateway();
        const blocker = new Database(join(central.dataDir, 'ledger.sqlite'));
        blocker.exec('BEGIN IMMEDIATE'); // another writer (a backup, say) holds the write lock
        const e = sessionStart(1);
        let acked = false;
        const publishing = publishUsage(gw, e).then(() => (acked = true));
        await once(central.ingest, 'retry');
        await once(central.ingest, 'retry'); // still busy: the PUBACK must still be held
        expect(acked).toBe(false);
        expect(await central.ledger.event(e.eventId)).toBeUndefined();
        blocker.exec('COMMIT');
        blocker.close();
        await publishing;
        expect(await central.ledger.event(e.eventId)).toBeDefined();
        expect(gw.connected).toBe(true);
      });

      if (backend === 'postgres') it('holds the PUBACK while the connection to PostgreSQL is lost mid-transaction, and sends it once the retried batch commits', async () => {
        const gw = await gateway();
        const schema = schemaOf(central);
        const blocker = new pg.Client({ connectionString: POSTGRES_URL });
        await blocker.connect();
        try {
          // Another session holds the table: the central's batch waits on it inside its transaction...
          await blocker.query('BEGIN');
          await blocker.query(`LOCK TABLE ${schema}.usage_events IN ACCESS EXCLUSIVE MODE`);
          const blockerPid = (await blocker.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]?.pid;
          const e = sessionStart(1);
          let acked = false;
          const publishing = publishUsage(gw, e).then(() => (acked = true));
          const retried = once(central.ingest, 'retry');
          // ...and its connection is cut (a restart, a failover): the batch must be retried, not lost or acknowledged.
          for (let killed = 0; killed === 0; ) {
            await new Promise((r) => setTimeout(r, 20));
            killed = (await blocker.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE $1 = ANY(pg_blocking_pids(pid))', [blockerPid])).rowCount ?? 0;
          }
          const [error] = (await retried) as [Error & { code?: string }];
          expect(error.code).toBe('57P01'); // admin_shutdown: the connection was terminated
          expect(acked).toBe(false);
          await blocker.query('COMMIT');
          await publishing;
          expect(await central.ledger.event(e.eventId)).toBeDefined();
          expect(central.ingest.stats.failed).toBe(0);
          expect(gw.connected).toBe(true);
        } finally {
          await blocker.end();
        }
      });

      it('commits 1,000 quickly published events in far fewer transactions', async () => {
        const gw = await gateway();
        const before = central.ledger.stats.transactions;
        await Promise.all(Array.from({ length: 1000 }, (_, i) => publishUsage(gw, sessionStart(i + 1))));
        expect((await central.ledger.counts()).events).toBe(1000);
        const transactions = central.ledger.stats.transactions - before;
        expect(transactions).toBeLessThan(100);
        expect(central.ingest.stats.commits).toBe(central.ledger.stats.transactions);
      });
    });

    describe('sequence gaps', () => {
      it('opens a gap on out-of-order seqs and closes it when the missing ones arrive', async () => {
        const gw = await gateway();
        for (const seq of [1, 4]) await publishUsage(gw, sessionStart(seq));
        expect((await central.ledger.gaps(UNIT, GATEWAY))).toMatchObject([{ fromSeq: 2, toSeq: 3, missing: 2, status: 'open' }]);
        for (const seq of [3, 2]) await publishUsage(gw, sessionStart(seq));
        expect((await central.ledger.gaps(UNIT, GATEWAY))).toMatchObject([{ fromSeq: 2, toSeq: 3, missing: 0, status: 'closed' }]);
        expect(await seqs()).toEqual([1, 2, 3, 4]);
      });

      it('records a range the outbox evicted as evicted', async () => {
        const gw = await gateway();
        await publishUsage(gw, sessionStart(1));
        await publishUsage(gw, outboxEvicted(7, 2, 6));
        expect((await central.ledger.gaps(UNIT, GATEWAY))).toMatchObject([{ fromSeq: 2, toSeq: 6, missing: 0, evicted: 5, status: 'evicted' }]);
      });
    });

    describe('malformed messages', () => {
      it('puts each in the dead letters with its reason, acknowledges it, and keeps the client connected', async () => {
        const gw = await gateway();
        const usage = topics.usage(UNIT, GATEWAY);
        const good = sessionStart(1);
        await gw.publishAsync(usage, '{"v":1,', { qos: 1 });
        await gw.publishAsync(usage, JSON.stringify({ ...good, seq: -1 }), { qos: 1 });
        await gw.publishAsync(usage, JSON.stringify({ ...good, seq: '1', device: { ...(good as { device: object }).device, kit: 7 } }), { qos: 1 });
        await gw.publishAsync(`stemlab/v1/${UNIT}/${GATEWAY}/usage/extra`, JSON.stringify(good), { qos: 1 });
        await gw.publishAsync('somewhere/else', 'hello', { qos: 1 });
        await gw.publishAsync(topics.usage(UNIT, 'another-gateway'), JSON.stringify(good), { qos: 1 });
        await gw.publishAsync(topics.kitState(UNIT, GATEWAY, 'robot-1'), Buffer.from([0xc3, 0x28]), { qos: 1 });

        const reasons = (await central.ledger.deadLetters()).map((d) => [d.topic, d.reason, d.clientId]);
        expect(reasons).toEqual([
          [usage, expect.stringMatching(/^not JSON: /), `gw:${UNIT}:${GATEWAY}`],
          [usage, expect.stringMatching(/^usage event fails the schema: seq: .*>\s*0/), expect.any(String)],
          [usage, expect.stringMatching(/seq: .*expected number.*; device\.kit: .*must be a string/), expect.any(String)],
          [`stemlab/v1/${UNIT}/${GATEWAY}/usage/extra`, expect.stringMatching(/^unknown topic/), expect.any(String)],
          ['somewhere/else', expect.stringMatching(/^unknown topic/), expect.any(String)],
          [topics.usage(UNIT, 'another-gateway'), `client 'gw:${UNIT}:${GATEWAY}' is gateway ${UNIT}/${GATEWAY} but published under ${UNIT}/another-gateway`, expect.any(String)],
          [topics.kitState(UNIT, GATEWAY, 'robot-1'), expect.stringMatching(/^not JSON/), expect.any(String)],
        ]);
        expect((await central.ledger.deadLetters()).at(-1)).toMatchObject({ encoding: 'base64', payload: Buffer.from([0xc3, 0x28]).toString('base64') });
        expect((await central.ledger.counts()).events).toBe(0);
        expect(gw.connected).toBe(true);
        await publishUsage(gw, good);
        expect(await seqs()).toEqual([1]);
      });

      it('dead-letters the bad events of a burst (validated by the ledger\'s writer) with their reasons, each PUBACK after its dead letter is committed', async () => {
        const gw = await gateway();
        const usage = topics.usage(UNIT, GATEWAY);
        const events = Array.from({ length: 60 }, (_, i) => sessionStart(i + 1));
        const bodies = events.map((e, i) => (i % 3 === 1 ? `junk ${i}` : JSON.stringify(e)));
        const missingAtAck: number[] = [];
        await Promise.all(
          bodies.map(async (body, i) => {
            await gw.publishAsync(usage, body, { qos: 1 });
            const stored = i % 3 === 1 ? (await central.ledger.deadLetters()).some((d) => d.payload === body) : (await central.ledger.event(events[i]!.eventId)) !== undefined;
            if (!stored) missingAtAck.push(i);
          }),
        );
        expect(missingAtAck).toEqual([]);
        expect(await seqs()).toEqual(bodies.flatMap((_, i) => (i % 3 === 1 ? [] : [i + 1])));
        const letters = await central.ledger.deadLetters();
        expect(letters.map((d) => d.payload).sort()).toEqual(bodies.filter((_, i) => i % 3 === 1).sort());
        expect(letters.every((d) => d.topic === usage && /^not JSON: /.test(d.reason) && d.clientId === `gw:${UNIT}:${GATEWAY}`)).toBe(true);
        expect(central.ingest.stats).toMatchObject({ received: 60, failed: 0, refused: 0 });
        expect(gw.connected).toBe(true);
      });

      it('still refuses $SYS publishes from clients, as Aedes does by default', async () => {
        const gw = await gateway();
        const closed = new Promise<void>((resolve) => gw.once('close', () => resolve()));
        gw.publish('$SYS/fake', 'x', { qos: 1 });
        await closed;
        expect((await central.ledger.counts()).deadLetters).toBe(0);
      });
    });

    describe('presence', () => {
      it('comes from the connection, the birth, and the will of a gateway that vanishes', async () => {
        const gw = await gateway({ bdSeq: 1 });
        await gw.publishAsync(topics.gatewayState(UNIT, GATEWAY), JSON.stringify(birth(1)), { qos: 1, retain: true });
        expect((await central.ledger.gateway(UNIT, GATEWAY))).toMatchObject({ online: true, connected: true, bdSeq: 1, clientId: `gw:${UNIT}:${GATEWAY}` });
        gw.stream.destroy(); // power cut: no DISCONNECT, so the broker publishes the will
        await until(central, async () => (await central.ledger.gateway(UNIT, GATEWAY))?.online === false);
        expect((await central.ledger.gateway(UNIT, GATEWAY))).toMatchObject({ online: false, connected: false });
      });

      it('goes offline on a clean disconnect, which has no will', async () => {
        const gw = await gateway({ bdSeq: 1 });
        await until(central, async () => (await central.ledger.gateway(UNIT, GATEWAY))?.online === true);
        await gw.endAsync();
        await until(central, async () => (await central.ledger.gateway(UNIT, GATEWAY))?.online === false);
      });

      it('commits a burst of connects together, and a message that waits for its commit takes them along at once', async () => {
        await central.cleanup();
        central = await start({ ingest: { presenceDelayMs: 60_000 } });
        const commits: number[] = [];
        central.ingest.on('commit', (c) => commits.push(c.messages));
        const gw = await gateway();
        for (let i = 0; i < 5; i++) await gateway({ gateway: `lab-${i}` }); // each its own event-loop turns
        expect(commits).toEqual([]); // the presence rows wait (before: a commit for nearly every connect)
        await publishUsage(gw, sessionStart(1)); // its PUBACK waits for the commit: no presence wait for it
        expect(commits).toEqual([7]);
        expect((await central.ledger.gateway(UNIT, GATEWAY))).toMatchObject({ connected: true });
      });

      it('ignores the will and the disconnect of a connection the gateway already replaced', async () => {
        // The old connection used a non-conventional id: it is bound to the gateway by what it publishes.
        const old = await mqtt.connectAsync(central.mqttUrl, {
          clientId: 'old-agent',
          reconnectPeriod: 0,
          will: { topic: topics.gatewayState(UNIT, GATEWAY), payload: Buffer.from(JSON.stringify(will(1))), qos: 1, retain: true },
        });
        clients.push(old);
        await old.publishAsync(topics.gatewayState(UNIT, GATEWAY), JSON.stringify(birth(1)), { qos: 1, retain: true });
        const gw = await gateway({ bdSeq: 2 });
        await gw.publishAsync(topics.gatewayState(UNIT, GATEWAY), JSON.stringify(birth(2)), { qos: 1, retain: true });
        old.stream.destroy();
        await until(central, () => central.ledger.stats.staleWills === 1);
        expect((await central.ledger.gateway(UNIT, GATEWAY))).toMatchObject({ online: true, connected: true, bdSeq: 2, clientId: `gw:${UNIT}:${GATEWAY}` });
      });
    });

    describe('clock correction', () => {
      it('dates the events of an unsynced gateway from its birth', async () => {
        const gw = await gateway();
        const unsynced = { synced: false, bootId: 'boot-9' };
        const before = Date.now();
        await gw.publishAsync(topics.gatewayState(UNIT, GATEWAY), JSON.stringify(birth(1, { ...unsynced, uptimeMs: 30_000 })), { qos: 1, retain: true });
        const after = Date.now();
        const e = sessionStart(1, { at: 946_684_800_000, clock: { ...unsynced, uptimeMs: 95_000 } }); // a Pi that believes it is 2000
        await publishUsage(gw, e);
        const correctedAt = (await central.ledger.event(e.eventId))?.correctedAt ?? 0;
        expect(correctedAt).toBeGreaterThanOrEqual(before + 65_000);
        expect(correctedAt).toBeLessThanOrEqual(after + 65_000);
      });
    });

    describe('telemetry and kit state', () => {
      it('keeps the latest reading per device and each kit state', async () => {
        const gw = await gateway();
        const t = topics.telemetry(UNIT, GATEWAY, 'bench-1', 'water-temp');
        for (const value of [20, 21, 22]) gw.publish(t, JSON.stringify({ value, at: Date.now() }));
        await gw.publishAsync(topics.kitState(UNIT, GATEWAY, 'bench-1'), JSON.stringify({ state: 'fault', reason: 'stalled', at: Date.now(), clock: birth(1).clock }), { qos: 1 });
        await until(central, async () => (await central.ledger.telemetry(UNIT, GATEWAY))[0]?.value === 22);
        expect((await central.ledger.telemetry(UNIT, GATEWAY))).toHaveLength(1);
        expect((await central.ledger.kitStates(UNIT, GATEWAY))).toMatchObject([{ kit: 'bench-1', state: 'fault', reason: 'stalled' }]);
      });

      it('acknowledges every QoS 1 reading, also one replaced by a newer reading of the same device before its commit', async () => {
        const gw = await gateway();
        const t = topics.telemetry(UNIT, GATEWAY, 'bench-1', 'water-temp');
        // Sent together, they meet in one batch: the first is replaced there, and must still get its PUBACK.
        await Promise.all([20, 21, 22].map((value) => gw.publishAsync(t, JSON.stringify({ value, at: Date.now() }), { qos: 1 })));
        expect((await central.ledger.telemetry(UNIT, GATEWAY))).toMatchObject([{ value: 22 }]);
        // The connection is still read: a usage event after them is stored and acknowledged.
        await publishUsage(gw, sessionStart(1));
        expect((await central.ledger.counts()).events).toBe(1);
      });
    });

    describe('stopping', () => {
      it('closes the port and the ledger, keeps what was committed, and records the gateways it dropped', async () => {
        const gw = await gateway({ bdSeq: 1 });
        await gw.publishAsync(topics.gatewayState(UNIT, GATEWAY), JSON.stringify(birth(1)), { qos: 1, retain: true });
        await publishUsage(gw, sessionStart(1));
        await central.stop();
        await expect(mqtt.connectAsync(central.mqttUrl, { reconnectPeriod: 0, connectTimeout: 1000 })).rejects.toThrow();
        const after = await reopen();
        try {
          expect((await after.counts()).events).toBe(1);
          expect(await after.gateway(UNIT, GATEWAY)).toMatchObject({ online: false, connected: false });
          // Its presence ends with the central's stop: nothing is claimed about the time after.
          expect((await after.presence(UNIT, GATEWAY)).every((p) => p.to !== null)).toBe(true);
        } finally {
          await after.close();
        }
      });
    });
  });
});
