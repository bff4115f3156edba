/**
 * The demo city's quarter (cli/demo/city-plan.ts): the units it makes silent lose their link some
 * days before the demo starts and live nothing after; the idle ones have no session in the last
 * nine days; `fromTime` starts every gateway at the first replayed instant as the quarter had it
 * (link up if it was online, each kit's last state) and leaves out wrong-clock boots.
 */
import { describe, expect, it } from 'vitest';
import { planFleet } from '@stemlab/simulators/fleet';
import { fromTime, shapeCity } from '../demo/city-plan.ts';
import { fleetSpecs } from '../fleet/fleet.ts';

const DAY = 86_400_000;
const now = Date.parse('2026-12-04T10:00:00+07:00');
const plan = planFleet({ quarter: '2026Q4', seed: 7, gateways: fleetSpecs({ robotUnits: 9, labs: 4, robotsPerUnit: 2, benchesPerLab: 2 }) });

describe('the demo city', () => {
  const city = shapeCity(plan, now);

  it('makes three units silent: their link drops days before now, nothing after', () => {
    expect(city.silent).toHaveLength(3);
    for (const unit of city.silent) {
      const g = city.plan.gateways.find((x) => x.spec.unit === unit)!;
      const last = g.happenings.at(-1)!;
      expect(last).toMatchObject({ kind: 'link', up: false });
      expect(now - last.t).toBeGreaterThanOrEqual(4 * DAY);
      expect(now - last.t).toBeLessThanOrEqual(12 * DAY);
      expect(g.online.every((o) => o.to <= last.t)).toBe(true);
      // Every session begun before the loss ends before it.
      const begun = new Set(g.happenings.filter((h) => h.kind === 'session.start').map((h) => (h as { session: string }).session));
      const ended = new Set(g.happenings.filter((h) => h.kind === 'session.end').map((h) => (h as { session: string }).session));
      expect([...begun].filter((s) => !ended.has(s))).toEqual([]);
    }
  });

  it('makes three other units idle: no session in the last nine days, online', () => {
    expect(city.idle).toHaveLength(3);
    expect(city.idle.filter((u) => city.silent.includes(u))).toEqual([]);
    for (const unit of city.idle) {
      const g = city.plan.gateways.find((x) => x.spec.unit === unit)!;
      expect(g.happenings.filter((h) => h.kind === 'session.start' && h.t >= now - 9 * DAY)).toEqual([]);
      const original = plan.gateways.find((x) => x.spec.unit === unit)!;
      expect(original.happenings.some((h) => h.kind === 'session.start' && h.t >= now - 9 * DAY && h.t < now)).toBe(true);
    }
    // The others are untouched.
    const shaped = new Set([...city.silent, ...city.idle]);
    for (const g of city.plan.gateways.filter((x) => !shaped.has(x.spec.unit))) expect(g).toBe(plan.gateways.find((x) => x.spec.unit === g.spec.unit));
  });

  it('starts the replay at `from` as the quarter had it', () => {
    const from = now - 14 * DAY;
    const replay = fromTime(city.plan, from);
    for (const [i, g] of replay.gateways.entries()) {
      const before = city.plan.gateways[i]!;
      expect(g.happenings.every((h) => h.t >= from)).toBe(true);
      expect(g.happenings.some((h) => h.kind === 'boot' || h.kind === 'ntp')).toBe(false);
      const online = before.online.some((o) => from >= o.from && from < o.to);
      expect(g.happenings[0]).toEqual(online ? { t: from, kind: 'link', up: true, clean: true } : expect.anything());
      // Each kit's state as it last was before `from`.
      for (const kit of g.spec.kits) {
        const last = before.happenings.filter((h) => h.t < from && h.kind === 'kit-state' && h.kit === kit.id).at(-1);
        expect(g.happenings.find((h) => h.kind === 'kit-state' && h.kit === kit.id && h.t === from)).toMatchObject({ state: (last as { state: string }).state });
      }
    }
  });
});
