/**
 * The report as CSV (and JSON): a header block (quarter, period, generated at, deadline,
 * completeness, notes), then the equipment table, then the gateways' completeness table,
 * separated by blank lines. CRLF line ends and a UTF-8 BOM (unless `bom: false`) so spreadsheet
 * software reads the Vietnamese text right. Numbers use '.' as the decimal separator, rounded to
 * 2 places.
 */
import { COLUMNS, type Lang } from './labels.ts';
import type { QuarterlyReport } from './model.ts';
import { cellContext, EQUIPMENT_TABLE, equipmentLines, GATEWAY_TABLE, header, tableCells, type Cell } from './table.ts';

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

export function toCsv(report: QuarterlyReport, lang: Lang, options: { bom?: boolean } = {}): string {
  const h = (k: keyof typeof COLUMNS) => COLUMNS[k][lang];
  const ctx = cellContext(report, lang);
  const lines: Cell[][] = [
    [h('quarter'), report.quarter],
    [h('period'), `${report.from} – ${report.to}`],
    [h('generatedAt'), report.generatedAt],
    [h('deadline'), report.deadline],
    [h('schoolHours'), round2(report.schoolHours)],
    [h('completeness'), report.completeness.summary[lang]],
    ...report.notes.map((n): Cell[] => [h('note'), n[lang]]),
    [],
    EQUIPMENT_TABLE.map((c) => header(c.key, lang)),
    ...tableCells(EQUIPMENT_TABLE, equipmentLines(report), ctx, round2),
    [],
    GATEWAY_TABLE.map((c) => header(c.key, lang)),
    ...tableCells(GATEWAY_TABLE, report.gateways, ctx, round2),
  ];
  const text = lines.map((r) => r.map(cell).join(',')).join('\r\n') + '\r\n';
  return (options.bom ?? true) ? `\uFEFF${text}` : text;
}
