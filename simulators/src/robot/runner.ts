import type { RobotWorld } from './world.ts';

export interface RealTimeRunnerOptions {
  /** How often the world is advanced (wall-clock ms); 10 by default. */
  intervalMs?: number;
  /** Simulated seconds per wall-clock second; 1 by default. */
  speed?: number;
  /** The wall clock (ms), injectable for tests. */
  now?: () => number;
  /** The most simulated time one tick may catch up (ms): after a stall the robots do not jump. */
  maxCatchUpMs?: number;
}

/**
 * Advances a world with the wall clock, for students watching and for boards whose host runs in
 * real time (Johnny-Five, Node-RED). Checks that need no host call world.advance() directly.
 */
export class RealTimeRunner {
  private timer: NodeJS.Timeout | undefined;
  private last = 0;
  private readonly intervalMs: number;
  private readonly speed: number;
  private readonly now: () => number;
  private readonly maxCatchUpMs: number;

  constructor(
    readonly world: RobotWorld,
    options: RealTimeRunnerOptions = {},
  ) {
    this.intervalMs = options.intervalMs ?? 10;
    this.speed = options.speed ?? 1;
    this.now = options.now ?? (() => performance.now());
    this.maxCatchUpMs = options.maxCatchUpMs ?? 250;
  }

  get running(): boolean {
    return this.timer !== undefined;
  }

  start(): void {
    if (this.timer) return;
    this.last = this.now();
    this.timer = setInterval(() => this.tick(), this.intervalMs);
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Bring the world up to now (the timer calls this; a test with its own clock may too). */
  tick(): void {
    const now = this.now();
    const elapsed = Math.min((now - this.last) * this.speed, this.maxCatchUpMs);
    this.last = now;
    if (elapsed > 0) this.world.advance(elapsed);
  }
}
