import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpApi } from '../src/api/http.ts';
import { localTokenFile, readLocalToken } from '../src/api/auth.ts';
import { setupEditorAccounts, type NewAccounts } from '../src/nodered/accounts.ts';
import { robotKit, simAgent, type SimAgent } from './helpers/sim-agent.ts';

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  json: { status: string; code?: string; message?: string; [key: string]: unknown };
}

let dir: string;
let running: SimAgent;
let api: HttpApi;
let accounts: NewAccounts;
let port: number;

/** A raw request, so the test sets Host, Origin and Content-Type as any browser or script could. */
function send(method: string, path: string, options: { headers?: Record<string, string>; body?: string } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers: { host: `localhost:${port}`, ...options.headers } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, json: JSON.parse(text) as Reply['json'] }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

const json = (body: unknown, headers: Record<string, string> = {}) => ({ headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

async function login(username: string, password: string): Promise<string> {
  const reply = await send('POST', '/api/v1/auth/login', json({ username, password }));
  expect(reply.json).toMatchObject({ status: 'ok' });
  const cookie = String(reply.headers['set-cookie']);
  return cookie.split(';')[0]!;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'stemlab-http-security-'));
  accounts = await setupEditorAccounts(dir, 2);
  running = await simAgent({ kits: [robotKit('robot-1')], dataDir: dir, mqtt: { enabled: false } }, {
    beforeStart: (_sim, agent) => {
      api = new HttpApi(agent, { host: '127.0.0.1', port: 0 });
      void agent.use(api);
    },
  });
  port = Number(new URL(api.url).port);
});

afterAll(async () => {
  await running?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('the local API refuses what a web page on another site could forge', () => {
  it('refuses an e-stop reset from another site, even with a teacher logged in', async () => {
    running.agent.estop.trigger('test');
    const forged = await send('POST', '/api/v1/estop/reset', { headers: { origin: 'http://evil.example', 'content-type': 'text/plain' }, body: '{"by":"evil"}' });
    expect(forged).toMatchObject({ status: 403, json: { status: 'error', code: 'CROSS_SITE' } });
    const cookie = await login('teacher', accounts.teacher.password);
    const withCookie = await send('POST', '/api/v1/estop/reset', json({}, { cookie, origin: 'http://evil.example' }));
    expect(withCookie).toMatchObject({ status: 403, json: { code: 'CROSS_SITE' } });
    const fetchMetadata = await send('POST', '/api/v1/estop/reset', json({}, { cookie, 'sec-fetch-site': 'cross-site' }));
    expect(fetchMetadata).toMatchObject({ status: 403, json: { code: 'CROSS_SITE' } });
    expect(running.agent.estop.latched).toBe(true);
  });

  it('takes JSON only for state changes (a form cannot post one cross-site)', async () => {
    const cookie = await login('teacher', accounts.teacher.password);
    const form = await send('POST', '/api/v1/estop/reset', { headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, body: 'by=x' });
    expect(form).toMatchObject({ status: 415, json: { code: 'CONTENT_TYPE' } });
    const text = await send('POST', '/api/v1/kits/robot-1/components/led', { headers: { cookie, 'content-type': 'text/plain' }, body: '{"action":"on"}' });
    expect(text).toMatchObject({ status: 415, json: { code: 'CONTENT_TYPE' } });
  });

  it('answers only to its own host names: a rebound DNS name reads nothing', async () => {
    const foreign = await send('GET', '/api/v1/status', { headers: { host: `evil.example:${port}` } });
    expect(foreign).toMatchObject({ status: 421, json: { code: 'HOST_FORBIDDEN' } });
    expect(JSON.stringify(foreign.json)).not.toContain('robot-1');
    expect((await send('GET', '/healthz', { headers: { host: 'evil.example' } })).status).toBe(421);
    expect((await send('GET', '/api/v1/status', { headers: { host: `127.0.0.1:${port}` } })).json).toMatchObject({ status: 'ok', gateway: 'gw-1' });
  });

  it('lets anyone press the e-stop, from anywhere: stopping is always safe', async () => {
    running.agent.estop.reset('test');
    const pressed = await send('POST', '/api/v1/estop', { headers: { host: 'evil.example', origin: 'http://evil.example', 'content-type': 'text/plain' }, body: 'stop!' });
    expect(pressed).toMatchObject({ status: 200, json: { status: 'ok', estop: { latched: true } } });
    expect(running.agent.estop.latched).toBe(true);
  });
});

describe('who may do what', () => {
  it('needs a log-in for every state change; a student may not reset the e-stop or drive a kit', async () => {
    running.agent.estop.trigger('test');
    expect(await send('POST', '/api/v1/estop/reset', json({}))).toMatchObject({ status: 401, json: { code: 'LOGIN_REQUIRED' } });
    expect(await send('POST', '/api/v1/kits/robot-1/components/led', json({ action: 'on' }))).toMatchObject({ status: 401 });
    const student = await login('student-1', accounts.students[0]!.password);
    expect(await send('POST', '/api/v1/estop/reset', json({}, { cookie: student }))).toMatchObject({ status: 403, json: { code: 'FORBIDDEN' } });
    expect(running.agent.estop.latched).toBe(true);
    const technician = await login('technician', accounts.technician.password);
    expect(await send('POST', '/api/v1/estop/reset', json({}, { cookie: technician }))).toMatchObject({ status: 200, json: { estop: { latched: false } } });
    expect(running.agent.estop.source).toBeUndefined();
  });

  it('gives a log-in an HttpOnly, SameSite=Strict cookie, and refuses wrong passwords, then locks the name', async () => {
    const ok = await send('POST', '/api/v1/auth/login', json({ username: 'student-2', password: accounts.students[1]!.password }));
    expect(String(ok.headers['set-cookie'])).toMatch(/stemlab_session=[\w-]{20,}; Path=\/; HttpOnly; SameSite=Strict; Max-Age=\d+/);
    expect(ok.json).toMatchObject({ user: { username: 'student-2', role: 'student' } });
    for (let i = 0; i < 6; i++) expect((await send('POST', '/api/v1/auth/login', json({ username: 'student-2', password: 'nope' }))).json.code).toBe('LOGIN_FAILED');
    const locked = await send('POST', '/api/v1/auth/login', json({ username: 'student-2', password: accounts.students[1]!.password }));
    expect(locked).toMatchObject({ status: 429, json: { code: 'LOGIN_LOCKED' } });
    expect((await send('POST', '/api/v1/auth/login', json({ username: 'nobody', password: 'x' }))).status).toBe(401);
  });

  it('lets the Pi\'s own tools in with the local token, a file only the agent\'s user reads', async () => {
    expect(statSync(localTokenFile(dir)).mode & 0o777).toBe(0o600);
    const token = readLocalToken(dir)!;
    running.agent.estop.trigger('test');
    expect(await send('POST', '/api/v1/estop/reset', json({ by: 'cli' }, { authorization: `Bearer ${token}` }))).toMatchObject({ status: 200, json: { estop: { latched: false } } });
    expect(await send('POST', '/api/v1/estop/reset', json({}, { authorization: 'Bearer not-the-token' }))).toMatchObject({ status: 401 });
  });
});

describe('one driver per kit', () => {
  it('refuses a second program on a moving kit until the teacher hands it over', () => {
    const { agent } = running;
    agent.command('robot-1', 'left', { action: 'forward', speed: 100 }, 'flow', 'flow:student-tab');
    expect(() => agent.command('robot-1', 'left', { action: 'forward', speed: 50 }, 'flow', 'flow:tab-a')).toThrow(expect.objectContaining({ code: 'KIT_BUSY' }));
    expect(() => agent.command('robot-1', 'right', { action: 'forward', speed: 50 }, 'api', 'api:teacher')).toThrow(expect.objectContaining({ code: 'KIT_BUSY' }));
    // Stopping is never refused.
    agent.command('robot-1', 'left', { action: 'stop' }, 'flow', 'flow:tab-a');
    agent.drivers.handOver('robot-1', 'flow:tab-a');
    agent.command('robot-1', 'left', { action: 'forward', speed: 50 }, 'flow', 'flow:tab-a');
    expect(() => agent.command('robot-1', 'left', { action: 'forward', speed: 50 }, 'flow', 'flow:student-tab')).toThrow(expect.objectContaining({ code: 'KIT_BUSY' }));
    expect(agent.drivers.holder('robot-1')).toMatchObject({ driver: 'flow:tab-a' });
    agent.command('robot-1', 'left', { action: 'stop' }, 'flow', 'flow:tab-a');
  });
});
