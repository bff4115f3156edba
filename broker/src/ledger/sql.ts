/**
 * The one SQL interface the ledger speaks, with two drivers: SQLite (better-sqlite3, sqlite-driver.ts)
 * and PostgreSQL (node-postgres, pg-driver.ts). Both take the SAME SQL text: `?` placeholders
 * (rewritten to `$1, $2...` for PostgreSQL), `INSERT ... ON CONFLICT ... DO NOTHING / DO UPDATE SET
 * x = excluded.x`, `RETURNING`, CASE rather than boolean arithmetic, booleans stored as integers
 * 0/1. The few places the dialects differ are functions of `Dialect` (dialect.ts), so a query
 * that needs one says so where it is written.
 *
 * Everything is async so that a network database fits; on SQLite the promises resolve at once.
 */
import type { Dialect } from './dialect.ts';

export type SqlValue = string | number | null | readonly string[];
export type Row = Record<string, unknown>;

/** What a query can be run on: the database, a transaction or a snapshot. */
export interface Queryable {
  readonly dialect: Dialect;
  /** Every row; numbers come back as JS numbers on both drivers (int8 and numeric parsed). */
  query<T = Row>(sql: string, params?: readonly SqlValue[]): Promise<T[]>;
  /** The first row, or undefined. */
  get<T = Row>(sql: string, params?: readonly SqlValue[]): Promise<T | undefined>;
  /** A statement without rows: how many rows it changed. */
  run(sql: string, params?: readonly SqlValue[]): Promise<{ changes: number }>;
  /**
   * Every row of one query, `batch` rows at a time, each row an array of the columns in the
   * SELECT's order; where the driver has it. PostgreSQL's snapshot has it (a cursor): one scan,
   * rows never built as objects, memory bounded by the batch. SQLite has none: its keyset pages
   * cost it nothing extra (an in-process index seek), so callers page there.
   */
  eachBatch?(sql: string, params: readonly SqlValue[], batch: number, onRows: (rows: readonly unknown[][]) => void): Promise<void>;
}

export interface SqlDriver extends Queryable {
  /**
   * Runs `fn` in one write transaction: committed when it resolves, rolled back when it throws
   * (and the error rethrown, e.g. SQLITE_BUSY or a lost PostgreSQL connection: the caller may
   * retry). SQLite: BEGIN IMMEDIATE...COMMIT, and other queries wait until it ends. PostgreSQL:
   * one pooled client for the whole transaction.
   */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /** Runs `fn` on a consistent read-only snapshot that never blocks the writer (reports). */
  snapshot<T>(fn: (q: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/**
 * A driver error worth retrying the same transaction for later: SQLite's lock held by another
 * connection; PostgreSQL's serialization failure or deadlock, or its connection gone (restart,
 * failover, network). Anything else is a problem with the data or the SQL.
 */
export function isTransient(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return false;
  if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED' || code.startsWith('SQLITE_BUSY_')) return true;
  // PostgreSQL SQLSTATEs: 40001 serialization_failure, 40P01 deadlock_detected, class 08
  // connection exceptions, 57P01..57P03 admin shutdown / crash shutdown / cannot connect now,
  // 53300 too many connections.
  if (code === '40001' || code === '40P01' || code.startsWith('08') || /^57P0[123]$/.test(code) || code === '53300') return true;
  // Node's socket errors, as node-postgres passes them on.
  return ['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN'].includes(code);
}

/**
 * SQL with named parameters (`:from`, `:to`) as the drivers' `?` text and its parameter list,
 * so a query that uses a value several times names it rather than repeating it by position.
 * `::` (a PostgreSQL cast) is left alone.
 */
export function named(sql: string, values: Readonly<Record<string, SqlValue>>): [string, SqlValue[]] {
  const params: SqlValue[] = [];
  const text = sql.replace(/(?<!:):([a-zA-Z_]\w*)/g, (_, name: string) => {
    if (!(name in values)) throw new Error(`named SQL: no value for :${name}`);
    params.push(values[name] as SqlValue);
    return '?';
  });
  return [text, params];
}
