/**
 * The dashboard's first view with the full fleet on loopback: a central (SQLite, HTTP on port
 * 0) whose ledger holds the 82 robot-club and lab units online, each with 8 weeks of sessions
 * (two a school day, seeded: seed 16), and a headless Chromium already logged in. Measured: from
 * navigation to the overview's status cards and first rows drawn (median and p99 of 10 cold
 * loads, a fresh browser context each), and `GET /api/v1/units` alone. Skipped without Chromium.
 */
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { pino } from 'pino';
import { usageEventSchema } from '@stemlab/protocol';
import { chromium, CHROMIUM, CHROMIUM_ARGS } from '../../testing/services.ts';
import { latencyResults, type BenchResult, type BenchSuite } from '../../bench/types.ts';
import { createUser } from '../src/api/users.ts';
import { startCentral } from '../src/central.ts';
import type { LedgerMessage } from '../src/ledger/types.ts';
import { FLEET } from '../src/registry/fleet.ts';
import { birth, tmpDir } from '../test/helpers.ts';
import { OPEN_ANONYMOUS } from '../../testing/anonymous-rights.ts';

const DAY = 86_400_000;
const LOADS = 10;

function sessions(unit: string, gateway: string, now: number): LedgerMessage[] {
  const out: LedgerMessage[] = [];
  let seq = 0;
  for (let d = 56; d >= 1; d--) {
    if (d % 7 === 0) continue;
    for (const hour of [2, 7]) {
      const start = now - d * DAY + hour * 3_600_000;
      const id = randomUUID();
      const base = { v: 1, clock: { synced: true, bootId: 'b', uptimeMs: 1000 }, device: { kit: 'robot-1', component: 'left-motor', type: 'motor' } };
      const purpose = { kind: 'club-session' };
      out.push({ kind: 'usage', unit, gateway, receivedAt: start, event: usageEventSchema.parse({ ...base, eventId: randomUUID(), seq: ++seq, at: start, type: 'session.start', session: { id, startedAt: start, purpose } }) });
      const end = start + 45 * 60_000;
      out.push({ kind: 'usage', unit, gateway, receivedAt: end, event: usageEventSchema.parse({ ...base, eventId: randomUUID(), seq: ++seq, at: end, type: 'session.end', session: { id, startedAt: start, endedAt: end, durationMs: end - start, purpose, counts: { activations: 10, motorMs: 60_000, readings: 0 }, faults: 0, endReason: 'idle' } }) });
    }
  }
  return out;
}

export const dashboardSuite: BenchSuite = {
  name: 'dashboard',
  title: "The dashboard's first view, 82 units with 8 weeks of sessions, loopback, headless Chromium",
  async run(): Promise<BenchResult[]> {
    if (!chromium().ok) return [];
    const { dir, remove } = tmpDir();
    const central = await startCentral({ dataDir: dir, mqtt: { host: '127.0.0.1', port: 0 }, http: { host: '127.0.0.1', port: 0 }, log: pino({ level: 'silent' }), security: OPEN_ANONYMOUS });
    const { chromium: pw } = createRequire(import.meta.url)('playwright-core') as typeof import('playwright-core');
    const browser = await pw.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    try {
      const now = Date.now();
      for (const u of FLEET.filter((x) => x.kind !== 'smart-classroom')) {
        const gw = u.gateways[0]!;
        await central.ledger.insertBatch([{ kind: 'gateway-state', unit: u.id, gateway: gw, receivedAt: now, state: birth(1) }, ...sessions(u.id, gw, now)]);
      }
      await createUser(central.ledger.sql, { username: 'so.gd', password: 'bench password 16', role: 'viewer' }, 'bench');
      const res = await fetch(`${central.httpUrl}/api/v1/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'so.gd', password: 'bench password 16' }) });
      const login = (await res.json()) as Record<string, unknown>;
      const stored = JSON.stringify({ ...login, username: 'so.gd' });
      const api: number[] = [];
      for (let i = 0; i < LOADS; i++) {
        const t0 = performance.now();
        await (await fetch(`${central.httpUrl}/api/v1/units`, { headers: { authorization: `Bearer ${String(login.token)}` } })).json();
        api.push(performance.now() - t0);
      }
      const first: number[] = [];
      for (let i = 0; i < LOADS; i++) {
        const context = await browser.newContext();
        const page = await context.newPage();
        await page.addInitScript(`sessionStorage.setItem('stemlab.session', ${JSON.stringify(stored)})`);
        const t0 = performance.now();
        await page.goto(`${central.httpUrl}/`);
        await page.locator('table.units tbody tr').first().waitFor();
        first.push(performance.now() - t0);
        await context.close();
      }
      return [...latencyResults('first view (82 units)', first), ...latencyResults('GET /api/v1/units (82 units)', api)];
    } finally {
      await browser.close();
      await central.stop();
      remove();
    }
  },
};
