import { readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connectRobot, createRobotWorld, RealTimeRunner, wiringFromComponents, type ComponentLike, type RobotWorld } from '@stemlab/simulators';
import { clubRobot, helper, rig, teardown, type FlowNode, type Rig } from './helpers/red.ts';

// The robot club's lesson solutions driving a simulated robot in an arena, in real time: a real
// Node-RED runtime with the palette, the agent, Johnny-Five and the serialport → Firmata stack to
// a simulated Uno wired as robot-1 of the robot-club example config, whose pins drive the robot
// and whose sonar and line sensors read the arena. Nothing here knows it is a simulation but the
// world advanced by the wall clock.

const read = (path: string) => JSON.parse(readFileSync(new URL(`../${path}`, import.meta.url), 'utf8')) as FlowNode[];
const kit = clubRobot() as { components: ComponentLike[] };

let world: RobotWorld;
let runner: RealTimeRunner;
let r: Rig;

async function lessonIn(arena: string, lesson: string, start?: { x: number; y: number; heading: number }): Promise<void> {
  const seed = 20261204;
  console.log(`${lesson} in ${arena}, seed ${seed}`);
  world = createRobotWorld({ arena, seed });
  world.addRobot({ id: 'robot-1', ...(start ? { start } : {}) });
  r = await rig(kit, { beforeStart: (sim) => connectRobot(world, 'robot-1', sim.board('robot-1'), wiringFromComponents(kit.components)) });
  runner = new RealTimeRunner(world);
  runner.start();
  await r.load(read(`lessons/${lesson}/solution.json`));
}

beforeAll(() => helper.startServer());
afterEach(async () => {
  runner?.stop();
  await teardown();
});
afterAll(() => helper.stopServer());

describe('lessons drive the simulated robot', () => {
  it('obstacle: drives at the fence, stops (and beeps) before touching it', async () => {
    // 70 cm from the fence: the sonar, 8 cm ahead, reads 62 cm at the start.
    await lessonIn('empty-table', 'obstacle', { x: 120, y: 75, heading: 0 });
    const robot = world.robot('robot-1');
    await expect.poll(() => robot.x, { timeout: 5000 }).toBeGreaterThan(125);
    // It stops when the sonar reads under 20 cm, i.e. once its centre is past 200 − 8 − 20 = 172.
    await expect.poll(() => robot.inputs.left.pwm === 0 && robot.inputs.right.pwm === 0 && robot.x > 165, { timeout: 10_000 }).toBe(true);
    await expect.poll(() => robot.buzzerUntil, { timeout: 2000 }).toBeGreaterThan(0);
    // Its motors coast down in a few tenths of a second; stopped, it stays stopped, short of the
    // fence (its body's front at x + 10 < 200).
    await expect.poll(() => Math.abs(robot.ground.left) + Math.abs(robot.ground.right), { timeout: 2000 }).toBeLessThan(0.01);
    const stoppedAt = robot.x;
    const t = world.time;
    await expect.poll(() => world.time - t, { timeout: 3000 }).toBeGreaterThan(1000);
    expect(Math.abs(robot.x - stoppedAt)).toBeLessThan(0.1);
    expect(robot.x + robot.spec.radius).toBeLessThan(200);
    expect(world.events.filter((e) => e.type === 'bump')).toEqual([]);
    const sonar = world.sonar('robot-1');
    expect(sonar).not.toBeNull();
    expect(sonar!).toBeLessThan(20);
  });

  it('line: follows the oval round its first curve onto the top straight', async () => {
    await lessonIn('line-oval', 'line');
    const robot = world.robot('robot-1');
    // Round the right-hand curve (radius 45 cm at x = 140) until it heads back along the top.
    await expect.poll(() => robot.y > 110 && robot.x < 130, { timeout: 40_000, interval: 250 }).toBe(true);
    expect(Math.abs(robot.pose.heading)).toBeGreaterThan(135);
    // All the way the robot's centre stayed within 5 cm of the line (sensors 7 cm ahead).
    const offLine = (x: number, y: number) => {
      const along = Math.min(Math.max(x - 100, -40), 40);
      return Math.abs(Math.hypot(x - 100 - along, y - 75) - 45);
    };
    const worst = Math.max(...world.trace('robot-1').map((p) => offLine(p.x, p.y)));
    expect(worst).toBeLessThan(5);
    expect(world.events.filter((e) => e.type === 'bump')).toEqual([]);
  }, 60_000);
});
