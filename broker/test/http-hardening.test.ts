/**
 * The HTTP API's answers as an attacker meets them: 413 for a body over the limit, no-store on
 * the log-in and the API, the security headers on every answer, quarters bounded to years that
 * make sense, and the optional HTTPS listener (http.tls) of a real central.
 */
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApi } from '../src/api/server.ts';
import { createUser } from '../src/api/users.ts';
import { openCentralState, type CentralState } from '../src/central-state/state.ts';
import { openLedger, type Ledger } from '../src/ledger/ledger.ts';
import { seedRegistry } from '../src/registry/fleet.ts';
import { makeCerts } from './fixtures/certs.ts';
import { startTestCentral, tmpDir } from './helpers.ts';

const PASSWORD = 'correct horse battery';
let dir: { dir: string; remove: () => void };
let ledger: Ledger;
let db: CentralState;
let app: FastifyInstance;
let token: string;

beforeAll(async () => {
  dir = tmpDir();
  ledger = await openLedger({ kind: 'sqlite', file: join(dir.dir, 'ledger.sqlite') });
  db = await openCentralState(undefined, dir.dir);
  await seedRegistry(db);
  await createUser(db, { username: 'admin', password: PASSWORD, role: 'admin' }, 'setup');
  app = buildApi({ db, ledger });
  token = (await app.inject({ method: 'POST', url: '/api/v1/login', payload: { username: 'admin', password: PASSWORD } })).json<{ token: string }>().token;
});

afterAll(async () => {
  await app.close();
  await db.close();
  await ledger.close();
  dir.remove();
});

const auth = () => ({ authorization: `Bearer ${token}` });

describe('the HTTP API hardened', () => {
  it('answers a body over the limit with 413 PAYLOAD_TOO_LARGE, not 400', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/v1/login', headers: { 'content-type': 'application/json' }, payload: `{"username":"admin","password":"${'x'.repeat(2 * 1024 * 1024)}"}` });
    expect(res.statusCode).toBe(413);
    expect(res.json()).toMatchObject({ status: 'error', code: 'PAYLOAD_TOO_LARGE', message: expect.stringContaining('bytes') as unknown });
  });

  it('marks the log-in and every API answer no-store, with the security headers; errors too', async () => {
    const answers = [
      await app.inject({ method: 'POST', url: '/api/v1/login', payload: { username: 'admin', password: PASSWORD } }),
      await app.inject({ method: 'POST', url: '/api/v1/login', payload: { username: 'admin', password: 'wrong password' } }),
      await app.inject({ method: 'GET', url: '/api/v1/units', headers: auth() }),
      await app.inject({ method: 'GET', url: '/api/v1/units' }),
      await app.inject({ method: 'GET', url: '/metrics', headers: auth() }),
    ];
    for (const res of answers) {
      expect(res.headers['cache-control'], res.body.slice(0, 80)).toBe('no-store');
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['x-frame-options']).toBe('DENY');
      expect(res.headers['referrer-policy']).toBe('no-referrer');
      expect(res.headers['content-security-policy']).toBe("default-src 'none'; frame-ancestors 'none'");
    }
    // The dashboard keeps its own policy and caching.
    const page = await app.inject({ method: 'GET', url: '/' });
    expect(page.headers['content-security-policy']).not.toBe("default-src 'none'; frame-ancestors 'none'");
    expect(page.headers['cache-control']).toBe('no-cache');
    expect(page.headers['x-frame-options']).toBe('DENY');
  });

  it('lists the quota hits for the dashboard and tools (admins, viewers, technicians), no-store', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/v1/security/quota-hits', headers: auth() });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ hits: [] });
    expect(res.headers['cache-control']).toBe('no-store');
    expect((await app.inject({ method: 'GET', url: '/api/v1/security/quota-hits' })).statusCode).toBe(401);
  });

  it('bounds the quarter to years that make sense, naming the field', async () => {
    for (const quarter of ['1900Q1', '9999Q4', '2019Q4']) {
      const res = await app.inject({ method: 'GET', url: `/api/v1/reports/quarterly?quarter=${quarter}&format=json`, headers: auth() });
      expect(res.statusCode).toBe(400);
      expect(res.json<{ message: string }>().message).toMatch(/quarter.*between 2020Q1 and 2100Q4/);
    }
    expect((await app.inject({ method: 'GET', url: '/api/v1/reports/quarterly?quarter=2025Q3&format=json', headers: auth() })).statusCode).toBe(200);
  });

  it('serves HTTPS when http.tls is set', async () => {
    const certs = makeCerts();
    const central = await startTestCentral({ http: { host: '127.0.0.1', port: 0, tls: { cert: certs.serverCert, key: certs.serverKey } } });
    try {
      expect(central.httpUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      const status = await new Promise<number | undefined>((resolve, reject) => {
        const req = httpsRequest(`${central.httpUrl}/healthz`, { ca: certs.ca }, (res) => (res.resume(), resolve(res.statusCode)));
        req.on('error', reject);
        req.end();
      });
      expect(status).toBe(200);
    } finally {
      await central.cleanup();
      certs.remove();
    }
  });
});
