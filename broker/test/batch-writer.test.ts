/**
 * The SQLite ledger's writer thread (ledger/batch-writer.ts): what crosses to it comes back as it
 * was written, a driver error keeps its code (the ingest retries SQLITE_BUSY with its PUBACKs
 * held), a thread that dies fails what it owed and the next write starts a new one, and a ledger
 * opened only to read starts none. Real SQLite files, a real worker thread.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decodeBatch, encodeBatch, WorkerWriter } from '../src/ledger/batch-writer.ts';
import { openLedger, type Ledger } from '../src/ledger/ledger.ts';
import { isTransient } from '../src/ledger/sql.ts';
import type { LedgerMessage } from '../src/ledger/types.ts';
import { GATEWAY, sessionStart, tmpDir, UNIT } from './helpers.ts';

const usage = (seq: number): LedgerMessage => ({ kind: 'usage', unit: UNIT, gateway: GATEWAY, event: sessionStart(seq), receivedAt: 1_000 + seq });
// Not UTF-8, with a NUL: stored as base64 (ledger/writer.ts deadLetter).
const binary = Buffer.from([0xff, 0x00, 0xfe, 0x41]);
const dead: LedgerMessage = { kind: 'dead-letter', topic: 'stemlab/v1/x', payload: binary, reason: 'test', clientId: null, receivedAt: 5 };

describe('the ledger writer thread', () => {
  let dir: ReturnType<typeof tmpDir>;
  let ledger: Ledger;
  const file = () => join(dir.dir, 'ledger.sqlite');
  const thread = () => (ledger.batchWriter as WorkerWriter).thread;
  beforeEach(async () => {
    dir = tmpDir();
    ledger = await openLedger({ kind: 'sqlite', file: file() });
  });
  afterEach(async () => {
    await ledger.close();
    dir.remove();
  });

  it('carries a batch across as it was, a dead letter\'s raw bytes included, an unchecked payload\'s text beside the JSON', async () => {
    const text = JSON.stringify(sessionStart(2));
    const unchecked: LedgerMessage = { kind: 'unchecked-usage', unit: UNIT, gateway: GATEWAY, payload: text, receivedAt: Date.now() };
    const batch = [usage(1), dead, unchecked];
    const encoded = encodeBatch(batch);
    // Not escaped into the JSON by the broker's thread and unescaped by the writer's: copied as it is.
    expect(encoded.texts).toEqual([text]);
    expect(encoded.json).not.toContain(JSON.stringify(text).slice(1, 40));
    const back = decodeBatch(structuredClone(encoded));
    expect(back).toEqual(batch);
    expect(Buffer.isBuffer((back[1] as Extract<LedgerMessage, { kind: 'dead-letter' }>).payload)).toBe(true);
    await ledger.insertBatch(batch);
    const [row] = await ledger.deadLetters();
    expect(row).toMatchObject({ encoding: 'base64', payload: binary.toString('base64') });
    expect((await ledger.events(UNIT, GATEWAY)).map((e) => e.seq)).toEqual([1, 2]);
  });

  it('starts no thread for a ledger that only reads, and one at the first write', async () => {
    expect(ledger.batchWriter).toBeInstanceOf(WorkerWriter);
    await ledger.events(UNIT, GATEWAY);
    expect(thread()).toBeUndefined();
    await ledger.insertBatch([usage(1)]);
    expect(thread()).toBeDefined();
  });

  it('rejects with SQLITE_BUSY while another connection holds the write lock, then writes once it is free', async () => {
    const other = new Database(file());
    other.exec('BEGIN IMMEDIATE');
    const error = await ledger.insertBatch([usage(1)]).then(() => undefined, (err: unknown) => err);
    expect((error as { code?: string }).code).toBe('SQLITE_BUSY');
    expect(isTransient(error)).toBe(true);
    other.exec('ROLLBACK');
    other.close();
    await ledger.insertBatch([usage(1)]);
    expect((await ledger.events(UNIT, GATEWAY)).map((e) => e.seq)).toEqual([1]);
  });

  it('fails what a dead thread owed, and writes through a new one after', async () => {
    await ledger.close();
    // A busy timeout, so that the thread waits inside SQLite for the lock held below: batch 2 is
    // certainly unanswered when the thread is ended.
    ledger = await openLedger({ kind: 'sqlite', file: file(), busyTimeoutMs: 5000 });
    await ledger.insertBatch([usage(1)]);
    const first = thread();
    const other = new Database(file());
    other.exec('BEGIN IMMEDIATE');
    const owed = ledger.insertBatch([usage(2)]);
    const ended = first?.terminate();
    other.exec('ROLLBACK');
    other.close();
    await ended;
    await expect(owed).rejects.toThrow(/writer thread exited/);
    await ledger.insertBatch([usage(3)]);
    expect(thread()).toBeDefined();
    expect(thread()).not.toBe(first);
    expect((await ledger.events(UNIT, GATEWAY)).map((e) => e.seq)).toEqual([1, 3]);
  });
});
