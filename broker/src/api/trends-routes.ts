/**
 * `GET /api/v1/trends?quarter=2026Q1` (admin, viewer): the dashboard's trends for a quarter
 * (reports/trends.ts, docs/dashboard.md): kit-hours per week per unit, kind of equipment and
 * district, share of school time, most and least used kits, equipment never used, faults and
 * repairs. Without `quarter`, the current one (by the API's clock).
 *
 * A quarter's trends are the quarterly report plus a walk of its sessions: about a second and a
 * half for the whole fleet's busy quarter (140,000 usage events) on a loaded 2-core machine. They
 * are kept for a minute (by the API's clock) per quarter and registry, so that the trends page,
 * the map coloured by use and several people at once share one computation; requests arriving
 * while it runs wait for it rather than start another.
 */
import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { listUnits } from '../registry/fleet.ts';
import { quarterOf } from '../reports/quarter.ts';
import { quarterTrends, type Trends } from '../reports/trends.ts';
import { requireRole } from './auth.ts';
import type { RouteContext } from './context.ts';
import { parse } from './parse.ts';

const trendsQuery = z.strictObject({
  quarter: z
    .string()
    .regex(/^\d{4}Q[1-4]$/, 'a quarter like 2026Q1')
    .refine((q) => Number(q.slice(0, 4)) >= 2020 && Number(q.slice(0, 4)) <= 2100, 'a quarter between 2020Q1 and 2100Q4')
    .optional(),
});

export const TRENDS_KEPT_MS = 60_000;

export function registerTrendRoutes(app: FastifyInstance, { db, ledger, now }: RouteContext): void {
  const kept = new Map<string, { at: number; trends: Promise<Trends> }>();
  app.get('/api/v1/trends', async (request) => {
    await requireRole(db, request, ['admin', 'viewer'], now());
    const q = parse(trendsQuery, request.query, 'query parameter');
    const quarter = q.quarter ?? quarterOf(now());
    const units = await listUnits(db);
    const key = `${quarter}/${createHash('sha256').update(JSON.stringify(units)).digest('base64url')}`;
    const hit = kept.get(key);
    if (hit && now() - hit.at < TRENDS_KEPT_MS) return hit.trends;
    for (const [k, v] of kept) if (now() - v.at >= TRENDS_KEPT_MS) kept.delete(k);
    const trends = quarterTrends(ledger, quarter, { units, now: now() });
    kept.set(key, { at: now(), trends });
    // A failure is not kept: the next request tries again.
    trends.catch(() => kept.delete(key));
    return trends;
  });
}
