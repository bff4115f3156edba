import { randomUUID } from 'node:crypto';
import { usageEventSchema } from '@stemlab/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TRENDS_KEPT_MS } from '../src/api/trends-routes.ts';
import { createUser } from '../src/api/users.ts';
import { openCentralState } from '../src/central-state/state.ts';
import type { Trends } from '../src/reports/trends.ts';
import { clock, startTestCentral, type TestCentral } from './helpers.ts';

// The trends are kept a minute by the API's clock: the same figures within it, new data after it.
const UNIT = 'thcs-q1-01';
const GATEWAY = 'robot-club-1';
const T0 = Date.UTC(2026, 1, 10, 2); // Tuesday 10 February 2026, 09:00 in Ho Chi Minh City
let now = T0;
let central: TestCentral;
let token: string;

function session(seq: number, startedAt: number, minutes: number) {
  const id = randomUUID();
  const endedAt = startedAt + minutes * 60_000;
  const device = { kit: 'robot-1', component: null, type: 'kit' };
  return usageEventSchema.parse({ v: 1, eventId: randomUUID(), seq, at: endedAt, clock: clock(), type: 'session.end', device, session: { id, startedAt, endedAt, durationMs: endedAt - startedAt, purpose: { kind: 'club-session' }, counts: { activations: 1, motorMs: 0, readings: 0 }, faults: 0, endReason: 'idle' } });
}

beforeAll(async () => {
  central = await startTestCentral({ http: { host: '127.0.0.1', port: 0, now: () => now } });
  const db = await openCentralState(undefined, central.dataDir);
  await createUser(db, { username: 'so.gd', password: 'trends cache password', role: 'viewer' }, 'setup', T0);
  await db.close();
  const res = await fetch(`${central.httpUrl}/api/v1/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'so.gd', password: 'trends cache password' }) });
  token = ((await res.json()) as { token: string }).token;
});

afterAll(() => central?.cleanup());

const unitMs = async () => {
  const res = await fetch(`${central.httpUrl}/api/v1/trends`, { headers: { authorization: `Bearer ${token}` } });
  expect(res.status).toBe(200);
  const trends = (await res.json()) as Trends;
  expect(trends.quarter).toBe('2026Q1');
  return trends.units.find((u) => u.unit === UNIT)?.usedMs;
};

describe('GET /api/v1/trends, kept a minute', () => {
  it('answers the same within the minute and the new data after it', async () => {
    await central.ledger.insertBatch([{ kind: 'usage', unit: UNIT, gateway: GATEWAY, receivedAt: T0, event: session(1, T0 - 3_600_000, 45) }]);
    expect(await unitMs()).toBe(45 * 60_000);
    await central.ledger.insertBatch([{ kind: 'usage', unit: UNIT, gateway: GATEWAY, receivedAt: T0, event: session(2, T0 - 1_800_000, 20) }]);
    now = T0 + TRENDS_KEPT_MS - 1;
    expect(await unitMs()).toBe(45 * 60_000);
    now = T0 + TRENDS_KEPT_MS;
    expect(await unitMs()).toBe(65 * 60_000);
  });
});
