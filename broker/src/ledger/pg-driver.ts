/**
 * The SQL driver on PostgreSQL (node-postgres Pool). The ledger's SQL is written with `?`
 * placeholders (see sql.ts), numbered here; each distinct text becomes a named prepared statement
 * (parsed once per connection). int8 (BIGINT: the ledger's milliseconds, COUNT) and numeric (SUM
 * of BIGINT) come back as JS numbers, as on SQLite: node-postgres would give strings, to keep
 * values above 2^53 exact, and the ledger has none (epoch ms stay below 2^53 for 285,000 years).
 * A transaction holds one pooled client from BEGIN to COMMIT.
 */
import pg from 'pg';
import { numberPlaceholders, postgresDialect } from './dialect.ts';
import type { Queryable, Row, SqlDriver, SqlValue } from './sql.ts';

const INT8 = 20;
const NUMERIC = 1700;
const types = {
  getTypeParser: ((oid: number, format?: string) =>
    oid === INT8 || oid === NUMERIC ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
};

export interface PostgresOptions {
  /** postgres://user:password@host:port/database */
  url: string;
  /** The schema the ledger's tables live in (created if missing). */
  schema: string;
  /** Connections in the pool (default 4: one writer, some readers). */
  max?: number;
  /** Called with errors of idle pooled connections (a restarted server), which would otherwise crash the process. */
  onIdleError?: (err: Error) => void;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** One name per statement text: PostgreSQL parses it once per connection. */
const names = new Map<string, { name: string; text: string }>();
function prepared(sql: string): { name: string; text: string } {
  let p = names.get(sql);
  if (!p) {
    p = { name: `stemlab_${names.size}`, text: numberPlaceholders(sql) };
    if (names.size < 1000) names.set(sql, p);
  }
  return p;
}

/** Cursor names, unique within a connection's transaction. */
let cursors = 0;

class On implements Queryable {
  readonly dialect = postgresDialect;
  /** A cursor needs a transaction: only a snapshot's or transaction's client streams. */
  readonly eachBatch?: Queryable['eachBatch'];
  constructor(
    private readonly target: pg.Pool | pg.PoolClient,
    inTransaction = false,
  ) {
    if (inTransaction) this.eachBatch = (sql, params, batch, onRows) => this.fetchAll(sql, params, batch, onRows);
  }

  /**
   * One query's rows through a cursor, `batch` at a time, as arrays: the server runs the query
   * once (no re-sort or re-seek per page), and node-postgres skips building an object per row,
   * which was half the report's time on PostgreSQL.
   */
  private async fetchAll(sql: string, params: readonly SqlValue[], batch: number, onRows: (rows: readonly unknown[][]) => void): Promise<void> {
    if (!Number.isInteger(batch) || batch < 1) throw new Error(`eachBatch: batch must be a positive whole number of rows, got ${batch}`);
    const name = `stemlab_cursor_${++cursors}`;
    await this.target.query({ text: `DECLARE ${name} NO SCROLL CURSOR FOR ${numberPlaceholders(sql)}`, values: params as unknown[] });
    for (;;) {
      const r = await this.target.query<unknown[]>({ text: `FETCH ${batch} FROM ${name}`, rowMode: 'array' });
      if (r.rows.length > 0) onRows(r.rows);
      if (r.rows.length < batch) break;
    }
    await this.target.query(`CLOSE ${name}`);
  }

  async query<T = Row>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
    const p = prepared(sql);
    const r = await this.target.query({ name: p.name, text: p.text, values: params as unknown[] });
    return r.rows as T[];
  }

  async get<T = Row>(sql: string, params?: readonly SqlValue[]): Promise<T | undefined> {
    return (await this.query<T>(sql, params))[0];
  }

  async run(sql: string, params: readonly SqlValue[] = []): Promise<{ changes: number }> {
    const p = prepared(sql);
    const r = await this.target.query({ name: p.name, text: p.text, values: params as unknown[] });
    return { changes: r.rowCount ?? 0 };
  }
}

export class PostgresDriver implements SqlDriver {
  readonly dialect = postgresDialect;
  private readonly on: On;

  private constructor(
    readonly pool: pg.Pool,
    readonly schema: string,
  ) {
    this.on = new On(pool);
  }

  static create(options: PostgresOptions): PostgresDriver {
    if (!SCHEMA_NAME.test(options.schema)) {
      throw new Error(`ledger.schema: '${options.schema}' is not a plain PostgreSQL schema name (lower-case letters, digits and _, not starting with a digit)`);
    }
    const pool = new pg.Pool({
      connectionString: options.url,
      max: options.max ?? 4,
      types,
      options: `-c search_path=${options.schema}`,
      application_name: 'stemlab-central',
      connectionTimeoutMillis: 10_000,
    });
    pool.on('error', (err) => options.onIdleError?.(err));
    return new PostgresDriver(pool, options.schema);
  }

  query<T = Row>(sql: string, params?: readonly SqlValue[]): Promise<T[]> {
    return this.on.query<T>(sql, params);
  }

  get<T = Row>(sql: string, params?: readonly SqlValue[]): Promise<T | undefined> {
    return this.on.get<T>(sql, params);
  }

  run(sql: string, params?: readonly SqlValue[]): Promise<{ changes: number }> {
    return this.on.run(sql, params);
  }

  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    return this.within('BEGIN', fn);
  }

  snapshot<T>(fn: (q: Queryable) => Promise<T>): Promise<T> {
    return this.within('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY', fn);
  }

  async close(): Promise<void> {
    if (!this.pool.ended) await this.pool.end();
  }

  private async within<T>(begin: string, fn: (q: Queryable) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    // A checked-out client has no error listener of the pool's: without one, a connection cut
    // mid-transaction (a server restart) would be an uncaught 'error' that ends the process.
    const onError = (err: Error) => (broken = err);
    client.on('error', onError);
    try {
      await client.query(begin);
      const result = await fn(new On(client, true));
      await client.query('COMMIT');
      return result;
    } catch (err) {
      try {
        await client.query('ROLLBACK');
      } catch (rollbackError) {
        // The connection is gone: drop it from the pool rather than hand it to the next caller.
        broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
      }
      throw err;
    } finally {
      client.off('error', onError);
      client.release(broken);
    }
  }
}
