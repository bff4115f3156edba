/**
 * What each person sees of the club (the console's stream and the club API): the teacher and
 * the technician everything; a student only their own team (its kit, its verdicts) in the
 * running session, nothing of the other teams.
 */
import { isStaff, type Caller } from '../api/auth.ts';
import { ClubError } from './errors.ts';
import type { ClubSessions } from './sessions.ts';
import type { ClubSession } from './store.ts';

export interface SessionView {
  id: string;
  lessonId: string;
  classId: string;
  state: ClubSession['state'];
  startedBy: string;
  startedAt: number;
  endedAt: number | undefined;
  teams: Array<ClubSession['teams'][number] & { tab: string | undefined }>;
  verdicts: ClubSession['verdicts'];
  deployed: boolean;
}

export function sessionView(club: ClubSessions, session: ClubSession, caller: Caller | undefined): SessionView {
  const own = isStaff(caller) ? undefined : session.teams.find((t) => caller !== undefined && t.members.includes(caller.username));
  const teams = isStaff(caller) ? session.teams : own ? [own] : [];
  const ids = new Set(teams.map((t) => t.id));
  return {
    id: session.id,
    lessonId: session.lessonId,
    classId: session.classId,
    state: session.state,
    startedBy: session.startedBy,
    startedAt: session.startedAt,
    endedAt: session.endedAt,
    teams: teams.map((t) => ({ ...t, tab: club.tabOf(session, t.id) })),
    verdicts: session.verdicts.filter((v) => ids.has(v.team)).slice(-100),
    deployed: session.deploys.length > 0,
  };
}

/** The kits a caller may see: all for staff; a student their team's kit in the running session. */
export function visibleKits(club: ClubSessions, caller: Caller | undefined, all: readonly string[]): string[] {
  if (isStaff(caller)) return [...all];
  const mine = caller ? club.teamOf(caller.username) : undefined;
  return mine ? [mine.team.kit] : [];
}

/** Refuses a student another team's kit (NOT_YOUR_TEAM, 403). */
export function assertMayOpen(club: ClubSessions, caller: Caller | undefined, kit: string, all: readonly string[]): void {
  if (visibleKits(club, caller, all).includes(kit)) return;
  throw new ClubError('NOT_YOUR_TEAM', `kit '${kit}' is not your team's: you may open your own team's kit only`, `bộ kit '${kit}' không phải của nhóm em: em chỉ mở được bộ kit của nhóm mình`);
}
