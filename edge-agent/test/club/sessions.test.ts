/**
 * Club sessions' own rules, on a real store in a temporary folder: the tags each team's kit gets
 * and loses, which team a verdict belongs to (only ever the checking student's own; a tab of
 * another team is refused, a teacher's check counts for none), the usage records kept (kit sessions of this session only, once each), and
 * a lesson flow's own tag kept off the session's kits.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Purpose, UsageEvent } from '@stemlab/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { ClubSessions, ClubStore, sessionSummary, summaryCsv, tabKits } from '../../src/club/index.ts';
import { lessonFlows } from '../../src/nodered/lessons.ts';
import { parseConfig } from '../../src/config/load.ts';
import { robotKit } from '../helpers/sim-agent.ts';

const config = parseConfig({ unit: 'u', gateway: 'g', room: 'robot-club', kits: [robotKit('robot-1'), robotKit('robot-2'), robotKit('robot-3')] });
const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

function setup(deploy?: (flows: unknown) => Promise<{ rev: string; tabs: string[] }>, deployedTab?: (id: string) => { owners: readonly string[] } | undefined) {
  const dir = mkdtempSync(join(tmpdir(), 'stemlab-club-unit-'));
  dirs.push(dir);
  const tags: Array<[Purpose, readonly string[]]> = [];
  const store = new ClubStore(dir);
  const make = () => new ClubSessions(store, { config, tag: (p, k) => tags.push([p, k]), deploy: deploy && ((flows) => deploy(flows)), deployedTab, now: () => 1_000 });
  return { club: make(), make, tags };
}

/** A club whose deploys land in a stand-in editor: what it deployed, and the owners Node-RED reports for each tab (set by the test). */
function withEditor() {
  const editor = { deployed: [] as Array<Record<string, unknown>>, owners: new Map<string, string[]>() };
  const { club } = setup(
    async (flows) => {
      editor.deployed = flows as Array<Record<string, unknown>>;
      return { rev: 'r1', tabs: editor.deployed.filter((n) => n.type === 'tab').map((n) => n.id as string) };
    },
    (id) => (editor.owners.has(id) ? { owners: editor.owners.get(id)! } : undefined),
  );
  return { club, editor };
}

const body = { lessonId: 'obstacle', classId: '7A', teams: [{ name: 'A', kit: 'robot-1', members: ['student-1'] }, { name: 'B', kit: 'robot-2', members: ['student-2'] }] };

function kitEnd(kit: string, purpose: Purpose, durationMs: number, eventId = crypto.randomUUID()): UsageEvent {
  return {
    v: 1, eventId, seq: 1, type: 'session.end', at: 2_000, clock: { synced: true, bootId: 'b', uptimeMs: 1 },
    device: { kit, component: null, type: 'kit' },
    session: { id: crypto.randomUUID(), startedAt: 1_000, endedAt: 1_000 + durationMs, durationMs, purpose, counts: { activations: 1, motorMs: 0, readings: 0 }, faults: 0, endReason: 'retag' },
  } as UsageEvent;
}

describe('club sessions', () => {
  it('tag each team\'s kit on start (again after a restart) and free them at the end', () => {
    const { club, make, tags } = setup();
    const s = club.start(body, 'teacher');
    expect(tags).toEqual([
      [{ kind: 'club-session', lessonId: 'obstacle', classId: '7A', clubSessionId: s.id, teamId: 'team-1', by: 'teacher' }, ['robot-1']],
      [{ kind: 'club-session', lessonId: 'obstacle', classId: '7A', clubSessionId: s.id, teamId: 'team-2', by: 'teacher' }, ['robot-2']],
    ]);
    tags.length = 0;
    const again = make();
    expect(again.current()?.id).toBe(s.id);
    expect(tags.map(([p, k]) => [p.teamId, k])).toEqual([['team-1', ['robot-1']], ['team-2', ['robot-2']]]);
    tags.length = 0;
    again.end(s.id, 'teacher');
    expect(tags).toEqual([[{ kind: 'free-practice' }, ['robot-1', 'robot-2']]]);
    expect(again.current()).toBeUndefined();
    expect(() => again.end(s.id, 'teacher')).toThrow(/has ended/);
  });

  it('keep a lesson flow\'s tag off the session\'s kits', () => {
    const { club } = setup();
    expect(club.outsideSession(['robot-1', 'robot-3'])).toEqual(['robot-1', 'robot-3']);
    club.start(body, 'teacher');
    expect(club.outsideSession(['robot-1', 'robot-2', 'robot-3'])).toEqual(['robot-3']);
  });

  it('give a verdict to the checking student\'s own team only: another team\'s tab is refused, a teacher\'s check counts for none', async () => {
    const { club, editor } = withEditor();
    const owners = editor.owners;
    const s = club.start(body, 'teacher');
    await club.deploy(s.id, 'teacher');
    const tabs = club.current()!.deploys[0]!.tabs;
    const tabOfTeam2 = Object.keys(tabs).find((t) => tabs[t] === 'team-2')!;
    expect(tabKits(editor.deployed).get(tabOfTeam2)).toBe('robot-2');
    owners.set(tabOfTeam2, ['student-2']);
    owners.set('teachers-demo', []);
    const at = 5;
    // Student-1 (team A) claiming team B's tab: refused, in both languages, and nothing recorded.
    expect(() => club.checkTeam('student-1', tabOfTeam2)).toThrow(expect.objectContaining({ code: 'NOT_YOUR_TEAM', status: 403, message: expect.stringContaining("team B's"), extra: { messageVi: expect.stringContaining('của nhóm B') } }));
    expect(club.recordVerdict({ lessonId: 'obstacle', tab: tabOfTeam2, kits: ['robot-2'], by: 'student-1', status: 'pass', message: 'ok', at })).toBeUndefined();
    expect(() => club.checkTeam('student-1', 'teachers-demo')).toThrow(expect.objectContaining({ extra: { messageVi: expect.stringContaining('của thầy cô') } }));
    // Their own team's tab, or a tab not deployed yet (a new one in their editor): their team, whatever kit the flow names.
    expect(club.recordVerdict({ lessonId: 'obstacle', tab: tabOfTeam2, kits: ['robot-1'], by: 'student-2', status: 'pass', message: 'ok', at })?.team).toBe('team-2');
    expect(club.recordVerdict({ lessonId: 'obstacle', tab: 'elsewhere', kits: ['robot-2'], by: 'student-1', status: 'fail', message: 'no', at })?.team).toBe('team-1');
    expect(club.recordVerdict({ lessonId: 'obstacle', tab: undefined, kits: [], by: 'student-2', status: 'fail', message: 'no', at })?.team).toBe('team-2');
    // Without Node-RED's view of the tab, the session's own deploy says whose it is.
    owners.delete(tabOfTeam2);
    expect(() => club.checkTeam('student-1', tabOfTeam2)).toThrow(expect.objectContaining({ code: 'NOT_YOUR_TEAM' }));
    // A teacher, or a student outside the session: answered, recorded for no team.
    expect(club.checkTeam('teacher', tabOfTeam2)).toBeUndefined();
    expect(club.recordVerdict({ lessonId: 'obstacle', tab: tabOfTeam2, kits: ['robot-2'], by: 'teacher', status: 'pass', message: 'x', at })).toBeUndefined();
    expect(club.recordVerdict({ lessonId: 'obstacle', tab: undefined, kits: ['robot-3'], by: 'student-9', status: 'pass', message: 'x', at })).toBeUndefined();
    expect(club.recordVerdict({ lessonId: 'obstacle', tab: undefined, kits: ['robot-1'], by: undefined, status: 'pass', message: 'x', at })).toBeUndefined();
    expect(club.tabOf(club.current()!, 'team-2')).toBe(tabOfTeam2);
    expect(club.current()!.verdicts.map((v) => [v.team, v.by])).toEqual([['team-2', 'student-2'], ['team-1', 'student-1'], ['team-2', 'student-2']]);
  });

  it('give a team\'s tab to all its members: each one\'s check of it counts for the team, another team\'s is refused', async () => {
    const { club, editor } = withEditor();
    const owners = editor.owners;
    const teams = [{ name: 'A', kit: 'robot-1', members: ['student-1', 'student-4', 'student-5'] }, { name: 'B', kit: 'robot-2', members: ['student-2'] }, { name: 'C', kit: 'robot-3', members: [] }];
    const s = club.start({ ...body, teams }, 'teacher');
    await club.deploy(s.id, 'teacher');
    const tabs = club.current()!.deploys[0]!.tabs;
    const tabOf = (team: string) => Object.keys(tabs).find((t) => tabs[t] === team)!;
    const stamp = (tab: string) => (editor.deployed.find((n) => n.id === tab)?.env as Array<{ name: string; value: string }> | undefined)?.filter((e) => e.name === 'STEMLAB_OWNER').map((e) => e.value) ?? [];
    // One owner entry naming every member; a team without members leaves its tab the teacher's.
    expect(stamp(tabOf('team-1'))).toEqual(['student-1,student-4,student-5']);
    expect(stamp(tabOf('team-2'))).toEqual(['student-2']);
    expect(stamp(tabOf('team-3'))).toEqual([]);
    owners.set(tabOf('team-1'), ['student-1', 'student-4', 'student-5']);
    owners.set(tabOf('team-2'), ['student-2']);
    for (const member of ['student-1', 'student-4', 'student-5']) expect(club.checkTeam(member, tabOf('team-1'))?.id).toBe('team-1');
    expect(() => club.checkTeam('student-2', tabOf('team-1'))).toThrow(expect.objectContaining({ code: 'NOT_YOUR_TEAM', message: expect.stringContaining("team A's") }));
    expect(() => club.checkTeam('student-5', tabOf('team-2'))).toThrow(expect.objectContaining({ code: 'NOT_YOUR_TEAM', message: expect.stringContaining("team B's") }));
    expect(club.recordVerdict({ lessonId: 'obstacle', tab: tabOf('team-1'), kits: ['robot-1'], by: 'student-5', status: 'pass', message: 'ok', at: 5 })?.team).toBe('team-1');
  });

  it('list the kits lost during the session in the summary, in the reader\'s words', () => {
    const { club } = setup();
    const s = club.start(body, 'teacher');
    club.recordKitLost('robot-2', 'disconnected', 'unplugged', Date.UTC(2026, 11, 4, 3, 0, 0));
    club.recordKitLost('robot-1', 'fault', 'no Firmata answered', Date.UTC(2026, 11, 4, 3, 5, 0));
    club.recordKitLost('robot-3', 'fault', 'not in the session', 0);
    const summary = sessionSummary(club.end(s.id, 'teacher'));
    expect(summary.teams.map((t) => t.kitLost.length)).toEqual([1, 1]);
    const vi = summaryCsv(summary, 'vi');
    expect(vi).toContain('2026-12-04T03:00:00.000Z đã rút cáp');
    expect(vi).toContain('2026-12-04T03:05:00.000Z lỗi: no Firmata answered');
    expect(summaryCsv(summary, 'en')).toContain('2026-12-04T03:00:00.000Z unplugged');
  });

  it('say Node-RED is off, in both languages, when the editor is not running (no accounts yet)', async () => {
    const { club } = setup(() => Promise.reject(Object.assign(new Error('Node-RED is not running'), { code: 'NODERED_NOT_RUNNING' })));
    const s = club.start(body, 'teacher');
    await expect(club.deploy(s.id, 'teacher')).rejects.toMatchObject({ code: 'NODERED_OFF', status: 409, extra: { messageVi: expect.stringContaining('Node-RED đang tắt') } });
    expect(club.current()!.deploys).toEqual([]);
  });

  it('keep the kit sessions tagged with this session, once each, even when they end after it', () => {
    const { club } = setup();
    const s = club.start(body, 'teacher');
    const ours: Purpose = { kind: 'club-session', clubSessionId: s.id, teamId: 'team-1' };
    const first = kitEnd('robot-1', ours, 60_000);
    club.recordUsage(first);
    club.recordUsage(first);
    club.recordUsage(kitEnd('robot-2', { kind: 'lesson', lessonId: 'obstacle' }, 5_000));
    club.recordUsage({ ...kitEnd('robot-1', ours, 7_000), device: { kit: 'robot-1', component: 'left', type: 'motor' } } as UsageEvent);
    club.end(s.id, 'teacher');
    club.recordUsage(kitEnd('robot-1', ours, 30_000));
    expect(club.get(s.id).usage.map((u) => u.durationMs)).toEqual([60_000, 30_000]);
  });

  it('refuse a lesson not in the curriculum, a member who is not a student account, and a second running session', () => {
    const { club } = setup();
    expect(() => club.start({ ...body, lessonId: 'nope' }, 'teacher')).toThrow(/lessonId/);
    expect(() => club.start({ ...body, teams: [{ name: 'A', kit: 'robot-1', members: ['teacher'] }] }, 'teacher')).toThrow(/not a student account/);
    club.start(body, 'teacher');
    expect(() => club.start(body, 'teacher')).toThrow(/still running/);
    expect(lessonFlows('obstacle', 'starter', ['robot-1', 'robot-2']).filter((n) => n.type === 'tab')).toHaveLength(2);
  });
});
