import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ArenaError, createRobotWorld, loadArenaFile, parseArena, shippedArena, shippedArenaIds } from '../src/index.ts';

// The robot world's physics against cases worked out by hand. With the default robot
// (src/robot/spec.ts): a wheel at PWM p ≥ 60 turns at 39·(p − 60)/195 cm/s and rolls 3 % slower
// over the floor; at PWM 150 that is 18 cm/s · 0.97 = 17.46 cm/s. Noise is off (noise: 0)
// except where determinism itself is tested.

const V150 = ((39 * 90) / 195) * 0.97; // 17.46 cm/s
const V200 = ((39 * 140) / 195) * 0.97; // 27.16 cm/s

function quiet(arena = 'empty-table') {
  const world = createRobotWorld({ arena, seed: 1, noise: 0 });
  const robot = world.addRobot({ id: 'robot-1' });
  return { world, robot };
}

describe('driving', () => {
  it('drives straight at 17.46 cm/s at PWM 150, once the motors are up to speed', () => {
    const { world, robot } = quiet();
    expect(robot.pose).toEqual({ x: 40, y: 75, heading: 0 });
    robot.drive(150, 150);
    world.advance(1000);
    const x1 = robot.x;
    world.advance(2000);
    expect(robot.x - x1).toBeCloseTo(2 * V150, 2);
    // The first second loses a motor time constant (0.1 s) and a little traction-limited start.
    expect(x1 - 40).toBeGreaterThan(V150 * (1 - 0.15));
    expect(x1 - 40).toBeLessThan(V150 * (1 - 0.08));
    expect(robot.y).toBeCloseTo(75, 9);
    expect(robot.pose.heading).toBeCloseTo(0, 9);
  });

  it('does not move below the dead band (PWM 55, and 60 itself)', () => {
    const { world, robot } = quiet();
    robot.drive(55, 55);
    world.advance(2000);
    expect(robot.pose).toEqual({ x: 40, y: 75, heading: 0 });
    robot.drive(60, -60);
    world.advance(2000);
    expect(robot.pose).toEqual({ x: 40, y: 75, heading: 0 });
    robot.drive(61, 61);
    world.advance(2000);
    expect(robot.x).toBeGreaterThan(40);
  });

  it('turns on the spot at 2·17.46/13 rad/s (153.9°/s) with its wheels at ∓150', () => {
    const { world, robot } = quiet();
    robot.drive(-150, 150);
    world.advance(1000);
    const h1 = robot.theta;
    world.advance(500);
    expect(((robot.theta - h1) * 180) / Math.PI).toBeCloseTo((((2 * V150) / 13) * 0.5 * 180) / Math.PI, 2);
    expect(robot.x).toBeCloseTo(40, 6);
    expect(robot.y).toBeCloseTo(75, 6);
  });

  it('a hard start spins the wheels: the floor speed rises no faster than the traction allows (150 cm/s²)', () => {
    const { world, robot } = quiet();
    robot.drive(255, 255);
    world.advance(100);
    expect(robot.ground.left).toBeLessThanOrEqual(150 * 0.1 + 1e-9);
    expect(robot.wheel.left).toBeGreaterThan(robot.ground.left);
  });

  it('a sagging, draining battery makes the same PWM slower', () => {
    const fresh = quiet();
    const world = createRobotWorld({ arena: 'empty-table', seed: 1, noise: 0 });
    const robot = world.addRobot({ id: 'r', spec: { battery: { full: 7.4, sag: 0.6, drainPerMinute: 6, empty: 5 } } });
    for (const r of [fresh.robot, robot]) r.drive(150, 150);
    fresh.world.advance(3000);
    world.advance(3000);
    expect(robot.x).toBeLessThan(fresh.robot.x - 1);
    expect(robot.volts).toBeLessThan(7.4);
  });
});

describe('collisions', () => {
  it('stops at the fence with its 10 cm body touching it, and counts one bump', () => {
    const { world, robot } = quiet();
    robot.drive(200, 200);
    const stopped = world.runUntil(() => robot.contact !== undefined, 10_000);
    expect(stopped).toBe(true);
    // From x = 40 at 27.16 cm/s: the fence (x = 200) is reached in about (190 − 40)/27.16 = 5.5 s.
    expect(world.time / 1000).toBeCloseTo((190 - 40) / V200 + 0.12, 0);
    world.advance(3000);
    expect(robot.x).toBeCloseTo(190, 1);
    expect(robot.x).toBeLessThanOrEqual(190);
    expect(world.events.filter((e) => e.type === 'bump')).toEqual([expect.objectContaining({ robot: 'robot-1', with: 'border', id: 'border-east' })]);
    expect(robot.bumps).toBe(1);
    // Turning away is still possible, and driving off ends the contact.
    robot.drive(-150, -150);
    world.advance(1000);
    expect(robot.contact).toBeUndefined();
    expect(robot.x).toBeLessThan(185);
  });

  it('bumps into a named obstacle, and into another robot', () => {
    const world = createRobotWorld({ arena: 'obstacle-course', seed: 1, noise: 0 });
    const robot = world.addRobot({ id: 'r', start: { x: 60, y: 70, heading: 90 } });
    robot.drive(150, 150);
    world.advance(5000);
    // box-1 is 20 × 20 at (60, 110): its face is at y = 100, so the robot stops at y = 90.
    expect(robot.y).toBeCloseTo(90, 1);
    expect(world.events).toContainEqual(expect.objectContaining({ type: 'bump', with: 'obstacle', id: 'box-1' }));

    const sumo = createRobotWorld({ arena: 'sumo-ring', seed: 1, noise: 0 });
    const a = sumo.addRobot({ id: 'a' });
    sumo.addRobot({ id: 'b' });
    a.drive(150, 150);
    sumo.advance(5000);
    // b stands at x = 102: a stops with the two 10 cm bodies touching.
    expect(a.x).toBeCloseTo(82, 1);
    expect(sumo.events).toContainEqual(expect.objectContaining({ type: 'bump', robot: 'a', with: 'robot', id: 'b' }));
  });

  it('falls off a table without a fence, and says so', () => {
    const world = createRobotWorld({ arena: 'sumo-ring', seed: 1, noise: 0 });
    const robot = world.addRobot({ id: 'r', start: { x: 77, y: 77, heading: 90 } });
    robot.drive(200, 200);
    world.advance(6000);
    expect(robot.fallen).toBe(true);
    expect(robot.y).toBeGreaterThan(154);
    expect(robot.y).toBeLessThan(155);
    expect(world.events.filter((e) => e.type === 'fell-off')).toHaveLength(1);
    world.reset('r');
    expect(robot.fallen).toBe(false);
    expect(robot.pose).toEqual({ x: 77, y: 77, heading: 90 });
  });

  it('reports entering and leaving zones', () => {
    const world = createRobotWorld({ arena: 'parking-bay', seed: 1, noise: 0 });
    const robot = world.addRobot({ id: 'r' });
    robot.drive(150, 150);
    world.advance(12_000);
    expect(world.events).toContainEqual(expect.objectContaining({ type: 'zone-enter', robot: 'r', zone: 'bay' }));
    expect(robot.zones).toEqual(['bay']);
    // The bay's back wall (x = 190, 2 cm thick) stops it at 189 − 10.
    expect(robot.x).toBeCloseTo(179, 1);
  });
});

describe('sensors', () => {
  it('the sonar measures from its mount (8 cm ahead) to the wall: 200 − 48 = 152 cm', () => {
    const { world } = quiet();
    expect(world.sonar('robot-1')).toBe(152);
  });

  it('the servo pans the sonar; the cone (±15°) sees the nearest wall within it', () => {
    const { world, robot } = quiet();
    robot.inputs.servo = 170; // 80° to the left: the wall at y = 150 is 75 cm away straight up, inside the cone
    world.advance(1000);
    expect(robot.servoAngle).toBe(170);
    expect(world.sonar('robot-1')).toBe(75);
    robot.inputs.servo = 10; // 80° to the right: the wall at y = 0 is 75 cm down
    world.advance(1000);
    expect(world.sonar('robot-1')).toBe(75);
  });

  it('nothing within 400 cm: no reading; nearer than 2 cm: 2 cm', () => {
    const world = createRobotWorld({ arena: 'sumo-ring', seed: 1, noise: 0 });
    world.addRobot({ id: 'r' });
    expect(world.sonar('r')).toBeNull();
    const { world: table, robot } = quiet();
    robot.place({ x: 191, y: 75, heading: 0 }); // pressed against the fence is impossible; 1 cm short of it
    robot.x = 190.5;
    expect(table.sonar('robot-1')).toBe(2);
  });

  it('a line sensor over the line\'s edge reads half way between light (80) and dark (900)', () => {
    const { world, robot } = quiet('line-oval');
    // The bottom straight runs along y = 30, 2 cm wide: its upper edge is y = 31. Sensors are 7 cm
    // ahead, 1.5 cm apart: with the robot at y = 31 the middle one sits on the edge, the left one
    // 1.5 cm into the white, the right one 0.5 cm into the black.
    robot.place({ x: 100, y: 31, heading: 0 });
    expect(world.lineSensors('robot-1')).toEqual([80, 490, 900]);
    robot.place({ x: 100, y: 30, heading: 0 });
    expect(world.lineSensors('robot-1')).toEqual([80, 900, 80]);
  });

  it('the sumo ring reads dark, its white edge light', () => {
    const world = createRobotWorld({ arena: 'sumo-ring', seed: 1, noise: 0 });
    const robot = world.addRobot({ id: 'r', start: { x: 77, y: 77, heading: 0 } });
    expect(world.lineSensors('r')).toEqual([900, 900, 900]);
    robot.place({ x: 144, y: 77, heading: 0 }); // sensors at x = 151, 4 cm beyond the ring's edge
    expect(world.lineSensors('r')).toEqual([80, 80, 80]);
  });
});

describe('seeded noise', () => {
  function run(seed: number) {
    const world = createRobotWorld({ arena: 'line-oval', seed });
    const robot = world.addRobot({ id: 'robot-1' });
    const readings: Array<[number | null, number[]]> = [];
    robot.drive(140, 150);
    for (let i = 0; i < 20; i++) {
      world.advance(200);
      readings.push([world.sonar('robot-1'), world.lineSensors('robot-1')]);
    }
    return { trace: world.trace('robot-1').map((p) => ({ ...p })), readings };
  }

  it('the same seed gives the same run; another seed another', () => {
    const seed = 20261204;
    console.log(`seeds ${seed} and ${seed + 1}`);
    const a = run(seed);
    expect(run(seed)).toEqual(a);
    const b = run(seed + 1);
    expect(b.trace).not.toEqual(a.trace);
    expect(b.readings).not.toEqual(a.readings);
    // With noise, no two motors are alike: the robot does not quite drive its commanded curve.
    expect(a.trace.length).toBeGreaterThan(70);
  });
});

describe('arenas', () => {
  const dir = mkdtempSync(join(tmpdir(), 'stemlab-arena-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('every shipped arena loads and takes a robot at each of its start poses', () => {
    expect(shippedArenaIds()).toEqual(['empty-table', 'line-figure-eight', 'line-oval', 'maze', 'obstacle-course', 'parking-bay', 'sumo-ring']);
    for (const id of shippedArenaIds()) {
      const arena = shippedArena(id);
      expect(arena.title.vi).not.toBe(arena.title.en);
      const world = createRobotWorld({ arena, seed: 1 });
      arena.start.forEach((_, i) => world.addRobot({ id: `r${i}`, start: i }));
    }
  });

  it('line-following arenas start with the middle sensor on the line', () => {
    for (const id of ['line-oval', 'line-figure-eight']) {
      const world = createRobotWorld({ arena: id, seed: 1, noise: 0 });
      world.addRobot({ id: 'r' });
      expect(world.lineSensors('r')[1]).toBeGreaterThan(700);
    }
  });

  it('refuses a bad arena, naming each field', () => {
    const good = { title: { vi: 'Bàn', en: 'Table' }, size: { width: 100, height: 100 }, start: [{ x: 50, y: 50 }] };
    expect(parseArena(good, 'ok').border).toBe('wall');
    const bad = (input: unknown) => {
      try {
        parseArena(input, 'bad');
      } catch (err) {
        expect(err).toBeInstanceOf(ArenaError);
        return (err as ArenaError).issues.map((i) => i.path);
      }
      throw new Error('accepted');
    };
    expect(bad({ ...good, walls: [{ from: [0, 0], to: [150, 10] }] })).toEqual(['walls.0.to']);
    expect(bad({ ...good, start: [] })).toEqual(['start']);
    expect(bad({ ...good, size: { width: -1, height: 100 } })).toContain('size.width');
    expect(bad({ ...good, obstacles: [{ shape: 'pyramid', center: [1, 1] }] })).toEqual(['obstacles.0.shape']);
    expect(bad({ ...good, lines: [{ shape: 'circle', center: [50, 50], radius: 20, colour: 'red' }] })).toEqual(['lines.0']);
    const message = (() => {
      try {
        parseArena({ ...good, walls: [{ from: [0, 0], to: [150, 10] }] }, 'bad', 'bad.yaml');
      } catch (err) {
        return (err as Error).message;
      }
    })();
    expect(message).toContain('walls.0.to: [150, 10] is outside the 100 × 100 cm arena');
  });

  it('reads YAML and JSON files, and says which file is not valid', () => {
    writeFileSync(join(dir, 'mine.json'), JSON.stringify({ title: { vi: 'Của em', en: 'Mine' }, size: { width: 80, height: 60 }, start: [{ x: 20, y: 30 }] }));
    expect(loadArenaFile(join(dir, 'mine.json')).id).toBe('mine');
    writeFileSync(join(dir, 'broken.yaml'), 'title: [unclosed');
    expect(() => loadArenaFile(join(dir, 'broken.yaml'))).toThrow(/broken\.yaml: not valid YAML/);
    expect(() => shippedArena('moon-base')).toThrow(/no such arena; the shipped arenas are empty-table/);
  });

  it('refuses a robot placed inside a wall', () => {
    const world = createRobotWorld({ arena: 'maze', seed: 1 });
    expect(() => world.addRobot({ id: 'r', start: { x: 50, y: 50, heading: 0 } })).toThrow(/inside wall-1/);
  });
});
