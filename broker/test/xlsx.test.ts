/**
 * The quarterly report as XLSX, read back with exceljs: the sheets, the headers in Vietnamese
 * and English (the CSV's, from COLUMNS), numbers stored as numbers and equal to the JSON
 * report's figures, the frozen header row; and the HTTP route's content type and file name.
 */
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UsageEvent } from '@stemlab/protocol';
import { openLedger } from '../src/ledger/ledger.ts';
import { FLEET, type Unit } from '../src/registry/fleet.ts';
import { COLUMNS, DEFINITIONS, LABELS } from '../src/reports/labels.ts';
import type { QuarterlyReport } from '../src/reports/model.ts';
import { quarterlyReport } from '../src/reports/quarterly.ts';
import { SHEETS, toXlsx } from '../src/reports/xlsx.ts';
import { createUser } from '../src/api/users.ts';
import { openCentralState } from '../src/central-state/state.ts';
import { runStemlab } from '../../testing/cli.ts';
import { sessionEvents, startTestCentral, tmpDir, type TestCentral } from './helpers.ts';

const t = (local: string) => Date.parse(`${local.replace(' ', 'T')}:00+07:00`);
const A = FLEET.find((u) => u.kind === 'robot-club') as Unit;
const C = FLEET.find((u) => u.kind === 'smart-classroom') as Unit;
const GW = A.gateways[0] as string;

/** A session of `minutes` from `start`, as its start and end events with seqs seq, seq+1. */
function session(seq: number, start: string, minutes: number, faults = 0): UsageEvent[] {
  const startedAt = t(start);
  return sessionEvents(seq, { startedAt, endedAt: startedAt + minutes * 60_000, faults, clock: { bootId: 'b', uptimeMs: 1000 } });
}

/** exceljs declares its own `Buffer` (an ArrayBuffer), which Node's generic Buffer type does not match. */
const load = (wb: ExcelJS.Workbook, bytes: Buffer) => wb.xlsx.load(bytes as unknown as Parameters<typeof wb.xlsx.load>[0]);

let dir: ReturnType<typeof tmpDir>;
let report: QuarterlyReport;
const books: Record<'vi' | 'en', ExcelJS.Workbook> = { vi: new ExcelJS.Workbook(), en: new ExcelJS.Workbook() };

beforeAll(async () => {
  dir = tmpDir();
  const ledger = await openLedger({ kind: 'sqlite', file: join(dir.dir, 'ledger.sqlite') });
  // 90 min on Tue 1/7 08:00 and 45 min with a fault on Wed 10/9 14:00; seq 5 is missing (a gap).
  for (const event of [...session(1, '2025-07-01 08:00', 90), ...session(3, '2025-09-10 14:00', 45, 1), ...session(6, '2025-09-11 08:00', 10)]) {
    await ledger.insertBatch([{ kind: 'usage', unit: A.id, gateway: GW, event, receivedAt: event.at + 500 }]);
  }
  report = await quarterlyReport(ledger, '2025Q3', { units: [A, C], now: t('2025-09-20 10:00') });
  await ledger.close();
  for (const lang of ['vi', 'en'] as const) await load(books[lang], await toXlsx(report, lang));
});
afterAll(() => dir.remove());

const sheet = (lang: 'vi' | 'en', name: keyof typeof SHEETS) => {
  const ws = books[lang].getWorksheet(SHEETS[name][lang]);
  if (!ws) throw new Error(`no sheet ${SHEETS[name][lang]}`);
  return ws;
};
const headers = (ws: ExcelJS.Worksheet) => (ws.getRow(1).values as unknown[]).slice(1);
/** The rows under the header as objects keyed by the header. */
const records = (ws: ExcelJS.Worksheet) => {
  const head = headers(ws) as string[];
  const out: Array<Record<string, unknown>> = [];
  ws.eachRow((row, n) => {
    if (n === 1) return;
    out.push(Object.fromEntries(head.map((h, i) => [h, row.getCell(i + 1).value])));
  });
  return out;
};

describe('the XLSX report', () => {
  it('has a cover, units, kits, components and gateways sheet in each language', () => {
    expect(books.vi.worksheets.map((w) => w.name)).toEqual(['Tổng quan', 'Đơn vị', 'Bộ thiết bị', 'Linh kiện', 'Gateway']);
    expect(books.en.worksheets.map((w) => w.name)).toEqual(['Summary', 'Units', 'Kits', 'Components', 'Gateways']);
  });

  it('cover: quarter, real dates in local time, completeness, the definitions and the totals', () => {
    for (const lang of ['vi', 'en'] as const) {
      const cover = new Map<string, unknown>();
      // The first value of each label (the definitions share one).
      sheet(lang, 'cover').eachRow((row) => cover.has(String(row.getCell(1).value)) || cover.set(String(row.getCell(1).value), row.getCell(2).value));
      expect(cover.get(COLUMNS.quarter[lang])).toBe('2025Q3');
      // An Excel date has no zone: it holds Vietnam's wall time (17:00 on 25/9).
      expect(cover.get(COLUMNS.deadline[lang])).toEqual(new Date(Date.UTC(2025, 8, 25, 17)));
      expect(cover.get(COLUMNS.generatedAt[lang])).toEqual(new Date(Date.UTC(2025, 8, 20, 10)));
      expect(cover.get(COLUMNS.schoolHours[lang])).toBe(report.schoolHours);
      expect(cover.get(COLUMNS.completeness[lang])).toBe(report.completeness.summary[lang]);
      expect(cover.get(COLUMNS.definition[lang])).toBe(DEFINITIONS[0]?.[lang]);
      expect(cover.get(COLUMNS.category[lang])).toBe(COLUMNS.units[lang]); // the totals' header row
      expect(cover.get(LABELS.robots[lang])).toBe(1); // one unit with robots
    }
    expect(report.completeness.summary.en).toMatch(/^data complete for 0 of 2 units; 1 gateway has open gaps/);
  });

  it('headers are the CSV columns, in Vietnamese and in English, frozen', () => {
    expect(headers(sheet('vi', 'components')).slice(0, 7)).toEqual(['Mã đơn vị', 'Tên trường', 'Nhóm thiết bị', 'Loại linh kiện', 'Số linh kiện', 'Số giờ sử dụng', 'Số buổi sử dụng']);
    expect(headers(sheet('en', 'kits')).slice(0, 9)).toEqual(['Unit', 'School', 'District', 'Kind', 'Level', 'Equipment', 'Kits', 'Kit-hours used', 'Sessions']);
    expect(headers(sheet('en', 'gateways'))).toContain(COLUMNS.missing.en);
    expect(headers(sheet('vi', 'gateways'))).toContain(COLUMNS.missing.vi);
    for (const name of ['units', 'kits', 'components', 'gateways'] as const) {
      expect(sheet('vi', name).views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
      expect(sheet('vi', name).getColumn(1).width).toBeGreaterThan(8);
    }
  });

  it('figures are numbers, equal to the JSON report; kinds translated; durations real', () => {
    const rows = records(sheet('en', 'components'));
    expect(rows).toHaveLength(report.components.length);
    const json = report.components.find((r) => r.unit === A.id && r.deviceType === 'motor');
    // 90 + 45 + 10 minutes = 2.41666… h, unrounded; 3 sessions; 1 fault.
    expect(json).toMatchObject({ hoursUsed: 145 / 60, sessions: 3, faults: 1 });
    const motor = rows.find((r) => r.Unit === A.id && r['Component type'] === 'Motor');
    expect(motor).toMatchObject({
      School: A.name.en,
      Equipment: 'Robots',
      Components: json?.devices,
      'Hours used': json?.hoursUsed,
      Sessions: 3,
      Breakdowns: 1,
      'Share of school time in use (%)': (json?.schoolTimeShare ?? NaN) * 100,
      'Idle devices': json?.idle.length,
    });
    expect(typeof motor?.['Hours used']).toBe('number');
    expect(records(sheet('vi', 'components')).map((r) => r[COLUMNS.deviceType.vi])).toEqual(['Động cơ']);
    const kits = records(sheet('en', 'kits'));
    const kit = report.kits.find((k) => k.unit === A.id);
    expect(kits.find((r) => r.Unit === A.id)).toMatchObject({ Kits: kit?.kits, 'Kit-hours used': kit?.hoursUsed, [COLUMNS.repairs.en]: kit?.repairs, 'Data completeness': 'Incomplete' });
    const kitCol = (key: keyof typeof COLUMNS) => headers(sheet('en', 'kits')).indexOf(COLUMNS[key].en) + 1;
    expect(sheet('en', 'kits').getColumn(kitCol('kitHours')).numFmt).toBe('0.00');
    expect(sheet('en', 'kits').getColumn(kitCol('repairMedian')).numFmt).toBe('[h]:mm:ss');
    // The last seen time is a real date (local wall time).
    const gwSheet = sheet('en', 'gateways');
    const seen = records(gwSheet).find((r) => r.Unit === A.id)?.[COLUMNS.lastSeen.en];
    expect(seen).toBeInstanceOf(Date);
    expect(gwSheet.getColumn(headers(gwSheet).indexOf(COLUMNS.lastSeen.en) + 1).numFmt).toBe('dd/mm/yyyy hh:mm');
  });

  it('gateways and units, with Vietnamese labels', () => {
    const gw = records(sheet('vi', 'gateways')).find((r) => r[COLUMNS.unit.vi] === A.id);
    const json = report.gateways.find((g) => g.unit === A.id);
    // seqs 1..7 expected, 5 missing: 6 received.
    expect(json).toMatchObject({ eventsReceived: 6, seqExpected: 7, missing: 1 });
    expect(gw).toMatchObject({
      [COLUMNS.gateway.vi]: GW,
      [COLUMNS.eventsReceived.vi]: 6,
      [COLUMNS.seqFrom.vi]: 1,
      [COLUMNS.seqTo.vi]: 7,
      [COLUMNS.missing.vi]: 1,
      [COLUMNS.dataStatus.vi]: LABELS.incomplete.vi,
    });
    const units = records(sheet('vi', 'units'));
    expect(units.map((u) => u[COLUMNS.unit.vi])).toEqual(report.units.map((u) => u.unit));
    expect(units.find((u) => u[COLUMNS.unit.vi] === C.id)).toMatchObject({ [COLUMNS.school.vi]: C.name.vi, [COLUMNS.kind.vi]: LABELS['smart-classroom'].vi, [COLUMNS.dataStatus.vi]: LABELS['no-data'].vi });
  });
});

describe('GET /api/v1/reports/quarterly?format=xlsx', () => {
  let central: TestCentral;
  beforeAll(async () => {
    central = await startTestCentral({ http: { host: '127.0.0.1', port: 0 } });
  });
  afterAll(() => central.cleanup());

  it('sends the workbook as an attachment', async () => {
    const db = await openCentralState(undefined, central.dataDir);
    await createUser(db, { username: 'so-gd', password: 'correct horse battery', role: 'viewer' }, 'test');
    await db.close();
    const auth = await fetch(`${central.httpUrl}/api/v1/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'so-gd', password: 'correct horse battery' }),
    });
    const { token } = (await auth.json()) as { token: string };
    const res = await fetch(`${central.httpUrl}/api/v1/reports/quarterly?quarter=2025Q3&format=xlsx&lang=en`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="stemlab-2025Q3-en.xlsx"');
    const wb = new ExcelJS.Workbook();
    await load(wb, Buffer.from(await res.arrayBuffer()));
    expect(wb.worksheets.map((w) => w.name)).toEqual(['Summary', 'Units', 'Kits', 'Components', 'Gateways']);
    // The shipped fleet is seeded: every unit has its row.
    expect(wb.getWorksheet('Units')?.rowCount).toBeGreaterThan(100);
  });
});

describe('stemlab report --format xlsx', () => {
  it('writes the workbook to --out', async () => {
    const out = join(dir.dir, 'q3.xlsx');
    const { code, stderr } = await runStemlab(['report', '--quarter', '2025Q3', '--format', 'xlsx', '--lang', 'en', '--data-dir', dir.dir, '--out', out]);
    expect(stderr).toMatch(/written to/);
    expect(code).toBe(0);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(out);
    const motor = records(wb.getWorksheet('Components') as ExcelJS.Worksheet).find((r) => r.Unit === A.id && r['Component type'] === 'Motor');
    expect(motor?.['Hours used']).toBe(145 / 60);
  });
});
