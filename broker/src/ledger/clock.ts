/**
 * Clock correction. A Pi without an RTC boots with a stale wall clock and fixes it only when NTP
 * answers, so an event's `at` can be wrong by days. Its monotonic clock is right, though: every
 * timed payload carries `clock.bootId` and `clock.uptimeMs`. Within one boot,
 *
 *     true time = offset(boot) + uptimeMs
 *
 * and the ledger learns offset(boot) from, best first:
 *   1. 'synced': any payload of that boot whose clock was synchronised: offset = at − uptimeMs.
 *      Exact up to NTP's error.
 *   2. 'birth':  the boot's birth (`state` online) received unsynchronised:
 *      offset = central's receive time − birth.clock.uptimeMs. Late by the birth's network delay
 *      (milliseconds on a live connection: the agent publishes its birth right after CONNACK).
 *
 * An event then gets corrected_at:
 *   - synced event: corrected_at = at;
 *   - unsynced event of a boot with a known offset: corrected_at = offset + event.clock.uptimeMs;
 *   - otherwise NULL (a boot the ledger never heard a birth or a synced payload from, e.g. a
 *     gateway that ran offline from power-on to power-off): reports fall back to `at` and say so.
 * When a better offset is learned later (the gateway's NTP syncs), the unsynced events of that
 * boot already stored are corrected again, so corrected_at never stays on the worse estimate.
 */
import type { Clock } from '@stemlab/protocol';
import type { Queryable } from './sql.ts';

export type OffsetSource = 'synced' | 'birth';

/** The offset a payload tells about its boot (see above). */
export function offsetOf(payload: { at: number; clock: Clock }, receivedAt: number): { offsetMs: number; source: OffsetSource } {
  return payload.clock.synced
    ? { offsetMs: payload.at - payload.clock.uptimeMs, source: 'synced' }
    : { offsetMs: receivedAt - payload.clock.uptimeMs, source: 'birth' };
}

// A 'synced' offset replaces a 'birth' one, never the other way round; a later birth of the
// same boot (a reconnect) does not move an offset already learned.
const UPSERT = `
  INSERT INTO gateway_boots (unit, gateway, boot_id, offset_ms, source, learned_at) VALUES (?, ?, ?, ?, ?, ?)
  ON CONFLICT (unit, gateway, boot_id) DO UPDATE SET offset_ms = excluded.offset_ms, source = excluded.source, learned_at = excluded.learned_at
  WHERE gateway_boots.source = 'birth' AND excluded.source = 'synced'`;
const RECORRECT = 'UPDATE usage_events SET corrected_at = ? + uptime_ms WHERE unit = ? AND gateway = ? AND boot_id = ? AND clock_synced = 0';
const SELECT = 'SELECT offset_ms FROM gateway_boots WHERE unit = ? AND gateway = ? AND boot_id = ?';

/** The per-boot offsets in `gateway_boots`, learned and applied inside the ledger's transactions. */
export class BootClocks {
  /** Boots whose offset is already 'synced' (the best there is): spares a write per synced event. */
  private readonly settled = new Set<string>();

  /** Records what a payload tells about its boot's offset; re-corrects that boot's events if it improved. */
  async learn(tx: Queryable, unit: string, gateway: string, payload: { at: number; clock: Clock }, receivedAt: number): Promise<void> {
    const key = `${unit}/${gateway}/${payload.clock.bootId}`;
    if (this.settled.has(key)) return;
    const { offsetMs, source } = offsetOf(payload, receivedAt);
    const changed = (await tx.run(UPSERT, [unit, gateway, payload.clock.bootId, offsetMs, source, receivedAt])).changes > 0;
    if (source === 'synced') {
      // Bounded memo: forgetting costs one idempotent upsert.
      if (this.settled.size >= 10_000) this.settled.clear();
      this.settled.add(key);
    }
    if (changed) await tx.run(RECORRECT, [offsetMs, unit, gateway, payload.clock.bootId]);
  }

  /** Forgets what the memo knows: called when a transaction rolls back, taking its writes with it. */
  reset(): void {
    this.settled.clear();
  }

  /** The boot's offset, if learned. */
  async offset(q: Queryable, unit: string, gateway: string, bootId: string): Promise<number | undefined> {
    return (await q.get<{ offset_ms: number }>(SELECT, [unit, gateway, bootId]))?.offset_ms;
  }

  /** corrected_at for a payload (see the rule above). */
  async correct(q: Queryable, unit: string, gateway: string, payload: { at: number; clock: Clock }): Promise<number | null> {
    if (payload.clock.synced) return payload.at;
    const offset = await this.offset(q, unit, gateway, payload.clock.bootId);
    return offset === undefined ? null : offset + payload.clock.uptimeMs;
  }
}
