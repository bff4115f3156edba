import type { SimulatedBoard } from '../firmata/device.ts';
import type { SimClock } from './clock.ts';
import { measure, type Phenomenon } from './phenomena.ts';

/**
 * How a sensor turns what it measures into the voltage on the board's analog pin (5 V reference,
 * 10-bit ADC), the inverse of what the agent (Johnny-Five, a config's `scale`) does with it.
 */
export type Transfer =
  /** LM35: 10 mV/°C from 0 V at 0 °C. */
  | { kind: 'LM35' }
  /** TMP36: 10 mV/°C with 500 mV at 0 °C. */
  | { kind: 'TMP36' }
  /** A module whose 0–5 V output maps linearly onto [low, high] (the config's `scale`). */
  | { kind: 'linear'; scale: readonly [number, number] };

/** The raw 0–1023 reading for `value`. */
export function toRaw(transfer: Transfer, value: number): number {
  const mvPerStep = 5000 / 1023;
  switch (transfer.kind) {
    case 'LM35':
      return clampRaw((value * 10) / mvPerStep);
    case 'TMP36':
      return clampRaw(((value + 50) * 10) / mvPerStep);
    case 'linear': {
      const [low, high] = transfer.scale;
      return clampRaw(((value - low) / (high - low)) * 1023);
    }
  }
}

function clampRaw(raw: number): number {
  return Math.min(Math.max(Math.round(raw), 0), 1023);
}

export interface LabSensorOptions {
  /** A name that keeps this sensor's noise its own, e.g. "bench-1/water-temp". */
  name: string;
  phenomenon: Phenomenon;
  transfer: Transfer;
  clock: SimClock;
  seed: number;
  /** When the scene began (clock ms); default now. */
  startedAt?: number;
}

/**
 * A simulated lab sensor wired to an analog channel: whenever the firmware samples the pin it
 * reads the phenomenon at the clock's time, through the sensor's transfer function. The agent
 * then sees it through the real Firmata stack, as it would a real LM35 or pH probe.
 */
export class LabSensor {
  readonly name: string;
  readonly phenomenon: Phenomenon;
  readonly transfer: Transfer;
  readonly startedAt: number;
  private readonly clock: SimClock;
  private readonly seed: number;

  constructor(options: LabSensorOptions) {
    this.name = options.name;
    this.phenomenon = options.phenomenon;
    this.transfer = options.transfer;
    this.clock = options.clock;
    this.seed = options.seed;
    this.startedAt = options.startedAt ?? options.clock.now();
  }

  /** Seconds since the scene began, at clock time `at` (default now). */
  elapsed(at = this.clock.now()): number {
    return (at - this.startedAt) / 1000;
  }

  /** The value it measures at clock time `at`, within the quantity's physical bounds. */
  value(at = this.clock.now()): number {
    return measure(this.phenomenon, this.elapsed(at), this.seed, this.name);
  }

  /** The raw reading on the pin at clock time `at`. */
  raw(at = this.clock.now()): number {
    return toRaw(this.transfer, this.value(at));
  }

  /** Answer on `channel` of `board` from now on; returns the undo. */
  wire(board: SimulatedBoard, channel: number): () => void {
    board.setAnalogSource(channel, () => this.raw());
    return () => board.setAnalogSource(channel, undefined);
  }
}
