/**
 * One check, inside the check process: a fresh agent on a simulated board of the lesson's kit,
 * the student's flow deployed into the process's Node-RED, the scenario played in simulated
 * time, the trace recorded, the flow and the agent stopped. Invalid flows are refused here
 * with the gateway's own checks (edge-agent/src/nodered/flow-check.ts), before Node-RED sees them.
 */
import { BoardSimulator, SimulatedGpio } from '@stemlab/simulators';
import { Agent } from '../../../edge-agent/src/agent.ts';
import { parseConfig } from '../../../edge-agent/src/config/load.ts';
import { firmwareOptions } from '../../../edge-agent/src/config/schema.ts';
import { createLogger } from '../../../edge-agent/src/core/log.ts';
import { createBridge } from '../../../edge-agent/src/nodered/bridge-impl.ts';
import { assertInstalled, assertPlaced, forbiddenError, forbiddenNodes, parseFlow } from '../../../edge-agent/src/nodered/flow-check.ts';
import type { FlowNode } from '../../../edge-agent/src/nodered/red.ts';
import { kitConfig, type KitProfile } from '../kits.ts';
import type { SimClock } from './clock.ts';
import type { Scenario, WorldIO } from './kind.ts';
import { seededRandom as seeded } from '@stemlab/protocol';
import { excluded, type CheckRuntime } from './runtime.ts';
import type { Trace } from './trace.ts';

/** The inject nodes a student clicks to start: "Bắt đầu / Start", "Chạy / Go". */
const START = /bắt đầu|start|chạy|\bgo\b/i;

/** Simulated time per step: fine enough for a 20 ms sampling interval and a robot at 50 cm/s. */
export const STEP_MS = 10;

export class FlowRefused extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface SessionInput {
  flow: unknown;
  profile: KitProfile;
  seed: number;
  scenario: (random: () => number) => Scenario;
  /** A robot world to step with the clock (robot lessons). */
  world?: SessionWorld;
}

/** The robot's side of a check: stepped with the simulated clock, sampled into the trace. */
export interface SessionWorld {
  attach(board: ReturnType<BoardSimulator['board']>): void;
  step(t: number, dtMs: number): void;
  sample(t: number): Trace['path'][number];
  events(): Trace['events'];
}

/** The flow, checked as a gateway checks a deploy, with every kit config node pointed at the check's kit. */
export function prepareFlow(flow: unknown, kitId: string, isInstalled: (type: string) => boolean): FlowNode[] {
  let nodes: FlowNode[];
  try {
    nodes = parseFlow(flow, 'your flow');
    const forbidden = forbiddenNodes(nodes, excluded.types);
    if (forbidden.length > 0) throw forbiddenError(forbidden);
    assertPlaced(nodes, 'your flow');
    assertInstalled(nodes, isInstalled);
  } catch (err) {
    throw new FlowRefused((err as { code?: string }).code ?? 'FLOW_INVALID', (err as Error).message);
  }
  if (!nodes.some((n) => n.type === 'tab')) throw new FlowRefused('FLOW_INVALID', 'your flow has no tab: export it from the editor with "current flow" or "all flows"');
  return nodes.map((n) => (n.type === 'stemlab-kit' ? { ...n, kit: kitId } : n));
}

/**
 * Let `promise` settle without moving the simulated clock while it makes progress in real turns
 * (a deploy: Node-RED stops and starts nodes), so the flow starts at the same simulated moment
 * however fast the machine is; only if it waits on a timer does the clock move on.
 */
async function withoutTime<T>(clock: SimClock, promise: Promise<T>): Promise<T> {
  let settled = false;
  const watched = promise.finally(() => void (settled = true));
  watched.catch(() => {});
  // Real time, not turns of the event loop: a deploy reads a file (Node-RED's
  // refreshExternalModules), so how many turns it takes depends on the disk and the load. The
  // clock moves only if the deploy is still waiting after DEPLOY_WAIT_MS (it would be waiting on
  // a timer): generous, since a loaded machine that moved the clock sooner would change the run.
  await Promise.race([watched, clock.realDelay(DEPLOY_WAIT_MS)]);
  while (!settled) await clock.run(STEP_MS, STEP_MS);
  return watched;
}

/** Wall-clock time a deploy gets with the clock standing still (one takes milliseconds). */
const DEPLOY_WAIT_MS = 20_000;

/** Advance the clock until `promise` settles (what it waits on happens in simulated time). */
async function during<T>(clock: SimClock, promise: Promise<T>, limitMs = 30_000): Promise<T> {
  let settled = false;
  const watched = promise.finally(() => void (settled = true));
  watched.catch(() => {});
  await clock.run(limitMs, STEP_MS, () => settled);
  return watched;
}

export async function runSession(runtime: CheckRuntime, clock: SimClock, input: SessionInput): Promise<Trace> {
  const kitId = 'robot-1';
  const flow = prepareFlow(input.flow, kitId, (type) => runtime.red.nodes.getType(type) !== undefined);
  const kit = kitConfig(input.profile, kitId);
  const config = parseConfig({ unit: 'check', gateway: 'check', room: 'robot-club', kits: [kit], connection: { retryMinMs: 50, retryMaxMs: 200, heartbeatMs: 1000 }, log: { level: 'silent' } });
  const sim = new BoardSimulator();
  for (const k of config.kits) sim.add({ name: k.find.sim!, board: k.board, firmware: firmwareOptions(k.firmware) });
  const gpio = new SimulatedGpio();
  const agent = new Agent(config, { serial: sim.binding, gpio }, { log: createLogger('silent') });
  const board = sim.board(kitId);
  const random = seeded(input.seed);
  const scenario = input.scenario(random);
  const pinNames = new Map<number, string>();
  for (const c of kit.components) {
    const pins = c.pins as Record<string, number> | undefined;
    if (typeof c.pin === 'number') pinNames.set(c.pin, c.id);
    if (pins && typeof pins === 'object' && !Array.isArray(pins)) for (const [role, pin] of Object.entries(pins)) pinNames.set(pin, `${c.id}.${role}`);
  }
  const trace: Trace = { seed: input.seed, durationMs: 0, pins: [], commands: [], events: [], path: [], log: [] };
  let t0 = 0;
  let running = false;
  const now = () => clock.now() - t0;
  const component = (id: string) => {
    const c = kit.components.find((x) => x.id === id);
    if (!c) throw new Error(`the kit has no ${id}`);
    return c;
  };
  const world: WorldIO = {
    board,
    kit,
    random,
    press: (id) => (board.press(component(id).pin as number), world.note('press', id)),
    release: (id) => (board.release(component(id).pin as number), world.note('release', id)),
    distance: (cm, id = 'sonar') => (board.setEchoDistance(component(id).pin as number, cm), world.note('distance', cm)),
    temperature: (celsius, id = 'temp') => (board.setVoltage(component(id).pin as string, celsius / 100), world.note('temperature', celsius)),
    line: (onLine, id = 'line') => {
      (component(id).pins as string[]).forEach((pin, i) => board.setAnalog(pin, onLine[i] ? 900 : 100));
      world.note('line', onLine);
    },
    start() {
      if (kit.components.some((c) => c.id === 'button')) {
        world.press('button');
        setTimeout(() => world.release('button'), 200);
      }
      for (const node of flow) {
        if (node.type !== 'inject' || node.repeat || node.once || !START.test(String(node.name ?? ''))) continue;
        runtime.red.nodes.getNode(node.id)?.receive({});
        world.note('click', node.name);
      }
    },
    note: (kind, value) => void trace.events.push({ t: running ? now() : 0, kind, ...(value !== undefined ? { value } : {}) }),
  };

  board.on('pin', (state) => {
    if (running) trace.pins.push({ t: now(), component: pinNames.get(state.pin) ?? String(state.pin), pin: state.pin, mode: state.mode, value: state.value });
  });
  const offCommand = agent.bus.on('component:command', (e) => {
    if (running && e.origin === 'flow') trace.commands.push({ t: now(), component: e.component, command: e.command });
  });
  const bridge = createBridge(agent);
  runtime.useBridge(bridge);
  try {
    await during(clock, agent.start());
    await during(clock, agent.waitForKits('connected', 10_000));
    input.world?.attach(board);
    scenario.setup?.(world);
    // The trace starts as the flow starts.
    running = true;
    t0 = clock.now();
    runtime.takeLog();
    await withoutTime(clock, runtime.deploy(flow));
    let last = now();
    await clock.run(scenario.durationMs - now(), STEP_MS, () => {
      const t = now();
      input.world?.step(t, t - last);
      last = t;
      if (input.world && t % 50 === 0) {
        trace.path.push(input.world.sample(t));
        if (scenario.until && t % 500 === 0 && scenario.until({ ...trace, events: [...trace.events, ...input.world.events()] })) return true;
      }
      return scenario.step?.(t, world) === true;
    });
    trace.durationMs = now();
    running = false;
    if (input.world) trace.events.push(...input.world.events());
    trace.events.sort((a, b) => a.t - b.t);
    trace.log = runtime.takeLog();
    return trace;
  } finally {
    running = false;
    await during(clock, runtime.deploy([])).catch(() => {});
    offCommand();
    bridge.dispose();
    runtime.useBridge(undefined);
    await during(clock, agent.stop()).catch(() => {});
    sim.close();
    gpio.close();
  }
}
