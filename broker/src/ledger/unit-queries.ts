/**
 * The reads behind one unit's page (api/fleet-status.ts unitDetail) that the presence reads of
 * queries.ts do not cover: the unit's recent kit sessions with what they were for (the purpose a
 * teacher, a flow or the room console tagged: lesson, class, club session, team), and each
 * gateway's usage events against its seq range (data completeness). Kept apart from the ingest's
 * write path and the report's reads.
 */
import type { Purpose, SessionEnd } from '@stemlab/protocol';
import type { Queryable } from './sql.ts';

export interface RecentSession {
  gateway: string;
  kit: string;
  /** Corrected when it could be: the session's start and end (ms). */
  startedAt: number;
  endedAt: number;
  durationMs: number;
  purpose: Purpose;
  endReason: SessionEnd['session']['endReason'];
  faults: number;
}

export interface GatewayEventRange {
  gateway: string;
  events: number;
  seqFrom: number;
  seqTo: number;
}

export class UnitQueries {
  constructor(private readonly q: Queryable) {}

  /** The unit's latest kit sessions (kits as wholes, not their components), newest first. */
  async recentSessions(unit: string, limit = 20): Promise<RecentSession[]> {
    const rows = await this.q.query<{ gateway: string; kit: string; payload: string; shift: number }>(
      `SELECT gateway, kit, payload, COALESCE(corrected_at, at) - at AS shift FROM usage_events
       WHERE unit = ? AND type = 'session.end' AND component IS NULL
       ORDER BY COALESCE(corrected_at, at) DESC, kit, event_id LIMIT ?`,
      [unit, limit],
    );
    return rows.map((r) => {
      const { session } = JSON.parse(r.payload) as SessionEnd;
      // The end event's clock correction moves the session as a whole (reports/quarterly.ts does the same).
      const endedAt = session.endedAt + Number(r.shift);
      return { gateway: r.gateway, kit: r.kit, startedAt: endedAt - session.durationMs, endedAt, durationMs: session.durationMs, purpose: session.purpose, endReason: session.endReason, faults: session.faults };
    });
  }

  /** Per gateway of the unit: usage events stored and the seq range they span (expected = seqTo − seqFrom + 1). */
  eventRanges(unit: string): Promise<GatewayEventRange[]> {
    return this.q.query<GatewayEventRange>(
      `SELECT gateway, COUNT(*) AS events, MIN(seq) AS "seqFrom", MAX(seq) AS "seqTo" FROM usage_events WHERE unit = ? GROUP BY gateway ORDER BY gateway`,
      [unit],
    );
  }
}
