/**
 * A leading + trailing rate limiter per key (per device, for telemetry). The first value after
 * a quiet spell goes out at once (a dashboard sees a button press without delay); values that
 * come faster than the rate are dropped except the latest, which goes out when the interval
 * ends, so the last thing a dashboard shows is the device's real last value, never a stale one.
 */
export class LatestRateLimiter<T> {
  private readonly slots = new Map<string, { last: number; timer: NodeJS.Timeout | undefined; latest: { value: T } | undefined }>();

  constructor(
    private readonly intervalMs: number,
    private readonly send: (key: string, value: T) => void,
    private readonly now: () => number = () => performance.now(),
  ) {}

  push(key: string, value: T): void {
    let slot = this.slots.get(key);
    if (!slot) this.slots.set(key, (slot = { last: Number.NEGATIVE_INFINITY, timer: undefined, latest: undefined }));
    const now = this.now();
    if (slot.timer === undefined && now - slot.last >= this.intervalMs) {
      slot.last = now;
      this.send(key, value);
      return;
    }
    slot.latest = { value };
    if (slot.timer !== undefined) return;
    const due = slot;
    due.timer = setTimeout(() => {
      due.timer = undefined;
      const latest = due.latest;
      due.latest = undefined;
      if (!latest) return;
      due.last = this.now();
      this.send(key, latest.value);
    }, Math.max(0, slot.last + this.intervalMs - now));
  }

  /** Drops whatever waits and every timer (the extension stops). */
  clear(): void {
    for (const slot of this.slots.values()) clearTimeout(slot.timer);
    this.slots.clear();
  }
}
