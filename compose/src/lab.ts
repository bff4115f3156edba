import { analogChannelOf, boards } from '@stemlab/protocol';
import { defaultPhenomena, LabSensor, newtonCooling, roomAir, wallClock, type BoardSimulator, type Phenomenon, type SimClock, type Transfer } from '@stemlab/simulators';
import type { AgentConfig, ComponentConfig, KitConfig } from '@stemlab/edge-agent';

export interface SimulatedLabOptions {
  /** The world's time (default the wall clock); a test passes a ManualClock shared with the experiments. */
  clock?: SimClock;
  /** Seeds every sensor's noise; printed by tests. Default 1. */
  seed?: number;
  /** What a sensor sees instead of its default, by "kit/component". */
  phenomena?: Record<string, Phenomenon>;
}

/** The lab's simulated sensors, by "kit/component", for tests that compare readings with the law. */
export interface SimulatedLab {
  sensors: ReadonlyMap<string, LabSensor>;
  close(): void;
}

/**
 * Wire a simulated lab sensor to every analog thermometer and every analog sensor with a
 * `quantity` on the `sim:` kits: each answers on its board's analog pin with a phenomenon worth
 * measuring (water cooling by Newton's law, a lamp dimming, a titration...). A thermometer whose
 * id or label says "air" or "room" reads the room's air, one that says "cold" a beaker of ice
 * water warming up; the others a beaker of hot water cooling.
 */
export function simulateLab(config: AgentConfig, simulator: BoardSimulator, options: SimulatedLabOptions = {}): SimulatedLab {
  const clock = options.clock ?? wallClock;
  const seed = options.seed ?? 1;
  const sensors = new Map<string, LabSensor>();
  const undo: Array<() => void> = [];
  for (const kit of config.kits) {
    if (kit.find.sim === undefined) continue;
    const board = simulator.board(kit.find.sim);
    for (const component of kit.components) {
      const wiring = labWiring(kit, component);
      if (!wiring) continue;
      const name = `${kit.id}/${component.id}`;
      const sensor = new LabSensor({ name, phenomenon: options.phenomena?.[name] ?? wiring.phenomenon, transfer: wiring.transfer, clock, seed });
      undo.push(sensor.wire(board, wiring.channel));
      sensors.set(name, sensor);
    }
  }
  return { sensors, close: () => undo.forEach((fn) => fn()) };
}

function labWiring(kit: KitConfig, component: ComponentConfig): { channel: number; transfer: Transfer; phenomenon: Phenomenon } | undefined {
  if (component.type === 'thermometer') {
    const channel = analogChannel(kit, component.pin);
    if (channel === undefined) return undefined;
    const words = `${component.id} ${component.label ?? ''}`.toLowerCase();
    const phenomenon = /air|room|không khí/.test(words) ? roomAir() : /cold|lạnh/.test(words) ? newtonCooling({ from: 6, refillEveryS: 900 }) : defaultPhenomena.temperature();
    return { channel, transfer: { kind: component.controller }, phenomenon };
  }
  if (component.type === 'analog-sensor' && component.quantity && component.scale) {
    const channel = analogChannel(kit, component.pin);
    if (channel === undefined) return undefined;
    return { channel, transfer: { kind: 'linear', scale: component.scale }, phenomenon: defaultPhenomena[component.quantity]() };
  }
  return undefined;
}

function analogChannel(kit: KitConfig, pin: string | number): number | undefined {
  const named = typeof pin === 'string' ? /^A(\d+)$/i.exec(pin) : null;
  if (named) return Number(named[1]);
  return typeof pin === 'number' ? analogChannelOf(boards[kit.board], pin) : undefined;
}
