/**
 * The quarterly report as an XLSX workbook, for the department's staff who work in Excel: the
 * same figures and the same Vietnamese or English headers as the CSV (COLUMNS and LABELS of
 * quarterly.ts), one sheet per table rather than the CSV's blocks one under the other:
 *
 * - a cover sheet: quarter, period, deadline, when it was generated, school hours, how complete
 *   the data is, and the notes;
 * - the units (one row per unit: name, district, kind, level, data completeness);
 * - the equipment (one row per unit and kind of equipment);
 * - the gateways' data completeness.
 *
 * Numbers are written as numbers (a spreadsheet sums them; the CSV's rounding is a display
 * format here, not a loss of precision), times as text in ISO 8601 with +07:00 (an Excel date has
 * no time zone, and the department reads local time). Every table sheet freezes its header row.
 */
import ExcelJS from 'exceljs';
import { DISTRICTS } from '../registry/fleet-data.ts';
import { COLUMNS, gatewayCells, LABELS, type EquipmentRow, type Lang, type QuarterlyReport } from './quarterly.ts';

type Column = keyof typeof COLUMNS;
type Value = string | number | null;

/** The sheets' names, in both languages (Excel allows 31 characters, no `/`). */
export const SHEETS = {
  cover: { vi: 'Tổng quan', en: 'Summary' },
  units: { vi: 'Đơn vị', en: 'Units' },
  equipment: { vi: 'Thiết bị', en: 'Equipment' },
  gateways: { vi: 'Gateway', en: 'Gateways' },
} as const satisfies Record<string, Record<Lang, string>>;

/** A column of a table sheet: its header, width in characters, and number format if numeric. */
interface Spec {
  key: Column;
  width: number;
  numFmt?: string;
}

const INT = '0';
const DEC = '0.00';

const UNIT_COLUMNS: Spec[] = [
  { key: 'unit', width: 16 },
  { key: 'school', width: 44 },
  { key: 'district', width: 16 },
  { key: 'kind', width: 22 },
  { key: 'level', width: 16 },
  { key: 'dataStatus', width: 18 },
];

const EQUIPMENT_COLUMNS: Spec[] = [
  { key: 'unit', width: 16 },
  { key: 'school', width: 44 },
  { key: 'deviceType', width: 16 },
  { key: 'devices', width: 10, numFmt: INT },
  { key: 'hoursUsed', width: 12, numFmt: DEC },
  { key: 'sessions', width: 10, numFmt: INT },
  { key: 'sessionsClipped', width: 14, numFmt: INT },
  { key: 'schoolTimeShare', width: 16, numFmt: DEC },
  { key: 'idleCount', width: 12, numFmt: INT },
  { key: 'idle', width: 36 },
  { key: 'faults', width: 8, numFmt: INT },
  { key: 'repairs', width: 10, numFmt: INT },
  { key: 'repairHoursMedian', width: 14, numFmt: DEC },
  { key: 'repairHoursTotal', width: 14, numFmt: DEC },
  { key: 'unrepaired', width: 12, numFmt: INT },
  { key: 'dataStatus', width: 18 },
];

const GATEWAY_COLUMNS: Spec[] = [
  { key: 'unit', width: 16 },
  { key: 'gateway', width: 18 },
  { key: 'eventsReceived', width: 12, numFmt: INT },
  { key: 'seqFrom', width: 10, numFmt: INT },
  { key: 'seqTo', width: 10, numFmt: INT },
  { key: 'seqExpected', width: 12, numFmt: INT },
  { key: 'missing', width: 10, numFmt: INT },
  { key: 'evicted', width: 10, numFmt: INT },
  { key: 'openGaps', width: 10, numFmt: INT },
  { key: 'uncorrected', width: 14, numFmt: INT },
  { key: 'lastSeen', width: 26 },
  { key: 'onlineNow', width: 12 },
  { key: 'uptime', width: 12, numFmt: DEC },
  { key: 'unknownHours', width: 14, numFmt: DEC },
  { key: 'dataStatus', width: 18 },
];

/** The report as an .xlsx file's bytes, headers and labels in `lang`. */
export async function toXlsx(report: QuarterlyReport, lang: Lang): Promise<Buffer> {
  const l = (k: keyof typeof LABELS) => LABELS[k][lang];
  const h = (k: Column) => COLUMNS[k][lang];
  const units = new Map(report.units.map((u) => [u.unit, u]));
  const school = (id: string) => {
    const u = units.get(id);
    return u?.name ? u.name[lang] : l('unregistered');
  };
  const district = (id: string | null) => {
    const d = DISTRICTS.find((x) => x.id === id);
    return d ? d[lang] : id;
  };

  const wb = new ExcelJS.Workbook();
  wb.creator = 'STEMLab Edge';
  // The report's own time, not the moment of writing: the same report gives the same workbook.
  wb.created = new Date(Date.parse(report.generatedAt));

  const cover = wb.addWorksheet(SHEETS.cover[lang]);
  cover.columns = [{ width: 30 }, { width: 100 }];
  const coverRows: Array<[Column, Value]> = [
    ['quarter', report.quarter],
    ['period', `${report.from} – ${report.to}`],
    ['deadline', report.deadline],
    ['generatedAt', report.generatedAt],
    ['schoolHours', report.schoolHours],
    ['completeness', report.completeness.summary[lang]],
    ...report.notes.map((n): [Column, Value] => ['note', n[lang]]),
  ];
  for (const [key, value] of coverRows) {
    const row = cover.addRow([h(key), value]);
    row.getCell(1).font = { bold: true };
    row.getCell(2).alignment = { wrapText: true, vertical: 'top', horizontal: 'left' };
    if (typeof value === 'number') row.getCell(2).numFmt = DEC;
  }

  table(wb, SHEETS.units[lang], UNIT_COLUMNS, h, report.units.map((u) => [u.unit, school(u.unit), district(u.district), u.kind ? l(u.kind) : null, u.level ? l(u.level) : null, l(u.status)]));

  const status = (id: string) => {
    const s = units.get(id)?.status;
    return s ? l(s) : null;
  };
  const equipmentRow = (r: EquipmentRow): Value[] => [
    r.unit,
    school(r.unit),
    r.deviceType,
    r.devices,
    r.hoursUsed,
    r.sessions,
    r.sessionsClipped,
    r.schoolTimeShare === null ? null : r.schoolTimeShare * 100,
    r.idle.length,
    r.idle.join(' '),
    r.faults,
    r.repairs,
    r.repairHoursMedian,
    r.repairHoursTotal,
    r.unrepaired,
    status(r.unit),
  ];
  table(wb, SHEETS.equipment[lang], EQUIPMENT_COLUMNS, h, report.equipment.map(equipmentRow));

  table(
    wb,
    SHEETS.gateways[lang],
    GATEWAY_COLUMNS,
    h,
    report.gateways.map((g) => gatewayCells(g, lang, (x) => x)),
  );

  return Buffer.from(await wb.xlsx.writeBuffer());
}

/** A sheet with a bold, frozen, auto-filtered header row and typed columns. */
function table(wb: ExcelJS.Workbook, name: string, specs: Spec[], h: (k: Column) => string, rows: Value[][]): void {
  const ws = wb.addWorksheet(name, { views: [{ state: 'frozen', ySplit: 1 }] });
  ws.columns = specs.map((s) => ({ header: h(s.key), width: s.width, ...(s.numFmt ? { style: { numFmt: s.numFmt } } : {}) }));
  ws.getRow(1).font = { bold: true };
  ws.getRow(1).alignment = { wrapText: true, vertical: 'top' };
  for (const r of rows) ws.addRow(r);
  ws.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: specs.length } };
}
