/**
 * Read side of the ledger: what the tests and the HTTP API ask. Rows come back camel-cased with
 * booleans and JSON decoded, so no caller sees the stored 0/1 or a payload string.
 */
import type { UsageEvent } from '@stemlab/protocol';
import { gapStatus } from './gaps.ts';
import type { Queryable } from './sql.ts';
import type { DeadLetterRow, GapRow, GatewayRow, KitStateChange, KitStateRow, LedgerCounts, PresenceRow, TelemetryRow, UsageEventRow } from './types.ts';

type Raw = Record<string, unknown>;
const num = (v: unknown) => v as number;
const numOrNull = (v: unknown) => (v === null ? null : (v as number));
const strOrNull = (v: unknown) => (v === null ? null : (v as string));

function toEvent(r: Raw): UsageEventRow {
  return {
    eventId: r.event_id as string,
    unit: r.unit as string,
    gateway: r.gateway as string,
    seq: num(r.seq),
    type: r.type as UsageEvent['type'],
    kit: strOrNull(r.kit),
    component: strOrNull(r.component),
    deviceType: strOrNull(r.device_type),
    sessionId: strOrNull(r.session_id),
    event: JSON.parse(r.payload as string) as UsageEvent,
    at: num(r.at),
    correctedAt: numOrNull(r.corrected_at),
    clockSynced: r.clock_synced === 1,
    bootId: r.boot_id as string,
    uptimeMs: num(r.uptime_ms),
    receivedAt: num(r.received_at),
  };
}

function toGap(r: Raw): GapRow {
  const missing = num(r.missing);
  const evicted = num(r.evicted);
  return {
    id: num(r.id),
    unit: r.unit as string,
    gateway: r.gateway as string,
    fromSeq: num(r.from_seq),
    toSeq: num(r.to_seq),
    missing,
    evicted,
    detectedAt: num(r.detected_at),
    closedAt: numOrNull(r.closed_at),
    status: gapStatus(missing, evicted),
  };
}

function toKitState(r: Raw): KitStateRow {
  return {
    unit: r.unit as string,
    gateway: r.gateway as string,
    kit: r.kit as string,
    state: r.state as KitStateRow['state'],
    reason: strOrNull(r.reason),
    at: num(r.at),
    receivedAt: num(r.received_at),
  };
}

function toGateway(r: Raw): GatewayRow {
  return {
    unit: r.unit as string,
    gateway: r.gateway as string,
    online: r.online === 1,
    connected: r.connected === 1,
    clientId: strOrNull(r.client_id),
    bdSeq: numOrNull(r.bd_seq),
    bootId: strOrNull(r.boot_id),
    clockOffsetMs: numOrNull(r.clock_offset_ms),
    statusAt: numOrNull(r.status_at),
    firstSeen: num(r.first_seen),
    lastSeen: num(r.last_seen),
    outboxPending: numOrNull(r.outbox_pending),
    outboxEvicted: numOrNull(r.outbox_evicted),
    agentVersion: strOrNull(r.agent_version),
  };
}

/** Which usage events to list (api/usage.ts): each filter given narrows; times compare with the corrected time. */
export interface UsageFilter {
  unit?: string;
  kit?: string;
  component?: string;
  /** [from, to) in ms. */
  from?: number;
  to?: number;
  limit: number;
}

export class LedgerQueries {
  constructor(protected readonly q: Queryable) {}

  /** A gateway's usage events in seq order. */
  async events(unit: string, gateway: string): Promise<UsageEventRow[]> {
    return (await this.q.query('SELECT * FROM usage_events WHERE unit = ? AND gateway = ? ORDER BY seq', [unit, gateway])).map(toEvent);
  }

  /**
   * Usage events matching the filter, by time (corrected when it could be, else the gateway's
   * own), then unit, gateway and seq. Only the filters given become conditions (PostgreSQL
   * cannot type a bare `? IS NULL`).
   */
  async usageEvents(filter: UsageFilter): Promise<UsageEventRow[]> {
    const where: string[] = [];
    const params: Array<string | number> = [];
    const add = (sql: string, value: string | number | undefined) => {
      if (value === undefined) return;
      where.push(sql);
      params.push(value);
    };
    add('unit = ?', filter.unit);
    add('kit = ?', filter.kit);
    add('component = ?', filter.component);
    add('COALESCE(corrected_at, at) >= ?', filter.from);
    add('COALESCE(corrected_at, at) < ?', filter.to);
    const rows = await this.q.query(
      `SELECT * FROM usage_events ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY COALESCE(corrected_at, at), unit, gateway, seq LIMIT ?`,
      [...params, filter.limit],
    );
    return rows.map(toEvent);
  }

  async event(eventId: string): Promise<UsageEventRow | undefined> {
    const row = await this.q.get('SELECT * FROM usage_events WHERE event_id = ?', [eventId]);
    return row && toEvent(row);
  }

  /** Sequence gaps, of one gateway or all (or all of a unit), oldest range first. */
  async gaps(unit?: string, gateway?: string): Promise<GapRow[]> {
    const where: string[] = [];
    const params: string[] = [];
    for (const [column, value] of [['unit', unit], ['gateway', gateway]] as const) {
      if (value === undefined) continue;
      where.push(`${column} = ?`);
      params.push(value);
    }
    const sql = `SELECT * FROM seq_gaps ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY unit, gateway, from_seq`;
    return (await this.q.query(sql, params)).map(toGap);
  }

  /** Dead letters, oldest first. */
  async deadLetters(limit = 1000): Promise<DeadLetterRow[]> {
    const rows = await this.q.query('SELECT * FROM dead_letters ORDER BY id LIMIT ?', [limit]);
    return rows.map((r) => ({
      id: num(r.id),
      topic: r.topic as string,
      payload: r.payload as string,
      encoding: r.encoding as DeadLetterRow['encoding'],
      reason: r.reason as string,
      clientId: strOrNull(r.client_id),
      receivedAt: num(r.received_at),
    }));
  }

  async gateway(unit: string, gateway: string): Promise<GatewayRow | undefined> {
    const row = await this.q.get('SELECT * FROM gateways WHERE unit = ? AND gateway = ?', [unit, gateway]);
    return row && toGateway(row);
  }

  /**
   * Per unit: when its kits were last used (the latest session start or end, corrected time when
   * known), and how many sessions started since `openSince` have not ended (in use now). Two
   * grouped reads for the whole fleet (api/unit-status.ts).
   */
  async unitActivity(openSince: number): Promise<Map<string, { lastUsed: number; openSessions: number }>> {
    const out = new Map<string, { lastUsed: number; openSessions: number }>();
    const last = await this.q.query("SELECT unit, MAX(COALESCE(corrected_at, at)) AS last_used FROM usage_events WHERE type IN ('session.start', 'session.end') GROUP BY unit");
    for (const r of last) out.set(r.unit as string, { lastUsed: Number(r.last_used), openSessions: 0 });
    const open = await this.q.query(
      `SELECT unit, session_id FROM usage_events
       WHERE type IN ('session.start', 'session.end') AND session_id IS NOT NULL AND COALESCE(corrected_at, at) >= ?
       GROUP BY unit, session_id HAVING SUM(CASE WHEN type = 'session.end' THEN 1 ELSE 0 END) = 0`,
      [openSince],
    );
    for (const r of open) {
      const u = out.get(r.unit as string);
      if (u) u.openSessions++;
    }
    return out;
  }

  /** Kits that went to 'fault' at least `min` times since `since`, with the count and the last time (alert feed). */
  async repeatedFaults(since: number, min: number): Promise<Array<{ unit: string; gateway: string; kit: string; faults: number; lastAt: number }>> {
    const rows = await this.q.query(
      `SELECT unit, gateway, kit, COUNT(*) AS faults, MAX(at) AS last_at FROM kit_state_history
       WHERE state = 'fault' AND at >= ? GROUP BY unit, gateway, kit HAVING COUNT(*) >= ? ORDER BY unit, gateway, kit`,
      [since, min],
    );
    return rows.map((r) => ({ unit: r.unit as string, gateway: r.gateway as string, kit: r.kit as string, faults: Number(r.faults), lastAt: Number(r.last_at) }));
  }

  /** Sessions ended by an emergency stop since `since` (alert feed). */
  async estopEnds(since: number): Promise<Array<{ unit: string; gateway: string; kit: string | null; at: number }>> {
    const rows = await this.q.query(
      `SELECT unit, gateway, kit, COALESCE(corrected_at, at) AS t FROM usage_events
       WHERE type = 'session.end' AND payload LIKE '%"endReason":"estop"%' AND COALESCE(corrected_at, at) >= ? ORDER BY t`,
      [since],
    );
    return rows.map((r) => ({ unit: r.unit as string, gateway: r.gateway as string, kit: strOrNull(r.kit), at: Number(r.t) }));
  }

  async gateways(): Promise<GatewayRow[]> {
    return (await this.q.query('SELECT * FROM gateways ORDER BY unit, gateway')).map(toGateway);
  }

  async kitStates(unit: string, gateway: string): Promise<KitStateRow[]> {
    const rows = await this.q.query('SELECT * FROM kit_states WHERE unit = ? AND gateway = ? ORDER BY kit', [unit, gateway]);
    return rows.map(toKitState);
  }

  /** Every recorded change of a gateway's kits' states, in the order they were recorded. */
  async kitStateHistory(unit: string, gateway: string): Promise<KitStateChange[]> {
    const rows = await this.q.query('SELECT * FROM kit_state_history WHERE unit = ? AND gateway = ? ORDER BY id', [unit, gateway]);
    return rows.map((r) => ({ ...toKitState(r), correctedAt: numOrNull(r.corrected_at) }));
  }

  /** A gateway's presence timeline (history.ts), oldest first. */
  async presence(unit: string, gateway: string): Promise<PresenceRow[]> {
    const rows = await this.q.query('SELECT * FROM gateway_presence WHERE unit = ? AND gateway = ? ORDER BY from_at, id', [unit, gateway]);
    return rows.map((r) => ({
      unit: r.unit as string,
      gateway: r.gateway as string,
      online: r.online === 1,
      from: num(r.from_at),
      to: numOrNull(r.to_at),
      confirmedAt: num(r.confirmed_at),
      central: r.central as string,
      source: r.source as PresenceRow['source'],
    }));
  }

  /** The latest reading of each device of a gateway. */
  async telemetry(unit: string, gateway: string): Promise<TelemetryRow[]> {
    const rows = await this.q.query('SELECT * FROM telemetry_latest WHERE unit = ? AND gateway = ? ORDER BY kit, component', [unit, gateway]);
    return rows.map((r) => ({
      unit: r.unit as string,
      gateway: r.gateway as string,
      kit: r.kit as string,
      component: r.component as string,
      value: JSON.parse(r.value as string) as unknown,
      at: num(r.at),
      receivedAt: num(r.received_at),
    }));
  }

  async counts(): Promise<LedgerCounts> {
    const r = await this.q.get<LedgerCounts>(`SELECT
      (SELECT COUNT(*) FROM usage_events) AS events,
      (SELECT COUNT(*) FROM gateways) AS gateways,
      (SELECT COUNT(*) FROM gateways WHERE online = 1) AS online,
      (SELECT COUNT(*) FROM seq_gaps WHERE closed_at IS NULL) AS "openGaps",
      (SELECT COUNT(*) FROM dead_letters) AS "deadLetters"`);
    return r as LedgerCounts;
  }
}
