import { startGateway, type AgentConfig, type Gateway, type GatewayOptions } from '@stemlab/edge-agent';
import type { BoardSimulator, SimulatedGpio } from '@stemlab/simulators';
import { simulatedHardware } from './simulated.ts';

/** A gateway with the simulated hardware its config asked for, which the demo and tests drive. */
export interface ComposedGateway extends Gateway {
  /** The boards of the `sim:` kits (absent when none is simulated). */
  simulator: BoardSimulator | undefined;
  /** The simulated header with `gpio.sim: true` (absent otherwise: the Pi's own). */
  simulatedGpio: SimulatedGpio | undefined;
}

/**
 * The one place where a gateway is put together: real hardware where the config names it,
 * simulated boards for `find: { sim }` kits and a simulated header for `gpio.sim: true`, then
 * the plugins (`options.plugins`: extensions and local API routes a composition root adds,
 * e.g. a simulated robot's world or a room console). `stemlab agent`, the demo, the e2e tests
 * and the benches start gateways through here.
 */
export async function composeGateway(config: AgentConfig, options: GatewayOptions = {}): Promise<ComposedGateway> {
  const sim = simulatedHardware(config);
  let gateway: Gateway;
  try {
    gateway = await startGateway(config, { ...(sim.simulator ? { simulatedSerial: sim.simulator.binding } : {}), ...(sim.gpio ? { gpio: sim.gpio } : {}) }, options);
  } catch (err) {
    sim.close();
    throw err;
  }
  return {
    ...gateway,
    simulator: sim.simulator,
    simulatedGpio: sim.gpio,
    async stop() {
      await gateway.stop();
      sim.close();
    },
  };
}
