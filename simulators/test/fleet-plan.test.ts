/** The fleet simulator's plan: the same seed gives the same quarter; the calendar closes what a school closes. */
import { describe, expect, it } from 'vitest';
import { closedReason, fleetTruth, gatewaySpec, planFleet, quarterSpan } from '../src/fleet/index.ts';

const t = (local: string) => Date.parse(`${local}T00:00:00+07:00`);
const gateways = [
  gatewaySpec({ unit: 'thcs-q1-01', gateway: 'robot-club-1', category: 'robots' }, { robots: 3, benches: 2 }),
  gatewaySpec({ unit: 'lab-q1-01', gateway: 'lab-1', category: 'lab' }, { robots: 3, benches: 2 }),
];

describe('the fleet plan', () => {
  it('is the same for the same seed, and another for another seed', () => {
    const a = planFleet({ quarter: '2026Q1', seed: 42, gateways });
    expect(planFleet({ quarter: '2026Q1', seed: 42, gateways })).toEqual(a);
    expect(planFleet({ quarter: '2026Q1', seed: 43, gateways }).gateways[0]?.happenings).not.toEqual(a.gateways[0]?.happenings);
  });

  it('closes Sundays, the public holidays and Tết', () => {
    expect(closedReason(t('2026-01-04'))).toBe('sunday');
    expect(closedReason(t('2026-01-01'))).toBe('holiday');
    expect(closedReason(t('2026-02-17'))).toBe('tet');
    expect(closedReason(t('2026-02-13'))).toBe('tet');
    expect(closedReason(t('2026-02-26'))).toBeNull();
    expect(closedReason(t('2026-04-30'))).toBe('holiday');
  });

  it('uses kits only on school days, within school hours, one session of a kit at a time', () => {
    const plan = planFleet({ quarter: '2026Q1', seed: 7, gateways });
    const { from, to } = quarterSpan('2026Q1');
    for (const g of plan.gateways) {
      const kitSessions = g.sessions.filter((s) => s.device.component === null).sort((x, y) => x.start - y.start);
      expect(kitSessions.length).toBeGreaterThan(50);
      for (const s of kitSessions) {
        const midnight = s.start - ((s.start + 7 * 3_600_000) % 86_400_000);
        expect(closedReason(midnight)).toBeNull();
        expect(s.start - midnight).toBeGreaterThanOrEqual(7 * 3_600_000);
        expect(s.end - midnight).toBeLessThanOrEqual(17 * 3_600_000);
        expect(s.start).toBeGreaterThanOrEqual(from);
        expect(s.end).toBeLessThan(to);
      }
      for (const kit of g.spec.kits) {
        const mine = kitSessions.filter((s) => s.device.kit === kit.id);
        // Apart by more than the idle minute: the agent would have made one session of two closer ones.
        for (let i = 1; i < mine.length; i++) expect((mine[i] as { start: number }).start - (mine[i - 1] as { end: number }).end).toBeGreaterThan(60_000);
      }
      // Each component session lies within a session of its kit.
      for (const s of g.sessions.filter((x) => x.device.component !== null)) {
        expect(kitSessions.some((k) => k.device.kit === s.device.kit && k.start <= s.start && s.end <= k.end)).toBe(true);
      }
    }
  });

  it('knows its truth: kit-hours are the kit sessions, not the sum of the components', () => {
    const plan = planFleet({ quarter: '2026Q1', seed: 7, gateways });
    const truth = fleetTruth(plan);
    const robots = truth.kits.find((k) => k.category === 'robots');
    const kitMs = plan.gateways[0]?.sessions.filter((s) => s.device.component === null).reduce((a, s) => a + s.end - s.start, 0);
    expect(robots?.usedMs).toBe(kitMs);
    const componentsMs = truth.components.filter((c) => c.unit === 'thcs-q1-01').reduce((a, c) => a + c.usedMs, 0);
    expect(componentsMs).toBeGreaterThan(robots?.usedMs ?? Infinity);
    expect(truth.totals.map((x) => x.units)).toEqual([1, 1]);
  });
});
