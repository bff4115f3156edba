/**
 * A one-way serial line that can hold a real baud rate. Without a rate, bytes pass on the next
 * tick; with one, each byte takes 10 bit times (8N1), so a 57,600-baud link carries 5,760 bytes/s
 * and a benchmark sees the limit a real Arduino's USB-serial link has.
 */
export class WireLine {
  private busyUntil = 0;
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(
    private readonly deliver: (bytes: Buffer) => void,
    private readonly baudRate: number | undefined,
  ) {}

  send(bytes: Buffer): void {
    if (!this.baudRate) {
      process.nextTick(() => this.deliver(bytes));
      return;
    }
    const now = performance.now();
    const start = Math.max(now, this.busyUntil);
    this.busyUntil = start + (bytes.length * 10 * 1000) / this.baudRate;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.deliver(bytes);
    }, this.busyUntil - now);
    this.timers.add(timer);
  }

  /** Bytes still in flight. */
  backlog(): number {
    if (!this.baudRate) return 0;
    const remainingMs = this.busyUntil - performance.now();
    return remainingMs > 0 ? Math.ceil((remainingMs * this.baudRate) / 10_000) : 0;
  }

  /** Drop what is in flight (the cable was pulled). */
  cut(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.busyUntil = 0;
  }
}
