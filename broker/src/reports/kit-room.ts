/**
 * Which room a kit belongs to, and so its category (category.ts), when more than one gateway has
 * named it (a robot carried from the club to a lab, a kit re-paired): a kit is counted in ONE
 * category, its sessions and its repairs with it, whichever gateway recorded them.
 *
 * The rule (docs/report-figures.md, labels.ts): a kit listed in the registry belongs to the room
 * of the gateway the registry lists for it (its first listing); any other kit to the room of the
 * gateway that named it FIRST before the quarter's end, by the time of its earliest usage event
 * or state change (corrected when it could be); on equal times, the gateway whose id sorts first.
 *
 * It is decided here, over per-gateway first times, never by the order rows come back in: that
 * order is not fixed on PostgreSQL (a hash aggregate's, a parallel scan's), so a rule of "the
 * first row" gave a different report on SQLite and PostgreSQL, or from one run to the next. Ids
 * are compared as JavaScript strings (UTF-16 code units), not by a database's collation.
 */
import type { DeviceEvents, KitStateAtRow, ReportQueries } from '../ledger/report-queries.ts';
import type { Equipment, Unit } from '../registry/fleet.ts';
import { categoryOf } from './category.ts';
import type { Category } from './model.ts';

/** A gateway's earliest record of a kit (any of its devices' usage events, or a state change). */
export interface KitSighting {
  unit: string;
  gateway: string;
  kit: string;
  at: number;
}

/** The key of a unit's kit in kitCategories' map. */
export const kitKey = (unit: string, kit: string) => `${unit}\u0000${kit}`;

/** Whether sighting `a` comes before `b` by the rule: earlier time, then the gateway id. */
function before(a: KitSighting, b: KitSighting): boolean {
  if (a.at !== b.at) return a.at < b.at;
  return a.gateway < b.gateway;
}

/** Every kit's category (keyed by kitKey): the registry's, then the first sighting's, as the rule above says. */
export function kitCategories(units: readonly Unit[], sightings: Iterable<KitSighting>): Map<string, Category> {
  const out = new Map<string, Category>();
  const kinds = new Map(units.map((u) => [u.id, u.kind]));
  for (const u of units) {
    for (const e of u.equipment as Equipment[]) if (!out.has(kitKey(u.id, e.kit))) out.set(kitKey(u.id, e.kit), categoryOf(e.gateway, u.kind));
  }
  const first = new Map<string, KitSighting>();
  for (const s of sightings) {
    const k = kitKey(s.unit, s.kit);
    const seen = first.get(k);
    if (!seen || before(s, seen)) first.set(k, s);
  }
  for (const [k, s] of first) if (!out.has(k)) out.set(k, categoryOf(s.gateway, kinds.get(s.unit)));
  return out;
}

/** The ledger's sightings: each gateway's first usage event of a kit's devices, and its kit states. */
export function ledgerSightings(devices: readonly DeviceEvents[], states: readonly KitStateAtRow[]): KitSighting[] {
  const out: KitSighting[] = [];
  for (const d of devices) if (d.kit !== null) out.push({ unit: d.unit, gateway: d.gateway, kit: d.kit, at: d.firstAt });
  for (const s of states) out.push({ unit: s.unit, gateway: s.gateway, kit: s.kit, at: s.t });
  return out;
}

/** kitCategories for a span, read from the ledger (what the report decides, for readers of its sessions: trends.ts). */
export async function readKitCategories(reads: ReportQueries, units: readonly Unit[], span: { from: number; to: number }): Promise<Map<string, Category>> {
  return kitCategories(units, ledgerSightings(await reads.deviceEvents(span), await reads.kitStateChanges(span.to)));
}
