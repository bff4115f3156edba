/**
 * `GET /api/v1/trends?quarter=2026Q1` (admin, viewer): the dashboard's trends for a quarter
 * (reports/trends.ts, docs/dashboard.md): kit-hours per week per unit, kind of equipment and
 * district, share of school time, most and least used kits, equipment never used, faults and
 * repairs. Without `quarter`, the current one (by the API's clock).
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { listUnits } from '../registry/fleet.ts';
import { quarterOf } from '../reports/quarter.ts';
import { quarterTrends } from '../reports/trends.ts';
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

export function registerTrendRoutes(app: FastifyInstance, { db, ledger, now }: RouteContext): void {
  app.get('/api/v1/trends', async (request) => {
    await requireRole(db, request, ['admin', 'viewer'], now());
    const { quarter } = parse(trendsQuery, request.query, 'query parameter');
    return quarterTrends(ledger, quarter ?? quarterOf(now()), { units: await listUnits(db), now: now() });
  });
}
