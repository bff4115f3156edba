/**
 * The central's HTTP API (fastify), as docs/CONTRACT.md's HTTP section says: `/healthz` for
 * anyone, everything else behind a session (POST /api/v1/login) whose role allows it. Every
 * error reply is the envelope of errors.ts.
 *
 * Roles: admin and viewer (the department) see everything; teachers and technicians see only
 * their unit's units and usage, and not the department-wide metrics and report.
 */
import type { Database } from 'better-sqlite3';
import { fastify, type FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Ledger } from '../ledger/sqlite.ts';
import { listUnits } from '../registry/fleet.ts';
import { quarterlyReport, toCsv, toJson } from '../reports/quarterly.ts';
import { toXlsx } from '../reports/xlsx.ts';
import { bearerToken, requireRole, unitScoped } from './auth.ts';
import { ApiError, apiErrorCodes } from './errors.ts';
import { renderMetrics, type MetricsSources } from './metrics.ts';
import { queryUsage, usageQuerySchema } from './usage.ts';
import { login, logout } from './users.ts';

export const DEFAULT_SESSION_HOURS = 12;

export interface ApiOptions {
  /** The ledger database (users, sessions, registry, audit). */
  db: Database;
  ledger: Ledger;
  ingest?: MetricsSources['ingest'];
  refusals?: MetricsSources['refusals'];
  /** How long a session lasts after login; default 12 hours. */
  sessionHours?: number;
  /** The clock, for tests of expiry. */
  now?: () => number;
}

const loginSchema = z.strictObject({ username: z.string().min(1).max(64), password: z.string().min(1).max(200) });
const reportQuerySchema = z.strictObject({
  quarter: z.string().regex(/^\d{4}Q[1-4]$/, 'a quarter like 2025Q3'),
  format: z.enum(['csv', 'json', 'xlsx']).default('json'),
  lang: z.enum(['vi', 'en']).default('vi'),
});

/** Parses with zod or throws BAD_REQUEST naming the first bad field. */
function parse<T extends z.ZodType>(schema: T, input: unknown, where: string): z.output<T> {
  const r = schema.safeParse(input ?? {});
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const field = issue && issue.path.length > 0 ? issue.path.join('.') : issue?.code === 'unrecognized_keys' ? issue.keys.join(', ') : '(root)';
  throw new ApiError('BAD_REQUEST', `${where} '${field}': ${issue?.message ?? 'invalid'}`);
}

export function buildApi(options: ApiOptions): FastifyInstance {
  const { db, ledger } = options;
  const now = options.now ?? Date.now;
  const ttlMs = (options.sessionHours ?? DEFAULT_SESSION_HOURS) * 3_600_000;
  const app = fastify({ logger: false });

  app.setErrorHandler((err, _request, reply) => {
    if (err instanceof ApiError) return reply.code(err.statusCode).send(err.toJSON());
    const status = (err as { statusCode?: number }).statusCode;
    if (status !== undefined && status >= 400 && status < 500) {
      return reply.code(400).send(new ApiError('BAD_REQUEST', (err as Error).message).toJSON());
    }
    return reply.code(apiErrorCodes.INTERNAL.status).send(new ApiError('INTERNAL', 'internal error').toJSON());
  });
  app.setNotFoundHandler((request, reply) => {
    reply.code(404).send(new ApiError('NOT_FOUND', `no route ${request.method} ${request.url.split('?')[0] ?? ''}`).toJSON());
  });

  app.get('/healthz', () => ({ status: 'ok' }));

  app.get('/metrics', (request, reply) => {
    requireRole(db, request, ['admin', 'viewer'], now());
    const text = renderMetrics({ counts: () => ledger.counts(), ingest: options.ingest, refusals: options.refusals });
    return reply.type('text/plain; version=0.0.4; charset=utf-8').send(text);
  });

  app.post('/api/v1/login', async (request) => {
    const body = parse(loginSchema, request.body, 'body field');
    const session = await login(db, body.username, body.password, ttlMs, now());
    if (!session) throw new ApiError('UNAUTHENTICATED', 'wrong username or password, or the account is disabled');
    return { token: session.token, expiresAt: new Date(session.expiresAt).toISOString(), role: session.role, unit: session.unit };
  });

  app.post('/api/v1/logout', (request) => {
    requireRole(db, request, ['viewer', 'teacher', 'technician', 'admin'], now());
    logout(db, bearerToken(request) ?? '');
    return { status: 'ok' };
  });

  app.get('/api/v1/units', (request) => {
    const session = requireRole(db, request, ['viewer', 'teacher', 'technician', 'admin'], now());
    const seen = new Map(ledger.gateways().map((g) => [`${g.unit}/${g.gateway}`, g]));
    const units = listUnits(db).filter((u) => !unitScoped(session) || u.id === session.unit);
    return {
      units: units.map((u) => {
        const gateways = u.gateways.map((id) => {
          const g = seen.get(`${u.id}/${id}`);
          return { id, online: g?.online ?? false, lastSeen: g ? new Date(g.lastSeen).toISOString() : null, agentVersion: g?.agentVersion ?? null };
        });
        const last = gateways.reduce<string | null>((m, g) => (g.lastSeen !== null && (m === null || g.lastSeen > m) ? g.lastSeen : m), null);
        return { id: u.id, kind: u.kind, level: u.level, district: u.district, name: u.name, online: gateways.some((g) => g.online), lastSeen: last, gateways };
      }),
    };
  });

  app.get('/api/v1/usage', (request) => {
    const session = requireRole(db, request, ['viewer', 'teacher', 'technician', 'admin'], now());
    const q = parse(usageQuerySchema, request.query, 'query parameter');
    if (unitScoped(session)) {
      if (q.unit !== undefined && q.unit !== session.unit) throw new ApiError('FORBIDDEN', `a ${session.role} sees only unit '${session.unit ?? ''}'`);
      q.unit = session.unit ?? '';
    }
    return { events: queryUsage(db, q) };
  });

  app.get('/api/v1/reports/quarterly', async (request, reply) => {
    requireRole(db, request, ['admin', 'viewer'], now());
    const q = parse(reportQuerySchema, request.query, 'query parameter');
    const report = quarterlyReport(ledger, q.quarter);
    if (q.format === 'json') return reply.type('application/json; charset=utf-8').send(toJson(report));
    if (q.format === 'xlsx') {
      return reply
        .type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
        .header('content-disposition', `attachment; filename="stemlab-${q.quarter}-${q.lang}.xlsx"`)
        .send(await toXlsx(report, q.lang));
    }
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="stemlab-${q.quarter}-${q.lang}.csv"`)
      .send(toCsv(report, q.lang));
  });

  return app;
}
