import { PassThrough } from 'node:stream';
import ExcelJS from 'exceljs';
import type { ExperimentMeta, Row } from './store.ts';

export type Lang = 'vi' | 'en';

const words = {
  vi: { time: 'Thời gian UTC (ISO 8601)', elapsed: 'Thời điểm (s)', mark: 'Đánh dấu', readings: 'Số liệu', marks: 'Đánh dấu', about: 'Thông tin', label: 'Nội dung', field: 'Mục', value: 'Giá trị' },
  en: { time: 'Time UTC (ISO 8601)', elapsed: 'Elapsed (s)', mark: 'Mark', readings: 'Readings', marks: 'Marks', about: 'About', label: 'Label', field: 'Field', value: 'Value' },
} as const;

/** A column heading with its unit: "bench-1/water-temp – Water temperature (°C)". */
function sensorHeading(sensor: ExperimentMeta['sensors'][number]): string {
  return `${sensor.id} – ${sensor.label}${sensor.unit ? ` (${sensor.unit})` : ''}`;
}

/** Each mark lands on the first sample at or after it (the last sample if it came after). */
function marksByRow(meta: ExperimentMeta, rows: Row[]): Map<number, string> {
  const byRow = new Map<number, string>();
  for (const mark of meta.marks) {
    let index = rows.findIndex((row) => row[0] >= mark.atMs);
    if (index < 0) index = rows.length - 1;
    if (index < 0) continue;
    byRow.set(index, byRow.has(index) ? `${byRow.get(index)}; ${mark.label}` : mark.label);
  }
  return byRow;
}

function csvCell(value: string | number | null): string {
  if (value === null) return '';
  const text = String(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * The readings as CSV: a row per sample with its wall-clock time and elapsed seconds, a column
 * per sensor with its unit in the heading, the marks in the last column. UTF-8 with a byte-order
 * mark so that Excel shows the Vietnamese headings right.
 */
export function experimentCsv(meta: ExperimentMeta, rows: Row[], lang: Lang = 'vi'): string {
  const w = words[lang];
  const marks = marksByRow(meta, rows);
  const lines = [[w.time, w.elapsed, ...meta.sensors.map(sensorHeading), w.mark].map(csvCell).join(',')];
  rows.forEach((row, i) => {
    const [ms, ...values] = row;
    lines.push([new Date(meta.startedAt + ms).toISOString(), (ms / 1000).toFixed(3), ...values, marks.get(i) ?? ''].map(csvCell).join(','));
  });
  return '\ufeff' + lines.join('\r\n') + '\r\n';
}

/**
 * The same as an Excel workbook: the readings (real dates and numbers), the marks, and what the
 * experiment was. Written with exceljs's streaming writer, yielding to the event loop every few
 * hundred rows: the agent keeps driving its kits (heartbeats, the e-stop) while a long
 * experiment is exported (the in-memory writer held the loop for 16 s on 90,000 rows).
 */
export async function experimentXlsx(meta: ExperimentMeta, rows: Row[], lang: Lang = 'vi'): Promise<Buffer> {
  const w = words[lang];
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (chunk: Buffer) => chunks.push(chunk));
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
  wb.creator = 'STEMLab Edge';
  wb.created = new Date(meta.startedAt);
  const marks = marksByRow(meta, rows);
  const time = { numFmt: 'yyyy-mm-dd hh:mm:ss.000' };
  const readings = wb.addWorksheet(w.readings, { views: [{ state: 'frozen', ySplit: 1 }] });
  readings.columns = [
    { header: w.time, width: 24, style: time },
    { header: w.elapsed, width: 12, style: { numFmt: '0.000' } },
    ...meta.sensors.map((s) => ({ header: sensorHeading(s), width: Math.max(14, sensorHeading(s).length + 2) })),
    { header: w.mark, width: 20 },
  ];
  readings.getRow(1).font = { bold: true };
  for (let i = 0; i < rows.length; i++) {
    const [ms, ...values] = rows[i]!;
    readings.addRow([new Date(meta.startedAt + ms), ms / 1000, ...values, marks.get(i) ?? null]).commit();
    if (i % 500 === 499) await new Promise((resolve) => setImmediate(resolve));
  }
  readings.commit();
  const markSheet = wb.addWorksheet(w.marks);
  markSheet.columns = [
    { header: w.time, width: 24, style: time },
    { header: w.elapsed, width: 12, style: { numFmt: '0.000' } },
    { header: w.label, width: 40 },
  ];
  markSheet.getRow(1).font = { bold: true };
  for (const mark of meta.marks) markSheet.addRow([new Date(meta.startedAt + mark.atMs), mark.atMs / 1000, mark.label]).commit();
  markSheet.commit();
  const about = wb.addWorksheet(w.about);
  about.columns = [
    { header: w.field, width: 22 },
    { header: w.value, width: 60 },
  ];
  about.getRow(1).font = { bold: true };
  const fields: Array<[string, string | number]> =
    lang === 'vi'
      ? [['Thí nghiệm', meta.title], ['Nhóm', meta.group], ['Mã', meta.id], ['Bắt đầu (UTC)', new Date(meta.startedAt).toISOString()], ['Tần số (Hz)', meta.rateHz], ['Thời lượng (s)', meta.durationS], ['Số mẫu', rows.length], ['Trạng thái', meta.state]]
      : [['Experiment', meta.title], ['Group', meta.group], ['Id', meta.id], ['Started (UTC)', new Date(meta.startedAt).toISOString()], ['Rate (Hz)', meta.rateHz], ['Duration (s)', meta.durationS], ['Samples', rows.length], ['State', meta.state]];
  for (const field of fields) about.addRow(field).commit();
  about.commit();
  await wb.commit();
  return Buffer.concat(chunks);
}
