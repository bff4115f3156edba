/**
 * The HTTP API (api/server.ts) on a real SQLite ledger through fastify's inject, and once over
 * real HTTP on port 0 inside a running central. Protects: login and session expiry, each
 * endpoint's role checks (a teacher sees only their unit), 400s that name the field, the error
 * envelope and its codes, the metrics text and the Vietnamese CSV report.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiErrorCodes, type ApiErrorCode } from '../src/api/errors.ts';
import { buildApi } from '../src/api/server.ts';
import { createUser, disableUser, getUser } from '../src/api/users.ts';
import { openLedger, type Ledger } from '../src/ledger/ledger.ts';
import { FLEET, seedRegistry, unitAudit } from '../src/registry/fleet.ts';
import { openCentralState, type CentralState } from '../src/central-state/state.ts';
import { birth, sessionStart, startTestCentral, tmpDir } from './helpers.ts';

const A = FLEET[0]!;
const B = FLEET[1]!;
const PASSWORD = 'correct horse battery';
const HOUR = 3_600_000;

let dir: { dir: string; remove: () => void };
let ledger: Ledger;
let db: CentralState;
let app: FastifyInstance;
let clock = Date.parse('2025-08-01T08:00:00+07:00');

async function loginAs(username: string, password = PASSWORD) {
  return app.inject({ method: 'POST', url: '/api/v1/login', payload: { username, password } });
}
async function tokenOf(username: string): Promise<string> {
  const res = await loginAs(username);
  expect(res.statusCode).toBe(200);
  return (res.json() as { token: string }).token;
}
const get = (url: string, token?: string) => app.inject({ method: 'GET', url, headers: token ? { authorization: `Bearer ${token}` } : {} });

beforeAll(async () => {
  dir = tmpDir();
  ledger = await openLedger({ kind: 'sqlite', file: join(dir.dir, 'ledger.sqlite') });
  db = await openCentralState(undefined, dir.dir);
  await seedRegistry(db);
  const at = clock;
  await ledger.insertBatch([
    { kind: 'gateway-state', unit: A.id, gateway: A.gateways[0]!, receivedAt: at, state: birth(1) },
    { kind: 'usage', unit: A.id, gateway: A.gateways[0]!, receivedAt: at, event: sessionStart(1, { at, kit: 'robot-1' }) },
    { kind: 'usage', unit: A.id, gateway: A.gateways[0]!, receivedAt: at, event: sessionStart(2, { at: at + HOUR, kit: 'robot-2' }) },
    { kind: 'usage', unit: B.id, gateway: B.gateways[0]!, receivedAt: at, event: sessionStart(1, { at, kit: 'robot-1' }) },
  ]);
  await createUser(db, { username: 'admin', password: PASSWORD, role: 'admin' }, 'setup');
  await createUser(db, { username: 'viewer', password: PASSWORD, role: 'viewer' }, 'setup');
  await createUser(db, { username: 'teacher-a', password: PASSWORD, role: 'teacher', unit: A.id }, 'setup');
  await createUser(db, { username: 'tech-b', password: PASSWORD, role: 'technician', unit: B.id }, 'setup');
  app = buildApi({ db, ledger, ingest: { stats: { received: 7, commits: 3, retries: 0, failed: 0, refused: 1 } }, refusals: { 'bad-credentials': 2 }, sessionHours: 2, now: () => clock });
});

afterAll(async () => {
  await app.close();
  await db.close();
  await ledger.close();
  dir.remove();
});

describe('people accounts', () => {
  it('stores only a hash, returns nothing secret, and audits the creation', async () => {
    const u = await createUser(db, { username: 'tmp-user', password: PASSWORD, role: 'viewer' }, 'admin');
    expect(JSON.stringify(u)).not.toContain(PASSWORD);
    expect(Object.keys(u).sort()).toEqual(['createdAt', 'disabledAt', 'role', 'unit', 'username']);
    const hash = (await db.get<{ password_hash: string }>('SELECT password_hash FROM users WHERE username = ?', ['tmp-user']))?.password_hash;
    expect(hash).toMatch(/^scrypt\$/);
    const audit = await db.query("SELECT actor, action FROM audit WHERE entity = 'user' AND entity_id = 'tmp-user'");
    expect(audit).toEqual([{ actor: 'admin', action: 'user.create' }]);
  });

  it('requires a unit for teachers and technicians, and none for others', async () => {
    await expect(createUser(db, { username: 'no-unit', password: PASSWORD, role: 'teacher' }, 'admin')).rejects.toThrow(/unit/);
    await expect(createUser(db, { username: 'with-unit', password: PASSWORD, role: 'viewer', unit: A.id }, 'admin')).rejects.toThrow(/unit/);
  });
});

describe('login and sessions', () => {
  it('logs in with the right password and returns token, expiry and role', async () => {
    const res = await loginAs('teacher-a');
    expect(res.statusCode).toBe(200);
    const body = res.json() as { token: string; expiresAt: string; role: string };
    expect(body.role).toBe('teacher');
    expect(Date.parse(body.expiresAt)).toBe(clock + 2 * HOUR);
    expect(body.token.length).toBeGreaterThan(30);
    // Only the token's hash is kept.
    expect(JSON.stringify(await db.query('SELECT * FROM sessions'))).not.toContain(body.token);
  });

  it('refuses a wrong password or an unknown user with UNAUTHENTICATED', async () => {
    for (const res of [await loginAs('admin', 'wrong password!'), await loginAs('nobody')]) {
      expect(res.statusCode).toBe(401);
      expect(res.json()).toMatchObject({ status: 'error', code: 'UNAUTHENTICATED' });
    }
  });

  it('answers a bad login body with 400 naming the field', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/v1/login', payload: { username: 'admin' } });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'BAD_REQUEST', message: expect.stringContaining('password') as unknown });
  });

  it('expires sessions after the configured hours', async () => {
    const token = await tokenOf('viewer');
    expect((await get('/api/v1/units', token)).statusCode).toBe(200);
    clock += 2 * HOUR;
    try {
      const res = await get('/api/v1/units', token);
      expect(res.statusCode).toBe(401);
      expect(res.json()).toMatchObject({ code: 'UNAUTHENTICATED' });
    } finally {
      clock -= 2 * HOUR;
    }
  });

  it('ends a session on logout', async () => {
    const token = await tokenOf('viewer');
    const out = await app.inject({ method: 'POST', url: '/api/v1/logout', headers: { authorization: `Bearer ${token}` } });
    expect(out.statusCode).toBe(200);
    expect((await get('/api/v1/units', token)).statusCode).toBe(401);
  });

  it('ends the sessions of a disabled account, and audits it', async () => {
    await createUser(db, { username: 'leaver', password: PASSWORD, role: 'viewer' }, 'admin');
    const token = await tokenOf('leaver');
    expect(await disableUser(db, 'leaver', 'admin')).toBe(true);
    expect((await getUser(db, 'leaver'))?.disabledAt).not.toBeNull();
    expect((await get('/api/v1/units', token)).statusCode).toBe(401);
    expect((await loginAs('leaver')).statusCode).toBe(401);
    const actions = (await db.query<{ action: string }>("SELECT action FROM audit WHERE entity_id = 'leaver' ORDER BY id")).map((r) => r.action);
    expect(actions).toEqual(['user.create', 'user.disable']);
  });

  it("audits an admin's login", async () => {
    await tokenOf('admin');
    expect((await db.get<{ n: number }>("SELECT COUNT(*) AS n FROM audit WHERE action = 'session.login' AND actor = 'admin'"))?.n).toBeGreaterThan(0);
    // The registry's own audit reader is not confused by user rows.
    expect((await unitAudit(db)).every((r) => r.entity !== 'user')).toBe(true);
  });
});

describe('GET /healthz and /metrics', () => {
  it('answers /healthz without a session', async () => {
    const res = await get('/healthz');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok' });
  });

  it('gives admins and viewers the Prometheus text with the counters', async () => {
    for (const user of ['admin', 'viewer']) {
      const res = await get('/metrics', await tokenOf(user));
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
      expect(res.body).toContain('# TYPE stemlab_ingest_received_total counter');
      expect(res.body).toMatch(/^stemlab_ingest_received_total 7$/m);
      expect(res.body).toMatch(/^stemlab_ledger_events 3$/m);
      expect(res.body).toMatch(/^stemlab_gateways_online 1$/m);
      expect(res.body).toMatch(/^stemlab_security_refusals_total\{reason="bad-credentials"\} 2$/m);
      expect(res.body).toMatch(/^process_resident_memory_bytes \d+$/m);
      // prom-client's process metrics: event-loop lag and GC come with it.
      expect(res.body).toMatch(/^nodejs_eventloop_lag_seconds [\d.e-]+$/m);
      expect(res.body).toContain('# TYPE nodejs_gc_duration_seconds histogram');
      expect(res.body).toMatch(/^nodejs_heap_used_bytes \d+$/m);
    }
  });

  it('refuses teachers (FORBIDDEN) and anonymous callers (UNAUTHENTICATED)', async () => {
    expect((await get('/metrics', await tokenOf('teacher-a'))).json()).toMatchObject({ code: 'FORBIDDEN' });
    expect((await get('/metrics')).json()).toMatchObject({ code: 'UNAUTHENTICATED' });
    expect((await get('/metrics', 'not-a-token')).statusCode).toBe(401);
  });
});

describe('GET /api/v1/units', () => {
  it('lists every unit with its gateways, online state and last seen for admins and viewers', async () => {
    for (const user of ['admin', 'viewer']) {
      const res = await get('/api/v1/units', await tokenOf(user));
      const { units } = res.json() as { units: Array<{ id: string; online: boolean; lastSeen: string | null; gateways: Array<{ id: string; online: boolean }> }> };
      expect(units).toHaveLength(FLEET.length);
      const a = units.find((u) => u.id === A.id)!;
      expect(a.online).toBe(true);
      expect(a.lastSeen).not.toBeNull();
      expect(a.gateways.map((g) => g.id)).toEqual(A.gateways);
      expect(units.find((u) => u.id === FLEET[2]!.id)).toMatchObject({ online: false, lastSeen: null });
    }
  });

  it('shows a teacher or technician only their own unit', async () => {
    const a = (await get('/api/v1/units', await tokenOf('teacher-a'))).json() as { units: Array<{ id: string }> };
    expect(a.units.map((u) => u.id)).toEqual([A.id]);
    const b = (await get('/api/v1/units', await tokenOf('tech-b'))).json() as { units: Array<{ id: string }> };
    expect(b.units.map((u) => u.id)).toEqual([B.id]);
  });
});

describe('GET /api/v1/usage', () => {
  type Events = { events: Array<{ unit: string; kit: string; at: number }> };

  it('filters by unit, device and time', async () => {
    const token = await tokenOf('viewer');
    expect(((await get('/api/v1/usage', token)).json() as Events).events).toHaveLength(3);
    expect(((await get(`/api/v1/usage?unit=${A.id}`, token)).json() as Events).events).toHaveLength(2);
    expect(((await get(`/api/v1/usage?unit=${A.id}&device=robot-2`, token)).json() as Events).events.map((e) => e.kit)).toEqual(['robot-2']);
    const from = new Date(clock + HOUR / 2).toISOString();
    expect(((await get(`/api/v1/usage?from=${encodeURIComponent(from)}`, token)).json() as Events).events).toHaveLength(1);
    expect(((await get(`/api/v1/usage?to=${clock}`, token)).json() as Events).events).toHaveLength(0);
  });

  it("limits a teacher to their unit and refuses another unit's usage", async () => {
    const token = await tokenOf('teacher-a');
    const own = (await get('/api/v1/usage', token)).json() as Events;
    expect(new Set(own.events.map((e) => e.unit))).toEqual(new Set([A.id]));
    const other = await get(`/api/v1/usage?unit=${B.id}`, token);
    expect(other.statusCode).toBe(403);
    expect(other.json()).toMatchObject({ status: 'error', code: 'FORBIDDEN' });
  });

  it('answers a bad query with 400 naming the field', async () => {
    const token = await tokenOf('admin');
    for (const [query, field] of [
      ['from=yesterday', 'from'],
      ['unit=Not%20A%20Unit', 'unit'],
      ['limit=0', 'limit'],
      [`from=${clock + HOUR}&to=${clock}`, 'to'],
      ['colour=red', 'colour'],
    ] as const) {
      const res = await get(`/api/v1/usage?${query}`, token);
      expect(res.statusCode, query).toBe(400);
      expect(res.json()).toMatchObject({ status: 'error', code: 'BAD_REQUEST', message: expect.stringContaining(`'${field}'`) as unknown });
    }
  });
});

describe('GET /api/v1/reports/quarterly', () => {
  it('gives a CSV with Vietnamese headers and content-type text/csv', async () => {
    const res = await get('/api/v1/reports/quarterly?quarter=2025Q3&format=csv&lang=vi', await tokenOf('viewer'));
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    expect(res.body).toContain('Mã đơn vị');
    expect(res.body).toContain('Số giờ sử dụng');
  });

  it('gives JSON by default and English headers on request', async () => {
    const token = await tokenOf('admin');
    const json = await get('/api/v1/reports/quarterly?quarter=2025Q3', token);
    expect(json.statusCode).toBe(200);
    expect(json.json()).toMatchObject({ quarter: '2025Q3' });
    const en = await get('/api/v1/reports/quarterly?quarter=2025Q3&format=csv&lang=en', token);
    expect(en.body).toContain('Hours used');
  });

  it('refuses teachers, and answers a bad quarter or format with 400 naming the field', async () => {
    expect((await get('/api/v1/reports/quarterly?quarter=2025Q3', await tokenOf('teacher-a'))).statusCode).toBe(403);
    const token = await tokenOf('admin');
    expect((await get('/api/v1/reports/quarterly?quarter=2025-3', token)).json()).toMatchObject({ code: 'BAD_REQUEST', message: expect.stringContaining("'quarter'") as unknown });
    expect((await get('/api/v1/reports/quarterly?quarter=2025Q3&format=pdf', token)).json()).toMatchObject({ message: expect.stringContaining("'format'") as unknown });
  });
});

describe('errors', () => {
  it('answers unknown routes with NOT_FOUND in the envelope', async () => {
    const res = await get('/api/v1/nothing');
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ status: 'error', code: 'NOT_FOUND' });
  });

  it('declares each code once with its status and a doc, and the server uses every code', () => {
    const dir = join(import.meta.dirname, '../src/api');
    const source = readdirSync(dir)
      .filter((f) => f.endsWith('.ts') && f !== 'errors.ts')
      .map((f) => readFileSync(join(dir, f), 'utf8'))
      .join('\n');
    for (const [code, { status, doc }] of Object.entries(apiErrorCodes) as Array<[ApiErrorCode, { status: number; doc: string }]>) {
      expect(status).toBeGreaterThanOrEqual(400);
      expect(doc.length).toBeGreaterThan(10);
      expect(source, code).toContain(`'${code}'`);
    }
  });
});

describe('in the central', () => {
  it('serves the API over real HTTP on port 0', async () => {
    const central = await startTestCentral({ http: { host: '127.0.0.1', port: 0 }, sessionHours: 1 });
    try {
      expect(central.httpUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const health = await fetch(`${central.httpUrl}/healthz`);
      expect(await health.json()).toEqual({ status: 'ok' });
      const credsDb = await openCentralState(undefined, central.dataDir);
      try {
        await createUser(credsDb, { username: 'admin', password: PASSWORD, role: 'admin' }, 'setup');
      } finally {
        await credsDb.close();
      }
      const login = await fetch(`${central.httpUrl}/api/v1/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: PASSWORD }) });
      const { token } = (await login.json()) as { token: string };
      const metrics = await fetch(`${central.httpUrl}/metrics`, { headers: { authorization: `Bearer ${token}` } });
      expect(metrics.status).toBe(200);
      expect(await metrics.text()).toContain('stemlab_security_refusals_total');
    } finally {
      await central.cleanup();
    }
  });
});
