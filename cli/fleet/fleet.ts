/**
 * The fleet simulator composed: the registry's units as simulated gateways (simulators/src/fleet
 * plans their quarter), each an MqttTwin (twin.ts), played against a central. With the central in
 * this process on the same simulated clock (its ingest's `now`), presence settles exactly and the
 * report can be compared with the truth figure by figure.
 */
import { join } from 'node:path';
import { FLEET, type Ledger, type Unit } from '@stemlab/broker';
import { gatewaySpec, planFleet, runFleet, type FleetPlan, type GatewayRef, type GatewaySpec, type RunResult, type SimClock } from '@stemlab/simulators/fleet';
import type { Logger } from '@stemlab/edge-agent';
import { MqttTwin } from './twin.ts';

export interface FleetSize {
  /** Robot-club units: the registry's 54 first, then extra ones (sim-robot-0055...) for load. */
  robotUnits: number;
  /** Lab centres: the registry's 28 first, then extra ones. */
  labs: number;
  robotsPerUnit: number;
  benchesPerLab: number;
}

export const DEFAULT_SIZE: FleetSize = { robotUnits: 54, labs: 28, robotsPerUnit: 6, benchesPerLab: 3 };

/** The gateways of the fleet: real registry units (their ids, their gateway) first. */
export function fleetRefs(size: Pick<FleetSize, 'robotUnits' | 'labs'>): GatewayRef[] {
  const pick = (kind: Unit['kind'], n: number, prefix: string, gateway: string, category: GatewayRef['category']) => {
    const known = FLEET.filter((u) => u.kind === kind);
    return Array.from({ length: n }, (_, i): GatewayRef => {
      const u = known[i];
      return u ? { unit: u.id, gateway: u.gateways[0] ?? gateway, category } : { unit: `${prefix}-${String(i + 1).padStart(4, '0')}`, gateway, category };
    });
  };
  return [...pick('robot-club', size.robotUnits, 'sim-robot', 'robot-club-1', 'robots'), ...pick('lab-centre', size.labs, 'sim-lab', 'lab-1', 'lab')];
}

export function fleetSpecs(size: FleetSize): GatewaySpec[] {
  return fleetRefs(size).map((ref) => gatewaySpec(ref, { robots: size.robotsPerUnit, benches: size.benchesPerLab }));
}

/** The registry's units with the simulated kits and components listed as equipment (so one never used shows as idle); extra units made up. */
export function registryUnits(plan: FleetPlan): Unit[] {
  return plan.gateways.map(({ spec }) => {
    const known = FLEET.find((u) => u.id === spec.unit);
    const base: Unit = known ?? {
      id: spec.unit,
      kind: spec.category === 'robots' ? 'robot-club' : 'lab-centre',
      level: 'lower-secondary',
      district: 'q1',
      name: { vi: `Đơn vị mô phỏng ${spec.unit}`, en: `Simulated unit ${spec.unit}` },
      placeholderName: true,
      gateways: [spec.gateway],
      equipment: [],
    };
    const equipment = spec.kits.flatMap((k) => [
      { gateway: spec.gateway, kit: k.id, component: null, type: 'kit' },
      ...k.components.map((c) => ({ gateway: spec.gateway, kit: k.id, component: c.id, type: c.type })),
    ]);
    return { ...base, equipment };
  });
}

/** Waits until the ledger shows a gateway's link as the twin left it (the central on the same clock). */
export function ledgerSettle(ledger: Ledger): (unit: string, gateway: string, up: boolean) => Promise<void> {
  return async (unit, gateway, up) => {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const g = await ledger.gateway(unit, gateway);
      if (g && g.online === up && g.connected === up) return;
      if (Date.now() > deadline) throw new Error(`fleet: the central never recorded ${unit}/${gateway} ${up ? 'online' : 'offline'}`);
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
  };
}

export interface PlayOptions {
  plan: FleetPlan;
  clock: SimClock;
  mqttUrl: string;
  /** Where the outboxes live; in memory when absent. */
  outboxDir?: string;
  /** The in-process central's ledger: presence settles exactly. */
  ledger?: Ledger;
  credentials?: (unit: string, gateway: string) => Promise<{ username: string; password: string }>;
  speed?: number;
  log?: Logger;
  onDay?: Parameters<typeof runFleet>[1]['onDay'];
  signal?: AbortSignal;
}

export async function playFleet(options: PlayOptions): Promise<Omit<RunResult, 'twins'> & { twins: MqttTwin[] }> {
  const settle = options.ledger ? ledgerSettle(options.ledger) : undefined;
  const result = await runFleet(options.plan, {
    clock: options.clock,
    speed: options.speed,
    onDay: options.onDay,
    signal: options.signal,
    openTwin: async (spec) =>
      new MqttTwin(spec, {
        url: options.mqttUrl,
        clock: options.clock,
        outboxPath: options.outboxDir ? join(options.outboxDir, `${spec.unit}--${spec.gateway}.sqlite`) : ':memory:',
        credentials: await options.credentials?.(spec.unit, spec.gateway),
        settle,
        log: options.log,
      }),
  });
  return { ...result, twins: result.twins as MqttTwin[] };
}

export { planFleet };
