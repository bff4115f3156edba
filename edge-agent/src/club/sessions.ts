/**
 * Club sessions on the gateway (the room console's robot club): a teacher starts one with the
 * lesson, the class and the teams with their kits, deploys the lesson's starter to the teams'
 * kits (a tab each), sees each team's automatic-check verdict as it comes, and ends it.
 *
 * While a session runs, each team's kit is tagged on the usage tracker
 * `{kind: 'club-session', lessonId, classId, clubSessionId, teamId, by}`, so the usage records
 * (and the central's ledger) know lesson, class and team. Those records, as the outbox stored
 * them, are kept with the session for its summary (summary.ts), as are the kits' faults.
 * One session runs at a time on a gateway; a running one is tagged again after an agent restart.
 */
import { randomUUID } from 'node:crypto';
import type { Purpose, UsageEvent } from '@stemlab/protocol';
import type { AgentConfig } from '../config/schema.ts';
import { lessonFlows } from '../nodered/lessons.ts';
import { withOwners } from '../nodered/owners.ts';
import { ClubError } from './errors.ts';
import { startRequest } from './request.ts';
import type { ClubSession, ClubStore, Team, Verdict } from './store.ts';

/** What the sessions need of the gateway. */
export interface ClubDeps {
  config: AgentConfig;
  /** The usage tracker's tagging. */
  tag(purpose: Purpose, kits: readonly string[]): void;
  /** The lesson deploy (Node-RED's); undefined when Node-RED is off on this gateway. */
  deploy: ((flows: unknown, by: string) => Promise<{ rev: string; tabs: string[] }>) | undefined;
  now?: () => number;
  /**
   * The deployed tab `id`'s owners (the editor's STEMLAB_OWNER: a team's members, or one
   * student; [] for the teacher's), or undefined when no such tab is deployed (or Node-RED is
   * off): whose a checked tab is.
   */
  deployedTab?: (id: string) => { owners: readonly string[] } | undefined;
}

/** A check run from the editor's sidebar (the bridge's `checked`, event 'lesson:checked'). */
export interface CheckedEvent {
  lessonId: string;
  tab: string | undefined;
  kits: readonly string[];
  by: string | undefined;
  status: Verdict['status'];
  message: string;
  at: number;
}

export class ClubSessions {
  private readonly listeners = new Set<(session: ClubSession) => void>();
  private readonly now: () => number;
  /** The running session, kept in memory: the console asks for it on every event of every page open. */
  private live: ClubSession | undefined;

  constructor(
    readonly store: ClubStore,
    private readonly deps: ClubDeps,
  ) {
    this.now = deps.now ?? Date.now;
    this.live = store.list().find((s) => s.state === 'running');
    // The tags live in the tracker's memory: a session still running when the agent stopped is tagged again.
    if (this.live) this.tagTeams(this.live);
  }

  /** Tell `listener` about every change of a session (for the console's live stream). */
  onChange(listener: (session: ClubSession) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  current(): ClubSession | undefined {
    return this.live;
  }

  get(id: string): ClubSession {
    const session = this.store.get(id);
    if (!session) throw new ClubError('SESSION_UNKNOWN', `no club session '${id}' on this gateway`, `không có buổi câu lạc bộ '${id}' trên gateway này`);
    return session;
  }

  list(): ClubSession[] {
    return this.store.list();
  }

  start(body: unknown, by: string): ClubSession {
    const request = startRequest(body, this.deps.config);
    const running = this.current();
    if (running) {
      throw new ClubError('SESSION_RUNNING', `club session '${running.id}' (class ${running.classId}) is still running: end it first`, `buổi '${running.id}' (lớp ${running.classId}) vẫn đang chạy: hãy kết thúc buổi đó trước`);
    }
    const at = this.now();
    const session: ClubSession = {
      id: `club-${new Date(at).toISOString().slice(0, 10)}-${randomUUID().slice(0, 8)}`,
      ...request,
      state: 'running',
      startedBy: by,
      startedAt: at,
      endedBy: undefined,
      endedAt: undefined,
      deploys: [],
      verdicts: [],
      usage: [],
      faults: [],
    };
    this.save(session);
    this.tagTeams(session);
    return session;
  }

  end(id: string, by: string): ClubSession {
    const session = this.running(id);
    // Untagging ends the kits' open usage sessions now; their records arrive (recordUsage) before this returns.
    this.deps.tag({ kind: 'free-practice' }, session.teams.map((t) => t.kit));
    const ended = { ...this.get(id), state: 'ended' as const, endedBy: by, endedAt: this.now() };
    this.save(ended);
    return ended;
  }

  /** Deploy the lesson's starter to the teams' kits, a tab per team (Node-RED's lesson deploy). */
  async deploy(id: string, by: string): Promise<ClubSession> {
    const session = this.running(id);
    const off = () => new ClubError('NODERED_OFF', 'Node-RED is off on this gateway (nodered.enabled, or no editor accounts: `stemlab agent accounts`), so no lesson can be deployed', 'Node-RED đang tắt trên gateway này (nodered.enabled, hoặc chưa có tài khoản: `stemlab agent accounts`), nên không triển khai được bài học');
    if (!this.deps.deploy) throw off();
    const starter = lessonFlows(session.lessonId, 'starter', session.teams.map((t) => t.kit));
    const kitOfTab = tabKits(starter);
    // Each team's tab belongs to all its members (they share the robot): any of them may change
    // and deploy it and press its buttons; a team without members leaves it the teacher's.
    const flows = starter.map((node) => {
      const members = node.type === 'tab' ? session.teams.find((t) => t.kit === kitOfTab.get(node.id as string))?.members : undefined;
      return members && members.length > 0 ? withOwners(node, members) : node;
    });
    const result = await this.deps.deploy(flows, by).catch((err: unknown) => {
      throw (err as { code?: unknown }).code === 'NODERED_NOT_RUNNING' ? off() : err;
    });
    const tabs: Record<string, string> = {};
    for (const tab of result.tabs) {
      const team = session.teams.find((t) => t.kit === kitOfTab.get(tab));
      if (team) tabs[tab] = team.id;
    }
    const updated = this.get(id);
    updated.deploys.push({ at: this.now(), by, rev: result.rev, tabs });
    this.save(updated);
    return updated;
  }

  /** Of `kits`, those outside the running session's teams (all when none runs): a lesson flow's own tag leaves the session's kits alone. */
  outsideSession(kits: readonly string[]): string[] {
    const session = this.current();
    return session ? kits.filter((kit) => !session.teams.some((t) => t.kit === kit)) : [...kits];
  }

  /** The team of the running session a student is in. */
  teamOf(username: string): { session: ClubSession; team: Team } | undefined {
    const session = this.current();
    const team = session?.teams.find((t) => t.members.includes(username));
    return session && team ? { session, team } : undefined;
  }

  /** The tab a team's deployed lesson runs in (its flow's driver name is `flow:<tab>`). */
  tabOf(session: ClubSession, teamId: string): string | undefined {
    const last = [...session.deploys].reverse().find((d) => Object.values(d.tabs).includes(teamId));
    return last ? Object.entries(last.tabs).find(([, team]) => team === teamId)![0] : undefined;
  }

  /**
   * The team a check by `by` of `tab` counts for: only ever the checking user's own team (`by` is
   * the editor's logged-in user, never a field of the posted flow). Undefined when it counts for
   * no team: no session runs, or `by` is in none of its teams (the teacher, a technician, a
   * student of another class), so a teacher trying a team's tab never changes that team's verdict.
   * Throws NOT_YOUR_TEAM when `tab` is another team's: deployed and owned by no one of the user's
   * team (another team's members, or the teacher), or, when not deployed, the tab the
   * session deployed for another team. A tab that is not deployed (a new one in the student's
   * editor) is the student's own work, so it counts for their team.
   */
  checkTeam(by: string | undefined, tab: string | undefined): Team | undefined {
    const session = this.current();
    const team = by ? session?.teams.find((t) => t.members.includes(by)) : undefined;
    if (!session || !team || !tab) return team;
    const deployedFor = [...session.deploys].reverse().map((d) => d.tabs[tab]).find((t) => t !== undefined);
    const deployed = this.deps.deployedTab?.(tab);
    const owners = deployed?.owners ?? [];
    // A team's tab names every member; a student's own tab, one: either way one of the team's.
    const ownedBy = (t: Team) => owners.some((owner) => t.members.includes(owner));
    const ours = deployed ? (owners.length > 0 ? ownedBy(team) : deployedFor === team.id) : deployedFor === undefined || deployedFor === team.id;
    if (ours) return team;
    const other = session.teams.find((t) => (owners.length > 0 ? ownedBy(t) : t.id === deployedFor));
    const who = owners.join(', ');
    const [whoseVi, whoseEn] = other ? [`của nhóm ${other.name}`, `team ${other.name}'s`] : owners.length > 0 ? [`của ${who}`, `${who}'s`] : ['của thầy cô', "the teacher's"];
    throw new ClubError(
      'NOT_YOUR_TEAM',
      `this flow (tab '${tab}') is ${whoseEn}: a check counts only on your own team's flow (team ${team.name}). Open your team's tab and check again.`,
      `Luồng (tab '${tab}') này là ${whoseVi}: bài chấm chỉ được tính trên luồng của nhóm em (nhóm ${team.name}). Hãy mở tab của nhóm em rồi chấm lại.`,
    );
  }

  /**
   * A check from the editor (the bridge's `checked`, after the sidebar's `mayCheck` let it run):
   * recorded for the checking user's team only (checkTeam), judged again here because the flows
   * may have changed while the check ran. Undefined when it counts for no team or is refused.
   */
  recordVerdict(event: CheckedEvent): Verdict | undefined {
    const session = this.current();
    if (!session) return undefined;
    let team: Team | undefined;
    try {
      team = this.checkTeam(event.by, event.tab);
    } catch (err) {
      if (err instanceof ClubError) return undefined;
      throw err;
    }
    if (!team) return undefined;
    const verdict: Verdict = { team: team.id, lessonId: event.lessonId, status: event.status, message: event.message.slice(0, 2000), by: event.by, tab: event.tab, at: event.at };
    session.verdicts.push(verdict);
    this.save(session);
    return verdict;
  }

  /** A usage record the outbox stored: a kit session's end tagged with one of ours is kept with it. */
  recordUsage(event: UsageEvent): void {
    if (event.type !== 'session.end' || event.device.component !== null) return;
    const { purpose } = event.session;
    if (purpose.kind !== 'club-session' || !purpose.clubSessionId) return;
    const session = this.live?.id === purpose.clubSessionId ? this.live : this.store.get(purpose.clubSessionId);
    if (!session || session.usage.some((u) => u.eventId === event.eventId)) return;
    const s = event.session;
    session.usage.push({ eventId: event.eventId, kit: event.device.kit, teamId: purpose.teamId, startedAt: s.startedAt, endedAt: s.endedAt, durationMs: s.durationMs, faults: s.faults, endReason: s.endReason });
    this.save(session);
  }

  /** A kit of a running session's team lost (fault or unplugged). */
  recordKitLost(kit: string, state: string, reason: string | undefined, at: number): void {
    const session = this.current();
    if (!session?.teams.some((t) => t.kit === kit)) return;
    session.faults.push({ kit, state, reason, at });
    this.save(session);
  }

  private running(id: string): ClubSession {
    const session = this.get(id);
    if (session.state !== 'running') throw new ClubError('SESSION_ENDED', `club session '${id}' has ended`, `buổi câu lạc bộ '${id}' đã kết thúc`);
    return session;
  }

  private tagTeams(session: ClubSession): void {
    for (const team of session.teams) {
      const purpose: Purpose = { kind: 'club-session', lessonId: session.lessonId, classId: session.classId, clubSessionId: session.id, teamId: team.id, by: session.startedBy };
      this.deps.tag(purpose, [team.kit]);
    }
  }

  /** On disk first, then the running session in memory, then the listeners. */
  private save(session: ClubSession): void {
    this.store.save(session);
    if (session.state === 'running') this.live = session;
    else if (this.live?.id === session.id) this.live = undefined;
    this.changed(session);
  }

  private changed(session: ClubSession): void {
    for (const listener of this.listeners) listener(session);
  }
}

/** Which kit each tab of a lesson's flows drives: its nodes' stemlab-kit config node's kit. */
export function tabKits(flows: ReadonlyArray<Record<string, unknown>>): Map<string, string> {
  const kitNodes = new Map(flows.filter((n) => n.type === 'stemlab-kit').map((n) => [n.id as string, n.kit as string]));
  const out = new Map<string, string>();
  for (const node of flows) {
    const kit = typeof node.kit === 'string' ? kitNodes.get(node.kit) : undefined;
    if (kit && typeof node.z === 'string' && !out.has(node.z)) out.set(node.z, kit);
  }
  return out;
}
