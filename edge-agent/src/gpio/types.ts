/**
 * The Pi's own GPIO lines, behind a small interface that is passed in (STYLE 3): the agent's
 * buttons, LEDs and e-stop use a GpioChip and never know whether onoff or the simulator is
 * behind it. Lines are numbered by BCM (GPIO17 is 17), as printed on header diagrams; the chip
 * turns that into whatever number the kernel uses.
 */
export type Level = 0 | 1;

export interface GpioLineOptions {
  direction: 'in' | 'out';
  /** For inputs: which edges call watch listeners. Default 'both'. */
  edge?: 'none' | 'rising' | 'falling' | 'both';
  /** Logical 1 is a low voltage (a button to ground with a pull-up). */
  activeLow?: boolean;
  /** Ignore changes shorter than this (contact bounce). */
  debounceMs?: number;
}

export interface GpioLine {
  readonly bcm: number;
  read(): Level;
  write(value: Level): void; // throws a GpioError for an input line
  /** Listen for changes of an input line; returns a function that removes the listener. */
  watch(listener: (value: Level) => void): () => void;
  /** Release the line (unexport, clear timers, drop listeners). Idempotent. */
  close(): void;
}

export interface GpioChip {
  /** 'onoff (sysfs gpiochip512, base 512)' or 'simulated' — for logs and `stemlab agent doctor`. */
  readonly description: string;
  open(bcm: number, options: GpioLineOptions): GpioLine;
  /** Close every line this chip opened. */
  close(): void;
}
