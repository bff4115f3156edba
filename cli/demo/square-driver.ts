import type { Agent } from '@stemlab/edge-agent';

/** How long after a flow's last command on the robot the demo's driver keeps its hands off. */
export const FLOW_YIELD_MS = 2000;

/**
 * The demo's scripted driver of robot 1: a square on its simulated table (2.4 s ahead, 0.7 s
 * turning left on the spot, about 90° with these motors) that waits while its sonar reads
 * something nearer than 15 cm, sending commands as a Node-RED flow would (refreshing the
 * watchdog); the robot moves in its arena (@stemlab/compose's simulatedRobots). When a
 * lesson deployed to the robot drives it (a command with origin 'flow'), the driver yields: two
 * drivers on one robot would fight over its motors. It takes the wheel back FLOW_YIELD_MS after
 * the flow's last command. `tick()` is one 100 ms step; `now` is injected for tests.
 */
export function squareDriver(agent: Agent, say: (line: string) => void, now: () => number = Date.now) {
  const kit = 'robot-1';
  let tick = 0;
  let lastFlow = -Infinity;
  let yielding = false;
  const off = agent.bus.on('component:command', (e) => {
    if (e.kit === kit && e.origin === 'flow') lastFlow = now();
  });
  return {
    tick(): void {
      const flowDrives = now() - lastFlow < FLOW_YIELD_MS;
      if (flowDrives !== yielding) {
        yielding = flowDrives;
        say(flowDrives ? `${kit}: a lesson drives it now; the demo's driver lets go` : `${kit}: the lesson stopped; the demo's driver takes it back`);
      }
      if (flowDrives) return;
      tick++;
      const phase = tick % 31;
      const turning = phase >= 24;
      try {
        const sonar = agent.command(kit, 'sonar', { action: 'read' }, 'demo').value as { cm: number | null } | null;
        const blocked = sonar?.cm != null && sonar.cm < 15;
        const [left, right] = blocked ? [0, 0] : turning ? [-140, 140] : [160, 160];
        agent.command(kit, 'left-motor', motor(left), 'demo');
        agent.command(kit, 'right-motor', motor(right), 'demo');
        if (phase === 0) agent.command(kit, 'led', { action: 'toggle' }, 'demo');
        if (phase === 24) agent.command(kit, 'sonar-servo', { action: 'to', degrees: tick % 62 < 31 ? 60 : 120 }, 'demo');
      } catch (err) {
        if (tick % 20 === 0) say(`${kit}: ${(err as Error).message}`);
      }
    },
    stop: off,
  };
}

/** A motor command from a signed speed (negative: reverse, 0: stop). */
function motor(speed: number): { action: 'stop' } | { action: 'forward' | 'reverse'; speed: number } {
  return speed === 0 ? { action: 'stop' } : { action: speed > 0 ? 'forward' : 'reverse', speed: Math.abs(speed) };
}
