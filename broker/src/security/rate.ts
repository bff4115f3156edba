/**
 * Token buckets: a sustained rate with a burst above it. The broker keeps one per client (its
 * publishes) and one per remote address (its CONNECTs).
 */
export interface Rate {
  perSecond: number;
  burst: number;
}

export interface Bucket {
  tokens: number;
  at: number;
}

/** Tops the bucket up for the time since it was last touched; the tokens it holds now. */
export function refill(bucket: Bucket, rate: Rate, now: number): number {
  bucket.tokens = Math.min(rate.burst, bucket.tokens + ((now - bucket.at) / 1000) * rate.perSecond);
  bucket.at = now;
  return bucket.tokens;
}

/** True if one token was taken. */
export function take(bucket: Bucket, rate: Rate, now = Date.now()): boolean {
  if (refill(bucket, rate, now) < 1) return false;
  bucket.tokens--;
  return true;
}

/**
 * One bucket per key (a remote address), created full. Keys whose bucket has refilled are
 * forgotten every minute, so the map does not grow with every address ever seen.
 */
export class KeyedBuckets {
  private readonly buckets = new Map<string, Bucket>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(private readonly rate: Rate) {
    this.sweeper = setInterval(() => this.sweep(Date.now()), 60_000).unref();
  }

  /** True if `key` may go ahead (a token was taken); always true when the rate is 0 (no limit). */
  take(key: string, now = Date.now()): boolean {
    if (this.rate.perSecond <= 0) return true;
    let bucket = this.buckets.get(key);
    if (!bucket) this.buckets.set(key, (bucket = { tokens: this.rate.burst, at: now }));
    return take(bucket, this.rate, now);
  }

  sweep(now: number): void {
    for (const [key, bucket] of this.buckets) if (refill(bucket, this.rate, now) >= this.rate.burst) this.buckets.delete(key);
  }

  stop(): void {
    clearInterval(this.sweeper);
  }
}
