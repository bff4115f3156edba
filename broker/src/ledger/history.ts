/**
 * History for the report's repair time and gateway uptime, written inside the ledger's batches.
 *
 * Kit states: a row per CHANGE of a kit's state (connected / disconnected / fault): a state equal
 * to the kit's current one (a retained state re-published on reconnect) is a repeat, not written.
 *
 * Presence: each gateway's timeline as intervals [from_at, to_at) of online (1) or offline (0),
 * from births, wills that are not stale (ledger.ts decides) and the broker's own connect and
 * disconnect events; one interval open (to_at NULL) at a time. Every row carries the run of the
 * central that recorded it (a random id per opened ledger). What no interval covers is UNKNOWN,
 * and the report says so:
 *   - a central that stops closes its open intervals at its stop (endPresence): the time until it
 *     runs again is unknown;
 *   - a central that crashed leaves them open: the next change for that gateway, written by
 *     another run, closes the old interval at its `confirmed_at` (the last message from the
 *     gateway while it held, kept up to date by every batch) and the stretch until the change is
 *     unknown.
 * This assumes one central records a gateway at a time, as a gateway is connected to one broker.
 */
import type { Queryable } from './sql.ts';

export type PresenceSource = 'birth' | 'will' | 'connect' | 'disconnect';

// The casts: PostgreSQL types a bare parameter in a SELECT list as text (SQLite ignores them).
const KIT_CHANGE = `INSERT INTO kit_state_history (unit, gateway, kit, state, reason, at, corrected_at, received_at)
  SELECT ?, ?, ?, ?, ?, CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS BIGINT)
  WHERE NOT EXISTS (SELECT 1 FROM kit_states WHERE unit = ? AND gateway = ? AND kit = ? AND state = ?)`;
const OPEN = 'SELECT id, online, central, from_at, confirmed_at FROM gateway_presence WHERE unit = ? AND gateway = ? AND to_at IS NULL';
const CLOSE = 'UPDATE gateway_presence SET to_at = ? WHERE id = ?';
const START = `INSERT INTO gateway_presence (unit, gateway, online, from_at, to_at, confirmed_at, central, source)
  VALUES (?, ?, ?, ?, NULL, ?, ?, ?)`;

export class History {
  /** `central`: this run's id, on every presence row it writes. */
  constructor(readonly central: string) {}

  /** Before the kit's current state is replaced: records the new one if it differs. */
  async kitState(tx: Queryable, k: { unit: string; gateway: string; kit: string; state: string; reason: string | null; at: number; correctedAt: number | null; receivedAt: number }): Promise<void> {
    await tx.run(KIT_CHANGE, [k.unit, k.gateway, k.kit, k.state, k.reason, k.at, k.correctedAt, k.receivedAt, k.unit, k.gateway, k.kit, k.state]);
  }

  /** The gateway is (still, or now) online or offline at `at` (see the top of this file). */
  async presence(tx: Queryable, unit: string, gateway: string, online: boolean, at: number, source: PresenceSource): Promise<void> {
    const open = await tx.get<{ id: number; online: number; central: string; from_at: number; confirmed_at: number }>(OPEN, [unit, gateway]);
    if (open) {
      const mine = open.central === this.central;
      if (mine && (open.online === 1) === online) return;
      // Ours: it held until now. Another run's (crashed): known only until its last confirmation.
      const end = mine ? at : open.confirmed_at;
      await tx.run(CLOSE, [Math.max(open.from_at, Math.min(end, at)), open.id]);
    }
    await tx.run(START, [unit, gateway, online ? 1 : 0, at, at, this.central, source]);
  }

  /** A batch heard from the gateway at `at`: its current state (if this run's) held until then. */
  async confirm(tx: Queryable, unit: string, gateway: string, at: number): Promise<void> {
    const d = tx.dialect;
    await tx.run(`UPDATE gateway_presence SET confirmed_at = ${d.greatest('confirmed_at', '?')} WHERE unit = ? AND gateway = ? AND to_at IS NULL AND central = ?`, [
      at,
      unit,
      gateway,
      this.central,
    ]);
  }

  /** The central stops: what comes after `at` is unknown. */
  async end(tx: Queryable, at: number): Promise<void> {
    await tx.run(`UPDATE gateway_presence SET to_at = ${tx.dialect.greatest('from_at', '?')} WHERE to_at IS NULL AND central = ?`, [at, this.central]);
  }
}
