/**
 * How complete each gateway's data is for the quarter, and its uptime (the rules are in
 * quarterly.ts's comment).
 */
import type { GatewayEvents, ReportQueries } from '../ledger/report-queries.ts';
import type { Unit } from '../registry/fleet.ts';
import { uptime, type PresenceInterval } from './availability.ts';
import type { DataStatus, GatewayCompleteness, KitRow, UnitSummary } from './model.ts';
import { HOUR_MS, localIso, type Span } from './quarter.ts';

/** `perGateway`: each gateway's usage events timed in the span (ReportQueries.deviceEvents, added up per gateway). */
export async function gatewayCompleteness(reads: ReportQueries, perGateway: readonly GatewayEvents[], units: readonly Unit[], span: Span, now: number): Promise<GatewayCompleteness[]> {
  const events = new Map(perGateway.map((r) => [`${r.unit}/${r.gateway}`, r]));
  const seen = new Map((await reads.gatewaysSeen()).map((g) => [`${g.unit}/${g.gateway}`, g]));
  const intervals = new Map<string, PresenceInterval[]>();
  for (const p of await reads.presence(span)) {
    const k = `${p.unit}/${p.gateway}`;
    intervals.set(k, [...(intervals.get(k) ?? []), { online: p.online, from: p.from, to: p.to }]);
  }
  const registered = new Set(units.flatMap((u) => u.gateways.map((g) => `${u.id}/${g}`)));
  const out: GatewayCompleteness[] = [];
  for (const k of [...new Set([...registered, ...events.keys()])].sort()) {
    const [unit, gateway] = k.split('/') as [string, string];
    const r = events.get(k);
    const g = seen.get(k);
    // Gaps touching the seq range, adjacent ones included: their events may belong to this quarter.
    const gaps = r ? await reads.gapsTouching(unit, gateway, r.seqFrom - 1, r.seqTo + 1) : { missing: 0, evicted: 0, open: 0 };
    const up = g ? uptime(intervals.get(k) ?? [], span.from, span.to, g.firstSeen, now) : undefined;
    const expected = r ? r.seqTo - r.seqFrom + 1 : 0;
    let status: DataStatus = 'no-data';
    if (r) status = gaps.missing === 0 && gaps.evicted === 0 && r.events === expected ? 'complete' : 'incomplete';
    else if (up && up.onlineMs > 0) {
      // Online, and no use recorded: complete (zero hours) unless events are still missing.
      status = (await reads.gapsTouching(unit, gateway, 0, Number.MAX_SAFE_INTEGER)).missing > 0 ? 'incomplete' : 'complete';
    }
    out.push({
      unit,
      gateway,
      registered: registered.has(k),
      eventsReceived: r?.events ?? 0,
      seqFrom: r?.seqFrom ?? null,
      seqTo: r?.seqTo ?? null,
      seqExpected: expected,
      missing: gaps.missing,
      evicted: gaps.evicted,
      openGaps: gaps.open,
      uncorrected: r?.uncorrected ?? 0,
      lastSeen: g ? localIso(g.lastSeen) : null,
      onlineNow: g ? g.online : null,
      uptimeShare: up?.share ?? null,
      onlineHours: (up?.onlineMs ?? 0) / HOUR_MS,
      offlineHours: (up?.offlineMs ?? 0) / HOUR_MS,
      unknownHours: (up?.unknownMs ?? 0) / HOUR_MS,
      status,
    });
  }
  return out;
}

/**
 * One line per unit (registered, with kits, or with a gateway): its data status is its
 * gateways'; its use is the sum of its kit rows (kits of different categories never overlap).
 */
export function unitSummaries(units: readonly Unit[], kits: readonly KitRow[], gateways: readonly GatewayCompleteness[]): UnitSummary[] {
  const registered = new Map(units.map((u) => [u.id, u]));
  const ids = new Set([...registered.keys(), ...kits.map((k) => k.unit), ...gateways.map((g) => g.unit)]);
  return [...ids].sort().map((unit) => {
    const u = registered.get(unit);
    const mine = gateways.filter((g) => g.unit === unit && g.status !== 'no-data');
    const status: DataStatus = mine.length === 0 ? 'no-data' : mine.every((g) => g.status === 'complete') ? 'complete' : 'incomplete';
    const rows = kits.filter((k) => k.unit === unit);
    const sum = (f: (k: KitRow) => number) => rows.reduce((a, k) => a + f(k), 0);
    const usedMs = sum((k) => k.usedMs);
    return {
      unit,
      registered: u !== undefined,
      kind: u?.kind ?? null,
      level: u?.level ?? null,
      district: u?.district ?? null,
      name: u?.name ?? null,
      status,
      kits: sum((k) => k.kits),
      hoursUsed: usedMs / HOUR_MS,
      sessions: sum((k) => k.sessions),
      faults: sum((k) => k.faults),
    };
  });
}
