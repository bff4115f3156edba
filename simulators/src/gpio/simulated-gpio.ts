/**
 * The Raspberry Pi's GPIO header, simulated: the agent opens lines on it exactly as on onoff
 * (it has the edge agent's GpioChip shape, structurally — simulators do not import the agent),
 * and a test presses buttons and reads what the outputs drive.
 *
 * It models the wiring, not just the values: a line has a raw voltage level, `activeLow` maps
 * it to the logical value the agent reads, an idle input sits at its pull (high for an
 * active-low button to ground), and watchers hear a change only once it has been stable for
 * `debounceMs` and matches the line's `edge`, as onoff's debounced watch does.
 */
import { EventEmitter } from 'node:events';

export type GpioLevel = 0 | 1;
type Edge = 'none' | 'rising' | 'falling' | 'both';

export interface SimulatedGpioLineOptions {
  direction: 'in' | 'out';
  edge?: Edge;
  activeLow?: boolean;
  debounceMs?: number;
}

export interface SimulatedGpioLineInfo {
  bcm: number;
  direction: 'in' | 'out';
  edge: Edge;
  activeLow: boolean;
  debounceMs: number;
}

export interface SimulatedGpioEvents {
  /** The agent wrote an output: `value` as written (logical), `level` the voltage it now drives. */
  write: [event: { bcm: number; value: GpioLevel; level: GpioLevel }];
}

/** An Error with the code the agent's GpioError would carry (GPIO_BUSY, GPIO_INVALID). */
function gpioError(code: 'GPIO_BUSY' | 'GPIO_INVALID', message: string): Error & { code: string } {
  return Object.assign(new Error(message), { code });
}

function checkBcm(bcm: number): void {
  if (!Number.isInteger(bcm) || bcm < 0 || bcm > 27) {
    throw gpioError('GPIO_INVALID', `GPIO${bcm} is not on the header: BCM numbers run from 0 to 27`);
  }
}

function checkLevel(value: number, bcm: number): asserts value is GpioLevel {
  if (value !== 0 && value !== 1) throw gpioError('GPIO_INVALID', `GPIO${bcm}: a level is 0 or 1, not ${String(value)}`);
}

export class SimulatedGpio extends EventEmitter<SimulatedGpioEvents> {
  readonly description = 'simulated';
  readonly #lines = new Map<number, SimulatedGpioLine>();
  /** Voltages a test put on input pins; they outlast a line being closed, as a wire would. */
  readonly #inputs = new Map<number, GpioLevel>();

  open(bcm: number, options: SimulatedGpioLineOptions): SimulatedGpioLine {
    checkBcm(bcm);
    if (this.#lines.has(bcm)) throw gpioError('GPIO_BUSY', `GPIO${bcm} is already open; close it before opening it again`);
    const info: SimulatedGpioLineInfo = {
      bcm,
      direction: options.direction,
      edge: options.edge ?? 'both',
      activeLow: options.activeLow ?? false,
      debounceMs: options.debounceMs ?? 0,
    };
    const line = new SimulatedGpioLine(info, {
      input: () => this.#inputs.get(bcm),
      wrote: (value, level) => this.emit('write', { bcm, value, level }),
      closed: () => this.#lines.delete(bcm),
    });
    this.#lines.set(bcm, line);
    return line;
  }

  /** Closes every open line. */
  close(): void {
    for (const line of [...this.#lines.values()]) line.close();
  }

  /** Presses the button on an open input: logical 1, i.e. 0 V on an active-low line (a button to ground). */
  press(bcm: number): void {
    this.setLevel(bcm, this.#input(bcm, 'press').info.activeLow ? 0 : 1);
  }

  /** Releases the button: the line goes back to its pull (logical 0). */
  release(bcm: number): void {
    this.setLevel(bcm, this.#input(bcm, 'release').info.activeLow ? 1 : 0);
  }

  /** Puts a raw voltage level on an input pin (open or not); a bounce is a few calls in a row. */
  setLevel(bcm: number, level: GpioLevel): void {
    checkBcm(bcm);
    checkLevel(level, bcm);
    const line = this.#lines.get(bcm);
    if (line?.info.direction === 'out') throw gpioError('GPIO_INVALID', `GPIO${bcm} is an output: the Pi drives it; read it with level(${bcm})`);
    this.#inputs.set(bcm, level);
    line?.inputChanged();
  }

  /** The raw voltage level of a pin: what an output drives, or an input's level; undefined if nothing sets it. */
  level(bcm: number): GpioLevel | undefined {
    checkBcm(bcm);
    return this.#lines.get(bcm)?.rawLevel() ?? this.#inputs.get(bcm);
  }

  /** The open lines, by BCM number. */
  lines(): SimulatedGpioLineInfo[] {
    return [...this.#lines.values()].map((line) => ({ ...line.info })).sort((a, b) => a.bcm - b.bcm);
  }

  #input(bcm: number, action: string): SimulatedGpioLine {
    checkBcm(bcm);
    const line = this.#lines.get(bcm);
    if (line?.info.direction !== 'in') {
      throw gpioError('GPIO_INVALID', `cannot ${action} GPIO${bcm}: it is ${line ? 'an output' : 'not open'}; the agent must open it as an input first`);
    }
    return line;
  }
}

interface LineHost {
  input(): GpioLevel | undefined;
  wrote(value: GpioLevel, level: GpioLevel): void;
  closed(): void;
}

export class SimulatedGpioLine {
  readonly bcm: number;
  readonly #listeners = new Set<(value: GpioLevel) => void>();
  #driven: GpioLevel;
  /** The last settled logical value, against which the next change is compared. */
  #settled: GpioLevel;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(
    readonly info: Readonly<SimulatedGpioLineInfo>,
    private readonly host: LineHost,
  ) {
    this.bcm = info.bcm;
    this.#driven = info.activeLow ? 1 : 0; // an output starts logically off
    this.#settled = this.#logical();
  }

  read(): GpioLevel {
    this.#checkOpen();
    return this.#logical();
  }

  write(value: GpioLevel): void {
    this.#checkOpen();
    if (this.info.direction === 'in') throw gpioError('GPIO_INVALID', `GPIO${this.bcm} is an input; open it with direction 'out' to drive it`);
    checkLevel(value, this.bcm);
    this.#driven = this.#toRaw(value);
    this.host.wrote(value, this.#driven);
  }

  watch(listener: (value: GpioLevel) => void): () => void {
    this.#checkOpen();
    if (this.info.direction === 'out') throw gpioError('GPIO_INVALID', `GPIO${this.bcm} is an output; only inputs can be watched`);
    this.#listeners.add(listener);
    return () => void this.#listeners.delete(listener);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#listeners.clear();
    // As on onoff: an output is switched off when released (the kernel would keep its level).
    if (this.info.direction === 'out' && this.#driven !== this.#toRaw(0)) {
      this.#driven = this.#toRaw(0);
      this.host.wrote(0, this.#driven);
    }
    this.host.closed();
  }

  /** @internal The voltage on the pin changed: settle it now, or once it has been stable for debounceMs. */
  inputChanged(): void {
    if (this.#closed || this.info.edge === 'none') return;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    // Without debounce, listeners hear the change synchronously, inside press()/setLevel().
    if (this.info.debounceMs === 0) this.#settle();
    else this.#timer = setTimeout(() => this.#settle(), this.info.debounceMs);
  }

  /** @internal */
  rawLevel(): GpioLevel {
    if (this.info.direction === 'out') return this.#driven;
    return this.host.input() ?? this.#pull();
  }

  #settle(): void {
    this.#timer = undefined;
    const value = this.#logical();
    if (value === this.#settled) return; // bounced back to where it started
    this.#settled = value;
    const { edge } = this.info;
    if (edge === 'both' || (edge === 'rising' && value === 1) || (edge === 'falling' && value === 0)) {
      for (const listener of [...this.#listeners]) listener(value);
    }
  }

  /** An input nobody drives sits at its pull: up for an active-low button, down otherwise. */
  #pull(): GpioLevel {
    return this.info.activeLow ? 1 : 0;
  }

  #logical(): GpioLevel {
    return this.#toRaw(this.rawLevel()); // inverting is its own inverse
  }

  #toRaw(value: GpioLevel): GpioLevel {
    return this.info.activeLow ? ((1 - value) as GpioLevel) : value;
  }

  #checkOpen(): void {
    if (this.#closed) throw gpioError('GPIO_INVALID', `GPIO${this.bcm} is closed; open it again to use it`);
  }
}
