/**
 * The central's own state (central-state/state.ts) on both backends: a gateway's credentials
 * (provision, verify, rotate, revoke), a person's account (create, log in, session, disable, the
 * last admin kept), the registry (seeded once, edited, audited) and the audit trail. Then two
 * centrals with different data dirs on ONE PostgreSQL schema: a gateway provisioned through one
 * connects to the other, and a person created on one logs in on the other. That is what lets
 * central nodes on several machines share their state. And the upgrade of a central whose ledger
 * was on PostgreSQL while its state stayed in its SQLite file: copied over once (import.ts).
 */
import { Writable } from 'node:stream';
import mqtt from 'mqtt';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { queryAudit } from '../src/api/audit-log.ts';
import { createUser, disableUser, getUser, listUsers, login, logout, sessionOf, updateUser } from '../src/api/users.ts';
import { openCentralState } from '../src/central-state/state.ts';
import { provisionGatewayCommand } from '../src/index.ts';
import { FLEET, getUnit, listUnits, seedRegistry, unitAudit, updateUnit } from '../src/registry/fleet.ts';
import { hasCredentials, provisionGateway, revokeGateway, verify } from '../src/security/credentials.ts';
import { BACKENDS, eachCentralState, LedgerFactory } from './backends.ts';
import { startTestCentral, tmpDir, type TestCentral } from './helpers.ts';

const PASSWORD = 'correct horse battery';
const HOUR = 3_600_000;

describe.each(BACKENDS)('the central state on $backend', ({ backend, run }) => {
  const state = eachCentralState(backend, run);

  describe.runIf(run)('(service available)', () => {
    it("provisions, verifies, rotates and revokes a gateway's credentials", async () => {
      const first = await provisionGateway(state(), 'thcs-q1-01', 'robot-club-1', 1000);
      expect(first).toMatchObject({ unit: 'thcs-q1-01', gateway: 'robot-club-1', username: 'gw:thcs-q1-01:robot-club-1', rotated: false });
      expect(await hasCredentials(state(), first.username)).toBe(true);
      expect(await hasCredentials(state(), 'gw:thcs-q1-01:nobody')).toBe(false);
      expect(await verify(state(), first.username, first.password)).toEqual({ unit: 'thcs-q1-01', gateway: 'robot-club-1' });
      expect(await verify(state(), first.username, Buffer.from(first.password))).toEqual({ unit: 'thcs-q1-01', gateway: 'robot-club-1' });
      expect(await verify(state(), first.username, `${first.password}x`)).toBeUndefined();
      expect(await verify(state(), 'gw:thcs-q1-01:nobody', first.password)).toBeUndefined();
      expect(await verify(state(), undefined, undefined)).toBeUndefined();
      const stored = await state().get<{ secret_hash: string; created_at: number }>('SELECT secret_hash, created_at FROM credentials WHERE username = ?', [first.username]);
      expect(stored?.secret_hash).toMatch(/^scrypt\$32768\$8\$1\$/);
      expect(stored?.secret_hash).not.toContain(first.password);

      const second = await provisionGateway(state(), 'thcs-q1-01', 'robot-club-1', 2000);
      expect(second.rotated).toBe(true);
      expect(await verify(state(), first.username, first.password)).toBeUndefined();
      expect(await verify(state(), second.username, second.password)).toBeDefined();
      // A rotation keeps the creation time.
      expect(await state().get('SELECT created_at, rotated_at FROM credentials WHERE username = ?', [first.username])).toEqual({ created_at: 1000, rotated_at: 2000 });

      expect(await revokeGateway(state(), 'thcs-q1-01', 'robot-club-1')).toBe(true);
      expect(await revokeGateway(state(), 'thcs-q1-01', 'robot-club-1')).toBe(false);
      expect(await verify(state(), second.username, second.password)).toBeUndefined();
      // Revoked but known: its client id stays reserved for it.
      expect(await hasCredentials(state(), second.username)).toBe(true);
      const third = await provisionGateway(state(), 'thcs-q1-01', 'robot-club-1');
      expect(await verify(state(), third.username, third.password)).toBeDefined();
      await expect(provisionGateway(state(), 'Bad Unit', 'robot-club-1')).rejects.toThrow(/slugs/);
    });

    it('creates an account, logs in, keeps only hashes, expires and ends sessions, and disables', async () => {
      const t0 = Date.parse('2025-08-01T08:00:00+07:00');
      await createUser(state(), { username: 'admin', password: PASSWORD, role: 'admin' }, 'setup', t0);
      const teacher = await createUser(state(), { username: 'co.lan', password: PASSWORD, role: 'teacher', unit: 'thcs-q1-01' }, 'admin', t0);
      expect(teacher).toEqual({ username: 'co.lan', role: 'teacher', unit: 'thcs-q1-01', createdAt: t0, disabledAt: null });
      await expect(createUser(state(), { username: 'co.lan', password: PASSWORD, role: 'viewer' }, 'admin')).rejects.toThrow();
      expect((await listUsers(state())).map((u) => u.username)).toEqual(['admin', 'co.lan']);

      expect(await login(state(), 'co.lan', 'wrong password', HOUR, t0)).toBeUndefined();
      expect(await login(state(), 'nobody', PASSWORD, HOUR, t0)).toBeUndefined();
      const s = await login(state(), 'co.lan', PASSWORD, HOUR, t0);
      expect(s).toMatchObject({ username: 'co.lan', role: 'teacher', unit: 'thcs-q1-01', expiresAt: t0 + HOUR });
      const token = s!.token;
      expect(JSON.stringify(await state().query('SELECT * FROM sessions'))).not.toContain(token);
      expect(JSON.stringify(await state().query('SELECT * FROM users'))).not.toContain(PASSWORD);
      expect(await sessionOf(state(), token, t0 + 1000)).toEqual({ username: 'co.lan', role: 'teacher', unit: 'thcs-q1-01', expiresAt: t0 + HOUR });
      expect(await sessionOf(state(), token, t0 + HOUR)).toBeUndefined();
      expect(await sessionOf(state(), 'not a token', t0)).toBeUndefined();

      // A new role applies to the open session at once.
      const other = (await login(state(), 'co.lan', PASSWORD, HOUR, t0))!.token;
      await updateUser(state(), 'co.lan', { role: 'viewer' }, 'admin', t0 + 1);
      expect(await sessionOf(state(), other, t0 + 2)).toMatchObject({ role: 'viewer', unit: null });
      expect(await logout(state(), other)).toBe(true);
      expect(await logout(state(), other)).toBe(false);

      const third = (await login(state(), 'co.lan', PASSWORD, HOUR, t0))!.token;
      expect(await disableUser(state(), 'co.lan', 'admin', t0 + 3)).toBe(true);
      expect(await disableUser(state(), 'co.lan', 'admin', t0 + 3)).toBe(false);
      expect(await sessionOf(state(), third, t0 + 4)).toBeUndefined();
      expect(await login(state(), 'co.lan', PASSWORD, HOUR, t0 + 5)).toBeUndefined();
      expect((await getUser(state(), 'co.lan'))?.disabledAt).toBe(t0 + 3);

      // The last enabled admin stays one.
      await expect(updateUser(state(), 'admin', { disabled: true }, 'admin')).rejects.toMatchObject({ code: 'LAST_ADMIN' });
      await expect(updateUser(state(), 'nobody', { role: 'viewer' }, 'admin')).rejects.toMatchObject({ code: 'USER_NOT_FOUND' });

      const actions = (await queryAudit(state(), { entity: 'user', id: 'co.lan', limit: 100 })).map((r) => r.action);
      expect(actions).toEqual(['user.disable', 'user.update', 'user.create']);
      // An admin's log-in is audited; nobody else's.
      expect(await login(state(), 'admin', PASSWORD, HOUR, t0)).toBeDefined();
      expect((await queryAudit(state(), { entity: 'user', id: 'admin', limit: 100 })).map((r) => r.action)).toEqual(['session.login', 'user.create']);
    });

    it('seeds the registry once, and audits every edit with its before and after', async () => {
      expect(await seedRegistry(state(), FLEET, { now: 1000 })).toBe(FLEET.length);
      expect(await seedRegistry(state())).toBe(0);
      expect(await listUnits(state())).toHaveLength(FLEET.length);
      const before = (await getUnit(state(), 'thcs-q1-01'))!;
      const after = await updateUnit(state(), 'thcs-q1-01', { gateways: ['robot-club-1', 'robot-club-2'] }, 'admin', { now: 2000 });
      expect(await getUnit(state(), 'thcs-q1-01')).toEqual(after);
      expect(await unitAudit(state(), 'thcs-q1-01')).toEqual([
        { id: expect.any(Number), at: 1000, actor: 'system:seed', action: 'seed', entity: 'unit', entityId: 'thcs-q1-01', before: null, after: before },
        { id: expect.any(Number), at: 2000, actor: 'admin', action: 'update', entity: 'unit', entityId: 'thcs-q1-01', before, after },
      ]);
      // Newest first, paged by id.
      const page = await queryAudit(state(), { entity: 'unit', limit: 2 });
      expect(page.map((r) => r.action)).toEqual(['update', 'seed']);
      const next = await queryAudit(state(), { entity: 'unit', before: page[1]!.id, limit: 1000 });
      expect(next).toHaveLength(FLEET.length - 1);
      expect(next.every((r) => r.id < page[1]!.id)).toBe(true);
    });
  });
});

describe.runIf(BACKENDS.find((b) => b.backend === 'postgres')!.run)('two centrals on one PostgreSQL schema', () => {
  const backends = new LedgerFactory('postgres');
  const centrals: TestCentral[] = [];
  const clients: mqtt.MqttClient[] = [];

  afterAll(async () => {
    await Promise.all(clients.splice(0).map((c) => c.endAsync(true)));
    for (const c of centrals.splice(0)) await c.cleanup();
    await backends.dispose();
  });

  it("share a gateway's credentials and a person's account, though their data dirs differ", async () => {
    backends.require();
    const ledger = backends.choice();
    // Started together: the registry is still seeded once.
    const [a, b] = await Promise.all([
      startTestCentral({ ledger, http: { host: '127.0.0.1', port: 0 }, security: {} }),
      startTestCentral({ ledger, http: { host: '127.0.0.1', port: 0 }, security: {} }),
    ]);
    centrals.push(a, b);
    expect(a.dataDir).not.toBe(b.dataDir);
    const state = await openCentralState(ledger, a.dataDir);
    try {
      expect(await listUnits(state)).toHaveLength(FLEET.length);
      expect((await state.get<{ n: number }>("SELECT COUNT(*) AS n FROM audit WHERE action = 'seed'"))?.n).toBe(FLEET.length);

      // Provisioned through A (as `stemlab provision gateway --config` on A's machine)...
      const creds = await provisionGatewayCommand(a.dataDir, 'thcs-q1-01', 'robot-club-1', ledger);
      // ...the gateway connects to B, and a wrong secret is refused there.
      const gw = await mqtt.connectAsync(b.mqttUrl, { clientId: creds.username, username: creds.username, password: creds.password, reconnectPeriod: 0 });
      clients.push(gw);
      expect(gw.connected).toBe(true);
      const refused = await mqtt
        .connectAsync(b.mqttUrl, { clientId: creds.username, username: creds.username, password: 'not the secret', reconnectPeriod: 0 })
        .then((c) => (clients.push(c), undefined), (err: unknown) => (err as { code?: number }).code);
      expect(refused).toBe(4);
      expect([a.security.refusals['bad-credentials'], b.security.refusals['bad-credentials']]).toEqual([0, 1]);

      // An admin created on A's side creates a teacher through A's API; the teacher logs in on B.
      await createUser(state, { username: 'admin', password: PASSWORD, role: 'admin' }, 'setup');
      const post = (central: TestCentral, path: string, body: unknown, token?: string) =>
        fetch(`${central.httpUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify(body) });
      const adminToken = ((await (await post(a, '/api/v1/login', { username: 'admin', password: PASSWORD })).json()) as { token: string }).token;
      const created = await post(a, '/api/v1/users', { username: 'co.lan', password: PASSWORD, role: 'teacher', unit: 'thcs-q1-01' }, adminToken);
      expect(created.status).toBe(201);
      const onB = await post(b, '/api/v1/login', { username: 'co.lan', password: PASSWORD });
      expect(onB.status).toBe(200);
      const { token } = (await onB.json()) as { token: string };
      // The session is good on either node.
      for (const central of [a, b]) {
        const me = await fetch(`${central.httpUrl}/api/v1/me`, { headers: { authorization: `Bearer ${token}` } });
        expect(await me.json()).toMatchObject({ username: 'co.lan', role: 'teacher', unit: 'thcs-q1-01' });
      }
      // Disabled through B: refused on A at once.
      const patch = await fetch(`${b.httpUrl}/api/v1/users/co.lan`, { method: 'PATCH', headers: { 'content-type': 'application/json', authorization: `Bearer ${adminToken}` }, body: JSON.stringify({ disabled: true }) });
      expect(patch.status).toBe(200);
      expect((await fetch(`${a.httpUrl}/api/v1/me`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(401);
      expect((await queryAudit(state, { entity: 'user', id: 'co.lan', limit: 10 })).map((r) => r.action)).toEqual(['user.disable', 'user.create']);
    } finally {
      await state.close();
    }
  });
});

describe.runIf(BACKENDS.find((b) => b.backend === 'postgres')!.run)('upgrading a central whose ledger was already on PostgreSQL', () => {
  const backends = new LedgerFactory('postgres');
  const dirs: Array<ReturnType<typeof tmpDir>> = [];

  afterAll(async () => {
    for (const d of dirs.splice(0)) d.remove();
    await backends.dispose();
  });

  /** A data dir whose SQLite file holds state, as an older central left it. */
  async function oldDataDir(gateway: string, username: string) {
    const dir = tmpDir();
    dirs.push(dir);
    const old = await openCentralState(undefined, dir.dir);
    try {
      await seedRegistry(old, FLEET, { now: 1000 });
      const creds = await provisionGateway(old, 'thcs-q1-01', gateway);
      await createUser(old, { username, password: PASSWORD, role: 'admin' }, 'setup');
      return { dir: dir.dir, creds };
    } finally {
      await old.close();
    }
  }

  it("copies the SQLite file's credentials, accounts, registry and audit once, and reports what another node's file has that PostgreSQL lacks", async () => {
    backends.require();
    const ledger = backends.choice();
    const lines: Array<Record<string, unknown>> = [];
    const log = pino(new Writable({ write: (chunk: Buffer, _enc, done) => (lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>), done()) }));
    const first = await oldDataDir('robot-club-1', 'admin');

    const state = await openCentralState(ledger, first.dir, log);
    try {
      expect(await verify(state, first.creds.username, first.creds.password)).toEqual({ unit: 'thcs-q1-01', gateway: 'robot-club-1' });
      expect(await login(state, 'admin', PASSWORD, HOUR)).toBeDefined();
      expect(await listUnits(state)).toHaveLength(FLEET.length);
      const audit = await unitAudit(state, 'thcs-q1-01');
      expect(audit).toMatchObject([{ at: 1000, actor: 'system:seed', action: 'seed' }]);
      // The schema's state is now its own: no second seed.
      expect(await seedRegistry(state)).toBe(0);
    } finally {
      await state.close();
    }
    expect(lines.filter((l) => l.msg === 'central state copied from the SQLite file into PostgreSQL (once)')).toMatchObject([{ counts: { credentials: 1, users: 1, registry: FLEET.length } }]);

    // Opened again: nothing to copy, nothing to say.
    lines.length = 0;
    await (await openCentralState(ledger, first.dir, log)).close();
    expect(lines).toEqual([]);

    // A second node's own file (its own secret for another gateway, another admin) is not merged: it is reported.
    const second = await oldDataDir('robot-club-2', 'admin-2');
    const again = await openCentralState(ledger, second.dir, log);
    try {
      expect(await verify(again, second.creds.username, second.creds.password)).toBeUndefined();
      expect(await getUser(again, 'admin-2')).toBeUndefined();
    } finally {
      await again.close();
    }
    expect(lines).toMatchObject([{ level: 40, counts: { credentials: 1, users: 1 } }]);
  });
});
