/**
 * The central's own state: gateway credentials (security/credentials.ts), people's accounts and
 * sessions (api/users.ts), the fleet registry (registry/fleet.ts) and the audit trail of admin
 * changes. It lives where the ledger lives (central.yaml `ledger`), through the ledger's SQL
 * interface (ledger/sql.ts), so that every central on one PostgreSQL schema shares it: a gateway
 * provisioned through one node connects to any, a person created on one logs in on any.
 *
 * SQLite: the central's file `{dataDir}/ledger.sqlite`, the same tables as ever (migrations 2 to 4
 * of ledger/schema.ts), on a connection of its own that waits up to 5 s for another's write lock
 * (the CLI provisioning while the central writes). PostgreSQL: the ledger's schema (migration 2 of
 * ledger/pg-schema.ts), on a small pool of its own.
 */
import { join } from 'node:path';
import type { LedgerChoice } from '../ledger/ledger.ts';
import { openLedgerDriver } from '../ledger/ledger.ts';
import type { Queryable, SqlDriver } from '../ledger/sql.ts';

/** Where the central's state is: the same interface as the ledger's (ledger/sql.ts). */
export type CentralState = SqlDriver;

/** Opens (creating and migrating if needed) the state that goes with the ledger `choice`: SQLite in `dataDir`, or the ledger's PostgreSQL schema. */
export function openCentralState(choice: LedgerChoice | undefined, dataDir: string): Promise<CentralState> {
  if (choice?.kind === 'postgres') return openLedgerDriver({ ...choice, poolSize: 2 });
  return openLedgerDriver({ kind: 'sqlite', file: join(dataDir, 'ledger.sqlite'), busyTimeoutMs: 5000 });
}

// PostgreSQL runs two centrals' transactions at once: the changes that read before they write
// (the last admin, a unit's existence, the seed) take this lock, per schema, until they commit.
// SQLite's BEGIN IMMEDIATE already holds its only write lock.
const LOCK = "SELECT pg_advisory_xact_lock(hashtext(current_schema() || '/stemlab-central-state'))";

/** Runs `fn` in one write transaction, serialized with every other central's state changes. */
export function stateChange<T>(db: CentralState, fn: (tx: Queryable) => Promise<T>): Promise<T> {
  return db.transaction(async (tx) => {
    if (tx.dialect.name === 'postgres') await tx.query(LOCK);
    return fn(tx);
  });
}

/** One row of the audit trail, written in the change's transaction (`before`/`after` as JSON, NULL for none). */
export async function writeAudit(tx: Queryable, row: { at: number; actor: string; action: string; entity: string; entityId: string; before: unknown; after: unknown }): Promise<void> {
  await tx.run('INSERT INTO audit (at, actor, action, entity, entity_id, before, after) VALUES (?, ?, ?, ?, ?, ?, ?)', [
    row.at,
    row.actor,
    row.action,
    row.entity,
    row.entityId,
    row.before === null ? null : JSON.stringify(row.before),
    row.after === null ? null : JSON.stringify(row.after),
  ]);
}
