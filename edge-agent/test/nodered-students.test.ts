import { createHash } from 'node:crypto';
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

// A room of students on one real Node-RED in the agent (issue 14, item 6): what one student may
// do to another's work and to the gateway. Each test here failed before its fix: a deploy raced
// past the guard, a node id taken from another tab, the agent's environment read from a change
// node, another student's inject button pressed, the teacher locked out by a student's guesses.
// One Node-RED per process (src/nodered/red.ts): this file starts it once for every test.

// A variable of the agent's own environment, set before Node-RED starts: flows must not read it.
const SECRET_NAME = 'STEMLAB_TEST_AGENT_SECRET';
const SECRET = 'not-for-students-7f3a';

let dataDir: string;
let accounts: NewAccounts;
let gateway: SimAgent;
let api: HttpApi;
let client: EditorClient;
/** The log-in limits' clock, moved by the tests (ms). */
let clock = 1_000_000;

beforeAll(async () => {
  process.env[SECRET_NAME] = SECRET;
  dataDir = mkdtempSync(join(tmpdir(), 'stemlab-nodered-students-'));
  accounts = await setupEditorAccounts(dataDir, 3);
  gateway = await simAgent({ kits: [robotKit('robot-1')], dataDir, nodered: { lang: 'vi' } });
  api = new HttpApi(gateway.agent, { host: '127.0.0.1', port: 0 });
  await gateway.agent.use(api);
  await gateway.agent.use(new NodeRedExtension(gateway.agent, api, { loginClock: () => clock }));
  client = new EditorClient(api.url, passwordsOf(accounts));
}, 60_000);

const password = (username: string) => passwordsOf(accounts)(username);

afterAll(async () => {
  delete process.env[SECRET_NAME];
  await gateway?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});


/** Node-RED's revision of flows as it stores them: a SHA-256 of their JSON (runtime/lib/storage). */
const revisionOf = (all: FlowNode[]) => createHash('sha256').update(JSON.stringify(all)).digest('hex');

const owned = (username: string) => [{ name: OWNER_ENV, type: 'str', value: username }];
const messageOf = (res: { body: unknown }) => (res.body as { message?: string }).message ?? '';

/** The two students' tabs every test starts from: student-1's "s1", student-2's "s2" with an inject and a debug node. */
beforeAll(async () => {
  const before = await client.flows();
  const s1 = [tab('s1', 'Bài của bạn 1'), comment('c-s1', 's1', 'Bạn 1 làm bài')];
  expect((await client.deploy('student-1', [...before.flows, ...s1], before.rev)).status).toBe(200);
  const middle = await client.flows();
  const s2 = [
    tab('s2', 'Bài của bạn 2'),
    comment('c-s2', 's2', 'Bạn 2 làm bài'),
    { id: 'inj-s2', type: 'inject', z: 's2', name: 'Bấm', props: [{ p: 'payload' }], payload: 'pressed', payloadType: 'str', x: 120, y: 120, wires: [['set-s2']] },
    { id: 'set-s2', type: 'change', z: 's2', rules: [{ t: 'set', p: 'presses', pt: 'flow', to: '($flowContext("presses") ? $flowContext("presses") : 0) + 1', tot: 'jsonata' }], x: 300, y: 120, wires: [['dbg-s2']] },
    { id: 'dbg-s2', type: 'debug', z: 's2', active: true, tosidebar: true, complete: 'false', x: 480, y: 120, wires: [] },
  ];
  expect((await client.deploy('student-2', [...middle.flows, ...s2], middle.rev)).status).toBe(200);
}, 30_000);

describe('a deploy is judged against what is deployed, atomically', () => {
  it("refuses another student's tab however two deploys race (the second carrying the revision the first will make)", async () => {
    for (let round = 0; round < 3; round++) {
      const before = await client.flows();
      // Deploy A changes only student-1's own tab; its flows carry the stamps, so Node-RED
      // stores exactly them and its revision is predictable.
      const own = before.flows.map((n) => (n.id === 'c-s1' ? { ...n, name: `Bạn 1 sửa lần ${round}` } : n));
      const next = revisionOf(own);
      // Deploy B also rewrites student-2's comment, claiming the revision A will leave.
      const hijack = own.map((n) => (n.id === 'c-s2' ? { ...n, name: 'Bạn 1 đã sửa bài của bạn 2' } : n));
      const a = client.deploy('student-1', own, before.rev);
      let settled = false;
      void a.finally(() => (settled = true));
      const bs: Array<ReturnType<EditorClient['deploy']>> = [];
      // B after B while A is in flight: one of them meets the guard between A's check and A
      // landing, which is the window the guard must not leave open.
      while (!settled && bs.length < 300) {
        bs.push(client.deploy('student-1', hijack, next));
        await new Promise((resolve) => setImmediate(resolve));
      }
      expect((await a).status).toBe(200);
      const answers = await Promise.all(bs);
      expect(answers.length).toBeGreaterThan(0);
      expect(answers.map((b) => b.status).filter((s) => s === 200)).toEqual([]);
      // Each B is either stale (409, for the editor's merge) or judged and refused (403).
      for (const b of answers) expect([403, 409]).toContain(b.status);
      expect((await client.flows()).flows.find((n) => n.id === 'c-s2')?.name).toBe('Bạn 2 làm bài');
    }
  });

  it('answers a deploy made from older flows 409 itself, in Vietnamese and English, so the editor offers its merge', async () => {
    const before = await client.flows();
    const stale = await client.deploy('student-1', before.flows, 'not-the-current-revision');
    expect(stale.status).toBe(409);
    expect(messageOf(stale)).toMatch(/gộp \(merge\).*\/ The flows were deployed by someone else/);
  });
});

describe('node ids', () => {
  it("refuses a node whose id is taken on another student's tab (the single-flow API would keep both)", async () => {
    const taken = { ...comment('c-s2', 's1', 'Của bạn 1 bây giờ') };
    const put = await client.admin('student-1', 'PUT', '/flow/s1', { id: 's1', label: 'Bài của bạn 1', nodes: [comment('c-s1', 's1', 'Bạn 1 làm bài'), taken] });
    expect(put.status).toBe(400);
    expect(put.body).toMatchObject({ code: 'FLOW_INVALID' });
    expect(messageOf(put)).toContain(`Mã (id) 'c-s2' đã có ở luồng "Bài của bạn 2" của student-2`);
    expect(messageOf(put)).toContain(`The id 'c-s2' is already used in student-2's flow "Bài của bạn 2"`);
    const added = await client.admin('student-1', 'POST', '/flow', { label: 'Bài mới', nodes: [{ ...taken, z: undefined }] });
    expect(added.status).toBe(400);
    expect(messageOf(added)).toContain("'c-s2'");
    // A tab cannot come in as a node of another either.
    const tabInside = await client.admin('student-1', 'PUT', '/flow/s1', { id: 's1', label: 'Bài của bạn 1', nodes: [tab('s2', 'Của bạn 1 bây giờ')] });
    expect(tabInside.status).toBe(400);
    const after = await client.flows();
    expect(after.flows.filter((n) => n.id === 'c-s2')).toHaveLength(1);
    expect(after.flows.filter((n) => n.id === 's2')).toHaveLength(1);
    // The student's own ids may come again; and student-2 can still deploy.
    expect((await client.admin('student-1', 'PUT', '/flow/s1', { id: 's1', label: 'Bài của bạn 1', nodes: [comment('c-s1', 's1', 'Bạn 1 làm bài')] })).status).toBe(200);
    const now = await client.flows();
    expect((await client.deploy('student-2', now.flows, now.rev)).status).toBe(200);
  });
});

describe('wires between tabs', () => {
  const inject = (id: string, z: string, to: string) => ({ id, type: 'inject', z, props: [{ p: 'payload' }], payload: 'x', payloadType: 'str', x: 100, y: 200, wires: [[to]] });

  it("refuses a student's node wired, or linked, to a node on another student's tab (Node-RED would deliver it there)", async () => {
    const before = await client.flows();
    const wired = await client.deploy('student-1', [...before.flows, inject('s1-wired', 's1', 'set-s2')], before.rev);
    expect(wired.status).toBe(403);
    expect(wired.body).toMatchObject({ code: 'NOT_YOUR_FLOW' });
    expect(messageOf(wired)).toContain(`dây nối từ`);
    expect(messageOf(wired)).toContain(`the wire from "inject s1-wired" to "change set-s2" in student-2's flow "Bài của bạn 2"`);
    const linked = await client.deploy('student-1', [...before.flows, { id: 's1-link', type: 'link out', z: 's1', mode: 'link', links: ['set-s2'], x: 100, y: 260, wires: [] }], before.rev);
    expect(linked.status).toBe(403);
    const byName = await client.deploy('student-1', [...before.flows, { id: 's1-call', type: 'link call', z: 's1', linkType: 'dynamic', links: [], x: 100, y: 300, wires: [[]] }], before.rev);
    expect(byName.status).toBe(403);
    expect(messageOf(byName)).toContain('picks its target by name');
    // The single-flow API too.
    const put = await client.admin('student-1', 'PUT', '/flow/s1', { id: 's1', label: 'Bài của bạn 1', nodes: [comment('c-s1', 's1', 'Bạn 1 làm bài'), inject('s1-wired', 's1', 'set-s2')] });
    expect(put.status).toBe(403);
    const added = await client.admin('student-1', 'POST', '/flow', { label: 'Bài mới', nodes: [inject('s1-new', 'x', 'set-s2')] });
    expect(added.status).toBe(403);
    expect((await client.flows()).rev).toBe(before.rev);
    // Wires inside one's own tabs are the lesson itself.
    const own = await client.deploy('student-1', [...before.flows, inject('s1-own', 's1', 'c-s1')], before.rev);
    expect(own.status).toBe(200);
  });
});

describe("the agent's environment", () => {
  it('is not readable from a flow: not by $env() in JSONata, an env-typed input, ${NAME}, or a tab env entry of type env', async () => {
    const before = await client.flows();
    const set = (key: string, to: string, tot: string) => ({ t: 'set', p: key, pt: 'flow', to, tot });
    const reader = [
      tab('env-s3', 'Đọc biến môi trường', { env: [...owned('student-3'), { name: 'LESSON', type: 'str', value: 'robot' }, { name: 'FROM_AGENT', type: 'env', value: SECRET_NAME }] }),
      { id: 'env-inj', type: 'inject', z: 'env-s3', props: [{ p: 'payload' }], payload: SECRET_NAME, payloadType: 'env', once: true, onceDelay: 0.1, x: 100, y: 100, wires: [['env-set']] },
      {
        id: 'env-set',
        type: 'change',
        z: 'env-s3',
        rules: [
          set('viaInject', 'payload', 'msg'),
          set('viaJsonata', `$env('${SECRET_NAME}')`, 'jsonata'),
          set('viaEnvType', SECRET_NAME, 'env'),
          set('viaSubstitution', `\${${SECRET_NAME}}`, 'str'),
          set('viaTabEnv', `$env('FROM_AGENT')`, 'jsonata'),
          set('lesson', `$env('LESSON')`, 'jsonata'),
          set('flowName', `$env('NR_FLOW_NAME')`, 'jsonata'),
        ],
        x: 300,
        y: 100,
        wires: [[]],
      },
    ];
    expect((await client.deploy('student-3', [...before.flows, ...reader], before.rev)).status).toBe(200);
    const context = async () => {
      const res = await client.admin('teacher', 'GET', '/context/flow/env-s3');
      return ((res.body as { memory?: Record<string, { msg: string }> })?.memory ?? {}) as Record<string, { msg: string }>;
    };
    await expect.poll(async () => Object.keys(await context()).length, { timeout: 5000 }).toBe(7);
    const read = await context();
    // The tab's own env and Node-RED's names still work: a lesson may use them.
    expect(read.lesson?.msg).toBe('robot');
    expect(read.flowName?.msg).toBe('Đọc biến môi trường');
    for (const key of ['viaInject', 'viaJsonata', 'viaEnvType', 'viaSubstitution', 'viaTabEnv']) {
      expect(read[key]?.msg ?? '', key).not.toContain(SECRET);
    }
  });
});

describe("other students' nodes", () => {
  it("refuses a student pressing another's inject button or switching another's debug node (403, Vietnamese and English); the owner and the teacher may", async () => {
    const pressed = await client.admin('student-1', 'POST', '/inject/inj-s2');
    expect(pressed.status).toBe(403);
    expect(pressed.body).toMatchObject({ code: 'NOT_YOUR_FLOW' });
    expect(messageOf(pressed)).toContain('Em chỉ được bấm nút inject');
    expect(messageOf(pressed)).toContain(`student-2's flow "Bài của bạn 2"`);
    expect((await client.admin('student-1', 'POST', '/debug/dbg-s2/disable')).status).toBe(403);
    expect((await client.admin('student-1', 'POST', '/debug/disable', { nodes: ['dbg-s2'] })).status).toBe(403);
    expect((await client.admin('student-1', 'POST', '/inject/no-such-node')).status).toBe(403);

    const presses = async () => {
      const res = await client.admin('teacher', 'GET', '/context/flow/s2');
      return (res.body as { memory?: { presses?: { msg: string } } })?.memory?.presses?.msg;
    };
    expect(await presses()).toBeUndefined();
    expect((await client.admin('student-2', 'POST', '/inject/inj-s2')).status).toBe(200);
    await expect.poll(presses).toBe('1');
    expect((await client.admin('teacher', 'POST', '/inject/inj-s2')).status).toBe(200);
    await expect.poll(presses).toBe('2');
    expect((await client.admin('student-2', 'POST', '/debug/dbg-s2/disable')).status).toBe(201);
    expect((await client.admin('teacher', 'POST', '/debug/enable', { nodes: ['dbg-s2'] })).status).toBe(200);
  });
});

describe('log-in limits', () => {
  // Each computer of the room is a loopback address; 127.0.0.1 is the teacher's.
  const teacherPc = '127.0.0.1';

  it("six wrong passwords for the teacher from a student's computer lock only that computer out of that account", async () => {
    const studentPc = '127.0.0.21';
    for (let i = 0; i < 5; i++) expect((await client.login('teacher', `wrong-${i}`, studentPc)).status).toBe(403);
    const sixth = await client.login('teacher', 'wrong-6', studentPc);
    expect(sixth.status).toBe(429);
    expect(sixth.headers['retry-after']).toBe('600');
    expect(messageOf(sixth)).toMatch(/chờ 10 phút.*\/ Too many log-in attempts from this computer: wait 10 min/);
    // Even the right password is refused from there: guessing stays bounded.
    expect((await client.login('teacher', password('teacher'), studentPc)).status).toBe(429);
    // The teacher, at their own computer, logs in; the student still logs in as themself.
    expect((await client.login('teacher', password('teacher'), teacherPc)).status).toBe(200);
    expect((await client.login('student-1', password('student-1'), studentPc)).status).toBe(200);
    // Ten minutes later that computer may try again.
    clock += 10 * 60_000;
    expect((await client.login('teacher', password('teacher'), studentPc)).status).toBe(200);
  });

  it('bounds one computer guessing across accounts, and counts parallel guesses before checking them', async () => {
    const guesser = '127.0.0.22';
    const names = Array.from({ length: 30 }, (_, i) => `student-${(i % 3) + 1}x${i}`);
    const answers = await Promise.all(names.map((name) => client.login(name, 'guess', guesser)));
    expect(answers.filter((a) => a.status === 403)).toHaveLength(20);
    expect(answers.filter((a) => a.status === 429)).toHaveLength(10);
    expect((await client.login('student-2', password('student-2'), guesser)).status).toBe(429);
    expect((await client.login('student-2', password('student-2'), '127.0.0.23')).status).toBe(200);
    clock += 10 * 60_000;
    expect((await client.login('student-2', password('student-2'), guesser)).status).toBe(200);
  });
});
