/**
 * Whose verdict a check from the editor's sidebar is, on a real gateway with the agent's real
 * Node-RED (`POST /stemlab/check`, the plugin in flows/plugins/stemlab-check.js): the verdict
 * counts only for the team of the logged-in editor user who ran the check. A student of team B
 * who posts a passing flow claiming team A's tab is refused (403, in their language) and team
 * A's verdict is unchanged; a student's check of their own team's tab is recorded for their
 * team, whichever member runs it; a teacher's check is answered but recorded for no team.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { composeGateway, type ComposedGateway } from '@stemlab/compose';
import { createLogger, loadConfig, setupEditorAccounts } from '../../src/index.ts';
import { lessonFlows } from '../../src/nodered/lessons.ts';
import type { NewAccounts } from '../../src/nodered/accounts.ts';

const LESSON = 'square';
type FlowNode = { id: string; type: string; z?: string; kit?: string };

let dir: string;
let accounts: NewAccounts;
let gateway: ComposedGateway;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'stemlab-club-check-'));
  accounts = await setupEditorAccounts(dir, 3);
  const example = await loadConfig(join(import.meta.dirname, '../../examples/robot-club.yaml'));
  const kits = example.kits.filter((k) => k.id === 'robot-1' || k.id === 'robot-2');
  gateway = await composeGateway({ ...example, kits, dataDir: dir, mqtt: { ...example.mqtt, enabled: false } }, { log: createLogger('silent'), port: 0 });
  await gateway.agent.waitForKits('connected', 20_000);
}, 60_000);

afterAll(async () => {
  await gateway?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** The editor's check sidebar as a logged-in account calls it (the editor's bearer token). */
async function checker(username: string, password: string) {
  const res = await fetch(`${gateway.api.url}/auth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ client_id: 'node-red-editor', grant_type: 'password', scope: '', username, password }),
  });
  const { access_token: token } = (await res.json()) as { access_token: string };
  return async (body: unknown) => {
    const reply = await fetch(`${gateway.api.url}/stemlab/check`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: reply.status, body: (await reply.json()) as { status?: string; code?: string; error?: string } };
  };
}

/** The lesson's solution for `kit`, moved onto tab `tab` (as a student would paste it there). */
function solutionOn(tab: string, kit: string): FlowNode[] {
  const flows = lessonFlows(LESSON, 'solution', kit) as FlowNode[];
  const own = flows.find((n) => n.type === 'tab')!.id;
  return flows.map((n) => (n.id === own ? { ...n, id: tab } : n.z === own ? { ...n, z: tab } : n));
}

describe('a check from the editor counts for the team of the user who ran it', () => {
  let tabA: string;
  let tabB: string;

  it('sets up: a session with two teams, the starter deployed (a tab each)', async () => {
    expect(gateway.nodered?.state).toBe('running');
    const session = gateway.club.start(
      {
        lessonId: LESSON,
        classId: '8B',
        teams: [
          { name: 'Đội Sao', kit: 'robot-1', members: ['student-1', 'student-2'] },
          { name: 'Đội Trăng', kit: 'robot-2', members: ['student-3'] },
        ],
      },
      'teacher',
    );
    const { tabs } = (await gateway.club.deploy(session.id, 'teacher')).deploys[0]!;
    tabA = Object.keys(tabs).find((t) => tabs[t] === 'team-1')!;
    tabB = Object.keys(tabs).find((t) => tabs[t] === 'team-2')!;
    expect(tabA && tabB).toBeTruthy();
  }, 60_000);

  it('a student of team B posting a passing flow that claims team A\'s tab is refused; team A\'s verdict is unchanged', async () => {
    const student3 = await checker('student-3', accounts.students[2]!.password);
    const vi = await student3({ lesson: LESSON, flow: solutionOn(tabA, 'robot-1'), lang: 'vi' });
    expect(vi.status).toBe(403);
    expect(vi.body.code).toBe('NOT_YOUR_TEAM');
    expect(vi.body.error).toContain('Đội Sao');
    expect(vi.body.error).toContain('nhóm em');
    const en = await student3({ lesson: LESSON, flow: solutionOn(tabA, 'robot-2'), lang: 'en' });
    expect(en.status).toBe(403);
    expect(en.body.error).toContain("your own team's flow");
    expect(gateway.club.current()!.verdicts).toEqual([]);
  }, 120_000);

  it('the same passing flow on team B\'s own tab counts for team B only', async () => {
    const student3 = await checker('student-3', accounts.students[2]!.password);
    const mine = await student3({ lesson: LESSON, flow: solutionOn(tabB, 'robot-2'), lang: 'vi' });
    expect(mine.status).toBe(200);
    expect(mine.body.status).toBe('pass');
    // A flow naming team A's kit is still team B's work: it counts for team B.
    const kitA = await student3({ lesson: LESSON, flow: solutionOn(tabB, 'robot-1'), lang: 'vi' });
    expect(kitA.status).toBe(200);
    expect(gateway.club.current()!.verdicts.map((v) => [v.team, v.status, v.by, v.tab])).toEqual([
      ['team-2', 'pass', 'student-3', tabB],
      ['team-2', kitA.body.status, 'student-3', tabB],
    ]);
  }, 120_000);

  it('each member of team A checks team A\'s tab (the whole team owns it): it counts for team A', async () => {
    for (const [index, member] of [[0, 'student-1'], [1, 'student-2']] as const) {
      const check = await checker(member, accounts.students[index]!.password);
      const reply = await check({ lesson: LESSON, flow: solutionOn(tabA, 'robot-1'), lang: 'vi' });
      expect(reply.status).toBe(200);
      expect(reply.body.status).toBe('pass');
    }
    expect(gateway.club.current()!.verdicts.filter((v) => v.team === 'team-1').map((v) => [v.by, v.status, v.tab])).toEqual([
      ['student-1', 'pass', tabA],
      ['student-2', 'pass', tabA],
    ]);
  }, 240_000);

  it('a teacher\'s check of team A\'s tab is answered but recorded for no team', async () => {
    const teacher = await checker('teacher', accounts.teacher.password);
    const reply = await teacher({ lesson: LESSON, flow: solutionOn(tabA, 'robot-1'), lang: 'vi' });
    expect(reply.status).toBe(200);
    expect(reply.body.status).toBe('pass');
    expect(gateway.club.current()!.verdicts.filter((v) => v.by === 'teacher')).toEqual([]);
  }, 120_000);
});
