/**
 * The reads behind the quarterly report (reports/), on one snapshot of the ledger. Each is one
 * question a report asks, with named parameters; rows come back camel-cased. Times are an
 * event's corrected time (clock.ts), or its gateway's own when it could not be corrected.
 *
 * A session's end is its session.end event's `endedAt` moved by that event's clock correction;
 * its start is that end − durationMs. The session ends are walked once (eachSessionPage): on
 * SQLite in keyset pages through the `usage_events_type_time` index (type, corrected time), on
 * PostgreSQL through one cursor; the sums over them are the walk's (reports/equipment.ts), not a
 * second scan. The devices known and each gateway's counts are one GROUP BY over the events
 * before the span's end (deviceEvents): a few hundred lines, hashed in memory.
 */
import { named, type Queryable, type SqlValue } from './sql.ts';
import type { KitStateRow } from './types.ts';

/** An event's time: corrected when it could be. */
const TIME = 'COALESCE(corrected_at, at)';
/** Where to look for the sessions of a span: their end events may come up to `scanTo`. */
export interface SessionScan {
  /** The span the report covers, [from, to). */
  from: number;
  to: number;
  /** The latest end-event time to look at (a long session ending after `to` may have started before it). */
  scanTo: number;
}

/** A session as the report's sums use it. */
export interface SessionSpan {
  unit: string;
  gateway: string;
  kit: string;
  component: string | null;
  deviceType: string;
  start: number;
  end: number;
  faults: number;
}

/** A session with its end event's keys, for keyset pages. */
export interface SessionRow extends SessionSpan {
  eventId: string;
  /** The end event's time: the page walk's key. */
  at: number;
}

/** A gateway's usage events naming one device (or, `kit` null, none: the outbox's evictions), before a span's end. */
export interface DeviceEvents {
  unit: string;
  gateway: string;
  kit: string | null;
  component: string | null;
  deviceType: string | null;
  /** The earliest of these events' times (corrected when it could be). */
  firstAt: number;
  /** Sessions of the device that started in the span (their session.start). */
  startedInSpan: number;
  /** The events timed in the span, their seq range (null when none) and how many have an uncorrected time. */
  events: number;
  seqFrom: number | null;
  seqTo: number | null;
  uncorrected: number;
}

export interface KitStateAtRow {
  unit: string;
  gateway: string;
  kit: string;
  state: KitStateRow['state'];
  /** Corrected when it could be. */
  t: number;
}

export interface GatewayEvents {
  unit: string;
  gateway: string;
  events: number;
  seqFrom: number;
  seqTo: number;
  uncorrected: number;
}

/** Per gateway, the events timed in the span (deviceEvents' lines added up); gateways with none are left out. */
export function perGateway(lines: readonly DeviceEvents[]): GatewayEvents[] {
  const out = new Map<string, GatewayEvents>();
  for (const l of lines) {
    if (l.events === 0 || l.seqFrom === null || l.seqTo === null) continue;
    const k = `${l.unit}\u0000${l.gateway}`;
    const g = out.get(k);
    if (!g) out.set(k, { unit: l.unit, gateway: l.gateway, events: l.events, seqFrom: l.seqFrom, seqTo: l.seqTo, uncorrected: l.uncorrected });
    else {
      g.events += l.events;
      g.seqFrom = Math.min(g.seqFrom, l.seqFrom);
      g.seqTo = Math.max(g.seqTo, l.seqTo);
      g.uncorrected += l.uncorrected;
    }
  }
  return [...out.values()];
}

export interface GapTotals {
  missing: number;
  evicted: number;
  open: number;
}

export interface PresenceSpan {
  unit: string;
  gateway: string;
  online: boolean;
  from: number;
  to: number | null;
}

export interface GatewaySeen {
  unit: string;
  gateway: string;
  online: boolean;
  firstSeen: number;
  lastSeen: number;
}

/** A session end read as an array, in eachSessionPage's column order. */
function sessionFromColumns(r: readonly unknown[]): SessionSpan {
  return {
    unit: r[0] as string,
    gateway: r[1] as string,
    kit: r[2] as string,
    component: r[3] as string | null,
    deviceType: r[4] as string,
    start: r[5] as number,
    end: r[6] as number,
    faults: r[7] as number,
  };
}

export class ReportQueries {
  constructor(private readonly q: Queryable) {}

  /** Prepares the snapshot for reads over a quarter's events (dialect.ts largeReads): call first. */
  async prepare(): Promise<void> {
    for (const statement of this.q.dialect.largeReads) await this.q.run(statement);
  }

  private rows<T>(sql: string, values: Readonly<Record<string, SqlValue>>): Promise<T[]> {
    return this.q.query<T>(...named(sql, values));
  }

  /**
   * Every session end the scan looks at, in pages of at most `pageSize`, in no particular order
   * (the report's sums do not depend on it). Where the driver streams (PostgreSQL's snapshot:
   * `eachBatch`), one cursor over the query, rows read as arrays of only the columns the sums
   * use; else (SQLite) keyset pages of `sessionPage`. The same sessions either way.
   */
  async eachSessionPage(scan: SessionScan, pageSize: number, onPage: (page: readonly SessionSpan[]) => void): Promise<void> {
    if (this.q.eachBatch) {
      const [sql, params] = named(
        `SELECT unit, gateway, kit, component, device_type, ended_at + (${TIME} - at) - duration_ms, ended_at + (${TIME} - at), faults
         FROM usage_events
         WHERE type = 'session.end' AND ${TIME} >= :from AND ${TIME} < :scanTo`,
        { from: scan.from, scanTo: scan.scanTo },
      );
      await this.q.eachBatch(sql, params, pageSize, (rows) => onPage(rows.map(sessionFromColumns)));
      return;
    }
    for (let after = { at: scan.from, eventId: '' }; ; ) {
      const page = await this.sessionPage(scan, after, pageSize);
      onPage(page);
      if (page.length < pageSize) return;
      const last = page.at(-1) as SessionRow;
      after = { at: last.at, eventId: last.eventId };
    }
  }

  /**
   * One page of the sessions overlapping the span, in the time index's order, starting after
   * `after` (keyset on the end event's time, then event id): the whole walk is one pass over the
   * index, not a scan per page.
   */
  async sessionPage(scan: SessionScan, after: { at: number; eventId: string }, limit: number): Promise<SessionRow[]> {
    const rows = await this.rows<Record<string, unknown>>(
      `SELECT event_id, unit, gateway, kit, component, device_type, t_at, t_end - duration_ms AS t_start, t_end, faults FROM (
         SELECT event_id, unit, gateway, kit, component, device_type, ${TIME} AS t_at, ended_at + (${TIME} - at) AS t_end, duration_ms, faults
         FROM usage_events
         WHERE type = 'session.end' AND ${TIME} >= :afterAt AND ${TIME} < :scanTo AND (${TIME} > :afterAt OR event_id > :afterId)
         ORDER BY ${TIME}, event_id LIMIT :limit
       ) AS e`,
      { afterAt: after.at, scanTo: scan.scanTo, afterId: after.eventId, limit },
    );
    return rows.map((r) => ({
      eventId: r.event_id as string,
      unit: r.unit as string,
      gateway: r.gateway as string,
      kit: r.kit as string,
      component: r.component as string | null,
      deviceType: r.device_type as string,
      at: r.t_at as number,
      start: r.t_start as number,
      end: r.t_end as number,
      faults: r.faults as number,
    }));
  }

  /**
   * One pass over the usage events timed before the span's end, per gateway and device (the
   * outbox's evictions name no device: one line per gateway with `kit` null): when the gateway
   * first named the device, whether a session of it started in the span, and the events timed in
   * the span with their seq range and how many have an uncorrected time. The devices seen, the
   * devices used without an end yet, and each gateway's completeness come from these few lines;
   * they were three queries over the same events (a DISTINCT, a DISTINCT and a GROUP BY), two of
   * which sorted the quarter's events on disk on PostgreSQL.
   */
  async deviceEvents(span: { from: number; to: number }): Promise<DeviceEvents[]> {
    const rows = await this.rows<Record<string, unknown>>(
      `SELECT unit, gateway, kit, component, device_type,
              MIN(${TIME}) AS first_at,
              SUM(CASE WHEN type = 'session.start' AND ${TIME} >= :from THEN 1 ELSE 0 END) AS started,
              SUM(CASE WHEN ${TIME} >= :from THEN 1 ELSE 0 END) AS events,
              MIN(CASE WHEN ${TIME} >= :from THEN seq END) AS seq_from,
              MAX(CASE WHEN ${TIME} >= :from THEN seq END) AS seq_to,
              SUM(CASE WHEN ${TIME} >= :from AND corrected_at IS NULL THEN 1 ELSE 0 END) AS uncorrected
       FROM usage_events
       WHERE type IN ('session.start', 'session.end', 'outbox.evicted') AND ${TIME} < :to
       GROUP BY unit, gateway, kit, component, device_type`,
      span,
    );
    return rows.map((r) => ({
      unit: r.unit as string,
      gateway: r.gateway as string,
      kit: r.kit as string | null,
      component: r.component as string | null,
      deviceType: r.device_type as string | null,
      firstAt: r.first_at as number,
      startedInSpan: r.started as number,
      events: r.events as number,
      seqFrom: r.seq_from as number | null,
      seqTo: r.seq_to as number | null,
      uncorrected: r.uncorrected as number,
    }));
  }

  /** Every kit's state changes before `before`, per kit in time order. */
  kitStateChanges(before: number): Promise<KitStateAtRow[]> {
    return this.rows<KitStateAtRow>(
      `SELECT unit, gateway, kit, state, ${TIME} AS t FROM kit_state_history
       WHERE ${TIME} < :before ORDER BY unit, gateway, kit, t, id`,
      { before },
    );
  }

  /** A gateway's sequence gaps touching [fromSeq, toSeq]: events missing, evicted, and open gaps. */
  async gapsTouching(unit: string, gateway: string, fromSeq: number, toSeq: number): Promise<GapTotals> {
    const [sql, params] = named(
      `SELECT COALESCE(SUM(missing), 0) AS missing, COALESCE(SUM(evicted), 0) AS evicted,
              COALESCE(SUM(CASE WHEN missing > 0 THEN 1 ELSE 0 END), 0) AS open
       FROM seq_gaps WHERE unit = :unit AND gateway = :gateway AND from_seq <= :toSeq AND to_seq >= :fromSeq`,
      { unit, gateway, fromSeq, toSeq },
    );
    return (await this.q.get<GapTotals>(sql, params)) ?? { missing: 0, evicted: 0, open: 0 };
  }

  /** Every gateway the ledger has heard from. */
  async gatewaysSeen(): Promise<GatewaySeen[]> {
    const rows = await this.q.query<{ unit: string; gateway: string; online: number; first_seen: number; last_seen: number }>(
      'SELECT unit, gateway, online, first_seen, last_seen FROM gateways',
    );
    return rows.map((g) => ({ unit: g.unit, gateway: g.gateway, online: g.online === 1, firstSeen: g.first_seen, lastSeen: g.last_seen }));
  }

  /** The gateways' presence intervals overlapping the span, per gateway oldest first. */
  async presence(span: { from: number; to: number }): Promise<PresenceSpan[]> {
    const rows = await this.rows<{ unit: string; gateway: string; online: number; from_at: number; to_at: number | null }>(
      `SELECT unit, gateway, online, from_at, to_at FROM gateway_presence
       WHERE from_at < :to AND (to_at IS NULL OR to_at > :from) ORDER BY unit, gateway, from_at`,
      span,
    );
    return rows.map((r) => ({ unit: r.unit, gateway: r.gateway, online: r.online === 1, from: r.from_at, to: r.to_at }));
  }
}
