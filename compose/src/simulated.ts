import { BoardSimulator, SimulatedGpio } from '@stemlab/simulators';
import { firmwareOptions, type AgentConfig } from '@stemlab/edge-agent';

/**
 * Put a simulated board on the simulator for every kit the config finds with `sim: NAME`, with
 * the board and firmware the config says. Returns the names it added.
 */
export function addSimulatedKits(config: AgentConfig, simulator: BoardSimulator, options: { wireRate?: boolean } = {}): string[] {
  const added: string[] = [];
  for (const kit of config.kits) {
    const name = kit.find.sim;
    if (name === undefined) continue;
    simulator.add({ name, board: kit.board, firmware: firmwareOptions(kit.firmware), wireRate: options.wireRate ?? false });
    added.push(name);
  }
  return added;
}

/** The simulated hardware a config asks for: its `sim:` boards and, with `gpio.sim`, the header. */
export interface SimulatedHardware {
  /** Present when some kit is simulated: the demo and tests drive its inputs. */
  simulator: BoardSimulator | undefined;
  /** Present with gpio.sim: true: press its buttons (the e-stop), read its LEDs. */
  gpio: SimulatedGpio | undefined;
  close(): void;
}

/** Create what the config simulates, and nothing it does not. */
export function simulatedHardware(config: AgentConfig, options: { wireRate?: boolean } = {}): SimulatedHardware {
  const simulator = config.kits.some((kit) => kit.find.sim !== undefined) ? new BoardSimulator() : undefined;
  if (simulator) addSimulatedKits(config, simulator, options);
  const gpio = config.gpio.sim ? new SimulatedGpio() : undefined;
  return {
    simulator,
    gpio,
    close() {
      simulator?.close();
      gpio?.close();
    },
  };
}
