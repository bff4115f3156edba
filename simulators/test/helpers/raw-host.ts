import { SimulatedBoard, type SimulatedBoardOptions } from '../../src/index.ts';

/**
 * A host that speaks raw bytes to a simulated board, for byte-level protocol tests: it sees
 * exactly what the firmware would put on the wire.
 */
export class RawHost {
  readonly board: SimulatedBoard;
  received: number[] = [];
  private waiters: Array<() => void> = [];

  constructor(options: SimulatedBoardOptions) {
    this.board = new SimulatedBoard(options);
    this.board.connect({
      send: (bytes) => {
        this.received.push(...bytes);
        for (const wake of this.waiters.splice(0)) wake();
      },
      backlog: () => 0,
    });
  }

  write(...bytes: number[]): void {
    this.board.receive(Uint8Array.from(bytes));
  }

  /** Wait until at least `count` bytes have arrived, then take them. */
  async take(count: number, timeoutMs = 2000): Promise<number[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.received.length < count) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`expected ${count} bytes, got ${this.received.length}: ${hex(this.received)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.received.splice(0, count);
  }

  /** Let the event loop run the board's timers (sampling) for a while. */
  async settle(ms = 5): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, ms));
  }

  close(): void {
    this.board.disconnect();
  }
}

export function hex(bytes: number[]): string {
  return bytes.map((b) => b.toString(16).padStart(2, '0')).join(' ');
}

/** Encode text as Firmata's 7-bit pairs. */
export function text7(text: string): number[] {
  return [...text].flatMap((c) => [c.charCodeAt(0) & 0x7f, c.charCodeAt(0) >> 7]);
}
