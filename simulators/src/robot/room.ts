import type { SimulatedBoard } from '../firmata/device.ts';
import { connectRobot, robotClubWiring, type RobotLink, type RobotWiring } from './board-link.ts';
import { shippedArena, type NamedArena } from './arena/load.ts';
import type { Pose } from './arena/schema.ts';
import { hash32, nameWord } from './random.ts';
import type { RobotSpecInput } from './spec.ts';
import { RobotWorld } from './world.ts';

export interface RoomRobotOptions {
  /** The arena it starts in (a shipped arena's id or a loaded arena); 'empty-table' by default. */
  arena?: string | NamedArena;
  wiring?: RobotWiring;
  /** A name to show (the kit's label). */
  label?: string;
  start?: Pose;
  spec?: RobotSpecInput;
}

export interface RoomRobot {
  id: string;
  label: string;
  world: RobotWorld;
  board: SimulatedBoard;
  wiring: RobotWiring;
  /** Bumped each time the robot's world is replaced (another arena): views redraw the arena. */
  generation: number;
}

export interface RobotRoomOptions {
  /** Every robot's world is seeded from this and the robot's id. */
  seed: number;
  /** Simulated seconds per wall-clock second (1 by default). */
  speed?: number;
  /** Wall-clock ms between advances (10 by default). */
  tickMs?: number;
  /** The wall clock (ms), injectable for tests. */
  now?: () => number;
}

export type RoomListener = (change: { type: 'arena' | 'reset'; robot: string }) => void;

/**
 * A club's simulated robots, each in its own arena, each wired to its own simulated board, all
 * advanced in real time by one timer: what the demo and a gateway's live view (view/server.ts)
 * run on. A robot can be moved to another arena (a new world, the same board) or reset.
 */
export class RobotRoom {
  private readonly members = new Map<string, RoomRobot & { link: RobotLink; options: RoomRobotOptions }>();
  private readonly listeners = new Set<RoomListener>();
  private timer: NodeJS.Timeout | undefined;
  private last = 0;
  private readonly speed: number;
  private readonly tickMs: number;
  private readonly now: () => number;

  constructor(private readonly options: RobotRoomOptions) {
    this.speed = options.speed ?? 1;
    this.tickMs = options.tickMs ?? 10;
    this.now = options.now ?? (() => performance.now());
  }

  get seed(): number {
    return this.options.seed;
  }

  /** Put a robot in the room, wired to `board` (robot-club wiring unless told otherwise). */
  add(id: string, board: SimulatedBoard, options: RoomRobotOptions = {}): RoomRobot {
    if (this.members.has(id)) throw new Error(`robot '${id}' is already in the room`);
    const wiring = options.wiring ?? robotClubWiring;
    const world = this.world(id, options.arena ?? 'empty-table', options);
    const link = connectRobot(world, id, board, wiring);
    const member = { id, label: options.label ?? id, world, board, wiring, generation: 0, link, options };
    this.members.set(id, member);
    return member;
  }

  robots(): RoomRobot[] {
    return [...this.members.values()];
  }

  robot(id: string): RoomRobot {
    const member = this.members.get(id);
    if (!member) throw new Error(`no robot '${id}' in the room (robots: ${[...this.members.keys()].join(', ') || 'none'})`);
    return member;
  }

  /** Move a robot to another arena, at its start pose: a new world on the same board and wiring. */
  setArena(id: string, arena: string | NamedArena): void {
    const member = this.members.get(id);
    if (!member) throw new Error(`no robot '${id}' in the room`);
    const loaded = typeof arena === 'string' ? shippedArena(arena) : arena;
    const { start: _start, ...rest } = member.options;
    const world = this.world(id, loaded, rest);
    member.link.disconnect();
    member.world = world;
    member.link = connectRobot(world, id, member.board, member.wiring);
    member.generation++;
    this.emit({ type: 'arena', robot: id });
  }

  /** Put a robot back on its start pose. */
  reset(id: string): void {
    this.robot(id).world.reset(id);
    this.emit({ type: 'reset', robot: id });
  }

  onChange(listener: RoomListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Advance every world with the wall clock, from now on. */
  start(): void {
    if (this.timer) return;
    this.last = this.now();
    this.timer = setInterval(() => this.tick(), this.tickMs);
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Bring every world up to now (at most 250 ms at once: after a stall the robots do not jump). */
  tick(): void {
    const now = this.now();
    const elapsed = Math.min((now - this.last) * this.speed, 250);
    this.last = now;
    if (elapsed > 0) for (const member of this.members.values()) member.world.advance(elapsed);
  }

  /** Stop the clock and unwire every robot. */
  close(): void {
    this.stop();
    for (const member of this.members.values()) member.link.disconnect();
    this.members.clear();
  }

  private world(id: string, arena: string | NamedArena, options: RoomRobotOptions): RobotWorld {
    const world = new RobotWorld({ arena, seed: hash32(this.options.seed, nameWord(id)) });
    world.addRobot({ id, ...(options.start ? { start: options.start } : {}), ...(options.spec ? { spec: options.spec } : {}) });
    return world;
  }

  private emit(change: Parameters<RoomListener>[0]): void {
    for (const listener of this.listeners) listener(change);
  }
}
