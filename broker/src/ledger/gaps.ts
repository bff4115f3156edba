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
import type { Queryable } from './sql.ts';
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

const MAX = 'SELECT MAX(seq) AS hi FROM usage_events WHERE unit = ? AND gateway = ?';
const COUNT_IN = 'SELECT COUNT(*) AS n FROM usage_events WHERE unit = ? AND gateway = ? AND seq BETWEEN ? AND ?';
const EVICTIONS_IN = 'SELECT from_seq, to_seq FROM evictions WHERE unit = ? AND gateway = ? AND from_seq <= ? AND to_seq >= ? ORDER BY from_seq';
const OPEN_IN = 'SELECT id, from_seq, to_seq FROM seq_gaps WHERE unit = ? AND gateway = ? AND closed_at IS NULL AND from_seq <= ? AND to_seq >= ?';
const INSERT_GAP = 'INSERT INTO seq_gaps (unit, gateway, from_seq, to_seq, missing, detected_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id';
const UPDATE_GAP = 'UPDATE seq_gaps SET missing = ?, evicted = ?, closed_at = ? WHERE id = ?';
const INSERT_EVICTION =
  'INSERT INTO evictions (event_id, unit, gateway, from_seq, to_seq, reason, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING';

/** The gap bookkeeping, run inside the ledger's write transactions. */
export class SeqGaps {
  /** The highest seq stored for the gateway, 0 if none. */
  async maxSeq(tx: Queryable, unit: string, gateway: string): Promise<number> {
    return (await tx.get<{ hi: number | null }>(MAX, [unit, gateway]))?.hi ?? 0;
  }

  /** After a new event `seq` was stored, `hi` being the highest seq before it. */
  async onEvent(tx: Queryable, unit: string, gateway: string, seq: number, hi: number, now: number): Promise<void> {
    if (seq > hi + 1) {
      const row = (await tx.get<{ id: number }>(INSERT_GAP, [unit, gateway, hi + 1, seq - 1, seq - 1 - hi, now])) as { id: number };
      await this.recount(tx, unit, gateway, { id: row.id, from_seq: hi + 1, to_seq: seq - 1 }, now);
    } else if (seq < hi) {
      for (const gap of await tx.query<GapRecord>(OPEN_IN, [unit, gateway, seq, seq])) await this.recount(tx, unit, gateway, gap, now);
    }
  }

  /** After an outbox.evicted event was stored: its range is explained, not missing. */
  async onEviction(tx: Queryable, unit: string, gateway: string, eventId: string, eviction: Eviction, now: number): Promise<void> {
    await tx.run(INSERT_EVICTION, [eventId, unit, gateway, eviction.fromSeq, eviction.toSeq, eviction.reason, now]);
    for (const gap of await tx.query<GapRecord>(OPEN_IN, [unit, gateway, eviction.toSeq, eviction.fromSeq])) await this.recount(tx, unit, gateway, gap, now);
  }

  private async recount(tx: Queryable, unit: string, gateway: string, gap: GapRecord, now: number): Promise<void> {
    const count = async (from: number, to: number) => (await tx.get<{ n: number }>(COUNT_IN, [unit, gateway, from, to]))?.n ?? 0;
    const size = gap.to_seq - gap.from_seq + 1;
    const arrived = await count(gap.from_seq, gap.to_seq);
    let evicted = 0;
    // Reports may overlap (a range reported twice): count each seq once, by merging in order.
    let covered = gap.from_seq - 1;
    for (const e of await tx.query<{ from_seq: number; to_seq: number }>(EVICTIONS_IN, [unit, gateway, gap.to_seq, gap.from_seq])) {
      const from = Math.max(e.from_seq, covered + 1);
      const to = Math.min(e.to_seq, gap.to_seq);
      if (from > to) continue;
      // An evicted seq that arrived anyway (it left the outbox as it was acknowledged) is stored, not lost.
      evicted += to - from + 1 - (await count(from, to));
      covered = to;
    }
    const missing = size - arrived - evicted;
    await tx.run(UPDATE_GAP, [missing, evicted, missing <= 0 ? now : null, gap.id]);
  }
}
