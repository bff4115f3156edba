/**
 * The demo city's quarter, shaped from the fleet simulator's plan so its dashboard shows every
 * status a department sees (docs/unit-status.md) at the moment the demo starts:
 * - silent: a few gateways lost for good some days ago (an SD card died, a Pi unplugged for the
 *   holidays): their link drops then and nothing comes after;
 * - idle: a few units whose kits nobody used in the last week and more (a club paused): online,
 *   their sessions of those days removed;
 * - active and in use: everyone else, as the timetable has them.
 * `fromTime` then starts the plan at the first replayed instant.
 */
import { Random, type FleetPlan, type GatewayPlan, type Happening } from '@stemlab/simulators/fleet';

const DAY = 86_400_000;

export interface CityShape {
  plan: FleetPlan;
  /** unit ids */
  silent: string[];
  idle: string[];
}

/** Two robot clubs and a lab centre silent, the same idle; picked by the plan's seed. */
export function shapeCity(plan: FleetPlan, now: number, counts = { silent: 3, idle: 3 }): CityShape {
  const rnd = new Random(plan.seed).fork('demo-city');
  const robots = plan.gateways.filter((g) => g.spec.category === 'robots');
  const labs = plan.gateways.filter((g) => g.spec.category === 'lab');
  const take = (from: GatewayPlan[], n: number, taken: Set<GatewayPlan>) => {
    const free = from.filter((g) => !taken.has(g));
    const out: GatewayPlan[] = [];
    while (out.length < n && free.length > 0) out.push(...free.splice(Math.floor(rnd.next() * free.length), 1));
    out.forEach((g) => taken.add(g));
    return out;
  };
  const taken = new Set<GatewayPlan>();
  const split = (n: number) => [Math.ceil((n * 2) / 3), Math.floor(n / 3)] as const;
  const [silentRobots, silentLabs] = split(counts.silent);
  const [idleRobots, idleLabs] = split(counts.idle);
  const silent = new Set([...take(robots, silentRobots, taken), ...take(labs, silentLabs, taken)]);
  const idle = new Set([...take(robots, idleRobots, taken), ...take(labs, idleLabs, taken)]);
  const gateways = plan.gateways.map((g) => {
    if (silent.has(g)) return lostAt(g, Math.max(plan.from + DAY, now - rnd.int(4, 12) * DAY));
    if (idle.has(g)) return unusedSince(g, now - rnd.int(9, 13) * DAY);
    return g;
  });
  return { plan: { ...plan, gateways }, silent: [...silent].map((g) => g.spec.unit), idle: [...idle].map((g) => g.spec.unit) };
}

/** The gateway is gone from `t` on: its link drops (no goodbye), nothing after. */
function lostAt(g: GatewayPlan, t: number): GatewayPlan {
  const before = g.happenings.filter((h) => h.t < t && !(h.kind === 'session.start' && endsAfter(g, h, t)));
  const wasUp = lastLink(before);
  return {
    ...g,
    happenings: wasUp ? [...before, { t, kind: 'link', up: false, clean: false }] : before,
    online: g.online.filter((o) => o.from < t).map((o) => ({ from: o.from, to: Math.min(o.to, t) })),
  };
}

/** No session of the gateway's kits starts from `t` on. */
function unusedSince(g: GatewayPlan, t: number): GatewayPlan {
  const dropped = new Set<string>();
  for (const h of g.happenings) if (h.kind === 'session.start' && h.t >= t) dropped.add(h.session);
  return {
    ...g,
    happenings: g.happenings.filter((h) => !((h.kind === 'session.start' || h.kind === 'session.end') && dropped.has(h.session))),
    sessions: g.sessions.filter((s) => s.start < t),
  };
}

/** A session.start whose end comes at or after t (a session cut by the loss is not begun at all). */
function endsAfter(g: GatewayPlan, start: Extract<Happening, { kind: 'session.start' }>, t: number): boolean {
  return g.happenings.some((h) => h.kind === 'session.end' && h.session === start.session && h.t >= t);
}

function lastLink(happenings: readonly Happening[]): boolean {
  let up = false;
  for (const h of happenings) if (h.kind === 'link') up = h.up;
  return up;
}

/**
 * The plan from `from` on: each gateway starts there as the quarter had it (its link up if it was
 * online, its kits' last states), then lives what comes after. Boots with a wrong clock are left
 * out: the demo's central learns a wrong clock's offset at the real time of the birth, which is
 * not the simulated past (city-fleet.ts).
 */
export function fromTime(plan: FleetPlan, from: number): FleetPlan {
  return {
    ...plan,
    from,
    gateways: plan.gateways.map((g): GatewayPlan => {
      const online = g.online.some((o) => from >= o.from && from < o.to);
      const kitStates = new Map<string, Happening>();
      for (const h of g.happenings) if (h.t < from && h.kind === 'kit-state') kitStates.set(h.kit, { ...h, t: from });
      const later = g.happenings.filter((h) => h.t >= from && h.kind !== 'boot' && h.kind !== 'ntp' && !(online && h.t === from && h.kind === 'link' && h.up));
      const start: Happening[] = online ? [{ t: from, kind: 'link', up: true, clean: true }] : [];
      return { ...g, happenings: [...start, ...kitStates.values(), ...later] };
    }),
  };
}
