/**
 * Repair time and gateway uptime, from the ledger's history (ledger/history.ts): pure functions
 * over rows the quarterly report reads, so the arithmetic is tested without a database.
 */

export interface KitStateAt {
  state: 'connected' | 'disconnected' | 'fault';
  /** The change's time (corrected when it could be). */
  t: number;
}

export interface KitRepairs {
  /** Durations (ms) of the repairs that ENDED in [from, to). */
  durations: number[];
  /** Out of service at `to`: a fault or disconnection before it and no `connected` since. */
  unrepaired: boolean;
}

/**
 * A repair runs from a kit's fault or disconnection (the first of a run of them) to its next
 * `connected`. It is counted in the quarter it ends in, whole (a repair is a duration, not use
 * to be split between quarters); one still running at the quarter's end is `unrepaired`.
 * `changes`: one kit's state changes before `to`, in time order.
 */
export function kitRepairs(changes: readonly KitStateAt[], from: number, to: number): KitRepairs {
  const durations: number[] = [];
  let down: number | undefined;
  for (const c of changes) {
    if (c.t >= to) break;
    if (c.state !== 'connected') down ??= c.t;
    else if (down !== undefined) {
      if (c.t >= from) durations.push(c.t - down);
      down = undefined;
    }
  }
  return { durations, unrepaired: down !== undefined };
}

export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

export interface PresenceInterval {
  online: boolean;
  from: number;
  /** null: still the current state. */
  to: number | null;
}

export interface Uptime {
  /** The stretch measured: the quarter, from the gateway's first appearance, up to now. */
  windowMs: number;
  onlineMs: number;
  offlineMs: number;
  /** Covered by no interval: the central was stopped or had crashed, so nobody knows. */
  unknownMs: number;
  /** onlineMs / windowMs (unknown time counts as not online: a lower bound); null for an empty window. */
  share: number | null;
}

/**
 * A gateway's presence over [max(from, firstSeen), min(to, now)). An interval still open counts
 * up to the window's end: the central that opened it is taken to be running (when it is not, the
 * interval is closed at its last confirmation by the next change, and the report read again).
 */
export function uptime(intervals: readonly PresenceInterval[], from: number, to: number, firstSeen: number, now: number): Uptime {
  const start = Math.max(from, firstSeen);
  const end = Math.min(to, now);
  const windowMs = Math.max(0, end - start);
  let onlineMs = 0;
  let offlineMs = 0;
  for (const i of intervals) {
    const ms = Math.max(0, Math.min(i.to ?? end, end) - Math.max(i.from, start));
    if (i.online) onlineMs += ms;
    else offlineMs += ms;
  }
  return { windowMs, onlineMs, offlineMs, unknownMs: Math.max(0, windowMs - onlineMs - offlineMs), share: windowMs > 0 ? onlineMs / windowMs : null };
}
