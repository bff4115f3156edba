/**
 * Exponential backoff with jitter: the one way both sides wait before trying again (a gateway
 * reaching the broker, a kit's serial link, the ingest reaching its broker or its ledger).
 *
 * The step doubles from `minMs` to `maxMs`; each wait is a random part of the step, between
 * `(1 - jitter) × step` and the step itself. Without the random part, every gateway of a city
 * that lost its central at the same moment would come back in the same second, and again at
 * each doubling. `reset()` after a success starts again from `minMs`.
 *
 * `random` is injectable so a test can replay a sequence (a seeded generator: `seededRandom`).
 */
export interface BackoffOptions {
  /** First step, in ms (> 0). */
  minMs: number;
  /** Largest step, in ms (≥ minMs). */
  maxMs: number;
  /** Share of each step that is random, 0–1 (default 0.5: a wait is between half the step and the step). */
  jitter?: number;
  /** A source of numbers in [0, 1); Math.random by default. */
  random?: () => number;
}

export class Backoff {
  private step: number;
  private readonly jitter: number;
  private readonly random: () => number;

  constructor(private readonly options: BackoffOptions) {
    const { minMs, maxMs } = options;
    this.jitter = options.jitter ?? 0.5;
    if (!(minMs > 0 && maxMs >= minMs)) throw new RangeError(`backoff: minMs must be > 0 and maxMs ≥ minMs (got ${minMs}, ${maxMs})`);
    if (!(this.jitter >= 0 && this.jitter <= 1)) throw new RangeError(`backoff: jitter must be between 0 and 1 (got ${this.jitter})`);
    this.step = minMs;
    this.random = options.random ?? Math.random;
  }

  /** The wait before the next attempt, in ms; the step after it doubles (up to maxMs). */
  next(): number {
    const step = this.step;
    this.step = Math.min(step * 2, this.options.maxMs);
    return Math.max(1, Math.round(step * (1 - this.jitter * this.random())));
  }

  /** After a success: the next wait is from minMs again. */
  reset(): void {
    this.step = this.options.minMs;
  }
}

/** A seeded generator of numbers in [0, 1) (mulberry32), for replayable jitter in tests and simulators. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
