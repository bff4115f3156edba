/**
 * The quarterly report as an XLSX workbook, for the department's staff who work in Excel: the
 * same figures, columns and Vietnamese or English headers as the CSV (table.ts: one definition of
 * each table for both), one sheet per table rather than the CSV's blocks one under the other:
 *
 * - a cover sheet: quarter, period, deadline, when it was generated, school hours, how complete
 *   the data is, each figure's definition, and the totals per category (robots, lab, classroom);
 * - the units (one row per unit: name, district, kind, level, its kits' use, data completeness);
 * - the kits (one row per unit and category): the headline figures;
 * - the components (one row per unit, category and kind of component);
 * - the gateways' data completeness.
 *
 * Numbers are written as numbers (a spreadsheet sums them; the CSV's rounding is a display
 * format here, not a loss of precision); times as real dates in Vietnam's local time (an Excel
 * date has no time zone: the department reads local time); durations as real durations
 * ([h]:mm:ss, so a sum of repair times stays a time). Every table sheet freezes its header row.
 */
import ExcelJS from 'exceljs';
import { COLUMNS, type Column, type Lang } from './labels.ts';
import type { QuarterlyReport } from './model.ts';
import { TZ_OFFSET_MS } from './quarter.ts';
import { cellContext, COMPONENT_TABLE, GATEWAY_TABLE, header, KIT_TABLE, tableCells, TOTALS_TABLE, UNIT_TABLE, type Cell, type CellFormat, type CellKind, type TableColumn } from './table.ts';

/** The sheets' names, in both languages (Excel allows 31 characters, no `/`). */
export const SHEETS = {
  cover: { vi: 'Tổng quan', en: 'Summary' },
  units: { vi: 'Đơn vị', en: 'Units' },
  kits: { vi: 'Bộ thiết bị', en: 'Kits' },
  components: { vi: 'Linh kiện', en: 'Components' },
  gateways: { vi: 'Gateway', en: 'Gateways' },
} as const satisfies Record<string, Record<Lang, string>>;

const NUMBER_FORMATS: Record<CellKind, string | undefined> = { text: undefined, int: '0', dec: '0.00', date: 'dd/mm/yyyy hh:mm', duration: '[h]:mm:ss' };
const DAY_MS = 86_400_000;

/** An instant as an Excel date showing Vietnam's local time. */
const localDate = (ms: number) => new Date(ms + TZ_OFFSET_MS);
/** Excel keeps durations as fractions of a day. */
const XLSX_FORMAT: CellFormat<Date | number> = { dec: (x) => x, date: localDate, duration: (ms) => ms / DAY_MS };

type XCell = Cell | Date;

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
  const coverRows: Array<[Column, XCell, string?]> = [
    ['quarter', report.quarter],
    ['period', `${report.from} – ${report.to}`],
    ['deadline', localDate(Date.parse(report.deadline)), NUMBER_FORMATS.date],
    ['generatedAt', localDate(Date.parse(report.generatedAt)), NUMBER_FORMATS.date],
    ['schoolHours', report.schoolHours, NUMBER_FORMATS.dec],
    ['completeness', report.completeness.summary[lang]],
    ...report.definitions.map((n): [Column, XCell] => ['definition', n[lang]]),
  ];
  for (const [key, value, numFmt] of coverRows) {
    const row = cover.addRow([h(key), value]);
    row.getCell(1).font = { bold: true };
    row.getCell(2).alignment = { wrapText: true, vertical: 'top', horizontal: 'left' };
    if (numFmt) row.getCell(2).numFmt = numFmt;
  }
  // The headline under the cover: the totals per category.
  cover.addRow([]);
  const totalsHeader = cover.addRow(TOTALS_TABLE.map((c) => header(c.key, lang)));
  totalsHeader.font = { bold: true };
  for (const cells of tableCells(TOTALS_TABLE, report.totals, ctx, XLSX_FORMAT)) {
    const row = cover.addRow(cells);
    TOTALS_TABLE.forEach((c, i) => {
      const numFmt = NUMBER_FORMATS[c.kind];
      if (numFmt) row.getCell(i + 1).numFmt = numFmt;
    });
  }

  table(wb, SHEETS.units[lang], UNIT_TABLE, lang, tableCells(UNIT_TABLE, report.units, ctx, XLSX_FORMAT));
  table(wb, SHEETS.kits[lang], KIT_TABLE, lang, tableCells(KIT_TABLE, report.kits, ctx, XLSX_FORMAT));
  table(wb, SHEETS.components[lang], COMPONENT_TABLE, lang, tableCells(COMPONENT_TABLE, report.components, ctx, XLSX_FORMAT));
  table(wb, SHEETS.gateways[lang], GATEWAY_TABLE, lang, tableCells(GATEWAY_TABLE, report.gateways, ctx, XLSX_FORMAT));
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/** A sheet with a bold, frozen, auto-filtered header row and typed columns. */
function table<R>(wb: ExcelJS.Workbook, name: string, columns: ReadonlyArray<TableColumn<R>>, lang: Lang, rows: XCell[][]): void {
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
