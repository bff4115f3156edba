/**
 * The usage ledger, on SQLite or PostgreSQL (one SQL interface: sql.ts). One writer: the ingest
 * hands it batches, each written in one transaction, so the cost of a commit (an fsync) is shared
 * by every message in the batch. On SQLite, WAL lets the API read while the ingest writes and
 * `synchronous = FULL` makes a commit durable before it returns; PostgreSQL's commit is durable
 * by default (synchronous_commit on). That is what lets the broker acknowledge an event only after
 * the commit (ingest.ts) and promise that an acknowledged event survives a power cut.
 *
 * What a batch writes: writer.ts; on SQLite it runs in a worker thread that owns the writing
 * connection (batch-writer.ts), while reads go through this thread's own connection.
 */
import { randomUUID } from 'node:crypto';
import { InlineWriter, WorkerWriter, type BatchWriter } from './batch-writer.ts';
import { PostgresDriver } from './pg-driver.ts';
import { migratePostgres } from './pg-schema.ts';
import { LedgerQueries } from './queries.ts';
import { migrate } from './schema.ts';
import type { SqlDriver, SqlValue } from './sql.ts';
import { SqliteDriver } from './sqlite-driver.ts';
import type { BatchResult, LedgerMessage } from './types.ts';

/** Where the ledger lives: a SQLite file (the central's own, by default) or a PostgreSQL schema. */
export type LedgerConfig =
  | {
      kind: 'sqlite';
      file: string;
      /** How long a write waits for another connection's lock, in ms; 0 (the default) fails at once with SQLITE_BUSY (the ingest retries). */
      busyTimeoutMs?: number;
    }
  | {
      kind: 'postgres';
      /** postgres://user:password@host:port/database */
      url: string;
      /** The schema of the ledger's tables, created if missing (default 'stemlab'). */
      schema?: string;
      /** Pooled connections (default 4). */
      poolSize?: number;
    };

/** What central.yaml's `ledger` says (config.ts): the SQLite file is the central's own. */
export type LedgerChoice = { kind: 'sqlite' } | Extract<LedgerConfig, { kind: 'postgres' }>;

/** Totals since the ledger was opened (for metrics and tests). */
export interface LedgerStats extends BatchResult {
  /** Committed write transactions: far fewer than messages when batching works. */
  transactions: number;
  /** Messages written in those transactions. */
  messages: number;
}


/** Opens (creating and migrating if needed) the ledger. */
export async function openLedger(config: LedgerConfig): Promise<Ledger> {
  const where = config.kind === 'sqlite' ? config.file : `${redact(config.url)} schema ${config.schema ?? 'stemlab'}`;
  const sql = await openLedgerDriver(config);
  if (config.kind === 'postgres') return new Ledger(sql, where);
  return new Ledger(sql, where, (run) => new WorkerWriter({ file: config.file, busyTimeoutMs: config.busyTimeoutMs ?? 0, run }));
}

/**
 * The migrated database behind a ledger config, as a bare SQL driver: the ledger's, and the
 * central's own state's (central-state/state.ts), which lives in the same database.
 */
export async function openLedgerDriver(config: LedgerConfig): Promise<SqlDriver> {
  if (config.kind === 'sqlite') {
    const driver = SqliteDriver.open(config.file, { busyTimeoutMs: config.busyTimeoutMs });
    try {
      migrate(driver.db);
    } catch (err) {
      await driver.close();
      throw err;
    }
    return driver;
  }
  const schema = config.schema ?? 'stemlab';
  const driver = PostgresDriver.create({ url: config.url, schema, max: config.poolSize });
  try {
    await migratePostgres(driver.pool, schema);
  } catch (err) {
    await driver.close();
    const message = err instanceof Error ? err.message : String(err);
    throw new Error(`ledger: cannot open PostgreSQL ${redact(config.url)} schema ${schema}: ${message}; check central.yaml's ledger.url and that the server runs`, { cause: err });
  }
  return driver;
}

/** The URL without its password, for logs. */
function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres (unparsable url)';
  }
}

/** What a committed batch touched: per unit, the kinds of message (usage, gateway-state, kit-state, telemetry, connection). */
export interface LedgerChange {
  units: Array<{ unit: string; kinds: Array<Exclude<LedgerMessage['kind'], 'dead-letter' | 'unchecked-usage'>> }>;
}

export class Ledger extends LedgerQueries {
  readonly stats: LedgerStats = { transactions: 0, messages: 0, inserted: 0, duplicates: 0, deadLetters: 0, staleWills: 0 };
  readonly kind: 'sqlite' | 'postgres';
  /** This run's id, on the presence rows it writes (history.ts). */
  readonly run = randomUUID();
  private readonly writer: BatchWriter;

  constructor(
    /** The connection (or pool) this thread reads through; on PostgreSQL it writes through it too. */
    readonly sql: SqlDriver,
    /** The file, or the PostgreSQL server (password hidden) and schema: for logs. */
    readonly where: string,
    /** Where batches are written (batch-writer.ts); left out, through `sql` on this thread. */
    writer?: (run: string) => BatchWriter,
  ) {
    super(sql);
    this.kind = sql.dialect.name;
    this.writer = writer ? writer(this.run) : new InlineWriter(sql, this.run);
  }

  /** A maintenance statement (retention.ts's deletions) on the connection that writes, in turn with the batches: the rows it changed. */
  maintain(statement: string, params: readonly SqlValue[]): Promise<number> {
    return this.writer.run(statement, params);
  }

  /** Where batches are written: a WorkerWriter on SQLite (batch-writer.ts). */
  get batchWriter(): BatchWriter {
    return this.writer;
  }

  /** A pragma of the connection that writes (SQLite's writer thread); undefined on PostgreSQL. */
  writerPragma(name: string): Promise<unknown> {
    return this.writer.pragma(name);
  }

  /** Writes the messages in one transaction: all or none. Rejects with the driver's error (e.g. SQLITE_BUSY, a lost connection) if it cannot commit. */
  async insertBatch(messages: readonly LedgerMessage[]): Promise<BatchResult> {
    if (messages.length === 0) return { inserted: 0, duplicates: 0, deadLetters: 0, staleWills: 0 };
    const result = await this.writer.insertBatch(messages);
    const st = this.stats;
    st.transactions++;
    st.messages += messages.length;
    st.inserted += result.inserted;
    st.duplicates += result.duplicates;
    st.deadLetters += result.deadLetters;
    st.staleWills += result.staleWills;
    this.announce(messages, result.invalid);
    return result;
  }

  private readonly listeners = new Set<(change: LedgerChange) => void>();

  /**
   * Called after each committed batch with the units it touched and what kind of message: the
   * dashboard's live stream (api/live.ts) listens here. A listener's error never fails a write.
   * Returns the unsubscribe function.
   */
  onChange(listener: (change: LedgerChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private announce(messages: readonly LedgerMessage[], invalid: BatchResult['invalid']): void {
    if (this.listeners.size === 0) return;
    const units = new Map<string, Set<LedgerChange['units'][number]['kinds'][number]>>();
    const left = new Set(invalid?.map((i) => i.index));
    messages.forEach((m, index) => {
      if (m.kind === 'dead-letter' || left.has(index)) return;
      let kinds = units.get(m.unit);
      if (!kinds) units.set(m.unit, (kinds = new Set()));
      kinds.add(m.kind === 'unchecked-usage' ? 'usage' : m.kind);
    });
    if (units.size === 0) return;
    const change: LedgerChange = { units: [...units].map(([unit, kinds]) => ({ unit, kinds: [...kinds] })) };
    for (const listener of this.listeners) {
      try {
        listener(change);
      } catch {
        // A listener's bug (a closed stream) must not undo or fail the committed write.
      }
    }
  }

  /** The central stops at `at`: closes the presence intervals this run recorded (what follows is unknown). */
  async endPresence(at: number): Promise<void> {
    await this.writer.endPresence(at);
  }

  async close(): Promise<void> {
    try {
      await this.writer.close();
    } finally {
      await this.sql.close();
    }
  }
}
