/** The report's headline: per category (robots, lab, classroom), the kits' figures over every unit. */
import { median } from './availability.ts';
import { CATEGORIES } from './category.ts';
import type { Category, CategoryTotals, KitRow } from './model.ts';
import { HOUR_MS } from './quarter.ts';

/**
 * Sums of the kit rows (never the component rows: they are parts of the kits); the median repair
 * time is over every repair of the category (`repairDurations`, ms), not a median of medians.
 */
export function categoryTotals(kits: readonly KitRow[], repairDurations: ReadonlyMap<Category, number[]>): CategoryTotals[] {
  return CATEGORIES.flatMap((category) => {
    const rows = kits.filter((k) => k.category === category);
    if (rows.length === 0) return [];
    const sum = (f: (k: KitRow) => number) => rows.reduce((a, k) => a + f(k), 0);
    const usedMs = sum((k) => k.usedMs);
    return [
      {
        category,
        units: new Set(rows.map((k) => k.unit)).size,
        kits: sum((k) => k.kits),
        usedMs,
        hoursUsed: usedMs / HOUR_MS,
        sessions: sum((k) => k.sessions),
        faults: sum((k) => k.faults),
        repairs: sum((k) => k.repairs),
        repairMedianMs: median(repairDurations.get(category) ?? []),
        unrepaired: sum((k) => k.unrepaired),
        idleKits: sum((k) => k.idle.length),
      },
    ];
  });
}
