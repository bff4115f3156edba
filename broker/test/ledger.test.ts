/**
 * The ledger on a real SQLite file: durability settings, idempotence, sequence gaps, evictions,
 * clock correction and presence rules, written through insertBatch as the ingest writes them.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Ledger } from '../src/ledger/sqlite.ts';
import { SCHEMA_VERSION } from '../src/ledger/schema.ts';
import type { LedgerMessage } from '../src/ledger/types.ts';
import { birth, GATEWAY, outboxEvicted, sessionStart, tmpDir, UNIT, will } from './helpers.ts';
import type { GatewayState, UsageEvent } from '@stemlab/protocol';

let dir: ReturnType<typeof tmpDir>;
let ledger: Ledger;
const file = () => join(dir.dir, 'ledger.sqlite');
const at = { unit: UNIT, gateway: GATEWAY };
const usage = (event: UsageEvent, receivedAt = Date.now()): LedgerMessage => ({ kind: 'usage', ...at, event, receivedAt });
const state = (s: GatewayState, receivedAt = Date.now()): LedgerMessage => ({ kind: 'gateway-state', ...at, state: s, receivedAt });
const seqs = () => ledger.events(UNIT, GATEWAY).map((e) => e.seq);

beforeEach(() => {
  dir = tmpDir();
  ledger = Ledger.open(file());
});
afterEach(() => {
  ledger.close();
  dir.remove();
});

describe('opening', () => {
  it('uses WAL with synchronous FULL, so a commit survives a power cut, and records its schema version', () => {
    ledger.close();
    ledger = Ledger.open(file());
    const db = new Database(file(), { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    db.close();
    // synchronous is per connection: ask the ledger's own.
    expect((ledger as unknown as { db: Database.Database }).db.pragma('synchronous', { simple: true })).toBe(2);
  });

  it('keeps its data across a reopen and refuses a ledger written by a newer version', () => {
    ledger.insertBatch([usage(sessionStart(1))]);
    ledger.close();
    ledger = Ledger.open(file());
    expect(seqs()).toEqual([1]);
    ledger.close();
    const db = new Database(file());
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    expect(() => Ledger.open(file())).toThrow(/newer than this central understands/);
    ledger = Ledger.open(join(dir.dir, 'other.sqlite'));
  });
});

describe('usage events', () => {
  it('stores an event once however often it is delivered, counting the duplicates', () => {
    const e = sessionStart(1);
    expect(ledger.insertBatch([usage(e), usage(e)])).toMatchObject({ inserted: 1, duplicates: 1 });
    expect(ledger.insertBatch([usage(e)])).toMatchObject({ inserted: 0, duplicates: 1 });
    expect(seqs()).toEqual([1]);
    expect(ledger.stats).toMatchObject({ transactions: 2, inserted: 1, duplicates: 2 });
    expect(ledger.events(UNIT, GATEWAY)[0]).toMatchObject({ eventId: e.eventId, kit: 'robot-1', component: 'left-motor', deviceType: 'motor', event: e });
  });

  it('dead-letters a second event on a seq already used, keeping the first', () => {
    const first = sessionStart(1);
    ledger.insertBatch([usage(first), usage(sessionStart(1))]);
    expect(ledger.events(UNIT, GATEWAY).map((e) => e.eventId)).toEqual([first.eventId]);
    expect(ledger.deadLetters()[0]?.reason).toMatch(/seq 1 .* already used by event/);
  });

  it('keeps a binary dead letter as base64', () => {
    const payload = Buffer.from([0xff, 0xfe, 0x00]);
    ledger.insertBatch([{ kind: 'dead-letter', topic: 't', payload, reason: 'not JSON', clientId: null, receivedAt: 1 }]);
    expect(ledger.deadLetters()[0]).toMatchObject({ encoding: 'base64', payload: payload.toString('base64') });
  });
});

describe('sequence gaps', () => {
  it('opens a gap for seqs skipped and closes it when they arrive late', () => {
    ledger.insertBatch([usage(sessionStart(1)), usage(sessionStart(2)), usage(sessionStart(5))]);
    expect(ledger.gaps(UNIT, GATEWAY)).toMatchObject([{ fromSeq: 3, toSeq: 4, missing: 2, status: 'open', closedAt: null }]);
    ledger.insertBatch([usage(sessionStart(4))]);
    expect(ledger.gaps()[0]).toMatchObject({ missing: 1, status: 'open' });
    ledger.insertBatch([usage(sessionStart(3))]);
    expect(ledger.gaps()[0]).toMatchObject({ fromSeq: 3, toSeq: 4, missing: 0, status: 'closed' });
    expect(ledger.gaps()[0]?.closedAt).toBeTypeOf('number');
    expect(ledger.counts()).toMatchObject({ events: 5, openGaps: 0 });
  });

  it('counts the first events of a gateway as missing if they never came', () => {
    ledger.insertBatch([usage(sessionStart(3))]);
    expect(ledger.gaps()).toMatchObject([{ fromSeq: 1, toSeq: 2, missing: 2 }]);
  });

  it('marks a range the outbox evicted as evicted, not missing, whether reported after the gap or with it', () => {
    ledger.insertBatch([usage(sessionStart(1)), usage(sessionStart(10))]);
    ledger.insertBatch([usage(outboxEvicted(11, 2, 6))]);
    expect(ledger.gaps()[0]).toMatchObject({ fromSeq: 2, toSeq: 9, missing: 3, evicted: 5, status: 'open' });
    ledger.insertBatch([7, 8, 9].map((s) => usage(sessionStart(s))));
    expect(ledger.gaps()[0]).toMatchObject({ missing: 0, evicted: 5, status: 'evicted' });

    // Replay after eviction: the eviction event itself comes first past the hole.
    ledger.insertBatch([usage(outboxEvicted(15, 12, 14))]);
    expect(ledger.gaps()[1]).toMatchObject({ fromSeq: 12, toSeq: 14, missing: 0, evicted: 3, status: 'evicted' });
  });
});

describe('clock correction', () => {
  it('dates an unsynced event by its boot: offset = birth receive time − birth uptime', () => {
    const unsynced = { synced: false, bootId: 'boot-7' };
    const received = 1_750_000_000_000;
    ledger.insertBatch([state(birth(1, { ...unsynced, uptimeMs: 10_000 }), received)]);
    const e = sessionStart(1, { at: 946_684_800_000, clock: { ...unsynced, uptimeMs: 25_000 } });
    ledger.insertBatch([usage(e, received + 20_000)]);
    expect(ledger.event(e.eventId)).toMatchObject({ at: 946_684_800_000, correctedAt: received + 15_000, clockSynced: false });
    expect(ledger.gateway(UNIT, GATEWAY)).toMatchObject({ bootId: 'boot-7', clockOffsetMs: received - 10_000 });
  });

  it('keeps a synced event at its own time, leaves an unknown boot uncorrected, and re-corrects a boot once its clock syncs', () => {
    const synced = sessionStart(1, { at: 2_000_000, clock: { synced: true, bootId: 'b', uptimeMs: 500 } });
    const lost = sessionStart(2, { at: 5, clock: { synced: false, bootId: 'never-heard', uptimeMs: 100 } });
    ledger.insertBatch([usage(synced), usage(lost)]);
    expect(ledger.event(synced.eventId)?.correctedAt).toBe(2_000_000);
    expect(ledger.event(lost.eventId)?.correctedAt).toBeNull();
    // The same boot's clock syncs later: the stored event is dated from the exact offset.
    ledger.insertBatch([usage(sessionStart(3, { at: 9_000_000, clock: { synced: true, bootId: 'never-heard', uptimeMs: 1_000 } }))]);
    expect(ledger.event(lost.eventId)?.correctedAt).toBe(9_000_000 - 1_000 + 100);
  });
});

describe('presence', () => {
  it('follows births, wills and connections, and ignores a will older than the current birth', () => {
    const connection = (connected: boolean): LedgerMessage => ({ kind: 'connection', ...at, connected, clientId: 'gw:x:y', receivedAt: Date.now() });
    ledger.insertBatch([connection(true), state(birth(4))]);
    expect(ledger.gateway(UNIT, GATEWAY)).toMatchObject({ online: true, connected: true, bdSeq: 4, agentVersion: '0.1.0' });
    expect(ledger.insertBatch([state(will(3))]).staleWills).toBe(1);
    expect(ledger.gateway(UNIT, GATEWAY)?.online).toBe(true);
    ledger.insertBatch([state(will(4))]);
    expect(ledger.gateway(UNIT, GATEWAY)?.online).toBe(false);
    ledger.insertBatch([state(birth(5)), connection(false)]);
    expect(ledger.gateway(UNIT, GATEWAY)).toMatchObject({ online: false, connected: false, bdSeq: 5 });
    expect(ledger.counts()).toMatchObject({ gateways: 1, online: 0 });
  });
});
