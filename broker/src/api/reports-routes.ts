/**
 * The quarterly report for the department (admin and viewer): computed now, as JSON, CSV or XLSX,
 * and the copies the central archived before each deadline (reports/archive.ts), as submitted.
 */
import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { listUnits } from '../registry/fleet.ts';
import type { ReportArchive } from '../reports/archive.ts';
import { toCsv, toJson } from '../reports/csv.ts';
import { quarterlyReport } from '../reports/quarterly.ts';
import { toXlsx } from '../reports/xlsx.ts';
import { requireRole } from './auth.ts';
import type { RouteContext } from './context.ts';
import { ApiError } from './errors.ts';
import { parse } from './parse.ts';

// Years the programme can have data for: from 2020 (before the plan) to 2100.
const quarterField = z
  .string()
  .regex(/^\d{4}Q[1-4]$/, 'a quarter like 2025Q3')
  .refine((q) => Number(q.slice(0, 4)) >= 2020 && Number(q.slice(0, 4)) <= 2100, 'a quarter between 2020Q1 and 2100Q4');
const reportQuerySchema = z.strictObject({
  quarter: quarterField,
  format: z.enum(['csv', 'json', 'xlsx']).default('json'),
  lang: z.enum(['vi', 'en']).default('vi'),
});
const archivedFileSchema = z.strictObject({ quarter: quarterField, file: z.string().regex(/^[\w.-]{1,100}$/, 'a file name from GET /api/v1/reports/archive') });

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const contentTypes: Record<string, string> = { csv: 'text/csv; charset=utf-8', json: 'application/json; charset=utf-8', xlsx: XLSX };

export function registerReportRoutes(app: FastifyInstance, { db, ledger, now }: RouteContext, archive: ReportArchive | undefined): void {
  const department = ['admin', 'viewer'] as const;

  app.get('/api/v1/reports/quarterly', async (request, reply) => {
    await requireRole(db, request, [...department], now());
    const q = parse(reportQuerySchema, request.query, 'query parameter');
    // The API's clock dates it (a fleet simulation's central has its simulated one).
    const report = await quarterlyReport(ledger, q.quarter, { units: await listUnits(db), now: now() });
    if (q.format === 'json') return reply.type(contentTypes.json!).send(toJson(report));
    const file = `stemlab-${q.quarter}-${q.lang}.${q.format}`;
    const body = q.format === 'xlsx' ? await toXlsx(report, q.lang) : toCsv(report, q.lang);
    return reply.type(contentTypes[q.format]!).header('content-disposition', `attachment; filename="${file}"`).send(body);
  });

  app.get('/api/v1/reports/archive', async (request) => {
    await requireRole(db, request, [...department], now());
    return { reports: archive?.list() ?? [] };
  });

  app.get('/api/v1/reports/archive/:quarter/:file', async (request, reply) => {
    await requireRole(db, request, [...department], now());
    const p = parse(archivedFileSchema, request.params, 'path parameter');
    const path = archive?.path(p.quarter, p.file);
    if (!path) throw new ApiError('NOT_FOUND', `no archived report file '${p.file}' for ${p.quarter}; GET /api/v1/reports/archive lists them`);
    const type = contentTypes[p.file.slice(p.file.lastIndexOf('.') + 1)] ?? 'application/octet-stream';
    return reply.type(type).header('content-disposition', `attachment; filename="${p.file}"`).send(readFileSync(path));
  });
}
