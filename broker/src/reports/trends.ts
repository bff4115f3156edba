/**
 * The dashboard's trends for a quarter (docs/dashboard.md): kit-hours per week per unit, per kind of
 * equipment (the report's categories: robots, lab benches, classroom equipment) and per district;
 * the share of school time in use; the most and least used kits; the equipment never used in the
 * quarter (candidates to move); faults per week and the time kits took to be repaired.
 *
 * The figures are the quarterly report's, cut by week: the same sessions (a kit's session.end,
 * its end moved by the clock correction, its start = end − duration), each clipped to the week it
 * falls in, so a unit's weeks add up to its report row's kit-hours exactly. Weeks start on Monday
 * 00:00 in Ho Chi Minh City; the first and the last are cut at the quarter's bounds. Share of
 * school time, never-used equipment and repairs come from the report itself (reports/quarterly.ts)
 * and so mean exactly what docs/report-figures.md says. No SQL of its own: the report's reads.
 */
import type { Ledger } from '../ledger/ledger.ts';
import { ReportQueries, type SessionScan } from '../ledger/report-queries.ts';
import type { Unit } from '../registry/fleet.ts';
import type { Category, QuarterlyReport } from './model.ts';
import { categoryOf } from './category.ts';
import { kitKey, readKitCategories } from './kit-room.ts';
import { deviceTypeName } from './labels.ts';
import { DAY_MS, HOUR_MS, localIso, localMidnight, quarterBounds, type Span } from './quarter.ts';
import { quarterlyReport } from './quarterly.ts';

/** How many kits the most and least used lists name. */
export const KIT_RANK = 5;

export interface KitUse {
  unit: string;
  kit: string;
  category: Category;
  usedMs: number;
  sessions: number;
}

export interface Trends {
  quarter: string;
  from: string;
  to: string;
  generatedAt: string;
  /** The weeks, [from, to) local ISO; every `perWeek` array below has one number per week. */
  weeks: Array<{ from: string; to: string }>;
  /** Per registered unit: kit-hours per week (ms), the quarter's total and share of school time, faults and repairs. */
  units: Array<{
    unit: string;
    kind: Unit['kind'];
    district: string;
    perWeek: number[];
    usedMs: number;
    schoolTimeShare: number | null;
    faults: number;
    repairs: number;
    /** Their total duration: the mean time to repair is repairTotalMs / repairs. */
    repairTotalMs: number;
  }>;
  /** Per kind of equipment (the report's category): kit-hours per week (ms), kits and share of school time. */
  categories: Array<{ category: Category; kits: number; perWeek: number[]; usedMs: number; schoolTimeShare: number | null }>;
  /** Per kind of component over every unit (motor, ultrasonic, thermometer...): the report's component rows summed; their own figures, never added to the kits'. */
  componentTypes: Array<{ deviceType: string; /** For people (labels.ts). */ name: { vi: string; en: string }; devices: number; usedMs: number; sessions: number; idle: number; schoolTimeShare: number | null }>;
  /** Per district with units: kit-hours per week (ms). */
  districts: Array<{ district: string; units: number; perWeek: number[]; usedMs: number }>;
  /** Every kit's share of school time in use, over all units (kit rows of the report). */
  schoolTimeShare: number | null;
  kits: { most: KitUse[]; least: KitUse[] };
  /** Devices with no session in the quarter, per unit and category: whole kits first, then components ("kit/component"). */
  neverUsed: Array<{ unit: string; category: Category; kits: string[]; components: string[] }>;
  faults: {
    /** Faults (sessions ended by a breakdown or an unplugged cable) per week, by when the session ended. */
    perWeek: number[];
    total: number;
    repairs: number;
    unrepaired: number;
    /** The report's totals per category: faults, repairs ended in the quarter, their median duration, kits still out. */
    byCategory: Array<{ category: Category; faults: number; repairs: number; repairMedianMs: number | null; unrepaired: number }>;
  };
}

/** The quarter cut into weeks (Monday 00:00 local), the first and last cut at its bounds. */
export function quarterWeeks(span: Span): Span[] {
  const weeks: Span[] = [];
  // Local midnight of the Monday on or before the quarter's first day (1970-01-01 was a Thursday).
  const day = Math.floor((localMidnight(span.from) + 7 * HOUR_MS) / DAY_MS);
  let monday = localMidnight(span.from) - ((day + 3) % 7) * DAY_MS;
  while (monday < span.to) {
    const next = monday + 7 * DAY_MS;
    weeks.push({ from: Math.max(monday, span.from), to: Math.min(next, span.to) });
    monday = next;
  }
  return weeks;
}

const sum = (xs: readonly number[]) => xs.reduce((a, x) => a + x, 0);
const addInto = (into: number[], xs: readonly number[]) => xs.forEach((x, i) => (into[i] = (into[i] ?? 0) + x));
const share = (used: number, possible: number) => (possible > 0 ? used / possible : null);

export interface TrendsOptions {
  units: readonly Unit[];
  /** Generation time (ms); now by default. */
  now?: number;
  /** The report of the quarter, when the caller has it. */
  report?: QuarterlyReport;
  /** Session ends read per page (2,000). */
  sessionPage?: number;
}

export async function quarterTrends(ledger: Ledger, quarter: string, options: TrendsOptions): Promise<Trends> {
  const bounds = quarterBounds(quarter);
  const now = options.now ?? Date.now();
  const report = options.report ?? (await quarterlyReport(ledger, quarter, { units: options.units, now }));
  const weeks = quarterWeeks(bounds);
  const registered = new Map(options.units.map((u) => [u.id, u]));
  const perUnit = new Map<string, number[]>();
  const perCategory = new Map<Category, number[]>();
  const faultsPerWeek = weeks.map(() => 0);
  const kitUse = new Map<string, KitUse>();
  const scan: SessionScan = { from: bounds.from, to: bounds.to, scanTo: bounds.to + 8 * DAY_MS };
  const pageSize = options.sessionPage ?? 2000;

  await ledger.sql.snapshot(async (q) => {
    const reads = new ReportQueries(q);
    await reads.prepare();
    // A kit's sessions count in its category whichever gateway recorded them, as in the report.
    const kitCategory = await readKitCategories(reads, options.units, bounds);
    await reads.eachSessionPage(scan, pageSize, (page) => {
      for (const s of page) {
        // Kits as wholes only (the report's headline), overlapping the quarter (as the report).
        if (s.component !== null || !(s.start < bounds.to && s.end >= bounds.from)) continue;
        const category = kitCategory.get(kitKey(s.unit, s.kit)) ?? categoryOf(s.gateway, registered.get(s.unit)?.kind);
        const series = perUnit.get(s.unit) ?? weeks.map(() => 0);
        perUnit.set(s.unit, series);
        const cat = perCategory.get(category) ?? weeks.map(() => 0);
        perCategory.set(category, cat);
        let used = 0;
        weeks.forEach((w, i) => {
          const ms = Math.max(0, Math.min(s.end, w.to) - Math.max(s.start, w.from));
          series[i]! += ms;
          cat[i]! += ms;
          used += ms;
          if (s.faults > 0 && s.end >= w.from && s.end < w.to) faultsPerWeek[i]! += s.faults;
        });
        const k = `${s.unit}/${s.kit}`;
        const use = kitUse.get(k) ?? { unit: s.unit, kit: s.kit, category, usedMs: 0, sessions: 0 };
        kitUse.set(k, use);
        use.usedMs += used;
        if (s.start >= bounds.from) use.sessions++;
      }
    });
  });

  // Kits the report knows and that had no session: used 0 ms (the least used of all).
  for (const row of report.kits) {
    for (const kit of row.idle) if (!kitUse.has(`${row.unit}/${kit}`)) kitUse.set(`${row.unit}/${kit}`, { unit: row.unit, kit, category: row.category, usedMs: 0, sessions: 0 });
  }
  const byId = (a: KitUse, b: KitUse) => a.unit.localeCompare(b.unit) || a.kit.localeCompare(b.kit);
  const kits = [...kitUse.values()].filter((k) => registered.has(k.unit));
  const most = [...kits].sort((a, b) => b.usedMs - a.usedMs || byId(a, b)).slice(0, KIT_RANK);
  const least = [...kits].sort((a, b) => a.usedMs - b.usedMs || byId(a, b)).slice(0, KIT_RANK);

  const schoolMs = report.schoolHours * HOUR_MS;
  const units = options.units.map((u) => {
    const rows = report.kits.filter((k) => k.unit === u.id);
    const perWeek = perUnit.get(u.id) ?? weeks.map(() => 0);
    const repairs = sum(rows.map((r) => r.repairs));
    return {
      unit: u.id,
      kind: u.kind,
      district: u.district,
      perWeek,
      usedMs: sum(perWeek),
      schoolTimeShare: share(sum(rows.map((r) => r.schoolUsedMs)), schoolMs * sum(rows.map((r) => r.kits))),
      faults: sum(rows.map((r) => r.faults)),
      repairs,
      repairTotalMs: sum(rows.map((r) => r.repairTotalMs)),
    };
  });
  const categories = report.totals.map((total) => {
    const rows = report.kits.filter((k) => k.category === total.category);
    const perWeek = perCategory.get(total.category) ?? weeks.map(() => 0);
    return { category: total.category, kits: total.kits, perWeek, usedMs: sum(perWeek), schoolTimeShare: share(sum(rows.map((r) => r.schoolUsedMs)), schoolMs * total.kits) };
  });
  const types = new Map<string, Trends['componentTypes'][number] & { schoolUsedMs: number }>();
  for (const c of report.components) {
    if (!registered.has(c.unit)) continue;
    const t = types.get(c.deviceType) ?? { deviceType: c.deviceType, name: { vi: deviceTypeName(c.deviceType, 'vi'), en: deviceTypeName(c.deviceType, 'en') }, devices: 0, usedMs: 0, sessions: 0, idle: 0, schoolTimeShare: null, schoolUsedMs: 0 };
    types.set(c.deviceType, t);
    t.devices += c.devices;
    t.usedMs += c.usedMs;
    t.sessions += c.sessions;
    t.idle += c.idle.length;
    t.schoolUsedMs += c.schoolUsedMs;
  }
  const componentTypes = [...types.values()]
    .map(({ schoolUsedMs, ...t }) => ({ ...t, schoolTimeShare: share(schoolUsedMs, schoolMs * t.devices) }))
    .sort((a, b) => b.usedMs - a.usedMs || a.deviceType.localeCompare(b.deviceType));
  const districtSeries = new Map<string, { units: number; perWeek: number[] }>();
  for (const u of units) {
    const d = districtSeries.get(u.district) ?? { units: 0, perWeek: weeks.map(() => 0) };
    districtSeries.set(u.district, d);
    d.units++;
    addInto(d.perWeek, u.perWeek);
  }
  const neverUsed = report.kits
    .map((row) => ({
      unit: row.unit,
      category: row.category,
      kits: row.idle,
      // A component of a kit never used is implied by the kit: listed only when its kit was used.
      components: report.components
        .filter((c) => c.unit === row.unit && c.category === row.category)
        .flatMap((c) => c.idle)
        .filter((d) => !row.idle.includes(d.split('/')[0] ?? ''))
        .sort(),
    }))
    .filter((n) => registered.has(n.unit) && (n.kits.length > 0 || n.components.length > 0));
  const totals = report.totals;
  return {
    quarter,
    from: localIso(bounds.from),
    to: localIso(bounds.to),
    generatedAt: localIso(now),
    weeks: weeks.map((w) => ({ from: localIso(w.from), to: localIso(w.to) })),
    units,
    categories,
    componentTypes,
    districts: [...districtSeries].map(([district, d]) => ({ district, units: d.units, perWeek: d.perWeek, usedMs: sum(d.perWeek) })).sort((a, b) => a.district.localeCompare(b.district)),
    schoolTimeShare: share(sum(report.kits.map((r) => r.schoolUsedMs)), schoolMs * sum(report.kits.map((r) => r.kits))),
    kits: { most, least },
    neverUsed,
    faults: {
      perWeek: faultsPerWeek,
      total: sum(totals.map((t) => t.faults)),
      repairs: sum(totals.map((t) => t.repairs)),
      unrepaired: sum(totals.map((t) => t.unrepaired)),
      byCategory: totals.map((t) => ({ category: t.category, faults: t.faults, repairs: t.repairs, repairMedianMs: t.repairMedianMs, unrepaired: t.unrepaired })),
    },
  };
}
