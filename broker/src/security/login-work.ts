/**
 * The slow hashes log-ins cost, bounded. Each password check is an scrypt (N = 2^15, ~32 MiB and
 * tens of ms on libuv's 4-thread pool): unbounded, a flood of wrong passwords fills the pool and a
 * gateway's CONNECT waits behind them until it times out. So checks wait here for one of
 * `concurrency` slots, and:
 *
 * - the waiting check that goes next is the best by `rank` at the moment a slot frees (lowest
 *   first: the address's failures so far, then whether the username is known, then arrival), so
 *   attempts from an address that keeps failing fall behind a gateway that has not failed;
 * - a check whose client has gone (`alive()` false: the socket closed, the HTTP request aborted)
 *   is dropped when its turn comes, without hashing;
 * - at most `maxQueued` wait: a newcomer ranked better than the worst waiting one takes its place
 *   (the worst is answered 'busy'), else the newcomer is;
 * - the last slot is kept for a clean job (`clean()`: nothing held against its address but this
 *   attempt): a flood from failing addresses hashes on the other slots only, so a gateway that
 *   has not failed starts its check at once instead of waiting for a flood's hash to end (tens
 *   of ms idle, several hundred on a loaded Pi). With concurrency 1 nothing is kept.
 */
export interface LoginJob {
  /** Lower goes first; read each time a slot frees, so failures recorded meanwhile count. */
  rank(): readonly number[];
  /** False once nobody is waiting for the answer. */
  alive(): boolean;
  /** True when nothing is held against this attempt (its address has no failure but this one): it may take the kept slot. */
  clean?(): boolean;
}

export type Outcome<T> = { ran: true; value: T } | { ran: false; why: 'gone' | 'busy' };

interface Waiting {
  job: LoginJob;
  seq: number;
  start(): void;
  skip(why: 'gone' | 'busy'): void;
}

export interface LoginWorkOptions {
  /** Checks hashing at once (default 2: half of libuv's pool, the rest for files and DNS). */
  concurrency?: number;
  /** Checks waiting at most (default 256). */
  maxQueued?: number;
}

export class LoginWork {
  readonly stats = { ran: 0, gone: 0, busy: 0 };
  private readonly concurrency: number;
  private readonly maxQueued: number;
  private running = 0;
  private seq = 0;
  private readonly waiting: Waiting[] = [];

  constructor(options: LoginWorkOptions = {}) {
    this.concurrency = options.concurrency ?? 2;
    this.maxQueued = options.maxQueued ?? 256;
    if (!(this.concurrency >= 1 && this.maxQueued >= 1)) throw new RangeError(`login work: concurrency and maxQueued must be at least 1 (got ${this.concurrency}, ${this.maxQueued})`);
  }

  /** Checks waiting now. */
  get queued(): number {
    return this.waiting.length;
  }

  run<T>(job: LoginJob, work: () => Promise<T>): Promise<Outcome<T>> {
    return new Promise<Outcome<T>>((resolve, reject) => {
      const entry: Waiting = {
        job,
        seq: this.seq++,
        start: () => {
          this.running++;
          this.stats.ran++;
          work().then(
            (value) => resolve({ ran: true, value }),
            (err: unknown) => reject(err instanceof Error ? err : new Error(String(err))),
          ).finally(() => {
            this.running--;
            this.next();
          });
        },
        skip: (why) => {
          this.stats[why]++;
          resolve({ ran: false, why });
        },
      };
      if (this.waiting.length >= this.maxQueued) {
        const worst = this.pick('worst');
        if (worst === undefined || compare(entry, this.waiting[worst]!) >= 0) return entry.skip('busy');
        this.waiting.splice(worst, 1)[0]!.skip('busy');
      }
      this.waiting.push(entry);
      if (this.running < this.concurrency - 1 || this.concurrency === 1) return this.next();
      // Only the kept slot is free (or none): the jobs already waiting were found unclean when
      // they came, so only the newcomer can take it. Not a scan of the queue per arrival: under a
      // flood that was O(n) rank reads for each of thousands of CONNECTs.
      if (this.running === this.concurrency - 1 && (job.clean?.() ?? false)) {
        this.waiting.pop();
        if (job.alive()) entry.start();
        else entry.skip('gone');
      }
    });
  }

  private next(): void {
    while (this.running < this.concurrency && this.waiting.length > 0) {
      const best = this.pick('best')!;
      // The best-ranked is not clean: none is (rank puts fewer failures first). Keep the last slot.
      if (this.concurrency > 1 && this.running === this.concurrency - 1 && !(this.waiting[best]!.job.clean?.() ?? false)) return;
      const entry = this.waiting.splice(best, 1)[0]!;
      if (entry.job.alive()) entry.start();
      else entry.skip('gone');
    }
  }

  /** Index of the best or worst waiting entry by rank (O(n): n ≤ maxQueued, and ranks change while waiting). */
  private pick(which: 'best' | 'worst'): number | undefined {
    let at: number | undefined;
    for (let i = 0; i < this.waiting.length; i++) {
      if (at === undefined) at = i;
      else {
        const c = compare(this.waiting[i]!, this.waiting[at]!);
        if (which === 'best' ? c < 0 : c > 0) at = i;
      }
    }
    return at;
  }
}

function compare(a: Waiting, b: Waiting): number {
  const ra = a.job.rank();
  const rb = b.job.rank();
  for (let i = 0; i < Math.max(ra.length, rb.length); i++) {
    const d = (ra[i] ?? 0) - (rb[i] ?? 0);
    if (d !== 0) return d;
  }
  return a.seq - b.seq;
}
