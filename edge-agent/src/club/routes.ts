/**
 * The club's local API (edge-agent/README.md, "Room console: robot club"), under
 * /api/v1/club/. Starting, ending, deploying, handing a kit over, the summary and the self-test
 * are the teacher's and technician's (staff); a logged-in student reads their own team only.
 */
import { catalogue } from '@stemlab/flows';
import { isStaff, type Caller } from '../api/auth.ts';
import { RawReply, type HttpApi } from '../api/http.ts';
import type { Agent } from '../agent.ts';
import { readEditorAccounts } from '../nodered/accounts.ts';
import { STUDENT_NAME } from '../nodered/policy.ts';
import { ClubError } from './errors.ts';
import type { KitCare } from './kit-care.ts';
import type { ClubSessions } from './sessions.ts';
import { sessionSummary, summaryCsv, summaryXlsx } from './summary.ts';
import { assertMayOpen, sessionView } from './view.ts';

const staff = { access: 'staff' } as const;
const user = { access: 'user' } as const;
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** Who did it, in the session's record: the person's account, or 'local' for a tool on the Pi. */
function who(caller: Caller | undefined): string {
  return caller?.username ?? 'local';
}

export function clubRoutes(api: HttpApi, agent: Agent, club: ClubSessions, care: KitCare): void {
  const kitIds = () => agent.config.kits.map((k) => k.id);

  api.route('GET', '/api/v1/club', (_body, _params, caller) => {
    const current = club.current();
    const mine = caller && !isStaff(caller) ? club.teamOf(caller.username) : undefined;
    const base = { me: { user: caller, team: mine?.team.id }, current: current ? sessionView(club, current, caller) : undefined };
    if (!isStaff(caller)) return base;
    const students = readEditorAccounts(agent.config.dataDir).map((a) => a.username).filter((name) => STUDENT_NAME.test(name));
    return {
      ...base,
      lessons: catalogue.lessons.map((l) => ({ id: l.id, level: l.level, number: l.number, title: l.title, kit: l.kit })),
      kits: agent.config.kits.map((k) => ({ id: k.id, label: k.label ?? k.id })),
      students,
      sessions: club.list().slice(0, 50).map((s) => ({ id: s.id, lessonId: s.lessonId, classId: s.classId, state: s.state, startedAt: s.startedAt, endedAt: s.endedAt })),
    };
  }, user);

  api.route('POST', '/api/v1/club/sessions', (body, _params, caller) => ({ session: sessionView(club, club.start(body, who(caller)), caller) }), staff);
  api.route('POST', '/api/v1/club/sessions/:id/end', (_body, { id }, caller) => {
    const ended = club.end(id!, who(caller));
    return { session: sessionView(club, ended, caller), summary: sessionSummary(ended) };
  }, staff);
  api.route('POST', '/api/v1/club/sessions/:id/deploy', async (_body, { id }, caller) => ({ session: sessionView(club, await club.deploy(id!, who(caller)), caller) }), staff);
  api.route('GET', '/api/v1/club/sessions/:id', (_body, { id }, caller) => {
    const session = club.get(id!);
    const view = sessionView(club, session, caller);
    if (!isStaff(caller) && view.teams.length === 0) throw notYours();
    return { session: view };
  }, user);

  api.route('GET', '/api/v1/club/sessions/:id/summary', (_body, { id }) => ({ summary: sessionSummary(club.get(id!)) }), staff);
  api.route('GET', '/api/v1/club/sessions/:id/summary.csv', (_body, params) => {
    const summary = sessionSummary(club.get(params.id!));
    return new RawReply('text/csv; charset=utf-8', summaryCsv(summary, params.lang === 'en' ? 'en' : 'vi'), { 'content-disposition': `attachment; filename="${summary.id}.csv"` });
  }, staff);
  api.route('GET', '/api/v1/club/sessions/:id/summary.xlsx', async (_body, params) => {
    const summary = sessionSummary(club.get(params.id!));
    return new RawReply(XLSX, await summaryXlsx(summary, params.lang === 'en' ? 'en' : 'vi'), { 'content-disposition': `attachment; filename="${summary.id}.xlsx"` });
  }, staff);

  api.route('GET', '/api/v1/club/kits/:kit', (_body, { kit }, caller) => {
    agent.kit(kit!);
    assertMayOpen(club, caller, kit!, kitIds());
    const current = club.current();
    const team = current?.teams.find((t) => t.kit === kit);
    return {
      kit: { ...agent.kit(kit!).status(), driver: agent.drivers.holder(kit!)?.driver },
      team: team ? { id: team.id, name: team.name, tab: current ? club.tabOf(current, team.id) : undefined } : undefined,
      verdicts: team && current ? current.verdicts.filter((v) => v.team === team.id) : [],
    };
  }, user);

  // The one-driver rule's "takes over only when the teacher says so": the teacher gives the
  // kit to a team's lesson tab (the flow then drives it), or frees it (`team: null`).
  api.route('POST', '/api/v1/club/kits/:kit/hand-over', (body, { kit }, caller) => {
    agent.kit(kit!);
    const teamId = (body as { team?: unknown } | undefined)?.team;
    if (teamId === null || teamId === undefined) {
      agent.drivers.handOver(kit!, undefined);
      agent.log.info({ kit, by: who(caller) }, 'kit freed by the teacher');
      return { kit, driver: null };
    }
    const current = club.current();
    const team = current?.teams.find((t) => t.id === teamId);
    const tab = current && team ? club.tabOf(current, team.id) : undefined;
    if (!current || !team || !tab) {
      throw new ClubError('SESSION_INVALID', `team: '${String(teamId)}' has no deployed lesson tab in the running session; deploy the lesson first, or send {"team": null} to free the kit`, `team: nhóm '${String(teamId)}' chưa có tab bài học trong buổi đang chạy; hãy triển khai bài học trước, hoặc gửi {"team": null} để giải phóng bộ kit`);
    }
    agent.drivers.handOver(kit!, `flow:${tab}`);
    agent.log.info({ kit, team: team.id, by: who(caller) }, 'kit handed over by the teacher');
    return { kit, driver: `flow:${tab}` };
  }, staff);

  api.route('POST', '/api/v1/club/selftest', async (body, _params, caller) => ({ report: await care.selftest(body, who(caller)) }), staff);
  api.route('GET', '/api/v1/club/kit-care', () => ({ kits: care.history() }), staff);
}

function notYours(): ClubError {
  return new ClubError('NOT_YOUR_TEAM', 'this club session has no team of yours', 'em không ở nhóm nào của buổi này');
}
