/**
 * Node-RED 4.1 as a library: the few parts of its embedding API the agent uses, typed here
 * (node-red ships no types), and the rule that one process hosts one Node-RED.
 *
 * Why one: `require('node-red')` is a module-level singleton. Its runtime, registry, i18n,
 * passport strategies and session tokens are module state, so two `RED.init()` in one process
 * share (and clobber) all of it. Stopping does not reset it either: Node-RED documents that
 * after `RED.stop()` "Node-RED should not be restarted until the Node.JS process is restarted"
 * (node-red/lib/red.js; node-red/node-red#741, #743, #745), and a second start in one process
 * does lose the palette ("Set does not have any types"). So the agent claims Node-RED for the
 * life of the process: a second agent in the same process, or the same agent started again
 * after a stop, is refused with NODERED_IN_USE / NODERED_RESTART. The supervisor of `stemlab
 * agent` restarts the agent in a fresh process, which is what a restart needs; tests run
 * each file in its own process (vitest `pool: 'forks'`) and start Node-RED once per file.
 *
 * Dependencies of node-red (express, bcryptjs, @node-red/util) are loaded from node-red's own
 * location, so they are the very instances Node-RED uses and exist wherever node-red does.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { NodeRedError } from './errors.ts';

/** A node of a flow as the admin API and the runtime API carry it. */
export interface FlowNode {
  id: string;
  type: string;
  z?: string;
  [key: string]: unknown;
}

/** Who made an admin API request, as Node-RED's admin auth sets `req.user`. */
export interface RedUser {
  username: string;
  permissions: string | string[];
}

export type DeploymentType = 'full' | 'flows' | 'nodes' | 'reload';

export interface Request extends IncomingMessage {
  body?: unknown;
  user?: RedUser;
  params: Record<string, string>;
  path: string;
  get(header: string): string | undefined;
}
export interface Response extends ServerResponse {
  status(code: number): Response;
  json(body: unknown): Response;
}
export type Next = (err?: unknown) => void;
export type Middleware = (req: Request, res: Response, next: Next) => void;

export interface ExpressApp {
  (req: IncomingMessage, res: ServerResponse): void;
  use(...handlers: unknown[]): ExpressApp;
  get(path: string | RegExp, ...handlers: Middleware[]): ExpressApp;
  post(path: string | RegExp, ...handlers: Middleware[]): ExpressApp;
  put(path: string | RegExp, ...handlers: Middleware[]): ExpressApp;
  delete(path: string | RegExp, ...handlers: Middleware[]): ExpressApp;
  disable(setting: string): ExpressApp;
}

export interface Express {
  (): ExpressApp;
  Router(options?: { mergeParams?: boolean }): ExpressApp;
  json(options: { limit: string | number }): Middleware;
  urlencoded(options: { extended: boolean; limit: string | number }): Middleware;
}

export interface NodeRed {
  init(server: Server, settings: Record<string, unknown>): void;
  start(): Promise<void>;
  stop(): Promise<void>;
  readonly httpAdmin: ExpressApp;
  readonly httpNode: ExpressApp;
  readonly version: string;
  auth: { needsPermission(permission: string): Middleware };
  runtime: {
    flows: {
      getFlows(opts: { user?: RedUser }): Promise<{ flows: FlowNode[]; rev: string }>;
      setFlows(opts: { flows: { flows: FlowNode[]; rev?: string }; deploymentType?: DeploymentType; user?: RedUser }): Promise<{ rev: string }>;
    };
    isStarted(): Promise<boolean>;
  };
  /** The runtime's registry (undocumented, read-only use): which node types are installed. */
  readonly nodes: {
    getType(type: string): unknown;
    getFlows(): { flows: FlowNode[]; rev: string } | null;
    /** A running node by id (benchmarks hand it messages directly). */
    getNode(id: string): { receive(msg: object): void } | null;
  };
}

export interface RedI18n {
  registerMessageCatalog(namespace: string, dir: string, file: string): Promise<void>;
  availableLanguages(namespace: string): string[] | undefined;
  /** The i18next instance underneath. */
  i: {
    getResourceBundle(language: string, namespace: string): Record<string, unknown> | undefined;
    addResourceBundle(language: string, namespace: string, resources: Record<string, unknown>, deep: boolean, overwrite: boolean): void;
  };
}

export interface Bcrypt {
  hash(password: string, rounds: number): Promise<string>;
  compare(password: string, hash: string): Promise<boolean>;
}

const here = createRequire(import.meta.url);
/** Resolves as node-red itself does, from its own package. */
const fromNodeRed = () => createRequire(here.resolve('node-red'));

export function loadNodeRed(): NodeRed {
  return here('node-red') as NodeRed;
}
export function loadExpress(): Express {
  return fromNodeRed()('express') as Express;
}
/** bcrypt as Node-RED checks passwords: the native @node-rs/bcrypt when installed, else bcryptjs (their hashes are interchangeable). */
export function loadBcrypt(): Bcrypt {
  const load = fromNodeRed();
  try {
    return load('@node-rs/bcrypt') as Bcrypt;
  } catch {
    return load('bcryptjs') as Bcrypt;
  }
}
export function loadRedI18n(): RedI18n {
  return (fromNodeRed()('@node-red/util') as { i18n: RedI18n }).i18n;
}

/** The directory of a package Node-RED depends on (its editor's locales, its core nodes). */
export function nodeRedPackageDir(name: '@node-red/editor-client' | '@node-red/nodes'): string {
  const main = fromNodeRed().resolve(name);
  return main.slice(0, main.lastIndexOf('/'));
}

// The claim lives on globalThis so that two copies of this module (two loaders in one process)
// still see one Node-RED, as Node-RED itself is one.
const CLAIM = Symbol.for('stemlab.nodered.claim');
interface Claim {
  owner: string;
  running: boolean;
}
type WithClaim = typeof globalThis & { [CLAIM]?: Claim };

/**
 * Take Node-RED for `owner` (unit/gateway) for the life of the process; `release()` marks it
 * stopped, which still refuses a second start (see the file's comment for why).
 */
export function claimNodeRed(owner: string): { release(): void } {
  const g = globalThis as WithClaim;
  const claim = g[CLAIM];
  if (claim?.running) {
    throw new NodeRedError(
      'NODERED_IN_USE',
      `Node-RED already runs in this process for ${claim.owner}; one process hosts one Node-RED (its runtime is a singleton), so run ${owner} in its own process or without nodered (nodered.enabled: false)`,
    );
  }
  if (claim) {
    throw new NodeRedError(
      'NODERED_RESTART',
      `Node-RED already ran and stopped in this process (for ${claim.owner}); Node-RED 4.1 cannot start twice in one process, so restart the agent process`,
    );
  }
  const mine: Claim = { owner, running: true };
  g[CLAIM] = mine;
  return {
    release() {
      mine.running = false;
    },
  };
}
