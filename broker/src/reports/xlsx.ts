/**
 * The quarterly report as an XLSX workbook, for the department's staff who work in Excel: the
 * same figures, columns and Vietnamese or English headers as the CSV (table.ts: one definition of
 * each table for both), one sheet per table rather than the CSV's blocks one under the other:
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
import { COLUMNS, type Column, type Lang } from './labels.ts';
import type { QuarterlyReport } from './model.ts';
import { cellContext, EQUIPMENT_TABLE, equipmentLines, GATEWAY_TABLE, header, tableCells, UNIT_TABLE, type Cell, type CellKind, type TableColumn } from './table.ts';

/** The sheets' names, in both languages (Excel allows 31 characters, no `/`). */
export const SHEETS = {
  cover: { vi: 'Tổng quan', en: 'Summary' },
  units: { vi: 'Đơn vị', en: 'Units' },
  equipment: { vi: 'Thiết bị', en: 'Equipment' },
  gateways: { vi: 'Gateway', en: 'Gateways' },
} as const satisfies Record<string, Record<Lang, string>>;

const NUMBER_FORMATS: Record<CellKind, string | undefined> = { text: undefined, int: '0', dec: '0.00' };

/** The report as an .xlsx file's bytes, headers and labels in `lang`. */
export async function toXlsx(report: QuarterlyReport, lang: Lang): Promise<Buffer> {
  const h = (k: Column) => COLUMNS[k][lang];
  const ctx = cellContext(report, lang);
  const wb = new ExcelJS.Workbook();
  wb.creator = 'STEMLab Edge';
  // The report's own time, not the moment of writing: the same report gives the same workbook.
  wb.created = new Date(Date.parse(report.generatedAt));

  const cover = wb.addWorksheet(SHEETS.cover[lang]);
  cover.columns = [{ width: 30 }, { width: 100 }];
  const coverRows: Array<[Column, Cell]> = [
    ['quarter', report.quarter],
    ['period', `${report.from} – ${report.to}`],
    ['deadline', report.deadline],
    ['generatedAt', report.generatedAt],
    ['schoolHours', report.schoolHours],
    ['completeness', report.completeness.summary[lang]],
    ...report.notes.map((n): [Column, Cell] => ['note', n[lang]]),
  ];
  for (const [key, value] of coverRows) {
    const row = cover.addRow([h(key), value]);
    row.getCell(1).font = { bold: true };
    row.getCell(2).alignment = { wrapText: true, vertical: 'top', horizontal: 'left' };
    if (typeof value === 'number') row.getCell(2).numFmt = NUMBER_FORMATS.dec as string;
  }

  const exact = (x: number) => x;
  table(wb, SHEETS.units[lang], UNIT_TABLE, lang, tableCells(UNIT_TABLE, report.units, ctx, exact));
  table(wb, SHEETS.equipment[lang], EQUIPMENT_TABLE, lang, tableCells(EQUIPMENT_TABLE, equipmentLines(report), ctx, exact));
  table(wb, SHEETS.gateways[lang], GATEWAY_TABLE, lang, tableCells(GATEWAY_TABLE, report.gateways, ctx, exact));
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/** A sheet with a bold, frozen, auto-filtered header row and typed columns. */
function table<R>(wb: ExcelJS.Workbook, name: string, columns: ReadonlyArray<TableColumn<R>>, lang: Lang, rows: Cell[][]): void {
  const ws = wb.addWorksheet(name, { views: [{ state: 'frozen', ySplit: 1 }] });
  ws.columns = columns.map((c) => {
    const numFmt = NUMBER_FORMATS[c.kind];
    return { header: header(c.key, lang), width: c.width, ...(numFmt ? { style: { numFmt } } : {}) };
  });
  ws.getRow(1).font = { bold: true };
  ws.getRow(1).alignment = { wrapText: true, vertical: 'top' };
  for (const r of rows) ws.addRow(r);
  ws.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: columns.length } };
}
