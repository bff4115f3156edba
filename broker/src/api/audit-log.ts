/**
 * `GET /api/v1/audit`: the audit trail of every entity (units, user accounts, admin log-ins),
 * newest first, filtered by entity and id, paged with `before` (an audit row id).
 */
import { z } from 'zod';
import type { Queryable } from '../ledger/sql.ts';
import { toAuditRow, type AuditRow } from '../registry/fleet.ts';

export const auditQuerySchema = z.strictObject({
  entity: z.enum(['unit', 'user']).optional(),
  /** A unit id or a username. */
  id: z.string().min(1).max(64).optional(),
  /** Rows older than this audit row id (the last id of the previous page). */
  before: z.coerce.number().int().positive().optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});
export type AuditQuery = z.output<typeof auditQuerySchema>;

export async function queryAudit(db: Queryable, q: AuditQuery): Promise<AuditRow[]> {
  // Typed casts: PostgreSQL cannot tell a bare `? IS NULL` parameter's type.
  const rows = await db.query(
    `SELECT * FROM audit WHERE (CAST(? AS TEXT) IS NULL OR entity = ?) AND (CAST(? AS TEXT) IS NULL OR entity_id = ?) AND (CAST(? AS BIGINT) IS NULL OR id < ?)
     ORDER BY id DESC LIMIT ?`,
    [q.entity ?? null, q.entity ?? null, q.id ?? null, q.id ?? null, q.before ?? null, q.before ?? null, q.limit],
  );
  return rows.map(toAuditRow);
}
