/**
 * The school calendar of Ho Chi Minh City as the simulated fleet lives it: Monday to Saturday,
 * morning periods 07:00–11:30 and afternoon periods 13:30–17:00 (45-minute periods), closed on
 * Sundays, the fixed public holidays (1/1, 30/4, 1/5, 2/9 and the day beside it) and the lunar
 * ones: Tết (a week and more around the lunar new year) and the Hùng Kings' day. Vietnam is
 * UTC+7 all year.
 */
export const TZ_OFFSET_MS = 7 * 3_600_000;
export const MINUTE = 60_000;
export const HOUR = 3_600_000;
export const DAY = 86_400_000;

/** Lunar new year's day, per year (Gregorian date). */
const TET: Record<number, string> = {
  2024: '02-10',
  2025: '01-29',
  2026: '02-17',
  2027: '02-06',
  2028: '01-26',
  2029: '02-13',
  2030: '02-03',
};
/** The Hùng Kings' commemoration (10th day of the 3rd lunar month). */
const HUNG_KINGS: Record<number, string> = { 2024: '04-18', 2025: '04-07', 2026: '04-26', 2027: '04-16', 2028: '04-04', 2029: '04-23', 2030: '04-12' };
const FIXED = ['01-01', '04-30', '05-01', '09-01', '09-02'];

/** The quarter's bounds in ms: '2026Q1' → [1/1 00:00, 1/4 00:00) local. */
export function quarterSpan(quarter: string): { from: number; to: number } {
  const m = /^(\d{4})Q([1-4])$/.exec(quarter);
  if (!m) throw new Error(`quarter: expected YYYYQn such as 2026Q1, got '${quarter}'`);
  const year = Number(m[1]);
  const q = Number(m[2]);
  return { from: Date.UTC(year, (q - 1) * 3, 1) - TZ_OFFSET_MS, to: Date.UTC(year, q * 3, 1) - TZ_OFFSET_MS };
}

/** A local date 'YYYY-MM-DD' of an instant. */
export const localDate = (ms: number) => new Date(ms + TZ_OFFSET_MS).toISOString().slice(0, 10);

/** Why a local day has no school, or null when it has. */
export function closedReason(midnight: number): 'sunday' | 'holiday' | 'tet' | null {
  const local = new Date(midnight + TZ_OFFSET_MS);
  if (local.getUTCDay() === 0) return 'sunday';
  const date = localDate(midnight);
  const year = local.getUTCFullYear();
  if (FIXED.includes(date.slice(5)) || HUNG_KINGS[year] === date.slice(5)) return 'holiday';
  const tet = TET[year];
  if (tet) {
    const newYear = Date.parse(`${year}-${tet}T00:00:00+07:00`);
    // Schools close from about five days before the new year to a week after.
    if (midnight >= newYear - 5 * DAY && midnight < newYear + 8 * DAY) return 'tet';
  }
  return null;
}

/** The local midnights of a span. */
export function* days(span: { from: number; to: number }): Generator<number> {
  for (let d = span.from; d < span.to; d += DAY) yield d;
}

/** A period's start: `n` (0–4 mornings from 07:00, 5–8 afternoons from 13:30), 45 minutes each with 10-minute breaks. */
export function periodStart(midnight: number, n: number): number {
  return n < 5 ? midnight + 7 * HOUR + n * 55 * MINUTE : midnight + 13.5 * HOUR + (n - 5) * 55 * MINUTE;
}
export const PERIOD_MS = 45 * MINUTE;
/** School time as the report's default counts it (07:00–17:00): every simulated session falls in it. */
export const SCHOOL_DAY = { fromHour: 7, toHour: 17 };
