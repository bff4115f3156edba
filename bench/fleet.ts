import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { quarterlyReport, startCentral } from '@stemlab/broker';
import { createLogger } from '@stemlab/edge-agent';
import { fleetTruth, planFleet, quarterSpan, SimClock } from '@stemlab/simulators/fleet';
import { compareWithTruth } from '../cli/fleet/compare.ts';
import { DEFAULT_SIZE, fleetSpecs, playFleet, registryUnits } from '../cli/fleet/fleet.ts';
import { round, type BenchResult, type BenchSuite } from './types.ts';
import { OPEN_ANONYMOUS } from '../testing/anonymous-rights.ts';

const QUARTER = '2026Q1';

/**
 * The fleet simulator (stemlab sim fleet) against a central in the same process: a quarter of
 * the 82 gateways (54 robot units, 28 lab centres; 2 kits each and 30 % of the timetable, as the
 * truth test) lived as fast as possible, then its report. "Gateways per core" is what one core
 * (the twins and the central together: an upper bound on the twins' cost) keeps up with at 10×
 * the full timetable's rate (6 robots, 3 benches): averaged over the quarter, and in its busiest
 * hour (the figure that sizes a machine).
 */
export const fleetSuite: BenchSuite = {
  name: 'fleet',
  title: 'The fleet simulator: a quarter of 82 gateways through MQTT into a central, then its report',
  async run() {
    const dir = mkdtempSync(join(tmpdir(), 'stemlab-bench-fleet-'));
    const span = quarterSpan(QUARTER);
    const clock = new SimClock(span.from);
    const central = await startCentral({ dataDir: join(dir, 'central'), mqtt: { host: '127.0.0.1', port: 0 }, log: createLogger('silent'), security: OPEN_ANONYMOUS, reports: { archive: false }, ingest: { now: clock.now } });
    try {
      const plan = planFleet({ quarter: QUARTER, seed: 1, gateways: fleetSpecs({ ...DEFAULT_SIZE, robotsPerUnit: 2, benchesPerLab: 2 }), activity: 0.3, shortOutages: 1 });
      const events = plan.gateways.reduce((a, g) => a + g.happenings.filter((h) => h.kind === 'session.start' || h.kind === 'session.end').length, 0);
      const rss0 = process.memoryUsage().rss;
      const cpu0 = process.cpuUsage();
      const run = await playFleet({ plan, clock, mqttUrl: central.mqttUrl, ledger: central.ledger });
      await central.ingest.drain();
      const cpu = process.cpuUsage(cpu0);
      const rss = process.memoryUsage().rss;
      for (const twin of run.twins) await twin.close();
      const t0 = performance.now();
      const report = await quarterlyReport(central.ledger, QUARTER, { units: registryUnits(plan), now: span.to });
      const reportS = (performance.now() - t0) / 1000;
      const wrong = compareWithTruth(report, fleetTruth(plan));
      if (wrong.length > 0) throw new Error(`fleet bench: the report differs from the truth: ${wrong.slice(0, 3).join('; ')}`);
      const cpuMsPerEvent = (cpu.user + cpu.system) / 1000 / events;
      // A real quarter of the full timetable: the default plan's events per gateway, over the quarter's seconds.
      const full = planFleet({ quarter: QUARTER, seed: 1, gateways: fleetSpecs({ ...DEFAULT_SIZE, robotUnits: 4, labs: 2 }) });
      const usage = full.gateways.flatMap((g) => g.happenings.filter((h) => h.kind === 'session.start' || h.kind === 'session.end'));
      const perGateway = usage.length / full.gateways.length;
      const realRate = perGateway / ((span.to - span.from) / 1000);
      // The quarter's average counts nights, Sundays and Tết: the busiest hour (a club afternoon's
      // start, every robot at once) is what a machine must keep up with.
      const perHour = new Map<number, number>();
      for (const h of usage) perHour.set(Math.floor(h.t / 3_600_000), (perHour.get(Math.floor(h.t / 3_600_000)) ?? 0) + 1);
      const busiestRate = Math.max(...perHour.values()) / full.gateways.length / 3600;
      const results: BenchResult[] = [
        { name: `quarter of 82 gateways lived (${events} usage events)`, value: round(run.realMs / 1000, 1), unit: 's' },
        { name: 'usage events through MQTT into the ledger', value: round(events / (run.realMs / 1000), 0), unit: 'events/s' },
        { name: 'CPU per usage event (twins + central)', value: round(cpuMsPerEvent, 3), unit: 'ms' },
        { name: 'process RSS with 82 twins and the central', value: round(rss / 1e6, 1), unit: 'MB' },
        { name: 'RSS growth while living the quarter', value: round((rss - rss0) / 1e6, 1), unit: 'MB' },
        { name: 'report of that quarter computed', value: round(reportS, 2), unit: 's' },
        { name: 'gateways per core at 10× a real quarter\'s average rate (full timetable)', value: round(1000 / (cpuMsPerEvent * realRate * 10), 0), unit: 'gateways' },
        { name: 'gateways per core at 10× the busiest hour\'s rate (full timetable)', value: round(1000 / (cpuMsPerEvent * busiestRate * 10), 0), unit: 'gateways' },
      ];
      return results;
    } finally {
      await central.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
