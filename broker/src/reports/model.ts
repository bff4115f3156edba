/** The quarterly report's shape (quarterly.ts computes it; csv.ts and xlsx.ts write it). */
import type { UnitKind, UnitLevel } from '../registry/fleet.ts';
import type { SchoolTime, TIMEZONE } from './quarter.ts';

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
