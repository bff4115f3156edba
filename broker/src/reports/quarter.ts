/**
 * Quarters, local time and school time, in Asia/Ho_Chi_Minh (UTC+7 all year, no daylight
 * saving). The department's deadlines are 17:00 local on 25/3, 25/6, 25/9 and 25/12.
 */

export const TIMEZONE = 'Asia/Ho_Chi_Minh';
/** Vietnam is UTC+7 all year. */
export const TZ_OFFSET_MS = 7 * 3_600_000;
export const DAY_MS = 86_400_000;
export const HOUR_MS = 3_600_000;

/** A stretch of time, [from, to) in ms. */
export interface Span {
  from: number;
  to: number;
}

export interface QuarterBounds extends Span {
  /** 17:00 local on the 25th of the quarter's last month. */
  deadline: number;
}

/** The quarter's bounds and deadline, in ms. */
export function quarterBounds(quarter: string): QuarterBounds {
  const m = /^(\d{4})Q([1-4])$/.exec(quarter);
  if (!m) throw new Error(`quarter: expected YYYYQn such as 2025Q3, got '${quarter}'`);
  const year = Number(m[1]);
  const q = Number(m[2]);
  return {
    from: Date.UTC(year, (q - 1) * 3, 1) - TZ_OFFSET_MS,
    to: Date.UTC(year, q * 3, 1) - TZ_OFFSET_MS,
    deadline: Date.UTC(year, q * 3 - 1, 25, 17) - TZ_OFFSET_MS,
  };
}

/** The quarter an instant falls in, in Vietnam: '2025Q3'. */
export function quarterOf(ms: number): string {
  const local = new Date(ms + TZ_OFFSET_MS);
  return `${local.getUTCFullYear()}Q${Math.floor(local.getUTCMonth() / 3) + 1}`;
}

export function nextQuarter(quarter: string): string {
  const year = Number(quarter.slice(0, 4));
  const q = Number(quarter.slice(5));
  return q === 4 ? `${year + 1}Q1` : `${year}Q${q + 1}`;
}

/** An instant as local ISO 8601 (2025-09-25T17:00:00+07:00). */
export function localIso(ms: number): string {
  return new Date(ms + TZ_OFFSET_MS).toISOString().replace(/\.\d{3}Z$/, '+07:00');
}

/** Local midnight (as an instant) of the day an instant falls in. */
export function localMidnight(ms: number): number {
  return Math.floor((ms + TZ_OFFSET_MS) / DAY_MS) * DAY_MS - TZ_OFFSET_MS;
}

export interface SchoolTime {
  /** Days school is open: 0 = Sunday ... 6 = Saturday. */
  days: number[];
  /** Opening and closing, minutes after local midnight (07:00 = 420). */
  fromMinute: number;
  toMinute: number;
  /** Closed days, local dates: 'YYYY-MM-DD' (one day) or 'MM-DD' (every year). */
  closed: string[];
}

/**
 * Monday–Saturday 07:00–17:00, closed on the fixed-date public holidays (1/1, 30/4, 1/5, 2/9).
 * Tết, the Hùng Kings' day (lunar dates) and the summer break differ by year and school: pass
 * them in `closed` (the default counts July and August as school time, which is right for
 * summer clubs and understates use for schools that close).
 */
export const DEFAULT_SCHOOL_TIME: SchoolTime = {
  days: [1, 2, 3, 4, 5, 6],
  fromMinute: 7 * 60,
  toMinute: 17 * 60,
  closed: ['01-01', '04-30', '05-01', '09-02'],
};

/** Milliseconds of [start, end) inside school time. */
export function schoolOverlapMs(start: number, end: number, st: SchoolTime): number {
  return schoolOverlap(st)(start, end);
}

/**
 * schoolOverlapMs for many spans of one SchoolTime: each local day's school hours are worked out
 * once. The report's session walk asks for the same ninety-odd days once per session (tens of
 * thousands of times), and building the holiday set and the day's date text every time was a
 * large part of its CPU time. Made anew per report, so a SchoolTime changed in between is seen.
 */
export function schoolOverlap(st: SchoolTime): (start: number, end: number) => number {
  const closed = new Set(st.closed);
  const days = new Map<number, { open: number; close: number } | null>();
  const hoursOf = (midnight: number) => {
    let hours = days.get(midnight);
    if (hours === undefined) {
      const local = new Date(midnight + TZ_OFFSET_MS);
      const date = local.toISOString().slice(0, 10);
      const open = st.days.includes(local.getUTCDay()) && !closed.has(date) && !closed.has(date.slice(5));
      hours = open ? { open: midnight + st.fromMinute * 60_000, close: midnight + st.toMinute * 60_000 } : null;
      days.set(midnight, hours);
    }
    return hours;
  };
  return (start, end) => {
    if (end <= start) return 0;
    let total = 0;
    for (let midnight = localMidnight(start); midnight < end; midnight += DAY_MS) {
      const hours = hoursOf(midnight);
      if (hours) total += Math.max(0, Math.min(end, hours.close) - Math.max(start, hours.open));
    }
    return total;
  };
}
