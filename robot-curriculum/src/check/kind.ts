/**
 * A kind of check (blink, follow, sequence...): the world it plays against the flow (a
 * scenario: presses, distances, temperatures, or a robot in an arena) and the judge that reads
 * the trace afterwards. A lesson's check names a kind and gives its parameters (schema.ts).
 */
import type { SimulatedBoard } from '@stemlab/simulators';
import type { KitConfig } from '../kits.ts';
import type { Trace } from './trace.ts';

/** Text a student reads, in both languages. */
export interface Said {
  vi: string;
  en: string;
}
export const say = (vi: string, en: string): Said => ({ vi, en });

/** One thing the judge found: what went right, or the mistake (with a stable code the tests name). */
export interface Finding extends Said {
  ok: boolean;
  code: string;
}

export interface Verdict {
  pass: boolean;
  findings: Finding[];
}

/** What a scenario can do to the world around the kit, and note in the trace. */
export interface WorldIO {
  board: SimulatedBoard;
  kit: KitConfig;
  /** A seeded random number in [0, 1). */
  random(): number;
  press(component: string): void;
  release(component: string): void;
  /** What the sonar sees (cm; null: nothing within range). */
  distance(cm: number | null, component?: string): void;
  /** The temperature an LM35 thermometer reads. */
  temperature(celsius: number, component?: string): void;
  /** Which line sensors see the (dark) line. */
  line(onLine: boolean[], component?: string): void;
  /** Start the flow as a student does: press the kit's button, click the flow's "Start" inject. */
  start(): void;
  /** Note something in the trace's events. */
  note(kind: string, value?: unknown): void;
}

export interface Scenario {
  /** Simulated time the flow runs for. */
  durationMs: number;
  /** Before the flow is deployed. */
  setup?(world: WorldIO): void;
  /** After each step of simulated time; return true to end the run early. */
  step?(t: number, world: WorldIO): boolean | void;
  /** Whether the run can end early, the outcome already clear (a lap done, the goal reached). */
  until?(trace: Trace): boolean;
}

export interface CheckKind<P> {
  scenario(params: P, random: () => number): Scenario;
  judge(trace: Trace, params: P): Verdict;
}

/** A timeline of actions at given times, as a scenario step. */
export function timeline(actions: Array<[number, (world: WorldIO) => void]>): (t: number, world: WorldIO) => void {
  const sorted = [...actions].sort((a, b) => a[0] - b[0]);
  let next = 0;
  return (t, world) => {
    while (next < sorted.length && sorted[next]![0] <= t) sorted[next++]![1](world);
  };
}

export const ok = (code: string, s: Said): Finding => ({ ok: true, code, ...s });
export const wrong = (code: string, s: Said): Finding => ({ ok: false, code, ...s });
export const verdict = (findings: Finding[]): Verdict => ({ pass: findings.length > 0 && findings.every((f) => f.ok), findings });
/** Seconds with one decimal, as a student reads them. */
export const sec = (ms: number) => (Math.round(ms / 100) / 10).toString();
