/**
 * The upgrade of a central whose ledger was already on PostgreSQL: until now its state (gateway
 * credentials, accounts, registry, audit) stayed in `{dataDir}/ledger.sqlite`. The first time the
 * state opens on a PostgreSQL schema that holds none, that file's rows are copied over in one
 * transaction, so its gateways keep connecting and its people keep logging in. Sessions are not
 * copied (people log in again). A schema that already holds state is left alone: a second node's
 * file is reported, not merged (its gateways' secrets would clash with the first node's).
 */
import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import type { Queryable, SqlValue } from '../ledger/sql.ts';

/** The tables copied, in an order that keeps references valid, with their columns. */
const TABLES = [
  ['credentials', ['unit', 'gateway', 'username', 'secret_hash', 'created_at', 'rotated_at', 'revoked_at'], 'unit, gateway'],
  ['users', ['username', 'role', 'unit', 'password_hash', 'created_at', 'disabled_at'], 'username'],
  ['registry', ['id', 'kind', 'level', 'district', 'unit', 'updated_at'], 'id'],
  // Without its ids: PostgreSQL numbers the rows anew, in the same order.
  ['audit', ['at', 'actor', 'action', 'entity', 'entity_id', 'before', 'after'], 'id'],
] as const;

/** Migration 4 of ledger/schema.ts: the version from which the file has every state table. */
const STATE_VERSION = 4;

export type ImportResult =
  | { outcome: 'imported'; counts: Record<string, number> }
  /** The schema already had state: the file's gateways and accounts it lacks (counts) were not copied. */
  | { outcome: 'skipped'; counts: Record<string, number> }
  | { outcome: 'nothing' };

/** Copies the state of the SQLite `file` into `tx` (a transaction holding the state lock) if the schema has none. */
export async function importSqliteState(tx: Queryable, file: string): Promise<ImportResult> {
  if (!existsSync(file)) return { outcome: 'nothing' };
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    if ((db.pragma('user_version', { simple: true }) as number) < STATE_VERSION) return { outcome: 'nothing' };
    const counts: Record<string, number> = {};
    for (const [table] of TABLES) {
      const n = (db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
      if (n > 0) counts[table] = n;
    }
    if (Object.keys(counts).length === 0) return { outcome: 'nothing' };
    for (const [table] of TABLES) {
      if ((await tx.get(`SELECT 1 AS one FROM ${table} LIMIT 1`)) !== undefined) return await missingFrom(tx, db);
    }
    for (const [table, columns, order] of TABLES) {
      const insert = `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`;
      // Row by row through an iterator: the audit trail may be long, and memory stays flat.
      const rows = db.prepare(`SELECT ${columns.join(', ')} FROM ${table} ORDER BY ${order}`).raw().iterate() as IterableIterator<SqlValue[]>;
      for (const row of rows) await tx.run(insert, row);
    }
    return { outcome: 'imported', counts };
  } finally {
    db.close();
  }
}

/** The file's gateways and accounts the schema does not know (after an import, on the next start: none). */
async function missingFrom(tx: Queryable, db: Database.Database): Promise<ImportResult> {
  const counts: Record<string, number> = {};
  for (const table of ['credentials', 'users'] as const) {
    const known = new Set((await tx.query<{ username: string }>(`SELECT username FROM ${table}`)).map((r) => r.username));
    const missing = (db.prepare(`SELECT username FROM ${table}`).pluck().all() as string[]).filter((u) => !known.has(u)).length;
    if (missing > 0) counts[table] = missing;
  }
  return Object.keys(counts).length > 0 ? { outcome: 'skipped', counts } : { outcome: 'nothing' };
}
