/**
 * The durable outbox of usage events. An event is on disk before anyone publishes it and leaves
 * only when the broker has acknowledged it (ack), so a gateway offline for weeks, killed or
 * unplugged at any instant, loses nothing and repeats nothing at the ledger:
 *
 * - SQLite in WAL mode with `synchronous = FULL`: a committed append survives power loss, a
 *   half-done one is rolled back on the next open; never a torn file.
 * - The per-gateway `seq` and the `eventId` are assigned in the same transaction as the insert
 *   and stored with the event, so a replay after a restart sends the very same event (the ledger
 *   dedups by eventId) and a seq is never handed out twice (the last one is kept in `meta`,
 *   not derived from the rows, which acks delete).
 * - Bounded by count and age. The oldest go first, and every eviction appends an
 *   `outbox.evicted` event in the same transaction naming the seq range it removed, so the
 *   ledger sees each gap explained. An eviction that takes older notices folds their ranges and
 *   counts into the new one: nothing is lost, and the notices never pile up.
 *
 * One process owns the file (the agent); acks may be delayed or lost in a crash, which only
 * sends an event twice on the wire.
 *
 * It also journals the usage sessions still open (`open_sessions`): a row is added with a
 * session's start event and removed with its end event, in the same transaction, and the tracker
 * checkpoints their counts; so an agent that dies (power cut, kill) leaves exactly its open
 * sessions behind for the next start to end (usage/tracker.ts, endReason 'crash').
 */
import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { usageEventSchema, type UsageDraft, type UsageEvent } from '@stemlab/protocol';
import type { AgentConfig } from '../config/schema.ts';
import type { Logger } from '../core/log.ts';
import { systemClock, type ClockSource, type Stamp } from '../mqtt/clock.ts';
import type { LeftSession, SessionCheckpoint, SessionJournal } from '../usage/tracker.ts';

// seq is the primary key, assigned from meta.last_seq (never from max(seq): acks delete rows).
// The two indexes serve the age sweep; the partial one holds only events of a synchronised clock.
const SCHEMA = `
  CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL) STRICT;
  INSERT OR IGNORE INTO meta (key, value) VALUES ('last_seq', 0), ('evicted', 0), ('bd_seq', 0);
  CREATE TABLE IF NOT EXISTS events (
    seq INTEGER PRIMARY KEY, event_id TEXT NOT NULL, type TEXT NOT NULL, body TEXT NOT NULL,
    boot_id TEXT NOT NULL, uptime_ms INTEGER NOT NULL, wall_ms INTEGER NOT NULL, synced INTEGER NOT NULL
  ) STRICT;
  CREATE INDEX IF NOT EXISTS events_by_uptime ON events (boot_id, uptime_ms);
  CREATE INDEX IF NOT EXISTS events_by_wall ON events (wall_ms) WHERE synced = 1;
  CREATE TABLE IF NOT EXISTS open_sessions (
    id TEXT PRIMARY KEY, start TEXT NOT NULL, counts TEXT NOT NULL, last_activity INTEGER NOT NULL
  ) STRICT;
`;

type Meta = Record<'last_seq' | 'evicted' | 'bd_seq', number>;
type EventRow = { seq: number; event_id: string; type: string; body: string; boot_id: string; uptime_ms: number; wall_ms: number; synced: 0 | 1 };

type EvictedEvent = Extract<UsageEvent, { type: 'outbox.evicted' }>;

/** What the usage tracker appends: a usage event before the outbox numbers it. */
export type { UsageDraft };

export interface OutboxOptions {
  /** The SQLite file; its directory is created. */
  path: string;
  /** Most events kept (at least 2: an eviction notice and the event that caused it). */
  maxEvents: number;
  /** Events older than this are evicted (see evictByAge for what "older" can mean without a clock). */
  maxAgeMs: number;
  clock?: ClockSource;
  log?: Logger;
  /** Least time between two age sweeps on append, in ms (a sweep is an indexed query). */
  sweepEveryMs?: number;
  /**
   * 'full' (the default, every gateway): each append is fsynced, it survives a power loss.
   * 'normal': it survives the process being killed, not a power loss; for the simulated gateways
   * of a fleet on one machine (the demo's city), where 80 outboxes fsyncing every append would
   * be the machine's bottleneck.
   */
  sync?: 'full' | 'normal';
}

export interface OutboxStats {
  /** Events waiting for the broker. */
  pending: number;
  /** Usage events ever evicted from this outbox (eviction notices not counted). */
  evicted: number;
}

/** The outbox the config describes: `outbox.path`, or `outbox.sqlite` in `dataDir`. */
export function openOutbox(config: AgentConfig, options: { clock?: ClockSource; log?: Logger } = {}): Outbox {
  return Outbox.open({
    path: config.outbox.path ?? join(config.dataDir, 'outbox.sqlite'),
    maxEvents: config.outbox.maxEvents,
    maxAgeMs: config.outbox.maxAgeDays * 86_400_000,
    ...options,
  });
}

type AppendedListener = (event: UsageEvent) => void;

export class Outbox implements SessionJournal {
  private readonly db: Database.Database;
  private readonly clock: ClockSource;
  private readonly listeners = new Set<AppendedListener>();
  private readonly statements;
  private count: number;
  private lastSweep = Number.NEGATIVE_INFINITY;

  private constructor(private readonly options: OutboxOptions) {
    if (!Number.isInteger(options.maxEvents) || options.maxEvents < 2) throw new RangeError(`outbox maxEvents must be an integer ≥ 2, not ${options.maxEvents}`);
    this.clock = options.clock ?? systemClock;
    mkdirSync(dirname(options.path), { recursive: true });
    this.db = new Database(options.path);
    try {
      this.db.pragma('journal_mode = WAL');
      // FULL: WAL commits are fsynced, so an event acknowledged to the tracker survives power loss.
      this.db.pragma(`synchronous = ${options.sync === 'normal' ? 'NORMAL' : 'FULL'}`);
      this.db.exec(SCHEMA);
    } catch (err) {
      this.db.close();
      throw err;
    }
    const db = this.db;
    this.statements = {
      meta: db.prepare<[], { key: keyof Meta; value: number }>('SELECT key, value FROM meta'),
      setMeta: db.prepare<[number, keyof Meta]>('UPDATE meta SET value = ? WHERE key = ?'),
      bump: db.prepare<[keyof Meta], { value: number }>('UPDATE meta SET value = value + 1 WHERE key = ? RETURNING value'),
      insert: db.prepare<[EventRow]>(
        'INSERT INTO events (seq, event_id, type, body, boot_id, uptime_ms, wall_ms, synced) VALUES (@seq, @event_id, @type, @body, @boot_id, @uptime_ms, @wall_ms, @synced)',
      ),
      pending: db.prepare<[number, number], { body: string }>('SELECT body FROM events WHERE seq > ? ORDER BY seq LIMIT ?'),
      delete: db.prepare<[number]>('DELETE FROM events WHERE seq = ?'),
      count: db.prepare<[], { n: number }>('SELECT count(*) AS n FROM events'),
      nthOldest: db.prepare<[number], { seq: number }>('SELECT seq FROM events ORDER BY seq LIMIT 1 OFFSET ?'),
      tooOldInBoot: db.prepare<[string, number], { seq: number | null }>('SELECT max(seq) AS seq FROM events WHERE boot_id = ? AND uptime_ms < ?'),
      tooOldByWall: db.prepare<[number], { seq: number | null }>('SELECT max(seq) AS seq FROM events WHERE synced = 1 AND wall_ms < ?'),
      span: db.prepare<[number], { first: number; rows: number }>('SELECT min(seq) AS first, count(*) AS rows FROM events WHERE seq <= ?'),
      notices: db.prepare<[number], { body: string }>("SELECT body FROM events WHERE seq <= ? AND type = 'outbox.evicted'"),
      evict: db.prepare<[number]>('DELETE FROM events WHERE seq <= ?'),
      sessionOpened: db.prepare<[string, string, string, number]>('INSERT OR REPLACE INTO open_sessions (id, start, counts, last_activity) VALUES (?, ?, ?, ?)'),
      sessionEnded: db.prepare<[string]>('DELETE FROM open_sessions WHERE id = ?'),
      sessionProgress: db.prepare<[string, number, string]>('UPDATE open_sessions SET counts = ?, last_activity = ? WHERE id = ?'),
      sessionsLeft: db.prepare<[], { start: string; counts: string; last_activity: number }>('SELECT start, counts, last_activity FROM open_sessions'),
    };
    this.count = this.statements.count.get()!.n;
  }

  /** Opens (or creates) the outbox at options.path and evicts what has grown too old meanwhile. */
  static open(options: OutboxOptions): Outbox {
    const outbox = new Outbox(options);
    outbox.sweep();
    return outbox;
  }

  /**
   * Numbers the draft (seq, eventId), stores it durably and returns the event as it will be
   * published. Makes room first when full. Throws, storing nothing, when the draft does not fit
   * the usage event schema.
   */
  append(draft: UsageDraft): UsageEvent {
    const stamp = this.clock.now();
    const added = this.transaction(() => {
      const notices: UsageEvent[] = [];
      if (stamp.clock.uptimeMs - this.lastSweep >= (this.options.sweepEveryMs ?? 60_000) || stamp.clock.uptimeMs < this.lastSweep) {
        this.lastSweep = stamp.clock.uptimeMs;
        const notice = this.evictByAge(stamp);
        if (notice) notices.push(notice);
      }
      if (this.count + 1 > this.options.maxEvents) {
        // Evict in chunks (1 % of the outbox, at least 100 events or half a small one): a long
        // overflow then writes one notice per chunk, not per event, and notices stay a few percent
        // of what is stored.
        const { maxEvents } = this.options;
        const chunk = Math.max(Math.ceil(maxEvents / 100), Math.min(100, Math.floor(maxEvents / 2)));
        const room = Math.max(chunk, this.count + 2 - maxEvents);
        const toSeq = this.statements.nthOldest.get(Math.min(room, this.count) - 1)!.seq;
        notices.push(this.evict(toSeq, 'size', stamp));
      }
      return [...notices, this.insert(draft, stamp)];
    });
    this.notify(added);
    return added[added.length - 1]!;
  }

  /** Up to `limit` waiting events with seq > afterSeq, oldest first. */
  pending(limit: number, afterSeq = 0): UsageEvent[] {
    // Validated when appended; SQLite guards the bytes since, so no second parse here.
    return this.statements.pending.all(afterSeq, limit).map((row) => JSON.parse(row.body) as UsageEvent);
  }

  /** The broker has the event(s): forget them. Unknown seqs (already acked, evicted) are ignored. */
  ack(seqs: number | readonly number[]): void {
    const list = typeof seqs === 'number' ? [seqs] : seqs;
    if (list.length === 0) return;
    this.transaction(() => {
      for (const seq of list) this.count -= this.statements.delete.run(seq).changes;
    });
  }

  stats(): OutboxStats {
    return { pending: this.count, evicted: this.meta().evicted };
  }

  /**
   * The next birth sequence number (MQTT birth and will, Sparkplug's bdSeq), persisted before
   * it is used so that it never repeats across restarts.
   */
  nextBdSeq(): number {
    return this.statements.bump.get('bd_seq')!.value;
  }

  /** Sessions a previous run left open (it died without ending them); see the top of this file. */
  left(): LeftSession[] {
    return this.statements.sessionsLeft.all().map((row) => ({
      ...(JSON.parse(row.start) as Pick<LeftSession, 'device' | 'session'>),
      counts: JSON.parse(row.counts) as LeftSession['counts'],
      lastActivity: row.last_activity,
    }));
  }

  /** How far the open sessions have got, so that a crash loses at most one checkpoint interval. */
  checkpoint(sessions: readonly SessionCheckpoint[]): void {
    if (sessions.length === 0) return;
    this.transaction(() => {
      for (const s of sessions) this.statements.sessionProgress.run(JSON.stringify(s.counts), s.lastActivity, s.id);
    });
  }

  /** Evicts what is too old now; the MQTT side may call it on a timer, append does it anyway. */
  sweep(): UsageEvent | undefined {
    const stamp = this.clock.now();
    this.lastSweep = stamp.clock.uptimeMs;
    const notice = this.transaction(() => this.evictByAge(stamp));
    if (notice) this.notify([notice]);
    return notice;
  }

  /** Tells `listener` about every event stored (for the publisher to wake up); returns the remover. */
  on(_event: 'appended', listener: AppendedListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  close(): void {
    this.listeners.clear();
    if (this.db.open) this.db.close();
  }

  private transaction<T>(work: () => T): T {
    const count = this.count;
    try {
      // IMMEDIATE: take the write lock up front, so a transaction never fails halfway on a busy file.
      return this.db.transaction(work).immediate();
    } catch (err) {
      this.count = count;
      throw err;
    }
  }

  private meta(): Meta {
    const meta = { last_seq: 0, evicted: 0, bd_seq: 0 };
    for (const row of this.statements.meta.all()) meta[row.key] = row.value;
    return meta;
  }

  private insert(draft: UsageDraft | Omit<EvictedEvent, 'v' | 'eventId' | 'seq'>, stamp: Stamp): UsageEvent {
    const seq = this.statements.bump.get('last_seq')!.value;
    // The outbox's numbers win over anything a caller slipped into the draft.
    const parsed = usageEventSchema.safeParse({ ...draft, v: 1, eventId: randomUUID(), seq });
    if (!parsed.success) throw new TypeError(`usage event not stored: ${z.prettifyError(parsed.error)}`);
    const event = parsed.data;
    this.statements.insert.run({
      seq,
      event_id: event.eventId,
      type: event.type,
      body: JSON.stringify(event),
      boot_id: stamp.clock.bootId,
      uptime_ms: stamp.clock.uptimeMs,
      wall_ms: stamp.at,
      synced: stamp.clock.synced ? 1 : 0,
    });
    this.count += 1;
    if (event.type === 'session.start') {
      const start = JSON.stringify({ device: event.device, session: event.session });
      this.statements.sessionOpened.run(event.session.id, start, JSON.stringify({ activations: 0, motorMs: 0, readings: 0 }), event.session.startedAt);
    } else if (event.type === 'session.end') {
      this.statements.sessionEnded.run(event.session.id);
    }
    return event;
  }

  /**
   * Age is measured on the clock that can be trusted: within one boot, by uptime (exact, however
   * wrong the wall clock); across boots, by the wall clock only when it was synchronised both
   * when the event was stored and now. An event of unknown age stays, unless a younger one is
   * known too old: then it is older still, and goes with it (oldest first, always).
   */
  private evictByAge(stamp: Stamp): UsageEvent | undefined {
    const inBoot = this.statements.tooOldInBoot.get(stamp.clock.bootId, stamp.clock.uptimeMs - this.options.maxAgeMs)?.seq ?? null;
    const byWall = stamp.clock.synced ? (this.statements.tooOldByWall.get(stamp.at - this.options.maxAgeMs)?.seq ?? null) : null;
    const toSeq = Math.max(inBoot ?? 0, byWall ?? 0);
    return toSeq > 0 ? this.evict(toSeq, 'age', stamp) : undefined;
  }

  /** Removes every event with seq ≤ toSeq and appends the notice that explains the gap. */
  private evict(toSeq: number, reason: 'size' | 'age', stamp: Stamp): UsageEvent {
    const { first, rows } = this.statements.span.get(toSeq)!;
    const folded = this.statements.notices.all(toSeq).map((row) => (JSON.parse(row.body) as EvictedEvent).evicted);
    // Usage events lost now; older notices taken with this batch hand their gap on to this one.
    const lost = rows - folded.length;
    const fromSeq = Math.min(first, ...folded.map((old) => old.fromSeq));
    const count = lost + folded.reduce((sum, old) => sum + old.count, 0);
    this.count -= this.statements.evict.run(toSeq).changes;
    this.statements.setMeta.run(this.meta().evicted + lost, 'evicted');
    this.options.log?.warn({ fromSeq, toSeq, count: lost, reason }, 'outbox full or stale: oldest usage events evicted');
    return this.insert({ type: 'outbox.evicted', at: stamp.at, clock: stamp.clock, evicted: { count, fromSeq, toSeq, reason } }, stamp);
  }

  private notify(events: UsageEvent[]): void {
    for (const event of events) {
      for (const listener of this.listeners) {
        try {
          listener(event);
        } catch (err) {
          this.options.log?.error({ err }, 'outbox listener failed');
        }
      }
    }
  }
}
