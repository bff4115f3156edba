/**
 * The report as CSV (and JSON): a cover block (quarter, period, generated at, deadline,
 * completeness, each figure's definition), the totals per category, the units, the kits, the
 * components, and the gateways' completeness, separated by blank lines. CRLF line ends and a
 * UTF-8 BOM (unless `bom: false`) so spreadsheet software reads the Vietnamese text right.
 * Numbers use '.' as the decimal separator, rounded to 2 places; times are local ISO 8601,
 * durations h:mm:ss.
 */
import { COLUMNS, type Lang } from './labels.ts';
import type { QuarterlyReport } from './model.ts';
import { localIso } from './quarter.ts';
import { cellContext, COMPONENT_TABLE, GATEWAY_TABLE, header, hms, KIT_TABLE, tableCells, TOTALS_TABLE, UNIT_TABLE, type Cell, type CellFormat, type TableColumn } from './table.ts';

export function toJson(report: QuarterlyReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

/** RFC 4180 quoting; text that a spreadsheet would run as a formula is prefixed with '. */
function cell(v: Cell): string {
  if (v === null) return '';
  if (typeof v === 'number') return String(v);
  const text = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

const round2 = (x: number) => Number(x.toFixed(2));
const CSV_FORMAT: CellFormat<string> = { dec: round2, date: localIso, duration: hms };

export function toCsv(report: QuarterlyReport, lang: Lang, options: { bom?: boolean } = {}): string {
  const h = (k: keyof typeof COLUMNS) => COLUMNS[k][lang];
  const ctx = cellContext(report, lang);
  const block = <R>(table: ReadonlyArray<TableColumn<R>>, rows: readonly R[]): Cell[][] => [[], table.map((c) => header(c.key, lang)), ...tableCells(table, rows, ctx, CSV_FORMAT)];
  const lines: Cell[][] = [
    [h('quarter'), report.quarter],
    [h('period'), `${report.from} – ${report.to}`],
    [h('generatedAt'), report.generatedAt],
    [h('deadline'), report.deadline],
    [h('schoolHours'), round2(report.schoolHours)],
    [h('completeness'), report.completeness.summary[lang]],
    ...report.definitions.map((n): Cell[] => [h('definition'), n[lang]]),
    ...block(TOTALS_TABLE, report.totals),
    ...block(UNIT_TABLE, report.units),
    ...block(KIT_TABLE, report.kits),
    ...block(COMPONENT_TABLE, report.components),
    ...block(GATEWAY_TABLE, report.gateways),
  ];
  const text = lines.map((r) => r.map(cell).join(',')).join('\r\n') + '\r\n';
  return (options.bom ?? true) ? `\uFEFF${text}` : text;
}
