/**
 * A real Node-RED runtime (node-red-node-test-helper) with the palette loaded, over an agent on
 * simulated kits: what a lesson flow drives on a gateway, minus the USB cables.
 */
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { robotKit, simAgent, type SimAgent } from '../../../edge-agent/test/helpers/sim-agent.ts';
import { agentBridge, type TestBridge } from './bridge.ts';

const require = createRequire(import.meta.url);

export interface FlowNode {
  id: string;
  type: string;
  [key: string]: unknown;
}

/** A node of the running flow, as the test helper gives it (a Node-RED Node). */
export interface RedNode {
  id: string;
  on(event: string, listener: (arg: never) => void): void;
  receive(msg: Record<string, unknown>): void;
}

interface NodeTestHelper {
  init(runtimePath: string): void;
  settings(settings: Record<string, unknown>): void;
  startServer(): Promise<void>;
  stopServer(): Promise<void>;
  load(nodes: unknown[], flow: FlowNode[]): Promise<void>;
  unload(): Promise<void>;
  getNode(id: string): RedNode | null;
  request(): { get(path: string): PromiseLike<{ status: number; body: unknown }> };
  /** The spy on Node-RED's log during a load. */
  log(): { getCalls(): Array<{ args: [{ level: number; msg: unknown; type?: string; id?: string }] }> };
}

export const helper = require('node-red-node-test-helper') as NodeTestHelper;
helper.init(require.resolve('node-red'));

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { 'node-red': { nodes: Record<string, string> } };
/** The palette, as Node-RED loads it from package.json. */
export const paletteFiles = pkg['node-red'].nodes;
const palette = Object.values(paletteFiles).map((file) => require(`../../${file}`) as unknown);

/** Core nodes the lessons and tests use (the helper loads catch, status and complete itself). */
const core = ['common/20-inject.js', 'common/21-debug.js', 'function/10-switch.js', 'function/15-change.js', 'function/89-delay.js', 'function/89-trigger.js', 'common/90-comment.js'].map(
  (file) => require(`@node-red/nodes/core/${file}`) as unknown,
);

/** Load a flow into the runtime (the helper checks it deployed as given), with the palette and the core nodes. */
export function loadFlow(flow: FlowNode[]): Promise<void> {
  // Nodes without a tab and a position would be taken for config nodes: give them both.
  const placed = flow.some((n) => n.type === 'tab')
    ? flow
    : [{ id: 'tab', type: 'tab', label: 'test' }, ...flow.map((n) => (n.type === 'stemlab-kit' || n.z ? n : { x: 100, y: 100, z: 'tab', ...n }))];
  return helper.load([...palette, ...core], placed);
}

/**
 * Speak `lang` with the palette's real catalogs through Node-RED's own i18n (call after
 * loadFlow): the test helper gives nodes a RED._ that answers with the key.
 */
export async function useCatalogs(lang: 'en-US' | 'vi'): Promise<void> {
  const { i18n } = require('@node-red/util') as {
    i18n: {
      registerMessageCatalog(ns: string, dir: string, file: string): Promise<void>;
      _(key: string, vars?: object): string;
      i: { loadLanguages(lngs: string, done: () => void): void };
    };
  };
  const namespace = '@stemlab/flows/stemlab-kit';
  await i18n.registerMessageCatalog(namespace, fileURLToPath(new URL('../../nodes/locales', import.meta.url)), 'stemlab-kit.json');
  // The runtime loads catalogs in its own language only (settings.lang); load this one too.
  await new Promise<void>((resolve) => i18n.i.loadLanguages(lang, resolve));
  const palettei18n = require('../../nodes/lib/i18n.js') as { useTranslator(fn: (key: string, vars?: object) => string): void };
  palettei18n.useTranslator((key, vars) => i18n._(`${namespace}:${key}`, { ...vars, lng: lang }));
}

/** The robot-1 kit of the robot-club example config: the kit the lessons are written for. */
export function clubRobot(): unknown {
  const club = parse(readFileSync(new URL('../../../edge-agent/examples/robot-club.yaml', import.meta.url), 'utf8')) as { kits: Array<{ id: string }> };
  return club.kits.find((kit) => kit.id === 'robot-1');
}

export interface Rig {
  sa: SimAgent;
  bridge: TestBridge;
  board: ReturnType<SimAgent['sim']['board']>;
  load(flow: FlowNode[]): Promise<void>;
  node(id: string): RedNode;
}

let current: { sa: SimAgent } | undefined;

/**
 * An agent with one simulated kit 'robot-1' (the test robot, or the robot club's) and Node-RED
 * over it; `beforeStart` sees the simulator before the agent opens its ports (to wire a robot);
 * `config` adds to the agent's config (e.g. its safety window).
 */
export async function rig(
  kit: unknown = robotKit('robot-1'),
  options: { beforeStart?: (sim: SimAgent['sim']) => void; config?: Omit<Parameters<typeof simAgent>[0], 'kits'> } = {},
): Promise<Rig> {
  const sa = await simAgent({ ...options.config, kits: [kit] }, options.beforeStart ? { beforeStart: options.beforeStart } : {});
  current = { sa };
  const bridge = agentBridge(sa.agent);
  helper.settings({ stemlab: bridge });
  return {
    sa,
    bridge,
    board: sa.sim.board('robot-1'),
    load: loadFlow,
    node(id) {
      const node = helper.getNode(id);
      if (!node) throw new Error(`no node ${id} in the flow`);
      return node;
    },
  };
}

/** Unload the flow (its nodes close) before the agent stops. */
export async function teardown(): Promise<void> {
  await helper.unload();
  await current?.sa.stop();
  current = undefined;
}

/** The kit config node every test flow points at. */
export const kitNode: FlowNode = { id: 'kit', type: 'stemlab-kit', kit: 'robot-1', name: 'Robot 1' };

/** A helper node collecting what a node sends. */
export function collector(id: string): FlowNode {
  return { id, type: 'helper' };
}

/** Resolve with the first message `node` receives that passes `test`. */
export function message<T = Record<string, unknown>>(node: RedNode, test: (msg: T) => boolean = () => true, timeoutMs = 3000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no matching message at ${node.id} within ${timeoutMs} ms`)), timeoutMs);
    node.on('input', (msg: never) => {
      if (!test(msg as T)) return;
      clearTimeout(timer);
      resolve(msg as T);
    });
  });
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
