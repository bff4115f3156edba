import { shippedArena, shippedArenaIds } from '../arena/load.ts';
import type { RoomRobot } from '../room.ts';

/**
 * What the live view draws, as JSON: a robot's scene (its arena's geometry, its body and
 * sensors, its trail so far), sent when a view connects and when the arena changes, and its
 * frames (pose and readings), sent many times a second.
 */

export interface SceneMessage {
  id: string;
  label: string;
  generation: number;
  arena: {
    id: string;
    title: { vi: string; en: string };
    width: number;
    height: number;
    border: 'wall' | 'edge';
    floorDark: boolean;
    /** Walls, obstacles and the fence as polygons (corner points). */
    solids: Array<{ kind: string; id: string; corners: Array<[number, number]> }>;
    cylinders: Array<{ id: string; x: number; y: number; r: number }>;
    lines: Array<{ width: number; points: Array<[number, number]> }>;
    zones: Array<
      | { shape: 'rect'; id: string; label?: { vi: string; en: string }; surface: string; corners: Array<[number, number]> }
      | { shape: 'circle'; id: string; label?: { vi: string; en: string }; surface: string; x: number; y: number; r: number }
    >;
  };
  body: {
    radius: number;
    track: number;
    sonar: { offset: number; halfAngle: number; max: number };
    /** Each line sensor as [cm ahead of the axle, cm to the left], left to right. */
    lineSensors: Array<[number, number]>;
    lineThreshold: number;
  };
  /** Where the robot has been: [x, y] pairs, oldest first. */
  trail: Array<[number, number]>;
}

export interface FrameMessage {
  id: string;
  generation: number;
  /** Simulated ms. */
  t: number;
  x: number;
  y: number;
  heading: number;
  servo: number;
  sonar: number | null;
  line: number[];
  led: boolean;
  buzzer: boolean;
  contact: boolean;
  bumps: number;
  fallen: boolean;
  /** Signed PWM per wheel, as the board's pins say. */
  left: number;
  right: number;
  zones: string[];
}

const TRAIL_POINTS = 2000;

export function sceneOf(member: RoomRobot): SceneMessage {
  const { world } = member;
  const { scene, arena } = world;
  const robot = world.robot(member.id);
  const { spec } = robot;
  const corners = (cx: number, cy: number, hx: number, hy: number, cos: number, sin: number): Array<[number, number]> =>
    [
      [-hx, -hy],
      [hx, -hy],
      [hx, hy],
      [-hx, hy],
    ].map(([x, y]) => [round(cx + x! * cos - y! * sin), round(cy + x! * sin + y! * cos)]);
  const trace = robot.trace;
  const step = Math.max(1, Math.ceil(trace.length / TRAIL_POINTS));
  return {
    id: member.id,
    label: member.label,
    generation: member.generation,
    arena: {
      id: arena.id,
      title: arena.title,
      width: scene.width,
      height: scene.height,
      border: arena.border,
      floorDark: scene.floorDark,
      solids: scene.boxes.map((b) => ({ kind: b.kind, id: b.id, corners: corners(b.cx, b.cy, b.hx, b.hy, b.cos, b.sin) })),
      cylinders: scene.circles.map((c) => ({ id: c.id, x: c.cx, y: c.cy, r: c.r })),
      lines: scene.lines.map((l) => ({ width: l.half * 2, points: l.points.map(([x, y]) => [round(x), round(y)] as [number, number]) })),
      zones: arena.zones.map((z) => {
        const common = { id: z.id, surface: z.surface, ...(z.label ? { label: z.label } : {}) };
        if (z.shape === 'circle') return { shape: 'circle' as const, ...common, x: z.center[0], y: z.center[1], r: z.radius };
        const a = (z.angle * Math.PI) / 180;
        return { shape: 'rect' as const, ...common, corners: corners(z.center[0], z.center[1], z.size[0] / 2, z.size[1] / 2, Math.cos(a), Math.sin(a)) };
      }),
    },
    body: {
      radius: spec.radius,
      track: spec.track,
      sonar: { offset: spec.sonar.offset, halfAngle: spec.sonar.halfAngle, max: spec.sonar.max },
      lineSensors: Array.from({ length: spec.line.count }, (_, i) => [spec.line.offset, ((spec.line.count - 1) / 2 - i) * spec.line.spacing] as [number, number]),
      lineThreshold: (spec.line.light + spec.line.dark) / 2,
    },
    trail: trace.filter((_, i) => i % step === 0 || i === trace.length - 1).map((p) => [p.x, p.y]),
  };
}

export function frameOf(member: RoomRobot): FrameMessage {
  const { world } = member;
  const robot = world.robot(member.id);
  const signed = (m: { pwm: number; forward: boolean }) => (m.forward ? m.pwm : -m.pwm);
  return {
    id: member.id,
    generation: member.generation,
    t: world.time,
    x: round(robot.x),
    y: round(robot.y),
    heading: round(robot.pose.heading),
    servo: Math.round(robot.servoAngle),
    sonar: world.sonar(member.id),
    line: world.lineSensors(member.id),
    led: robot.inputs.led,
    buzzer: robot.buzzing(world.time),
    contact: robot.contact !== undefined,
    bumps: robot.bumps,
    fallen: robot.fallen,
    left: signed(robot.inputs.left),
    right: signed(robot.inputs.right),
    zones: robot.zones,
  };
}

/** The arenas a view offers, with their names. */
export function arenaChoices(): Array<{ id: string; title: { vi: string; en: string } }> {
  return shippedArenaIds().map((id) => ({ id, title: shippedArena(id).title }));
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
