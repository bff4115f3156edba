/**
 * `GET /api/v1/usage`: usage events from the ledger, filtered by unit, device and time. The query
 * is validated here, once, with zod; times are ISO 8601 or epoch milliseconds and compare with the
 * event's corrected time when the ledger could correct it, else the gateway's own.
 */
import type { Ledger } from '../ledger/ledger.ts';
import { z } from 'zod';
import { idSchema, isId } from '@stemlab/protocol';

const time = z.union([
  z.string().regex(/^\d+$/).transform(Number),
  z.iso.datetime({ offset: true }).transform((s) => Date.parse(s)),
]);

export const usageQuerySchema = z
  .strictObject({
    unit: idSchema('unit id', 'thcs-q1-01').optional(),
    /** A kit (`robot-1`) or one of its components (`robot-1/left-motor`). */
    device: z
      .string()
      .refine((d) => d.split('/').length <= 2 && d.split('/').every(isId), 'a kit or kit/component id, e.g. robot-1 or robot-1/left-motor')
      .optional(),
    from: time.optional(),
    to: time.optional(),
    limit: z.coerce.number().int().min(1).max(10_000).default(1000),
  })
  .refine((q) => q.from === undefined || q.to === undefined || q.from <= q.to, { path: ['to'], message: 'must not be before from' });
export type UsageQuery = z.output<typeof usageQuerySchema>;

export interface UsageItem {
  eventId: string;
  unit: string;
  gateway: string;
  seq: number;
  type: string;
  kit: string | null;
  component: string | null;
  deviceType: string | null;
  sessionId: string | null;
  /** Corrected time when known, else the gateway's clock. */
  at: number;
  clockCorrected: boolean;
  event: unknown;
}

/** Only the filters given become conditions (PostgreSQL cannot type a bare `? IS NULL`). */
export async function queryUsage(ledger: Ledger, q: UsageQuery): Promise<UsageItem[]> {
  const [kit, component] = q.device?.split('/') ?? [];
  const where: string[] = [];
  const params: Array<string | number> = [];
  const add = (sql: string, value: string | number | undefined) => {
    if (value === undefined) return;
    where.push(sql);
    params.push(value);
  };
  add('unit = ?', q.unit);
  add('kit = ?', kit);
  add('component = ?', component);
  add('COALESCE(corrected_at, at) >= ?', q.from);
  add('COALESCE(corrected_at, at) < ?', q.to);
  const rows = await ledger.sql.query(
    `SELECT *, COALESCE(corrected_at, at) AS t FROM usage_events ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
     ORDER BY t, unit, gateway, seq LIMIT ?`,
    [...params, q.limit],
  );
  return rows.map((r) => ({
    eventId: r.event_id as string,
    unit: r.unit as string,
    gateway: r.gateway as string,
    seq: r.seq as number,
    type: r.type as string,
    kit: r.kit as string | null,
    component: r.component as string | null,
    deviceType: r.device_type as string | null,
    sessionId: r.session_id as string | null,
    at: r.t as number,
    clockCorrected: r.corrected_at !== null,
    event: JSON.parse(r.payload as string) as unknown,
  }));
}
