/**
 * The true trends of a planned quarter, as the dashboard's trends define them (docs/dashboard.md),
 * computed from what the plan says happened, never from the ledger: per gateway's unit the kits'
 * time in use per week (Monday 00:00 in Ho Chi Minh City, the first and last week cut at the
 * quarter's bounds; each session clipped to each week), per category and per district; each kit's
 * time in use over the quarter (the most and least used); the kits and components never used;
 * faults per week (by when the faulty session ended) and the repairs that ended in the quarter.
 * broker/test/trends.test.ts and the dashboard's browser test compare the central with it.
 */
import type { FleetPlan } from './model.ts';

const DAY = 86_400_000;
const TZ = 7 * 3_600_000;

export interface TrendTruth {
  /** Week starts (ms), the first being the quarter's start; the last week ends at the quarter's end. */
  weeks: number[];
  units: Record<string, number[]>;
  categories: Record<string, number[]>;
  districts: Record<string, number[]>;
  /** `unit/kit` → ms used in the quarter (every kit of the plan, 0 when never used). */
  kits: Record<string, number>;
  /** `unit` → kits never used, and components never used on kits that were. */
  neverUsed: Record<string, { kits: string[]; components: string[] }>;
  faultsPerWeek: number[];
  faults: number;
  repairs: number;
}

/** Monday-based weeks of [from, to), local time. */
export function trueWeeks(from: number, to: number): Array<{ from: number; to: number }> {
  const localDay = Math.floor((from + TZ) / DAY);
  // 1970-01-01 was a Thursday: local day d is a Monday when (d + 3) % 7 === 0.
  let monday = (localDay - ((localDay + 3) % 7)) * DAY - TZ;
  const out: Array<{ from: number; to: number }> = [];
  for (; monday < to; monday += 7 * DAY) out.push({ from: Math.max(monday, from), to: Math.min(monday + 7 * DAY, to) });
  return out;
}

/** `districtOf` names each unit's district (the registry's). */
export function trendTruth(plan: FleetPlan, districtOf: (unit: string) => string): TrendTruth {
  const weeks = trueWeeks(plan.from, plan.to);
  const zero = () => weeks.map(() => 0);
  const truth: TrendTruth = { weeks: weeks.map((w) => w.from), units: {}, categories: {}, districts: {}, kits: {}, neverUsed: {}, faultsPerWeek: zero(), faults: 0, repairs: 0 };
  for (const g of plan.gateways) {
    const { unit, category } = g.spec;
    const series = (truth.units[unit] ??= zero());
    const cat = (truth.categories[category] ??= zero());
    const district = (truth.districts[districtOf(unit)] ??= zero());
    for (const k of g.spec.kits) truth.kits[`${unit}/${k.id}`] ??= 0;
    const usedDevices = new Set<string>();
    for (const s of g.sessions) {
      if (s.start >= plan.to || s.end < plan.from) continue;
      usedDevices.add(s.device.component === null ? s.device.kit : `${s.device.kit}/${s.device.component}`);
      usedDevices.add(s.device.kit);
      if (s.device.component !== null) continue;
      weeks.forEach((w, i) => {
        const ms = Math.max(0, Math.min(s.end, w.to) - Math.max(s.start, w.from));
        series[i]! += ms;
        cat[i]! += ms;
        district[i]! += ms;
        truth.kits[`${unit}/${s.device.kit}`]! += ms;
        if (s.fault && s.end >= w.from && s.end < w.to) truth.faultsPerWeek[i]!++;
      });
      if (s.fault && s.end < plan.to) truth.faults++;
    }
    const idleKits = g.spec.kits.map((k) => k.id).filter((k) => !usedDevices.has(k)).sort();
    const idleComponents = g.spec.kits
      .filter((k) => usedDevices.has(k.id))
      .flatMap((k) => k.components.map((c) => `${k.id}/${c.id}`))
      .filter((d) => !usedDevices.has(d))
      .sort();
    if (idleKits.length || idleComponents.length) truth.neverUsed[unit] = { kits: idleKits, components: idleComponents };
    truth.repairs += g.repairs.filter((r) => r.end !== null && r.end >= plan.from && r.end < plan.to).length;
  }
  return truth;
}
