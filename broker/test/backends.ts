/**
 * The ledger's two backends for the tests: `describe.each(BACKENDS)` runs a suite on a SQLite file
 * and on the PostgreSQL at testing/services.ts POSTGRES_URL. Each PostgreSQL ledger gets a schema
 * of its own with a random name (other helpers' tests share the server), dropped by dispose().
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import pg from 'pg';
import { assertAvailable, shouldRun, type Requirement } from '../../testing/requirements.ts';
import { POSTGRES_URL, postgres } from '../../testing/services.ts';
import { afterEach, beforeEach } from 'vitest';
import { openCentralState, type CentralState } from '../src/central-state/state.ts';
import { openLedger, type Ledger, type LedgerChoice } from '../src/ledger/ledger.ts';
import { tmpDir } from './helpers.ts';

export type BackendName = 'sqlite' | 'postgres';

const pgRequirement: Requirement = await postgres();

/** describe.each over these; `run` is false when the backend is missing (skipped with a how-to). */
export const BACKENDS: Array<{ backend: BackendName; run: boolean }> = [
  { backend: 'sqlite', run: true },
  { backend: 'postgres', run: shouldRun('ledger on PostgreSQL', pgRequirement) },
];

export class LedgerFactory {
  private readonly schemas: string[] = [];
  private readonly dirs: Array<{ remove(): void }> = [];

  constructor(readonly backend: BackendName) {}

  /** Call first in a test (or beforeAll) that needs the backend. */
  require(): void {
    if (this.backend === 'postgres') assertAvailable('PostgreSQL', pgRequirement);
  }

  /** A fresh schema name (PostgreSQL) the factory drops at dispose. */
  schema(): string {
    const name = `t_ledger_${randomBytes(6).toString('hex')}`;
    this.schemas.push(name);
    return name;
  }

  /** What startCentral's `ledger` option takes: undefined for SQLite (the central's own file). */
  choice(): LedgerChoice | undefined {
    return this.backend === 'postgres' ? { kind: 'postgres', url: POSTGRES_URL, schema: this.schema() } : undefined;
  }

  /** A new, empty ledger. */
  open(): Promise<Ledger> {
    this.require();
    if (this.backend === 'postgres') return openLedger({ kind: 'postgres', url: POSTGRES_URL, schema: this.schema() });
    const dir = tmpDir();
    this.dirs.push(dir);
    return openLedger({ kind: 'sqlite', file: join(dir.dir, 'ledger.sqlite') });
  }

  /** Drops the schemas and directories made so far (ledgers must be closed first). */
  async dispose(): Promise<void> {
    for (const d of this.dirs.splice(0)) d.remove();
    const schemas = this.schemas.splice(0);
    if (schemas.length === 0) return;
    const client = new pg.Client({ connectionString: POSTGRES_URL });
    await client.connect();
    try {
      for (const s of schemas) await client.query(`DROP SCHEMA IF EXISTS ${s} CASCADE`);
    } finally {
      await client.end();
    }
  }
}

/**
 * A fresh central state (credentials, accounts, registry, audit) for each test of the enclosing
 * describe, on `backend`; its data dir and schema are removed after. Returns the current one.
 */
export function eachCentralState(backend: BackendName, run: boolean): () => CentralState {
  const backends = new LedgerFactory(backend);
  let dir: ReturnType<typeof tmpDir>;
  let db: CentralState;
  beforeEach(async () => {
    if (!run) return;
    backends.require();
    dir = tmpDir();
    db = await openCentralState(backends.choice(), dir.dir);
  });
  afterEach(async () => {
    if (!run) return;
    await db.close();
    dir.remove();
    await backends.dispose();
  });
  return () => db;
}
