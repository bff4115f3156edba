/**
 * PostgreSQL's batched read (pg-driver.ts `eachBatch`, a cursor fetched as arrays), which the
 * quarterly report walks its session ends with: every row once, in batches of at most the size
 * asked, columns in the SELECT's order with BIGINTs as numbers, parameters bound; only where a
 * cursor can live (a snapshot or transaction). The report's figures over it are checked against
 * SQLite's and the truth in report.test.ts and e2e/fleet-truth-postgres.test.ts.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { assertAvailable, shouldRun } from '../../testing/requirements.ts';
import { POSTGRES_URL, postgres } from '../../testing/services.ts';
import { PostgresDriver } from '../src/ledger/pg-driver.ts';
import type { Queryable } from '../src/ledger/sql.ts';

const pgUp = await postgres();

describe.runIf(shouldRun('PostgreSQL batched reads', pgUp))('PostgreSQL batched reads (eachBatch)', () => {
  // No table is made: the search path's schema only has to be a valid name.
  const driver = pgUp.ok ? PostgresDriver.create({ url: POSTGRES_URL, schema: `t_batches_${randomBytes(6).toString('hex')}` }) : undefined;
  afterAll(() => driver?.close());

  const SERIES = 'SELECT n, CAST(n AS BIGINT) * 1000000000000 AS big, CAST(? AS TEXT) AS tag FROM generate_series(1, ?) AS n';

  async function batchesOf(rows: number, batch: number): Promise<unknown[][][]> {
    assertAvailable('PostgreSQL', pgUp);
    const batches: unknown[][][] = [];
    await driver!.snapshot(async (q) => {
      if (!q.eachBatch) throw new Error('a snapshot on PostgreSQL has eachBatch');
      await q.eachBatch(SERIES, ['x', rows], batch, (got) => batches.push(got.map((r) => [...r])));
    });
    return batches;
  }

  it('reads every row once, as arrays, in batches of at most the size asked', async () => {
    const batches = await batchesOf(5, 2);
    expect(batches.map((b) => b.length)).toEqual([2, 2, 1]);
    expect(batches.flat()).toEqual([1, 2, 3, 4, 5].map((n) => [n, n * 1e12, 'x']));
  });

  it('ends when a batch is exactly full and nothing follows', async () => {
    expect((await batchesOf(4, 2)).map((b) => b.length)).toEqual([2, 2]);
    expect(await batchesOf(0, 3)).toEqual([]);
  });

  it('reads two queries one after the other in one snapshot (each its own cursor)', async () => {
    assertAvailable('PostgreSQL', pgUp);
    const seen: number[] = [];
    await driver!.snapshot(async (q) => {
      await q.eachBatch!(SERIES, ['a', 3], 2, (rows) => rows.forEach((r) => seen.push(r[0] as number)));
      await q.eachBatch!(SERIES, ['b', 2], 2, (rows) => rows.forEach((r) => seen.push(r[0] as number)));
    });
    expect(seen).toEqual([1, 2, 3, 1, 2]);
  });

  it('refuses a batch that is not a positive whole number, naming it', async () => {
    await expect(batchesOf(3, 0)).rejects.toThrow(/batch must be a positive whole number of rows, got 0/);
  });

  it('is not offered outside a transaction (a cursor needs one): callers page instead', () => {
    assertAvailable('PostgreSQL', pgUp);
    const onPool: Queryable = driver!;
    expect(onPool.eachBatch).toBeUndefined();
  });
});
