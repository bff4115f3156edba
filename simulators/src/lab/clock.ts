/** The time the simulated world runs on, in ms since the epoch. */
export interface SimClock {
  now(): number;
}

export const wallClock: SimClock = { now: () => Date.now() };

interface Timer {
  at: number;
  seq: number;
  fn: () => void;
}

/**
 * A clock that moves only when told to, with timers on it: a test runs a 30-second experiment
 * in a fraction of that by advancing it, and the simulated sensors and the experiment's sampling
 * agree on what time it is. Shaped like the agent's lab scheduler (now/setTimeout/clearTimeout).
 */
export class ManualClock implements SimClock {
  private time: number;
  private seq = 0;
  private readonly timers = new Map<number, Timer>();

  constructor(start = Date.UTC(2026, 0, 5, 7, 30)) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  setTimeout(fn: () => void, ms: number): number {
    const id = ++this.seq;
    this.timers.set(id, { at: this.time + Math.max(0, ms), seq: id, fn });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.timers.delete(handle as number);
  }

  /** Move time forward by `ms`, running every timer that falls due, in order, at its own time. */
  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      let next: Timer | undefined;
      for (const timer of this.timers.values()) if (timer.at <= end && (!next || timer.at < next.at || (timer.at === next.at && timer.seq < next.seq))) next = timer;
      if (!next) break;
      this.timers.delete(next.seq);
      this.time = next.at;
      next.fn();
    }
    this.time = end;
  }

  /** Timers waiting (for tests that check an experiment left none behind). */
  get pending(): number {
    return this.timers.size;
  }
}
