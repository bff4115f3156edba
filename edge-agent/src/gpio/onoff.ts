/**
 * The Pi's real GPIO lines through onoff (the sysfs GPIO interface).
 *
 * onoff loads a native addon (epoll) when it is imported, so it is required lazily: importing
 * this file works on any machine, and tests pass a fake `Gpio` class instead (node-serialport's
 * "hardware is passed in").
 *
 * Debounce is done here rather than with onoff's `debounceTimeout`: onoff's debounce timer
 * cannot be cancelled, and when it fires after `unexport()` it reads the closed value fd and
 * throws from a timer, which would crash an agent stopped just after a button press. Here the
 * timer is the line's own and close() clears it (the same algorithm as the simulated header).
 */
import { createRequire } from 'node:module';
import type { Gpio as OnoffGpioType } from 'onoff';
import { GpioError } from './errors.ts';
import { resolveGpioBase } from './sysfs.ts';
import type { GpioChip, GpioLine, GpioLineOptions, Level } from './types.ts';

type Edge = NonNullable<GpioLineOptions['edge']>;
type OnoffCallback = (err: Error | null | undefined, value: Level) => void;

/** The part of an onoff `Gpio` this chip uses. */
export interface OnoffGpio {
  readSync(): Level;
  writeSync(value: Level): void;
  watch(callback: OnoffCallback): void;
  unwatch(callback?: OnoffCallback): void;
  unexport(): void;
}

/** onoff's `Gpio` class, or a fake with the same shape. */
export interface OnoffGpioClass {
  new (gpio: number, direction: 'in' | 'out' | 'high' | 'low', edge?: Edge, options?: { debounceTimeout?: number; activeLow?: boolean }): OnoffGpio;
  readonly accessible: boolean;
}

/** onoff's `Gpio`, or undefined when it cannot load (its native epoll addon is not built). */
export function loadOnoff(): OnoffGpioClass | undefined {
  try {
    const { Gpio } = createRequire(import.meta.url)('onoff') as { Gpio: typeof OnoffGpioType };
    return Gpio;
  } catch {
    return undefined;
  }
}

export interface OnoffGpioChipOptions {
  sysfsRoot?: string;
  /** onoff's `Gpio` by default; a fake in tests. */
  Gpio?: OnoffGpioClass;
  /**
   * Where an error of the interrupt poller, or one thrown by a watch listener, goes. Such errors
   * arrive from onoff's epoll callback, where throwing would crash the gateway; default: a
   * process warning.
   */
  onError?: (error: unknown, bcm: number) => void;
}

export class OnoffGpioChip implements GpioChip {
  readonly description: string;
  readonly #base: number;
  readonly #Gpio: OnoffGpioClass;
  readonly #onError: (error: unknown, bcm: number) => void;
  readonly #lines = new Map<number, OnoffLine>();

  /** Resolves the header chip at once, so that a Pi without usable GPIO fails at start. Throws GpioError. */
  constructor(options: OnoffGpioChipOptions = {}) {
    const { base, chip } = resolveGpioBase(options.sysfsRoot);
    const Gpio = options.Gpio ?? loadOnoff();
    if (Gpio === undefined) {
      throw new GpioError('GPIO_UNAVAILABLE', "onoff could not load its native epoll addon: run `npm rebuild epoll` in the agent's directory");
    }
    this.#base = base;
    this.#Gpio = Gpio;
    this.#onError = options.onError ?? ((error, bcm) => process.emitWarning(`GPIO${bcm}: ${String(error)}`, 'GpioWarning'));
    this.description = `onoff (sysfs ${chip}, base ${base})`;
  }

  open(bcm: number, options: GpioLineOptions): GpioLine {
    checkBcm(bcm);
    if (this.#lines.has(bcm)) throw new GpioError('GPIO_BUSY', `GPIO${bcm} is already open; close it before opening it again`);
    const sysfs = this.#base + bcm;
    const activeLow = options.activeLow ?? false;
    const edge = options.edge ?? 'both';
    let gpio: OnoffGpio;
    try {
      gpio =
        options.direction === 'in'
          ? // onoff filters edges before calling back; asking for both lets the line see every
            // settled value, so that it can drop bounces that come back to where they started.
            new this.#Gpio(sysfs, 'in', edge === 'none' ? 'none' : 'both', { activeLow })
          : // 'high'/'low' set the raw level together with the direction, so an output starts
            // logically off without a glitch: an active-low LED must not flash on at start.
            new this.#Gpio(sysfs, activeLow ? 'high' : 'low', undefined, { activeLow });
    } catch (err) {
      throw openError(err, bcm, sysfs);
    }
    const line = new OnoffLine(bcm, {
      gpio,
      direction: options.direction,
      edge,
      debounceMs: options.debounceMs ?? 0,
      onError: (error) => this.#onError(error, bcm),
      onClose: () => this.#lines.delete(bcm),
    });
    this.#lines.set(bcm, line);
    return line;
  }

  close(): void {
    let first: unknown;
    for (const line of [...this.#lines.values()]) {
      try {
        line.close();
      } catch (err) {
        first ??= err;
      }
    }
    if (first !== undefined) throw first;
  }
}

interface OnoffLineSetup {
  gpio: OnoffGpio;
  direction: 'in' | 'out';
  edge: Edge;
  debounceMs: number;
  onError: (error: unknown) => void;
  onClose: () => void;
}

class OnoffLine implements GpioLine {
  readonly #listeners = new Set<(value: Level) => void>();
  /** The last settled value (read when watching began), against which the next change is compared. */
  #last: Level = 0;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;
  readonly #onChange: OnoffCallback = (err) => this.#interrupt(err);
  private readonly gpio: OnoffGpio;
  private readonly direction: 'in' | 'out';
  private readonly edge: Edge;
  private readonly debounceMs: number;
  private readonly onError: (error: unknown) => void;
  private readonly onClose: () => void;

  constructor(
    readonly bcm: number,
    setup: OnoffLineSetup,
  ) {
    this.gpio = setup.gpio;
    this.direction = setup.direction;
    this.edge = setup.edge;
    this.debounceMs = setup.debounceMs;
    this.onError = setup.onError;
    this.onClose = setup.onClose;
  }

  read(): Level {
    this.#checkOpen();
    return this.gpio.readSync();
  }

  write(value: Level): void {
    this.#checkOpen();
    if (this.direction === 'in') throw new GpioError('GPIO_INVALID', `GPIO${this.bcm} is an input; open it with direction 'out' to drive it`);
    checkLevel(value, this.bcm);
    this.gpio.writeSync(value);
  }

  watch(listener: (value: Level) => void): () => void {
    this.#checkOpen();
    if (this.direction === 'out') throw new GpioError('GPIO_INVALID', `GPIO${this.bcm} is an output; only inputs can be watched`);
    if (this.#listeners.size === 0 && this.edge !== 'none') {
      // The poller is only armed while someone listens, so an unwatched line holds no epoll handle.
      this.#last = this.gpio.readSync();
      this.gpio.watch(this.#onChange);
    }
    this.#listeners.add(listener);
    return () => {
      if (!this.#listeners.delete(listener) || this.#listeners.size > 0 || this.#closed) return;
      clearTimeout(this.#timer);
      if (this.edge !== 'none') this.gpio.unwatch(this.#onChange);
    };
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#listeners.clear();
    this.onClose();
    try {
      // Release an output switched off: the kernel keeps the level after unexport.
      if (this.direction === 'out') this.gpio.writeSync(0);
    } finally {
      this.gpio.unexport(); // also stops onoff's poller
    }
  }

  /** An edge on the pin: settle now, or once the level has been stable for debounceMs. */
  #interrupt(err: Error | null | undefined): void {
    if (err) return this.onError(err);
    clearTimeout(this.#timer);
    if (this.debounceMs === 0) return this.#settle();
    this.#timer = setTimeout(() => this.#settle(), this.debounceMs);
  }

  #settle(): void {
    this.#timer = undefined;
    if (this.#closed) return;
    let value: Level;
    try {
      value = this.gpio.readSync();
    } catch (error) {
      return this.onError(error);
    }
    if (value === this.#last) return; // a bounce that settled where it started
    this.#last = value;
    if (!edgeWanted(this.edge, value)) return;
    for (const listener of [...this.#listeners]) {
      try {
        listener(value);
      } catch (error) {
        this.onError(error);
      }
    }
  }

  #checkOpen(): void {
    if (this.#closed) throw new GpioError('GPIO_INVALID', `GPIO${this.bcm} is closed; open it again to use it`);
  }
}

function edgeWanted(edge: Edge, value: Level): boolean {
  return edge === 'both' || (edge === 'rising' && value === 1) || (edge === 'falling' && value === 0);
}

export function checkBcm(bcm: number): void {
  if (!Number.isInteger(bcm) || bcm < 0 || bcm > 27) {
    throw new GpioError('GPIO_INVALID', `GPIO${bcm} is not on the header: BCM numbers run from 0 to 27 (use the BCM number, GPIO17, not the header pin, 11)`);
  }
}

function checkLevel(value: number, bcm: number): void {
  if (value !== 0 && value !== 1) throw new GpioError('GPIO_INVALID', `GPIO${bcm}: a level is 0 or 1, not ${String(value)}`);
}

/** onoff throws plain errno errors from the sysfs writes; say what each means here. */
function openError(err: unknown, bcm: number, sysfs: number): GpioError {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  const name = `GPIO${bcm} (sysfs gpio${sysfs})`;
  switch (code) {
    case 'EBUSY':
      return new GpioError(
        'GPIO_BUSY',
        `${name} is in use by a kernel driver or another program (e.g. a dtoverlay such as w1-gpio in /boot/firmware/config.txt): ` +
          'free it or choose another line; `sudo cat /sys/kernel/debug/gpio` shows who holds it',
        { cause: err },
      );
    case 'EACCES':
    case 'EPERM':
      return new GpioError('GPIO_PERMISSION', `${name}: permission denied: add the user to the gpio group: sudo usermod -aG gpio $USER, then log in again`, { cause: err });
    case 'EINVAL':
      return new GpioError('GPIO_INVALID', `${name}: the kernel refused the line (EINVAL); is the header chip's base right? \`stemlab agent doctor\` shows it`, { cause: err });
    default:
      return new GpioError('GPIO_UNAVAILABLE', `${name} could not be opened: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
}
