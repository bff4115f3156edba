import { withinBounds, type Quantity } from '@stemlab/protocol';
import { gaussian, nameWord } from '../robot/random.ts';

/**
 * Something worth measuring in a school lab: a quantity that changes by a law students can check,
 * as a pure function of the time since the scene began (seconds), plus the sensor's noise.
 * Scenes repeat (the beaker is refilled, the lamp switched back on) so a long demo stays alive.
 */
export interface Phenomenon {
  readonly quantity: Quantity;
  /** What it says on the tin, e.g. "water cooling from 80 °C in a 28 °C room (k = 0.005 /s)". */
  readonly description: string;
  /** The ideal value at `t` seconds, by the law. */
  ideal(t: number): number;
  /** Standard deviation of the sensor's noise, in the quantity's unit. */
  readonly noise: number;
}

/**
 * What the sensor reads at `t` seconds: the law, seeded noise, and never a value the quantity
 * cannot physically take. The noise is a hash of (seed, sensor, millisecond), so a reading is a
 * pure function of time: replayable whatever order or rate the firmware samples in.
 */
export function measure(phenomenon: Phenomenon, t: number, seed: number, sensor: string): number {
  const noise = phenomenon.noise * gaussian(seed, nameWord(sensor), Math.floor(t * 1000));
  return withinBounds(phenomenon.quantity, phenomenon.ideal(t) + noise);
}

/** Time within a repeating scene. */
const within = (t: number, cycleS: number | undefined) => (cycleS ? ((t % cycleS) + cycleS) % cycleS : Math.max(t, 0));

/** Newton's law of cooling: T(t) = Tₐ + (T₀ − Tₐ)·e^(−k·t). */
export function newtonCooling(o: { from?: number; ambient?: number; k?: number; refillEveryS?: number } = {}): Phenomenon & { from: number; ambient: number; k: number } {
  const from = o.from ?? 80;
  const ambient = o.ambient ?? 28;
  const k = o.k ?? 0.005;
  return {
    quantity: 'temperature',
    description: `water cooling from ${from} °C in a ${ambient} °C room (Newton, k = ${k} /s)`,
    from,
    ambient,
    k,
    noise: 0.1,
    ideal: (t) => ambient + (from - ambient) * Math.exp(-k * within(t, o.refillEveryS)),
  };
}

/** The room's air: a degree of slow swing around a warm afternoon. */
export function roomAir(o: { mean?: number; swing?: number; periodS?: number } = {}): Phenomenon {
  const mean = o.mean ?? 29;
  const swing = o.swing ?? 0.8;
  const period = o.periodS ?? 600;
  return { quantity: 'temperature', description: `room air around ${mean} °C`, noise: 0.1, ideal: (t) => mean + swing * Math.sin((2 * Math.PI * t) / period) };
}

/** A lamp on a dimmer turned down steadily (light falls with the square of the setting), then back on. */
export function dimmingLamp(o: { bright?: number; ambient?: number; overS?: number } = {}): Phenomenon {
  const bright = o.bright ?? 900;
  const ambient = o.ambient ?? 40;
  const over = o.overS ?? 60;
  return {
    quantity: 'light',
    description: `a lamp dimmed from ${bright} lx to the room's ${ambient} lx over ${over} s`,
    noise: 3,
    ideal: (t) => ambient + (bright - ambient) * (1 - within(t, over) / over) ** 2,
  };
}

/** A classroom: background chatter, and a clap (a fast exponential decay) every few seconds. */
export function classroomSound(o: { background?: number; clapEveryS?: number; clapDb?: number } = {}): Phenomenon {
  const background = o.background ?? 48;
  const every = o.clapEveryS ?? 7;
  const clap = o.clapDb ?? 40;
  return {
    quantity: 'sound',
    description: `chatter at ${background} dB, a clap every ${every} s`,
    noise: 1.5,
    ideal: (t) => background + 4 * Math.sin(t / 3) + clap * Math.exp(-within(t, every) / 0.25),
  };
}

/** A cart on a spring: a damped oscillation d = d₀ + A·e^(−t/τ)·cos(2πt/T), released again each cycle. */
export function springCart(o: { rest?: number; amplitude?: number; periodS?: number; tauS?: number; cycleS?: number } = {}): Phenomenon {
  const rest = o.rest ?? 60;
  const amplitude = o.amplitude ?? 30;
  const period = o.periodS ?? 4;
  const tau = o.tauS ?? 20;
  const cycle = o.cycleS ?? 60;
  return {
    quantity: 'distance',
    description: `a cart on a spring about ${rest} cm away (T = ${period} s, τ = ${tau} s)`,
    noise: 0.3,
    ideal: (t) => {
      const s = within(t, cycle);
      return rest + amplitude * Math.exp(-s / tau) * Math.cos((2 * Math.PI * s) / period);
    },
  };
}

/** A capacitor discharging through a resistor, V = V₀·e^(−t/RC), recharged each cycle. */
export function capacitorDischarge(o: { v0?: number; rcS?: number; cycleS?: number } = {}): Phenomenon {
  const v0 = o.v0 ?? 9;
  const rc = o.rcS ?? 10;
  const cycle = o.cycleS ?? 60;
  return { quantity: 'voltage', description: `a capacitor discharging from ${v0} V (RC = ${rc} s)`, noise: 0.02, ideal: (t) => v0 * Math.exp(-within(t, cycle) / rc) };
}

/**
 * A titration: NaOH dripped from a burette into hydrochloric acid. pH from the charge balance,
 * [H⁺] = (Cₐ − C_b)/2 + √(((Cₐ − C_b)/2)² + K_w), so the curve has its real jump at equivalence.
 */
export function titration(o: { acidMolar?: number; acidMl?: number; baseMolar?: number; mlPerS?: number; cycleS?: number } = {}): Phenomenon {
  const acid = o.acidMolar ?? 0.1;
  const acidMl = o.acidMl ?? 25;
  const base = o.baseMolar ?? 0.1;
  const rate = o.mlPerS ?? 0.5;
  const cycle = o.cycleS ?? 100;
  return {
    quantity: 'ph',
    description: `${acidMl} mL of ${acid} M HCl titrated with ${base} M NaOH at ${rate} mL/s`,
    noise: 0.02,
    ideal: (t) => {
      const added = rate * within(t, cycle);
      const volume = (acidMl + added) / 1000;
      const excess = (acid * acidMl - base * added) / 1000 / volume; // mol/L of H⁺ over OH⁻
      const h = excess / 2 + Math.sqrt((excess / 2) ** 2 + 1e-14);
      return -Math.log10(h);
    },
  };
}

/** Soil drying in a pot under the lamp, watered again each cycle. */
export function dryingSoil(o: { from?: number; to?: number; tauS?: number; cycleS?: number } = {}): Phenomenon {
  const from = o.from ?? 70;
  const to = o.to ?? 25;
  const tau = o.tauS ?? 300;
  const cycle = o.cycleS ?? 900;
  return { quantity: 'moisture', description: `soil drying from ${from} % towards ${to} %`, noise: 0.3, ideal: (t) => to + (from - to) * Math.exp(-within(t, cycle) / tau) };
}

/** The phenomenon a sensor of each quantity sees by default in a simulated lab. */
export const defaultPhenomena: Record<Quantity, () => Phenomenon> = {
  temperature: () => newtonCooling({ refillEveryS: 900 }),
  light: () => dimmingLamp(),
  sound: () => classroomSound(),
  distance: () => springCart(),
  voltage: () => capacitorDischarge(),
  ph: () => titration(),
  moisture: () => dryingSoil(),
};
