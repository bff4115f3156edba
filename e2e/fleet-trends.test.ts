/**
 * The dashboard's trends equal the fleet simulator's truth: a seeded quarter of a part of the
 * fleet (8 robot clubs, 4 lab centres, 2 kits each; Tết, breakdowns, repairs and outages) lived
 * through real MQTT clients into a central on the same simulated clock, then
 * `GET /api/v1/trends` must give, exactly, what the plan says happened (simulators/src/fleet/trend-truth.ts):
 * kit-time per week per unit, per category and per district, each kit's time, the most and
 * least used kits, the equipment never used, faults per week and repairs. The seed is printed;
 * STEMLAB_FLEET_SEED replays one. On SQLite and on PostgreSQL (its own schema), with the unit
 * reads the dashboard makes (statuses, recent sessions, completeness) on each.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, LedgerFactory } from '../broker/test/backends.ts';
import { createUser, FLEET, startCentral, type Central } from '@stemlab/broker';
import { createLogger } from '@stemlab/edge-agent';
import { fleetTruth, planFleet, quarterSpan, SimClock, trendTruth, type FleetPlan, type TrendTruth } from '@stemlab/simulators/fleet';
import { fleetSpecs, playFleet, registryUnits } from '../cli/fleet/fleet.ts';
import type { Trends } from '../broker/src/reports/trends.ts';
import { OPEN_ANONYMOUS } from '../testing/anonymous-rights.ts';

const QUARTER = '2026Q1';
const seed = Number(process.env.STEMLAB_FLEET_SEED ?? 16_2026);
const districtOf = (unit: string) => FLEET.find((u) => u.id === unit)?.district ?? 'q1';

describe.each(BACKENDS)('on $backend', ({ backend, run }) => {
  const factory = new LedgerFactory(backend);
  let dir: string;
  let central: Central;
  let plan: FleetPlan;
  let truth: TrendTruth;
  let token: string;

  beforeAll(async () => {
    console.log(`fleet trends: seed ${seed} (STEMLAB_FLEET_SEED=${seed} replays it)`);
    dir = mkdtempSync(join(tmpdir(), 'stemlab-trends-'));
    const span = quarterSpan(QUARTER);
    const clock = new SimClock(span.from);
    if (!run) return;
    factory.require();
    const ledger = factory.choice();
    central = await startCentral({
      ...(ledger ? { ledger } : {}),
      dataDir: join(dir, 'central'), mqtt: { host: '127.0.0.1', port: 0 }, log: createLogger('silent'), security: OPEN_ANONYMOUS,
      reports: { archive: false }, ingest: { now: clock.now }, http: { host: '127.0.0.1', port: 0, now: clock.now },
    });
    plan = planFleet({ quarter: QUARTER, seed, gateways: fleetSpecs({ robotUnits: 8, labs: 4, robotsPerUnit: 2, benchesPerLab: 2 }), activity: 0.3, longOutageDays: 2, shortOutages: 1 });
    const played = await playFleet({ plan, clock, mqttUrl: central.mqttUrl, ledger: central.ledger });
    await central.ingest.drain();
    for (const twin of played.twins) await twin.close();
    truth = trendTruth(plan, districtOf);
    await createUser(central.ledger.sql, { username: 'admin.trends', password: 'trends test password', role: 'admin' }, 'test');
    const res = await fetch(`${central.httpUrl}/api/v1/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin.trends', password: 'trends test password' }) });
    token = ((await res.json()) as { token: string }).token;
    // The registry lists each unit's simulated equipment, so a kit never used is known (as an admin would).
    for (const u of registryUnits(plan)) {
      const patch = await fetch(`${central.httpUrl}/api/v1/units/${u.id}`, { method: 'PATCH', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ equipment: u.equipment }) });
      expect(patch.status).toBe(200);
    }
  }, 120_000);

  afterAll(async () => {
    await central?.stop();
    await factory.dispose();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function trends(query = `quarter=${QUARTER}`): Promise<Trends> {
    const res = await fetch(`${central.httpUrl}/api/v1/trends?${query}`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    return (await res.json()) as Trends;
  }

  describe.runIf(run)('GET /api/v1/trends after a simulated quarter', () => {
    it('gives the true kit-time per week per unit, per kind of equipment and per district', async () => {
      const t = await trends();
      expect(t.weeks.map((w) => Date.parse(w.from))).toEqual(truth.weeks);
      expect(t.weeks.length).toBeGreaterThanOrEqual(13);
      const planned = new Set(plan.gateways.map((g) => g.spec.unit));
      const units = Object.fromEntries(t.units.filter((u) => planned.has(u.unit)).map((u) => [u.unit, u.perWeek]));
      expect(units).toEqual(truth.units);
      // Units outside the simulation used nothing.
      expect(t.units.filter((u) => !planned.has(u.unit)).every((u) => u.usedMs === 0)).toBe(true);
      expect(Object.fromEntries(t.categories.map((c) => [c.category, c.perWeek]))).toEqual(truth.categories);
      const districts = Object.fromEntries(t.districts.filter((d) => d.usedMs > 0).map((d) => [d.district, d.perWeek]));
      expect(districts).toEqual(Object.fromEntries(Object.entries(truth.districts).filter(([, w]) => w.some((x) => x > 0))));
      // Something was used, in most weeks (Tết's week is quieter, not empty of data).
      expect(Object.values(truth.units).flat().filter((x) => x > 0).length).toBeGreaterThan(50);
    });

    it('gives the true most and least used kits, equipment never used, faults per week and repairs', async () => {
      const t = await trends();
      const ranked = Object.entries(truth.kits).map(([k, usedMs]) => ({ k, usedMs }));
      const byId = (a: { k: string }, b: { k: string }) => a.k.localeCompare(b.k);
      expect(t.kits.most.map((k) => ({ k: `${k.unit}/${k.kit}`, usedMs: k.usedMs }))).toEqual([...ranked].sort((a, b) => b.usedMs - a.usedMs || byId(a, b)).slice(0, 5));
      expect(t.kits.least.map((k) => ({ k: `${k.unit}/${k.kit}`, usedMs: k.usedMs }))).toEqual([...ranked].sort((a, b) => a.usedMs - b.usedMs || byId(a, b)).slice(0, 5));
      const never: TrendTruth['neverUsed'] = {};
      for (const n of t.neverUsed) {
        const u = (never[n.unit] ??= { kits: [], components: [] });
        u.kits.push(...n.kits);
        u.components.push(...n.components);
      }
      expect(never).toEqual(truth.neverUsed);
      // Per kind of component: the simulator's component truth summed over its units.
      const types: Record<string, { usedMs: number; devices: number; sessions: number; idle: number }> = {};
      for (const c of fleetTruth(plan).components) {
        const x = (types[c.deviceType] ??= { usedMs: 0, devices: 0, sessions: 0, idle: 0 });
        x.usedMs += c.usedMs;
        x.devices += c.devices;
        x.sessions += c.sessions;
        x.idle += c.idle.length;
      }
      expect(Object.fromEntries(t.componentTypes.map((c) => [c.deviceType, { usedMs: c.usedMs, devices: c.devices, sessions: c.sessions, idle: c.idle }]))).toEqual(types);
      expect(t.faults.perWeek).toEqual(truth.faultsPerWeek);
      expect(t.faults.total).toBe(truth.faults);
      expect(t.faults.repairs).toBe(truth.repairs);
      expect(truth.faults).toBeGreaterThan(0);
      expect(t.schoolTimeShare).toBeGreaterThan(0);
      expect(t.schoolTimeShare).toBeLessThan(1);
    });

    it("reads each unit as the dashboard does: statuses, the latest sessions with their tags, complete data", async () => {
      const { units } = (await (await fetch(`${central.httpUrl}/api/v1/units`, { headers: { authorization: `Bearer ${token}` } })).json()) as { units: Array<{ id: string; lastUsed: string | null }> };
      for (const g of plan.gateways) {
        // The latest session event the gateway made (its highest seq), by the plan.
        const last = Math.max(...g.happenings.filter((h) => h.kind === 'session.start' || h.kind === 'session.end').map((h) => h.t));
        expect(units.find((u) => u.id === g.spec.unit)?.lastUsed, g.spec.unit).toBe(new Date(last).toISOString());
      }
      const g = plan.gateways[0]!;
      const detail = (await (await fetch(`${central.httpUrl}/api/v1/units/${g.spec.unit}`, { headers: { authorization: `Bearer ${token}` } })).json()) as { unit: { sessions: Array<{ kit: string; endedAt: string; purpose: { kind: string } }>; gateways: Array<{ completeness: { events: number; expected: number; share: number; missing: number } }> } };
      const ends = g.happenings
        .filter((h) => h.kind === 'session.end' && h.device.component === null)
        .map((h) => (h.kind === 'session.end' ? h : null)!)
        // Newest end event first (the event's time), then by kit, as the page lists them.
        .sort((a, b) => b.t - a.t || a.device.kit.localeCompare(b.device.kit))
        .slice(0, 20);
      expect(detail.unit.sessions.map((s) => [s.kit, s.endedAt, s.purpose])).toEqual(ends.map((e) => [e.device.kit, new Date(e.endedAt).toISOString(), e.purpose]));
      const events = g.happenings.filter((h) => h.kind === 'session.start' || h.kind === 'session.end').length;
      expect(detail.unit.gateways[0]?.completeness).toMatchObject({ events, expected: events, share: 1, missing: 0 });
    });

    it('refuses a malformed quarter naming the parameter, and teachers', async () => {
      const res = await fetch(`${central.httpUrl}/api/v1/trends?quarter=2026-1`, { headers: { authorization: `Bearer ${token}` } });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { message: string }).message).toMatch(/quarter/);
      await createUser(central.ledger.sql, { username: 'gv.trends', password: 'trends test password', role: 'teacher', unit: 'thcs-q1-01' }, 'test');
      const login = await fetch(`${central.httpUrl}/api/v1/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'gv.trends', password: 'trends test password' }) });
      const teacher = ((await login.json()) as { token: string }).token;
      expect((await fetch(`${central.httpUrl}/api/v1/trends?quarter=${QUARTER}`, { headers: { authorization: `Bearer ${teacher}` } })).status).toBe(403);
    });
  });
});
