import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { composeGateway } from '@stemlab/compose';
import { loadConfig } from '../src/config/load.ts';
import { createLogger } from '../src/core/log.ts';
import { experimentCsv, experimentXlsx } from '../src/lab/export.ts';
import type { ExperimentMeta, Row } from '../src/lab/store.ts';
import { latencyResults, round, type BenchResult, type BenchSuite } from '../../bench/types.ts';

const WINDOW_MS = 5000;

/**
 * The lab example (4 benches, 17 sensors read every 20 ms) on simulated boards, in this process
 * (the simulated boards' CPU counts too): CPU with the sensors alone and with three experiments
 * at 50 Hz, how far samples stray from their schedule, and exporting a long experiment.
 */
export const labSuite: BenchSuite = {
  name: 'lab',
  title: 'Lab: the lab example (17 simulated sensors), experiments at 50 Hz, exports',
  async run() {
    const results: BenchResult[] = [];
    const dir = mkdtempSync(join(tmpdir(), 'stemlab-bench-lab-'));
    const example = await loadConfig(new URL('../examples/lab.yaml', import.meta.url).pathname);
    const config = { ...example, dataDir: dir, mqtt: { ...example.mqtt, enabled: false }, nodered: { ...example.nodered, enabled: false } };
    const gateway = await composeGateway(config, { log: createLogger('silent'), port: 0 });
    try {
      await gateway.agent.waitForKits('connected', 20_000);
      results.push({ name: 'CPU, sensors only', value: round(await cpuPercent(), 1), unit: '% of a core' });
      const groups = [
        ['bench-1/water-temp', 'bench-1/light'],
        ['bench-2/air-temp', 'bench-2/ph', 'bench-2/voltage'],
        ['bench-3/distance', 'bench-3/sound'],
      ].map((sensors, i) => gateway.lab.begin({ group: `Nhóm ${i + 1}`, sensors, rateHz: 50, durationS: 60 }));
      results.push({ name: 'CPU, three experiments at 50 Hz', value: round(await cpuPercent(), 1), unit: '% of a core' });
      const late = groups.flatMap((g) => gateway.lab.rows(g.id).map(([ms], i) => ms - i * 20));
      results.push(...latencyResults('sample lateness at 50 Hz', late));
      for (const g of groups) gateway.lab.end(g.id);
    } finally {
      await gateway.stop();
      rmSync(dir, { recursive: true, force: true });
    }
    // 30 minutes at 50 Hz of two sensors: 90,000 rows.
    const meta: ExperimentMeta = {
      id: 'bench', title: 'bench', group: 'bench', by: undefined, kits: ['bench-1'], rateHz: 50, durationS: 1800, startedAt: Date.UTC(2026, 0, 5), stoppedAt: undefined, state: 'done', samples: 90_000,
      sensors: [
        { id: 'bench-1/water-temp', kit: 'bench-1', component: 'water-temp', label: 'Water', quantity: 'temperature', unit: '°C', freqMs: 20 },
        { id: 'bench-1/light', kit: 'bench-1', component: 'light', label: 'Light', quantity: 'light', unit: 'lx', freqMs: 20 },
      ],
      marks: [{ atMs: 60_000, label: 'mark' }],
    };
    const rows: Row[] = Array.from({ length: 90_000 }, (_, i) => [i * 20, 80 - i * 0.0005, 900 - i * 0.01]);
    let start = performance.now();
    const csv = experimentCsv(meta, rows);
    results.push({ name: 'CSV of 90,000 rows', value: round(performance.now() - start, 0), unit: 'ms' }, { name: 'CSV size', value: round(Buffer.byteLength(csv) / 1e6, 1), unit: 'MB' });
    // The export must not stall the agent: the longest the event loop was held meanwhile.
    let gap = 0;
    let last = performance.now();
    const probe = setInterval(() => {
      const now = performance.now();
      gap = Math.max(gap, now - last);
      last = now;
    }, 10);
    start = performance.now();
    const xlsx = await experimentXlsx(meta, rows);
    clearInterval(probe);
    results.push(
      { name: 'XLSX of 90,000 rows', value: round(performance.now() - start, 0), unit: 'ms' },
      { name: 'XLSX size', value: round(xlsx.length / 1e6, 1), unit: 'MB' },
      { name: 'longest event-loop stall during the XLSX export', value: round(gap, 0), unit: 'ms' },
    );
    return results;
  },
};

async function cpuPercent(): Promise<number> {
  const before = process.cpuUsage();
  await new Promise((resolve) => setTimeout(resolve, WINDOW_MS));
  const used = process.cpuUsage(before);
  return ((used.user + used.system) / 1000 / WINDOW_MS) * 100;
}
