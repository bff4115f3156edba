/**
 * The ledger writer's CPU per usage event, without the broker or the worker thread around it: a
 * SQLite ledger in a temporary directory, and the batches the ingest hands the writer thread
 * (4 gateways' QoS 1 usage events, interleaved, as 'unchecked-usage' messages, each batch encoded
 * by encodeBatch, structured-cloned as postMessage would, and decoded as writer-worker.ts does), written by LedgerWriter on
 * this thread. Reports the process's CPU time (user + system: better-sqlite3 runs on this thread;
 * the fsync's wait is not CPU) per event and the distinct statement texts the connection prepared.
 *
 *   [PROFILE=file.cpuprofile] node --import tsx broker/bench/writer-cost.ts [events=40000] [batch=250] [--dup]
 *
 * PROFILE: a CPU profile of the measured part (after the warm-up) written there.
 * --dup writes every batch twice (the second time all duplicates: a QoS 1 retry, an outbox replay).
 * Not part of `stemlab bench`: a tool for before/after figures of the writer's own cost.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { decodeBatch, encodeBatch } from '../src/ledger/batch-writer.ts';
import { openLedgerDriver } from '../src/ledger/ledger.ts';
import type { SqliteDriver } from '../src/ledger/sqlite-driver.ts';
import type { LedgerMessage } from '../src/ledger/types.ts';
import { LedgerWriter } from '../src/ledger/writer.ts';
import { sessionStart } from '../test/helpers.ts';

const args = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const dup = process.argv.includes('--dup');
const events = Number(args[0] ?? 40_000);
const batchSize = Number(args[1] ?? 250);
const GATEWAYS = 4;
const WARMUP = 4_000;

const dir = mkdtempSync(join(tmpdir(), 'stemlab-writer-cost-'));
const sql = (await openLedgerDriver({ kind: 'sqlite', file: join(dir, 'ledger.db') })) as SqliteDriver;
for (const p of (process.env.PRAGMAS ?? '').split(',').filter(Boolean)) sql.db.pragma(p);
const writer = new LedgerWriter(randomUUID());
let prepared = 0;
const prepare = sql.db.prepare.bind(sql.db);
/** The COMMITs' own CPU and wall time (the WAL's writes and fsync, a checkpoint now and then). */
const commit = { cpu: 0, wall: 0 };
sql.db.prepare = ((source: string) => {
  prepared++;
  const statement = prepare(source);
  if (source !== 'COMMIT') return statement;
  const run = statement.run.bind(statement);
  return Object.assign(statement, {
    run: (...params: unknown[]) => {
      const c = process.cpuUsage();
      const t = performance.now();
      try {
        return run(...params);
      } finally {
        const used = process.cpuUsage(c);
        commit.cpu += used.user + used.system;
        commit.wall += (performance.now() - t) * 1000;
      }
    },
  });
}) as typeof sql.db.prepare;

const texts: string[] = [];
for (let i = 0; i < events + WARMUP; i++) texts.push(JSON.stringify(sessionStart(Math.floor(i / GATEWAYS) + 1)));
// Commits as the ingest makes them: their size varies with the load around `batch` (here 50 %–150 % of it, a fixed sequence).
const batches: Array<ReturnType<typeof encodeBatch>> = [];
const sizes: number[] = [];
let seed = 1;
for (let i = 0, size = batchSize; i < texts.length; i += size) {
  seed = (seed * 48_271) % 2_147_483_647;
  size = Math.max(1, Math.round(batchSize * (0.5 + seed / 2_147_483_647)));
  const messages: LedgerMessage[] = texts.slice(i, i + size).map((payload, j) => ({
    kind: 'unchecked-usage',
    unit: 'bench',
    gateway: `gw-${(i + j) % GATEWAYS}`,
    receivedAt: Date.now(),
    payload,
  }));
  batches.push(encodeBatch(messages));
  sizes.push(messages.length);
}

const session = new Session();
session.connect();
const post = (method: string, params?: object) => new Promise<unknown>((resolve, reject) => session.post(method, params, (err, result) => (err ? reject(err) : resolve(result))));
const profile = process.env.PROFILE;
if (profile) {
  await post('Profiler.enable');
  await post('Profiler.setSamplingInterval', { interval: 200 });
}

let counted = { inserted: 0, duplicates: 0, deadLetters: 0 };
let cpu = process.cpuUsage();
let t0 = performance.now();
let done = 0;
let warm = false;
for (const [b, batch] of batches.entries()) {
  if (!warm && done >= WARMUP) {
    warm = true;
    if (profile) await post('Profiler.start');
    cpu = process.cpuUsage();
    t0 = performance.now();
    prepared = 0;
    commit.cpu = 0;
    commit.wall = 0;
    counted = { inserted: 0, duplicates: 0, deadLetters: 0 };
  }
  for (let n = 0; n < (dup ? 2 : 1); n++) {
    const r = await writer.insertBatch(sql, decodeBatch(structuredClone(batch)));
    counted.inserted += r.inserted;
    counted.duplicates += r.duplicates;
    counted.deadLetters += r.deadLetters;
  }
  done += sizes[b] as number;
}
const used = process.cpuUsage(cpu);
const wall = performance.now() - t0;
if (profile) writeFileSync(profile, JSON.stringify(((await post('Profiler.stop')) as { profile: unknown }).profile));
const measured = (counted.inserted + counted.duplicates + counted.deadLetters);
console.log(
  `${events} events in batches of ${batchSize}${dup ? ', each batch twice' : ''}: ${((used.user + used.system) / measured).toFixed(1)} µs CPU per event ` +
    `(user ${(used.user / measured).toFixed(1)}, system ${(used.system / measured).toFixed(1)}), ${((wall * 1000) / measured).toFixed(1)} µs wall, of which the COMMITs ${(commit.cpu / measured).toFixed(1)} µs CPU, ${(commit.wall / measured).toFixed(1)} µs wall; ` +
    `inserted ${counted.inserted}, duplicates ${counted.duplicates}, dead letters ${counted.deadLetters}; statements prepared ${prepared}`,
);
await sql.close();
rmSync(dir, { recursive: true, force: true });
