/**
 * The log-in rate limit (api/login-limit.ts): the limiter alone on a fake clock, then through the
 * real API on a real SQLite ledger. Protects: refusal per username+address and per address with
 * 429, Retry-After and a clear message, without checking the password; a success clears the
 * username's failures but not the address's; windows end; refusals in /metrics and logged once
 * per blocked key; a flood of random usernames and addresses cannot grow memory past the bound.
 */
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LoginLimiter } from '../src/security/login-limit.ts';
import { buildApi } from '../src/api/server.ts';
import { createUser } from '../src/api/users.ts';
import { openLedger, type Ledger } from '../src/ledger/ledger.ts';
import { seedRegistry } from '../src/registry/fleet.ts';
import { openCentralState, type CentralState } from '../src/central-state/state.ts';
import { tmpDir } from './helpers.ts';

const MIN = 60_000;

describe('LoginLimiter', () => {
  it('refuses a username from an address after max failures, until the window ends', () => {
    const l = new LoginLimiter({ perUser: { max: 5, windowMs: 15 * MIN } });
    const t = 1_000_000;
    for (let i = 0; i < 5; i++) {
      expect(l.check('an', '10.0.0.1', t + i)).toBeUndefined();
      l.failed('an', '10.0.0.1', t + i);
    }
    expect(l.check('an', '10.0.0.1', t + 10)).toEqual({ scope: 'user', retryAfterSec: 900, first: true });
    expect(l.check('an', '10.0.0.1', t + 5 * MIN)).toEqual({ scope: 'user', retryAfterSec: 600, first: false });
    // Another address, another account: not affected.
    expect(l.check('an', '10.0.0.2', t + 10)).toBeUndefined();
    expect(l.check('binh', '10.0.0.1', t + 10)).toBeUndefined();
    expect(l.check('an', '10.0.0.1', t + 15 * MIN)).toBeUndefined();
    expect(l.refusals).toEqual({ user: 2, address: 0 });
  });

  it("clears a username's failures on success, but not its address's", () => {
    const l = new LoginLimiter({ perUser: { max: 3, windowMs: MIN }, perAddress: { max: 5, windowMs: MIN } });
    for (let i = 0; i < 2; i++) l.failed('an', 'a', 0);
    l.succeeded('an', 'a');
    for (let i = 0; i < 2; i++) l.failed('an', 'a', 0);
    expect(l.check('an', 'a', 1)).toBeUndefined();
    l.failed('binh', 'a', 0);
    // 5 failures from the address, whatever the success in between.
    expect(l.check('chi', 'a', 1)).toMatchObject({ scope: 'address' });
  });

  it('keeps memory bounded under a flood of random usernames and addresses', () => {
    const l = new LoginLimiter({ maxEntries: 1000 });
    for (let i = 0; i < 200_000; i++) l.failed(`user-${Math.random().toString(36).slice(2)}`, `10.${i % 251}.${(i >> 8) % 251}.${i % 7}`, i);
    expect(l.size).toBeLessThanOrEqual(2000);
    // Expired windows go first: after the window, new keys replace them.
    const later = new LoginLimiter({ maxEntries: 10, perUser: { max: 5, windowMs: 1000 }, perAddress: { max: 50, windowMs: 1000 } });
    for (let i = 0; i < 10; i++) later.failed(`u${i}`, `a${i}`, 0);
    later.failed('fresh', 'x', 5000);
    expect(later.size).toBe(2);
  });

  it('refuses nonsense options with the field named', () => {
    expect(() => new LoginLimiter({ perUser: { max: 0, windowMs: MIN } })).toThrow(/perUser/);
    expect(() => new LoginLimiter({ maxEntries: 0 })).toThrow(/maxEntries/);
  });
});

describe('POST /api/v1/login with the limit', () => {
  const PASSWORD = 'correct horse battery';
  let dir: { dir: string; remove: () => void };
  let ledger: Ledger;
  let db: CentralState;
  let app: FastifyInstance;
  let clock = Date.parse('2025-08-01T08:00:00+07:00');
  const logLines: Array<Record<string, unknown>> = [];

  const login = (username: string, password: string, remoteAddress: string) =>
    app.inject({ method: 'POST', url: '/api/v1/login', remoteAddress, payload: { username, password } });

  beforeAll(async () => {
    dir = tmpDir();
    const file = join(dir.dir, 'ledger.sqlite');
    ledger = await openLedger({ kind: 'sqlite', file });
    db = await openCentralState(undefined, dir.dir);
    await seedRegistry(db);
    for (const username of ['admin', 'an', 'binh']) await createUser(db, { username, password: PASSWORD, role: username === 'admin' ? 'admin' : 'viewer' }, 'setup');
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        logLines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
        done();
      },
    });
    app = buildApi({ db, ledger, now: () => clock, loginLimit: { perUser: { max: 3, windowMs: 15 * MIN }, perAddress: { max: 6, windowMs: 15 * MIN } }, log: pino(sink) });
  });

  afterAll(async () => {
    await app.close();
    await db.close();
    await ledger.close();
    dir.remove();
  });

  it('answers 429 with Retry-After and a clear message after too many failures, even for the right password', async () => {
    for (let i = 0; i < 3; i++) expect((await login('an', 'wrong password', '10.1.1.1')).statusCode).toBe(401);
    for (const password of ['wrong password', PASSWORD]) {
      const res = await login('an', password, '10.1.1.1');
      expect(res.statusCode).toBe(429);
      expect(res.headers['retry-after']).toBe('900');
      expect(res.json()).toEqual({ status: 'error', code: 'TOO_MANY_REQUESTS', message: "too many failed log-ins for 'an' from this address; try again in 15 minutes" });
    }
    // The person at another address is not locked out by someone guessing their password.
    expect((await login('an', PASSWORD, '10.1.1.2')).statusCode).toBe(200);
    clock += 15 * MIN;
    expect((await login('an', PASSWORD, '10.1.1.1')).statusCode).toBe(200);
  });

  it("a success clears the username's failures", async () => {
    for (let i = 0; i < 2; i++) await login('binh', 'wrong password', '10.2.2.2');
    expect((await login('binh', PASSWORD, '10.2.2.2')).statusCode).toBe(200);
    for (let i = 0; i < 2; i++) expect((await login('binh', 'wrong password', '10.2.2.2')).statusCode).toBe(401);
    expect((await login('binh', PASSWORD, '10.2.2.2')).statusCode).toBe(200);
  });

  it('refuses an address that tries many usernames', async () => {
    // 10.2.2.2 has 4 failures in this window already; two more names reach 6.
    for (const name of ['chi', 'dung']) expect((await login(name, 'wrong password', '10.2.2.2')).statusCode).toBe(401);
    const res = await login('admin', PASSWORD, '10.2.2.2');
    expect(res.statusCode).toBe(429);
    expect(res.json()).toMatchObject({ code: 'TOO_MANY_REQUESTS', message: expect.stringContaining('from this address; try again in') as unknown });
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('counts refusals in /metrics and logs each blocked key once', async () => {
    const token = ((await login('admin', PASSWORD, '10.9.9.9')).json() as { token: string }).token;
    const metrics = await app.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${token}` } });
    expect(metrics.body).toContain('# TYPE stemlab_login_refusals_total counter');
    expect(metrics.body).toMatch(/^stemlab_login_refusals_total\{scope="user"\} 2$/m);
    expect(metrics.body).toMatch(/^stemlab_login_refusals_total\{scope="address"\} 1$/m);
    const refused = logLines.filter((l) => l.msg === 'log-in refused: too many failures');
    expect(refused).toEqual([
      expect.objectContaining({ module: 'api', level: 40, username: 'an', address: '10.1.1.1', scope: 'user', retryAfterSec: 900 }),
      expect.objectContaining({ username: 'admin', address: '10.2.2.2', scope: 'address' }),
    ]);
  });

  it('counts each attempt before its password is checked: parallel wrong passwords do not all get through', async () => {
    const statuses = (await Promise.all(Array.from({ length: 60 }, () => login('an', 'wrong password', '10.7.7.7')))).map((r) => r.statusCode);
    expect(statuses.filter((s) => s === 401)).toHaveLength(3);
    expect(statuses.filter((s) => s === 429)).toHaveLength(57);
    // Many usernames from one address: the address's limit (6) holds the same way.
    const many = (await Promise.all(Array.from({ length: 300 }, (_, i) => login(`user-${i}`, 'wrong password', '10.8.8.8')))).map((r) => r.statusCode);
    expect(many.filter((s) => s === 401)).toHaveLength(6);
    expect(many.filter((s) => s === 429)).toHaveLength(294);
    clock += 15 * MIN;
  });
});

describe('behind a reverse proxy (http.trustProxy)', () => {
  it('limits each person by their forwarded address, not the proxy, and believes only the listed proxy', async () => {
    const dir = tmpDir();
    const file = join(dir.dir, 'ledger.sqlite');
    const ledger = await openLedger({ kind: 'sqlite', file });
    const db = await openCentralState(undefined, dir.dir);
    const app = buildApi({ db, ledger, trustProxy: ['10.0.0.1'], loginLimit: { perUser: { max: 2, windowMs: 15 * MIN }, perAddress: { max: 2, windowMs: 15 * MIN } } });
    try {
      const login = (remoteAddress: string, forwardedFor: string) =>
        app.inject({ method: 'POST', url: '/api/v1/login', remoteAddress, headers: { 'x-forwarded-for': forwardedFor }, payload: { username: 'nobody', password: 'wrong password' } });
      // Through the proxy: 203.0.113.5 is blocked after 2 failures, 203.0.113.6 is not.
      for (let i = 0; i < 2; i++) expect((await login('10.0.0.1', '203.0.113.5')).statusCode).toBe(401);
      expect((await login('10.0.0.1', '203.0.113.5')).statusCode).toBe(429);
      expect((await login('10.0.0.1', '203.0.113.6')).statusCode).toBe(401);
      // Not from the proxy: the header is ignored, so forging it does not escape the limit.
      for (let i = 0; i < 2; i++) expect((await login('10.9.0.9', `198.51.100.${i}`)).statusCode).toBe(401);
      expect((await login('10.9.0.9', '198.51.100.7')).statusCode).toBe(429);
    } finally {
      await app.close();
      await db.close();
      await ledger.close();
      dir.remove();
    }
  });
});
