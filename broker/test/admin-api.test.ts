/**
 * The admin endpoints and the per-unit view of the HTTP API, on a real ledger and central state
 * (SQLite, and PostgreSQL) through fastify's inject. Protects: only admins manage accounts and the registry; every change is
 * audited with who, when and what; bodies are validated with the field named; disabling or a new
 * password ends the person's sessions at once and a role change applies to open sessions; the
 * last admin cannot lock everyone out; a unit's page shows its gateways' presence, kit faults,
 * readings and open gaps, and teachers see only their own unit.
 */
import { join } from 'node:path';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApi } from '../src/api/server.ts';
import { createUser } from '../src/api/users.ts';
import { openLedger, type Ledger } from '../src/ledger/ledger.ts';
import { FLEET, getUnit, seedRegistry } from '../src/registry/fleet.ts';
import { openCentralState, type CentralState } from '../src/central-state/state.ts';
import { BACKENDS, LedgerFactory } from './backends.ts';
import { birth, clock as gwClock, sessionStart, tmpDir } from './helpers.ts';

const A = FLEET[0]!;
const B = FLEET[1]!;
const PASSWORD = 'correct horse battery';
const T0 = Date.parse('2025-08-01T08:00:00+07:00');

describe.each(BACKENDS)('the admin API on $backend', ({ backend, run }) => {
  const backends = new LedgerFactory(backend);
  let dir: { dir: string; remove: () => void };
  let ledger: Ledger;
  let db: CentralState;
  let app: FastifyInstance;
  let clock = T0;

  const call = (method: InjectOptions['method'], url: string, token?: string, payload?: unknown) =>
    app.inject({ method, url, headers: token ? { authorization: `Bearer ${token}` } : {}, ...(payload === undefined ? {} : { payload: payload as InjectOptions['payload'] }) });
  const loginAs = (username: string, password = PASSWORD) => call('POST', '/api/v1/login', undefined, { username, password });
  async function tokenOf(username: string, password = PASSWORD): Promise<string> {
    const res = await loginAs(username, password);
    expect(res.statusCode, res.body).toBe(200);
    return (res.json() as { token: string }).token;
  }
  const auditOf = (entityId: string) =>
    db.query<{ at: number; actor: string; action: string; before: string | null; after: string | null }>('SELECT at, actor, action, before, after FROM audit WHERE entity_id = ? ORDER BY id', [entityId]);

  beforeAll(async () => {
    if (!run) return;
    backends.require();
    dir = tmpDir();
    // The ledger and the state in one database, as in a central.
    const choice = backends.choice();
    ledger = await openLedger(choice?.kind === 'postgres' ? choice : { kind: 'sqlite', file: join(dir.dir, 'ledger.sqlite') });
    db = await openCentralState(choice, dir.dir);
    await seedRegistry(db);
    const gw = A.gateways[0]!;
    await ledger.insertBatch([
      { kind: 'gateway-state', unit: A.id, gateway: gw, receivedAt: T0, state: birth(1) },
      { kind: 'kit-state', unit: A.id, gateway: gw, kit: 'robot-1', receivedAt: T0, state: { state: 'fault', reason: 'left motor stalled', at: T0, clock: gwClock() } },
      { kind: 'kit-state', unit: A.id, gateway: gw, kit: 'robot-2', receivedAt: T0, state: { state: 'connected', at: T0, clock: gwClock() } },
      { kind: 'telemetry', unit: A.id, gateway: gw, kit: 'sensor-1', component: 'thermometer', receivedAt: T0, telemetry: { value: 31.5, at: T0 } },
      // seq 1 then 4: seqs 2 and 3 are an open gap.
      { kind: 'usage', unit: A.id, gateway: gw, receivedAt: T0, event: sessionStart(1, { at: T0 }) },
      { kind: 'usage', unit: A.id, gateway: gw, receivedAt: T0, event: sessionStart(4, { at: T0 + 1000 }) },
    ]);
    await createUser(db, { username: 'admin', password: PASSWORD, role: 'admin' }, 'setup');
    await createUser(db, { username: 'viewer', password: PASSWORD, role: 'viewer' }, 'setup');
    await createUser(db, { username: 'teacher-a', password: PASSWORD, role: 'teacher', unit: A.id }, 'setup');
    app = buildApi({ db, ledger, now: () => clock });
  });

  afterAll(async () => {
    if (!run) return;
    await app.close();
    await db.close();
    await ledger.close();
    dir.remove();
    await backends.dispose();
  });

  describe.runIf(run)('GET /api/v1/me', () => {
    it('says who is logged in, with role and unit', async () => {
      expect((await call('GET', '/api/v1/me', await tokenOf('teacher-a'))).json()).toMatchObject({ username: 'teacher-a', role: 'teacher', unit: A.id });
      expect((await call('GET', '/api/v1/me', await tokenOf('viewer'))).json()).toMatchObject({ username: 'viewer', role: 'viewer', unit: null });
      expect((await call('GET', '/api/v1/me')).statusCode).toBe(401);
    });
  });

  describe.runIf(run)('accounts (admins only)', () => {
    it('lists accounts without any password hash, for admins only', async () => {
      const res = await call('GET', '/api/v1/users', await tokenOf('admin'));
      expect(res.statusCode).toBe(200);
      const { users } = res.json() as { users: Array<{ username: string }> };
      expect(users.map((u) => u.username)).toEqual(expect.arrayContaining(['admin', 'viewer', 'teacher-a']));
      expect(res.body).not.toMatch(/scrypt|password/i);
      for (const who of ['viewer', 'teacher-a']) expect((await call('GET', '/api/v1/users', await tokenOf(who))).json()).toMatchObject({ code: 'FORBIDDEN' });
    });

    it('creates a teacher of a unit, audited with who and when; the teacher logs in and sees only that unit', async () => {
      clock = T0 + 60_000;
      const admin = await tokenOf('admin');
      const res = await call('POST', '/api/v1/users', admin, { username: 'co.lan', password: PASSWORD, role: 'teacher', unit: B.id });
      expect(res.statusCode).toBe(201);
      expect(res.json()).toEqual({ user: { username: 'co.lan', role: 'teacher', unit: B.id, createdAt: clock, disabledAt: null } });
      expect(await auditOf('co.lan')).toEqual([expect.objectContaining({ at: clock, actor: 'admin', action: 'user.create' })]);
      const units = (await call('GET', '/api/v1/units', await tokenOf('co.lan'))).json() as { units: Array<{ id: string }> };
      expect(units.units.map((u) => u.id)).toEqual([B.id]);
      const again = await call('POST', '/api/v1/users', admin, { username: 'co.lan', password: PASSWORD, role: 'viewer' });
      expect(again.statusCode).toBe(409);
      expect(again.json()).toMatchObject({ code: 'CONFLICT', message: expect.stringContaining("'username'") as unknown });
    });

    it('answers a bad account with 400 naming the field', async () => {
      const admin = await tokenOf('admin');
      for (const [body, field] of [
        [{ username: 'x y', password: PASSWORD, role: 'viewer' }, 'username'],
        [{ username: 'short', password: 'short', role: 'viewer' }, 'password'],
        [{ username: 'boss', password: PASSWORD, role: 'boss' }, 'role'],
        [{ username: 'no-unit', password: PASSWORD, role: 'technician' }, 'unit'],
        [{ username: 'ghost-unit', password: PASSWORD, role: 'teacher', unit: 'no-such-unit' }, 'unit'],
        [{ username: 'extra', password: PASSWORD, role: 'viewer', colour: 'red' }, 'colour'],
      ] as const) {
        const res = await call('POST', '/api/v1/users', admin, body);
        expect(res.statusCode, JSON.stringify(body)).toBe(400);
        expect(res.json()).toMatchObject({ code: 'BAD_REQUEST', message: expect.stringContaining(`'${field}'`) as unknown });
      }
      expect((await db.get<{ n: number }>("SELECT COUNT(*) AS n FROM users WHERE username IN ('no-unit', 'ghost-unit', 'extra')"))?.n).toBe(0);
    });

    it('changes a role at once in open sessions, and audits before and after', async () => {
      const admin = await tokenOf('admin');
      await createUser(db, { username: 'mover', password: PASSWORD, role: 'teacher', unit: A.id }, 'setup');
      const own = await tokenOf('mover');
      expect(((await call('GET', '/api/v1/units', own)).json() as { units: unknown[] }).units).toHaveLength(1);
      const res = await call('PATCH', '/api/v1/users/mover', admin, { role: 'viewer' });
      expect(res.json()).toMatchObject({ user: { role: 'viewer', unit: null } });
      expect(((await call('GET', '/api/v1/units', own)).json() as { units: unknown[] }).units).toHaveLength(FLEET.length);
      const update = (await auditOf('mover')).find((r) => r.action === 'user.update')!;
      expect(update.actor).toBe('admin');
      expect(JSON.parse(update.before!)).toMatchObject({ role: 'teacher', unit: A.id });
      expect(JSON.parse(update.after!)).toMatchObject({ role: 'viewer', unit: null });
    });

    it('disables (ending the sessions) and enables an account', async () => {
      const admin = await tokenOf('admin');
      await createUser(db, { username: 'leaver', password: PASSWORD, role: 'viewer' }, 'setup');
      const theirs = await tokenOf('leaver');
      expect((await call('PATCH', '/api/v1/users/leaver', admin, { disabled: true })).json()).toMatchObject({ user: { disabledAt: clock } });
      expect((await call('GET', '/api/v1/me', theirs)).statusCode).toBe(401);
      expect((await loginAs('leaver')).statusCode).toBe(401);
      expect((await call('PATCH', '/api/v1/users/leaver', admin, { disabled: false })).json()).toMatchObject({ user: { disabledAt: null } });
      await tokenOf('leaver');
      expect((await auditOf('leaver')).map((r) => r.action)).toEqual(['user.create', 'user.disable', 'user.enable']);
    });

    it('sets a new password: the old one and the old sessions stop working, the change is audited without the password', async () => {
      const admin = await tokenOf('admin');
      await createUser(db, { username: 'forgetful', password: PASSWORD, role: 'viewer' }, 'setup');
      const old = await tokenOf('forgetful');
      const fresh = 'a brand new passphrase';
      expect((await call('PATCH', '/api/v1/users/forgetful', admin, { password: fresh })).statusCode).toBe(200);
      expect((await call('GET', '/api/v1/me', old)).statusCode).toBe(401);
      expect((await loginAs('forgetful')).statusCode).toBe(401);
      await tokenOf('forgetful', fresh);
      const rows = (await auditOf('forgetful'));
      expect(rows.map((r) => r.action)).toEqual(['user.create', 'user.password']);
      expect(JSON.stringify(rows)).not.toContain(fresh);
    });

    it('refuses to disable or demote the last enabled admin', async () => {
      const admin = await tokenOf('admin');
      for (const patch of [{ disabled: true }, { role: 'viewer' }]) {
        const res = await call('PATCH', '/api/v1/users/admin', admin, patch);
        expect(res.statusCode).toBe(409);
        expect(res.json()).toMatchObject({ code: 'CONFLICT', message: expect.stringContaining('last enabled admin') as unknown });
      }
      expect((await call('GET', '/api/v1/me', admin)).statusCode).toBe(200);
    });

    it('answers an unknown account with 404 and a bad change with 400 naming the field', async () => {
      const admin = await tokenOf('admin');
      expect((await call('PATCH', '/api/v1/users/nobody', admin, { disabled: true })).json()).toMatchObject({ code: 'NOT_FOUND' });
      expect((await call('PATCH', '/api/v1/users/viewer', admin, { role: 'teacher' })).json()).toMatchObject({ code: 'BAD_REQUEST', message: expect.stringContaining("'unit'") as unknown });
      expect((await call('PATCH', '/api/v1/users/viewer', admin, { disabled: 'yes' })).json()).toMatchObject({ message: expect.stringContaining("'disabled'") as unknown });
      expect((await call('PATCH', '/api/v1/users/viewer', admin, {})).json()).toMatchObject({ code: 'BAD_REQUEST', message: expect.stringContaining('nothing to change') as unknown });
      expect((await call('PATCH', '/api/v1/users/viewer', await tokenOf('viewer'), { role: 'admin' })).statusCode).toBe(403);
    });
  });

  describe.runIf(run)('the registry (admins only)', () => {
    const newUnit = { id: 'thpt-q3-99', kind: 'robot-club', level: 'upper-secondary', district: 'q3', name: { vi: 'Trường THPT Thử', en: 'Test Upper-Secondary' }, gateways: ['robot-club-1'] };

    it('adds a unit (201), audited with who and what; refuses a second with the same id', async () => {
      clock = T0 + 120_000;
      const admin = await tokenOf('admin');
      const res = await call('POST', '/api/v1/units', admin, newUnit);
      expect(res.statusCode, res.body).toBe(201);
      expect(await getUnit(db, newUnit.id)).toMatchObject({ ...newUnit, placeholderName: false, equipment: [] });
      expect(await auditOf(newUnit.id)).toEqual([expect.objectContaining({ at: clock, actor: 'admin', action: 'add', before: null })]);
      expect((await call('POST', '/api/v1/units', admin, newUnit)).json()).toMatchObject({ code: 'CONFLICT' });
      expect((await call('POST', '/api/v1/units', await tokenOf('viewer'), { ...newUnit, id: 'thpt-q3-98' })).statusCode).toBe(403);
    });

    it('answers a bad unit with 400 naming the field', async () => {
      const admin = await tokenOf('admin');
      for (const [body, field] of [
        [{ ...newUnit, id: 'Bad Id' }, 'id'],
        [{ ...newUnit, id: 'x-1', district: 'atlantis' }, 'district'],
        [{ ...newUnit, id: 'x-2', kind: 'garage' }, 'kind'],
        [{ ...newUnit, id: 'x-3', gateways: [] }, 'gateways'],
        [{ ...newUnit, id: 'x-4', name: { vi: '' , en: 'x' } }, 'name.vi'],
      ] as const) {
        const res = await call('POST', '/api/v1/units', admin, body);
        expect(res.statusCode, JSON.stringify(body)).toBe(400);
        expect(res.json()).toMatchObject({ code: 'BAD_REQUEST', message: expect.stringContaining(`'${field}'`) as unknown });
      }
    });

    it('changes a unit, auditing before and after; a bad change names the field and changes nothing', async () => {
      const admin = await tokenOf('admin');
      const res = await call('PATCH', `/api/v1/units/${newUnit.id}`, admin, { district: 'q5', name: { vi: 'Trường THPT Mới', en: 'New School' } });
      expect(res.json()).toMatchObject({ unit: { id: newUnit.id, district: 'q5' } });
      const update = (await auditOf(newUnit.id)).at(-1)!;
      expect(update).toMatchObject({ actor: 'admin', action: 'update' });
      expect(JSON.parse(update.before!)).toMatchObject({ district: 'q3' });
      expect(JSON.parse(update.after!)).toMatchObject({ district: 'q5', name: { en: 'New School' } });
      const bad = await call('PATCH', `/api/v1/units/${newUnit.id}`, admin, { district: 'atlantis' });
      expect(bad.json()).toMatchObject({ code: 'BAD_REQUEST', message: expect.stringContaining("'district'") as unknown });
      expect((await call('PATCH', `/api/v1/units/${newUnit.id}`, admin, { id: 'renamed' })).json()).toMatchObject({ message: expect.stringContaining("'id'") as unknown });
      expect((await getUnit(db, newUnit.id))?.district).toBe('q5');
      expect((await call('PATCH', '/api/v1/units/no-such-unit', admin, { district: 'q5' })).statusCode).toBe(404);
    });

    it('removes a unit (audited), but not one that still has accounts', async () => {
      const admin = await tokenOf('admin');
      const busy = await call('DELETE', `/api/v1/units/${A.id}`, admin);
      expect(busy.statusCode).toBe(409);
      expect(busy.json()).toMatchObject({ message: expect.stringContaining('teacher-a') as unknown });
      expect((await call('DELETE', `/api/v1/units/${newUnit.id}`, admin)).statusCode).toBe(200);
      expect(await getUnit(db, newUnit.id)).toBeUndefined();
      expect((await auditOf(newUnit.id)).at(-1)).toMatchObject({ actor: 'admin', action: 'remove', after: null });
      expect((await call('DELETE', `/api/v1/units/${newUnit.id}`, admin)).statusCode).toBe(404);
    });

    it('shows the audit trail newest first, by entity and id, paged', async () => {
      const admin = await tokenOf('admin');
      type Entries = { entries: Array<{ id: number; entity: string; entityId: string; action: string; actor: string }> };
      const units = (await call('GET', `/api/v1/audit?entity=unit&id=${newUnit.id}`, admin)).json() as Entries;
      expect(units.entries.map((e) => e.action)).toEqual(['remove', 'update', 'add']);
      const users = (await call('GET', '/api/v1/audit?entity=user&limit=5', admin)).json() as Entries;
      expect(users.entries).toHaveLength(5);
      expect(users.entries.every((e) => e.entity === 'user')).toBe(true);
      const next = (await call('GET', `/api/v1/audit?entity=user&limit=5&before=${users.entries.at(-1)!.id}`, admin)).json() as Entries;
      expect(next.entries[0]!.id).toBeLessThan(users.entries.at(-1)!.id);
      expect((await call('GET', '/api/v1/audit?entity=planet', admin)).json()).toMatchObject({ code: 'BAD_REQUEST', message: expect.stringContaining("'entity'") as unknown });
      expect((await call('GET', '/api/v1/audit', await tokenOf('viewer'))).statusCode).toBe(403);
    });
  });

  describe.runIf(run)('GET /api/v1/units/:id', () => {
    type Detail = {
      unit: {
        id: string;
        online: boolean;
        gateways: Array<{
          id: string;
          online: boolean;
          lastSeen: string | null;
          kits: Array<{ kit: string; state: string; reason: string | null }>;
          readings: Array<{ kit: string; component: string; value: unknown }>;
          gaps: Array<{ fromSeq: number; toSeq: number; missing: number; status: string }>;
        }>;
      };
    };

    it("shows a unit's gateways with presence, kit faults, latest readings and open gaps", async () => {
      const res = await call('GET', `/api/v1/units/${A.id}`, await tokenOf('viewer'));
      expect(res.statusCode).toBe(200);
      const { unit } = res.json() as Detail;
      expect(unit).toMatchObject({ id: A.id, online: true });
      const gw = unit.gateways[0]!;
      expect(gw).toMatchObject({ id: A.gateways[0], online: true, lastSeen: new Date(T0).toISOString() });
      expect(gw.kits).toEqual([expect.objectContaining({ kit: 'robot-1', state: 'fault', reason: 'left motor stalled' }), expect.objectContaining({ kit: 'robot-2', state: 'connected' })]);
      expect(gw.readings).toEqual([expect.objectContaining({ kit: 'sensor-1', component: 'thermometer', value: 31.5 })]);
      expect(gw.gaps).toEqual([expect.objectContaining({ fromSeq: 2, toSeq: 3, missing: 2, status: 'open' })]);
    });

    it('shows a never-seen unit as offline with nothing known', async () => {
      const { unit } = (await call('GET', `/api/v1/units/${B.id}`, await tokenOf('admin'))).json() as Detail;
      expect(unit.online).toBe(false);
      expect(unit.gateways).toEqual([expect.objectContaining({ online: false, lastSeen: null, kits: [], readings: [], gaps: [] })]);
    });

    it('lets a teacher see only their own unit; 404 for an unknown unit, 400 for a bad id', async () => {
      const teacher = await tokenOf('teacher-a');
      expect((await call('GET', `/api/v1/units/${A.id}`, teacher)).statusCode).toBe(200);
      expect((await call('GET', `/api/v1/units/${B.id}`, teacher)).json()).toMatchObject({ code: 'FORBIDDEN' });
      expect((await call('GET', '/api/v1/units/no-such-unit', await tokenOf('admin'))).statusCode).toBe(404);
      expect((await call('GET', '/api/v1/units/Bad%20Id', await tokenOf('admin'))).json()).toMatchObject({ code: 'BAD_REQUEST', message: expect.stringContaining("'id'") as unknown });
    });

    it('lists the districts with their names alongside the units', async () => {
      const body = (await call('GET', '/api/v1/units', await tokenOf('viewer'))).json() as { districts: Array<{ id: string; vi: string; en: string }> };
      expect(body.districts).toContainEqual(expect.objectContaining({ id: 'thu-duc', vi: 'Thành phố Thủ Đức', en: 'Thu Duc City' }));
    });
  });
});
