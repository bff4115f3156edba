/**
 * `GET /api/v1/usage`: usage events from the ledger, filtered by unit, device and time. The query
 * is validated here, once, with zod; times are ISO 8601 or epoch milliseconds and compare with the
 * event's corrected time when the ledger could correct it, else the gateway's own.
 */
import type { Database } from 'better-sqlite3';
import { z } from 'zod';

const time = z.union([
  z.string().regex(/^\d+$/).transform(Number),
  z.iso.datetime({ offset: true }).transform((s) => Date.parse(s)),
]);

export const usageQuerySchema = z
  .strictObject({
    unit: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'a unit id (lower-case letters, digits and "-")').optional(),
    /** A kit (`robot-1`) or one of its components (`robot-1/left-motor`). */
    device: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}(\/[a-z0-9][a-z0-9-]{0,63})?$/, 'a kit or kit/component').optional(),
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

export function queryUsage(db: Database, q: UsageQuery): UsageItem[] {
  const [kit, component] = q.device?.split('/') ?? [];
  const rows = db
    .prepare(
      `SELECT *, COALESCE(corrected_at, at) AS t FROM usage_events
       WHERE (@unit IS NULL OR unit = @unit) AND (@kit IS NULL OR kit = @kit) AND (@component IS NULL OR component = @component)
         AND (@from IS NULL OR COALESCE(corrected_at, at) >= @from) AND (@to IS NULL OR COALESCE(corrected_at, at) < @to)
       ORDER BY t, unit, gateway, seq LIMIT @limit`,
    )
    .all({ unit: q.unit ?? null, kit: kit ?? null, component: component ?? null, from: q.from ?? null, to: q.to ?? null, limit: q.limit }) as Array<
    Record<string, unknown>
  >;
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
