import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Agent } from '../agent.ts';
import { AgentError, type AgentErrorCode } from '../core/errors.ts';
import type { Extension } from '../core/extension.ts';
import { NodeRedError } from '../nodered/errors.ts';
import { authStatus, Authenticator, AuthError, sessionCookie, type Access, type Caller } from './auth.ts';
import { allowedHostNames, checkHost, checkJson, checkSameOrigin, type Refusal } from './same-origin.ts';

/** Why a request failed, as the reply envelope says it: {status: 'error', code, message}. */
const httpStatus: Record<AgentErrorCode | 'BODY_INVALID' | 'NOT_FOUND', number> = {
  KIT_UNKNOWN: 404,
  COMPONENT_UNKNOWN: 404,
  NOT_FOUND: 404,
  COMMAND_INVALID: 400,
  BODY_INVALID: 400,
  KIT_NOT_CONNECTED: 409,
  ESTOP_LATCHED: 409,
  BOARD_NOT_FOUND: 503,
  BOARD_NO_FIRMATA: 503,
  BOARD_STALLED: 503,
  SIMULATOR_MISSING: 503,
  KIT_BUSY: 409,
};

class HttpError extends Error {
  constructor(
    readonly code: 'BODY_INVALID' | 'NOT_FOUND',
    message: string,
  ) {
    super(message);
  }
}

/**
 * A route's handler: the JSON body (POST), the parameters (the path's `:name` ones, decoded, and
 * the query string's; a path parameter wins over a query one of the same name) and who asks.
 */
export type RouteHandler = (body: unknown, params: Record<string, string>, caller: Caller | undefined) => unknown;

/** A reply that is not the JSON envelope: a page, a script, a download. */
export class RawReply {
  constructor(
    readonly contentType: string,
    readonly body: string | Buffer,
    readonly headers: Record<string, string> = {},
  ) {}
}

/**
 * An error a plugin's route throws with its own HTTP status, code and extra fields (the lab's
 * refusals carry their message in Vietnamese too): `{status: 'error', code, message, ...extra}`.
 */
export class RouteError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

/** A handler of raw requests (an express app): it reads the body and answers itself. */
export type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;

/** A page or stream mounted under a path prefix (mount()): `path` is below the prefix. */
export type MountedListener = (req: IncomingMessage, res: ServerResponse, context: { path: string; caller: Caller | undefined }) => void | Promise<void>;

export interface RouteOptions {
  /** Who may call it. Default: 'staff' (teacher, technician, the Pi's own tools) for POST, 'user' (logged in) for GET. */
  access?: Access;
}

const MAX_BODY = 16 * 1024;

/**
 * The agent's local API on the gateway: status, commands to components, the e-stop and its
 * reset, log-in; pages mounted by plugins (the room console). `stemlab agent estop` and the
 * selftest talk to a running agent through it. Replies are one envelope, {status: 'ok', ...}
 * or {status: 'error', code, message}, as on MQTT.
 *
 * Every request passes the same-origin checks first (same-origin.ts: Host, Origin, JSON), then
 * its route's access (auth.ts). Pressing the e-stop is the exception to both: stopping is
 * always safe, so it answers anyone who reaches the port, whatever the Host, Origin or body.
 */
export class HttpApi implements Extension {
  readonly name = 'http-api';
  readonly auth: Authenticator;
  private server: Server | undefined;
  private readonly routes: Array<{ method: string; pattern: RegExp; names: string[]; handler: RouteHandler; access: Access }> = [];
  private readonly mounts: Array<{ prefix: string; listener: MountedListener; access: Access }> = [];
  private readonly texts = new Map<string, { contentType: string; produce: () => Promise<string> | string }>();
  private fallbackListener: RequestListener | undefined;
  private readonly allowedHosts: Set<string>;

  constructor(
    private readonly agent: Agent,
    private readonly listen: { host: string; port: number },
  ) {
    const { http } = agent.config;
    this.allowedHosts = allowedHostNames(http.allowedHosts, listen.host);
    this.auth = new Authenticator(agent.config.dataDir, http.sessionHours * 3_600_000);
    this.route('GET', '/healthz', () => ({ gateway: agent.config.gateway }), { access: 'open' });
    // What the room's lights show anyway (kits, states, the e-stop), for tools and the demo; the
    // console's views with teams and results need a log-in.
    this.route('GET', '/api/v1/status', () => agent.status(), { access: 'open' });
    this.route('POST', '/api/v1/kits/:kit/components/:component', (body, { kit, component }, caller) => ({
      result: agent.command(kit!, component!, body, 'api', caller && caller.role !== 'local' ? `api:${caller.username}` : 'api'),
    }));
    this.route('POST', '/api/v1/estop', (body) => {
      agent.estop.trigger(sourceOf(body, 'source', 'local API'));
      return { estop: agent.status().estop };
    }, { access: 'open' });
    this.route('POST', '/api/v1/estop/reset', (body, _params, caller) => {
      agent.estop.reset(caller && caller.role !== 'local' ? caller.username : sourceOf(body, 'by', 'local API'));
      return { estop: agent.status().estop };
    });
    this.route('POST', '/api/v1/auth/login', async (body) => {
      const { username, password } = (body ?? {}) as { username?: unknown; password?: unknown };
      const { token, caller, expires } = await this.auth.login(username, password);
      agent.log.info({ user: caller.username, role: caller.role }, 'logged in to the local API');
      return { user: caller, token, expires: new Date(expires).toISOString() };
    }, { access: 'open' });
    this.route('POST', '/api/v1/auth/logout', () => ({}), { access: 'open' });
    this.route('GET', '/api/v1/auth/me', (_body, _params, caller) => ({ user: caller }), { access: 'open' });
  }

  /**
   * Add a route, e.g. `route('POST', '/api/v1/kits/:kit/components/:component', handler)`:
   * the self-test, usage tagging and composition roots' plugins register theirs before the
   * agent starts. The handler's result is the reply (in the envelope); an AgentError is the
   * error reply with its code.
   */
  route(method: 'GET' | 'POST', path: string, handler: RouteHandler, options: RouteOptions = {}): void {
    const names: string[] = [];
    const source = path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/:(\w+)/g, (_, name: string) => (names.push(name), '([^/]+)'));
    const access = options.access ?? (method === 'GET' ? 'user' : 'staff');
    this.routes.push({ method, pattern: new RegExp(`^${source}$`), names, handler, access });
  }

  /**
   * Hand every request under `prefix` (e.g. '/console/') to `listener`, after the Host and
   * Origin checks and the access check (default 'open': a page's own files may be public, its
   * data routes not). The listener answers the request itself: pages, downloads, event streams.
   */
  mount(prefix: string, listener: MountedListener, options: RouteOptions = {}): void {
    this.mounts.push({ prefix, listener, access: options.access ?? 'open' });
  }

  /** A GET route whose reply is text of its own type (Prometheus' /metrics), not the JSON envelope. */
  text(path: string, contentType: string, produce: () => Promise<string> | string): void {
    this.texts.set(path, { contentType, produce });
  }

  /**
   * Hand the requests no route matches to `listener` (the Node-RED editor, its admin API and
   * the flows' HTTP endpoints, see nodered/nodered-extension.ts); `undefined` takes it back.
   * Paths under /api/v1/ stay the local API's: an unknown one still answers NOT_FOUND here.
   */
  fallback(listener: RequestListener | undefined): void {
    this.fallbackListener = listener;
  }

  /**
   * The node:http server, created on first use and listening once started: for what attaches
   * to it beyond requests (Node-RED's editor takes its websocket upgrades).
   */
  get httpServer(): Server {
    this.server ??= createServer((req, res) => void this.handle(req, res));
    return this.server;
  }

  /** The URL the API answers on, once started. */
  get url(): string {
    const address = this.server?.address() as AddressInfo | null;
    if (!address) throw new Error('the local API is not listening');
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    return `http://${host}:${address.port}`;
  }

  async start(): Promise<void> {
    const server = this.httpServer;
    if (server.listening) return;
    this.auth.writeLocalToken();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.listen.port, this.listen.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.agent.log.child({ module: 'http' }).info({ url: this.url }, 'local API listening');
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const path = url.pathname;
      // Stopping is always safe: the e-stop answers whoever reaches the port, checks or not.
      const press = req.method === 'POST' && path === '/api/v1/estop';
      const refused = press ? undefined : (checkHost(req, this.allowedHosts) ?? checkSameOrigin(req));
      if (refused) return this.refuse(req, res, refused);
      const caller = this.auth.caller(req);
      const mounted = this.mounts.find((m) => path.startsWith(m.prefix) || `${path}/` === m.prefix);
      if (mounted) {
        Authenticator.require(mounted.access, caller);
        await mounted.listener(req, res, { path: path.slice(mounted.prefix.length - 1) || '/', caller });
        return;
      }
      // Read-only texts (Prometheus' /metrics) for whoever passes the Host check.
      const text = req.method === 'GET' ? this.texts.get(path) : undefined;
      if (text) {
        const body = await text.produce();
        res.writeHead(200, { 'content-type': text.contentType, 'content-length': Buffer.byteLength(body) });
        res.end(body);
        return;
      }
      const fallback = this.fallbackListener;
      if (fallback && !path.startsWith('/api/v1/') && !this.routes.some((r) => r.pattern.test(path))) {
        fallback(req, res);
        return;
      }
      const match = this.match(req.method ?? 'GET', path, url.searchParams);
      const badType = req.method === 'POST' && !press ? checkJson(req) : undefined;
      if (badType) return this.refuse(req, res, badType);
      Authenticator.require(match.access, caller);
      const body = req.method === 'POST' ? await readJson(req).catch((err: unknown) => (press ? {} : Promise.reject(err))) : undefined;
      if (path === '/api/v1/auth/logout') this.auth.logout(req);
      const result = await match.handler(body, match.params, caller);
      if (result instanceof RawReply) {
        res.writeHead(200, { 'content-type': result.contentType, 'content-length': Buffer.byteLength(result.body), ...result.headers });
        res.end(result.body);
        return;
      }
      const reply = result as Record<string, unknown>;
      // A log-in's token also goes into its cookie (HttpOnly, SameSite=Strict); a log-out clears it.
      const cookie = path === '/api/v1/auth/login' ? sessionCookie(reply.token as string, this.auth.sessionMs / 1000) : path === '/api/v1/auth/logout' ? sessionCookie(undefined, 0) : undefined;
      send(res, 200, { status: 'ok', ...reply }, cookie ? { 'set-cookie': cookie } : {});
    } catch (err) {
      if (res.headersSent) {
        this.agent.log.error({ err }, 'local API request failed after its answer began');
        res.destroy();
        return;
      }
      if (err instanceof RouteError) {
        send(res, err.status, { status: 'error', code: err.code, message: err.message, ...err.extra });
        return;
      }
      const code = err instanceof AgentError || err instanceof HttpError || err instanceof AuthError || err instanceof NodeRedError ? err.code : undefined;
      if (!code) this.agent.log.error({ err }, 'local API request failed');
      const status = err instanceof AuthError ? authStatus[err.code] : err instanceof NodeRedError ? 409 : code ? (httpStatus[code as keyof typeof httpStatus] ?? 400) : 500;
      send(res, status, { status: 'error', code: code ?? 'INTERNAL', message: (err as Error).message });
    }
  }

  private refuse(req: IncomingMessage, res: ServerResponse, refusal: Refusal): void {
    this.agent.log.warn({ method: req.method, url: req.url, host: req.headers.host, origin: req.headers.origin, code: refusal.code }, refusal.message);
    req.resume();
    send(res, refusal.status, { status: 'error', code: refusal.code, message: refusal.message });
  }

  private match(method: string, path: string, query: URLSearchParams): { handler: RouteHandler; params: Record<string, string>; access: Access } {
    for (const route of this.routes) {
      const found = route.pattern.exec(path);
      if (found && route.method === method) {
        const params = { ...Object.fromEntries(query), ...Object.fromEntries(route.names.map((name, i) => [name, decodeURIComponent(found[i + 1]!)])) };
        return { handler: route.handler, access: route.access, params };
      }
    }
    throw new HttpError('NOT_FOUND', `no ${method} ${path}; see docs/http.md for the local API`);
  }
}

function sourceOf(body: unknown, key: string, fallback: string): string {
  const value = body && typeof body === 'object' ? (body as Record<string, unknown>)[key] : undefined;
  return typeof value === 'string' && value.length > 0 && value.length <= 100 ? value : fallback;
}

export async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY) throw new HttpError('BODY_INVALID', `the request body is larger than ${MAX_BODY} bytes`);
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new HttpError('BODY_INVALID', `the request body is not JSON: ${(err as Error).message}`);
  }
}

export function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store', ...headers });
  res.end(text);
}
