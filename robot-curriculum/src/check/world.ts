/**
 * The robot lessons' world: the simulated robot of @stemlab/simulators in the lesson's arena,
 * wired to the check's simulated board as the robot-club kit is wired (its motors driven by the
 * pins the flow's commands set, its sonar and line sensors answering the firmware from the
 * robot's pose). Stepped with the check's simulated clock; sampled into the trace every 50 ms.
 */
import { connectRobot, createRobotWorld, wiringFromComponents, type SimulatedBoard, type WorldEvent as RobotEvent } from '@stemlab/simulators';
import type { KitConfig } from '../kits.ts';
import type { SessionWorld } from './session.ts';
import type { WorldEvent } from './trace.ts';

const ROBOT = 'robot';
const round = (n: number) => Math.round(n * 10) / 10;

export function robotWorld(arena: string, seed: number, kit: KitConfig, noise = 1): SessionWorld {
  const world = createRobotWorld({ arena, seed, noise });
  const robot = world.addRobot({ id: ROBOT });
  const events: WorldEvent[] = [];
  world.onEvent((e: RobotEvent) => {
    if (e.type === 'bump') events.push({ t: e.t, kind: 'bump', value: { x: e.x, y: e.y, with: e.with, id: e.id } });
    else if (e.type === 'fell-off') events.push({ t: e.t, kind: 'fell-off', value: { x: e.x, y: e.y } });
    else if (e.type === 'zone-enter' || e.type === 'zone-exit') events.push({ t: e.t, kind: e.type, value: e.zone });
  });
  return {
    attach(board: SimulatedBoard) {
      connectRobot(world, ROBOT, board, wiringFromComponents(kit.components));
      // The zones the robot starts in count as entered.
      for (const zone of robot.zones) events.push({ t: 0, kind: 'zone-enter', value: zone });
    },
    step(_t, dtMs) {
      world.advance(dtMs);
    },
    sample(t) {
      const heading = (((((robot.theta * 180) / Math.PI) % 360) + 540) % 360) - 180;
      return { t, x: round(robot.x), y: round(robot.y), heading: round(heading), sonar: world.sonar(ROBOT), line: world.lineSensors(ROBOT).map((v) => v > 512) };
    },
    events: () => events,
  };
}
