/**
 * Each unit's latest use and its sessions still open, for the unit statuses (api/unit-status.ts)
 * that every view of the dashboard reads first. Index reads only, so that their cost does not
 * grow with the ledger (a scan of all usage events took 0.6 s at 600,000 events):
 *
 *  - latest use: per gateway the session event with the highest seq (the unique index
 *    (unit, gateway, seq) read backwards; a gateway numbers its events in the order it makes
 *    them), at its corrected time; a unit's latest is the latest of its gateways';
 *  - open sessions: session events timed since `openSince` (the (type, time) index), grouped by
 *    session, those with no end.
 */
import type { Queryable } from './sql.ts';

export interface UnitActivity {
  lastUsed: number;
  openSessions: number;
}

export async function unitActivity(q: Queryable, gateways: ReadonlyArray<{ unit: string; gateway: string }>, openSince: number): Promise<Map<string, UnitActivity>> {
  const out = new Map<string, UnitActivity>();
  for (const { unit, gateway } of gateways) {
    const row = await q.get<{ t: number }>(
      `SELECT COALESCE(corrected_at, at) AS t FROM usage_events
       WHERE unit = ? AND gateway = ? AND type IN ('session.start', 'session.end') ORDER BY seq DESC LIMIT 1`,
      [unit, gateway],
    );
    if (!row) continue;
    const t = Number(row.t);
    const known = out.get(unit);
    if (!known || t > known.lastUsed) out.set(unit, { lastUsed: t, openSessions: 0 });
  }
  const open = await q.query<{ unit: string }>(
    `SELECT unit, session_id FROM usage_events
     WHERE type IN ('session.start', 'session.end') AND session_id IS NOT NULL AND COALESCE(corrected_at, at) >= ?
     GROUP BY unit, session_id HAVING SUM(CASE WHEN type = 'session.end' THEN 1 ELSE 0 END) = 0`,
    [openSince],
  );
  for (const r of open) {
    const u = out.get(r.unit);
    if (u) u.openSessions++;
  }
  return out;
}
