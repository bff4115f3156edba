/**
 * The quarterly usage report (Plan 2050/KH-SGDDT: units report before 17:00 on 25/3, 25/6, 25/9
 * and 25/12). For each unit and each kind of equipment (the usage events' device type: motor,
 * servo, thermometer... and 'kit' for whole kits) it gives:
 *
 * - hours used: the sum of the durations of that type's sessions, each CLIPPED to the quarter: a
 *   session that crosses the quarter's start or end counts only the part inside it (the rest goes
 *   to the neighbouring quarter), so the hours of consecutive quarters add up exactly;
 * - sessions: sessions that START in the quarter (a session crossing an edge is counted once, in
 *   the quarter it started in), and how many sessions were clipped;
 * - share of school time in use: device-hours in use inside school time / (school hours of the
 *   quarter × the unit's known devices of that type). School time is a parameter (SchoolTime);
 *   the default is Monday–Saturday 07:00–17:00 Asia/Ho_Chi_Minh, closed on the fixed-date public
 *   holidays (1/1, 30/4, 1/5, 2/9). Tết, the Hùng Kings' day (lunar dates) and the summer break
 *   differ by year and school: pass them in `closed` (the default counts July and August as
 *   school time, which is right for summer clubs and understates use for schools that close);
 * - idle equipment: known devices (listed in the registry, or seen in the ledger before the
 *   quarter's end) with no session in the quarter;
 * - faults: the faults of sessions that END in the quarter (a fault ends its session, so that is
 *   when it happened);
 * - repair time, from the kits' state history (ledger/history.ts, availability.ts): a repair runs
 *   from a kit's fault or disconnection to its next `connected`, and counts in the quarter it
 *   ends in, whole. A kit's repairs count for every kind of equipment the kit has at the unit
 *   (its known devices: a broken robot takes its motors and its servo out of service); a kit
 *   with no known device counts as a device of kind 'kit'. Per row: repairs, median and total
 *   hours, and kits still unrepaired at the quarter's end.
 *
 * Per gateway, data completeness: usage events received whose time falls in the quarter, against
 * their seq range (a gateway numbers events 1, 2, 3... so max − min + 1 should have arrived), the
 * sequence gaps touching that range (open = events missing, still on their way or lost; evicted =
 * dropped by the gateway's full outbox and reported). Gaps ADJACENT to the range are included:
 * their events may belong to this quarter, and a report must not claim completeness it cannot
 * show. Gateway uptime: the share of the quarter the gateway was online, from its presence
 * timeline (births, wills, the broker's connects and disconnects), clipped to the quarter, to when
 * the gateway first appeared and to the report's time; the stretches nobody knows about (the
 * central stopped or crashed) are given as unknown hours and count as not online.
 *
 * Time: an event's time is its corrected time (ledger/clock.ts), or its gateway's wall clock when
 * it could not be corrected (counted per gateway as `uncorrected`). A session's end is the
 * session.end event's `endedAt` moved by that event's clock correction; its start is end − durationMs.
 * Quarters and school days are in Asia/Ho_Chi_Minh (UTC+7, no daylight saving).
 *
 * The sums are SQL (one scan of the quarter's session ends through the usage_events_type_time
 * index), the same text on SQLite and PostgreSQL (ledger/sql.ts); only the school-time overlap
 * walks the sessions in TypeScript, a page at a time. Everything is read in one snapshot.
 */
import type { Ledger } from '../ledger/ledger.ts';
import type { Queryable } from '../ledger/sql.ts';
import { DISTRICTS, FLEET } from '../registry/fleet-data.ts';
import type { Equipment, Unit, UnitKind, UnitLevel } from '../registry/fleet.ts';
import { kitRepairs, median, uptime, type KitStateAt } from './availability.ts';

export const TIMEZONE = 'Asia/Ho_Chi_Minh';
/** Vietnam is UTC+7 all year. */
const TZ_OFFSET_MS = 7 * 3_600_000;
const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

export interface SchoolTime {
  /** Days school is open: 0 = Sunday ... 6 = Saturday. */
  days: number[];
  /** Opening and closing, minutes after local midnight (07:00 = 420). */
  fromMinute: number;
  toMinute: number;
  /** Closed days, local dates: 'YYYY-MM-DD' (one day) or 'MM-DD' (every year). */
  closed: string[];
}

export const DEFAULT_SCHOOL_TIME: SchoolTime = {
  days: [1, 2, 3, 4, 5, 6],
  fromMinute: 7 * 60,
  toMinute: 17 * 60,
  closed: ['01-01', '04-30', '05-01', '09-02'],
};

export interface QuarterlyOptions {
  /** The units to report on: the registry's (listUnits on the central's state); the shipped fleet by default. */
  units?: readonly Unit[];
  schoolTime?: SchoolTime;
  /** The report's generation time (ms); now by default. */
  now?: number;
  /** Session ends read per page (2,000); tests use tiny pages to cross many page boundaries. */
  sessionPage?: number;
  /** The longest session the scan looks back for (a session ending up to this long after the quarter may have started in it). 7 days by default. */
  maxSessionMs?: number;
}

export type DataStatus = 'complete' | 'incomplete' | 'no-data';

export interface EquipmentRow {
  unit: string;
  deviceType: string;
  /** Known devices of this type at the unit (registry ∪ seen in the ledger before the quarter's end). */
  devices: number;
  usedMs: number;
  hoursUsed: number;
  sessions: number;
  /** Sessions crossing the quarter's start or end, counted here only for their part inside it. */
  sessionsClipped: number;
  /** Device time in use inside school time; the numerator of schoolTimeShare. */
  schoolUsedMs: number;
  /** 0..1; null when the quarter has no school time. */
  schoolTimeShare: number | null;
  /** Devices ("kit/component", or "kit" for a whole kit) with no session in the quarter. */
  idle: string[];
  faults: number;
  /** Repairs of the kits holding this kind of equipment that ended in the quarter. */
  repairs: number;
  /** Their median and total duration in hours; median null without repairs. */
  repairHoursMedian: number | null;
  repairHoursTotal: number;
  /** Kits holding this kind of equipment out of service (faulty or disconnected) at the quarter's end. */
  unrepaired: number;
}

export interface GatewayCompleteness {
  unit: string;
  gateway: string;
  /** In the registry's list of the unit's gateways. */
  registered: boolean;
  eventsReceived: number;
  seqFrom: number | null;
  seqTo: number | null;
  /** seqTo − seqFrom + 1: what should have arrived. */
  seqExpected: number;
  /** Events missing in gaps touching the range (still on their way, or lost). */
  missing: number;
  /** Events the gateway reported dropping from its outbox. */
  evicted: number;
  openGaps: number;
  /** Events whose time could not be corrected (placed by the gateway's own clock). */
  uncorrected: number;
  lastSeen: string | null;
  onlineNow: boolean | null;
  /** Share (0..1) of the quarter online, from the first appearance to the report's time; null if the gateway had not appeared. */
  uptimeShare: number | null;
  onlineHours: number;
  offlineHours: number;
  /** Time in that window with no presence record (the central stopped or crashed): counted as not online. */
  unknownHours: number;
  status: DataStatus;
}

export interface UnitSummary {
  unit: string;
  registered: boolean;
  kind: UnitKind | null;
  level: UnitLevel | null;
  district: string | null;
  name: { vi: string; en: string } | null;
  status: DataStatus;
}

export interface QuarterlyReport {
  quarter: string;
  timezone: typeof TIMEZONE;
  /** The quarter's bounds, [from, to), ISO 8601 with the +07:00 offset. */
  from: string;
  to: string;
  generatedAt: string;
  deadline: string;
  /** Generated before the deadline. */
  onTime: boolean;
  schoolTime: SchoolTime;
  schoolHours: number;
  completeness: {
    units: number;
    complete: number;
    incomplete: number;
    noData: number;
    gatewaysWithOpenGaps: number;
    gatewaysWithEvictions: number;
    summary: { vi: string; en: string };
  };
  notes: Array<{ vi: string; en: string }>;
  units: UnitSummary[];
  equipment: EquipmentRow[];
  gateways: GatewayCompleteness[];
}

/** The quarter's bounds and deadline, in ms. */
export function quarterBounds(quarter: string): { from: number; to: number; deadline: number } {
  const m = /^(\d{4})Q([1-4])$/.exec(quarter);
  if (!m) throw new Error(`quarter: expected YYYYQn such as 2025Q3, got '${quarter}'`);
  const year = Number(m[1]);
  const q = Number(m[2]);
  return {
    from: Date.UTC(year, (q - 1) * 3, 1) - TZ_OFFSET_MS,
    to: Date.UTC(year, q * 3, 1) - TZ_OFFSET_MS,
    // 17:00 local on the 25th of the quarter's last month.
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

/** Milliseconds of [start, end) inside school time. */
export function schoolOverlapMs(start: number, end: number, st: SchoolTime): number {
  if (end <= start) return 0;
  const closed = new Set(st.closed);
  let total = 0;
  // Local midnights (as UTC instants of the shifted clock) from the start's day to the end's.
  for (let day = Math.floor((start + TZ_OFFSET_MS) / DAY_MS) * DAY_MS; day < end + TZ_OFFSET_MS; day += DAY_MS) {
    const date = new Date(day);
    if (!st.days.includes(date.getUTCDay())) continue;
    const iso = date.toISOString().slice(0, 10);
    if (closed.has(iso) || closed.has(iso.slice(5))) continue;
    const open = day - TZ_OFFSET_MS + st.fromMinute * 60_000;
    const close = day - TZ_OFFSET_MS + st.toMinute * 60_000;
    total += Math.max(0, Math.min(end, close) - Math.max(start, open));
  }
  return total;
}

const deviceKey = (kit: string, component: string | null) => (component === null ? kit : `${kit}/${component}`);
const SESSION_PAGE = 2000;

/** Computes the report, reading the ledger in one consistent snapshot that never blocks the ingest. */
export function quarterlyReport(ledger: Ledger, quarter: string, options: QuarterlyOptions = {}): Promise<QuarterlyReport> {
  const bounds = quarterBounds(quarter);
  return ledger.sql.snapshot((q) => compute(q, quarter, bounds, options));
}

async function compute(q: Queryable, quarter: string, b: { from: number; to: number; deadline: number }, options: QuarterlyOptions): Promise<QuarterlyReport> {
  const st = options.schoolTime ?? DEFAULT_SCHOOL_TIME;
  const now = options.now ?? Date.now();
  const maxSessionMs = options.maxSessionMs ?? 7 * DAY_MS;
  const units = options.units ?? FLEET;
  const scanTo = b.to + maxSessionMs + DAY_MS;
  const d = q.dialect;
  const time = 'COALESCE(corrected_at, at)';

  // Sessions overlapping the quarter: t_end from the end event's endedAt, moved by its clock correction.
  // Parameters: from, scanTo.
  const sessions = `
    WITH s AS (
      SELECT event_id, unit, gateway, kit, component, device_type AS type, t_end - dur AS t_start, t_end, dur, faults
      FROM (
        SELECT event_id, unit, gateway, kit, component, device_type,
               ended_at + (${time} - at) AS t_end, duration_ms AS dur, faults
        FROM usage_events
        WHERE type = 'session.end' AND ${time} >= ? AND ${time} < ?
      ) AS e
    )`;
  // Parameters: to, from.
  const inQuarter = 't_start < ? AND t_end >= ?';

  const sums = await q.query<{ unit: string; type: string; used_ms: number; sessions: number; clipped: number; faults: number }>(
    `${sessions}
    SELECT unit, type,
           SUM(${d.greatest('0', `${d.least('t_end', '?')} - ${d.greatest('t_start', '?')}`)}) AS used_ms,
           SUM(CASE WHEN t_start >= ? THEN 1 ELSE 0 END) AS sessions,
           SUM(CASE WHEN t_start < ? OR t_end > ? THEN 1 ELSE 0 END) AS clipped,
           SUM(CASE WHEN t_end < ? THEN faults ELSE 0 END) AS faults
    FROM s WHERE ${inQuarter} GROUP BY unit, type`,
    [b.from, scanTo, b.to, b.from, b.from, b.from, b.to, b.to, b.to, b.from],
  );

  // School-time overlap, per session, and the devices used in the quarter: the session ends are
  // read a page at a time in the time index's order, each page starting where the last ended
  // (keyset on time, then event id), so the whole walk is one pass over the index, not a scan per page.
  const schoolUsed = new Map<string, number>();
  const used = new Set<string>();
  const pageSize = options.sessionPage ?? SESSION_PAGE;
  type SessionRow = { event_id: string; unit: string; kit: string; component: string | null; type: string; t_at: number; t_start: number; t_end: number };
  for (let lastAt = b.from, lastId = ''; ; ) {
    const page = await q.query<SessionRow>(
      `SELECT event_id, unit, kit, component, type, t_at, t_end - dur AS t_start, t_end FROM (
         SELECT event_id, unit, kit, component, device_type AS type, ${time} AS t_at,
                ended_at + (${time} - at) AS t_end, duration_ms AS dur
         FROM usage_events
         WHERE type = 'session.end' AND ${time} >= ? AND ${time} < ? AND (${time} > ? OR event_id > ?)
         ORDER BY ${time}, event_id LIMIT ?
       ) AS e`,
      [lastAt, scanTo, lastAt, lastId, pageSize],
    );
    for (const r of page) {
      if (!(r.t_start < b.to && r.t_end >= b.from)) continue; // the same test as inQuarter
      const k = `${r.unit}\u0000${r.type}`;
      const ms = schoolOverlapMs(Math.max(r.t_start, b.from), Math.min(r.t_end, b.to), st);
      schoolUsed.set(k, (schoolUsed.get(k) ?? 0) + ms);
      used.add(`${r.unit}\u0000${deviceKey(r.kit, r.component)}`);
    }
    if (page.length < pageSize) break;
    const last = page.at(-1) as SessionRow;
    lastAt = last.t_at;
    lastId = last.event_id;
  }
  // A session that started in the quarter whose end has not arrived: the device was used.
  const openStarts = await q.query<{ unit: string; kit: string; component: string | null }>(
    `SELECT DISTINCT unit, kit, component FROM usage_events WHERE type = 'session.start' AND ${time} >= ? AND ${time} < ?`,
    [b.from, b.to],
  );
  for (const r of openStarts) used.add(`${r.unit}\u0000${deviceKey(r.kit, r.component)}`);

  // Known devices: the registry's equipment and every device the ledger saw before the quarter's end.
  const known = new Map<string, Map<string, Set<string>>>(); // unit -> type -> device keys
  const kitTypes = new Map<string, Set<string>>(); // unit \0 kit -> types of its devices
  const addKnown = (unit: string, type: string, kit: string, component: string | null) => {
    const byType = known.get(unit) ?? new Map<string, Set<string>>();
    known.set(unit, byType);
    const set = byType.get(type) ?? new Set<string>();
    byType.set(type, set);
    set.add(deviceKey(kit, component));
    const k = `${unit}\u0000${kit}`;
    kitTypes.set(k, (kitTypes.get(k) ?? new Set<string>()).add(type));
  };
  for (const u of units) for (const e of u.equipment as Equipment[]) addKnown(u.id, e.type, e.kit, e.component);
  const seen = await q.query<{ unit: string; kit: string; component: string | null; type: string }>(
    `SELECT DISTINCT unit, kit, component, device_type AS type FROM usage_events
     WHERE type IN ('session.start', 'session.end') AND ${time} < ?`,
    [b.to],
  );
  for (const r of seen) addKnown(r.unit, r.type, r.kit, r.component);

  const repairs = await repairsByType(q, b, kitTypes, addKnown);

  const schoolMs = schoolOverlapMs(b.from, b.to, st);
  const sumsBy = new Map(sums.map((r) => [`${r.unit}\u0000${r.type}`, r]));
  const noRepairs = { durations: [] as number[], unrepaired: 0 };
  const equipment: EquipmentRow[] = [];
  const unitIds = new Set([...units.map((u) => u.id), ...known.keys()]);
  for (const unit of [...unitIds].sort()) {
    const byType = known.get(unit);
    if (!byType) continue;
    for (const type of [...byType.keys()].sort()) {
      const devices = [...(byType.get(type) as Set<string>)].sort();
      const k = `${unit}\u0000${type}`;
      const s = sumsBy.get(k);
      const schoolUsedMs = schoolUsed.get(k) ?? 0;
      const usedMs = s?.used_ms ?? 0;
      equipment.push({
        unit,
        deviceType: type,
        devices: devices.length,
        usedMs,
        hoursUsed: usedMs / HOUR_MS,
        sessions: s?.sessions ?? 0,
        sessionsClipped: s?.clipped ?? 0,
        schoolUsedMs,
        schoolTimeShare: schoolMs > 0 ? schoolUsedMs / (schoolMs * devices.length) : null,
        idle: devices.filter((d) => !used.has(`${unit}\u0000${d}`)),
        faults: s?.faults ?? 0,
        ...repairFigures(repairs.get(k) ?? noRepairs),
      });
    }
  }

  const gateways = await completeness(q, units, b, now);
  const unitSummaries: UnitSummary[] = [];
  const registered = new Map(units.map((u) => [u.id, u]));
  const gatewayUnits = new Set(gateways.map((g) => g.unit));
  for (const unit of [...new Set([...registered.keys(), ...known.keys(), ...gatewayUnits])].sort()) {
    const u = registered.get(unit);
    const mine = gateways.filter((g) => g.unit === unit && g.status !== 'no-data');
    const status: DataStatus = mine.length === 0 ? 'no-data' : mine.every((g) => g.status === 'complete') ? 'complete' : 'incomplete';
    unitSummaries.push({
      unit,
      registered: u !== undefined,
      kind: u?.kind ?? null,
      level: u?.level ?? null,
      district: u?.district ?? null,
      name: u?.name ?? null,
      status,
    });
  }

  const count = (s: DataStatus) => unitSummaries.filter((u) => u.status === s).length;
  const c = {
    units: unitSummaries.length,
    complete: count('complete'),
    incomplete: count('incomplete'),
    noData: count('no-data'),
    gatewaysWithOpenGaps: gateways.filter((g) => g.missing > 0).length,
    gatewaysWithEvictions: gateways.filter((g) => g.evicted > 0).length,
  };
  return {
    quarter,
    timezone: TIMEZONE,
    from: localIso(b.from),
    to: localIso(b.to),
    generatedAt: localIso(now),
    deadline: localIso(b.deadline),
    onTime: now <= b.deadline,
    schoolTime: st,
    schoolHours: schoolMs / HOUR_MS,
    completeness: { ...c, summary: summary(c) },
    notes: NOTES,
    units: unitSummaries,
    equipment,
    gateways,
  };
}

/** Per unit and kind of equipment: the durations of repairs ending in the quarter, and kits unrepaired at its end. */
async function repairsByType(
  q: Queryable,
  b: { from: number; to: number },
  kitTypes: Map<string, Set<string>>,
  addKnown: (unit: string, type: string, kit: string, component: string | null) => void,
): Promise<Map<string, { durations: number[]; unrepaired: number }>> {
  const rows = await q.query<{ unit: string; gateway: string; kit: string; state: KitStateAt['state']; t: number }>(
    `SELECT unit, gateway, kit, state, COALESCE(corrected_at, at) AS t FROM kit_state_history
     WHERE COALESCE(corrected_at, at) < ? ORDER BY unit, gateway, kit, t, id`,
    [b.to],
  );
  const byKit = new Map<string, { unit: string; kit: string; changes: KitStateAt[] }>();
  for (const r of rows) {
    const k = `${r.unit}\u0000${r.gateway}\u0000${r.kit}`;
    const entry = byKit.get(k) ?? { unit: r.unit, kit: r.kit, changes: [] };
    byKit.set(k, entry);
    entry.changes.push({ state: r.state, t: r.t });
  }
  const out = new Map<string, { durations: number[]; unrepaired: number }>();
  for (const { unit, kit, changes } of byKit.values()) {
    const types = kitTypes.get(`${unit}\u0000${kit}`);
    if (!types) addKnown(unit, 'kit', kit, null); // a kit known only by its states
    const r = kitRepairs(changes, b.from, b.to);
    for (const type of types ?? ['kit']) {
      const k = `${unit}\u0000${type}`;
      const acc = out.get(k) ?? { durations: [], unrepaired: 0 };
      out.set(k, acc);
      acc.durations.push(...r.durations);
      if (r.unrepaired) acc.unrepaired++;
    }
  }
  return out;
}

function repairFigures(r: { durations: number[]; unrepaired: number }): Pick<EquipmentRow, 'repairs' | 'repairHoursMedian' | 'repairHoursTotal' | 'unrepaired'> {
  const m = median(r.durations);
  return {
    repairs: r.durations.length,
    repairHoursMedian: m === null ? null : m / HOUR_MS,
    repairHoursTotal: r.durations.reduce((a, x) => a + x, 0) / HOUR_MS,
    unrepaired: r.unrepaired,
  };
}

async function completeness(q: Queryable, units: readonly Unit[], b: { from: number; to: number }, now: number): Promise<GatewayCompleteness[]> {
  const received = await q.query<{ unit: string; gateway: string; n: number; lo: number; hi: number; uncorrected: number }>(
    `SELECT unit, gateway, COUNT(*) AS n, MIN(seq) AS lo, MAX(seq) AS hi, SUM(CASE WHEN corrected_at IS NULL THEN 1 ELSE 0 END) AS uncorrected
     FROM usage_events
     WHERE type IN ('session.start', 'session.end', 'outbox.evicted') AND COALESCE(corrected_at, at) >= ? AND COALESCE(corrected_at, at) < ?
     GROUP BY unit, gateway`,
    [b.from, b.to],
  );
  const gapsOf = async (unit: string, gateway: string, hiPlus: number, loMinus: number) =>
    (await q.get<{ missing: number; evicted: number; open: number }>(
      `SELECT COALESCE(SUM(missing), 0) AS missing, COALESCE(SUM(evicted), 0) AS evicted, COALESCE(SUM(CASE WHEN missing > 0 THEN 1 ELSE 0 END), 0) AS open
       FROM seq_gaps WHERE unit = ? AND gateway = ? AND from_seq <= ? AND to_seq >= ?`,
      [unit, gateway, hiPlus, loMinus],
    )) ?? { missing: 0, evicted: 0, open: 0 };
  const presence = new Map(
    (await q.query<{ unit: string; gateway: string; online: number; first_seen: number; last_seen: number }>('SELECT unit, gateway, online, first_seen, last_seen FROM gateways')).map(
      (g) => [`${g.unit}/${g.gateway}`, g],
    ),
  );
  const intervals = new Map<string, Array<{ online: boolean; from: number; to: number | null }>>();
  for (const r of await q.query<{ unit: string; gateway: string; online: number; from_at: number; to_at: number | null }>(
    'SELECT unit, gateway, online, from_at, to_at FROM gateway_presence WHERE from_at < ? AND (to_at IS NULL OR to_at > ?) ORDER BY unit, gateway, from_at',
    [b.to, b.from],
  )) {
    const key = `${r.unit}/${r.gateway}`;
    intervals.set(key, [...(intervals.get(key) ?? []), { online: r.online === 1, from: r.from_at, to: r.to_at }]);
  }
  const recv = new Map(received.map((r) => [`${r.unit}/${r.gateway}`, r]));
  const expected = new Set(units.flatMap((u) => u.gateways.map((g) => `${u.id}/${g}`)));
  const keys = [...new Set([...expected, ...recv.keys()])].sort();
  const out: GatewayCompleteness[] = [];
  for (const key of keys) {
    const [unit, gateway] = key.split('/') as [string, string];
    const r = recv.get(key);
    const p = presence.get(key);
    // Gaps touching [lo, hi], adjacent ones included (see the module comment).
    const g = r ? await gapsOf(unit, gateway, r.hi + 1, r.lo - 1) : { missing: 0, evicted: 0, open: 0 };
    const up = p ? uptime(intervals.get(key) ?? [], b.from, b.to, p.first_seen, now) : undefined;
    out.push({
      unit,
      gateway,
      registered: expected.has(key),
      eventsReceived: r?.n ?? 0,
      seqFrom: r?.lo ?? null,
      seqTo: r?.hi ?? null,
      seqExpected: r ? r.hi - r.lo + 1 : 0,
      missing: g.missing,
      evicted: g.evicted,
      openGaps: g.open,
      uncorrected: r?.uncorrected ?? 0,
      lastSeen: p ? localIso(p.last_seen) : null,
      onlineNow: p ? p.online === 1 : null,
      uptimeShare: up?.share ?? null,
      onlineHours: (up?.onlineMs ?? 0) / HOUR_MS,
      offlineHours: (up?.offlineMs ?? 0) / HOUR_MS,
      unknownHours: (up?.unknownMs ?? 0) / HOUR_MS,
      status: !r ? 'no-data' : g.missing === 0 && g.evicted === 0 && r.n === r.hi - r.lo + 1 ? 'complete' : 'incomplete',
    });
  }
  return out;
}

function summary(c: { units: number; complete: number; noData: number; gatewaysWithOpenGaps: number; gatewaysWithEvictions: number }): { vi: string; en: string } {
  const en = [`data complete for ${c.complete} of ${c.units} units`];
  const vi = [`dữ liệu đầy đủ cho ${c.complete}/${c.units} đơn vị`];
  en.push(`${c.gatewaysWithOpenGaps} gateway${c.gatewaysWithOpenGaps === 1 ? ' has' : 's have'} open gaps`);
  vi.push(`${c.gatewaysWithOpenGaps} gateway có khoảng trống chưa đóng`);
  if (c.gatewaysWithEvictions > 0) {
    en.push(`${c.gatewaysWithEvictions} gateway${c.gatewaysWithEvictions === 1 ? '' : 's'} reported evicted events`);
    vi.push(`${c.gatewaysWithEvictions} gateway báo đã loại bỏ sự kiện`);
  }
  if (c.noData > 0) {
    en.push(`${c.noData} unit${c.noData === 1 ? '' : 's'} sent no data`);
    vi.push(`${c.noData} đơn vị không gửi dữ liệu`);
  }
  return { vi: vi.join('; '), en: en.join('; ') };
}

const NOTES: Array<{ vi: string; en: string }> = [
  {
    en: 'Hours are clipped to the quarter; sessions are counted in the quarter they started in; faults in the quarter their session ended in.',
    vi: 'Số giờ được cắt theo quý; số phiên tính vào quý phiên bắt đầu; số lỗi tính vào quý phiên kết thúc.',
  },
  {
    en: "Repair time: from a kit's fault or disconnection to its next connection, counted in the quarter the repair ended in, for every kind of equipment the kit holds.",
    vi: 'Thời gian sửa chữa: từ khi bộ kit bị lỗi hoặc mất kết nối đến khi kết nối lại, tính vào quý kết thúc sửa chữa, cho mọi loại thiết bị của bộ kit.',
  },
  {
    en: 'Gateway uptime: share of the quarter online, from the gateway’s first appearance to the report’s time; time with no record (the central was stopped) is given as unknown and counts as not online.',
    vi: 'Thời gian hoạt động của gateway: tỷ lệ thời gian trực tuyến trong quý, từ lần xuất hiện đầu tiên đến lúc lập báo cáo; thời gian không có dữ liệu (máy chủ trung tâm dừng) ghi là không rõ và không tính là trực tuyến.',
  },
];

// ---------------------------------------------------------------------------------------------
// Output: JSON and CSV, headers in Vietnamese or English.

export type Lang = 'vi' | 'en';

/** Every column name of the CSV, in both languages. */
export const COLUMNS = {
  unit: { vi: 'Mã đơn vị', en: 'Unit' },
  school: { vi: 'Tên trường', en: 'School' },
  district: { vi: 'Quận/Huyện', en: 'District' },
  kind: { vi: 'Loại đơn vị', en: 'Kind' },
  level: { vi: 'Cấp học', en: 'Level' },
  deviceType: { vi: 'Loại thiết bị', en: 'Equipment type' },
  devices: { vi: 'Số thiết bị', en: 'Devices' },
  hoursUsed: { vi: 'Số giờ sử dụng', en: 'Hours used' },
  sessions: { vi: 'Số phiên', en: 'Sessions' },
  sessionsClipped: { vi: 'Số phiên vắt qua đầu/cuối quý', en: 'Sessions crossing the quarter edge' },
  schoolTimeShare: { vi: 'Tỷ lệ thời gian học sử dụng (%)', en: 'Share of school time in use (%)' },
  idleCount: { vi: 'Số thiết bị không sử dụng', en: 'Idle devices' },
  idle: { vi: 'Thiết bị không sử dụng', en: 'Idle equipment' },
  faults: { vi: 'Số lỗi', en: 'Faults' },
  repairs: { vi: 'Số lần sửa chữa', en: 'Repairs' },
  repairHoursMedian: { vi: 'Thời gian sửa chữa trung vị (giờ)', en: 'Median repair time (h)' },
  repairHoursTotal: { vi: 'Tổng thời gian sửa chữa (giờ)', en: 'Total repair time (h)' },
  unrepaired: { vi: 'Chưa sửa xong cuối quý', en: 'Unrepaired at quarter end' },
  dataStatus: { vi: 'Độ đầy đủ dữ liệu', en: 'Data completeness' },
  gateway: { vi: 'Gateway', en: 'Gateway' },
  eventsReceived: { vi: 'Số sự kiện nhận được', en: 'Events received' },
  seqFrom: { vi: 'Số thứ tự từ', en: 'Seq from' },
  seqTo: { vi: 'Số thứ tự đến', en: 'Seq to' },
  seqExpected: { vi: 'Số sự kiện theo dãy số', en: 'Events by seq range' },
  missing: { vi: 'Sự kiện còn thiếu', en: 'Missing events' },
  evicted: { vi: 'Sự kiện bị loại bỏ', en: 'Evicted events' },
  openGaps: { vi: 'Khoảng trống chưa đóng', en: 'Open gaps' },
  uncorrected: { vi: 'Sự kiện chưa hiệu chỉnh giờ', en: 'Events with uncorrected time' },
  lastSeen: { vi: 'Lần cuối kết nối', en: 'Last seen' },
  onlineNow: { vi: 'Đang trực tuyến', en: 'Online now' },
  uptime: { vi: 'Thời gian hoạt động (%)', en: 'Uptime (%)' },
  unknownHours: { vi: 'Thời gian không rõ trạng thái (giờ)', en: 'Unknown time (h)' },
  quarter: { vi: 'Quý', en: 'Quarter' },
  period: { vi: 'Thời kỳ', en: 'Period' },
  generatedAt: { vi: 'Thời điểm lập', en: 'Generated at' },
  deadline: { vi: 'Hạn nộp', en: 'Deadline' },
  schoolHours: { vi: 'Số giờ học trong quý', en: 'School hours in the quarter' },
  completeness: { vi: 'Độ đầy đủ', en: 'Completeness' },
  note: { vi: 'Ghi chú', en: 'Note' },
} as const satisfies Record<string, Record<Lang, string>>;

export const LABELS = {
  'robot-club': { vi: 'CLB robot STEM', en: 'STEM robot club' },
  'lab-centre': { vi: 'Trung tâm thực hành', en: 'Lab centre' },
  'smart-classroom': { vi: 'Lớp học thông minh', en: 'Smart classroom' },
  primary: { vi: 'Tiểu học', en: 'Primary' },
  'lower-secondary': { vi: 'THCS', en: 'Lower secondary' },
  'upper-secondary': { vi: 'THPT', en: 'Upper secondary' },
  complete: { vi: 'Đầy đủ', en: 'Complete' },
  incomplete: { vi: 'Chưa đầy đủ', en: 'Incomplete' },
  'no-data': { vi: 'Không có dữ liệu', en: 'No data' },
  'not-available': { vi: 'Chưa có', en: 'n/a' },
  yes: { vi: 'Có', en: 'Yes' },
  no: { vi: 'Không', en: 'No' },
  unregistered: { vi: '(chưa đăng ký)', en: '(not registered)' },
} as const satisfies Record<string, Record<Lang, string>>;

export function toJson(report: QuarterlyReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

export type Cell = string | number | null;

/** RFC 4180 quoting; text that a spreadsheet would run as a formula is prefixed with '. */
function cell(v: Cell): string {
  if (v === null) return '';
  if (typeof v === 'number') return String(v);
  const text = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

const round = (x: number, digits: number) => Number(x.toFixed(digits));

/** A gateway's line of the report, as the CSV and the XLSX both write it; `fraction` shows hours and shares (rounded in CSV, exact in XLSX). */
export const GATEWAY_LINE = ['unit', 'gateway', 'eventsReceived', 'seqFrom', 'seqTo', 'seqExpected', 'missing', 'evicted', 'openGaps', 'uncorrected', 'lastSeen', 'onlineNow', 'uptime', 'unknownHours', 'dataStatus'] as const;
export function gatewayCells(g: GatewayCompleteness, lang: Lang, fraction: (x: number) => number): Cell[] {
  const l = (k: keyof typeof LABELS) => LABELS[k][lang];
  return [
    g.unit,
    g.gateway,
    g.eventsReceived,
    g.seqFrom,
    g.seqTo,
    g.seqExpected,
    g.missing,
    g.evicted,
    g.openGaps,
    g.uncorrected,
    g.lastSeen,
    g.onlineNow === null ? null : l(g.onlineNow ? 'yes' : 'no'),
    g.uptimeShare === null ? l('not-available') : fraction(g.uptimeShare * 100),
    fraction(g.unknownHours),
    l(g.status),
  ];
}

/**
 * The report as CSV: a header block (quarter, period, generated at, deadline, completeness,
 * notes), then the equipment table, then the gateways' completeness table, separated by blank
 * lines. CRLF line ends and a UTF-8 BOM (unless `bom: false`) so spreadsheet software reads the
 * Vietnamese text right. Numbers use '.' as the decimal separator.
 */
export function toCsv(report: QuarterlyReport, lang: Lang, options: { bom?: boolean } = {}): string {
  const h = (k: keyof typeof COLUMNS) => COLUMNS[k][lang];
  const l = (k: keyof typeof LABELS) => LABELS[k][lang];
  const district = (id: string | null) => {
    const d = DISTRICTS.find((x) => x.id === id);
    return d ? d[lang] : id;
  };
  const units = new Map(report.units.map((u) => [u.unit, u]));
  const lines: Cell[][] = [
    [h('quarter'), report.quarter],
    [h('period'), `${report.from} – ${report.to}`],
    [h('generatedAt'), report.generatedAt],
    [h('deadline'), report.deadline],
    [h('schoolHours'), round(report.schoolHours, 2)],
    [h('completeness'), report.completeness.summary[lang]],
    ...report.notes.map((n): Cell[] => [h('note'), n[lang]]),
    [],
    (['unit', 'school', 'district', 'kind', 'level', 'deviceType', 'devices', 'hoursUsed', 'sessions', 'sessionsClipped', 'schoolTimeShare', 'idleCount', 'idle', 'faults', 'repairs', 'repairHoursMedian', 'repairHoursTotal', 'unrepaired', 'dataStatus'] as const).map(h),
  ];
  const unitCells = (id: string): Cell[] => {
    const u = units.get(id);
    return [id, u?.name ? u.name[lang] : l('unregistered'), district(u?.district ?? null), u?.kind ? l(u.kind) : null, u?.level ? l(u.level) : null];
  };
  const rowsByUnit = new Map<string, EquipmentRow[]>();
  for (const r of report.equipment) rowsByUnit.set(r.unit, [...(rowsByUnit.get(r.unit) ?? []), r]);
  for (const u of report.units) {
    const rows = rowsByUnit.get(u.unit) ?? [];
    // A unit with no known equipment still gets its line: the department sees every unit.
    if (rows.length === 0) lines.push([...unitCells(u.unit), null, 0, 0, 0, 0, null, 0, null, 0, 0, null, 0, 0, l(u.status)]);
    for (const r of rows) {
      lines.push([
        ...unitCells(u.unit),
        r.deviceType,
        r.devices,
        round(r.hoursUsed, 2),
        r.sessions,
        r.sessionsClipped,
        r.schoolTimeShare === null ? null : round(r.schoolTimeShare * 100, 2),
        r.idle.length,
        r.idle.join(' '),
        r.faults,
        r.repairs,
        r.repairHoursMedian === null ? null : round(r.repairHoursMedian, 2),
        round(r.repairHoursTotal, 2),
        r.unrepaired,
        l(u.status),
      ]);
    }
  }
  lines.push([]);
  lines.push(GATEWAY_LINE.map(h));
  for (const g of report.gateways) lines.push(gatewayCells(g, lang, (x) => round(x, 2)));
  const text = lines.map((r) => r.map(cell).join(',')).join('\r\n') + '\r\n';
  return (options.bom ?? true) ? `\uFEFF${text}` : text;
}
