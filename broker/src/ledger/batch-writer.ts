/**
 * Where a ledger's batches are written. PostgreSQL: on the main thread (InlineWriter), whose
 * commit already waits on the network rather than on the thread. SQLite: in a worker thread that
 * owns the writing connection (WorkerWriter, writer-worker.ts): better-sqlite3 is synchronous, so
 * on the main thread every statement of a batch and the commit's fsync (synchronous = FULL: the
 * commit is on disk before it returns) would stop the broker for their whole duration. In the
 * worker they run while the broker goes on reading sockets, and the next batch grows meanwhile
 * (a group commit that grows with load). The durability promise is unchanged: the ingest still
 * answers a PUBACK only when the worker has reported the commit done.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { SqlDriver, SqlValue } from './sql.ts';
import type { BatchResult, LedgerMessage } from './types.ts';
import { LedgerWriter } from './writer.ts';

export interface BatchWriter {
  /** Writes the messages in one transaction: all or none; rejects with the driver's error (its `code` kept, e.g. SQLITE_BUSY). */
  insertBatch(messages: readonly LedgerMessage[]): Promise<BatchResult>;
  /** Closes the presence intervals this run recorded (history.ts). */
  endPresence(at: number): Promise<void>;
  /** A pragma of the writing connection (tests check synchronous and journal_mode on it); undefined for PostgreSQL. */
  pragma(name: string): Promise<unknown>;
  /** One maintenance statement (retention.ts's deletions) on the writing connection, in turn with the batches: how many rows it changed. */
  run(statement: string, params: readonly SqlValue[]): Promise<number>;
  close(): Promise<void>;
}

const NOTHING: BatchResult = { inserted: 0, duplicates: 0, deadLetters: 0, staleWills: 0 };

/** Writes on the caller's thread, through the ledger's own driver. */
export class InlineWriter implements BatchWriter {
  private readonly writer: LedgerWriter;
  constructor(
    private readonly sql: SqlDriver,
    run: string,
  ) {
    this.writer = new LedgerWriter(run);
  }
  insertBatch(messages: readonly LedgerMessage[]): Promise<BatchResult> {
    return this.writer.insertBatch(this.sql, messages);
  }
  endPresence(at: number): Promise<void> {
    return this.writer.endPresence(this.sql, at);
  }
  pragma(): Promise<unknown> {
    return Promise.resolve(undefined);
  }
  async run(statement: string, params: readonly SqlValue[]): Promise<number> {
    return (await this.sql.run(statement, params)).changes;
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

/** What the main thread asks the worker (writer-worker.ts answers each with its id). */
type Ask = { op: 'insert'; batch: EncodedBatch } | { op: 'end'; at: number } | { op: 'pragma'; name: string } | { op: 'run'; statement: string; params: readonly SqlValue[] } | { op: 'close' };
export type WriterRequest = Ask & { id: number };
export type WriterReply = { id: number; result: unknown } | { id: number; error: { message: string; code?: string; name?: string } };
export interface WriterData {
  file: string;
  busyTimeoutMs: number;
  run: string;
  /** tsx's ESM register API and the worker's module (URLs): the sources are TypeScript run through tsx. */
  tsx: string;
  entry: string;
}

// The worker is TypeScript like the rest: tsx's loader is registered in the worker before its
// module is imported (loader hooks of the main thread do not reach workers on Node 20).
const BOOT = `const { workerData } = require('node:worker_threads');
import(workerData.tsx)
  .then((tsx) => { tsx.register({ tsconfig: false }); return import(workerData.entry); })
  .catch((err) => { setImmediate(() => { throw err; }); });`;

/** tsx's ESM register API, as a URL the worker can import (its package exports it as tsx/esm/api). */
function tsxApi(): string {
  const packageJson = createRequire(import.meta.url).resolve('tsx/package.json');
  return pathToFileURL(join(dirname(packageJson), 'dist/esm/api/index.mjs')).href;
}

/**
 * A batch as it crosses to the worker: one JSON string, and the texts of its unchecked usage
 * payloads beside it. A string is copied as it is, where a structured clone of a thousand nested
 * event objects cost the broker's thread more than validating them (measured: ~12 µs a message).
 * A payload text inside the JSON would be escaped by the broker's thread and unescaped by the
 * writer's (0.8 + 1.2 µs for a 350-byte usage event, measured), then parsed again by the writer's
 * validation; beside it, it is copied once. A dead letter's raw bytes go as base64.
 */
export interface EncodedBatch {
  json: string;
  /** The 'unchecked-usage' messages' payloads; in `json` each such message's payload is its index here. */
  texts: string[];
}

export function encodeBatch(messages: readonly LedgerMessage[]): EncodedBatch {
  const texts: string[] = [];
  // No replacer function: JSON.stringify calling one for every key cost as much as the clone. Object literals, not spreads, for the usual messages.
  const json = JSON.stringify(
    messages.map((m) => {
      if (m.kind === 'unchecked-usage') return { kind: m.kind, unit: m.unit, gateway: m.gateway, receivedAt: m.receivedAt, payload: texts.push(m.payload) - 1 };
      return m.kind === 'dead-letter' ? { ...m, payload: { base64: m.payload.toString('base64') } } : m;
    }),
  );
  return { json, texts };
}

export function decodeBatch(batch: EncodedBatch): LedgerMessage[] {
  const messages = JSON.parse(batch.json) as LedgerMessage[];
  for (const m of messages) {
    if (m.kind === 'dead-letter') m.payload = Buffer.from((m.payload as unknown as { base64: string }).base64, 'base64');
    else if (m.kind === 'unchecked-usage') m.payload = batch.texts[m.payload as unknown as number] as string;
  }
  return messages;
}

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
}

/** Writes in a worker thread of its own, started at the first write (a ledger opened to read never starts one). */
export class WorkerWriter implements BatchWriter {
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private closed = false;

  constructor(private readonly options: { file: string; busyTimeoutMs: number; run: string }) {}

  /** The writer thread, once a write has started it (tests end it to see a failure handled). */
  get thread(): Worker | undefined {
    return this.worker;
  }

  insertBatch(messages: readonly LedgerMessage[]): Promise<BatchResult> {
    if (messages.length === 0) return Promise.resolve({ ...NOTHING });
    return this.call({ op: 'insert', batch: encodeBatch(messages) }) as Promise<BatchResult>;
  }

  async endPresence(at: number): Promise<void> {
    // No worker: this run wrote nothing, so it has no presence interval to close.
    if (!this.worker) return;
    await this.call({ op: 'end', at });
  }

  pragma(name: string): Promise<unknown> {
    return this.call({ op: 'pragma', name });
  }

  run(statement: string, params: readonly SqlValue[]): Promise<number> {
    return this.call({ op: 'run', statement, params }) as Promise<number>;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const worker = this.worker;
    if (!worker) return;
    try {
      // Lets what was sent before finish, then closes the connection (checkpointing the WAL).
      await this.call({ op: 'close' }, true);
    } finally {
      await worker.terminate();
      this.worker = undefined;
    }
  }

  private call(request: Ask, closing = false): Promise<unknown> {
    if (this.closed && !closing) return Promise.reject(new Error(`ledger ${this.options.file}: the ledger is closed`));
    const worker = (this.worker ??= this.start());
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      // Referenced only while it owes an answer: an idle writer keeps no process alive.
      if (this.pending.size === 0) worker.ref();
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ ...request, id });
    });
  }

  private start(): Worker {
    const data: WriterData = {
      ...this.options,
      tsx: tsxApi(),
      entry: new URL('./writer-worker.ts', import.meta.url).href,
    };
    const worker = new Worker(BOOT, { eval: true, workerData: data, name: 'ledger-writer' });
    worker.unref();
    worker.on('message', (reply: WriterReply) => {
      const p = this.pending.get(reply.id);
      if (!p) return;
      this.pending.delete(reply.id);
      if (this.pending.size === 0) worker.unref();
      if ('error' in reply) p.reject(Object.assign(new Error(reply.error.message), { code: reply.error.code, name: reply.error.name ?? 'Error' }));
      else p.resolve(reply.result);
    });
    // A worker that died (a bug, out of memory) fails what it owed; the next write starts a new
    // one (the writer's state is only caches of what is in the database).
    const died = (error: Error) => {
      if (this.worker === worker) this.worker = undefined;
      for (const p of this.pending.values()) p.reject(error);
      this.pending.clear();
    };
    worker.on('error', (err) => died(new Error(`ledger ${this.options.file}: the writer thread failed: ${err.message}`, { cause: err })));
    worker.on('exit', (code) => died(new Error(`ledger ${this.options.file}: the writer thread exited (code ${code})`)));
    return worker;
  }
}
