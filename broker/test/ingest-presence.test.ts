/**
 * Presence rows (a gateway's connects and disconnects) in a reconnect storm: they wait for
 * company (presenceDelayMs) also when they arrive while a commit is in flight. Protects the
 * storm's CPU (issue 17): committed as soon as each commit ended, 10,000 connects were ~1,800
 * commits (one per commit's duration, ~4 rows each), each an fsync, a trip to the writer thread
 * and back; now one per presenceDelayMs. A message that waits for its commit (QoS 1) or a
 * presence row whose wait is over still goes at once.
 */
import type { Client, PublishPacket } from 'aedes';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { topics } from '@stemlab/protocol';
import { Ingest } from '../src/ingest/ingest.ts';
import type { Ledger } from '../src/ledger/ledger.ts';
import type { BatchResult, LedgerMessage } from '../src/ledger/types.ts';

const NOTHING = { inserted: 0, duplicates: 0, conflicts: 0, deadLetters: 0 } as unknown as BatchResult;

/** Commits not ended yet, of every test's ledger (ended after each test). */
const open: (() => void)[] = [];

/** A ledger whose commits end when the test says so. */
function heldLedger() {
  const commits: LedgerMessage[][] = [];
  const ledger = {
    insertBatch: (messages: readonly LedgerMessage[]) =>
      new Promise<BatchResult>((resolve) => {
        commits.push([...messages]);
        open.push(() => resolve(NOTHING));
      }),
    endPresence: async () => undefined,
  } as unknown as Ledger;
  return { ledger, commits, endCommit: () => open.shift()?.() };
}

const gateway = (i: number) => ({ id: `gw:unit-a:lab-${i}` }) as unknown as Client;
const turns = async (n = 3) => {
  for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
};
/** The presence waits are timeouts on a fake clock: a busy machine cannot make one run out early. */
const sleep = async (ms: number) => {
  vi.advanceTimersByTime(ms);
  await turns();
};

let ingest: Ingest | undefined;
beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
});
afterEach(async () => {
  vi.useRealTimers();
  const stopped = ingest?.stop();
  while (open.length > 0) open.shift()?.();
  await stopped;
  ingest = undefined;
});

describe('presence rows during a commit', () => {
  it('wait for their own delay when they arrive while a commit runs, instead of going right after it', async () => {
    const { ledger, commits, endCommit } = heldLedger();
    ingest = new Ingest({ ledger, presenceDelayMs: 150, stopTimeoutMs: 100 });
    ingest.clientConnected(gateway(0));
    ingest.flush(); // a commit in flight
    expect(commits.map((c) => c.length)).toEqual([1]);
    for (let i = 1; i <= 5; i++) ingest.clientConnected(gateway(i));
    endCommit();
    await turns();
    // Before: the five were committed as soon as the first commit ended.
    expect(commits.map((c) => c.length)).toEqual([1]);
    ingest.clientConnected(gateway(6));
    await sleep(250);
    expect(commits.map((c) => c.length)).toEqual([1, 6]);
    endCommit();
  });

  it('go at the end of the commit when their wait ran out during it', async () => {
    const { ledger, commits, endCommit } = heldLedger();
    ingest = new Ingest({ ledger, presenceDelayMs: 30, stopTimeoutMs: 100 });
    ingest.clientConnected(gateway(0));
    ingest.flush();
    ingest.clientConnected(gateway(1));
    await sleep(80); // the row's wait is over; the commit still runs
    expect(commits.map((c) => c.length)).toEqual([1]);
    endCommit();
    await turns();
    expect(commits.map((c) => c.length)).toEqual([1, 1]);
    endCommit();
  });

  it('go at the end of the commit with a message that waits for its own commit', async () => {
    const { ledger, commits, endCommit } = heldLedger();
    ingest = new Ingest({ ledger, presenceDelayMs: 60_000, stopTimeoutMs: 100 });
    ingest.clientConnected(gateway(0));
    ingest.flush();
    ingest.clientConnected(gateway(1));
    const topic = topics.telemetry('unit-a', 'lab-1', 'kit-1', 'temp');
    const packet = { cmd: 'publish', topic, payload: Buffer.from(JSON.stringify({ value: 21.5, at: Date.now() })), qos: 0, retain: false, dup: false } as unknown as PublishPacket;
    ingest.authorizePublish(gateway(1), packet, () => undefined);
    endCommit();
    await turns();
    expect(commits.map((c) => c.length)).toEqual([1, 2]);
    endCommit();
  });
});
