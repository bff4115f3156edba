import type { Pose } from './arena/schema.ts';
import type { Hit, Scene } from './arena/scene.ts';
import { rayCircle } from './arena/scene.ts';
import { gaussian, nameWord } from './random.ts';
import { commandedSpeed, type RobotSpec } from './spec.ts';

/** What drives a robot: what its board's pins say (or a test, directly). */
export interface RobotInputs {
  left: MotorInput;
  right: MotorInput;
  /** The pan servo's commanded angle: 90 looks ahead, more looks left. */
  servo: number;
  led: boolean;
  buzzer: boolean;
}

export interface MotorInput {
  /** PWM duty 0–255. */
  pwm: number;
  forward: boolean;
}

export interface TracePoint {
  /** Simulated ms since the world began. */
  t: number;
  x: number;
  y: number;
  /** Degrees, 0 = +x, counterclockwise, kept in (-180, 180]. */
  heading: number;
}

/** Where the other robots are, for the sonar and for collisions. */
export interface Neighbour {
  id: string;
  x: number;
  y: number;
  r: number;
}

const SONAR = nameWord('sonar');
const LINE = nameWord('line');

/**
 * One simulated robot: its body's pose, its motors, servo and battery, and what its sensors read.
 * The world steps it and resolves its collisions; everything here is deterministic given the
 * world's seed.
 */
export class SimRobot {
  x = 0;
  y = 0;
  /** Radians. */
  theta = 0;
  /** Motor shaft speeds as wheel-rim speeds (cm/s), and the wheels' speeds over the floor. */
  wheel = { left: 0, right: 0 };
  ground = { left: 0, right: 0 };
  servoAngle = 90;
  /** Battery volts now (the full voltage when the robot has no battery model). */
  volts: number;
  /** What the robot is pressed against, if anything. */
  contact: Hit | { kind: 'robot'; id: string } | undefined;
  fallen = false;
  bumps = 0;
  zones: string[] = [];
  odometer = 0;
  /** A piezo driven through a board sounds until this simulated time (ms); see buzzing(). */
  buzzerUntil = -Infinity;
  readonly trace: TracePoint[] = [];
  readonly inputs: RobotInputs = { left: { pwm: 0, forward: true }, right: { pwm: 0, forward: true }, servo: 90, led: false, buzzer: false };
  private readonly gain: { left: number; right: number };
  private readonly word: number;

  constructor(
    readonly id: string,
    readonly spec: RobotSpec,
    readonly start: Pose,
    private readonly seed: number,
    private readonly noise: number,
  ) {
    this.word = nameWord(id);
    // Each motor a little stronger or weaker than its twin, the same for the same seed.
    this.gain = {
      left: 1 + noise * spec.noise.motorGain * gaussian(seed, this.word, 1),
      right: 1 + noise * spec.noise.motorGain * gaussian(seed, this.word, 2),
    };
    this.volts = spec.battery?.full ?? 0;
    this.place(start);
  }

  get pose(): Pose {
    return { x: this.x, y: this.y, heading: degrees(this.theta) };
  }

  /** Whether the buzzer sounds at simulated time `t` (ms). */
  buzzing(t: number): boolean {
    return this.inputs.buzzer || t < this.buzzerUntil;
  }

  /** Drive both wheels with a signed PWM each (−255…255), as a motor driver's two channels. */
  drive(left: number, right: number): void {
    this.inputs.left = { pwm: Math.min(Math.abs(left), 255), forward: left >= 0 };
    this.inputs.right = { pwm: Math.min(Math.abs(right), 255), forward: right >= 0 };
  }

  /** Put the robot at a pose, at rest (its trace, bumps and battery are kept). */
  place(pose: Pose): void {
    this.x = pose.x;
    this.y = pose.y;
    this.theta = (pose.heading * Math.PI) / 180;
    this.wheel = { left: 0, right: 0 };
    this.ground = { left: 0, right: 0 };
    this.contact = undefined;
    this.fallen = false;
  }

  /** Advance the motors, servo and battery by dt seconds; returns the body's wished motion (cm/s, rad/s). */
  actuate(dt: number): { v: number; omega: number } {
    const { spec, inputs } = this;
    const share = this.batteryShare(dt);
    const lag = 1 - Math.exp(-dt / spec.motorTau);
    const grip = spec.traction * dt;
    for (const side of ['left', 'right'] as const) {
      const target = commandedSpeed(spec, inputs[side].pwm, inputs[side].forward, share) * this.gain[side];
      this.wheel[side] += (target - this.wheel[side]) * lag;
      const rolling = this.wheel[side] * (1 - spec.slip);
      this.ground[side] += Math.min(Math.max(rolling - this.ground[side], -grip), grip);
    }
    const step = spec.servoSpeed * dt;
    this.servoAngle += Math.min(Math.max(inputs.servo - this.servoAngle, -step), step);
    if (this.fallen) return { v: 0, omega: 0 };
    return { v: (this.ground.left + this.ground.right) / 2, omega: (this.ground.right - this.ground.left) / spec.track };
  }

  /** The sonar's reading now (cm), or null when nothing is within its range. */
  sonar(scene: Scene, others: readonly Neighbour[], step: number): number | null {
    const { sonar } = this.spec;
    const ox = this.x + sonar.offset * Math.cos(this.theta);
    const oy = this.y + sonar.offset * Math.sin(this.theta);
    const aim = this.theta + ((this.servoAngle - 90) * Math.PI) / 180;
    const half = (sonar.halfAngle * Math.PI) / 180;
    let nearest = Infinity;
    for (let i = 0; i < sonar.rays; i++) {
      const a = sonar.rays === 1 ? aim : aim - half + (2 * half * i) / (sonar.rays - 1);
      const dx = Math.cos(a);
      const dy = Math.sin(a);
      nearest = Math.min(nearest, scene.raycast(ox, oy, dx, dy, sonar.max));
      for (const o of others) nearest = Math.min(nearest, rayCircle(o.x, o.y, o.r, ox, oy, dx, dy));
    }
    if (nearest > sonar.max) return null;
    const noisy = nearest + this.noise * this.spec.noise.sonar * gaussian(this.seed, this.word, SONAR, step);
    return Math.round(Math.max(noisy, sonar.min) * 100) / 100;
  }

  /** Where each line sensor is on the floor, left to right. */
  lineSensorPositions(): Array<[number, number]> {
    const { line } = this.spec;
    const fx = Math.cos(this.theta);
    const fy = Math.sin(this.theta);
    const positions: Array<[number, number]> = [];
    for (let i = 0; i < line.count; i++) {
      const left = ((line.count - 1) / 2 - i) * line.spacing;
      positions.push([this.x + line.offset * fx - left * fy, this.y + line.offset * fy + left * fx]);
    }
    return positions;
  }

  /** The line sensors' analog readings now (0–1023, dark reads high), left to right. */
  lineSensors(scene: Scene, step: number): number[] {
    // The board reads each sensor's channel on its own, and each read asks for the array: the
    // same step and pose give the same readings, so they are worked out once.
    const memo = this.lineMemo;
    if (memo && memo.step === step && memo.scene === scene && memo.x === this.x && memo.y === this.y && memo.theta === this.theta) return [...memo.values];
    const values = this.readLineSensors(scene, step);
    this.lineMemo = { step, scene, x: this.x, y: this.y, theta: this.theta, values };
    return [...values];
  }

  private lineMemo: { step: number; scene: Scene; x: number; y: number; theta: number; values: number[] } | undefined;

  private readLineSensors(scene: Scene, step: number): number[] {
    const { line } = this.spec;
    return this.lineSensorPositions().map(([x, y], i) => {
      const dark = scene.darkness(x, y, line.spot);
      const raw = line.light + (line.dark - line.light) * dark + this.noise * this.spec.noise.line * gaussian(this.seed, this.word, LINE, i, step);
      return Math.min(Math.max(Math.round(raw), 0), 1023);
    });
  }

  /** Record where the robot is. */
  record(t: number, limit: number): void {
    if (this.trace.length >= limit) this.trace.splice(0, this.trace.length - limit + 1);
    this.trace.push({ t, x: round2(this.x), y: round2(this.y), heading: round2(degrees(this.theta)) });
  }

  private batteryShare(dt: number): number {
    const battery = this.spec.battery;
    if (!battery) return 1;
    const load = (this.inputs.left.pwm + this.inputs.right.pwm) / 510;
    this.volts = Math.max(this.volts - (battery.drainPerMinute * load * dt) / 60, 0);
    const underLoad = this.volts - battery.sag * load;
    return underLoad < battery.empty ? 0 : underLoad / battery.full;
  }
}

/** Degrees in (-180, 180]. */
export function degrees(theta: number): number {
  let d = ((theta * 180) / Math.PI) % 360;
  if (d > 180) d -= 360;
  if (d <= -180) d += 360;
  return d;
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}
