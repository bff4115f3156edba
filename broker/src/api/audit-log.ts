/**
 * `GET /api/v1/audit`: the audit trail of every entity (units, user accounts, admin log-ins),
 * newest first, filtered by entity and id, paged with `before` (an audit row id).
 */
import type { Database } from 'better-sqlite3';
import { z } from 'zod';
import type { AuditRow } from '../registry/fleet.ts';

export const auditQuerySchema = z.strictObject({
  entity: z.enum(['unit', 'user']).optional(),
  /** A unit id or a username. */
  id: z.string().min(1).max(64).optional(),
  /** Rows older than this audit row id (the last id of the previous page). */
  before: z.coerce.number().int().positive().optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});
export type AuditQuery = z.output<typeof auditQuerySchema>;

export function queryAudit(db: Database, q: AuditQuery): AuditRow[] {
  const rows = db
    .prepare(
      `SELECT * FROM audit WHERE (@entity IS NULL OR entity = @entity) AND (@id IS NULL OR entity_id = @id) AND (@before IS NULL OR id < @before)
       ORDER BY id DESC LIMIT @limit`,
    )
    .all({ entity: q.entity ?? null, id: q.id ?? null, before: q.before ?? null, limit: q.limit }) as Array<Record<string, unknown>>;
  return rows.map((r) => ({
    id: r.id as number,
    at: r.at as number,
    actor: r.actor as string,
    action: r.action as string,
    entity: r.entity as string,
    entityId: r.entity_id as string,
    before: r.before === null ? null : (JSON.parse(r.before as string) as unknown),
    after: r.after === null ? null : (JSON.parse(r.after as string) as unknown),
  }));
}
