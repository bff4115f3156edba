/**
 * The report's tables, defined once for the CSV (csv.ts) and the XLSX (xlsx.ts): each column's
 * header (labels.ts), width in a spreadsheet, kind and how its cell is taken from a row. A writer
 * only formats by kind: decimals (the CSV rounds to 2 places, the XLSX keeps the number and
 * shows 2), dates (ms: the CSV writes local ISO 8601, the XLSX a real date in local time) and
 * durations (ms: the CSV writes h:mm:ss, the XLSX a real duration). Adding or moving a column is
 * one line here, for both.
 */
import { DISTRICTS } from '../registry/fleet-data.ts';
import { COLUMNS, deviceTypeName, LABELS, type Column, type Label, type Lang } from './labels.ts';
import type { CategoryTotals, ComponentRow, GatewayCompleteness, KitRow, QuarterlyReport, UnitSummary } from './model.ts';

export type Cell = string | number | null;
/** int, dec: a number; date: ms since the epoch; duration: ms. */
export type CellKind = 'text' | 'int' | 'dec' | 'date' | 'duration';

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
  label: (k: Label) => string;
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
const share = (x: number | null) => (x === null ? null : x * 100);

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

/** The use figures both the kits and the components have. */
function useColumns<R extends KitRow | ComponentRow>(hours: Column): Array<TableColumn<R>> {
  return [
    { key: hours, width: 12, kind: 'dec', cell: (r) => r.hoursUsed },
    { key: 'sessions', width: 10, kind: 'int', cell: (r) => r.sessions },
    { key: 'sessionsClipped', width: 14, kind: 'int', cell: (r) => r.sessionsClipped },
    { key: 'schoolTimeShare', width: 16, kind: 'dec', cell: (r) => share(r.schoolTimeShare) },
    { key: 'faults', width: 10, kind: 'int', cell: (r) => r.faults },
  ];
}

export const TOTALS_TABLE: Array<TableColumn<CategoryTotals>> = [
  { key: 'category', width: 30, kind: 'text', cell: (t, c) => c.label(t.category) },
  { key: 'units', width: 10, kind: 'int', cell: (t) => t.units },
  { key: 'kits', width: 10, kind: 'int', cell: (t) => t.kits },
  { key: 'kitHours', width: 14, kind: 'dec', cell: (t) => t.hoursUsed },
  { key: 'sessions', width: 10, kind: 'int', cell: (t) => t.sessions },
  { key: 'faults', width: 10, kind: 'int', cell: (t) => t.faults },
  { key: 'repairs', width: 10, kind: 'int', cell: (t) => t.repairs },
  { key: 'repairMedian', width: 16, kind: 'duration', cell: (t) => t.repairMedianMs },
  { key: 'unrepaired', width: 12, kind: 'int', cell: (t) => t.unrepaired },
  { key: 'idleKits', width: 12, kind: 'int', cell: (t) => t.idleKits },
];

export const UNIT_TABLE: Array<TableColumn<UnitSummary>> = [
  ...unitColumns<UnitSummary>((u) => u.unit),
  { key: 'kits', width: 10, kind: 'int', cell: (u) => u.kits },
  { key: 'kitHours', width: 14, kind: 'dec', cell: (u) => u.hoursUsed },
  { key: 'sessions', width: 10, kind: 'int', cell: (u) => u.sessions },
  { key: 'faults', width: 10, kind: 'int', cell: (u) => u.faults },
  { key: 'dataStatus', width: 18, kind: 'text', cell: (u, c) => c.label(u.status) },
];

export const KIT_TABLE: Array<TableColumn<KitRow>> = [
  ...unitColumns<KitRow>((r) => r.unit),
  { key: 'category', width: 24, kind: 'text', cell: (r, c) => c.label(r.category) },
  { key: 'kits', width: 10, kind: 'int', cell: (r) => r.kits },
  ...useColumns<KitRow>('kitHours'),
  { key: 'idleCount', width: 12, kind: 'int', cell: (r) => r.idle.length },
  { key: 'idle', width: 36, kind: 'text', cell: (r) => r.idle.join(' ') || null },
  { key: 'repairs', width: 10, kind: 'int', cell: (r) => r.repairs },
  { key: 'repairMedian', width: 16, kind: 'duration', cell: (r) => r.repairMedianMs },
  { key: 'repairTotal', width: 16, kind: 'duration', cell: (r) => r.repairTotalMs },
  { key: 'unrepaired', width: 12, kind: 'int', cell: (r) => r.unrepaired },
  { key: 'dataStatus', width: 18, kind: 'text', cell: (r, c) => status(r.unit, c) },
];

export const COMPONENT_TABLE: Array<TableColumn<ComponentRow>> = [
  { key: 'unit', width: 16, kind: 'text', cell: (r) => r.unit },
  { key: 'school', width: 44, kind: 'text', cell: (r, c) => school(r.unit, c) },
  { key: 'category', width: 24, kind: 'text', cell: (r, c) => c.label(r.category) },
  { key: 'deviceType', width: 20, kind: 'text', cell: (r, c) => deviceTypeName(r.deviceType, c.lang) },
  { key: 'devices', width: 10, kind: 'int', cell: (r) => r.devices },
  ...useColumns<ComponentRow>('hoursUsed'),
  { key: 'idleCount', width: 12, kind: 'int', cell: (r) => r.idle.length },
  { key: 'idle', width: 36, kind: 'text', cell: (r) => r.idle.join(' ') || null },
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
  { key: 'lastSeen', width: 18, kind: 'date', cell: (g) => (g.lastSeen === null ? null : Date.parse(g.lastSeen)) },
  { key: 'onlineNow', width: 12, kind: 'text', cell: (g, c) => (g.onlineNow === null ? null : c.label(g.onlineNow ? 'yes' : 'no')) },
  { key: 'uptime', width: 12, kind: 'dec', cell: (g, c) => (g.uptimeShare === null ? c.label('not-available') : g.uptimeShare * 100) },
  { key: 'unknownHours', width: 14, kind: 'dec', cell: (g) => g.unknownHours },
  { key: 'dataStatus', width: 18, kind: 'text', cell: (g, c) => c.label(g.status) },
];

/** How a writer shows the kinds of cell that are not plain. */
export interface CellFormat<T> {
  dec: (x: number) => number;
  date: (ms: number) => T;
  duration: (ms: number) => T;
}

/** A table's rows as cells, formatted by kind. */
export function tableCells<R, T>(table: ReadonlyArray<TableColumn<R>>, rows: readonly R[], ctx: CellContext, format: CellFormat<T>): Array<Array<Cell | T>> {
  return rows.map((r) =>
    table.map((col): Cell | T => {
      const v = col.cell(r, ctx);
      if (typeof v !== 'number') return v;
      if (col.kind === 'dec') return format.dec(v);
      if (col.kind === 'date') return format.date(v);
      if (col.kind === 'duration') return format.duration(v);
      return v;
    }),
  );
}

/** A duration as h:mm:ss (hours not wrapped at 24): 26:30:00, 0:00:04. */
export function hms(ms: number): string {
  const s = Math.round(ms / 1000);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${Math.floor(s / 3600)}:${pad(Math.floor(s / 60) % 60)}:${pad(s % 60)}`;
}
