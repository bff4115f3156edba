/**
 * The quarterly report as submitted (reports/archive.ts): written before the deadline by the
 * central itself, made up at the next start when the central was down then (never for quarters
 * due before it was installed), served to the department by the API, and kept as it was when
 * late data changes the report computed now.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createUser } from '../src/api/users.ts';
import { startCentral, type Central, type CentralOptions } from '../src/central.ts';
import { openCentralState } from '../src/central-state/state.ts';
import { dueAt } from '../src/reports/archive.ts';
import type { QuarterlyReport } from '../src/reports/model.ts';
import { quarterBounds, quarterOf } from '../src/reports/quarter.ts';
import { connectGateway, GATEWAY, publishUsage, sessionStart, tmpDir, UNIT, until } from './helpers.ts';
import { OPEN_ANONYMOUS } from '../../testing/anonymous-rights.ts';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function dataDir(): string {
  const dir = tmpDir();
  cleanups.push(dir.remove);
  return dir.dir;
}

async function central(dir: string, now: () => number, options: Partial<CentralOptions> = {}): Promise<Central> {
  const c = await startCentral({ dataDir: dir, mqtt: { host: '127.0.0.1', port: 0 }, http: { host: '127.0.0.1', port: 0 }, security: OPEN_ANONYMOUS, log: pino({ level: 'silent' }), reports: { now }, ...options });
  cleanups.push(() => c.stop());
  return c;
}

const FILES = (q: string) => [`stemlab-${q}-en.csv`, `stemlab-${q}-en.xlsx`, `stemlab-${q}-vi.csv`, `stemlab-${q}-vi.xlsx`, `stemlab-${q}.json`];

describe('the quarterly report archived before its deadline', () => {
  it('is written by the central a little before the deadline, on time, without anyone asking', async () => {
    const due = dueAt('2025Q3', 60);
    // The central's clock reads 1.2 s before the report is due, and runs on.
    const offset = due - 1200 - Date.now();
    const c = await central(dataDir(), () => Date.now() + offset);
    expect(c.archive!.has('2025Q3')).toBe(false);
    await expect.poll(() => c.archive!.has('2025Q3')).toBe(true);
    const [archived] = c.archive!.list();
    expect(archived).toMatchObject({ quarter: '2025Q3', onTime: true, files: FILES('2025Q3') });
    expect(Date.parse(archived!.generatedAt)).toBeLessThan(quarterBounds('2025Q3').deadline);
    expect(Date.parse(archived!.generatedAt)).toBeGreaterThanOrEqual(due - 1000); // ISO to the second
  });

  it('is made up at the next start for quarters missed while the central was down, not for those before it was installed; served to the department as it was', async () => {
    const dir = dataDir();
    // Installed on 1 July 2025 (2025Q2's report was due 25 June: not made up), then down until 5 January 2026.
    const installed = Date.UTC(2025, 6, 1);
    await (await central(dir, () => installed)).stop();
    const back = Date.UTC(2026, 0, 5);
    const c = await central(dir, () => back);
    await expect.poll(() => c.archive!.list().map((a) => a.quarter)).toEqual(['2025Q4', '2025Q3']);
    expect(quarterOf(back)).toBe('2026Q1');
    for (const a of c.archive!.list()) expect(a).toMatchObject({ onTime: false, files: FILES(a.quarter) });

    // The department downloads it; a teacher may not.
    const db = await openCentralState(undefined, dir);
    cleanups.push(() => db.close());
    await createUser(db, { username: 'viewer', password: 'correct horse battery', role: 'viewer' }, 'test');
    await createUser(db, { username: 'teacher', password: 'correct horse battery', role: 'teacher', unit: UNIT }, 'test');
    const token = async (username: string) => {
      const res = await fetch(`${c.httpUrl}/api/v1/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password: 'correct horse battery' }) });
      return ((await res.json()) as { token: string }).token;
    };
    const viewer = { authorization: `Bearer ${await token('viewer')}` };
    const get = (path: string, headers: Record<string, string> = viewer) => fetch(`${c.httpUrl}${path}`, { headers });

    const list = await get('/api/v1/reports/archive');
    expect(list.status).toBe(200);
    expect(((await list.json()) as { reports: unknown[] }).reports).toEqual(c.archive!.list());
    const json = await get('/api/v1/reports/archive/2025Q3/stemlab-2025Q3.json');
    expect(json.headers.get('content-type')).toMatch(/^application\/json/);
    const archived = (await json.json()) as QuarterlyReport;
    expect(archived).toEqual(JSON.parse(readFileSync(join(dir, 'reports', '2025Q3', 'stemlab-2025Q3.json'), 'utf8')));
    expect(archived).toMatchObject({ quarter: '2025Q3', onTime: false, generatedAt: '2026-01-05T07:00:00+07:00' });
    const csv = await get('/api/v1/reports/archive/2025Q3/stemlab-2025Q3-vi.csv');
    expect(csv.headers.get('content-disposition')).toBe('attachment; filename="stemlab-2025Q3-vi.csv"');
    expect(await csv.text()).toContain('Hạn nộp');
    const xlsx = await get('/api/v1/reports/archive/2025Q3/stemlab-2025Q3-en.xlsx');
    expect(Buffer.from(await xlsx.arrayBuffer()).subarray(0, 2).toString()).toBe('PK'); // a zip, as XLSX is

    const teacher = { authorization: `Bearer ${await token('teacher')}` };
    expect((await get('/api/v1/reports/archive', teacher)).status).toBe(403);
    expect((await get('/api/v1/reports/archive/2025Q3/stemlab-2025Q3.json', teacher)).status).toBe(403);
    expect((await get('/api/v1/reports/archive')).status).toBe(200);
    expect((await get('/api/v1/reports/archive', {})).status).toBe(401);
    const missing = await get('/api/v1/reports/archive/2025Q2/stemlab-2025Q2.json');
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ status: 'error', code: 'NOT_FOUND', message: expect.stringContaining('GET /api/v1/reports/archive lists them') });
    expect((await get('/api/v1/reports/archive/2025Q3/ledger.sqlite')).status).toBe(404);
    expect((await get('/api/v1/reports/archive/2025Q3/..%2F..%2Fledger.sqlite')).status).toBe(400);
    expect((await get('/api/v1/reports/archive/2025Q5/x.json')).status).toBe(400);

    // Late data for the quarter changes the report computed now, not the one submitted.
    const gw = await connectGateway(c);
    cleanups.push(() => gw.endAsync());
    await publishUsage(gw, sessionStart(1, { at: Date.UTC(2025, 7, 1) }));
    await until(c, async () => (await c.ledger.events(UNIT, GATEWAY)).length === 1);
    const live = (await (await get('/api/v1/reports/quarterly?quarter=2025Q3&format=json')).json()) as QuarterlyReport;
    const statusOf = (r: QuarterlyReport) => r.units.find((u) => u.unit === UNIT)?.status;
    expect(statusOf(archived)).toBe('no-data');
    expect(statusOf(live)).not.toBe('no-data');
    expect(JSON.parse(readFileSync(join(dir, 'reports', '2025Q3', 'stemlab-2025Q3.json'), 'utf8'))).toEqual(archived);
  });

  it('is not written with reports.archive false', async () => {
    const c = await central(dataDir(), () => Date.UTC(2026, 0, 5), { reports: { archive: false } });
    expect(c.archive).toBeUndefined();
    expect(await (await fetch(`${c.httpUrl}/healthz`)).json()).toEqual({ status: 'ok' });
  });
});
