/**
 * The ledger on both backends (a real SQLite file; a real PostgreSQL in a schema of its own):
 * idempotence, sequence gaps, evictions, clock correction, presence rules and history, written
 * through insertBatch as the ingest writes them; and each backend's opening and migrations.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { POSTGRES_URL } from '../../testing/services.ts';
import { CentralConfigError, parseCentralConfig } from '../src/config.ts';
import { openLedger, openLedgerDriver, type Ledger } from '../src/ledger/ledger.ts';
import { PG_SCHEMA_VERSION } from '../src/ledger/pg-schema.ts';
import { migrate, SCHEMA_VERSION } from '../src/ledger/schema.ts';
import type { SqliteDriver } from '../src/ledger/sqlite-driver.ts';
import type { LedgerMessage } from '../src/ledger/types.ts';
import { LedgerWriter } from '../src/ledger/writer.ts';
import { BACKENDS, LedgerFactory } from './backends.ts';
import { birth, clock, GATEWAY, outboxEvicted, sessionStart, tmpDir, UNIT, will } from './helpers.ts';
import type { GatewayState, KitStatePayload, UsageEvent } from '@stemlab/protocol';

const at = { unit: UNIT, gateway: GATEWAY };
const usage = (event: UsageEvent, receivedAt = Date.now()): LedgerMessage => ({ kind: 'usage', ...at, event, receivedAt });
const state = (s: GatewayState, receivedAt = Date.now()): LedgerMessage => ({ kind: 'gateway-state', ...at, state: s, receivedAt });
const kit = (s: KitStatePayload['state'], t: number, kitId = 'robot-1'): LedgerMessage => ({ kind: 'kit-state', ...at, kit: kitId, state: { state: s, at: t, clock: clock() }, receivedAt: t + 5 });
const unchecked = (payload: string, receivedAt = Date.now()): LedgerMessage => ({ kind: 'unchecked-usage', ...at, payload, receivedAt });
const connection = (connected: boolean, receivedAt = Date.now()): LedgerMessage => ({ kind: 'connection', ...at, connected, clientId: 'gw:x:y', receivedAt });

describe.each(BACKENDS)('the ledger on $backend', ({ backend, run }) => {
  const factory = new LedgerFactory(backend);
  let ledger: Ledger;
  const seqs = async () => (await ledger.events(UNIT, GATEWAY)).map((e) => e.seq);

  beforeEach(async () => {
    if (run) ledger = await factory.open();
  });
  afterEach(async () => {
    if (run) await ledger.close();
  });
  afterAll(() => factory.dispose());

  describe.runIf(run)('(service available)', () => {
    describe('telemetry', () => {
      const reading = (kitId: string, component: string, value: number, t: number): LedgerMessage => ({ kind: 'telemetry', ...at, kit: kitId, component, telemetry: { value, at: t }, receivedAt: t + 1 });

      it('keeps the latest reading per device, a device read twice in one batch included, between usage events', async () => {
        await ledger.insertBatch([reading('robot-1', 'sonar', 10, 100), usage(sessionStart(1)), reading('robot-1', 'sonar', 11, 200), reading('robot-2', 'sonar', 20, 150), usage(sessionStart(2))]);
        await ledger.insertBatch([reading('robot-2', 'sonar', 21, 300)]);
        const rows = (await ledger.telemetry(UNIT, GATEWAY)).map((r) => [r.kit, r.component, r.value, r.at]);
        expect(rows.sort()).toEqual([
          ['robot-1', 'sonar', 11, 200],
          ['robot-2', 'sonar', 21, 300],
        ]);
        expect(await seqs()).toEqual([1, 2]);
      });
    });

    describe('usage events', () => {
      it('stores an event once however often it is delivered, counting the duplicates', async () => {
        const e = sessionStart(1);
        expect(await ledger.insertBatch([usage(e), usage(e)])).toMatchObject({ inserted: 1, duplicates: 1 });
        expect(await ledger.insertBatch([usage(e)])).toMatchObject({ inserted: 0, duplicates: 1 });
        expect(await seqs()).toEqual([1]);
        expect(ledger.stats).toMatchObject({ transactions: 2, inserted: 1, duplicates: 2 });
        expect((await ledger.events(UNIT, GATEWAY))[0]).toMatchObject({ eventId: e.eventId, kit: 'robot-1', component: 'left-motor', deviceType: 'motor', event: e });
      });

      it('dead-letters a second event on a seq already used, keeping the first', async () => {
        const first = sessionStart(1);
        await ledger.insertBatch([usage(first), usage(sessionStart(1))]);
        expect((await ledger.events(UNIT, GATEWAY)).map((e) => e.eventId)).toEqual([first.eventId]);
        expect((await ledger.deadLetters())[0]?.reason).toMatch(/seq 1 .* already used by event/);
      });

      it('validates an unchecked usage event where it writes: stored like a validated one, a resend with its keys in another order a duplicate', async () => {
        const e = sessionStart(1);
        const receivedAt = Date.now();
        const result = await ledger.insertBatch([unchecked(JSON.stringify(e), receivedAt)]);
        expect(result).toEqual({ inserted: 1, duplicates: 0, deadLetters: 0, staleWills: 0 });
        expect((await ledger.events(UNIT, GATEWAY))[0]).toMatchObject({ eventId: e.eventId, seq: 1, kit: 'robot-1', event: e, receivedAt });
        // The stored text is the schema's output, whatever the order the gateway wrote the keys in.
        const reordered = JSON.stringify(Object.fromEntries(Object.entries(e).reverse()));
        expect(await ledger.insertBatch([unchecked(reordered), usage(e)])).toMatchObject({ inserted: 0, duplicates: 2 });
        expect(await ledger.deadLetters()).toEqual([]);
      });

      it('leaves out an unchecked usage event that fails validation, reporting its index and reason, and writes the rest', async () => {
        const good = sessionStart(1);
        const result = await ledger.insertBatch([unchecked('{"v":1,'), unchecked(JSON.stringify({ ...good, seq: -1 })), usage(good), unchecked(JSON.stringify({ ...good, at: Date.now() + 86_400_000 }))]);
        expect(result).toMatchObject({ inserted: 1, duplicates: 0, deadLetters: 0 });
        expect(result.invalid).toEqual([
          { index: 0, reason: expect.stringMatching(/^not JSON: /) },
          { index: 1, reason: expect.stringMatching(/^usage event fails the schema: seq: /) },
          { index: 3, reason: expect.stringMatching(/^usage event cannot be true: /) },
        ]);
        expect(await seqs()).toEqual([1]);
        expect(await ledger.deadLetters()).toEqual([]);
      });

      it('settles a batch longer than one multi-row INSERT (PostgreSQL) or written a row at a time (SQLite) as if its events had come one by one', async () => {
        const events = Array.from({ length: 600 }, (_, i) => sessionStart(i + 1));
        const e = (seq: number) => events[seq - 1] as UsageEvent;
        const batch = events.map((event) => usage(event));
        // Past the first 250 rows: a resend of seq 5, its id with other content, a new id on seq 20, then seq 7 again.
        batch.splice(300, 0, usage(e(5)), usage({ ...e(10), at: e(10).at + 1 }), usage(sessionStart(20)));
        batch.push(usage(e(7)));
        expect(await ledger.insertBatch(batch)).toMatchObject({ inserted: 600, duplicates: 2, deadLetters: 2 });
        expect(await seqs()).toEqual(events.map((x) => x.seq));
        expect((await ledger.deadLetters()).map((d) => d.reason).sort()).toEqual([
          expect.stringMatching(new RegExp(`^event id ${e(10).eventId} was already stored with different content`)),
          expect.stringMatching(new RegExp(`^seq 20 of ${UNIT}/${GATEWAY} is already used by event ${e(20).eventId}`)),
        ]);
        // Delivered again, the whole batch is duplicates but for the two dead letters, which are kept again.
        expect(await ledger.insertBatch(batch)).toMatchObject({ inserted: 0, duplicates: 602, deadLetters: 2 });
      });

      it('keeps a binary dead letter as base64', async () => {
        const payload = Buffer.from([0xff, 0xfe, 0x00]);
        await ledger.insertBatch([{ kind: 'dead-letter', topic: 't', payload, reason: 'not JSON', clientId: null, receivedAt: 1 }]);
        expect((await ledger.deadLetters())[0]).toMatchObject({ encoding: 'base64', payload: payload.toString('base64') });
      });
    });

    describe('sequence gaps', () => {
      it('opens a gap for seqs skipped and closes it when they arrive late', async () => {
        await ledger.insertBatch([usage(sessionStart(1)), usage(sessionStart(2)), usage(sessionStart(5))]);
        expect((await ledger.gaps(UNIT, GATEWAY))).toMatchObject([{ fromSeq: 3, toSeq: 4, missing: 2, status: 'open', closedAt: null }]);
        await ledger.insertBatch([usage(sessionStart(4))]);
        expect((await ledger.gaps())[0]).toMatchObject({ missing: 1, status: 'open' });
        await ledger.insertBatch([usage(sessionStart(3))]);
        expect((await ledger.gaps())[0]).toMatchObject({ fromSeq: 3, toSeq: 4, missing: 0, status: 'closed' });
        expect((await ledger.gaps())[0]?.closedAt).toBeTypeOf('number');
        expect((await ledger.counts())).toMatchObject({ events: 5, openGaps: 0 });
      });

      it('ends a batch of out-of-order, repeated and conflicting events as if they had come one by one', async () => {
        const three = sessionStart(3);
        const result = await ledger.insertBatch([usage(sessionStart(1)), usage(sessionStart(4)), usage(three), usage(sessionStart(2)), usage(three), usage(sessionStart(2))]);
        expect(result).toMatchObject({ inserted: 4, duplicates: 1, deadLetters: 1 });
        expect(await seqs()).toEqual([1, 2, 3, 4]);
        expect(await ledger.gaps()).toMatchObject([{ fromSeq: 2, toSeq: 3, missing: 0, status: 'closed' }]);
        expect((await ledger.deadLetters())[0]?.reason).toMatch(/seq 2 .* already used by event/);
      });

      it('counts the first events of a gateway as missing if they never came', async () => {
        await ledger.insertBatch([usage(sessionStart(3))]);
        expect((await ledger.gaps())).toMatchObject([{ fromSeq: 1, toSeq: 2, missing: 2 }]);
      });

      it('marks a range the outbox evicted as evicted, not missing, whether reported after the gap or with it', async () => {
        await ledger.insertBatch([usage(sessionStart(1)), usage(sessionStart(10))]);
        await ledger.insertBatch([usage(outboxEvicted(11, 2, 6))]);
        expect((await ledger.gaps())[0]).toMatchObject({ fromSeq: 2, toSeq: 9, missing: 3, evicted: 5, status: 'open' });
        await ledger.insertBatch([7, 8, 9].map((s) => usage(sessionStart(s))));
        expect((await ledger.gaps())[0]).toMatchObject({ missing: 0, evicted: 5, status: 'evicted' });

        // Replay after eviction: the eviction event itself comes first past the hole.
        await ledger.insertBatch([usage(outboxEvicted(15, 12, 14))]);
        expect((await ledger.gaps())[1]).toMatchObject({ fromSeq: 12, toSeq: 14, missing: 0, evicted: 3, status: 'evicted' });
      });
    });

    describe('clock correction', () => {
      it('dates an unsynced event by its boot: offset = birth receive time − birth uptime', async () => {
        const unsynced = { synced: false, bootId: 'boot-7' };
        const received = 1_750_000_000_000;
        await ledger.insertBatch([state(birth(1, { ...unsynced, uptimeMs: 10_000 }), received)]);
        const e = sessionStart(1, { at: 946_684_800_000, clock: { ...unsynced, uptimeMs: 25_000 } });
        await ledger.insertBatch([usage(e, received + 20_000)]);
        expect((await ledger.event(e.eventId))).toMatchObject({ at: 946_684_800_000, correctedAt: received + 15_000, clockSynced: false });
        expect((await ledger.gateway(UNIT, GATEWAY))).toMatchObject({ bootId: 'boot-7', clockOffsetMs: received - 10_000 });
      });

      it('keeps a synced event at its own time, leaves an unknown boot uncorrected, and re-corrects a boot once its clock syncs', async () => {
        const synced = sessionStart(1, { at: 2_000_000, clock: { synced: true, bootId: 'b', uptimeMs: 500 } });
        const lost = sessionStart(2, { at: 5, clock: { synced: false, bootId: 'never-heard', uptimeMs: 100 } });
        await ledger.insertBatch([usage(synced), usage(lost)]);
        expect((await ledger.event(synced.eventId))?.correctedAt).toBe(2_000_000);
        expect((await ledger.event(lost.eventId))?.correctedAt).toBeNull();
        // The same boot's clock syncs later: the stored event is dated from the exact offset.
        await ledger.insertBatch([usage(sessionStart(3, { at: 9_000_000, clock: { synced: true, bootId: 'never-heard', uptimeMs: 1_000 } }))]);
        expect((await ledger.event(lost.eventId))?.correctedAt).toBe(9_000_000 - 1_000 + 100);
      });
    });

    describe('presence', () => {
      it('follows births, wills and connections, and ignores a will older than the current birth', async () => {
        const connection = (connected: boolean): LedgerMessage => ({ kind: 'connection', ...at, connected, clientId: 'gw:x:y', receivedAt: Date.now() });
        await ledger.insertBatch([connection(true), state(birth(4))]);
        expect((await ledger.gateway(UNIT, GATEWAY))).toMatchObject({ online: true, connected: true, bdSeq: 4, agentVersion: '0.1.0' });
        expect((await ledger.insertBatch([state(will(3))])).staleWills).toBe(1);
        expect((await ledger.gateway(UNIT, GATEWAY))?.online).toBe(true);
        await ledger.insertBatch([state(will(4))]);
        expect((await ledger.gateway(UNIT, GATEWAY))?.online).toBe(false);
        await ledger.insertBatch([state(birth(5)), connection(false)]);
        expect((await ledger.gateway(UNIT, GATEWAY))).toMatchObject({ online: false, connected: false, bdSeq: 5 });
        expect((await ledger.counts())).toMatchObject({ gateways: 1, online: 0 });
      });
    });

    describe('history', () => {
      it('records each change of a kit state, not its repeats, with the time it happened', async () => {
        await ledger.insertBatch([kit('connected', 1000), kit('connected', 2000)]);
        await ledger.insertBatch([kit('fault', 3000), kit('fault', 3500), kit('disconnected', 4000)]);
        await ledger.insertBatch([kit('connected', 9000), kit('connected', 1500, 'lab-kit-1')]);
        const history = await ledger.kitStateHistory(UNIT, GATEWAY);
        expect(history.map((h) => [h.kit, h.state, h.at, h.receivedAt])).toEqual([
          ['robot-1', 'connected', 1000, 1005],
          ['robot-1', 'fault', 3000, 3005],
          ['robot-1', 'disconnected', 4000, 4005],
          ['robot-1', 'connected', 9000, 9005],
          ['lab-kit-1', 'connected', 1500, 1505],
        ]);
        // Synchronised clocks: the corrected time is the gateway's own.
        expect(history[1]?.correctedAt).toBe(3000);
        expect((await ledger.kitStates(UNIT, GATEWAY)).map((k) => [k.kit, k.state])).toEqual([['lab-kit-1', 'connected'], ['robot-1', 'connected']]);
      });

      it('keeps presence as intervals from connects, births, wills and disconnects; a stale will changes nothing', async () => {
        await ledger.insertBatch([connection(true, 100), state(birth(1), 110)]);
        await ledger.insertBatch([state(will(0), 150)]); // stale: older than birth 1
        await ledger.insertBatch([state(will(1), 200), connection(false, 201)]);
        await ledger.insertBatch([connection(true, 300)]);
        const p = await ledger.presence(UNIT, GATEWAY);
        expect(p.map((i) => [i.online, i.from, i.to, i.source])).toEqual([
          [true, 100, 200, 'connect'],
          [false, 200, 300, 'will'],
          [true, 300, null, 'connect'],
        ]);
        // The central stops: what follows is unknown.
        await ledger.endPresence(400);
        expect((await ledger.presence(UNIT, GATEWAY)).at(-1)).toMatchObject({ online: true, from: 300, to: 400 });
      });

      it("after a crash, closes the last run's interval at its last confirmation and leaves the rest unknown", async () => {
        await ledger.insertBatch([connection(true, 100)]);
        await ledger.insertBatch([usage(sessionStart(1), 250)]); // the gateway is heard from at 250
        // A new run of the central (the old one crashed: no endPresence).
        const next = backend === 'sqlite' ? await openLedger({ kind: 'sqlite', file: ledger.where }) : await reopenPostgres(ledger);
        try {
          await next.insertBatch([connection(true, 1000)]);
          expect((await next.presence(UNIT, GATEWAY)).map((i) => [i.online, i.from, i.to])).toEqual([
            [true, 100, 250],
            [true, 1000, null],
          ]);
        } finally {
          await next.close();
        }
      });
    });
  });
});

/** A second ledger on the same PostgreSQL schema (a new run of the central). */
function reopenPostgres(ledger: Ledger): Promise<Ledger> {
  const schema = /schema (\w+)$/.exec(ledger.where)?.[1] as string;
  return openLedger({ kind: 'postgres', url: POSTGRES_URL, schema });
}

describe('opening on SQLite', () => {
  let dir: ReturnType<typeof tmpDir>;
  const file = () => join(dir.dir, 'ledger.sqlite');
  beforeEach(() => (dir = tmpDir()));
  afterEach(() => dir.remove());

  it('uses WAL with synchronous FULL, so a commit survives a power cut, and records its schema version', async () => {
    const ledger = await openLedger({ kind: 'sqlite', file: file() });
    const db = new Database(file(), { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    db.close();
    // synchronous is per connection: ask the ledger's own, the reading one and the writer thread's that commits.
    expect((ledger.sql as unknown as { db: Database.Database }).db.pragma('synchronous', { simple: true })).toBe(2);
    expect(await ledger.writerPragma('synchronous')).toBe(2);
    expect(await ledger.writerPragma('journal_mode')).toBe('wal');
    await ledger.close();
  });

  it('keeps its data across a reopen and refuses a ledger written by a newer version', async () => {
    let ledger = await openLedger({ kind: 'sqlite', file: file() });
    await ledger.insertBatch([usage(sessionStart(1))]);
    await ledger.close();
    ledger = await openLedger({ kind: 'sqlite', file: file() });
    expect((await ledger.events(UNIT, GATEWAY)).map((e) => e.seq)).toEqual([1]);
    await ledger.close();
    const db = new Database(file());
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    await expect(openLedger({ kind: 'sqlite', file: file() })).rejects.toThrow(/newer than this central understands/);
  });

  it('migrates a file of version 5 forward, taking the figures of the session ends already stored into their columns', async () => {
    const db = new Database(file());
    migrate(db, 5);
    const end = { v: 1, type: 'session.end', session: { endedAt: 9000, durationMs: 4000, faults: 2 } };
    db.prepare(`INSERT INTO usage_events (event_id, unit, gateway, seq, type, payload, at, clock_synced, boot_id, uptime_ms, received_at)
      VALUES ('e-1', ?, ?, 1, 'session.end', ?, 9000, 1, 'b', 1, 9001)`).run(UNIT, GATEWAY, JSON.stringify(end));
    db.close();
    const ledger = await openLedger({ kind: 'sqlite', file: file() });
    try {
      expect(await ledger.sql.query('SELECT ended_at, duration_ms, faults FROM usage_events')).toEqual([{ ended_at: 9000, duration_ms: 4000, faults: 2 }]);
    } finally {
      await ledger.close();
    }
  });

  it('migrates a file of version 4 (deployed centrals) forward, seeding the history with each kit\'s state', async () => {
    const db = new Database(file());
    migrate(db, 4);
    db.prepare("INSERT INTO kit_states VALUES (?, ?, 'robot-1', 'fault', 'stalled', 500, 505)").run(UNIT, GATEWAY);
    db.close();
    const ledger = await openLedger({ kind: 'sqlite', file: file() });
    try {
      expect((ledger.sql as unknown as { db: Database.Database }).db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
      expect((await ledger.kitStateHistory(UNIT, GATEWAY)).map((h) => [h.state, h.at])).toEqual([['fault', 500]]);
      // A repeat of the seeded state is not a change; the repair is.
      await ledger.insertBatch([kit('fault', 600), kit('connected', 700)]);
      expect((await ledger.kitStateHistory(UNIT, GATEWAY)).map((h) => [h.state, h.at])).toEqual([
        ['fault', 500],
        ['connected', 700],
      ]);
    } finally {
      await ledger.close();
    }
  });
});

describe("the SQLite writer's statements", () => {
  let dir: ReturnType<typeof tmpDir>;
  beforeEach(() => (dir = tmpDir()));
  afterEach(() => dir.remove());

  it('prepares a fixed set, whatever the length of the batches: an event row is one cached statement run per row', async () => {
    const sql = (await openLedgerDriver({ kind: 'sqlite', file: join(dir.dir, 'ledger.sqlite') })) as SqliteDriver;
    const prepared: string[] = [];
    const prepare = sql.db.prepare.bind(sql.db);
    sql.db.prepare = ((source: string) => (prepared.push(source), prepare(source))) as typeof sql.db.prepare;
    const writer = new LedgerWriter('run-1');
    let seq = 0;
    const batch = (n: number): LedgerMessage[] => Array.from({ length: n }, () => unchecked(JSON.stringify(sessionStart(++seq))));
    expect(await writer.insertBatch(sql, batch(3))).toMatchObject({ inserted: 3 });
    const first = prepared.length;
    for (const n of [1, 7, 120, 251, 300]) expect(await writer.insertBatch(sql, batch(n))).toMatchObject({ inserted: n });
    expect(prepared.slice(first)).toEqual([]);
    expect(prepared.filter((s) => s.includes('INSERT INTO usage_events'))).toHaveLength(1);
    await sql.close();
  });
});

describe.runIf(BACKENDS[1]?.run)('opening on PostgreSQL', () => {
  const factory = new LedgerFactory('postgres');
  afterAll(() => factory.dispose());

  it('migrates once when two centrals start at once, and refuses a newer schema', async () => {
    factory.require();
    const schema = factory.schema();
    const [a, b] = await Promise.all([openLedger({ kind: 'postgres', url: POSTGRES_URL, schema }), openLedger({ kind: 'postgres', url: POSTGRES_URL, schema })]);
    await a.insertBatch([usage(sessionStart(1))]);
    expect((await b.events(UNIT, GATEWAY)).map((e) => e.seq)).toEqual([1]);
    await Promise.all([a.close(), b.close()]);
    const client = new pg.Client({ connectionString: POSTGRES_URL });
    await client.connect();
    try {
      expect((await client.query(`SELECT version FROM ${schema}.stemlab_schema`)).rows).toEqual([{ version: PG_SCHEMA_VERSION }]);
      await client.query(`UPDATE ${schema}.stemlab_schema SET version = ${PG_SCHEMA_VERSION + 1}`);
    } finally {
      await client.end();
    }
    await expect(openLedger({ kind: 'postgres', url: POSTGRES_URL, schema })).rejects.toThrow(/newer than this central understands/);
  });

  it('refuses a schema name that is not a plain identifier', async () => {
    await expect(openLedger({ kind: 'postgres', url: POSTGRES_URL, schema: 'x; DROP TABLE y' })).rejects.toThrow(/ledger.schema/);
  });
});

describe("central.yaml's ledger section", () => {
  it('defaults to SQLite, takes PostgreSQL with a schema, and names the field of a mistake', () => {
    expect(parseCentralConfig({}).ledger).toBeUndefined();
    expect(parseCentralConfig({ ledger: { kind: 'postgres', url: 'postgres://u@db:5432/city' } }).ledger).toEqual({ kind: 'postgres', url: 'postgres://u@db:5432/city', schema: 'stemlab', poolSize: 4 });
    const bad = (value: unknown) => {
      try {
        parseCentralConfig({ ledger: value });
      } catch (err) {
        return (err as CentralConfigError).issues;
      }
      throw new Error('accepted');
    };
    expect(bad({ kind: 'postgres', url: 'mysql://x' })).toEqual([{ path: 'ledger.url', message: 'a PostgreSQL URL: postgres://user:password@host:5432/database' }]);
    expect(bad({ kind: 'postgres', url: 'postgres://x/y', schema: 'Bad-Name' })[0]?.path).toBe('ledger.schema');
    expect(bad({ kind: 'sqlite', file: 'x' })[0]?.path).toBe('ledger.file');
  });
});
