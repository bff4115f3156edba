import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertAvailable, shouldRun, type Requirement } from '../../testing/requirements.ts';
import { within } from '../../testing/within.ts';
import { HttpApi } from '../src/api/http.ts';
import { accountsFile, setupEditorAccounts, type NewAccounts } from '../src/nodered/accounts.ts';
import { NodeRedError } from '../src/nodered/errors.ts';
import { checkStudentDeploy } from '../src/nodered/ownership.ts';
import { NodeRedExtension } from '../src/nodered/nodered-extension.ts';
import { OWNER_ENV } from '../src/nodered/policy.ts';
import type { FlowNode } from '../src/nodered/red.ts';
import { robotKit, simAgent, type SimAgent } from './helpers/sim-agent.ts';
import { passwordsOf } from './helpers/editor-client.ts';
import { comment, tab } from './helpers/flow-nodes.ts';

// A real Node-RED 4.1 in an agent on a simulated robot, on the agent's own HTTP server: the
// classroom's log-in, the students' and the teacher's rights, the palette fit for students,
// the lesson deploy API, a lesson flow driving the robot, and the editor in headless Chromium.
//
// Node-RED is one per process and cannot start twice in one (src/nodered/red.ts), so this
// file starts it once, for every test; vitest runs each test file in its own process.

const require = createRequire(import.meta.url);
// The lesson catalogue of the palette package (flows/index.js, CommonJS).
const lessons = require('../../flows/index.js') as {
  catalogue: { lessons: Array<{ id: string }> };
  lesson(id: string): { starter: FlowNode[]; solution: FlowNode[] };
};

let dataDir: string;
let accounts: NewAccounts;
let gateway: SimAgent;
let api: HttpApi;
let nodered: NodeRedExtension;
let base: string;
const tokens = new Map<string, string>();

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'stemlab-nodered-'));
  accounts = await setupEditorAccounts(dataDir, 2);
  gateway = await simAgent({ kits: [robotKit('robot-1')], dataDir, nodered: { lang: 'vi' } });
  api = new HttpApi(gateway.agent, { host: '127.0.0.1', port: 0 });
  nodered = new NodeRedExtension(gateway.agent, api);
  await gateway.agent.use(api);
  await gateway.agent.use(nodered);
  base = api.url;
}, 60_000);

afterAll(async () => {
  await gateway?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

// ---------------------------------------------------------------------------------------------
// Helpers: Node-RED's admin API as the editor and teachers' tools call it
// ---------------------------------------------------------------------------------------------

const password = (username: string) => passwordsOf(accounts)(username);

async function login(username: string, pass = password(username)): Promise<Response> {
  return fetch(`${base}/auth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    // scope '' asks for the account's own rights, as the editor's log-in dialog does.
    body: JSON.stringify({ client_id: 'node-red-editor', grant_type: 'password', scope: '', username, password: pass }),
  });
}

async function token(username: string): Promise<string> {
  let value = tokens.get(username);
  if (!value) {
    const res = await login(username);
    expect(res.status).toBe(200);
    value = ((await res.json()) as { access_token: string }).access_token;
    tokens.set(username, value);
  }
  return value;
}

async function admin(username: string | undefined, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: {
      accept: 'application/json',
      'Node-RED-API-Version': 'v2',
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(username ? { authorization: `Bearer ${await token(username)}` } : {}),
      ...headers,
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, body: parsed };
}

async function flows(): Promise<{ flows: FlowNode[]; rev: string }> {
  const res = await admin('teacher', 'GET', '/flows');
  expect(res.status).toBe(200);
  return res.body as { flows: FlowNode[]; rev: string };
}

/** Deploy as the editor does: the whole workspace, with the revision it was made from. */
async function deploy(username: string, all: FlowNode[], rev?: string, type = 'full') {
  return admin(username, 'POST', '/flows', { flows: all, ...(rev ? { rev } : {}) }, { 'Node-RED-Deployment-Type': type });
}


const ownerOf = (node: FlowNode | undefined) => (node?.env as Array<{ name: string; value: string }> | undefined)?.find((e) => e.name === OWNER_ENV)?.value;

// ---------------------------------------------------------------------------------------------

describe('the editor in a classroom', () => {
  it('requires a log-in: the admin API refuses a request without a token', async () => {
    expect((await admin(undefined, 'GET', '/flows')).status).toBe(401);
    expect((await admin(undefined, 'GET', '/settings')).status).toBe(401);
    expect((await admin(undefined, 'POST', '/flows', { flows: [] })).status).toBe(401);
    // The login scheme the editor's log-in dialog reads: user name and password.
    const scheme = await admin(undefined, 'GET', '/auth/login');
    expect(scheme.body).toMatchObject({ type: 'credentials' });
    expect(nodered.state).toBe('running');
  });

  it('gives the teacher and each student a token for their own password, and nobody one for a wrong password', async () => {
    expect((await login('teacher', 'password')).status).toBeGreaterThanOrEqual(400);
    expect((await login('student-1', password('student-2'))).status).toBeGreaterThanOrEqual(400);
    expect((await login('admin', 'admin')).status).toBeGreaterThanOrEqual(400);
    expect((await admin('teacher', 'GET', '/flows')).status).toBe(200);
    expect((await admin('student-1', 'GET', '/flows')).status).toBe(200);
    expect((await admin('student-2', 'GET', '/settings')).status).toBe(200);
  });

  it('keeps the local API where it was, beside the editor', async () => {
    const health = await fetch(`${base}/healthz`);
    expect(await health.json()).toMatchObject({ status: 'ok', gateway: 'gw-1' });
    const unknown = await fetch(`${base}/api/v1/nothing-here`);
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ status: 'error', code: 'NOT_FOUND' });
    const editor = await fetch(`${base}/`);
    expect(editor.status).toBe(200);
    expect(await editor.text()).toContain('STEMLab');
  });

  it('does not even register exec, file, watch, or (unless a teacher allows them) function and the network nodes', async () => {
    const res = await admin('teacher', 'GET', '/nodes');
    const types = (res.body as Array<{ types: string[]; module: string }>).flatMap((set) => set.types);
    expect(types).toEqual(expect.arrayContaining(['inject', 'debug', 'switch', 'change', 'delay', 'stemlab-led', 'stemlab-robot-drive']));
    for (const excluded of ['exec', 'file', 'file in', 'watch', 'function', 'http request', 'http in', 'mqtt in', 'tcp request', 'udp out', 'websocket-client']) {
      expect(types).not.toContain(excluded);
    }
    // Nobody can install nodes: the palette manager's routes are not there.
    expect((await admin('teacher', 'POST', '/nodes', { module: 'node-red-contrib-anything' })).status).toBe(404);
  });

  it('refuses a deploy that contains an exec node, with a message in Vietnamese and English', async () => {
    const before = await flows();
    const exec = { id: 'x1', type: 'exec', z: 'bad', command: 'rm -rf /', x: 100, y: 100, wires: [[], [], []] };
    for (const user of ['teacher', 'student-1']) {
      const res = await deploy(user, [...before.flows, tab('bad', 'Bad'), exec], before.rev);
      expect(res.status).toBe(403);
      expect(res.body).toMatchObject({ code: 'NODE_TYPE_FORBIDDEN' });
      const message = (res.body as { message: string }).message;
      expect(message).toContain("'exec'");
      expect(message).toMatch(/Không triển khai được/);
      expect(message).toMatch(/Deploy refused/);
    }
    // Why each is refused, and how a teacher turns on what may be turned on.
    const mixed = await deploy('teacher', [...before.flows, tab('bad', 'Bad'), { id: 'h', type: 'http request', z: 'bad', wires: [[]] }, { id: 'f', type: 'function', z: 'bad', wires: [[]] }], before.rev);
    expect(mixed.status).toBe(403);
    expect((mixed.body as { message: string }).message).toMatch(/nodered\.networkNodes.*nodered\.allowFunctionNode|nodered\.allowFunctionNode.*nodered\.networkNodes/);
    expect((await flows()).rev).toBe(before.rev);
  });
});

describe('students deploy their own flows, the teacher anything', () => {
  let teacherTab: FlowNode;

  beforeAll(async () => {
    const before = await flows();
    teacherTab = tab('t-teacher', 'Bài của thầy');
    const res = await deploy('teacher', [...before.flows, teacherTab, comment('c-teacher', 't-teacher', 'Đọc kỹ đề bài')], before.rev);
    expect(res.status).toBe(200);
  });

  it("lets a student deploy a new tab of their own, stamping it with the student's name", async () => {
    const before = await flows();
    const res = await deploy('student-1', [...before.flows, tab('t-s1', 'Bài của em'), comment('c-s1', 't-s1', 'Em làm bài 1')], before.rev);
    expect(res.status).toBe(200);
    const after = await flows();
    expect(ownerOf(after.flows.find((n) => n.id === 't-s1'))).toBe('student-1');
    expect(ownerOf(after.flows.find((n) => n.id === 't-teacher'))).toBeUndefined();
  });

  it('lets a student change their own tab from an editor that has not seen the stamp (the owner is kept)', async () => {
    const before = await flows();
    // The editor that created the tab still holds it without the env entry.
    const edited = before.flows.map((n) => (n.id === 't-s1' ? tab('t-s1', 'Bài của em') : n.id === 'c-s1' ? { ...n, name: 'Em sửa bài 1' } : n));
    const res = await deploy('student-1', edited, before.rev);
    expect(res.status).toBe(200);
    const after = await flows();
    expect(after.flows.find((n) => n.id === 'c-s1')?.name).toBe('Em sửa bài 1');
    expect(ownerOf(after.flows.find((n) => n.id === 't-s1'))).toBe('student-1');
  });

  it("refuses (403, Vietnamese and English) a student changing the teacher's tab", async () => {
    const before = await flows();
    const edited = before.flows.map((n) => (n.id === 'c-teacher' ? { ...n, name: 'Em sửa đề' } : n));
    const res = await deploy('student-1', edited, before.rev);
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ code: 'NOT_YOUR_FLOW' });
    const message = (res.body as { message: string }).message;
    expect(message).toContain('Em chỉ được thêm, sửa hoặc xoá luồng (tab) của chính em');
    expect(message).toContain(`the teacher's flow "Bài của thầy"`);
    expect((await flows()).rev).toBe(before.rev);
  });

  it("refuses a student deleting the teacher's tab, or another student's, or taking one over", async () => {
    const before = await flows();
    const without = (ids: string[]) => before.flows.filter((n) => !ids.includes(n.id) && !ids.includes(n.z ?? ''));
    expect((await deploy('student-1', without(['t-teacher']), before.rev)).status).toBe(403);
    const other = await deploy('student-2', without(['t-s1']), before.rev);
    expect(other.status).toBe(403);
    expect((other.body as { message: string }).message).toContain(`student-1's flow "Bài của em"`);
    const takeover = before.flows.map((n) => (n.id === 't-teacher' ? tab('t-teacher', 'Bài của thầy', { env: [{ name: OWNER_ENV, type: 'str', value: 'student-2' }] }) : n));
    expect((await deploy('student-2', takeover, before.rev)).status).toBe(403);
    expect((await flows()).rev).toBe(before.rev);
  });

  it('applies a student\'s "Full" deploy as "Modified flows" and keeps "Restart flows" for the teacher', async () => {
    const before = await flows();
    expect((await deploy('student-1', before.flows, before.rev, 'reload')).status).toBe(403);
    expect((await deploy('teacher', before.flows, before.rev, 'reload')).status).toBe(200);
  });

  it('answers a deploy made from older flows 409, for the editor to merge', async () => {
    const before = await flows();
    const stale = await deploy('student-2', [...before.flows, tab('t-s2', 'Bài của bạn 2')], 'not-the-current-revision');
    expect(stale.status).toBe(409);
  });

  it('checks the single-flow API too: a student adds, changes and deletes only their own tab', async () => {
    const added = await admin('student-2', 'POST', '/flow', { label: 'Flow API', nodes: [], configs: [] });
    expect(added.status).toBe(200);
    const id = (added.body as { id: string }).id;
    expect(ownerOf((await flows()).flows.find((n) => n.id === id))).toBe('student-2');
    expect((await admin('student-2', 'PUT', `/flow/${id}`, { id, label: 'Flow API 2', nodes: [] })).status).toBe(200);
    expect((await admin('student-2', 'PUT', '/flow/t-teacher', { id: 't-teacher', label: 'Mine now', nodes: [] })).status).toBe(403);
    expect((await admin('student-2', 'PUT', '/flow/global', { id: 'global', configs: [] })).status).toBe(403);
    expect((await admin('student-1', 'DELETE', `/flow/${id}`)).status).toBe(403);
    expect((await admin('student-2', 'DELETE', `/flow/${id}`)).status).toBe(204);
    expect((await admin('student-2', 'DELETE', '/flow/t-teacher')).status).toBe(403);
    const execFlow = await admin('teacher', 'POST', '/flow', { label: 'exec', nodes: [{ id: 'e', type: 'exec', x: 1, y: 1, wires: [] }] });
    expect(execFlow.status).toBe(403);
  });

  it('lets the teacher change anything', async () => {
    const before = await flows();
    const edited = before.flows.map((n) => (n.id === 'c-s1' ? { ...n, name: 'Thầy nhận xét' } : n));
    expect((await deploy('teacher', edited, before.rev)).status).toBe(200);
  });
});

describe('what counts as touching a flow (ownership rules, without Node-RED)', () => {
  const mine = tab('mine', 'Mine', { env: [{ name: OWNER_ENV, type: 'str', value: 'student-1' }] });
  const theirs = tab('theirs', 'Theirs');
  const kit = { id: 'kit', type: 'stemlab-kit', name: 'Robot 1', kit: 'robot-1' };
  const led = { id: 'led', type: 'stemlab-led', z: 'theirs', kit: 'kit', component: 'led', wires: [] };
  const current: FlowNode[] = [mine, theirs, kit, led];
  const refused = (incoming: FlowNode[]) => {
    try {
      checkStudentDeploy(current, incoming, 'student-1');
      return undefined;
    } catch (err) {
      return (err as NodeRedError).code;
    }
  };

  it("ignores what an editor fills in for a lesson deployed through the API (positions, empty wires, blank fields)", () => {
    const asTheEditorWritesIt = { ...led, x: 0, y: 0, name: '', wires: [[]], d: false };
    expect(refused([mine, { ...theirs, disabled: false, info: '' }, kit, asTheEditorWritesIt])).toBeUndefined();
  });

  it('refuses changing a config node that the teacher\'s flow uses, allows adding one', () => {
    expect(refused([mine, theirs, { ...kit, kit: 'robot-2' }, led])).toBe('NOT_YOUR_FLOW');
    expect(refused([...current, { id: 'kit2', type: 'stemlab-kit', name: 'Robot 2', kit: 'robot-2' }])).toBeUndefined();
  });

  it('keeps subflows and the shared environment for the teacher', () => {
    expect(refused([...current, { id: 'sf', type: 'subflow', name: 'Mine', in: [], out: [] }])).toBe('NOT_YOUR_FLOW');
    expect(refused([...current, { id: 'g', type: 'global-config', env: [{ name: 'A', type: 'str', value: '1' }] }])).toBe('NOT_YOUR_FLOW');
  });

  it("refuses moving a node from the teacher's tab onto the student's", () => {
    expect(refused([mine, theirs, kit, { ...led, z: 'mine' }])).toBe('NOT_YOUR_FLOW');
  });
});

describe('lessons deployed by the teacher', () => {
  it('deploys a lesson tab beside the others, and rolls back to the flows before it', async () => {
    const before = await flows();
    const starter = lessons.lesson('blink').starter;
    const result = await nodered.deployLesson(starter, { mode: 'replace-tab', by: 'test' });
    expect(result.tabs).toEqual([starter[0]!.id]);
    expect(result.previousRev).toBe(before.rev);
    const during = await flows();
    expect(during.flows.map((n) => n.id)).toEqual(expect.arrayContaining([...before.flows.map((n) => n.id), ...starter.map((n) => n.id)]));

    // Again: the lesson's tab is replaced in place, not added twice.
    await nodered.deployLesson(starter, { mode: 'replace-tab' });
    expect((await flows()).flows.filter((n) => n.type === 'tab' && n.id === starter[0]!.id)).toHaveLength(1);

    const back = await nodered.rollback();
    expect(back.restoredRev).toBe(during.rev);
    await nodered.rollback().then(
      () => expect.unreachable('a second rollback has nothing to go back to'),
      (err: NodeRedError) => expect(err.code).toBe('NOTHING_TO_ROLL_BACK'),
    );
  });

  it('deploys every starter and solution flow of the lesson catalogue (they use only nodes this gateway offers)', async () => {
    const before = await flows();
    try {
      for (const { id } of lessons.catalogue.lessons) {
        const { starter, solution } = lessons.lesson(id);
        for (const flow of [starter, solution]) await expect(nodered.deployLesson(flow, { mode: 'replace-tab' })).resolves.toMatchObject({ mode: 'replace-tab' });
      }
    } finally {
      await nodered.deployLesson(before.flows, { mode: 'full' });
    }
  });

  it('refuses a lesson that is not a flow, is too large, or uses an excluded or uninstalled node, saying why', async () => {
    const code = (promise: Promise<unknown>) => promise.then(() => 'deployed', (err: NodeRedError) => err.code);
    expect(await code(nodered.deployLesson({ flows: [] }, { mode: 'full' }))).toBe('FLOW_INVALID');
    expect(await code(nodered.deployLesson([{ id: 'a' }], { mode: 'full' }))).toBe('FLOW_INVALID');
    expect(await code(nodered.deployLesson([tab('l', 'L'), { id: 'n', type: 'inject', z: 'elsewhere' }], { mode: 'full' }))).toBe('FLOW_INVALID');
    expect(await code(nodered.deployLesson([tab('l', 'L'), { id: 'n', type: 'exec', z: 'l' }], { mode: 'replace-tab' }))).toBe('NODE_TYPE_FORBIDDEN');
    expect(await code(nodered.deployLesson([tab('l', 'L'), { id: 'n', type: 'node-red-contrib-unknown', z: 'l' }], { mode: 'replace-tab' }))).toBe('NODE_TYPE_UNKNOWN');
    const huge = Array.from({ length: 3000 }, (_, i) => comment(`c${i}`, 'l', 'x'.repeat(1000)));
    expect(await code(nodered.deployLesson([tab('l', 'L'), ...huge], { mode: 'replace-tab' }))).toBe('FLOW_TOO_LARGE');
  });

  it('runs a lesson flow that drives the simulated robot through the agent', async () => {
    const board = gateway.sim.board('robot-1');
    const starter = lessons.lesson('blink').starter;
    // The teacher hands the lesson to student-1: a student presses the buttons of their own tabs only.
    await nodered.deployLesson(starter, { mode: 'replace-tab', owner: 'student-1' });
    gateway.agent.command('robot-1', 'led', { action: 'off' });
    await board.waitForPin(13, (s) => s.value === 0);
    let off = () => {};
    const fromFlow = new Promise<string>((resolve) => {
      off = gateway.agent.bus.on('component:command', (e) => {
        if (e.component === 'led') resolve(`${e.origin}:${String(e.command.action)}`);
      });
    });
    try {
      // Press the lesson's "LED on" inject button, as a student does in the editor.
      const inject = starter.find((n) => n.type === 'inject' && n.payload === 'on')!;
      // Node-RED answers a deploy before its flows have restarted (runtime/lib/flows setFlows):
      // until the restamped tab runs again, its inject is not found (404).
      await expect.poll(async () => (await admin('student-1', 'POST', `/inject/${inject.id}`, {})).status).toBe(200);
      expect(await fromFlow).toBe('flow:on');
      await board.waitForPin(13, (s) => s.value === 1);
    } finally {
      off();
      await nodered.rollback();
    }
  });
});

describe('the check sidebar (flows/plugins/stemlab-check)', () => {
  it('lists the lessons and checks a student’s tab on the simulator: the verdict and the feedback in their language', async () => {
    const lessonList = await admin('student-1', 'GET', '/stemlab/lessons');
    expect(lessonList.status).toBe(200);
    expect((lessonList.body as Array<{ id: string }>).map((l) => l.id)).toEqual(expect.arrayContaining(['blink', 'traffic-light', 'maze']));
    const { starter, solution } = lessons.lesson('blink');
    const passed = await admin('student-1', 'POST', '/stemlab/check', { lesson: 'blink', flow: solution, lang: 'vi' });
    expect(passed.status).toBe(200);
    expect(passed.body).toMatchObject({ status: 'pass', exitCode: 0, message: expect.stringMatching(/ĐẠT/) });
    const failed = await admin('student-1', 'POST', '/stemlab/check', { lesson: 'blink', flow: starter, lang: 'en' });
    expect(failed.body).toMatchObject({ status: 'fail', message: expect.stringMatching(/never came on/) });
    expect((await admin('student-1', 'POST', '/stemlab/check', { lesson: 'nope', flow: [] })).status).toBe(400);
    expect((await admin(undefined, 'POST', '/stemlab/check', { lesson: 'blink', flow: solution })).status).toBe(401);
  }, 90_000);
});

describe('one Node-RED per process', () => {
  it('refuses a second Node-RED in the process, clearly', async () => {
    const second = new NodeRedExtension(gateway.agent, api);
    await expect(second.start()).rejects.toMatchObject({ code: 'NODERED_IN_USE', message: expect.stringContaining('one process hosts one Node-RED') });
  });

  it('stays off, and says how to fix it, on a gateway without editor accounts', async () => {
    const bare = await simAgent({ kits: [], dataDir: mkdtempSync(join(tmpdir(), 'stemlab-noaccounts-')) }, { waitForKits: false });
    try {
      const extension = new NodeRedExtension(bare.agent, new HttpApi(bare.agent, { host: '127.0.0.1', port: 0 }));
      await extension.start();
      expect(extension.state).toBe('no-accounts');
      await expect(extension.deployLesson([], { mode: 'full' })).rejects.toMatchObject({ code: 'NODERED_NOT_RUNNING' });
    } finally {
      await bare.stop();
      rmSync(bare.agent.config.dataDir, { recursive: true, force: true });
    }
  });
});

describe('classroom accounts', () => {
  it('are made per gateway: readable passwords returned once, only bcrypt hashes stored, never replaced by accident', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stemlab-accounts-'));
    try {
      const made = await setupEditorAccounts(dir, 3);
      expect(made.students.map((s) => s.username)).toEqual(['student-1', 'student-2', 'student-3']);
      for (const { password: p } of [made.teacher, ...made.students]) expect(p).toMatch(/^[a-z]{4}(-[a-z]{2,4})+-[2-9]{2}$/);
      expect(new Set([made.teacher, ...made.students].map((a) => a.password)).size).toBe(4);
      const stored = readFileSync(accountsFile(dir), 'utf8');
      for (const { password: p } of [made.teacher, ...made.students]) expect(stored).not.toContain(p);
      expect(stored).toMatch(/\$2[aby]\$10\$/);
      await expect(setupEditorAccounts(dir, 3)).rejects.toMatchObject({ code: 'ACCOUNTS_EXIST' });
      const again = await setupEditorAccounts(dir, 1, { replace: true });
      expect(again.teacher.password).not.toBe(made.teacher.password);
      expect(existsSync(join(dir, 'nodered', '.sessions.json'))).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

// ---------------------------------------------------------------------------------------------
// The editor in headless Chromium: log in as a student, open a lesson, deploy
// ---------------------------------------------------------------------------------------------

const CHROMIUM = '/usr/bin/chromium';

function browserRequirement(): Requirement {
  if (!existsSync(CHROMIUM)) return { ok: false, reason: `Chromium is not installed at ${CHROMIUM}: apt-get install chromium` };
  try {
    require.resolve('playwright-core');
  } catch {
    return { ok: false, reason: 'playwright-core is not installed: add it to the root devDependencies (npm install -D playwright-core)' };
  }
  return { ok: true };
}

const browser = browserRequirement();

describe.runIf(shouldRun('the editor in headless Chromium', browser))('the editor in headless Chromium', () => {
  it('lets a student log in, open a lesson and deploy it, in Vietnamese', async () => {
    assertAvailable('Chromium and playwright-core', browser);
    const { chromium } = require('playwright-core') as typeof import('playwright-core');
    const chrome = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    try {
      const page = await chrome.newPage({ locale: 'en-US' });
      // The editor's websocket delivers the runtime's retained state (notification/runtime-state)
      // once it has connected, some time after log-in; the editor's handler of every such
      // notification disables the deploy button (@node-red/editor-client red.js, the
      // `notification/#` subscription), and only the next change enables it again. An import
      // made before that frame arrived left the button disabled for good: the flake of a loaded
      // CI run. So the lesson is imported only once the editor has heard the runtime's state.
      const runtimeStateHeard = new Promise<void>((resolve) => {
        page.on('websocket', (ws) => ws.on('framereceived', ({ payload }) => String(payload).includes('notification/runtime-state') && resolve()));
      });
      await page.goto(`${base}/`);
      // Log in through the editor's own dialog.
      await page.locator('#node-dialog-login-username').fill('student-2');
      await page.locator('#node-dialog-login-password').fill(password('student-2'));
      await expect.poll(() => page.locator('#node-dialog-login-submit').inputValue()).toBe('Đăng nhập');
      await page.locator('#node-dialog-login-submit').click();
      await page.locator('#red-ui-workspace').waitFor();
      // Loaded: the deployed flows and the palette's node definitions (an import before them makes nodes without a type).
      await page.waitForFunction(() => {
        const RED = (globalThis as unknown as { RED?: { nodes?: { version(): string | undefined; getType(type: string): unknown } } }).RED;
        return RED?.nodes?.version() !== undefined && RED.nodes.getType('stemlab-led') !== undefined;
      });
      // The gateway's language applied (nodered.lang: vi), with our Vietnamese editor catalog.
      await expect.poll(() => page.locator('#red-ui-header-button-deploy').innerText()).toContain('Triển khai');

      // Open a lesson: import the starter flow as a copy (new ids), as Import → Examples does.
      const starter = lessons.lesson('blink').starter;
      const before = await flows();
      type EditorRED = {
        view: { importNodes(nodes: unknown, options: object): void };
        nodes: { dirty(): boolean; getWorkspaceOrder(): string[] };
        workspaces: { active(): string };
        settings: { user?: { permissions?: unknown } };
      };
      const importStarter = () =>
        page.evaluate((flow) => {
          (globalThis as unknown as { RED: EditorRED }).RED.view.importNodes(flow, { generateIds: true, addFlow: false, touchImport: true });
        }, starter);
      const editorState = async () => ({
        ...(await page.evaluate(() => {
          const RED = (globalThis as unknown as { RED: EditorRED }).RED;
          return { dirty: RED.nodes.dirty(), tabs: RED.nodes.getWorkspaceOrder().length, active: RED.workspaces.active(), permissions: RED.settings.user?.permissions };
        })),
        notices: await page.locator('.red-ui-notification').allInnerTexts(),
      });
      await within(runtimeStateHeard, "the editor's websocket delivering the runtime state", 30_000);
      await importStarter();
      // The deploy button is an <a> that the editor enables (removes .disabled) once it has seen the
      // import; a click before that does nothing, so wait for it (slow under a loaded CI machine).
      const deploy = page.locator('#red-ui-header-button-deploy:not(.disabled)');
      const enabled = await deploy.waitFor({ timeout: 15_000 }).then(() => true, () => false);
      if (!enabled) throw new Error(`the deploy button stayed disabled after the import: ${JSON.stringify(await editorState())}`);
      await deploy.click();
      // The editor's notice, success or failure (a refusal's message says why).
      const notice = page.locator('.red-ui-notification', { hasText: /Triển khai (thành công|không được)/ }).last();
      await notice.waitFor({ timeout: 30_000 });
      expect(await notice.innerText()).toContain('Triển khai thành công');

      const after = await flows();
      const added = after.flows.filter((n) => n.type === 'tab' && !before.flows.some((b) => b.id === n.id));
      expect(added).toHaveLength(1);
      expect(ownerOf(added[0])).toBe('student-2');
      expect(after.flows.filter((n) => n.z === added[0]!.id).map((n) => n.type)).toEqual(expect.arrayContaining(['inject', 'stemlab-led']));
      // The teacher's tabs went back unchanged, as the editor wrote them.
      expect(after.flows.find((n) => n.id === 't-teacher')).toBeDefined();
    } finally {
      await chrome.close();
    }
  }, 60_000);
});
