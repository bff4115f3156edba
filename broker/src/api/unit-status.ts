/**
 * A unit's status, defined once (docs/unit-status.md), for the dashboard's cards, filter and
 * column, the live stream and the alert feed alike. The first rule that holds wins:
 *
 *  1. never-installed: the ledger has never heard from any of the unit's gateways;
 *  2. in-use: a gateway is online and a session started in the last 12 hours has not ended;
 *  3. silent: every gateway offline, the latest heard longer ago than `silentAfterDays`;
 *  4. active: a session started or ended in the last 7 days;
 *  5. idle: heard from (online, or offline for less than `silentAfterDays`), not used for 7 days.
 */
export const unitStatuses = ['in-use', 'active', 'idle', 'silent', 'never-installed'] as const;
export type UnitStatusKind = (typeof unitStatuses)[number];

export const ACTIVE_DAYS = 7;
/** A session open longer than this is taken as lost (its end never came), not as a class still going. */
export const OPEN_SESSION_HOURS = 12;
export const DEFAULT_SILENT_AFTER_DAYS = 3;

const DAY = 86_400_000;

export interface StatusInputs {
  online: boolean;
  /** Latest time any gateway was heard from (ms), null if never. */
  lastSeen: number | null;
  /** Latest session start or end (ms), null if never used. */
  lastUsed: number | null;
  /** Sessions started in the last OPEN_SESSION_HOURS and not ended. */
  openSessions: number;
}

export function unitStatusOf(u: StatusInputs, now: number, silentAfterDays = DEFAULT_SILENT_AFTER_DAYS): UnitStatusKind {
  if (u.lastSeen === null) return 'never-installed';
  if (u.online && u.openSessions > 0) return 'in-use';
  if (!u.online && now - u.lastSeen > silentAfterDays * DAY) return 'silent';
  if (u.lastUsed !== null && now - u.lastUsed <= ACTIVE_DAYS * DAY) return 'active';
  return 'idle';
}

/** Sort order: live units first. */
export const statusRank: Record<UnitStatusKind, number> = { 'in-use': 0, active: 1, idle: 2, silent: 3, 'never-installed': 4 };
