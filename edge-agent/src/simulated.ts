import type { BoardSimulator } from '@stemlab/simulators';
import { firmwareOptions, type AgentConfig } from './config/schema.ts';

/**
 * Put a simulated board on the simulator for every kit the config finds with `sim: NAME`, with
 * the board and firmware the config says, so `stemlab agent`, the demo and the tests run a
 * gateway's config without hardware. Returns the names it added.
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
