/**
 * Sequence gaps. A gateway numbers its usage events 1, 2, 3... without holes, so a hole at the
 * ledger is an event still on its way (in the outbox of a gateway that is offline, or being
 * replayed) or lost. When an event arrives past the highest seq stored so far (hi), the range
 * [hi+1, seq−1] becomes a gap row. Its range never changes afterwards (it is the record of what
 * was detected); its counts do:
 *   missing = seqs of the range neither stored nor inside a reported eviction,
 *   evicted = seqs of the range inside a reported eviction (outbox.evicted) and not stored.
 * The gap closes (closed_at) when missing reaches 0: every event arrived late or was reported
 * evicted. Its status is then 'evicted' if some were evicted, else 'closed'; until then 'open'.
 * An eviction can be reported before its gap is seen (the agent replays in seq order, but the
 * evicted events were never sent): it waits in `evictions` and is counted when the gap appears.
 */
import type { Database, Statement } from 'better-sqlite3';
import type { GapStatus } from './types.ts';

interface GapRecord {
  id: number;
  from_seq: number;
  to_seq: number;
}

export interface Eviction {
  fromSeq: number;
  toSeq: number;
  reason: string;
}

export function gapStatus(missing: number, evicted: number): GapStatus {
  if (missing > 0) return 'open';
  return evicted > 0 ? 'evicted' : 'closed';
}

export class SeqGaps {
  private readonly max: Statement<[string, string], { hi: number | null }>;
  private readonly countIn: Statement<[string, string, number, number], { n: number }>;
  private readonly evictionsIn: Statement<[string, string, number, number], { from_seq: number; to_seq: number }>;
  private readonly openIn: Statement<[string, string, number, number], GapRecord>;
  private readonly insertGap: Statement<[string, string, number, number, number, number]>;
  private readonly updateGap: Statement<[number, number, number | null, number]>;
  private readonly insertEviction: Statement<[string, string, string, number, number, string, number]>;

  constructor(db: Database) {
    this.max = db.prepare('SELECT MAX(seq) AS hi FROM usage_events WHERE unit = ? AND gateway = ?');
    this.countIn = db.prepare('SELECT COUNT(*) AS n FROM usage_events WHERE unit = ? AND gateway = ? AND seq BETWEEN ? AND ?');
    this.evictionsIn = db.prepare(
      'SELECT from_seq, to_seq FROM evictions WHERE unit = ? AND gateway = ? AND from_seq <= ? AND to_seq >= ? ORDER BY from_seq',
    );
    this.openIn = db.prepare(
      'SELECT id, from_seq, to_seq FROM seq_gaps WHERE unit = ? AND gateway = ? AND closed_at IS NULL AND from_seq <= ? AND to_seq >= ?',
    );
    this.insertGap = db.prepare(
      'INSERT INTO seq_gaps (unit, gateway, from_seq, to_seq, missing, detected_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id',
    );
    this.updateGap = db.prepare('UPDATE seq_gaps SET missing = ?, evicted = ?, closed_at = ? WHERE id = ?');
    this.insertEviction = db.prepare(
      'INSERT OR IGNORE INTO evictions (event_id, unit, gateway, from_seq, to_seq, reason, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
  }

  /** The highest seq stored for the gateway, 0 if none. */
  maxSeq(unit: string, gateway: string): number {
    return this.max.get(unit, gateway)?.hi ?? 0;
  }

  /** After a new event `seq` was stored, `hi` being the highest seq before it. */
  onEvent(unit: string, gateway: string, seq: number, hi: number, now: number): void {
    if (seq > hi + 1) {
      const row = this.insertGap.get(unit, gateway, hi + 1, seq - 1, seq - 1 - hi, now) as { id: number };
      this.recount(unit, gateway, { id: row.id, from_seq: hi + 1, to_seq: seq - 1 }, now);
    } else if (seq < hi) {
      for (const gap of this.openIn.all(unit, gateway, seq, seq)) this.recount(unit, gateway, gap, now);
    }
  }

  /** After an outbox.evicted event was stored: its range is explained, not missing. */
  onEviction(unit: string, gateway: string, eventId: string, eviction: Eviction, now: number): void {
    this.insertEviction.run(eventId, unit, gateway, eviction.fromSeq, eviction.toSeq, eviction.reason, now);
    for (const gap of this.openIn.all(unit, gateway, eviction.toSeq, eviction.fromSeq)) this.recount(unit, gateway, gap, now);
  }

  private recount(unit: string, gateway: string, gap: GapRecord, now: number): void {
    const size = gap.to_seq - gap.from_seq + 1;
    const arrived = this.countIn.get(unit, gateway, gap.from_seq, gap.to_seq)?.n ?? 0;
    let evicted = 0;
    // Reports may overlap (a range reported twice): count each seq once, by merging in order.
    let covered = gap.from_seq - 1;
    for (const e of this.evictionsIn.all(unit, gateway, gap.to_seq, gap.from_seq)) {
      const from = Math.max(e.from_seq, covered + 1);
      const to = Math.min(e.to_seq, gap.to_seq);
      if (from > to) continue;
      // An evicted seq that arrived anyway (it left the outbox as it was acknowledged) is stored, not lost.
      evicted += to - from + 1 - (this.countIn.get(unit, gateway, from, to)?.n ?? 0);
      covered = to;
    }
    const missing = size - arrived - evicted;
    this.updateGap.run(missing, evicted, missing <= 0 ? now : null, gap.id);
  }
}
