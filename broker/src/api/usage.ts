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

/** Through the ledger's query layer (ledger/queries.ts): no SQL here. */
export async function queryUsage(ledger: Ledger, q: UsageQuery): Promise<UsageItem[]> {
  const [kit, component] = q.device?.split('/') ?? [];
  const rows = await ledger.usageEvents({ unit: q.unit, kit, component, from: q.from, to: q.to, limit: q.limit });
  return rows.map((r) => ({
    eventId: r.eventId,
    unit: r.unit,
    gateway: r.gateway,
    seq: r.seq,
    type: r.type,
    kit: r.kit,
    component: r.component,
    deviceType: r.deviceType,
    sessionId: r.sessionId,
    at: r.correctedAt ?? r.at,
    clockCorrected: r.correctedAt !== null,
    event: r.event,
  }));
}
