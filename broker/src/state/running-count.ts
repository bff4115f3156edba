/**
 * A count of operations still running, and a wait for it to reach zero: what a stop needs before
 * it closes the broker state (inflight.ts counts publishes, pending-writes.ts the state's own
 * operations).
 */
export class RunningCount {
  private count = 0;
  private idle: (() => void)[] = [];

  start(): void {
    this.count++;
  }

  end(): void {
    // Checked first: count reaches 0 after most publishes, and splice would allocate every time.
    if (--this.count === 0 && this.idle.length > 0) this.idle.splice(0).forEach((resolve) => resolve());
  }

  /** Resolves when nothing runs, or after timeoutMs (a Redis that went away). */
  settled(timeoutMs: number): Promise<void> {
    if (this.count === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      this.idle.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}
