/**
 * The central's HTTP API (fastify), as docs/http.md lists it: `/healthz` for
 * anyone, everything else behind a session (POST /api/v1/login) whose role allows it. Every
 * error reply is the envelope of errors.ts.
 *
 * Roles: admin and viewer (the department) see everything; teachers and technicians see only
 * their unit's units and usage, and not the department-wide metrics and report. Admins manage
 * accounts (users-routes.ts) and the registry (units-routes.ts). Log-ins are rate-limited
 * (login-limit.ts). The dashboard's files are served at `/` (dashboard/serve.ts).
 */
import type { SecureContextOptions } from 'node:tls';
import { fastify, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { CentralState } from '../central-state/state.ts';
import { registerDashboard } from '../dashboard/serve.ts';
import type { Ledger } from '../ledger/ledger.ts';
import type { EstopBoard } from '../live/estops.ts';
import type { ReportArchive } from '../reports/archive.ts';
import { bearerToken, requireRole, unitScoped } from './auth.ts';
import type { RouteContext } from './context.ts';
import { ApiError, apiErrorCodes } from './errors.ts';
import { LoginLimiter, type LoginLimitOptions } from '../security/login-limit.ts';
import { LoginWork } from '../security/login-work.ts';
import { METRICS_CONTENT_TYPE, metricsRegistry, renderMetrics, type MetricsSources } from './metrics.ts';
import { parse } from './parse.ts';
import { registerLiveRoutes } from './live-routes.ts';
import { registerReportRoutes } from './reports-routes.ts';
import { registerTrendRoutes } from './trends-routes.ts';
import { registerUnitRoutes } from './units-routes.ts';
import { DEFAULT_SILENT_AFTER_DAYS } from './unit-status.ts';
import { queryUsage, usageQuerySchema } from './usage.ts';
import { login, logout, roles } from './users.ts';
import { registerUserRoutes } from './users-routes.ts';

export const DEFAULT_SESSION_HOURS = 12;

export interface ApiOptions {
  /** The central's state (users, sessions, registry, audit): central-state/state.ts. */
  db: CentralState;
  ledger: Ledger;
  ingest?: MetricsSources['ingest'];
  refusals?: MetricsSources['refusals'];
  quotaHits?: MetricsSources['quotaHits'];
  /** How long a session lasts after login; default 12 hours. */
  sessionHours?: number;
  /** The clock, for tests of expiry. */
  now?: () => number;
  /** Failed log-ins allowed per username+address and per address (login-limit.ts). */
  loginLimit?: LoginLimitOptions;
  /** Reverse proxies whose X-Forwarded-For is believed (fastify's trustProxy); none by default. */
  trustProxy?: string[];
  /** The quarterly reports archived before their deadlines (reports/archive.ts); none without. */
  archive?: ReportArchive;
  /** The queue of slow password checks, shared with the broker's log-ins (security/login-work.ts); one of its own without. */
  loginWork?: LoginWork;
  /** Serve HTTPS with these (read and checked by transport/certs.ts); plain HTTP without. */
  https?: SecureContextOptions;
  /** A unit whose gateways have all been offline longer than this is silent (unit-status.ts); default 3. */
  silentAfterDays?: number;
  /** The gateways' e-stop latches (live/estops.ts): shown with the units, streamed live, in the alerts. */
  estops?: EstopBoard;
  /** Where refused log-ins are logged (module 'api'); silent without. */
  log?: Logger;
}

const loginSchema = z.strictObject({ username: z.string().min(1).max(64), password: z.string().min(1).max(200) });

export function buildApi(options: ApiOptions): FastifyInstance {
  const { db, ledger } = options;
  const now = options.now ?? Date.now;
  const ttlMs = (options.sessionHours ?? DEFAULT_SESSION_HOURS) * 3_600_000;
  const log = options.log?.child({ module: 'api' });
  const limiter = new LoginLimiter(options.loginLimit);
  const work = options.loginWork ?? new LoginWork();
  const app = fastify({
    logger: false,
    ...(options.trustProxy?.length ? { trustProxy: options.trustProxy } : {}),
    ...(options.https ? { https: options.https } : {}),
    // HTTPS or HTTP, the routes are the same: typed as the plain HTTP instance.
  }) as unknown as FastifyInstance;
  const context: RouteContext = { db, ledger, now, log, silentAfterDays: options.silentAfterDays ?? DEFAULT_SILENT_AFTER_DAYS, estops: options.estops };
  const metrics = metricsRegistry({ counts: () => ledger.counts(), ingest: options.ingest, refusals: options.refusals, loginRefusals: limiter.refusals, quotaHits: options.quotaHits });

  // Every answer: not to be sniffed, framed or sent on as a referrer. The API's and the log-in's
  // answers (tokens, accounts, usage) are never stored by a browser or a proxy; the dashboard's
  // files set their own CSP and caching (dashboard/serve.ts).
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
    reply.header('x-frame-options', 'DENY');
    if (!reply.hasHeader('content-security-policy')) reply.header('content-security-policy', "default-src 'none'; frame-ancestors 'none'");
    if (request.url.startsWith('/api/') || request.url.startsWith('/metrics')) reply.header('cache-control', 'no-store');
  });

  app.setErrorHandler((err, _request, reply) => {
    if (err instanceof ApiError) return reply.code(err.statusCode).send(err.toJSON());
    const status = (err as { statusCode?: number }).statusCode;
    if (status === 413) return reply.code(413).send(new ApiError('PAYLOAD_TOO_LARGE', `the request body is over the API's limit of ${app.initialConfig.bodyLimit ?? 1_048_576} bytes`).toJSON());
    if (status !== undefined && status >= 400 && status < 500) {
      return reply.code(400).send(new ApiError('BAD_REQUEST', (err as Error).message).toJSON());
    }
    return reply.code(apiErrorCodes.INTERNAL.status).send(new ApiError('INTERNAL', 'internal error').toJSON());
  });
  app.setNotFoundHandler((request, reply) => {
    reply.code(404).send(new ApiError('NOT_FOUND', `no route ${request.method} ${request.url.split('?')[0] ?? ''}`).toJSON());
  });

  app.get('/healthz', () => ({ status: 'ok' }));

  app.get('/metrics', async (request, reply) => {
    await requireRole(db, request, ['admin', 'viewer'], now());
    return reply.type(METRICS_CONTENT_TYPE).send(await renderMetrics(metrics));
  });

  app.post('/api/v1/login', async (request, reply) => {
    const body = parse(loginSchema, request.body, 'body field');
    const address = request.ip;
    // Counted before the password is checked: parallel attempts cannot all pass the limit.
    const refused = limiter.attempt(body.username, address, now());
    if (refused) {
      if (refused.first) log?.warn({ username: body.username, address, scope: refused.scope, retryAfterSec: refused.retryAfterSec }, 'log-in refused: too many failures');
      const minutes = Math.ceil(refused.retryAfterSec / 60);
      const who = refused.scope === 'user' ? `for '${body.username}' from this address` : 'from this address';
      reply.header('retry-after', String(refused.retryAfterSec));
      throw new ApiError('TOO_MANY_REQUESTS', `too many failed log-ins ${who}; try again in ${minutes} minute${minutes === 1 ? '' : 's'}`);
    }
    let busy = false;
    const slowCheck = async (known: boolean, check: () => Promise<boolean>) => {
      const rank = () => [limiter.addressFailures(address, now()), known ? 0 : 1];
      // clean: no failure from this address but this attempt (counted in advance): it may take the kept slot (login-work.ts).
      const outcome = await work.run({ rank, alive: () => !request.raw.socket.destroyed, clean: () => limiter.addressFailures(address, now()) <= 1 }, check);
      busy = !outcome.ran && outcome.why === 'busy';
      return outcome.ran && outcome.value;
    };
    const session = await login(db, body.username, body.password, ttlMs, now(), slowCheck);
    if (busy) {
      limiter.takeBack(body.username, address, now());
      reply.header('retry-after', '5');
      throw new ApiError('UNAVAILABLE', 'the central is busy checking other log-ins; try again in a few seconds');
    }
    if (!session) throw new ApiError('UNAUTHENTICATED', 'wrong username or password, or the account is disabled');
    limiter.succeeded(body.username, address, now());
    return { token: session.token, expiresAt: new Date(session.expiresAt).toISOString(), role: session.role, unit: session.unit };
  });

  app.post('/api/v1/logout', async (request) => {
    await requireRole(db, request, roles, now());
    await logout(db, bearerToken(request) ?? '');
    return { status: 'ok' };
  });

  registerUnitRoutes(app, context);
  registerUserRoutes(app, context);
  registerDashboard(app);

  app.get('/api/v1/usage', async (request) => {
    const session = await requireRole(db, request, roles, now());
    const q = parse(usageQuerySchema, request.query, 'query parameter');
    if (unitScoped(session)) {
      if (q.unit !== undefined && q.unit !== session.unit) throw new ApiError('FORBIDDEN', `a ${session.role} sees only unit '${session.unit ?? ''}'`);
      q.unit = session.unit ?? '';
    }
    return { events: await queryUsage(ledger, q) };
  });

  // The quota alerts (security/quotas.ts): which gateway hit which quota, how often, last when.
  app.get('/api/v1/security/quota-hits', async (request) => {
    await requireRole(db, request, ['admin', 'viewer', 'technician'], now());
    return { hits: [...(options.quotaHits?.() ?? [])] };
  });

  registerReportRoutes(app, context, options.archive);
  registerTrendRoutes(app, context);
  registerLiveRoutes(app, context, options.quotaHits);

  return app;
}
