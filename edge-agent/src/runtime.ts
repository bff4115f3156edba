import { BoardSimulator, SimulatedGpio } from '@stemlab/simulators';
import { Agent } from './agent.ts';
import { HttpApi } from './api/http.ts';
import type { AgentConfig } from './config/schema.ts';
import type { Logger } from './core/log.ts';
import { createGpioChip } from './gpio/index.ts';
import type { GpioChip } from './gpio/types.ts';
import { combinedBinding, nativeBinding } from './kits/serial.ts';
import { addSimulatedKits } from './simulated.ts';
import { selftest } from './tools/selftest.ts';

/** A running gateway: the agent, its local API, and the simulators it drives where the config says `sim:`. */
export interface Gateway {
  agent: Agent;
  api: HttpApi;
  /** Present when some kit is simulated: the demo and tests drive its inputs. */
  simulator: BoardSimulator | undefined;
  gpio: GpioChip;
  stop(): Promise<void>;
}

/**
 * Assemble a gateway from its config: real serial ports for real kits, a simulator for `sim:`
 * kits, the Pi's GPIO through onoff (simulated on any other machine, or when the config uses
 * no GPIO line, so a Pi without sysfs GPIO still runs its kits).
 */
export async function startGateway(config: AgentConfig, options: { log?: Logger; port?: number } = {}): Promise<Gateway> {
  const needsSim = config.kits.some((kit) => kit.find.sim !== undefined);
  const needsNative = config.kits.some((kit) => kit.find.sim === undefined);
  const simulator = needsSim ? new BoardSimulator() : undefined;
  if (simulator) addSimulatedKits(config, simulator);
  const serial = combinedBinding(needsNative ? await nativeBinding() : undefined, simulator?.binding);
  const { gpio: lines } = config;
  const usesGpio = lines.estop !== undefined || lines.buttons.length > 0 || lines.leds.length > 0;
  const gpio = usesGpio ? createGpioChip() : new SimulatedGpio();
  const agent = new Agent(config, { serial, gpio }, options.log ? { log: options.log } : {});
  const api = new HttpApi(agent, { host: config.http.host, port: options.port ?? config.http.port });
  api.route('POST', /^\/api\/v1\/selftest$/, async () => ({ report: await selftest(agent) }));
  await agent.use(api);
  await agent.start();
  return {
    agent,
    api,
    simulator,
    gpio,
    async stop() {
      await agent.stop();
      simulator?.close();
      gpio.close();
    },
  };
}
