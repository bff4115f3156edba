import { RobotRoom, robotViewHandler, wiringFromComponents, type ViewHandler } from '@stemlab/simulators';
import type { ComposedGateway } from './gateway.ts';

export interface SimulatedRobotsOptions {
  /** Seeds every robot's world (with the robot's id): the same seed, the same noise. */
  seed?: number;
  /** The arena of each robot by kit id; the others get `defaultArena`. */
  arenas?: Record<string, string>;
  /** 'empty-table' unless told otherwise. */
  defaultArena?: string;
  /** Where the live view is mounted beside the Node-RED editor; '/robot-view' by default. */
  viewPath?: string;
}

export interface SimulatedRobots {
  room: RobotRoom;
  /** The view's path on the gateway's port; undefined when Node-RED does not run (its log-in guards the view's data). */
  viewPath: string | undefined;
  close(): void;
}

/**
 * Put every simulated robot kit of a composed gateway (a `sim:` kit with two motors) in an arena,
 * wired to its board as its config wires it, advanced in real time; and mount the live view
 * beside the gateway's Node-RED editor (behind the same log-in). For the demo, `stemlab agent`
 * on simulated kits, and tests; the agent itself knows nothing of it.
 */
export function simulatedRobots(gateway: ComposedGateway, options: SimulatedRobotsOptions = {}): SimulatedRobots {
  const { config } = gateway.agent;
  const room = new RobotRoom({ seed: options.seed ?? 1 });
  const simulator = gateway.simulator;
  for (const kit of config.kits) {
    const name = kit.find.sim;
    if (!simulator || name === undefined || kit.components.filter((c) => c.type === 'motor').length < 2) continue;
    room.add(kit.id, simulator.board(name), {
      wiring: wiringFromComponents(kit.components),
      label: kit.label ?? kit.id,
      arena: options.arenas?.[kit.id] ?? options.defaultArena ?? 'empty-table',
    });
  }
  room.start();
  let view: ViewHandler | undefined;
  const viewPath = options.viewPath ?? '/robot-view';
  // Only where the editor runs: without its accounts there is no log-in to put the view behind.
  if (gateway.nodered?.state === 'running' && room.robots().length > 0) {
    view = robotViewHandler(room, { editorPath: config.nodered.editorPath });
    gateway.nodered.mount(viewPath, view);
  }
  return {
    room,
    viewPath: view ? viewPath : undefined,
    close() {
      view?.close();
      room.close();
    },
  };
}
