/**
 * Where SQLite's and PostgreSQL's SQL differ, in one place. Every other query of the ledger is
 * the same text on both (see sql.ts). The schema's differences (autoincrement ids, column types,
 * WITHOUT ROWID) are in the two migration lists, schema.ts and pg-schema.ts.
 */
export interface Dialect {
  readonly name: 'sqlite' | 'postgres';
  /** The larger of two values: SQLite's scalar MAX(a, b), PostgreSQL's GREATEST(a, b). */
  greatest(a: string, b: string): string;
  /** The smaller: SQLite's scalar MIN(a, b), PostgreSQL's LEAST(a, b). */
  least(a: string, b: string): string;
  /**
   * A statement taking one array parameter (the batch's `unit/gateway` keys) that serializes
   * writers of the same gateways until the transaction ends, or null where the transaction
   * itself already does (SQLite's BEGIN IMMEDIATE holds the only write lock). PostgreSQL's
   * transactions run concurrently (two centrals on one database), and the gaps' "highest seq
   * so far" is read-then-write: without the lock two writers of one gateway could both miss a gap.
   */
  lockGateways: string | null;
  /**
   * Statements run first in a snapshot that reads a quarter's events (the quarterly report, the
   * trends), scoped to its transaction. PostgreSQL: work_mem raised from the server's default
   * (4 MB), so that a GROUP BY or ORDER BY over many rows is hashed or sorted in memory, not in
   * temporary files, and the planner, which has no statistics on a table autovacuum has not
   * analysed yet, may pick a hash aggregate; one report runs at a time. SQLite: none.
   */
  largeReads: readonly string[];
  /**
   * Rows a multi-row INSERT of the writer takes (writer.ts usageRun). PostgreSQL: many, a round
   * trip per statement. SQLite: 1, one cached statement run per row: in process there is no round
   * trip to save, and a text whose length follows the batch's is a statement prepared again for
   * nearly every commit (115 prepared in 40,000 events, measured) and rows returned as objects.
   */
  insertRows: number;
}

export const sqliteDialect: Dialect = {
  name: 'sqlite',
  greatest: (a, b) => `MAX(${a}, ${b})`,
  least: (a, b) => `MIN(${a}, ${b})`,
  lockGateways: null,
  largeReads: [],
  insertRows: 1,
};

export const postgresDialect: Dialect = {
  name: 'postgres',
  greatest: (a, b) => `GREATEST(${a}, ${b})`,
  least: (a, b) => `LEAST(${a}, ${b})`,
  // Sorted keys: two batches locking overlapping gateways take them in the same order (no deadlock).
  lockGateways: `SELECT pg_advisory_xact_lock(hashtext(current_schema() || '/' || k)) FROM unnest(CAST(? AS text[])) AS k ORDER BY k`,
  largeReads: ["SET LOCAL work_mem = '64MB'"],
  insertRows: 250,
};

/** `?` placeholders as PostgreSQL's `$1, $2...`, leaving quoted text and identifiers alone. */
export function numberPlaceholders(sql: string): string {
  let n = 0;
  let out = '';
  let quote: string | undefined;
  for (const ch of sql) {
    if (quote) {
      if (ch === quote) quote = undefined;
      out += ch;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      out += ch;
    } else if (ch === '?') {
      out += `$${++n}`;
    } else {
      out += ch;
    }
  }
  return out;
}
