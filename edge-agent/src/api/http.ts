import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Agent } from '../agent.ts';
import { AgentError, type AgentErrorCode } from '../core/errors.ts';
import type { Extension } from '../core/extension.ts';

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
 * A route's handler: the JSON body (POST) and the parameters: the path's `:name` ones, decoded,
 * and the query string's (`?since=10`; a path parameter wins over a query one of the same name).
 */
export type RouteHandler = (body: unknown, params: Record<string, string>) => unknown;

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

const MAX_BODY = 16 * 1024;

/**
 * The agent's local API on the gateway: status, commands to components, the e-stop and its
 * reset. `stemlab agent estop` and the selftest talk to a running agent through it. Replies
 * are one envelope, {status: 'ok', ...} or {status: 'error', code, message}, as on MQTT.
 */
export class HttpApi implements Extension {
  readonly name = 'http-api';
  private server: Server | undefined;
  private readonly routes: Array<{ method: string; pattern: RegExp; names: string[]; handler: RouteHandler }> = [];
  private readonly texts = new Map<string, { contentType: string; produce: () => Promise<string> | string }>();
  private fallbackListener: RequestListener | undefined;

  constructor(
    private readonly agent: Agent,
    private readonly listen: { host: string; port: number },
  ) {
    this.route('GET', '/healthz', () => ({ gateway: agent.config.gateway }));
    this.route('GET', '/api/v1/status', () => agent.status());
    this.route('POST', '/api/v1/kits/:kit/components/:component', (body, { kit, component }) => ({
      result: agent.command(kit!, component!, body),
    }));
    this.route('POST', '/api/v1/estop', (body) => {
      agent.estop.trigger(sourceOf(body, 'source', 'local API'));
      return { estop: agent.status().estop };
    });
    this.route('POST', '/api/v1/estop/reset', (body) => {
      agent.estop.reset(sourceOf(body, 'by', 'local API'));
      return { estop: agent.status().estop };
    });
  }

  /**
   * Add a route, e.g. `route('POST', '/api/v1/kits/:kit/components/:component', handler)`:
   * the self-test, usage tagging and composition roots' plugins register theirs before the
   * agent starts. The handler's result is the reply (in the envelope); an AgentError is the
   * error reply with its code.
   */
  route(method: 'GET' | 'POST', path: string, handler: RouteHandler): void {
    const names: string[] = [];
    const source = path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/:(\w+)/g, (_, name: string) => (names.push(name), '([^/]+)'));
    this.routes.push({ method, pattern: new RegExp(`^${source}$`), names, handler });
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
      const body = req.method === 'POST' ? await readJson(req) : undefined;
      const result = await match.handler(body, match.params);
      if (result instanceof RawReply) {
        res.writeHead(200, { 'content-type': result.contentType, 'content-length': Buffer.byteLength(result.body), ...result.headers });
        res.end(result.body);
        return;
      }
      send(res, 200, { status: 'ok', ...(result as object) });
    } catch (err) {
      if (err instanceof RouteError) {
        send(res, err.status, { status: 'error', code: err.code, message: err.message, ...err.extra });
        return;
      }
      const code = err instanceof AgentError || err instanceof HttpError ? err.code : undefined;
      if (!code) this.agent.log.error({ err }, 'local API request failed');
      send(res, code ? httpStatus[code] : 500, { status: 'error', code: code ?? 'INTERNAL', message: (err as Error).message });
    }
  }

  private match(method: string, path: string, query: URLSearchParams): { handler: RouteHandler; params: Record<string, string> } {
    for (const route of this.routes) {
      const found = route.pattern.exec(path);
      if (found && route.method === method) {
        return { handler: route.handler, params: { ...Object.fromEntries(query), ...Object.fromEntries(route.names.map((name, i) => [name, decodeURIComponent(found[i + 1]!)])) } };
      }
    }
    throw new HttpError('NOT_FOUND', `no ${method} ${path}; see docs/http.md for the local API`);
  }
}

function sourceOf(body: unknown, key: string, fallback: string): string {
  const value = body && typeof body === 'object' ? (body as Record<string, unknown>)[key] : undefined;
  return typeof value === 'string' && value.length > 0 && value.length <= 100 ? value : fallback;
}

async function readJson(req: IncomingMessage): Promise<unknown> {
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

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
