/**
 * The central stops cleanly while its gateways are connected and reconnect at once (as agents do
 * when the central goes): closing the broker closes every client, and Aedes then authorizes
 * (the ingest commits), publishes and deletes each will from the broker's state, after close()
 * has called back. The state (LevelDB on disk) must close only after those writes: before the
 * fix every will stayed behind in it (to be published again, stale, by the next start), and a
 * late deletion rejected unhandled (LEVEL_DATABASE_NOT_OPEN from aedes-persistence-level's
 * delWill). state/pending-writes.ts and state/inflight.ts are the fix.
 */
import { join } from 'node:path';
import { Level } from 'level';
import { afterEach, describe, expect, it } from 'vitest';
import { topics } from '@stemlab/protocol';
import { openPersistence } from '../src/state/persistence.ts';
import { birth, connectGateway, startTestCentral, tmpDir, UNIT } from './helpers.ts';

const rejections: unknown[] = [];
const onRejection = (err: unknown) => rejections.push(err);

afterEach(() => {
  process.off('unhandledRejection', onRejection);
  rejections.length = 0;
});

/** The keys of the wills still stored in a stopped central's broker state. */
async function willsLeft(dataDir: string): Promise<string[]> {
  const db = new Level<string, Buffer>(join(dataDir, 'broker-state'), { valueEncoding: 'buffer' });
  const keys: string[] = [];
  for await (const key of db.keys()) if (key.startsWith('will:')) keys.push(key);
  await db.close();
  return keys;
}

describe('central stop with connected gateways', () => {
  it('publishes and deletes every will before the broker state closes, with gateways reconnecting meanwhile, and no unhandled rejection', async () => {
    process.on('unhandledRejection', onRejection);
    const { dir, remove } = tmpDir();
    const central = await startTestCentral({ dataDir: dir, state: { kind: 'disk' } });
    const clients = await Promise.all(
      Array.from({ length: 40 }, async (_, i) => {
        const gateway = `gw-${i}`;
        const client = await connectGateway(central, { gateway, bdSeq: 1, reconnectPeriod: 1 });
        client.on('error', () => undefined);
        await client.publishAsync(topics.gatewayState(UNIT, gateway), JSON.stringify(birth(1)), { qos: 1, retain: true });
        return client;
      }),
    );
    expect(await central.ledger.counts()).toMatchObject({ online: 40 });
    await central.stop();
    for (const c of clients) c.end(true);
    try {
      expect(await willsLeft(dir)).toEqual([]);
      // A rejection would surface on a later turn of the event loop.
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(rejections.map((e) => String((e as { code?: string }).code ?? e))).toEqual([]);
    } finally {
      remove();
    }
  });

  it("takes a will deletion that comes after the state closed (a CONNECT still in Aedes's handler) without a rejection", async () => {
    process.on('unhandledRejection', onRejection);
    const { dir, remove } = tmpDir();
    const state = await openPersistence({ kind: 'disk' }, dir);
    const persistence = state.persistence as unknown as { delWill(client: { id: string; brokerId: string }): Promise<unknown> };
    await state.close();
    // As lib/handlers/connect.js calls it: `.finally` without a rejection handler.
    await new Promise<void>((resolve) => void persistence.delWill({ id: 'gw:thcs-q1-01:gw-late', brokerId: 'b' }).finally(resolve));
    await new Promise((resolve) => setTimeout(resolve, 100));
    remove();
    expect(rejections).toEqual([]);
  });
});
