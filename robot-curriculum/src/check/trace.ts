/**
 * What a check records of a run (the JSON form of `stemlab lesson check --json` carries it):
 * every pin the flow's commands changed on the simulated board, every command the agent
 * took from the flow, what the scenario did to the world (a press, a temperature, a car), the
 * robot's path and sensor readings when there is a robot world, and what the flow logged.
 * Times are simulated milliseconds since the flow was deployed.
 */
import type { LogEntry } from './runtime.ts';

export interface PinEvent {
  t: number;
  /** The component wired to the pin (led, left-motor...), or the pin number. */
  component: string;
  pin: number;
  mode: number;
  value: number;
}

export interface CommandEvent {
  t: number;
  component: string;
  command: Record<string, unknown>;
}

export interface WorldEvent {
  t: number;
  /** What the scenario did (press, release, distance, temperature) or saw (bump, exit, out). */
  kind: string;
  value?: unknown;
}

export interface PoseSample {
  t: number;
  x: number;
  y: number;
  /** Heading in degrees. */
  heading: number;
  /** Sonar distance (cm, null: no echo) and line sensors (true: on the line), when the robot has them. */
  sonar?: number | null;
  line?: boolean[];
}

export interface Trace {
  seed: number;
  durationMs: number;
  pins: PinEvent[];
  commands: CommandEvent[];
  events: WorldEvent[];
  path: PoseSample[];
  log: LogEntry[];
}

/** The value of `component`'s pin at time `t` (the last write at or before it; `initial` before any). */
export function valueAt(trace: Trace, component: string, t: number, initial = 0): number {
  let value = initial;
  for (const p of trace.pins) {
    if (p.t > t) break;
    if (p.component === component) value = p.value;
  }
  return value;
}

/** The writes to `component`'s pin that changed its value, in order (the first write always counts). */
export function changes(trace: Trace, component: string): PinEvent[] {
  const out: PinEvent[] = [];
  for (const p of trace.pins) {
    if (p.component !== component) continue;
    if (out.length === 0 || out.at(-1)!.value !== p.value) out.push(p);
  }
  return out;
}

/** Intervals (ms) during which `component` was on (value > 0), from `from` to `to`. */
export function onIntervals(trace: Trace, component: string, from = 0, to = trace.durationMs): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  let start: number | undefined = valueAt(trace, component, from) > 0 ? from : undefined;
  for (const p of changes(trace, component)) {
    if (p.t <= from || p.t > to) continue;
    if (p.value > 0 && start === undefined) start = p.t;
    if (p.value === 0 && start !== undefined) {
      out.push([start, p.t]);
      start = undefined;
    }
  }
  if (start !== undefined) out.push([start, to]);
  return out;
}
