/**
 * The report's equipment rows: per unit and kind of equipment (the usage events' device type:
 * motor, servo, thermometer... and 'kit' for whole kits), from the ledger's sessions and kit
 * states (the rules are in quarterly.ts's comment).
 */
import type { ReportQueries, SessionScan } from '../ledger/report-queries.ts';
import type { Equipment, Unit } from '../registry/fleet.ts';
import { kitRepairs, median, type KitStateAt } from './availability.ts';
import type { EquipmentRow } from './model.ts';
import { HOUR_MS, schoolOverlapMs, type SchoolTime } from './quarter.ts';

/** `unit\0type`, `unit\0device`...: composite map keys. */
const key = (...parts: string[]) => parts.join('\u0000');
/** A device as the report names it: `kit/component`, or `kit` for the whole kit. */
const deviceName = (kit: string, component: string | null) => (component === null ? kit : `${kit}/${component}`);

/** The devices each unit is known to have, by kind, and the kinds each kit holds. */
class KnownDevices {
  /** unit → type → device names */
  readonly byUnit = new Map<string, Map<string, Set<string>>>();
  /** unit\0kit → the types of its devices */
  readonly kitTypes = new Map<string, Set<string>>();

  add(unit: string, type: string, kit: string, component: string | null): void {
    const byType = this.byUnit.get(unit) ?? new Map<string, Set<string>>();
    this.byUnit.set(unit, byType);
    const devices = byType.get(type) ?? new Set<string>();
    byType.set(type, devices);
    devices.add(deviceName(kit, component));
    const k = key(unit, kit);
    this.kitTypes.set(k, (this.kitTypes.get(k) ?? new Set<string>()).add(type));
  }
}

/** What the session walk learns: time in school hours per unit and type, and the devices used. */
interface SessionWalk {
  schoolUsedMs: Map<string, number>;
  used: Set<string>;
}

/** Walks the sessions overlapping the span a page at a time (see ReportQueries.sessionPage). */
async function walkSessions(reads: ReportQueries, scan: SessionScan, schoolTime: SchoolTime, pageSize: number): Promise<SessionWalk> {
  const walk: SessionWalk = { schoolUsedMs: new Map(), used: new Set() };
  for (let after = { at: scan.from, eventId: '' }; ; ) {
    const page = await reads.sessionPage(scan, after, pageSize);
    for (const s of page) {
      if (!(s.start < scan.to && s.end >= scan.from)) continue; // overlaps the span (as usageTotals)
      const k = key(s.unit, s.deviceType);
      const inSchool = schoolOverlapMs(Math.max(s.start, scan.from), Math.min(s.end, scan.to), schoolTime);
      walk.schoolUsedMs.set(k, (walk.schoolUsedMs.get(k) ?? 0) + inSchool);
      walk.used.add(key(s.unit, deviceName(s.kit, s.component)));
    }
    if (page.length < pageSize) break;
    const last = page.at(-1) as (typeof page)[number];
    after = { at: last.at, eventId: last.eventId };
  }
  return walk;
}

interface Repairs {
  durations: number[];
  unrepaired: number;
}

/**
 * Per unit and kind of equipment: the repairs that ended in the span, and kits unrepaired at its
 * end. A kit's repairs count for every kind of equipment it has; a kit known only by its states
 * becomes a device of kind 'kit'.
 */
async function repairsByType(reads: ReportQueries, span: { from: number; to: number }, known: KnownDevices): Promise<Map<string, Repairs>> {
  const byKit = new Map<string, { unit: string; kit: string; changes: KitStateAt[] }>();
  for (const r of await reads.kitStateChanges(span.to)) {
    const k = key(r.unit, r.gateway, r.kit);
    const entry = byKit.get(k) ?? { unit: r.unit, kit: r.kit, changes: [] };
    byKit.set(k, entry);
    entry.changes.push({ state: r.state, t: r.t });
  }
  const out = new Map<string, Repairs>();
  for (const { unit, kit, changes } of byKit.values()) {
    const types = known.kitTypes.get(key(unit, kit));
    if (!types) known.add(unit, 'kit', kit, null);
    const r = kitRepairs(changes, span.from, span.to);
    for (const type of types ?? ['kit']) {
      const k = key(unit, type);
      const acc = out.get(k) ?? { durations: [], unrepaired: 0 };
      out.set(k, acc);
      acc.durations.push(...r.durations);
      if (r.unrepaired) acc.unrepaired++;
    }
  }
  return out;
}

function repairFigures(r: Repairs): Pick<EquipmentRow, 'repairs' | 'repairHoursMedian' | 'repairHoursTotal' | 'unrepaired'> {
  const m = median(r.durations);
  return {
    repairs: r.durations.length,
    repairHoursMedian: m === null ? null : m / HOUR_MS,
    repairHoursTotal: r.durations.reduce((a, x) => a + x, 0) / HOUR_MS,
    unrepaired: r.unrepaired,
  };
}

export interface EquipmentInputs {
  scan: SessionScan;
  units: readonly Unit[];
  schoolTime: SchoolTime;
  sessionPage: number;
}

/** The equipment rows, sorted by unit then kind, and the units that have any known device. */
export async function equipmentRows(reads: ReportQueries, { scan, units, schoolTime, sessionPage }: EquipmentInputs): Promise<{ rows: EquipmentRow[]; unitsWithDevices: Set<string> }> {
  const totals = new Map((await reads.usageTotals(scan)).map((t) => [key(t.unit, t.deviceType), t]));
  const walk = await walkSessions(reads, scan, schoolTime, sessionPage);
  for (const d of await reads.openSessionDevices(scan)) walk.used.add(key(d.unit, deviceName(d.kit, d.component)));

  // Known devices: the registry's equipment and every device the ledger saw before the span's end.
  const known = new KnownDevices();
  for (const u of units) for (const e of u.equipment as Equipment[]) known.add(u.id, e.type, e.kit, e.component);
  for (const d of await reads.devicesSeen(scan.to)) known.add(d.unit, d.deviceType, d.kit, d.component);
  const repairs = await repairsByType(reads, scan, known);

  const schoolMs = schoolOverlapMs(scan.from, scan.to, schoolTime);
  const rows: EquipmentRow[] = [];
  for (const unit of [...known.byUnit.keys()].sort()) {
    const byType = known.byUnit.get(unit) as Map<string, Set<string>>;
    for (const type of [...byType.keys()].sort()) {
      const devices = [...(byType.get(type) as Set<string>)].sort();
      const k = key(unit, type);
      const t = totals.get(k);
      const schoolUsedMs = walk.schoolUsedMs.get(k) ?? 0;
      const usedMs = t?.usedMs ?? 0;
      rows.push({
        unit,
        deviceType: type,
        devices: devices.length,
        usedMs,
        hoursUsed: usedMs / HOUR_MS,
        sessions: t?.sessions ?? 0,
        sessionsClipped: t?.clipped ?? 0,
        schoolUsedMs,
        schoolTimeShare: schoolMs > 0 ? schoolUsedMs / (schoolMs * devices.length) : null,
        idle: devices.filter((d) => !walk.used.has(key(unit, d))),
        faults: t?.faults ?? 0,
        ...repairFigures(repairs.get(k) ?? { durations: [], unrepaired: 0 }),
      });
    }
  }
  return { rows, unitsWithDevices: new Set(known.byUnit.keys()) };
}
