import type { Agent } from '@stemlab/edge-agent';
import type { SimulatedBoard } from '@stemlab/simulators';

/** How long after a flow's last command on the robot the demo's driver keeps its hands off. */
export const FLOW_YIELD_MS = 2000;

/**
 * The demo's scripted driver of robot 1: a square (1.2 s straight, 0.6 s turning) that waits
 * before an obstacle, sending commands as a Node-RED flow would (refreshing the watchdog). When a
 * lesson deployed to the robot drives it (a command with origin 'flow'), the driver yields: two
 * drivers on one robot would fight over its motors. It takes the wheel back FLOW_YIELD_MS after
 * the flow's last command. `tick()` is one 100 ms step; `now` is injected for tests.
 */
export function squareDriver(agent: Agent, board: SimulatedBoard, say: (line: string) => void, now: () => number = Date.now) {
  const kit = 'robot-1';
  let tick = 0;
  let distance = 120;
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
      const phase = tick % 18;
      const turning = phase >= 12;
      distance = turning ? 120 : Math.max(8, distance - 4);
      board.setEchoDistance(8, distance);
      const blocked = distance < 15;
      const left = blocked ? 0 : 140;
      const right = blocked ? 0 : turning ? 0 : 140;
      try {
        agent.command(kit, 'left-motor', left ? { action: 'forward', speed: left } : { action: 'stop' }, 'demo');
        agent.command(kit, 'right-motor', right ? { action: 'forward', speed: right } : { action: 'stop' }, 'demo');
        if (phase === 0) agent.command(kit, 'led', { action: 'toggle' }, 'demo');
        if (phase === 12) agent.command(kit, 'sonar-servo', { action: 'to', degrees: tick % 36 < 18 ? 45 : 135 }, 'demo');
      } catch (err) {
        if (tick % 20 === 0) say(`${kit}: ${(err as Error).message}`);
      }
    },
    stop: off,
  };
}
