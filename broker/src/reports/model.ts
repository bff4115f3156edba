/** The quarterly report's shape (quarterly.ts computes it; csv.ts and xlsx.ts write it). */
import type { UnitKind, UnitLevel } from '../registry/fleet.ts';
import type { SchoolTime, TIMEZONE } from './quarter.ts';

export type DataStatus = 'complete' | 'incomplete' | 'no-data';

/**
 * What kind of equipment a kit is: a robot (a robot club's gateway), a lab bench (a lab's), or a
 * smart classroom's equipment. Told by the gateway that serves the kit (category.ts).
 */
export type Category = 'robots' | 'lab' | 'classroom';

/** The use figures of a kind of device at a unit (definitions: labels.ts DEFINITIONS). */
export interface UsageFigures {
  /** Time in use inside the quarter, each session clipped to it (ms, and hours). */
  usedMs: number;
  hoursUsed: number;
  /** Sessions that started in the quarter. */
  sessions: number;
  /** Sessions crossing the quarter's start or end, counted here only for their part inside it. */
  sessionsClipped: number;
  /** Time in use inside school time; the numerator of schoolTimeShare. */
  schoolUsedMs: number;
  /** 0..1 of (school time × devices); null when the quarter has no school time. */
  schoolTimeShare: number | null;
  /** Devices with no session in the quarter ("kit", or "kit/component"). */
  idle: string[];
  /** Sessions that ended in the quarter because the kit broke down or was unplugged. */
  faults: number;
}

/** Per unit and category: the kits as wholes (a robot, a lab bench). The report's headline figures. */
export interface KitRow extends UsageFigures {
  unit: string;
  category: Category;
  /** Known kits (registry ∪ seen in the ledger before the quarter's end). */
  kits: number;
  /** Repairs that ended in the quarter: from a kit's fault or disconnection to its next connection. */
  repairs: number;
  /** Their median and total duration (ms); median null without repairs. */
  repairMedianMs: number | null;
  repairTotalMs: number;
  /** Kits out of service (faulty or disconnected) at the quarter's end. */
  unrepaired: number;
}

/** Per unit, category and kind of component (motor, thermometer...): their own table, never added to the kits'. */
export interface ComponentRow extends UsageFigures {
  unit: string;
  category: Category;
  deviceType: string;
  devices: number;
}

/** A category's totals over every unit: the report's headline. */
export interface CategoryTotals {
  category: Category;
  /** Units with at least one kit of this category. */
  units: number;
  kits: number;
  usedMs: number;
  hoursUsed: number;
  sessions: number;
  faults: number;
  repairs: number;
  repairMedianMs: number | null;
  unrepaired: number;
  /** Kits of this category idle the whole quarter. */
  idleKits: number;
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
  /** The unit's kits, all categories: kit-hours, sessions and faults (sums of its KitRows). */
  kits: number;
  hoursUsed: number;
  sessions: number;
  faults: number;
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
  /** Each figure defined once, in the department's words (the cover). */
  definitions: Array<{ vi: string; en: string }>;
  /** The headline: per category, over every unit. */
  totals: CategoryTotals[];
  units: UnitSummary[];
  kits: KitRow[];
  components: ComponentRow[];
  gateways: GatewayCompleteness[];
}
