import { BoardSimulator, SimulatedGpio } from '@stemlab/simulators';
import { Agent } from '../../src/agent.ts';
import { parseConfig } from '../../src/config/load.ts';
import type { AgentConfigInput } from '../../src/config/schema.ts';
import { createLogger } from '../../src/core/log.ts';
import type { AgentEvents } from '../../src/core/events.ts';
import { addSimulatedKits } from '@stemlab/compose';

export interface SimAgent {
  agent: Agent;
  sim: BoardSimulator;
  gpio: SimulatedGpio;
  /** Every event the agent emitted, in order. */
  events: Array<{ name: keyof AgentEvents; payload: AgentEvents[keyof AgentEvents] }>;
  stop(): Promise<void>;
}

/** A robot kit as the tests wire it: every component type on one Uno running PingFirmata. */
export function robotKit(id: string, overrides: Record<string, unknown> = {}) {
  return {
    id,
    board: 'uno',
    find: { sim: id },
    firmware: 'PingFirmata',
    limits: { maxMotorSpeed: 200, servoRange: [10, 170] },
    components: [
      { type: 'motor', id: 'left', pins: { pwm: 5, dir: 4 } },
      { type: 'motor', id: 'right', pins: { pwm: 6, dir: 7 } },
      { type: 'servo', id: 'head', pin: 9 },
      { type: 'led', id: 'led', pin: 13 },
      { type: 'led', id: 'lamp', pin: 11, pwm: true },
      { type: 'button', id: 'start', pin: 2, pullup: true, holdtime: 100 },
      { type: 'piezo', id: 'buzzer', pin: 3 },
      { type: 'relay', id: 'pump', pin: 12 },
      { type: 'proximity', id: 'sonar', pin: 8, freq: 60 },
      { type: 'line-sensors', id: 'line', pins: ['A0', 'A1', 'A2'], freq: 20 },
      { type: 'analog-sensor', id: 'light', pin: 'A3', freq: 20, threshold: 5, scale: [0, 100] },
      { type: 'thermometer', id: 'temp', pin: 'A4', freq: 20 },
    ],
    ...overrides,
  };
}

/** An agent on simulated kits and simulated GPIO, started and waiting for its kits. */
export async function simAgent(
  input: Omit<Partial<AgentConfigInput>, 'kits'> & { kits: unknown[] },
  options: { waitForKits?: boolean; beforeStart?: (sim: BoardSimulator, agent: Agent) => void } = {},
): Promise<SimAgent> {
  const config = parseConfig({
    unit: 'thcs-test-01',
    gateway: 'gw-1',
    room: 'robot-club',
    connection: { retryMinMs: 50, retryMaxMs: 200, heartbeatMs: 100 },
    ...input,
  });
  const sim = new BoardSimulator();
  addSimulatedKits(config, sim);
  const gpio = new SimulatedGpio();
  const agent = new Agent(config, { serial: sim.binding, gpio }, { log: createLogger('silent') });
  const events: SimAgent['events'] = [];
  for (const name of ['kit:state', 'component:command', 'component:reading', 'safety:stop', 'estop'] as const) {
    agent.bus.on(name, (payload) => events.push({ name, payload }));
  }
  options.beforeStart?.(sim, agent);
  await agent.start();
  if (options.waitForKits !== false) await agent.waitForKits('connected', 10_000);
  return {
    agent,
    sim,
    gpio,
    events,
    async stop() {
      await agent.stop();
      sim.close();
      gpio.close();
    },
  };
}
