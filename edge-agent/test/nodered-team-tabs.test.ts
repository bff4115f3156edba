import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpApi } from '../src/api/http.ts';
import { setupEditorAccounts, type NewAccounts } from '../src/nodered/accounts.ts';
import { NodeRedExtension } from '../src/nodered/nodered-extension.ts';
import { OWNER_ENV } from '../src/nodered/policy.ts';
import type { FlowNode } from '../src/nodered/red.ts';
import { EditorClient, passwordsOf } from './helpers/editor-client.ts';
import { comment, tab } from './helpers/flow-nodes.ts';
import { robotKit, simAgent, type SimAgent } from './helpers/sim-agent.ts';

// A club team's tab on one real Node-RED in the agent: the teacher's lesson deploy gives it to
// every member of the team (2–4 students share a robot), so each of them may change, deploy it
// and press its buttons; a student of another team is refused as before, and no student changes
// who owns a tab. Team A is student-1 and student-2, team B student-3 and student-4; student-5
// works alone on a tab of their own (one owner, as every tab was before team tabs).
// One Node-RED per process (src/nodered/red.ts): this file starts it once for every test.

let dataDir: string;
let accounts: NewAccounts;
let gateway: SimAgent;
let nodered: NodeRedExtension;
let client: EditorClient;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'stemlab-nodered-teams-'));
  accounts = await setupEditorAccounts(dataDir, 5);
  gateway = await simAgent({ kits: [robotKit('robot-1')], dataDir, nodered: { lang: 'vi' } });
  const api = new HttpApi(gateway.agent, { host: '127.0.0.1', port: 0 });
  await gateway.agent.use(api);
  nodered = new NodeRedExtension(gateway.agent, api);
  await gateway.agent.use(nodered);
  client = new EditorClient(api.url, passwordsOf(accounts));
}, 60_000);

afterAll(async () => {
  await gateway?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});


const inject = (id: string, z: string, to: string[]): FlowNode => ({ id, type: 'inject', z, props: [{ p: 'payload' }], payload: 'x', payloadType: 'str', x: 100, y: 200, wires: [to] });
const stamp = (value: string) => [{ name: OWNER_ENV, type: 'str', value }];
const messageOf = (res: { body: unknown }) => (res.body as { message?: string }).message ?? '';
/** What a tab's env says of its owners, entry by entry. */
const ownerEntries = (all: FlowNode[], id: string) => ((all.find((n) => n.id === id)?.env as Array<{ name: string; value: string }> | undefined) ?? []).filter((e) => e.name === OWNER_ENV).map((e) => e.value);
/** `all` with node `id` changed by `patch`. */
const edit = (all: FlowNode[], id: string, patch: Partial<FlowNode>) => all.map((n) => (n.id === id ? { ...n, ...patch } : n));
const nodesOf = (all: FlowNode[], z: string) => all.filter((n) => n.z === z);

/** A team's lesson tab: a comment and a button counting its presses. */
function teamTab(id: string, label: string): FlowNode[] {
  return [
    tab(id, label),
    comment(`c-${id}`, id, 'Bài của nhóm'),
    { id: `inj-${id}`, type: 'inject', z: id, name: 'Bấm', props: [{ p: 'payload' }], payload: 'pressed', payloadType: 'str', x: 120, y: 120, wires: [[`set-${id}`]] },
    { id: `set-${id}`, type: 'change', z: id, rules: [{ t: 'set', p: 'presses', pt: 'flow', to: '($flowContext("presses") ? $flowContext("presses") : 0) + 1', tot: 'jsonata' }], x: 300, y: 120, wires: [[`dbg-${id}`]] },
    { id: `dbg-${id}`, type: 'debug', z: id, active: true, tosidebar: true, complete: 'false', x: 480, y: 120, wires: [] },
  ];
}

beforeAll(async () => {
  // The teacher's lesson deploy gives each team's tab to all its members, as a club session does.
  await nodered.deployLesson(teamTab('team-a', 'Đội Sao'), { mode: 'replace-tab', owner: ['student-1', 'student-2'] });
  await nodered.deployLesson(teamTab('team-b', 'Đội Trăng'), { mode: 'replace-tab', owner: ['student-3', 'student-4'] });
  const before = await client.flows();
  expect((await client.deploy('student-5', [...before.flows, tab('solo', 'Bài của bạn 5'), comment('c-solo', 'solo', 'Bạn 5 làm bài')], before.rev)).status).toBe(200);
  const after = await client.flows();
  expect(ownerEntries(after.flows, 'team-a')).toEqual(['student-1,student-2']);
  expect(ownerEntries(after.flows, 'solo')).toEqual(['student-5']);
}, 30_000);

describe("a team's tab", () => {
  it('every member deploys it (whole workspace and single flow), each from the flows the other left; a stale deploy is still 409', async () => {
    const first = await client.flows();
    // student-1's editor has not reloaded since the lesson deploy: no stamp on the tab. The owners stay.
    const unstamped = edit(edit(first.flows, 'team-a', { env: [] }), 'c-team-a', { name: 'Bạn 1 sửa' });
    expect((await client.deploy('student-1', unstamped, first.rev)).status).toBe(200);
    const second = await client.flows();
    expect(second.flows.find((n) => n.id === 'c-team-a')?.name).toBe('Bạn 1 sửa');
    expect(ownerEntries(second.flows, 'team-a')).toEqual(['student-1,student-2']);

    // student-2, from an editor that has not merged student-1's deploy: refused 409 for the merge.
    const stale = await client.deploy('student-2', edit(first.flows, 'c-team-a', { name: 'Bạn 2 sửa' }), first.rev);
    expect(stale.status).toBe(409);
    expect(stale.body).toMatchObject({ code: 'DEPLOY_STALE' });
    // After the merge, student-2 deploys the same tab, stamp and all.
    expect((await client.deploy('student-2', edit(second.flows, 'c-team-a', { name: 'Bạn 2 sửa' }), second.rev)).status).toBe(200);
    const third = await client.flows();
    expect(third.flows.find((n) => n.id === 'c-team-a')?.name).toBe('Bạn 2 sửa');
    expect(ownerEntries(third.flows, 'team-a')).toEqual(['student-1,student-2']);

    // The single-flow API: either member replaces the tab's nodes; the owners are kept.
    const nodes = edit(nodesOf(third.flows, 'team-a'), 'c-team-a', { name: 'Bạn 1 sửa lần nữa' });
    expect((await client.admin('student-1', 'PUT', '/flow/team-a', { id: 'team-a', label: 'Đội Sao', nodes })).status).toBe(200);
    expect((await client.admin('student-2', 'PUT', '/flow/team-a', { id: 'team-a', label: 'Đội Sao', nodes, env: stamp('student-2,student-1') })).status).toBe(200);
    const fourth = await client.flows();
    expect(ownerEntries(fourth.flows, 'team-a')).toEqual(['student-1,student-2']);
    expect(fourth.flows.find((n) => n.id === 'c-team-a')?.name).toBe('Bạn 1 sửa lần nữa');
  });

  it("every member presses its buttons and switches its debug node", async () => {
    const presses = async () => {
      const res = await client.admin('teacher', 'GET', '/context/flow/team-a');
      return (res.body as { memory?: { presses?: { msg: string } } })?.memory?.presses?.msg;
    };
    const before = Number((await presses()) ?? 0);
    // Node-RED answers a deploy before the tab runs again: until then its inject is not found (404).
    await expect.poll(async () => (await client.admin('student-1', 'POST', '/inject/inj-team-a')).status).toBe(200);
    await expect.poll(presses).toBe(String(before + 1));
    expect((await client.admin('student-2', 'POST', '/inject/inj-team-a')).status).toBe(200);
    await expect.poll(presses).toBe(String(before + 2));
    expect((await client.admin('student-2', 'POST', '/debug/dbg-team-a/disable')).status).toBe(201);
    expect((await client.admin('student-1', 'POST', '/debug/enable', { nodes: ['dbg-team-a'] })).status).toBe(200);
  });

  it("is refused to a student of another team, and to one working alone, as before (403 NOT_YOUR_FLOW, Vietnamese and English)", async () => {
    const before = await client.flows();
    for (const outsider of ['student-3', 'student-5']) {
      const changed = await client.deploy(outsider, edit(before.flows, 'c-team-a', { name: `${outsider} sửa` }), before.rev);
      expect(changed.status).toBe(403);
      expect(changed.body).toMatchObject({ code: 'NOT_YOUR_FLOW' });
      expect(messageOf(changed)).toContain('luồng "Đội Sao" của student-1, student-2');
      expect(messageOf(changed)).toContain('the flow "Đội Sao" of student-1, student-2');
      const deleted = await client.deploy(outsider, before.flows.filter((n) => n.id !== 'team-a' && n.z !== 'team-a'), before.rev);
      expect(deleted.status).toBe(403);
      expect((await client.admin(outsider, 'PUT', '/flow/team-a', { id: 'team-a', label: 'Đội Sao', nodes: nodesOf(before.flows, 'team-a') })).status).toBe(403);
      expect((await client.admin(outsider, 'DELETE', '/flow/team-a')).status).toBe(403);
      const pressed = await client.admin(outsider, 'POST', '/inject/inj-team-a');
      expect(pressed.status).toBe(403);
      expect(messageOf(pressed)).toContain('the flow "Đội Sao" of student-1, student-2');
      expect((await client.admin(outsider, 'POST', '/debug/dbg-team-a/disable')).status).toBe(403);
      expect((await client.admin(outsider, 'POST', '/debug/disable', { nodes: ['dbg-team-a'] })).status).toBe(403);
    }
    // And team A's members are outsiders to team B's tab and to student-5's.
    expect((await client.deploy('student-2', edit(before.flows, 'c-team-b', { name: 'Bạn 2 sửa' }), before.rev)).status).toBe(403);
    expect((await client.deploy('student-1', edit(before.flows, 'c-solo', { name: 'Bạn 1 sửa' }), before.rev)).status).toBe(403);
    expect((await client.admin('student-1', 'POST', '/inject/inj-team-b')).status).toBe(403);
    expect((await client.flows()).rev).toBe(before.rev);
  });
});

describe("who owns a tab is the teacher's to change", () => {
  it('refuses a student adding themselves or others to a tab, dropping a member, or giving a new tab to two', async () => {
    const before = await client.flows();
    const attempts: Array<[string, FlowNode[]]> = [
      // A member adds a classmate, with a change or without one.
      ['student-1', edit(edit(before.flows, 'team-a', { env: stamp('student-1,student-2,student-5') }), 'c-team-a', { name: 'Thêm bạn 5' })],
      ['student-1', edit(before.flows, 'team-a', { env: stamp('student-1,student-2,student-5') })],
      // A second owner entry is read too.
      ['student-2', edit(before.flows, 'team-a', { env: [...stamp('student-1,student-2'), ...stamp('student-5')] })],
      // A member drops the other.
      ['student-1', edit(before.flows, 'team-a', { env: stamp('student-1') })],
      // An outsider adds themselves.
      ['student-5', edit(before.flows, 'team-a', { env: stamp('student-1,student-2,student-5') })],
      ['student-5', edit(before.flows, 'solo', { env: stamp('student-5,student-1') })],
      // A new tab for two.
      ['student-5', [...before.flows, tab('pair', 'Hai bạn', { env: stamp('student-5,student-1') }), comment('c-pair', 'pair', 'x')]],
    ];
    for (const [who, all] of attempts) {
      const res = await client.deploy(who, all, before.rev);
      expect(res.status, `${who}: ${messageOf(res)}`).toBe(403);
      expect(res.body).toMatchObject({ code: 'NOT_YOUR_FLOW' });
    }
    const widened = await client.deploy('student-1', attempts[1]![1], before.rev);
    expect(messageOf(widened)).toContain('the owners of the flow "Đội Sao" (student-1, student-2 → student-1, student-2, student-5; only the teacher changes them)');
    expect(messageOf(widened)).toContain('chỉ thầy cô được đổi');
    // The single-flow API too.
    const nodes = nodesOf(before.flows, 'team-a');
    expect((await client.admin('student-2', 'PUT', '/flow/team-a', { id: 'team-a', label: 'Đội Sao', nodes, env: stamp('student-2,student-5') })).status).toBe(403);
    const added = await client.admin('student-5', 'POST', '/flow', { label: 'Hai bạn', env: stamp('student-5,student-1'), nodes: [comment('c-new', 'x', 'x')] });
    expect(added.status).toBe(403);
    expect(messageOf(added)).toContain('marked as student-5, student-1');
    expect((await client.flows()).rev).toBe(before.rev);

    // The teacher may: student-5 joins team A, and may then press its button; then leaves it again.
    expect((await client.deploy('teacher', edit(before.flows, 'team-a', { env: stamp('student-1,student-2,student-5') }), before.rev)).status).toBe(200);
    await expect.poll(async () => (await client.admin('student-5', 'POST', '/inject/inj-team-a')).status).toBe(200);
    const joined = await client.flows();
    expect((await client.deploy('teacher', edit(joined.flows, 'team-a', { env: stamp('student-1,student-2') }), joined.rev)).status).toBe(200);
    await expect.poll(async () => (await client.admin('student-5', 'POST', '/inject/inj-team-a')).status).toBe(403);
  });
});

describe("wires to and from a team's tab", () => {
  it("a member's own tab may send to the team's tab; the team's tab only to tabs every member owns", async () => {
    const before = await client.flows();
    // student-1's own tab, its button wired to the team's counter: student-1 owns both.
    const own = [tab('own-1', 'Bài riêng của bạn 1'), comment('c-own-1', 'own-1', 'x'), inject('inj-own-1', 'own-1', ['set-team-a'])];
    expect((await client.deploy('student-1', [...before.flows, ...own], before.rev)).status).toBe(200);
    const withOwn = await client.flows();
    expect(ownerEntries(withOwn.flows, 'own-1')).toEqual(['student-1']);

    // The team's tab wired to student-1's own tab: student-2 could press it and drive student-1's tab.
    const out = await client.deploy('student-1', [...withOwn.flows, inject('inj-a-out', 'team-a', ['c-own-1'])], withOwn.rev);
    expect(out.status).toBe(403);
    expect(messageOf(out)).toContain(`in student-1's flow "Bài riêng của bạn 1"`);
    // Another team's, or a lone student's tab, wired into team A's: refused as before.
    expect((await client.deploy('student-3', [...withOwn.flows, inject('inj-b-in', 'team-b', ['set-team-a'])], withOwn.rev)).status).toBe(403);
    expect((await client.deploy('student-5', [...withOwn.flows, inject('inj-solo-in', 'solo', ['set-team-a'])], withOwn.rev)).status).toBe(403);

    // Links from student-1's tab into the team's: the link in on the team's tab lists its sender.
    const linked = [
      ...withOwn.flows,
      { id: 'lout-own-1', type: 'link out', z: 'own-1', mode: 'link', links: ['lin-team-a'], x: 300, y: 260, wires: [] },
      { id: 'lin-team-a', type: 'link in', z: 'team-a', links: ['lout-own-1'], x: 100, y: 260, wires: [['set-team-a']] },
    ];
    expect((await client.deploy('student-1', linked, withOwn.rev)).status).toBe(200);
    // student-2 changes the team's tab with that link in on it: their deploy is not held up by it.
    const withLink = await client.flows();
    expect((await client.deploy('student-2', edit(withLink.flows, 'c-team-a', { name: 'Bạn 2 sau khi nối' }), withLink.rev)).status).toBe(200);
    const now = await client.flows();
    // Team B's tab may not receive from student-1's tab, nor a link out on team A's tab send to student-1's.
    expect((await client.deploy('student-3', [...now.flows, { id: 'lin-team-b', type: 'link in', z: 'team-b', links: ['lout-own-1'], x: 100, y: 300, wires: [] }], now.rev)).status).toBe(403);
    const back = [...now.flows, { id: 'lout-team-a', type: 'link out', z: 'team-a', mode: 'link', links: ['lin-own-1'] }, { id: 'lin-own-1', type: 'link in', z: 'own-1', links: ['lout-team-a'], wires: [] }];
    expect((await client.deploy('student-1', back, now.rev)).status).toBe(403);
    expect((await client.flows()).rev).toBe(now.rev);
  });
});
