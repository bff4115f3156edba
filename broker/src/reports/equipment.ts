/**
 * The report's use figures: per unit and category, the kits as wholes (KitRow: the headline);
 * per unit, category and kind of component, the components (ComponentRow: their own table, never
 * added to the kits'). From the ledger's sessions and kit states; each figure's definition is in
 * labels.ts (DEFINITIONS), how it is computed in quarterly.ts's comment.
 */
import type { DeviceEvents, KitStateAtRow, ReportQueries, SessionScan } from '../ledger/report-queries.ts';
import type { Equipment, Unit } from '../registry/fleet.ts';
import { kitRepairs, median, type KitStateAt } from './availability.ts';
import { categoryOf } from './category.ts';
import { kitCategories, kitKey, ledgerSightings } from './kit-room.ts';
import type { Category, ComponentRow, KitRow, UsageFigures } from './model.ts';
import { HOUR_MS, schoolOverlap, schoolOverlapMs, type SchoolTime } from './quarter.ts';

/** `unit\0category\0type`...: composite map keys. */
const key = (...parts: string[]) => parts.join('\u0000');
/** A device as the report names it: `kit/component`, or `kit` for the whole kit. */
const deviceName = (kit: string, component: string | null) => (component === null ? kit : `${kit}/${component}`);
/** The device type of a whole kit in usage events. */
const KIT = 'kit';

interface Group {
  unit: string;
  category: Category;
  /** 'kit' for the kits' row, else the components' type. */
  type: string;
  devices: Set<string>;
}

/**
 * The devices each unit is known to have, grouped by category and type; every component implies
 * its kit. A kit's category is decided once, before any device is added (kit-room.ts), so the
 * order the devices are added in does not matter.
 */
class KnownDevices {
  readonly groups = new Map<string, Group>();
  constructor(
    private readonly kinds: ReadonlyMap<string, Unit['kind']>,
    /** kitKey → the kit's category (kit-room.ts). */
    private readonly kitCategory: ReadonlyMap<string, Category>,
  ) {}

  /** The category of a kit, by the rule; one no gateway named before the span's end (a session's start lost) goes by `gateway`'s room. */
  categoryOfKit(unit: string, kit: string, gateway: string): Category {
    return this.kitCategory.get(kitKey(unit, kit)) ?? categoryOf(gateway, this.kinds.get(unit));
  }

  add(unit: string, gateway: string, kit: string, component: string | null, type: string): void {
    const category = this.categoryOfKit(unit, kit, gateway);
    this.group(unit, category, KIT).devices.add(kit);
    if (component !== null) this.group(unit, category, type).devices.add(deviceName(kit, component));
  }

  private group(unit: string, category: Category, type: string): Group {
    const k = key(unit, category, type);
    let g = this.groups.get(k);
    if (!g) this.groups.set(k, (g = { unit, category, type, devices: new Set() }));
    return g;
  }
}

interface Sums {
  usedMs: number;
  sessions: number;
  clipped: number;
  faults: number;
  schoolUsedMs: number;
}
const noSums = (): Sums => ({ usedMs: 0, sessions: 0, clipped: 0, faults: 0, schoolUsedMs: 0 });

/** One device's sums, as recorded by one gateway. */
interface DeviceSums extends Sums {
  gateway: string;
  kit: string;
  component: string | null;
  type: string;
}

/**
 * The walk's sums per unit, gateway and device, found through nested maps (unit, gateway, kit,
 * then the kit's few devices): no key string is built per session. Building three per session
 * (the group's and the two `used` keys) made most of the walk's garbage, and collecting it was
 * the largest part of its CPU time.
 */
class PerDevice {
  readonly units = new Map<string, Map<string, Map<string, DeviceSums[]>>>();

  of(unit: string, gateway: string, kit: string, component: string | null, type: string): DeviceSums {
    let gateways = this.units.get(unit);
    if (!gateways) this.units.set(unit, (gateways = new Map()));
    let kits = gateways.get(gateway);
    if (!kits) gateways.set(gateway, (kits = new Map()));
    let devices = kits.get(kit);
    if (!devices) kits.set(kit, (devices = []));
    for (const d of devices) if (d.component === component && d.type === type) return d;
    const d: DeviceSums = { gateway, kit, component, type, ...noSums() };
    devices.push(d);
    return d;
  }
}

/**
 * What the session walk learns, in one pass over the quarter's session ends: per group the sums
 * (time in use clipped to the span, sessions started in it, sessions clipped, faults of sessions
 * ended in it; quarterly.ts defines them) and the time in school hours, and the devices used.
 * The sums were a SQL aggregate over the same rows before: a second pass over the biggest table,
 * a third of the report's time. Added up per device as it goes, then per group.
 */
async function walkSessions(
  reads: ReportQueries,
  scan: SessionScan,
  schoolTime: SchoolTime,
  pageSize: number,
  groupOf: (unit: string, gateway: string, kit: string, type: string) => string,
  sums: Map<string, Sums>,
): Promise<Set<string>> {
  const perDevice = new PerDevice();
  const schoolMsOf = schoolOverlap(schoolTime);
  await reads.eachSessionPage(scan, pageSize, (page) => {
    for (const s of page) {
      if (!(s.start < scan.to && s.end >= scan.from)) continue; // overlaps the span
      const acc = perDevice.of(s.unit, s.gateway, s.kit, s.component, s.deviceType);
      acc.usedMs += Math.max(0, Math.min(s.end, scan.to) - Math.max(s.start, scan.from));
      if (s.start >= scan.from) acc.sessions++;
      if (s.start < scan.from || s.end > scan.to) acc.clipped++;
      if (s.end < scan.to) acc.faults += s.faults;
      acc.schoolUsedMs += schoolMsOf(Math.max(s.start, scan.from), Math.min(s.end, scan.to));
    }
  });
  const used = new Set<string>();
  for (const [unit, gateways] of perDevice.units) {
    for (const kits of gateways.values()) {
      for (const devices of kits.values()) {
        for (const d of devices) {
          const k = groupOf(unit, d.gateway, d.kit, d.type);
          const acc = sums.get(k) ?? noSums();
          sums.set(k, acc);
          acc.usedMs += d.usedMs;
          acc.sessions += d.sessions;
          acc.clipped += d.clipped;
          acc.faults += d.faults;
          acc.schoolUsedMs += d.schoolUsedMs;
          used.add(key(unit, deviceName(d.kit, d.component)));
          used.add(key(unit, d.kit)); // a kit is used when any of its devices is
        }
      }
    }
  }
  return used;
}

interface Repairs {
  durations: number[];
  unrepaired: number;
}

/**
 * Per unit and category: the repairs of its kits that ended in the span, and kits unrepaired at
 * its end. A kit known only by its states becomes a known kit.
 */
function repairsByGroup(states: readonly KitStateAtRow[], span: { from: number; to: number }, known: KnownDevices): Map<string, Repairs> {
  const byKit = new Map<string, { unit: string; gateway: string; kit: string; changes: KitStateAt[] }>();
  for (const r of states) {
    const k = key(r.unit, r.gateway, r.kit);
    const entry = byKit.get(k) ?? { unit: r.unit, gateway: r.gateway, kit: r.kit, changes: [] };
    byKit.set(k, entry);
    entry.changes.push({ state: r.state, t: r.t });
  }
  const out = new Map<string, Repairs>();
  for (const { unit, gateway, kit, changes } of byKit.values()) {
    known.add(unit, gateway, kit, null, KIT);
    const k = key(unit, known.categoryOfKit(unit, kit, gateway), KIT);
    const r = kitRepairs(changes, span.from, span.to);
    const acc = out.get(k) ?? { durations: [], unrepaired: 0 };
    out.set(k, acc);
    acc.durations.push(...r.durations);
    if (r.unrepaired) acc.unrepaired++;
  }
  return out;
}

export interface EquipmentInputs {
  scan: SessionScan;
  units: readonly Unit[];
  schoolTime: SchoolTime;
  sessionPage: number;
  /** ReportQueries.deviceEvents over the span: the devices seen before its end, and those whose session started in it. */
  devices: readonly DeviceEvents[];
}

/** The kit and component rows, sorted by unit, category, then type. */
export async function equipmentRows(
  reads: ReportQueries,
  { scan, units, schoolTime, sessionPage, devices }: EquipmentInputs,
): Promise<{ kits: KitRow[]; components: ComponentRow[]; repairDurations: Map<Category, number[]> }> {
  const states = await reads.kitStateChanges(scan.to);
  const known = new KnownDevices(new Map(units.map((u) => [u.id, u.kind])), kitCategories(units, ledgerSightings(devices, states)));
  // A session counts in its kit's category (kit-room.ts), whichever gateway recorded it.
  const groupOf = (unit: string, gateway: string, kit: string, type: string) => key(unit, known.categoryOfKit(unit, kit, gateway), type);
  const sums = new Map<string, Sums>();
  const used = await walkSessions(reads, scan, schoolTime, sessionPage, groupOf, sums);

  // Known devices: the registry's equipment and every device the ledger saw before the span's end;
  // used: also those whose session started in the span and has not ended yet (no session.end).
  for (const u of units) for (const e of u.equipment as Equipment[]) known.add(u.id, e.gateway, e.kit, e.component, e.type);
  for (const d of devices) {
    if (d.kit === null || d.deviceType === null) continue; // the outbox's evictions name no device
    known.add(d.unit, d.gateway, d.kit, d.component, d.deviceType);
    if (d.startedInSpan > 0) used.add(key(d.unit, deviceName(d.kit, d.component))).add(key(d.unit, d.kit));
  }
  const repairs = repairsByGroup(states, scan, known);

  const schoolMs = schoolOverlapMs(scan.from, scan.to, schoolTime);
  const figures = (k: string, devices: string[], unit: string): UsageFigures => {
    const s = sums.get(k) ?? noSums();
    return {
      usedMs: s.usedMs,
      hoursUsed: s.usedMs / HOUR_MS,
      sessions: s.sessions,
      sessionsClipped: s.clipped,
      schoolUsedMs: s.schoolUsedMs,
      schoolTimeShare: schoolMs > 0 ? s.schoolUsedMs / (schoolMs * devices.length) : null,
      idle: devices.filter((d) => !used.has(key(unit, d))),
      faults: s.faults,
    };
  };
  const kits: KitRow[] = [];
  const components: ComponentRow[] = [];
  const repairDurations = new Map<Category, number[]>();
  const order = (g: Group) => key(g.unit, g.category, g.type === KIT ? '' : g.type);
  for (const [k, g] of [...known.groups].sort(([, a], [, b]) => (order(a) < order(b) ? -1 : 1))) {
    const devices = [...g.devices].sort();
    if (g.type === KIT) {
      const r = repairs.get(k) ?? { durations: [], unrepaired: 0 };
      repairDurations.set(g.category, [...(repairDurations.get(g.category) ?? []), ...r.durations]);
      kits.push({
        unit: g.unit,
        category: g.category,
        kits: devices.length,
        ...figures(k, devices, g.unit),
        repairs: r.durations.length,
        repairMedianMs: median(r.durations),
        repairTotalMs: r.durations.reduce((a, x) => a + x, 0),
        unrepaired: r.unrepaired,
      });
    } else {
      components.push({ unit: g.unit, category: g.category, deviceType: g.type, devices: devices.length, ...figures(k, devices, g.unit) });
    }
  }
  return { kits, components, repairDurations };
}
