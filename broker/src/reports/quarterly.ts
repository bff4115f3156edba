/**
 * The quarterly usage report (Plan 2050/KH-SGDDT: units report before 17:00 on 25/3, 25/6, 25/9
 * and 25/12). Each figure is defined for people in labels.ts (DEFINITIONS: the report's cover,
 * docs/report-figures.md); how it is computed:
 *
 * - kits and components: the usage events name a device, a kit's component (type motor,
 *   thermometer...) or the kit as a whole (type 'kit': the agent opens a kit's session with its
 *   first component's and ends it with its last, so a kit session is the kit in use without a
 *   pause longer than the agent's usage.idleMs). The KIT rows (per unit and category: robots,
 *   lab, classroom, told by the gateway: category.ts) are the headline; the COMPONENT rows (per
 *   unit, category and type) are their own table and are never added to the kits'. A kit named
 *   by several gateways counts, with all its sessions and repairs, in one category: the
 *   registry's gateway for it, else the one that named it first (kit-room.ts);
 * - hours used: the sum of the sessions' durations, each CLIPPED to the quarter: a session that
 *   crosses the quarter's start or end counts only the part inside it (the rest goes to the
 *   neighbouring quarter), so the hours of consecutive quarters add up exactly;
 * - sessions: sessions that START in the quarter (a session crossing an edge is counted once, in
 *   the quarter it started in), and how many sessions were clipped;
 * - share of school time in use: time in use inside school time / (school hours of the quarter ×
 *   the unit's known devices of that row). School time: quarter.ts (SchoolTime);
 * - idle: known devices (listed in the registry, or seen in the ledger before the quarter's end;
 *   a component makes its kit known) with no session in the quarter (a kit is used when any of
 *   its devices is);
 * - faults (breakdowns): the faults of sessions that END in the quarter (a fault ends its
 *   session, so that is when it happened);
 * - repair time, on the kit rows, from the kits' state history (ledger/history.ts,
 *   availability.ts): a repair runs from a kit's fault or disconnection to its next `connected`,
 *   and counts in the quarter it ends in, whole; a kit known only by its states is a known kit.
 *   Per row: repairs, median and total (ms), and kits still unrepaired at the quarter's end;
 * - the totals per category (totals.ts): sums of the kit rows; the median over all their repairs;
 * - per unit: its data status (below) and the sums of its kit rows.
 *
 * Per gateway, data completeness: usage events received whose time falls in the quarter, against
 * their seq range (a gateway numbers events 1, 2, 3... so max − min + 1 should have arrived), the
 * sequence gaps touching that range (open = events missing, still on their way or lost; evicted =
 * dropped by the gateway's full outbox and reported). Gaps ADJACENT to the range are included:
 * their events may belong to this quarter, and a report must not claim completeness it cannot
 * show. Gateway uptime: the share of the quarter the gateway was online, from its presence
 * timeline (births, wills, the broker's connects and disconnects), clipped to the quarter, to when
 * the gateway first appeared and to the report's time; the stretches nobody knows about (the
 * central stopped or crashed) are given as unknown hours and count as not online. A gateway
 * with no usage event in the quarter that was online in it is complete (it recorded no use),
 * unless events are still missing; one never online in it has no data.
 *
 * Time: an event's time is its corrected time (ledger/clock.ts), or its gateway's wall clock when
 * it could not be corrected (counted per gateway as `uncorrected`). A session's end is the
 * session.end event's `endedAt` moved by that event's clock correction; its start is end − durationMs.
 * Quarters and school days are in Asia/Ho_Chi_Minh (UTC+7, no daylight saving).
 *
 * Where each part lives: quarters and school time in quarter.ts; the ledger reads in
 * ledger/report-queries.ts (one walk of the quarter's session ends through the
 * usage_events_type_time index, a page at a time, the same text on SQLite and PostgreSQL; the
 * sums and the school-time overlap are added up in TypeScript as it goes; one GROUP BY over the
 * events before the quarter's end for the devices known and each gateway's counts); the equipment rows in
 * equipment.ts; completeness and uptime in completeness.ts; the words in labels.ts; the tables
 * for CSV and XLSX in table.ts, csv.ts and xlsx.ts. Everything is read in one snapshot.
 */
import type { Ledger } from '../ledger/ledger.ts';
import { perGateway, ReportQueries } from '../ledger/report-queries.ts';
import { FLEET } from '../registry/fleet-data.ts';
import type { Unit } from '../registry/fleet.ts';
import { gatewayCompleteness, unitSummaries } from './completeness.ts';
import { equipmentRows } from './equipment.ts';
import { completenessSummary, DEFINITIONS } from './labels.ts';
import type { DataStatus, QuarterlyReport } from './model.ts';
import { categoryTotals } from './totals.ts';
import { DAY_MS, DEFAULT_SCHOOL_TIME, HOUR_MS, localIso, quarterBounds, schoolOverlapMs, TIMEZONE, type SchoolTime } from './quarter.ts';

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

/** Computes the report, reading the ledger in one consistent snapshot that never blocks the ingest. */
export function quarterlyReport(ledger: Ledger, quarter: string, options: QuarterlyOptions = {}): Promise<QuarterlyReport> {
  const bounds = quarterBounds(quarter);
  const schoolTime = options.schoolTime ?? DEFAULT_SCHOOL_TIME;
  const now = options.now ?? Date.now();
  const units = options.units ?? FLEET;
  const scan = { from: bounds.from, to: bounds.to, scanTo: bounds.to + (options.maxSessionMs ?? 7 * DAY_MS) + DAY_MS };

  return ledger.sql.snapshot(async (q): Promise<QuarterlyReport> => {
    const reads = new ReportQueries(q);
    await reads.prepare();
    // One pass over the events before the quarter's end: the devices, and the gateways' counts.
    const devices = await reads.deviceEvents(bounds);
    const { kits, components, repairDurations } = await equipmentRows(reads, { scan, units, schoolTime, sessionPage: options.sessionPage ?? 2000, devices });
    const gateways = await gatewayCompleteness(reads, perGateway(devices), units, bounds, now);
    const unitLines = unitSummaries(units, kits, gateways);
    const count = (s: DataStatus) => unitLines.filter((u) => u.status === s).length;
    const counts = {
      units: unitLines.length,
      complete: count('complete'),
      incomplete: count('incomplete'),
      noData: count('no-data'),
      gatewaysWithOpenGaps: gateways.filter((g) => g.missing > 0).length,
      gatewaysWithEvictions: gateways.filter((g) => g.evicted > 0).length,
    };
    return {
      quarter,
      timezone: TIMEZONE,
      from: localIso(bounds.from),
      to: localIso(bounds.to),
      generatedAt: localIso(now),
      deadline: localIso(bounds.deadline),
      onTime: now <= bounds.deadline,
      schoolTime,
      schoolHours: schoolOverlapMs(bounds.from, bounds.to, schoolTime) / HOUR_MS,
      completeness: { ...counts, summary: completenessSummary(counts) },
      definitions: DEFINITIONS,
      totals: categoryTotals(kits, repairDurations),
      units: unitLines,
      kits,
      components,
      gateways,
    };
  });
}
