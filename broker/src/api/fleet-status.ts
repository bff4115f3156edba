/**
 * The registry's units joined with what the ledger knows of their gateways now: presence, kit
 * states, latest readings, gaps. The API's only reads of the ledger's presence tables live here,
 * so that a change of the ledger's read interface touches this file alone.
 */
import type { Ledger } from '../ledger/ledger.ts';
import type { GapRow, GatewayRow, KitStateRow, TelemetryRow } from '../ledger/types.ts';
import { unitActivity } from '../ledger/activity-queries.ts';
import { UnitQueries, type RecentSession } from '../ledger/unit-queries.ts';
import type { EstopBoard, EstopState } from '../live/estops.ts';
import type { Unit } from '../registry/fleet.ts';
import { OPEN_SESSION_HOURS, unitStatusOf, type UnitStatusKind } from './unit-status.ts';

export interface GatewayStatus {
  id: string;
  online: boolean;
  lastSeen: string | null;
  agentVersion: string | null;
  /** In the registry's list of the unit's gateways (the ledger may know others that published). */
  registered: boolean;
  /** Its emergency stop as last published (live/estops.ts); null when never heard. `at` is ISO. */
  estop: (Omit<EstopState, 'at'> & { at: string | null }) | null;
}

export interface UnitStatus {
  id: string;
  kind: Unit['kind'];
  level: Unit['level'];
  district: string;
  name: Unit['name'];
  online: boolean;
  lastSeen: string | null;
  /** Latest session start or end of its kits; null if never used. */
  lastUsed: string | null;
  /** unit-status.ts: in-use, active, idle, silent or never-installed. */
  status: UnitStatusKind;
  /** Some gateway's e-stop is latched now: a banner on the unit's page, a mark in the overview. */
  estopLatched: boolean;
  gateways: GatewayStatus[];
}

/** How fleetStatus and unitDetail judge a unit's status: the clock and the silence threshold. */
export interface StatusClock {
  now: number;
  silentAfterDays?: number;
  /** Where the e-stop latches come from; none known without. */
  estops?: EstopBoard;
}

type Activity = { lastUsed: number; openSessions: number } | undefined;

export interface GatewayDetail extends GatewayStatus {
  kits: Array<Pick<KitStateRow, 'kit' | 'state' | 'reason'> & { at: string }>;
  readings: Array<Pick<TelemetryRow, 'kit' | 'component' | 'value'> & { at: string }>;
  /** The kits' recorded state changes (unplugged, fault, repaired), newest first, at most 50. */
  history: Array<Pick<KitStateRow, 'kit' | 'state' | 'reason'> & { at: string }>;
  /** Gaps not closed: 'open' (events missing: on their way or lost) and 'evicted' (lost, reported). */
  gaps: Array<Pick<GapRow, 'fromSeq' | 'toSeq' | 'missing' | 'evicted' | 'status'> & { detectedAt: string }>;
  /**
   * Its usage events against their seq range: `expected` = seqTo − seqFrom + 1, `missing` still
   * in open gaps (on their way or lost), `evicted` dropped by the gateway's full outbox (reported),
   * `share` = events / expected (null before any event).
   */
  completeness: { events: number; seqFrom: number | null; seqTo: number | null; expected: number; missing: number; evicted: number; share: number | null };
}

export interface UnitDetail extends Omit<UnitStatus, 'gateways'> {
  placeholderName: boolean;
  gateways: GatewayDetail[];
  /** The latest kit sessions, newest first (at most 20), with their purpose tags (lesson, class, club session, team). */
  sessions: Array<Omit<RecentSession, 'startedAt' | 'endedAt'> & { startedAt: string; endedAt: string }>;
}

const iso = (ms: number) => new Date(ms).toISOString();

function gatewayStatus(unit: string, id: string, row: GatewayRow | undefined, registered: boolean, estops: EstopBoard | undefined): GatewayStatus {
  const e = estops?.get(unit, id);
  const estop = e ? { latched: e.latched, at: e.at === null ? null : iso(e.at), source: e.source } : null;
  return { id, online: row?.online ?? false, lastSeen: row ? iso(row.lastSeen) : null, agentVersion: row?.agentVersion ?? null, registered, estop };
}

function summary(unit: Unit, gateways: GatewayStatus[], activity: Activity, clock: StatusClock): UnitStatus {
  const lastSeen = gateways.reduce<string | null>((m, g) => (g.lastSeen !== null && (m === null || g.lastSeen > m) ? g.lastSeen : m), null);
  const online = gateways.some((g) => g.online);
  const status = unitStatusOf({ online, lastSeen: lastSeen === null ? null : Date.parse(lastSeen), lastUsed: activity?.lastUsed ?? null, openSessions: activity?.openSessions ?? 0 }, clock.now, clock.silentAfterDays);
  return { id: unit.id, kind: unit.kind, level: unit.level, district: unit.district, name: unit.name, online, lastSeen, lastUsed: activity ? iso(activity.lastUsed) : null, status, estopLatched: gateways.some((g) => g.estop?.latched === true), gateways };
}

/** Index reads only (ledger/activity-queries.ts): the first view's cost does not grow with the ledger. */
const activityOf = async (ledger: Ledger, clock: StatusClock, gateways?: readonly GatewayRow[]) =>
  unitActivity(ledger.sql, gateways ?? (await ledger.gateways()), clock.now - OPEN_SESSION_HOURS * 3_600_000);

/** Each unit with its registered gateways' presence: one read of the ledger for the whole fleet. */
export async function fleetStatus(ledger: Ledger, units: readonly Unit[], clock: StatusClock): Promise<UnitStatus[]> {
  const rows = await ledger.gateways();
  const seen = new Map(rows.map((g) => [`${g.unit}/${g.gateway}`, g]));
  const activity = await activityOf(ledger, clock, rows);
  return units.map((u) => summary(u, u.gateways.map((id) => gatewayStatus(u.id, id, seen.get(`${u.id}/${id}`), true, clock.estops)), activity.get(u.id), clock));
}

/** One unit in full: its gateways (registered first, then any other that published as it) with kits, readings and gaps. */
export async function unitDetail(ledger: Ledger, unit: Unit, clock: StatusClock): Promise<UnitDetail> {
  const rows = new Map(
    (await ledger.gateways())
      .filter((g) => g.unit === unit.id)
      .map((g) => [g.gateway, g]),
  );
  const ids = [...unit.gateways, ...[...rows.keys()].filter((id) => !unit.gateways.includes(id))];
  const allGaps = await ledger.gaps(unit.id);
  const gaps = allGaps.filter((g) => g.status !== 'closed');
  const reads = new UnitQueries(ledger.sql);
  const ranges = new Map((await reads.eventRanges(unit.id)).map((r) => [r.gateway, r]));
  const gateways = await Promise.all(ids.map(async (id): Promise<GatewayDetail> => {
    const row = rows.get(id);
    return {
      ...gatewayStatus(unit.id, id, row, unit.gateways.includes(id), clock.estops),
      kits: row ? (await ledger.kitStates(unit.id, id)).map((k) => ({ kit: k.kit, state: k.state, reason: k.reason, at: iso(k.at) })) : [],
      readings: row ? (await ledger.telemetry(unit.id, id)).map((t) => ({ kit: t.kit, component: t.component, value: t.value, at: iso(t.at) })) : [],
      history: row ? (await ledger.kitStateHistory(unit.id, id)).slice(-50).reverse().map((k) => ({ kit: k.kit, state: k.state, reason: k.reason, at: iso(k.correctedAt ?? k.at) })) : [],
      gaps: gaps
        .filter((g) => g.gateway === id)
        .map((g) => ({ fromSeq: g.fromSeq, toSeq: g.toSeq, missing: g.missing, evicted: g.evicted, status: g.status, detectedAt: iso(g.detectedAt) })),
      completeness: completenessOf(ranges.get(id), allGaps.filter((g) => g.gateway === id)),
    };
  }));
  const sessions = (await reads.recentSessions(unit.id)).map((s) => ({ ...s, startedAt: iso(s.startedAt), endedAt: iso(s.endedAt) }));
  const { gateways: _registered, ...rest } = summary(unit, gateways, (await activityOf(ledger, clock, [...rows.values()])).get(unit.id), clock);
  return { ...rest, placeholderName: unit.placeholderName, gateways, sessions };
}

function completenessOf(range: { events: number; seqFrom: number; seqTo: number } | undefined, gaps: readonly GapRow[]): GatewayDetail['completeness'] {
  const missing = gaps.filter((g) => g.status === 'open').reduce((a, g) => a + g.missing, 0);
  const evicted = gaps.reduce((a, g) => a + g.evicted, 0);
  if (!range) return { events: 0, seqFrom: null, seqTo: null, expected: 0, missing, evicted, share: null };
  const expected = range.seqTo - range.seqFrom + 1;
  return { events: range.events, seqFrom: range.seqFrom, seqTo: range.seqTo, expected, missing, evicted, share: range.events / expected };
}
