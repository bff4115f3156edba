/**
 * The robot club's local API on a real gateway (simulated robots, real outbox): a teacher
 * starts a session with two teams, the kits' usage records carry the session's tags, a check
 * verdict from the editor reaches the team, the summary's minutes are the records' kit
 * durations, a student sees only their team and cannot start, end, reset or open another
 * team's kit; the session survives a restart of the agent; the self-test asks first.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import type { UsageEvent } from '@stemlab/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { composeGateway, type ComposedGateway } from '@stemlab/compose';
import { createLogger, loadConfig, setupEditorAccounts } from '../../src/index.ts';
import type { AgentConfig } from '../../src/config/schema.ts';
import type { NewAccounts } from '../../src/nodered/accounts.ts';

/** A JSON reply, read loosely: the assertions say what it must hold. */
type Json = ReturnType<typeof JSON.parse>;

let dir: string;
let accounts: NewAccounts;
let config: AgentConfig;
let gateway: ComposedGateway;
const published: UsageEvent[] = [];

async function start(): Promise<void> {
  gateway = await composeGateway(config, { log: createLogger('silent'), port: 0 });
  gateway.outbox.on('appended', (e) => published.push(e));
  await gateway.agent.waitForKits('connected', 20_000);
}

async function login(username: string, password: string): Promise<string> {
  const reply = (await (await fetch(`${gateway.api.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) })).json()) as { token: string };
  return reply.token;
}

async function call(token: string, method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number; json: Json }> {
  const res = await fetch(`${gateway.api.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(method === 'POST' ? { 'content-type': 'application/json' } : {}) },
    ...(method === 'POST' ? { body: JSON.stringify(body ?? {}) } : {}),
  });
  const type = res.headers.get('content-type') ?? '';
  return { status: res.status, json: type.includes('json') ? ((await res.json()) as Json) : { raw: await res.arrayBuffer(), type } };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'stemlab-club-'));
  accounts = await setupEditorAccounts(dir, 3);
  const example = await loadConfig(join(import.meta.dirname, '../../examples/robot-club.yaml'));
  const kits = example.kits.filter((k) => k.id === 'robot-1' || k.id === 'robot-2');
  config = { ...example, kits, dataDir: dir, mqtt: { ...example.mqtt, enabled: false }, nodered: { ...example.nodered, enabled: false } };
  await start();
}, 30_000);

afterAll(async () => {
  await gateway?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('club sessions on the gateway', () => {
  let teacher: string;
  let student1: string;
  let student3: string;
  let sessionId: string;

  it('refuses a start with a clear error naming the field', async () => {
    teacher = await login('teacher', accounts.teacher.password);
    const bad = await call(teacher, 'POST', '/api/v1/club/sessions', { lessonId: 'no-such', classId: '7A', teams: [{ name: 'A', kit: 'robot-1' }] });
    expect(bad).toMatchObject({ status: 400, json: { code: 'LESSON_UNKNOWN' } });
    expect(bad.json.message).toContain('lessonId');
    expect(bad.json.messageVi).toContain('lessonId');
    const twice = await call(teacher, 'POST', '/api/v1/club/sessions', { lessonId: 'square', classId: '7A', teams: [{ name: 'A', kit: 'robot-1' }, { name: 'B', kit: 'robot-1' }] });
    expect(twice).toMatchObject({ status: 400, json: { code: 'SESSION_INVALID' } });
    expect(twice.json.message).toContain('teams[1].kit');
    const noKit = await call(teacher, 'POST', '/api/v1/club/sessions', { lessonId: 'square', classId: '7A', teams: [{ name: 'A', kit: 'robot-9' }] });
    expect(noKit).toMatchObject({ status: 400, json: { code: 'KIT_UNKNOWN' } });
  });

  it('a student may not start a session', async () => {
    student1 = await login('student-1', accounts.students[0]!.password);
    const reply = await call(student1, 'POST', '/api/v1/club/sessions', { lessonId: 'square', classId: '7A', teams: [{ name: 'A', kit: 'robot-1' }] });
    expect(reply).toMatchObject({ status: 403, json: { code: 'FORBIDDEN' } });
  });

  it('a teacher starts a session with two teams: the kits are tagged with lesson, class, session and team', async () => {
    const reply = await call(teacher, 'POST', '/api/v1/club/sessions', {
      lessonId: 'square',
      classId: '8B',
      teams: [
        { name: 'Đội Sao', kit: 'robot-1', members: ['student-1', 'student-2'] },
        { name: 'Đội Trăng', kit: 'robot-2', members: ['student-3'] },
      ],
    });
    expect(reply.status).toBe(200);
    sessionId = reply.json.session.id;
    expect(reply.json.session.teams.map((t: { id: string }) => t.id)).toEqual(['team-1', 'team-2']);
    expect(gateway.usage.purposeOf('robot-1')).toEqual({ kind: 'club-session', lessonId: 'square', classId: '8B', clubSessionId: sessionId, teamId: 'team-1', by: 'teacher' });
    expect(gateway.usage.purposeOf('robot-2')).toMatchObject({ clubSessionId: sessionId, teamId: 'team-2' });
    const again = await call(teacher, 'POST', '/api/v1/club/sessions', { lessonId: 'square', classId: '8B', teams: [{ name: 'A', kit: 'robot-1' }] });
    expect(again).toMatchObject({ status: 409, json: { code: 'SESSION_RUNNING' } });
  });

  it('a check verdict from the editor reaches the checking student\'s team', () => {
    gateway.agent.bus.emit('lesson:checked', { lessonId: 'square', tab: 'some-tab', kits: ['robot-2'], by: 'student-3', status: 'pass', message: 'ĐẠT', at: Date.now() });
    gateway.agent.bus.emit('lesson:checked', { lessonId: 'square', tab: undefined, kits: [], by: 'student-1', status: 'fail', message: 'CHƯA ĐẠT', at: Date.now() });
    const session = gateway.club.get(sessionId);
    expect(session.verdicts.map((v) => [v.team, v.status])).toEqual([['team-2', 'pass'], ['team-1', 'fail']]);
  });

  it('a student sees their own team and kit only, and cannot open another team\'s kit', async () => {
    const mine = await call(student1, 'GET', '/api/v1/club');
    expect(mine.json.me.team).toBe('team-1');
    expect(mine.json.current.teams.map((t: { id: string }) => t.id)).toEqual(['team-1']);
    expect(mine.json.current.verdicts.map((v: { team: string }) => v.team)).toEqual(['team-1']);
    expect(mine.json.students).toBeUndefined();
    expect(await call(student1, 'GET', '/api/v1/club/kits/robot-1')).toMatchObject({ status: 200, json: { team: { id: 'team-1' } } });
    expect(await call(student1, 'GET', '/api/v1/club/kits/robot-2')).toMatchObject({ status: 403, json: { code: 'NOT_YOUR_TEAM' } });
    expect(await call(student1, 'POST', `/api/v1/club/sessions/${sessionId}/end`)).toMatchObject({ status: 403 });
    expect(await call(student1, 'POST', `/api/v1/club/sessions/${sessionId}/deploy`)).toMatchObject({ status: 403 });
    expect(await call(student1, 'POST', '/api/v1/club/kits/robot-2/hand-over', { team: null })).toMatchObject({ status: 403 });
    expect(await call(student1, 'GET', `/api/v1/club/sessions/${sessionId}/summary`)).toMatchObject({ status: 403 });
    gateway.agent.estop.trigger('test');
    expect(await call(student1, 'POST', '/api/v1/estop/reset')).toMatchObject({ status: 403 });
    expect(gateway.agent.estop.latched).toBe(true);
    gateway.agent.estop.reset('test');
  });

  it('without Node-RED, a deploy says so in both languages', async () => {
    const reply = await call(teacher, 'POST', `/api/v1/club/sessions/${sessionId}/deploy`);
    expect(reply).toMatchObject({ status: 409, json: { code: 'NODERED_OFF' } });
    expect(reply.json.messageVi).toContain('Node-RED');
  });

  it('survives an agent restart: still running, still tagged', async () => {
    await gateway.stop();
    await start();
    expect(gateway.club.current()?.id).toBe(sessionId);
    expect(gateway.usage.purposeOf('robot-2')).toMatchObject({ kind: 'club-session', clubSessionId: sessionId, teamId: 'team-2' });
    teacher = await login('teacher', accounts.teacher.password);
    student1 = await login('student-1', accounts.students[0]!.password);
    student3 = await login('student-3', accounts.students[2]!.password);
  }, 30_000);

  it('ends the session: its summary\'s minutes are the kit durations of the usage records the agent published', async () => {
    const { agent } = gateway;
    agent.command('robot-1', 'left-motor', { action: 'forward', speed: 100 }, 'api', 'api:teacher');
    agent.command('robot-2', 'led', { action: 'on' }, 'api', 'api:teacher');
    await new Promise((resolve) => setTimeout(resolve, 300));
    agent.command('robot-1', 'left-motor', { action: 'stop' }, 'api', 'api:teacher');
    const ended = await call(teacher, 'POST', `/api/v1/club/sessions/${sessionId}/end`);
    expect(ended.status).toBe(200);
    expect(ended.json.session.state).toBe('ended');
    expect(gateway.usage.purposeOf('robot-1')).toEqual({ kind: 'free-practice' });

    const kitEnds = published.filter((e): e is Extract<UsageEvent, { type: 'session.end' }> => e.type === 'session.end' && e.device.component === null && e.session.purpose.clubSessionId === sessionId);
    expect(kitEnds.map((e) => e.device.kit).sort()).toEqual(['robot-1', 'robot-2']);
    const { summary } = (await call(teacher, 'GET', `/api/v1/club/sessions/${sessionId}/summary`)).json;
    for (const team of summary.teams) {
      const ms = kitEnds.filter((e) => e.device.kit === team.kit).reduce((sum, e) => sum + e.session.durationMs, 0);
      expect(ms).toBeGreaterThan(0);
      expect(team.usedMs).toBe(ms);
      expect(team.minutes).toBe(Math.round(ms / 6000) / 10);
    }
    expect(summary.teams.map((t: { passed: boolean }) => t.passed)).toEqual([false, true]);

    const csv = await call(teacher, 'GET', `/api/v1/club/sessions/${sessionId}/summary.csv?lang=en`);
    const text = Buffer.from(csv.json.raw as ArrayBuffer).toString('utf8');
    expect(text).toContain('Team,Kit,Members,Last check,Passed,Checks,Minutes of use');
    expect(text).toContain(`Đội Trăng,robot-2,student-3,PASS,yes,1,${summary.teams[1].minutes},`);
    const xlsx = await call(teacher, 'GET', `/api/v1/club/sessions/${sessionId}/summary.xlsx`);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(xlsx.json.raw as ArrayBuffer);
    const sheet = wb.getWorksheet('Tổng kết')!;
    expect(sheet.getRow(1).getCell(7).value).toBe('Số phút sử dụng');
    expect(sheet.getRow(2).getCell(7).value).toBe(summary.teams[0].minutes);
    // With the session over, a student has no team and sees no kit.
    expect(await call(student3, 'GET', '/api/v1/club/kits/robot-2')).toMatchObject({ status: 403 });
  });

  it('the self-test asks before moving motors, then keeps each kit\'s result and fault history', async () => {
    const ask = await call(teacher, 'POST', '/api/v1/club/selftest', { kits: ['robot-1'] });
    expect(ask).toMatchObject({ status: 409, json: { code: 'CONFIRM_MOTORS' } });
    expect(ask.json.message).toContain('robot-1/left-motor');
    const run = await call(teacher, 'POST', '/api/v1/club/selftest', { kits: ['robot-1'], confirm: true });
    expect(run.status).toBe(200);
    expect(run.json.report.kits.map((k: { kit: string }) => k.kit)).toEqual(['robot-1']);
    gateway.simulator!.port('robot-2').unplug();
    await gateway.agent.waitForKits('disconnected', 10_000, ['robot-2']);
    const care = (await call(teacher, 'GET', '/api/v1/club/kit-care')).json.kits as Array<{ kit: string; selftests: unknown[]; faults: Array<{ state: string }> }>;
    expect(care.find((k) => k.kit === 'robot-1')!.selftests).toHaveLength(1);
    expect(care.find((k) => k.kit === 'robot-2')!.faults[0]!.state).toBe('disconnected');
    expect(await call(student1, 'GET', '/api/v1/club/kit-care')).toMatchObject({ status: 403 });
  }, 20_000);
});
