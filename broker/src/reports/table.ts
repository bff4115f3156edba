/**
 * The report's tables, defined once for the CSV (csv.ts) and the XLSX (xlsx.ts): each column's
 * header (labels.ts), width in a spreadsheet, kind (text, integer, decimal) and how its cell is
 * taken from a row. A writer only formats: the CSV rounds decimals to 2 places, the XLSX keeps
 * the number and shows it with 2. Adding or moving a column is one line here, for both.
 */
import { DISTRICTS } from '../registry/fleet-data.ts';
import { COLUMNS, LABELS, type Column, type Lang } from './labels.ts';
import type { EquipmentRow, GatewayCompleteness, QuarterlyReport, UnitSummary } from './model.ts';

export type Cell = string | number | null;
export type CellKind = 'text' | 'int' | 'dec';

export interface TableColumn<R> {
  key: Column;
  /** Width in characters, in a spreadsheet. */
  width: number;
  kind: CellKind;
  cell: (row: R, ctx: CellContext) => Cell;
}

/** What a cell may need beyond its row: the language and the unit the row belongs to. */
export interface CellContext {
  lang: Lang;
  label: (k: keyof typeof LABELS) => string;
  unit: (id: string) => UnitSummary | undefined;
}

export function cellContext(report: QuarterlyReport, lang: Lang): CellContext {
  const units = new Map(report.units.map((u) => [u.unit, u]));
  return { lang, label: (k) => LABELS[k][lang], unit: (id) => units.get(id) };
}

export const header = (key: Column, lang: Lang) => COLUMNS[key][lang];

const school = (id: string, c: CellContext) => {
  const u = c.unit(id);
  return u?.name ? u.name[c.lang] : c.label('unregistered');
};
const district = (id: string | null, c: CellContext) => {
  const d = DISTRICTS.find((x) => x.id === id);
  return d ? d[c.lang] : id;
};
const status = (id: string, c: CellContext) => {
  const s = c.unit(id)?.status;
  return s ? c.label(s) : null;
};

/** The columns that say which unit a row is about. */
function unitColumns<R>(unitOf: (r: R) => string): Array<TableColumn<R>> {
  return [
    { key: 'unit', width: 16, kind: 'text', cell: (r) => unitOf(r) },
    { key: 'school', width: 44, kind: 'text', cell: (r, c) => school(unitOf(r), c) },
    { key: 'district', width: 16, kind: 'text', cell: (r, c) => district(c.unit(unitOf(r))?.district ?? null, c) },
    { key: 'kind', width: 22, kind: 'text', cell: (r, c) => { const k = c.unit(unitOf(r))?.kind; return k ? c.label(k) : null; } },
    { key: 'level', width: 16, kind: 'text', cell: (r, c) => { const l = c.unit(unitOf(r))?.level; return l ? c.label(l) : null; } },
  ];
}

export const UNIT_TABLE: Array<TableColumn<UnitSummary>> = [
  ...unitColumns<UnitSummary>((u) => u.unit),
  { key: 'dataStatus', width: 18, kind: 'text', cell: (u, c) => c.label(u.status) },
];

export const EQUIPMENT_TABLE: Array<TableColumn<EquipmentRow>> = [
  ...unitColumns<EquipmentRow>((r) => r.unit),
  { key: 'deviceType', width: 16, kind: 'text', cell: (r) => r.deviceType || null },
  { key: 'devices', width: 10, kind: 'int', cell: (r) => r.devices },
  { key: 'hoursUsed', width: 12, kind: 'dec', cell: (r) => r.hoursUsed },
  { key: 'sessions', width: 10, kind: 'int', cell: (r) => r.sessions },
  { key: 'sessionsClipped', width: 14, kind: 'int', cell: (r) => r.sessionsClipped },
  { key: 'schoolTimeShare', width: 16, kind: 'dec', cell: (r) => (r.schoolTimeShare === null ? null : r.schoolTimeShare * 100) },
  { key: 'idleCount', width: 12, kind: 'int', cell: (r) => r.idle.length },
  { key: 'idle', width: 36, kind: 'text', cell: (r) => r.idle.join(' ') || null },
  { key: 'faults', width: 8, kind: 'int', cell: (r) => r.faults },
  { key: 'repairs', width: 10, kind: 'int', cell: (r) => r.repairs },
  { key: 'repairHoursMedian', width: 14, kind: 'dec', cell: (r) => r.repairHoursMedian },
  { key: 'repairHoursTotal', width: 14, kind: 'dec', cell: (r) => r.repairHoursTotal },
  { key: 'unrepaired', width: 12, kind: 'int', cell: (r) => r.unrepaired },
  { key: 'dataStatus', width: 18, kind: 'text', cell: (r, c) => status(r.unit, c) },
];

export const GATEWAY_TABLE: Array<TableColumn<GatewayCompleteness>> = [
  { key: 'unit', width: 16, kind: 'text', cell: (g) => g.unit },
  { key: 'gateway', width: 18, kind: 'text', cell: (g) => g.gateway },
  { key: 'eventsReceived', width: 12, kind: 'int', cell: (g) => g.eventsReceived },
  { key: 'seqFrom', width: 10, kind: 'int', cell: (g) => g.seqFrom },
  { key: 'seqTo', width: 10, kind: 'int', cell: (g) => g.seqTo },
  { key: 'seqExpected', width: 12, kind: 'int', cell: (g) => g.seqExpected },
  { key: 'missing', width: 10, kind: 'int', cell: (g) => g.missing },
  { key: 'evicted', width: 10, kind: 'int', cell: (g) => g.evicted },
  { key: 'openGaps', width: 10, kind: 'int', cell: (g) => g.openGaps },
  { key: 'uncorrected', width: 14, kind: 'int', cell: (g) => g.uncorrected },
  { key: 'lastSeen', width: 26, kind: 'text', cell: (g) => g.lastSeen },
  { key: 'onlineNow', width: 12, kind: 'text', cell: (g, c) => (g.onlineNow === null ? null : c.label(g.onlineNow ? 'yes' : 'no')) },
  { key: 'uptime', width: 12, kind: 'dec', cell: (g, c) => (g.uptimeShare === null ? c.label('not-available') : g.uptimeShare * 100) },
  { key: 'unknownHours', width: 14, kind: 'dec', cell: (g) => g.unknownHours },
  { key: 'dataStatus', width: 18, kind: 'text', cell: (g, c) => c.label(g.status) },
];

/** A unit with no known equipment, as an all-zero row: the department sees every unit. */
function noEquipment(unit: string): EquipmentRow {
  return { unit, deviceType: '', devices: 0, usedMs: 0, hoursUsed: 0, sessions: 0, sessionsClipped: 0, schoolUsedMs: 0, schoolTimeShare: null, idle: [], faults: 0, repairs: 0, repairHoursMedian: null, repairHoursTotal: 0, unrepaired: 0 };
}

/** The equipment table's rows, in the units' order, every unit at least once. */
export function equipmentLines(report: QuarterlyReport): EquipmentRow[] {
  const byUnit = new Map<string, EquipmentRow[]>();
  for (const r of report.equipment) byUnit.set(r.unit, [...(byUnit.get(r.unit) ?? []), r]);
  return report.units.flatMap((u) => byUnit.get(u.unit) ?? [noEquipment(u.unit)]);
}

/** A table's rows as cells; `dec` formats decimals (CSV rounds, XLSX keeps them). */
export function tableCells<R>(table: ReadonlyArray<TableColumn<R>>, rows: readonly R[], ctx: CellContext, dec: (x: number) => number): Cell[][] {
  return rows.map((r) =>
    table.map((col) => {
      const v = col.cell(r, ctx);
      return col.kind === 'dec' && typeof v === 'number' ? dec(v) : v;
    }),
  );
}
