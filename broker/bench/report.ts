import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { UsageEvent } from '@stemlab/protocol';
import { round, type BenchResult, type BenchSuite } from '../../bench/types.ts';
import { POSTGRES_URL, postgres } from '../../testing/services.ts';
import { openLedger, type Ledger, type LedgerConfig } from '../src/ledger/ledger.ts';
import type { LedgerMessage } from '../src/ledger/types.ts';
import { FLEET } from '../src/registry/fleet-data.ts';
import { toCsv } from '../src/reports/csv.ts';
import { quarterBounds } from '../src/reports/quarter.ts';
import { quarterlyReport } from '../src/reports/quarterly.ts';
import { toXlsx } from '../src/reports/xlsx.ts';

const QUARTER = '2026Q1';
/** A club session: 6 kits, each a kit session and 3 component sessions (two motors and a sonar). */
const KITS = 6;
const COMPONENTS = [
  { component: 'left', type: 'motor' },
  { component: 'right', type: 'motor' },
  { component: 'sonar', type: 'proximity' },
] as const;
/** Club sessions per school day (Monday–Saturday), each 45 minutes, from 14:00 Vietnam time. */
const CLUB_SESSIONS_PER_DAY = 3;
/** A busy club's quarter: ~15,600 usage events a week (the edge agent's estimate) × 13 weeks. */
const BUSY_QUARTER_EVENTS_PER_UNIT = 15_600 * 13;

/**
 * Can the quarter's report be produced on time (25/3, 25/6, 25/9, 25/12 at 17:00)? A quarter of
 * usage of the 54 pilot robot units is written to a ledger (straight into the ledger, batches of
 * 2,000: the figure is the report's, not the ingest's), then the report is computed and written
 * as CSV and XLSX. The time per million events, times a busy quarter's events, says how long the
 * real report takes. The same on PostgreSQL with a fifth of the units (POSTGRES_URL, a schema of
 * its own, dropped after).
 */
export const reportSuite: BenchSuite = {
  name: 'report',
  title: "The quarterly report: time to compute it from a quarter of the 54 robot units' usage",
  async run() {
    const dir = mkdtempSync(join(tmpdir(), 'stemlab-bench-report-'));
    const clubs = FLEET.filter((u) => u.kind === 'robot-club');
    const results: BenchResult[] = [];
    try {
      const sqlite = await measure({ kind: 'sqlite', file: join(dir, 'ledger.sqlite') }, clubs);
      results.push(...sqlite.results('SQLite'));
      if ((await postgres()).ok) {
        const schema = `bench_report_${randomUUID().slice(0, 8)}`;
        try {
          const onPg = await measure({ kind: 'postgres', url: POSTGRES_URL, schema }, clubs.slice(0, Math.ceil(clubs.length / 5)));
          results.push(...onPg.results('PostgreSQL', sqlite.perMillionS));
        } finally {
          const client = new pg.Client({ connectionString: POSTGRES_URL });
          await client.connect();
          await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
          await client.end();
        }
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    return results;
  },
};

async function measure(config: LedgerConfig, units: typeof FLEET) {
  const ledger = await openLedger(config);
  let events = 0;
  let reportS = 0;
  let csvS = 0;
  let xlsxS = 0;
  try {
    const t0 = performance.now();
    for (const unit of units) events += await writeQuarter(ledger, unit.id, unit.gateways[0] ?? 'robot-club-1');
    const insertS = (performance.now() - t0) / 1000;
    const t1 = performance.now();
    const report = await quarterlyReport(ledger, QUARTER, { units, now: quarterBounds(QUARTER).to + 86_400_000 });
    reportS = (performance.now() - t1) / 1000;
    const t2 = performance.now();
    toCsv(report, 'vi');
    csvS = (performance.now() - t2) / 1000;
    const t3 = performance.now();
    await toXlsx(report, 'vi');
    xlsxS = (performance.now() - t3) / 1000;
    const sessions = [...report.kits, ...report.components].reduce((n, r) => n + r.sessions, 0);
    if (sessions * 2 !== events) throw new Error(`report bench: the report counts ${sessions} sessions of the ${events / 2} written`);
    const perMillionS = (reportS / events) * 1e6;
    return {
      perMillionS,
      results(backend: string, peerPerMillionS?: number): BenchResult[] {
        const busy = (perMillionS * BUSY_QUARTER_EVENTS_PER_UNIT * 54) / 1e6;
        const perMillion: BenchResult = { name: `${backend}: report computed, seconds per million usage events`, value: round(perMillionS, 2), unit: 's' };
        if (peerPerMillionS !== undefined) Object.assign(perMillion, { peer: 'sqlite', peerValue: round(peerPerMillionS, 2), ratio: round(perMillionS / peerPerMillionS, 2) });
        return [
          { name: `${backend}: usage events of the quarter (${units.length} robot units)`, value: events, unit: 'events' },
          { name: `${backend}: written into the ledger (batches of 2,000)`, value: round(events / insertS, 0), unit: 'events/s' },
          { name: `${backend}: report computed (${units.length} units, ${events} events)`, value: round(reportS, 2), unit: 's' },
          perMillion,
          { name: `${backend}: CSV and XLSX written from it`, value: round(csvS + xlsxS, 2), unit: 's' },
          { name: `${backend}: estimated for a busy quarter of all 54 units (${round((BUSY_QUARTER_EVENTS_PER_UNIT * 54) / 1e6, 1)} M events)`, value: round(busy, 0), unit: 's' },
        ];
      },
    };
  } finally {
    await ledger.close();
  }
}

/** One unit's quarter: every school day's club sessions, written in batches; returns the events written. */
export async function writeQuarter(ledger: Ledger, unit: string, gateway: string): Promise<number> {
  const { from, to } = quarterBounds(QUARTER);
  const clock = { synced: true, bootId: `bench-${unit}`, uptimeMs: 1000 };
  const purpose = { kind: 'club-session' as const };
  let seq = 0;
  let batch: LedgerMessage[] = [];
  let written = 0;
  const flush = async () => {
    if (batch.length === 0) return;
    await ledger.insertBatch(batch);
    written += batch.length;
    batch = [];
  };
  const session = (kit: string, component: string | null, type: string, startedAt: number, endedAt: number) => {
    const id = randomUUID();
    const device = { kit, component, type };
    const start: UsageEvent = { v: 1, eventId: randomUUID(), seq: ++seq, at: startedAt, clock, type: 'session.start', device, session: { id, startedAt, purpose } };
    const counts = { activations: component === null ? 30 : 10, motorMs: type === 'motor' ? 600_000 : 0, readings: type === 'proximity' ? 2000 : 0 };
    const end: UsageEvent = {
      v: 1,
      eventId: randomUUID(),
      seq: ++seq,
      at: endedAt,
      clock,
      type: 'session.end',
      device,
      session: { id, startedAt, endedAt, durationMs: endedAt - startedAt, purpose, counts, faults: 0, endReason: 'idle' },
    };
    for (const event of [start, end]) batch.push({ kind: 'usage', unit, gateway, receivedAt: event.at + 200, event });
  };
  // `from` is local midnight (UTC+7): the local weekday is the UTC one 7 hours later.
  for (let day = from; day < to; day += 86_400_000) {
    if (new Date(day + 7 * 3_600_000).getUTCDay() === 0) continue;
    for (let s = 0; s < CLUB_SESSIONS_PER_DAY; s++) {
      const start = day + 14 * 3_600_000 + s * 50 * 60_000;
      for (let k = 1; k <= KITS; k++) {
        const kit = `robot-${k}`;
        for (const c of COMPONENTS) session(kit, c.component, c.type, start + 60_000, start + 44 * 60_000);
        session(kit, null, 'kit', start, start + 45 * 60_000);
      }
      if (batch.length >= 2000) await flush();
    }
  }
  await flush();
  return written;
}
