/**
 * A club session's summary: who passed what, which kits faulted, minutes of use per kit; as JSON
 * for the printable page, and as CSV and XLSX.
 *
 * Minutes of use are counted as the central's ledger counts a kit's use (broker/src/ledger/
 * report-queries.ts, reports/quarterly.ts): the sum of the durations (`durationMs`) of the kit's
 * own sessions (device component null, type 'kit') in the usage records, here those tagged with
 * this club session. Every such session lies inside the club session (its tag opens and its end
 * closes them), so no clipping applies. Faults, likewise, are the records' `faults`; the kit
 * states the agent saw (fault, unplugged) are listed beside them with their times and reasons.
 */
import ExcelJS from 'exceljs';
import { catalogue } from '@stemlab/flows';
import type { Lang } from '../lab/export.ts';
import type { ClubSession, KitUseRecord } from './store.ts';

export interface TeamSummary {
  id: string;
  name: string;
  kit: string;
  members: string[];
  /** The team's last verdict ('pass', 'fail', 'invalid'), none if it never checked. */
  verdict: string | undefined;
  /** Whether any check passed. */
  passed: boolean;
  checks: number;
  usedMs: number;
  minutes: number;
  usageSessions: number;
  faults: number;
  /** The kit's losses the agent saw during the session, e.g. "10:02:11 fault: board stopped answering". */
  kitLost: Array<{ at: number; state: string; reason: string | undefined }>;
}

export interface SessionSummary {
  id: string;
  lessonId: string;
  lessonTitle: { vi: string; en: string };
  classId: string;
  state: ClubSession['state'];
  startedBy: string;
  startedAt: number;
  endedAt: number | undefined;
  teams: TeamSummary[];
}

/** Milliseconds of use of a kit in the records: the ledger's sum of its kit sessions' durations. */
export function kitUseMs(records: readonly KitUseRecord[], kit: string): number {
  return records.filter((r) => r.kit === kit).reduce((sum, r) => sum + r.durationMs, 0);
}

export function sessionSummary(session: ClubSession): SessionSummary {
  const title = catalogue.lessons.find((l) => l.id === session.lessonId)?.title ?? { vi: session.lessonId, en: session.lessonId };
  return {
    id: session.id,
    lessonId: session.lessonId,
    lessonTitle: title,
    classId: session.classId,
    state: session.state,
    startedBy: session.startedBy,
    startedAt: session.startedAt,
    endedAt: session.endedAt,
    teams: session.teams.map((team) => {
      const verdicts = session.verdicts.filter((v) => v.team === team.id);
      const records = session.usage.filter((r) => r.kit === team.kit);
      const usedMs = kitUseMs(records, team.kit);
      return {
        ...team,
        verdict: verdicts.at(-1)?.status,
        passed: verdicts.some((v) => v.status === 'pass'),
        checks: verdicts.length,
        usedMs,
        minutes: Math.round(usedMs / 6000) / 10,
        usageSessions: records.length,
        faults: records.reduce((sum, r) => sum + r.faults, 0),
        kitLost: session.faults.filter((f) => f.kit === team.kit).map(({ at, state, reason }) => ({ at, state, reason })),
      };
    }),
  };
}

const words = {
  vi: {
    team: 'Nhóm', kit: 'Bộ kit', members: 'Thành viên', verdict: 'Kết quả chấm gần nhất', passed: 'Đã đạt', checks: 'Số lần chấm', minutes: 'Số phút sử dụng',
    sessions: 'Số phiên sử dụng', faults: 'Số lỗi', lost: 'Sự cố bộ kit', yes: 'có', no: 'chưa', none: '—', summary: 'Tổng kết', about: 'Thông tin', field: 'Mục', value: 'Giá trị',
    pass: 'ĐẠT', fail: 'CHƯA ĐẠT', invalid: 'KHÔNG CHẤM ĐƯỢC',
    states: { fault: 'lỗi', disconnected: 'đã rút cáp' } as Record<string, string>,
    reasons: { unplugged: 'đã rút cáp', 'port closed': 'cổng nối tiếp đã đóng' } as Record<string, string>,
  },
  en: {
    team: 'Team', kit: 'Kit', members: 'Members', verdict: 'Last check', passed: 'Passed', checks: 'Checks', minutes: 'Minutes of use',
    sessions: 'Usage sessions', faults: 'Faults', lost: 'Kit problems', yes: 'yes', no: 'not yet', none: '—', summary: 'Summary', about: 'About', field: 'Field', value: 'Value',
    pass: 'PASS', fail: 'NOT YET', invalid: 'CANNOT CHECK',
    states: { fault: 'fault', disconnected: 'unplugged' } as Record<string, string>,
    reasons: { unplugged: 'unplugged', 'port closed': 'serial port closed' } as Record<string, string>,
  },
} as const;

/** A kit's loss in the reader's words: its state, and its reason when that says more. */
function lost(f: { state: string; reason: string | undefined }, lang: Lang): string {
  const w = words[lang];
  const state = w.states[f.state] ?? f.state;
  const why = f.reason ? (w.reasons[f.reason] ?? f.reason) : '';
  return why && why !== state ? `${state}: ${why}` : state;
}

function rows(summary: SessionSummary, lang: Lang): Array<Array<string | number>> {
  const w = words[lang];
  const head = [w.team, w.kit, w.members, w.verdict, w.passed, w.checks, w.minutes, w.sessions, w.faults, w.lost];
  return [
    head,
    ...summary.teams.map((t) => [
      t.name,
      t.kit,
      t.members.join(' '),
      t.verdict ? w[t.verdict as 'pass' | 'fail' | 'invalid'] : w.none,
      t.passed ? w.yes : w.no,
      t.checks,
      t.minutes,
      t.usageSessions,
      t.faults,
      t.kitLost.map((f) => `${new Date(f.at).toISOString()} ${lost(f, lang)}`).join('; '),
    ]),
  ];
}

function about(summary: SessionSummary, lang: Lang): Array<[string, string]> {
  const when = (ms: number | undefined) => (ms === undefined ? '' : new Date(ms).toISOString());
  return lang === 'vi'
    ? [['Buổi', summary.id], ['Bài học', `${summary.lessonId} – ${summary.lessonTitle.vi}`], ['Lớp', summary.classId], ['Giáo viên', summary.startedBy], ['Bắt đầu (UTC)', when(summary.startedAt)], ['Kết thúc (UTC)', when(summary.endedAt)]]
    : [['Session', summary.id], ['Lesson', `${summary.lessonId} – ${summary.lessonTitle.en}`], ['Class', summary.classId], ['Teacher', summary.startedBy], ['Started (UTC)', when(summary.startedAt)], ['Ended (UTC)', when(summary.endedAt)]];
}

function csvCell(value: string | number): string {
  const text = String(value);
  return /[",\n\r;]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The summary as CSV: the session's details, a blank line, then a row per team. UTF-8 with a BOM for Excel. */
export function summaryCsv(summary: SessionSummary, lang: Lang = 'vi'): string {
  const lines = [...about(summary, lang), [], ...rows(summary, lang)].map((row) => row.map(csvCell).join(','));
  return '\ufeff' + lines.join('\r\n') + '\r\n';
}

/** The summary as an Excel workbook: a sheet of teams (numbers as numbers) and one about the session. */
export async function summaryXlsx(summary: SessionSummary, lang: Lang = 'vi'): Promise<Buffer> {
  const w = words[lang];
  const wb = new ExcelJS.Workbook();
  wb.creator = 'STEMLab Edge';
  wb.created = new Date(summary.startedAt);
  const sheet = wb.addWorksheet(w.summary, { views: [{ state: 'frozen', ySplit: 1 }] });
  for (const row of rows(summary, lang)) sheet.addRow(row);
  sheet.getRow(1).font = { bold: true };
  sheet.columns.forEach((column, i) => (column.width = [16, 12, 24, 18, 10, 10, 14, 14, 8, 50][i] ?? 14));
  const info = wb.addWorksheet(w.about);
  info.addRow([w.field, w.value]).font = { bold: true };
  for (const row of about(summary, lang)) info.addRow(row);
  info.getColumn(1).width = 18;
  info.getColumn(2).width = 50;
  return Buffer.from(await wb.xlsx.writeBuffer());
}
