/**
 * The usage ledger on SQLite (better-sqlite3). One writer: the ingest hands it batches, each
 * written in one transaction, so the cost of a commit (an fsync) is shared by every message in
 * the batch. WAL lets the API read while the ingest writes; `synchronous = FULL` makes a commit
 * durable before it returns, which is what lets the broker acknowledge an event only after the
 * commit (ingest.ts) and promise that an acknowledged event survives a power cut.
 *
 * Idempotent by event id: a redelivered event (QoS 1 retry, outbox replay) is counted as a
 * duplicate and stored once. Sequence gaps: gaps.ts. Clock correction: clock.ts.
 */
import { isUtf8 } from 'node:buffer';
import Database, { type Database as Db, type Statement } from 'better-sqlite3';
import { topics, type GatewayState, type UsageEvent } from '@stemlab/protocol';
import { BootClocks } from './clock.ts';
import { SeqGaps } from './gaps.ts';
import { LedgerQueries } from './queries.ts';
import { migrate } from './schema.ts';
import type { BatchResult, LedgerMessage } from './types.ts';

export interface LedgerOptions {
  /**
   * How long a write waits for another connection's write lock, in ms. 0 (the default) makes a
   * write fail at once with SQLITE_BUSY: the ingest then retries the batch later without
   * blocking the event loop, where a wait here would stall the whole broker.
   */
  busyTimeoutMs?: number;
}

/** Totals since the ledger was opened (for metrics and tests). */
export interface LedgerStats extends BatchResult {
  /** Committed write transactions: far fewer than messages when batching works. */
  transactions: number;
  /** Messages written in those transactions. */
  messages: number;
}

type Bind = Record<string, string | number | null>;

export class Ledger extends LedgerQueries {
  readonly stats: LedgerStats = { transactions: 0, messages: 0, inserted: 0, duplicates: 0, deadLetters: 0, staleWills: 0 };
  private readonly clocks: BootClocks;
  private readonly seqGaps: SeqGaps;
  private readonly s: Record<
    'insertEvent' | 'eventExists' | 'seqOwner' | 'touch' | 'birth' | 'offline' | 'bdSeq' | 'connection' | 'kitState' | 'telemetry' | 'deadLetter',
    Statement
  >;
  private readonly writeBatch: (messages: readonly LedgerMessage[]) => BatchResult;

  private constructor(
    readonly file: string,
    db: Db,
  ) {
    super(db);
    this.clocks = new BootClocks(db);
    this.seqGaps = new SeqGaps(db);
    this.s = {
      insertEvent: db.prepare(`INSERT OR IGNORE INTO usage_events
        (event_id, unit, gateway, seq, type, kit, component, device_type, session_id, payload, at, corrected_at, clock_synced, boot_id, uptime_ms, received_at)
        VALUES (@eventId, @unit, @gateway, @seq, @type, @kit, @component, @deviceType, @sessionId, @payload, @at, @correctedAt, @synced, @bootId, @uptimeMs, @receivedAt)`),
      eventExists: db.prepare('SELECT 1 FROM usage_events WHERE event_id = ?').pluck(),
      seqOwner: db.prepare('SELECT event_id FROM usage_events WHERE unit = ? AND gateway = ? AND seq = ?').pluck(),
      touch: db.prepare(`INSERT INTO gateways (unit, gateway, first_seen, last_seen) VALUES (@unit, @gateway, @at, @at)
        ON CONFLICT (unit, gateway) DO UPDATE SET last_seen = MAX(last_seen, excluded.last_seen)`),
      birth: db.prepare(`UPDATE gateways SET online = 1, bd_seq = @bdSeq, boot_id = @bootId, clock_offset_ms = @offset, status_at = @at,
        outbox_pending = @pending, outbox_evicted = @evicted, agent_version = COALESCE(@version, agent_version) WHERE unit = @unit AND gateway = @gateway`),
      offline: db.prepare('UPDATE gateways SET online = 0, status_at = @at WHERE unit = @unit AND gateway = @gateway'),
      bdSeq: db.prepare('SELECT bd_seq FROM gateways WHERE unit = ? AND gateway = ?').pluck(),
      connection: db.prepare(`UPDATE gateways SET connected = @connected, online = @connected, client_id = @clientId, status_at = @at
        WHERE unit = @unit AND gateway = @gateway`),
      kitState: db.prepare(`INSERT INTO kit_states (unit, gateway, kit, state, reason, at, received_at) VALUES (@unit, @gateway, @kit, @state, @reason, @at, @receivedAt)
        ON CONFLICT (unit, gateway, kit) DO UPDATE SET state = excluded.state, reason = excluded.reason, at = excluded.at, received_at = excluded.received_at`),
      telemetry: db.prepare(`INSERT INTO telemetry_latest (unit, gateway, kit, component, value, at, received_at)
        VALUES (@unit, @gateway, @kit, @component, @value, @at, @receivedAt)
        ON CONFLICT (unit, gateway, kit, component) DO UPDATE SET value = excluded.value, at = excluded.at, received_at = excluded.received_at`),
      deadLetter: db.prepare(`INSERT INTO dead_letters (topic, payload, encoding, reason, client_id, received_at)
        VALUES (@topic, @payload, @encoding, @reason, @clientId, @receivedAt)`),
    };
    this.writeBatch = (messages) => db.transaction(() => this.apply(messages)).immediate();
  }

  /** Opens (creating and migrating if needed) the ledger in `file`. */
  static open(file: string, options: LedgerOptions = {}): Ledger {
    const db = new Database(file, { timeout: options.busyTimeoutMs ?? 0 });
    try {
      const mode = db.pragma('journal_mode = WAL', { simple: true });
      if (mode !== 'wal') throw new Error(`ledger ${file}: SQLite refused WAL mode (got '${String(mode)}'); put the data directory on a local disk`);
      // FULL: a commit is on disk (WAL fsynced) when it returns, so an acknowledged event survives a power cut.
      db.pragma('synchronous = FULL');
      migrate(db);
      return new Ledger(file, db);
    } catch (err) {
      db.close();
      throw err;
    }
  }

  /** Writes the messages in one transaction: all or none. Throws the SQLite error (e.g. SQLITE_BUSY) if it cannot commit. */
  insertBatch(messages: readonly LedgerMessage[]): BatchResult {
    if (messages.length === 0) return { inserted: 0, duplicates: 0, deadLetters: 0, staleWills: 0 };
    let result: BatchResult;
    try {
      result = this.writeBatch(messages);
    } catch (err) {
      this.clocks.reset();
      throw err;
    }
    const st = this.stats;
    st.transactions++;
    st.messages += messages.length;
    st.inserted += result.inserted;
    st.duplicates += result.duplicates;
    st.deadLetters += result.deadLetters;
    st.staleWills += result.staleWills;
    return result;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  private apply(messages: readonly LedgerMessage[]): BatchResult {
    const result: BatchResult = { inserted: 0, duplicates: 0, deadLetters: 0, staleWills: 0 };
    // Each gateway's last_seen once per batch, at its latest message (not its first).
    const seen = new Map<string, { unit: string; gateway: string; at: number }>();
    for (const m of messages) {
      if (m.kind === 'dead-letter') continue;
      const key = `${m.unit}/${m.gateway}`;
      const latest = seen.get(key);
      if (!latest || m.receivedAt > latest.at) seen.set(key, { unit: m.unit, gateway: m.gateway, at: m.receivedAt });
    }
    for (const touch of seen.values()) this.s.touch.run(touch);
    for (const m of messages) {
      if (m.kind === 'dead-letter') {
        this.deadLetter(m.topic, m.payload, m.reason, m.clientId, m.receivedAt);
        result.deadLetters++;
        continue;
      }
      switch (m.kind) {
        case 'usage': {
          const outcome = this.usage(m.unit, m.gateway, m.event, m.receivedAt);
          if (outcome === 'inserted') result.inserted++;
          else if (outcome === 'duplicate') result.duplicates++;
          else result.deadLetters++;
          break;
        }
        case 'gateway-state':
          if (!this.gatewayState(m.unit, m.gateway, m.state, m.receivedAt)) result.staleWills++;
          break;
        case 'kit-state':
          this.s.kitState.run({ unit: m.unit, gateway: m.gateway, kit: m.kit, state: m.state.state, reason: m.state.reason ?? null, at: m.state.at, receivedAt: m.receivedAt });
          break;
        case 'telemetry': {
          const value = JSON.stringify(m.telemetry.value ?? null);
          this.s.telemetry.run({ unit: m.unit, gateway: m.gateway, kit: m.kit, component: m.component, value, at: m.telemetry.at, receivedAt: m.receivedAt });
          break;
        }
        case 'connection':
          this.s.connection.run({ unit: m.unit, gateway: m.gateway, connected: m.connected ? 1 : 0, clientId: m.clientId, at: m.receivedAt });
          break;
      }
    }
    return result;
  }

  private usage(unit: string, gateway: string, e: UsageEvent, receivedAt: number): 'inserted' | 'duplicate' | 'dead-letter' {
    if (e.clock.synced) this.clocks.learn(unit, gateway, e, receivedAt);
    const hi = this.seqGaps.maxSeq(unit, gateway);
    const device = e.type === 'outbox.evicted' ? null : e.device;
    const row: Bind = {
      eventId: e.eventId,
      unit,
      gateway,
      seq: e.seq,
      type: e.type,
      kit: device?.kit ?? null,
      component: device?.component ?? null,
      deviceType: device?.type ?? null,
      sessionId: e.type === 'outbox.evicted' ? null : e.session.id,
      payload: JSON.stringify(e),
      at: e.at,
      correctedAt: this.clocks.correct(unit, gateway, e),
      synced: e.clock.synced ? 1 : 0,
      bootId: e.clock.bootId,
      uptimeMs: e.clock.uptimeMs,
      receivedAt,
    };
    if (this.s.insertEvent.run(row).changes === 0) {
      if (this.s.eventExists.get(e.eventId) !== undefined) return 'duplicate';
      // Not this event: its seq is taken by another one. The gateway lost its counter; keep both visible.
      const owner = this.s.seqOwner.get(unit, gateway, e.seq) as string;
      const reason = `seq ${e.seq} of ${unit}/${gateway} is already used by event ${owner}: the gateway reused a sequence number (was its outbox reset?)`;
      this.deadLetter(topics.usage(unit, gateway), Buffer.from(row.payload as string), reason, null, receivedAt);
      return 'dead-letter';
    }
    if (e.type === 'outbox.evicted') this.seqGaps.onEviction(unit, gateway, e.eventId, e.evicted, receivedAt);
    this.seqGaps.onEvent(unit, gateway, e.seq, hi, receivedAt);
    return 'inserted';
  }

  /**
   * Births and wills. A birth always wins (it comes from a live connection). An offline will
   * whose bdSeq is older than the current birth's ends a connection that was already replaced
   * (Sparkplug's rule): it is stale and ignored. Returns false for a stale will.
   */
  private gatewayState(unit: string, gateway: string, state: GatewayState, receivedAt: number): boolean {
    if (state.status === 'online') {
      this.clocks.learn(unit, gateway, state, receivedAt);
      this.s.birth.run({
        unit,
        gateway,
        bdSeq: state.bdSeq,
        bootId: state.clock.bootId,
        offset: this.clocks.offset(unit, gateway, state.clock.bootId) ?? null,
        at: receivedAt,
        pending: state.outbox?.pending ?? null,
        evicted: state.outbox?.evicted ?? null,
        version: state.agent?.version ?? null,
      });
      return true;
    }
    const current = this.s.bdSeq.get(unit, gateway) as number | null;
    if (current !== null && state.bdSeq < current) return false;
    this.s.offline.run({ unit, gateway, at: receivedAt });
    return true;
  }

  private deadLetter(topic: string, payload: Buffer, reason: string, clientId: string | null, receivedAt: number): void {
    const utf8 = isUtf8(payload);
    this.s.deadLetter.run({
      topic,
      payload: payload.toString(utf8 ? 'utf8' : 'base64'),
      encoding: utf8 ? 'utf8' : 'base64',
      reason,
      clientId,
      receivedAt,
    });
  }
}
