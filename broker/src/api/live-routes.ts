/**
 * Live: `GET /api/v1/live`, a server-sent event stream (text/event-stream) of what the central's
 * ledger commits, so that the dashboard updates within seconds without reloading; and the alert
 * feed, `GET /api/v1/alerts` (JSON) and `GET /api/v1/alerts.rss`. Teachers and technicians get
 * their own unit's changes and alerts only. The stream is fed by this node's ledger writes (what
 * its ingest sees); behind a load balancer, gateways on another node show at the next re-read.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { listUnits } from '../registry/fleet.ts';
import { alerts, alertsRss, type QuotaHits } from './alerts.ts';
import { requireRole, unitScoped } from './auth.ts';
import type { RouteContext } from './context.ts';
import { parse } from './parse.ts';
import { roles } from './users.ts';

/** A comment line this often keeps proxies and the browser from closing an idle stream. */
const HEARTBEAT_MS = 15_000;
const rssQuery = z.strictObject({ lang: z.enum(['vi', 'en']).default('vi') });

export function registerLiveRoutes(app: FastifyInstance, { db, ledger, now, estops }: RouteContext, quotaHits?: QuotaHits): void {
  const scopedUnits = async (unit: string | null | undefined, scoped: boolean) => (await listUnits(db)).filter((u) => !scoped || u.id === unit);

  app.get('/api/v1/alerts', async (request) => {
    const session = await requireRole(db, request, roles, now());
    return { alerts: await alerts(ledger, await scopedUnits(session.unit, unitScoped(session)), now(), quotaHits, estops) };
  });

  app.get('/api/v1/alerts.rss', async (request, reply) => {
    const session = await requireRole(db, request, roles, now());
    const { lang } = parse(rssQuery, request.query, 'query parameter');
    const list = await alerts(ledger, await scopedUnits(session.unit, unitScoped(session)), now(), quotaHits, estops);
    return reply.type('application/rss+xml; charset=utf-8').send(alertsRss(list, lang, `${request.protocol}://${request.host}/`));
  });

  // Open streams never go idle: end them when the server closes, or its close would wait forever.
  const open = new Set<() => void>();
  app.addHook('preClose', async () => {
    for (const end of open) end();
  });

  app.get('/api/v1/live', async (request, reply) => {
    const session = await requireRole(db, request, roles, now());
    const scoped = unitScoped(session);
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
      // nginx and the like: pass each event on at once.
      'x-accel-buffering': 'no',
    });
    res.write(`retry: 3000\nevent: hello\ndata: ${JSON.stringify({ at: new Date(now()).toISOString() })}\n\n`);
    const off = ledger.onChange((change) => {
      const units = change.units.filter((c) => !scoped || c.unit === session.unit);
      if (units.length > 0) res.write(`event: change\ndata: ${JSON.stringify({ units })}\n\n`);
    });
    // An e-stop latched or reset: its own change (the board hears it after the ledger's commit of the birth).
    const offEstop = estops?.onChange((change) => {
      if (!scoped || change.unit === session.unit) res.write(`event: change\ndata: ${JSON.stringify({ units: [{ unit: change.unit, kinds: ['estop'] }] })}\n\n`);
    });
    const beat = setInterval(() => res.write(': ping\n\n'), HEARTBEAT_MS);
    beat.unref();
    const close = () => {
      off();
      offEstop?.();
      clearInterval(beat);
      open.delete(end);
    };
    const end = () => {
      close();
      res.end();
    };
    open.add(end);
    request.raw.on('close', close);
    res.on('error', close);
  });
}
