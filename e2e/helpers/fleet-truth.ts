/**
 * The truth test (e2e/fleet-truth-*.test.ts: one file per backend, so they run side by side).
 * The report equals the truth: a seeded quarter of the full fleet (54 robot units, 28 lab
 * centres; fewer kits, a lighter timetable and fewer network losses than a real quarter, to stay
 * under two minutes) is lived by the fleet simulator through real MQTT clients with the agent's outbox,
 * into a central on the same simulated clock; then every figure of the quarterly report (kits,
 * components, totals, units, gateways' uptime and completeness) must equal the simulator's
 * truth: exactly, and uptime to a millionth of an hour. On SQLite and on PostgreSQL (its own
 * schema), and with gateways offline for days that come back and replay their outboxes.
 * Seeds are printed; set STEMLAB_FLEET_SEED to replay one.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { quarterlyReport, startCentral, type LedgerChoice } from '@stemlab/broker';
import { createLogger } from '@stemlab/edge-agent';
import { fleetTruth, planFleet, SimClock, quarterSpan } from '@stemlab/simulators/fleet';
import { compareWithTruth } from '../../cli/fleet/compare.ts';
import { DEFAULT_SIZE, fleetSpecs, playFleet, registryUnits } from '../../cli/fleet/fleet.ts';
import { LedgerFactory, type BackendName } from '../../broker/test/backends.ts';
import { OPEN_ANONYMOUS } from '../../testing/anonymous-rights.ts';

const QUARTER = '2026Q1'; // with Tết (17/2/2026)
const seed = Number(process.env.STEMLAB_FLEET_SEED ?? 20_260_101);

async function truthRun(dirs: string[], ledgerChoice: LedgerChoice | undefined, runSeed: number, longOutageDays: number) {
  console.log(`fleet truth: seed ${runSeed}, ${ledgerChoice?.kind ?? 'sqlite'}, long outage ${longOutageDays} d (STEMLAB_FLEET_SEED=${runSeed} replays it)`);
  const dir = mkdtempSync(join(tmpdir(), 'stemlab-fleet-'));
  dirs.push(dir);
  const span = quarterSpan(QUARTER);
  const clock = new SimClock(span.from);
  const central = await startCentral({
    dataDir: join(dir, 'central'),
    mqtt: { host: '127.0.0.1', port: 0 },
    log: createLogger('silent'),
    security: OPEN_ANONYMOUS,
    reports: { archive: false },
    ingest: { now: clock.now },
    ...(ledgerChoice ? { ledger: ledgerChoice } : {}),
  });
  try {
    const plan = planFleet({ quarter: QUARTER, seed: runSeed, gateways: fleetSpecs({ ...DEFAULT_SIZE, robotsPerUnit: 2, benchesPerLab: 2 }), activity: 0.3, longOutageDays, shortOutages: 1 });
    const run = await playFleet({ plan, clock, mqttUrl: central.mqttUrl, ledger: central.ledger });
    await central.ingest.drain();
    const errors = run.twins.flatMap((t) => t.errors);
    for (const twin of run.twins) await twin.close();
    expect(errors).toEqual([]);
    const report = await quarterlyReport(central.ledger, QUARTER, { units: registryUnits(plan), now: span.to });
    const truth = fleetTruth(plan);
    expect(truth.totals.map((t) => t.category)).toEqual(['robots', 'lab']);
    expect(truth.totals[0]?.units).toBe(54);
    expect(truth.totals[1]?.units).toBe(28);
    // The quarter lived something of each kind: sessions, breakdowns, repairs, outages.
    expect(truth.totals.every((t) => t.sessions > 0)).toBe(true);
    expect(truth.totals.reduce((a, t) => a + t.repairs, 0)).toBeGreaterThan(0);
    expect(truth.gateways.some((g) => g.uptimeShare < 1)).toBe(true);
    expect(await central.ledger.deadLetters()).toEqual([]);
    expect(compareWithTruth(report, truth)).toEqual([]);
    return { plan, truth, run, report };
  } finally {
    await central.stop();
  }
}

/** The test of one backend: a seeded quarter with a gateway offline for days, the report against the truth. */
export async function fleetTruthTest(backend: BackendName): Promise<void> {
  const factory = new LedgerFactory(backend);
  const dirs: string[] = [];
  try {
    factory.require();
    const { plan, truth, run: played, report } = await truthRun(dirs, factory.choice(), seed, 6);
    console.log(`fleet truth (${backend}): ${played.happenings} happenings in ${Math.round(played.realMs)} ms`);
    // The first gateway was offline at least 6 days (its outbox held the events) and is complete at the end.
    const first = plan.gateways[0];
    const gaps = (first?.online ?? []).slice(1).map((o, i) => o.from - (first?.online[i]?.to ?? 0));
    expect(Math.max(...gaps)).toBeGreaterThanOrEqual(6 * 86_400_000);
    expect(truth.gateways[0]?.uptimeShare).toBeLessThan(0.94);
    // Some gateway booted with a wrong clock: its events came in unsynchronised and were corrected.
    expect(plan.gateways.some((g) => g.happenings.some((h) => h.kind === 'boot'))).toBe(true);
    // The comparison can fail: one millisecond more in the truth is found.
    const kit = truth.kits[0];
    if (!kit) throw new Error('no kits in the truth');
    expect(compareWithTruth(report, { ...truth, kits: [{ ...kit, usedMs: kit.usedMs + 1 }, ...truth.kits.slice(1)] })).toEqual([
      `${kit.unit} ${kit.category} kits used ms: report ${kit.usedMs}, truth ${kit.usedMs + 1}`,
      `${kit.unit} unit kit-hours (ms): report ${kit.usedMs}, truth ${kit.usedMs + 1}`,
    ]);
  } finally {
    dirs.forEach((d) => rmSync(d, { recursive: true, force: true }));
    await factory.dispose();
  }
}
