import { shippedArena, type NamedArena } from './arena/load.ts';
import { Scene } from './arena/scene.ts';
import type { Pose } from './arena/schema.ts';
import { SimRobot, type Neighbour, type TracePoint } from './robot.ts';
import { robotSpec, type RobotSpecInput } from './spec.ts';

export interface RobotWorldOptions {
  /** A shipped arena's id ('line-oval', ...) or a loaded arena (loadArenaFile, parseArena). */
  arena: string | NamedArena;
  /** Every random choice (motor mismatch, sensor noise) follows from it: the same seed, the same run. */
  seed: number;
  /** Scales every noise level: 1 as a real kit (the default), 0 none (for hand-computed cases). */
  noise?: number;
  /** The physics step (simulated ms); 5 by default. */
  stepMs?: number;
  /** A robot's trace keeps a point every this many simulated ms (50 by default)... */
  traceEveryMs?: number;
  /** ...and at most this many points, dropping the oldest (20,000 by default: 1000 s at 50 ms). */
  traceLimit?: number;
}

export interface AddRobotOptions {
  id: string;
  /** Which of the arena's start poses (0 = the first), or a pose of its own; by default the next free one. */
  start?: number | Pose;
  spec?: RobotSpecInput;
}

export type WorldEvent =
  | { type: 'bump'; t: number; robot: string; x: number; y: number; with: 'wall' | 'obstacle' | 'border' | 'robot'; id: string }
  | { type: 'fell-off'; t: number; robot: string; x: number; y: number }
  | { type: 'zone-enter' | 'zone-exit'; t: number; robot: string; zone: string }
  | { type: 'reset'; t: number; robot: string };

export type WorldListener = (event: WorldEvent) => void;

const EVENT_LIMIT = 10_000;

/**
 * Robots in an arena, in simulated time: nothing happens until `advance` (or `step`) is called,
 * so a check runs as fast as the CPU allows and a live view advances it with the wall clock
 * (RealTimeRunner). Deterministic: the same arena, seed and inputs give the same trace.
 */
export class RobotWorld {
  readonly arena: NamedArena;
  readonly scene: Scene;
  readonly seed: number;
  readonly stepMs: number;
  readonly events: WorldEvent[] = [];
  private readonly robotList: SimRobot[] = [];
  private readonly listeners = new Set<WorldListener>();
  private readonly noise: number;
  private readonly traceEvery: number;
  private readonly traceLimit: number;
  private steps = 0;
  private pending = 0;

  constructor(options: RobotWorldOptions) {
    this.arena = typeof options.arena === 'string' ? shippedArena(options.arena) : options.arena;
    this.scene = new Scene(this.arena);
    this.seed = options.seed;
    this.noise = options.noise ?? 1;
    this.stepMs = options.stepMs ?? 5;
    this.traceEvery = Math.max(1, Math.round((options.traceEveryMs ?? 50) / this.stepMs));
    this.traceLimit = options.traceLimit ?? 20_000;
  }

  /** Simulated ms since the world began. */
  get time(): number {
    return this.steps * this.stepMs;
  }

  get robots(): readonly SimRobot[] {
    return this.robotList;
  }

  robot(id: string): SimRobot {
    const robot = this.robotList.find((r) => r.id === id);
    if (!robot) throw new Error(`no robot '${id}' in arena ${this.arena.id} (robots: ${this.robotList.map((r) => r.id).join(', ') || 'none'})`);
    return robot;
  }

  addRobot(options: AddRobotOptions): SimRobot {
    if (this.robotList.some((r) => r.id === options.id)) throw new Error(`robot '${options.id}' is already in arena ${this.arena.id}`);
    const starts = this.arena.start;
    const start = typeof options.start === 'object' ? options.start : starts[(options.start ?? this.robotList.length) % starts.length]!;
    const robot = new SimRobot(options.id, robotSpec(options.spec), start, this.seed, this.noise);
    const hit = this.scene.collision(robot.x, robot.y, robot.spec.radius);
    if (hit) throw new Error(`robot '${options.id}' cannot start at (${start.x}, ${start.y}) in arena ${this.arena.id}: it would stand inside ${hit.id}`);
    this.robotList.push(robot);
    robot.zones = this.scene.zonesAt(robot.x, robot.y);
    robot.record(this.time, this.traceLimit);
    return robot;
  }

  /** Put a robot back on its start pose, at rest, its trace cleared. */
  reset(id: string): void {
    const robot = this.robot(id);
    robot.place(robot.start);
    robot.trace.length = 0;
    robot.zones = this.scene.zonesAt(robot.x, robot.y);
    robot.record(this.time, this.traceLimit);
    this.emit({ type: 'reset', t: this.time, robot: id });
  }

  /** Listen to bumps, falls, zones and resets as they happen; returns the way to stop listening. */
  onEvent(listener: WorldListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Advance simulated time by `ms` (whole physics steps; a remainder carries over to the next call). */
  advance(ms: number): void {
    this.pending += ms;
    while (this.pending >= this.stepMs) {
      this.pending -= this.stepMs;
      this.step();
    }
  }

  /** Run until `until` says stop (checked after each step) or `maxMs` passes; returns whether it stopped on `until`. */
  runUntil(until: (world: RobotWorld) => boolean, maxMs: number): boolean {
    const end = this.time + maxMs;
    while (this.time < end) {
      this.step();
      if (until(this)) return true;
    }
    return false;
  }

  /** One physics step. */
  step(): void {
    const dt = this.stepMs / 1000;
    this.steps++;
    for (const robot of this.robotList) this.move(robot, dt);
    if (this.steps % this.traceEvery === 0) for (const robot of this.robotList) robot.record(this.time, this.traceLimit);
  }

  /** What a robot's sonar reads now (cm, or null: no echo within 400 cm). */
  sonar(id: string): number | null {
    const robot = this.robot(id);
    return robot.sonar(this.scene, this.neighbours(robot), this.steps);
  }

  /** What a robot's line sensors read now (0–1023 each, left to right; a dark line reads high). */
  lineSensors(id: string): number[] {
    return this.robot(id).lineSensors(this.scene, this.steps);
  }

  /** A robot's trace: where it was, every traceEveryMs. */
  trace(id: string): readonly TracePoint[] {
    return this.robot(id).trace;
  }

  private move(robot: SimRobot, dt: number): void {
    const { v, omega } = robot.actuate(dt);
    if (robot.fallen) return;
    // Exact motion along an arc for one step.
    const theta = robot.theta + omega * dt;
    let dx: number;
    let dy: number;
    if (Math.abs(omega) < 1e-9) {
      dx = v * dt * Math.cos(robot.theta);
      dy = v * dt * Math.sin(robot.theta);
    } else {
      const r = v / omega;
      dx = r * (Math.sin(theta) - Math.sin(robot.theta));
      dy = -r * (Math.cos(theta) - Math.cos(robot.theta));
    }
    robot.theta = theta;
    if (dx === 0 && dy === 0) return;
    const hit = this.blocker(robot, robot.x + dx, robot.y + dy);
    let share = 1;
    if (hit) {
      // Go as far as the obstacle lets (to within 1/64 of this step), then stop there.
      let lo = 0;
      let hi = 1;
      for (let i = 0; i < 6; i++) {
        const mid = (lo + hi) / 2;
        if (this.blocker(robot, robot.x + dx * mid, robot.y + dy * mid)) hi = mid;
        else lo = mid;
      }
      share = lo;
      // The wheels still turn against the floor: the body's forward motion is lost, its turning is not.
      const lost = v * (1 - share);
      robot.ground.left -= lost;
      robot.ground.right -= lost;
      if (!robot.contact) {
        robot.bumps++;
        this.emit({ type: 'bump', t: this.time, robot: robot.id, x: round2(robot.x), y: round2(robot.y), with: hit.kind, id: hit.id });
      }
      robot.contact = hit;
    } else {
      robot.contact = undefined;
    }
    robot.x += dx * share;
    robot.y += dy * share;
    robot.odometer += Math.hypot(dx, dy) * share;
    if (this.arena.border === 'edge' && !this.scene.onTable(robot.x, robot.y)) {
      robot.fallen = true;
      this.emit({ type: 'fell-off', t: this.time, robot: robot.id, x: round2(robot.x), y: round2(robot.y) });
    }
    this.updateZones(robot);
  }

  private blocker(robot: SimRobot, x: number, y: number): { kind: 'wall' | 'obstacle' | 'border' | 'robot'; id: string } | undefined {
    const hit = this.scene.collision(x, y, robot.spec.radius);
    if (hit) return hit;
    for (const other of this.robotList) {
      if (other === robot || other.fallen) continue;
      if (Math.hypot(other.x - x, other.y - y) < other.spec.radius + robot.spec.radius) return { kind: 'robot', id: other.id };
    }
    return undefined;
  }

  private neighbours(robot: SimRobot): Neighbour[] {
    return this.robotList.filter((o) => o !== robot && !o.fallen).map((o) => ({ id: o.id, x: o.x, y: o.y, r: o.spec.radius }));
  }

  private updateZones(robot: SimRobot): void {
    if (this.scene.zones.length === 0) return;
    const now = this.scene.zonesAt(robot.x, robot.y);
    for (const zone of now) if (!robot.zones.includes(zone)) this.emit({ type: 'zone-enter', t: this.time, robot: robot.id, zone });
    for (const zone of robot.zones) if (!now.includes(zone)) this.emit({ type: 'zone-exit', t: this.time, robot: robot.id, zone });
    robot.zones = now;
  }

  private emit(event: WorldEvent): void {
    if (this.events.length >= EVENT_LIMIT) this.events.shift();
    this.events.push(event);
    for (const listener of this.listeners) listener(event);
  }
}

/** A world of robots in an arena: see RobotWorldOptions. */
export function createRobotWorld(options: RobotWorldOptions): RobotWorld {
  return new RobotWorld(options);
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}
