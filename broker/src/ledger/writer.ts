/**
 * The ledger's write side: what a batch of messages does to the tables (events, gaps, clock
 * corrections, kit-state and presence history, dead letters), inside one transaction. It runs
 * where the ledger's writing connection is: in a worker thread on SQLite (writer-worker.ts, so
 * the statements and the commit's fsync never hold the broker's event loop), on the main thread
 * for PostgreSQL (its commit already waits on the network, not on the thread).
 *
 * Idempotent by event id: a redelivered event (QoS 1 retry, outbox replay) is counted as a
 * duplicate and stored once. Sequence gaps: gaps.ts. Clock correction: clock.ts. Kit-state and
 * presence history: history.ts.
 */
import { isUtf8 } from 'node:buffer';
import { topics, type GatewayState } from '@stemlab/protocol';
import { validateUsage } from '../ingest/validate.ts';
import { BootClocks } from './clock.ts';
import { SeqGaps } from './gaps.ts';
import { History, type PresenceSource } from './history.ts';
import type { Queryable, SqlDriver, SqlValue } from './sql.ts';
import type { BatchResult, LedgerMessage } from './types.ts';

const SQL = {
  insertEvents: `INSERT INTO usage_events
    (event_id, unit, gateway, seq, type, kit, component, device_type, session_id, payload, at, corrected_at, clock_synced, boot_id, uptime_ms, received_at,
     ended_at, duration_ms, faults)
    VALUES`,
  eventStored: 'SELECT unit, gateway, payload FROM usage_events WHERE event_id = ?',
  seqOwner: 'SELECT event_id FROM usage_events WHERE unit = ? AND gateway = ? AND seq = ?',
  birth: `UPDATE gateways SET online = 1, bd_seq = ?, boot_id = ?, clock_offset_ms = ?, status_at = ?,
    outbox_pending = ?, outbox_evicted = ?, agent_version = COALESCE(?, agent_version) WHERE unit = ? AND gateway = ?`,
  offline: 'UPDATE gateways SET online = 0, status_at = ? WHERE unit = ? AND gateway = ?',
  bdSeq: 'SELECT bd_seq FROM gateways WHERE unit = ? AND gateway = ?',
  connection: 'UPDATE gateways SET connected = ?, online = ?, client_id = ?, status_at = ? WHERE unit = ? AND gateway = ?',
  kitState: `INSERT INTO kit_states (unit, gateway, kit, state, reason, at, received_at) VALUES (?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (unit, gateway, kit) DO UPDATE SET state = excluded.state, reason = excluded.reason, at = excluded.at, received_at = excluded.received_at`,
  telemetryInsert: 'INSERT INTO telemetry_latest (unit, gateway, kit, component, value, at, received_at) VALUES',
  telemetryConflict: 'ON CONFLICT (unit, gateway, kit, component) DO UPDATE SET value = excluded.value, at = excluded.at, received_at = excluded.received_at',
  deadLetter: 'INSERT INTO dead_letters (topic, payload, encoding, reason, client_id, received_at) VALUES (?, ?, ?, ?, ?, ?)',
} as const;

const EVENT_ROW = '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)';
const INSERT_EVENT = `${SQL.insertEvents} ${EVENT_ROW} ON CONFLICT DO NOTHING`;
/** Rows per INSERT: 16 parameters each, far below SQLite's 32,766 and PostgreSQL's 65,535. */
const INSERT_ROWS = 250;
/** Devices per telemetry upsert: 7 parameters each (one row per device: PostgreSQL refuses an upsert touching a row twice). */
const TELEMETRY_ROWS = 500;
/** The furthest a usage event's seq may be past its gateway's highest (usageRun): more events than any gateway makes while away. */
const MAX_SEQ_JUMP = 50_000_000;

type UsageMessage = Extract<LedgerMessage, { kind: 'usage' }>;

/**
 * The batch with each 'unchecked-usage' message validated (ingest/validate.ts validateUsage): a
 * usage message in its place, or left out and listed as invalid with its index and reason.
 */
function checkUsage(batch: readonly LedgerMessage[]): { messages: readonly LedgerMessage[]; invalid: Array<{ index: number; reason: string }> } {
  const invalid: Array<{ index: number; reason: string }> = [];
  if (!batch.some((m) => m.kind === 'unchecked-usage')) return { messages: batch, invalid };
  const messages: LedgerMessage[] = [];
  batch.forEach((m, index) => {
    if (m.kind !== 'unchecked-usage') return void messages.push(m);
    const r = validateUsage(m.unit, m.gateway, m.payload, m.receivedAt);
    if ('reason' in r) invalid.push({ index, reason: r.reason });
    else messages.push(r.message);
  });
  return { messages, invalid };
}

/** Writes batches; one per ledger, on the thread that owns the writing connection. */
export class LedgerWriter {
  private readonly clocks = new BootClocks();
  private readonly seqGaps = new SeqGaps();
  private readonly history: History;

  /** `run`: the opened ledger's id, on the presence rows it writes (history.ts). */
  constructor(readonly run: string) {
    this.history = new History(run);
  }

  /** Writes the messages in one transaction of `sql`: all or none. Rejects with the driver's error. */
  async insertBatch(sql: SqlDriver, messages: readonly LedgerMessage[]): Promise<BatchResult> {
    if (messages.length === 0) return { inserted: 0, duplicates: 0, deadLetters: 0, staleWills: 0 };
    try {
      return await sql.transaction((tx) => this.apply(tx, messages));
    } catch (err) {
      // The cached clock offsets may hold what the rollback undid.
      this.clocks.reset();
      throw err;
    }
  }

  /** The central stops at `at`: closes the presence intervals this run recorded. */
  endPresence(sql: SqlDriver, at: number): Promise<void> {
    return sql.transaction((tx) => this.history.end(tx, at));
  }

  /** Applies the messages inside the caller's transaction `tx`; the caller commits (or rolls back and calls reset). */
  async apply(tx: Queryable, batch: readonly LedgerMessage[]): Promise<BatchResult> {
    const result: BatchResult = { inserted: 0, duplicates: 0, deadLetters: 0, staleWills: 0 };
    const { messages, invalid } = checkUsage(batch);
    if (invalid.length > 0) result.invalid = invalid;
    // Each gateway's last_seen once per batch, at its latest message (not its first).
    const seen = new Map<string, { unit: string; gateway: string; at: number }>();
    for (const m of messages) {
      if (m.kind === 'dead-letter') continue;
      const key = `${m.unit}/${m.gateway}`;
      const latest = seen.get(key);
      if (!latest || m.receivedAt > latest.at) seen.set(key, { unit: m.unit, gateway: m.gateway, at: m.receivedAt });
    }
    if (tx.dialect.lockGateways && seen.size > 0) await tx.query(tx.dialect.lockGateways, [[...seen.keys()]]);
    const d = tx.dialect;
    for (const g of seen.values()) {
      await tx.run(
        `INSERT INTO gateways (unit, gateway, first_seen, last_seen) VALUES (?, ?, ?, ?)
         ON CONFLICT (unit, gateway) DO UPDATE SET last_seen = ${d.greatest('gateways.last_seen', 'excluded.last_seen')}`,
        [g.unit, g.gateway, g.at, g.at],
      );
      await this.history.confirm(tx, g.unit, g.gateway, g.at);
    }
    // The highest seq per gateway, read once per batch and kept up to date here (the gateways are ours until commit).
    const his = new Map<string, number>();
    // Consecutive usage events are inserted together (usageRun): on PostgreSQL a round trip per
    // few hundred events rather than per event, which is what a network database costs.
    let run: UsageMessage[] = [];
    const flushRun = async () => {
      if (run.length === 0) return;
      for (const outcome of await this.usageRun(tx, his, run)) {
        if (outcome === 'inserted') result.inserted++;
        else if (outcome === 'duplicate') result.duplicates++;
        else result.deadLetters++;
      }
      run = [];
    };
    // Telemetry only replaces each device's latest reading (a table no other message touches):
    // the batch's last per device, written together at the end (a round trip per few hundred
    // devices on PostgreSQL, not per reading), without breaking a run of usage events.
    const readings = new Map<string, Extract<LedgerMessage, { kind: 'telemetry' }>>();
    for (const m of messages) {
      if (m.kind === 'usage') {
        run.push(m);
        continue;
      }
      if (m.kind === 'telemetry') {
        const device = `${m.unit}\u0000${m.gateway}\u0000${m.kit}\u0000${m.component}`;
        readings.delete(device); // the map keeps arrival order: the latest goes last
        readings.set(device, m);
        continue;
      }
      await flushRun();
      switch (m.kind) {
        case 'unchecked-usage':
          break; // checkUsage made each a usage message or left it out
        case 'dead-letter':
          await this.deadLetter(tx, m.topic, m.payload, m.reason, m.clientId, m.receivedAt);
          result.deadLetters++;
          break;
        case 'gateway-state':
          if (!(await this.gatewayState(tx, m.unit, m.gateway, m.state, m.receivedAt))) result.staleWills++;
          break;
        case 'kit-state': {
          const s = m.state;
          const correctedAt = await this.clocks.correct(tx, m.unit, m.gateway, s);
          const row = { unit: m.unit, gateway: m.gateway, kit: m.kit, state: s.state, reason: s.reason ?? null, at: s.at, correctedAt, receivedAt: m.receivedAt };
          await this.history.kitState(tx, row);
          await tx.run(SQL.kitState, [m.unit, m.gateway, m.kit, s.state, row.reason, s.at, m.receivedAt]);
          break;
        }
        case 'connection': {
          const c = m.connected ? 1 : 0;
          await tx.run(SQL.connection, [c, c, m.clientId, m.receivedAt, m.unit, m.gateway]);
          await this.recordPresence(tx, m.unit, m.gateway, m.connected, m.receivedAt, m.connected ? 'connect' : 'disconnect');
          break;
        }
      }
    }
    await flushRun();
    const latest = [...readings.values()];
    for (let i = 0; i < latest.length; i += TELEMETRY_ROWS) {
      const chunk = latest.slice(i, i + TELEMETRY_ROWS);
      await tx.run(
        `${SQL.telemetryInsert} ${chunk.map(() => '(?, ?, ?, ?, ?, ?, ?)').join(', ')} ${SQL.telemetryConflict}`,
        chunk.flatMap((m) => [m.unit, m.gateway, m.kit, m.component, JSON.stringify(m.telemetry.value ?? null), m.telemetry.at, m.receivedAt]),
      );
    }
    return result;
  }

  private recordPresence(tx: Queryable, unit: string, gateway: string, online: boolean, at: number, source: PresenceSource): Promise<void> {
    return this.history.presence(tx, unit, gateway, online, at, source);
  }

  /**
   * A run of usage events, in arrival order. Their rows go in with multi-row INSERTs (PostgreSQL)
   * or one cached statement a row (SQLite: dialect.ts insertRows); then each
   * event, in order, is settled: inserted (gaps and evictions follow), a duplicate, or a second
   * event on a used seq (dead-lettered). The end state is the same as one event at a time: clock
   * offsets re-correct a boot's stored events when they improve (clock.ts), and a gap's counts are
   * recounted from the table, which already holds the whole run.
   */
  private async usageRun(tx: Queryable, his: Map<string, number>, run: readonly UsageMessage[]): Promise<Array<'inserted' | 'duplicate' | 'dead-letter'>> {
    // The highest seq of each gateway before the run's rows go in (kept up to date below, for the next run).
    for (const { unit, gateway } of run) {
      const key = `${unit}/${gateway}`;
      if (!his.has(key)) his.set(key, await this.seqGaps.maxSeq(tx, unit, gateway));
    }
    // A seq far past the highest seen is not a gap that can be filled: it would leave one open for good.
    const jumps = new Map<UsageMessage, string>();
    const highest = new Map(his);
    for (const m of run) {
      const key = `${m.unit}/${m.gateway}`;
      const hi = highest.get(key) ?? 0;
      if (m.event.seq > hi + MAX_SEQ_JUMP) jumps.set(m, `seq ${m.event.seq} is more than ${MAX_SEQ_JUMP} past the highest seq of ${key} (${hi}): no gateway produces that many events while away`);
      else highest.set(key, Math.max(hi, m.event.seq));
    }
    const rows: SqlValue[][] = [];
    /** Each event's payload text, as its row stores it (compared again for a duplicate). */
    const json = new Map<UsageMessage, string>();
    for (const m of run) {
      if (jumps.has(m)) continue;
      const { unit, gateway, event: e, receivedAt } = m;
      const text = JSON.stringify(e);
      json.set(m, text);
      if (e.clock.synced) await this.clocks.learn(tx, unit, gateway, e, receivedAt);
      const device = e.type === 'outbox.evicted' ? null : e.device;
      rows.push([
        e.eventId,
        unit,
        gateway,
        e.seq,
        e.type,
        device?.kit ?? null,
        device?.component ?? null,
        device?.type ?? null,
        e.type === 'outbox.evicted' ? null : e.session.id,
        text,
        e.at,
        await this.clocks.correct(tx, unit, gateway, e),
        e.clock.synced ? 1 : 0,
        e.clock.bootId,
        e.clock.uptimeMs,
        receivedAt,
        // A session end's figures, as columns for the report (the payload keeps them too).
        e.type === 'session.end' ? e.session.endedAt : null,
        e.type === 'session.end' ? e.session.durationMs : null,
        e.type === 'session.end' ? e.session.faults : null,
      ]);
    }
    const inserted = new Set<string>();
    const perInsert = Math.min(tx.dialect.insertRows, INSERT_ROWS);
    if (perInsert === 1) {
      // One statement text for every row: prepared once, `changes` says inserted (1) or already there (0).
      for (const row of rows) if ((await tx.run(INSERT_EVENT, row)).changes > 0) inserted.add(row[0] as string);
    } else {
      for (let i = 0; i < rows.length; i += perInsert) {
        const chunk = rows.slice(i, i + perInsert);
        const sql = `${SQL.insertEvents} ${chunk.map(() => EVENT_ROW).join(', ')} ON CONFLICT DO NOTHING RETURNING event_id`;
        for (const r of await tx.query<{ event_id: string }>(sql, chunk.flat())) inserted.add(r.event_id);
      }
    }
    const outcomes: Array<'inserted' | 'duplicate' | 'dead-letter'> = [];
    for (const m of run) {
      const { unit, gateway, event: e, receivedAt } = m;
      const key = `${unit}/${gateway}`;
      const hi = his.get(key) ?? 0;
      const jump = jumps.get(m);
      if (jump) {
        await this.deadLetter(tx, topics.usage(unit, gateway), Buffer.from(JSON.stringify(e)), `usage event cannot be true: ${jump}`, null, receivedAt);
        outcomes.push('dead-letter');
        continue;
      }
      if (inserted.delete(e.eventId)) {
        if (e.type === 'outbox.evicted') await this.seqGaps.onEviction(tx, unit, gateway, e.eventId, e.evicted, receivedAt);
        await this.seqGaps.onEvent(tx, unit, gateway, e.seq, hi, receivedAt);
        his.set(key, Math.max(hi, e.seq));
        outcomes.push('inserted');
        continue;
      }
      // Not inserted: the row's payload text, as it would have been stored (as bytes only for a dead letter).
      const text = json.get(m) as string;
      const stored = await tx.get<{ unit: string; gateway: string; payload: string }>(SQL.eventStored, [e.eventId]);
      if (stored && stored.unit === unit && stored.gateway === gateway && stored.payload === text) {
        outcomes.push('duplicate');
        continue;
      }
      const payload = Buffer.from(text);
      if (stored) {
        // The same id with other content (or from another gateway): not a resend. Kept visible, the first one stands.
        const where = stored.unit === unit && stored.gateway === gateway ? 'with different content' : `from ${stored.unit}/${stored.gateway}`;
        await this.deadLetter(tx, topics.usage(unit, gateway), payload, `event id ${e.eventId} was already stored ${where}: a conflicting duplicate, not a resend (the first one stands)`, null, receivedAt);
        outcomes.push('dead-letter');
      } else {
        // Not this event: its seq is taken by another one. The gateway lost its counter; keep both visible.
        const owner = (await tx.get<{ event_id: string }>(SQL.seqOwner, [unit, gateway, e.seq]))?.event_id;
        const reason = `seq ${e.seq} of ${unit}/${gateway} is already used by event ${owner ?? '?'}: the gateway reused a sequence number (was its outbox reset?)`;
        await this.deadLetter(tx, topics.usage(unit, gateway), payload, reason, null, receivedAt);
        outcomes.push('dead-letter');
      }
    }
    return outcomes;
  }

  /**
   * Births and wills. A birth always wins (it comes from a live connection). An offline will
   * whose bdSeq is older than the current birth's ends a connection that was already replaced
   * (Sparkplug's rule): it is stale and ignored. Returns false for a stale will.
   */
  private async gatewayState(tx: Queryable, unit: string, gateway: string, state: GatewayState, receivedAt: number): Promise<boolean> {
    if (state.status === 'online') {
      await this.clocks.learn(tx, unit, gateway, state, receivedAt);
      const offset = (await this.clocks.offset(tx, unit, gateway, state.clock.bootId)) ?? null;
      await tx.run(SQL.birth, [
        state.bdSeq,
        state.clock.bootId,
        offset,
        receivedAt,
        state.outbox?.pending ?? null,
        state.outbox?.evicted ?? null,
        state.agent?.version ?? null,
        unit,
        gateway,
      ]);
      await this.recordPresence(tx, unit, gateway, true, receivedAt, 'birth');
      return true;
    }
    const current = (await tx.get<{ bd_seq: number | null }>(SQL.bdSeq, [unit, gateway]))?.bd_seq ?? null;
    if (current !== null && state.bdSeq < current) return false;
    await tx.run(SQL.offline, [receivedAt, unit, gateway]);
    await this.recordPresence(tx, unit, gateway, false, receivedAt, 'will');
    return true;
  }

  private async deadLetter(tx: Queryable, topic: string, payload: Buffer, reason: string, clientId: string | null, receivedAt: number): Promise<void> {
    // NUL is valid UTF-8 but PostgreSQL's text cannot hold it: such a payload is kept as base64 too.
    const utf8 = isUtf8(payload) && !payload.includes(0);
    await tx.run(SQL.deadLetter, [topic, payload.toString(utf8 ? 'utf8' : 'base64'), utf8 ? 'utf8' : 'base64', reason, clientId, receivedAt]);
  }
}
