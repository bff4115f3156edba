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
import type { Logger } from 'pino';
import type { LedgerChoice } from '../ledger/ledger.ts';
import { openLedgerDriver } from '../ledger/ledger.ts';
import type { Queryable, SqlDriver } from '../ledger/sql.ts';
import { importSqliteState } from './import.ts';

/** Where the central's state is: the same interface as the ledger's (ledger/sql.ts). */
export type CentralState = SqlDriver;

/**
 * Opens (creating and migrating if needed) the state that goes with the ledger `choice`: SQLite in
 * `dataDir`, or the ledger's PostgreSQL schema; a schema without state first gets the state of
 * `{dataDir}/ledger.sqlite`, where an older central kept it (import.ts).
 */
export async function openCentralState(choice: LedgerChoice | undefined, dataDir: string, log?: Logger): Promise<CentralState> {
  const file = join(dataDir, 'ledger.sqlite');
  if (choice?.kind !== 'postgres') return openLedgerDriver({ kind: 'sqlite', file, busyTimeoutMs: 5000 });
  const driver = await openLedgerDriver({ ...choice, poolSize: 2 });
  try {
    const result = await stateChange(driver, (tx) => importSqliteState(tx, file));
    if (result.outcome === 'imported') log?.warn({ from: file, counts: result.counts }, 'central state copied from the SQLite file into PostgreSQL (once)');
    if (result.outcome === 'skipped') log?.warn({ file, counts: result.counts }, 'PostgreSQL already holds central state: gateways and accounts of this SQLite file that it lacks were not copied; provision them again (stemlab provision gateway, stemlab user add)');
  } catch (err) {
    await driver.close();
    throw err;
  }
  return driver;
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
