import { startGateway, type AgentConfig, type Gateway, type GatewayOptions } from '@stemlab/edge-agent';
import type { BoardSimulator, SimulatedGpio } from '@stemlab/simulators';
import { simulateLab, type SimulatedLab, type SimulatedLabOptions } from './lab.ts';
import { simulatedHardware } from './simulated.ts';

export interface ComposeOptions extends GatewayOptions {
  /** The simulated lab sensors' clock, seed and phenomena (defaults: wall clock, seed 1, by quantity). */
  labWorld?: SimulatedLabOptions;
}

/** A gateway with the simulated hardware its config asked for, which the demo and tests drive. */
export interface ComposedGateway extends Gateway {
  /** The boards of the `sim:` kits (absent when none is simulated). */
  simulator: BoardSimulator | undefined;
  /** The simulated header with `gpio.sim: true` (absent otherwise: the Pi's own). */
  simulatedGpio: SimulatedGpio | undefined;
  /** The simulated lab sensors on the `sim:` kits (thermometers, sensors with a quantity). */
  labWorld: SimulatedLab | undefined;
}

/**
 * The one place where a gateway is put together: real hardware where the config names it,
 * simulated boards for `find: { sim }` kits and a simulated header for `gpio.sim: true`, then
 * the plugins (`options.plugins`: extensions and local API routes a composition root adds,
 * e.g. a simulated robot's world or a room console). `stemlab agent`, the demo, the e2e tests
 * and the benches start gateways through here.
 */
export async function composeGateway(config: AgentConfig, options: ComposeOptions = {}): Promise<ComposedGateway> {
  const sim = simulatedHardware(config);
  const labWorld = sim.simulator ? simulateLab(config, sim.simulator, options.labWorld) : undefined;
  let gateway: Gateway;
  try {
    gateway = await startGateway(config, { ...(sim.simulator ? { simulatedSerial: sim.simulator.binding } : {}), ...(sim.gpio ? { gpio: sim.gpio } : {}) }, options);
  } catch (err) {
    labWorld?.close();
    sim.close();
    throw err;
  }
  return {
    ...gateway,
    simulator: sim.simulator,
    simulatedGpio: sim.gpio,
    labWorld,
    async stop() {
      await gateway.stop();
      labWorld?.close();
      sim.close();
    },
  };
}
