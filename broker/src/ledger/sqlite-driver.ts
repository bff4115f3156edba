/**
 * The SQL driver on SQLite (better-sqlite3): synchronous underneath, so every promise resolves at
 * once. Statements are prepared once and cached by their text. A transaction is BEGIN IMMEDIATE
 * (the write lock taken up front, so a busy database fails at BEGIN, before any work) ... COMMIT;
 * while one is open, queries from outside it wait for it to end, so nobody reads its uncommitted
 * rows through the shared connection between two of its awaits.
 */
import Database, { type Database as Db, type Statement } from 'better-sqlite3';
import { sqliteDialect } from './dialect.ts';
import type { Queryable, Row, SqlDriver, SqlValue } from './sql.ts';

type Bind = string | number | null;

/** Arrays (PostgreSQL's array parameters) have no SQLite equivalent: the callers avoid them here. */
function binds(params: readonly SqlValue[]): Bind[] {
  // Checked in place, not copied: a row's parameters are bound for every event the writer stores.
  for (const p of params) if (Array.isArray(p)) throw new Error('array parameters are PostgreSQL-only (see dialect.ts)');
  return params as Bind[];
}

class Connection implements Queryable {
  readonly dialect = sqliteDialect;
  private readonly cache = new Map<string, Statement>();

  constructor(readonly db: Db) {}

  statement(sql: string): Statement {
    let s = this.cache.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      // Bounded: the ledger's statements are a fixed set, but a caller building SQL must not grow it forever.
      if (this.cache.size >= 500) this.cache.clear();
      this.cache.set(sql, s);
    }
    return s;
  }

  query<T = Row>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
    return Promise.resolve(this.statement(sql).all(...binds(params)) as T[]);
  }

  get<T = Row>(sql: string, params: readonly SqlValue[] = []): Promise<T | undefined> {
    return Promise.resolve(this.statement(sql).get(...binds(params)) as T | undefined);
  }

  run(sql: string, params: readonly SqlValue[] = []): Promise<{ changes: number }> {
    return Promise.resolve({ changes: this.statement(sql).run(...binds(params)).changes });
  }
}

export class SqliteDriver implements SqlDriver {
  readonly dialect = sqliteDialect;
  private readonly conn: Connection;
  /** The transaction in progress: outside queries wait for it. */
  private current: Promise<unknown> | undefined;

  constructor(
    readonly file: string,
    readonly db: Db,
  ) {
    this.conn = new Connection(db);
  }

  /**
   * Opens `file` in WAL mode with synchronous = FULL: a commit is on disk (the WAL fsynced) when
   * it returns, so an acknowledged event survives a power cut. `busyTimeoutMs` 0 fails a write at
   * once with SQLITE_BUSY when another connection holds the lock: the ingest retries later
   * without blocking the event loop, where a wait inside SQLite would stall the whole broker.
   */
  static open(file: string, options: { busyTimeoutMs?: number } = {}): SqliteDriver {
    const db = new Database(file, { timeout: options.busyTimeoutMs ?? 0 });
    try {
      const mode = db.pragma('journal_mode = WAL', { simple: true });
      if (mode !== 'wal') throw new Error(`ledger ${file}: SQLite refused WAL mode (got '${String(mode)}'); put the data directory on a local disk`);
      db.pragma('synchronous = FULL');
      return new SqliteDriver(file, db);
    } catch (err) {
      db.close();
      throw err;
    }
  }

  async query<T = Row>(sql: string, params?: readonly SqlValue[]): Promise<T[]> {
    while (this.current) await this.settled();
    return this.conn.query<T>(sql, params);
  }

  async get<T = Row>(sql: string, params?: readonly SqlValue[]): Promise<T | undefined> {
    while (this.current) await this.settled();
    return this.conn.get<T>(sql, params);
  }

  async run(sql: string, params?: readonly SqlValue[]): Promise<{ changes: number }> {
    while (this.current) await this.settled();
    return this.conn.run(sql, params);
  }

  async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    // Checked and taken with no await in between: two callers cannot both pass.
    while (this.current) await this.settled();
    const work = (async () => {
      this.conn.statement('BEGIN IMMEDIATE').run();
      try {
        const result = await fn(this.conn);
        this.conn.statement('COMMIT').run();
        return result;
      } catch (err) {
        if (this.db.inTransaction) this.db.exec('ROLLBACK');
        throw err;
      }
    })();
    this.current = work;
    try {
      return await work;
    } finally {
      if (this.current === work) this.current = undefined;
    }
  }

  /** A read-only connection of its own, in one read transaction: WAL lets it read while the writer writes. */
  async snapshot<T>(fn: (q: Queryable) => Promise<T>): Promise<T> {
    const db = new Database(this.file, { readonly: true, fileMustExist: true });
    try {
      const conn = new Connection(db);
      db.exec('BEGIN');
      try {
        return await fn(conn);
      } finally {
        db.exec('COMMIT');
      }
    } finally {
      db.close();
    }
  }

  close(): Promise<void> {
    if (this.db.open) this.db.close();
    return Promise.resolve();
  }

  private settled(): Promise<unknown> {
    return (this.current ?? Promise.resolve()).catch(() => undefined);
  }
}
