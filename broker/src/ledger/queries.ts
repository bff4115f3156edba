/**
 * Read side of the ledger: what the tests and the HTTP API ask. Rows come back camel-cased with
 * booleans and JSON decoded, so no caller sees SQLite's 0/1 or a payload string.
 */
import type { Database } from 'better-sqlite3';
import type { UsageEvent } from '@stemlab/protocol';
import { gapStatus } from './gaps.ts';
import type { DeadLetterRow, GapRow, GatewayRow, KitStateRow, LedgerCounts, TelemetryRow, UsageEventRow } from './types.ts';

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

export class LedgerQueries {
  constructor(protected readonly db: Database) {}

  /** A gateway's usage events in seq order. */
  events(unit: string, gateway: string): UsageEventRow[] {
    const rows = this.db.prepare('SELECT * FROM usage_events WHERE unit = ? AND gateway = ? ORDER BY seq').all(unit, gateway) as Raw[];
    return rows.map(toEvent);
  }

  event(eventId: string): UsageEventRow | undefined {
    const row = this.db.prepare('SELECT * FROM usage_events WHERE event_id = ?').get(eventId) as Raw | undefined;
    return row && toEvent(row);
  }

  /** Sequence gaps, of one gateway or all, oldest range first. */
  gaps(unit?: string, gateway?: string): GapRow[] {
    const rows = this.db
      .prepare('SELECT * FROM seq_gaps WHERE (@unit IS NULL OR unit = @unit) AND (@gateway IS NULL OR gateway = @gateway) ORDER BY unit, gateway, from_seq')
      .all({ unit: unit ?? null, gateway: gateway ?? null }) as Raw[];
    return rows.map(toGap);
  }

  /** Dead letters, oldest first. */
  deadLetters(limit = 1000): DeadLetterRow[] {
    const rows = this.db.prepare('SELECT * FROM dead_letters ORDER BY id LIMIT ?').all(limit) as Raw[];
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

  gateway(unit: string, gateway: string): GatewayRow | undefined {
    const row = this.db.prepare('SELECT * FROM gateways WHERE unit = ? AND gateway = ?').get(unit, gateway) as Raw | undefined;
    return row && toGateway(row);
  }

  gateways(): GatewayRow[] {
    return (this.db.prepare('SELECT * FROM gateways ORDER BY unit, gateway').all() as Raw[]).map(toGateway);
  }

  kitStates(unit: string, gateway: string): KitStateRow[] {
    const rows = this.db.prepare('SELECT * FROM kit_states WHERE unit = ? AND gateway = ? ORDER BY kit').all(unit, gateway) as Raw[];
    return rows.map((r) => ({
      unit: r.unit as string,
      gateway: r.gateway as string,
      kit: r.kit as string,
      state: r.state as KitStateRow['state'],
      reason: strOrNull(r.reason),
      at: num(r.at),
      receivedAt: num(r.received_at),
    }));
  }

  /** The latest reading of each device of a gateway. */
  telemetry(unit: string, gateway: string): TelemetryRow[] {
    const rows = this.db
      .prepare('SELECT * FROM telemetry_latest WHERE unit = ? AND gateway = ? ORDER BY kit, component')
      .all(unit, gateway) as Raw[];
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

  counts(): LedgerCounts {
    const one = (sql: string) => (this.db.prepare(sql).get() as { n: number }).n;
    return {
      events: one('SELECT COUNT(*) AS n FROM usage_events'),
      gateways: one('SELECT COUNT(*) AS n FROM gateways'),
      online: one('SELECT COUNT(*) AS n FROM gateways WHERE online = 1'),
      openGaps: one('SELECT COUNT(*) AS n FROM seq_gaps WHERE closed_at IS NULL'),
      deadLetters: one('SELECT COUNT(*) AS n FROM dead_letters'),
    };
  }
}
