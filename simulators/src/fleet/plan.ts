/**
 * A quarter of a fleet, decided in advance from a seed: what each gateway's kits do (the
 * timetable), when kits break and come back, when gateways lose their network or their power
 * and boot with a wrong clock. The runner (runner.ts) plays it through real MQTT clients; the
 * truth (truth.ts) is computed from it. The same seed gives the same quarter.
 *
 * The life of a school, in simulated Ho Chi Minh City time (calendar.ts):
 * - robot clubs: some mornings a class period with a few robots; club afternoons (three days a
 *   week, fixed per school) of two periods with every robot, where a robot now and then pauses
 *   for a few minutes (two sessions: a pause longer than the idle minute splits a session);
 * - lab centres: one to four class sessions a day (single or double periods), each on some
 *   benches, tagged as an experiment of a class;
 * - no school on Sundays, holidays and Tết;
 * - a kit in use breaks now and then (2 % of sessions): its session ends with a fault, it is
 *   repaired in half an hour to a few days;
 * - a gateway loses its network for hours or days (its kits are still used: the events wait in
 *   its outbox and go when it is back), or its power at night: it boots the next morning with its
 *   clock days behind (no RTC), works all day offline, and is reconnected (NTP answers) in the
 *   evening.
 *
 * Modelling choices that keep the truth exact (what the report can know): kits break only while
 * their gateway is online and its clock synchronised, and are repaired on a synchronised clock
 * (the agent publishes a kit's state when it changes or at a reconnect, stamped with the clock at
 * publishing); the network comes back after a wrong-clock boot outside any session (the agent
 * measures a session on the wall clock, which jumps when NTP answers); every gateway is online at
 * the quarter's start and end.
 */
import { closedReason, DAY, days, HOUR, MINUTE, PERIOD_MS, periodStart, quarterSpan } from './calendar.ts';
import type { Category, Device, FleetPlan, GatewayPlan, GatewaySpec, Happening, KitSpec, Purpose, TrueSession } from './model.ts';
import { Random } from './random.ts';

/** How long the agent waits before ending an idle session (usage.idleMs): the end event goes then. */
export const IDLE_MS = 60_000;

const ROBOT: KitSpec['components'] = [
  { id: 'left-motor', type: 'motor' },
  { id: 'right-motor', type: 'motor' },
  { id: 'sonar-servo', type: 'servo' },
  { id: 'sonar', type: 'proximity' },
  { id: 'line', type: 'line-sensors' },
  { id: 'led', type: 'led' },
];
const BENCH: KitSpec['components'] = [
  { id: 'water-temp', type: 'thermometer' },
  { id: 'light', type: 'analog-sensor' },
  { id: 'ph', type: 'analog-sensor' },
  { id: 'stirrer', type: 'relay' },
];

export interface GatewayRef {
  unit: string;
  gateway: string;
  category: Category;
}

/** A gateway's kits: robots robot-1..n, or benches bench-1..n. */
export function gatewaySpec(ref: GatewayRef, kits: { robots: number; benches: number }): GatewaySpec {
  const robots = ref.category === 'robots';
  const n = robots ? kits.robots : kits.benches;
  return {
    ...ref,
    kits: Array.from({ length: n }, (_, i) => ({ id: `${robots ? 'robot' : 'bench'}-${i + 1}`, components: robots ? ROBOT : BENCH })),
  };
}

export interface PlanOptions {
  quarter: string;
  seed: number;
  gateways: readonly GatewaySpec[];
  /** 0..1: the share of the timetable's sessions that happen (1 by default); lower for quick tests. */
  activity?: number;
  /** Network losses and power cuts (true by default). */
  outages?: boolean;
  /** At least one gateway offline this many days, then back with its outbox (0: none forced). */
  longOutageDays?: number;
  /** Most network losses of a few hours per gateway (3 by default). */
  shortOutages?: number;
}

export function planFleet(options: PlanOptions): FleetPlan {
  const span = quarterSpan(options.quarter);
  const root = new Random(options.seed);
  const gateways = options.gateways.map((spec, i) => planGateway(spec, span, root.fork(`${spec.unit}/${spec.gateway}`), options, i === 0));
  return { quarter: options.quarter, seed: options.seed, from: span.from, to: span.to, gateways };
}

interface Outage {
  down: number;
  up: number;
  clean: boolean;
  /** A power cut: the gateway boots at `boot` with its clock `skewMs` wrong, offline until `up`. */
  boot?: { at: number; skewMs: number };
}

/** Non-overlapping outages, none in the quarter's first and last day. */
function planOutages(span: { from: number; to: number }, rnd: Random, options: PlanOptions, forceLong: boolean): Outage[] {
  if (options.outages === false) return [];
  const wanted: Outage[] = [];
  const at = (lo: number, hi: number) => lo + Math.floor(rnd.next() * (hi - lo));
  for (let n = rnd.int(0, options.shortOutages ?? 3); n > 0; n--) {
    const down = at(span.from + DAY, span.to - 3 * DAY);
    wanted.push({ down, up: down + rnd.int(1, 8) * HOUR + rnd.int(0, 59) * MINUTE, clean: rnd.chance(0.3) });
  }
  if (forceLong || rnd.chance(0.15)) {
    const daysOff = forceLong && options.longOutageDays ? options.longOutageDays : rnd.int(1, 5);
    const down = at(span.from + DAY, span.to - (daysOff + 2) * DAY);
    wanted.push({ down, up: down + daysOff * DAY + rnd.int(0, 6) * HOUR, clean: false });
  }
  if (rnd.chance(0.12)) {
    // A power cut at 22:00; the power is back at 06:00 one or two days later; the network in the evening.
    const night = at(span.from + DAY, span.to - 5 * DAY);
    const midnight = night - ((night + 7 * HOUR) % DAY);
    const down = midnight + 22 * HOUR;
    const bootAt = midnight + rnd.int(1, 2) * DAY + 6 * HOUR;
    wanted.push({ down, up: bootAt + 13 * HOUR, clean: false, boot: { at: bootAt, skewMs: -rnd.int(1, 30) * DAY - rnd.int(0, 23) * HOUR } });
  }
  wanted.sort((a, b) => a.down - b.down);
  const out: Outage[] = [];
  for (const o of wanted) if (o.down > (out.at(-1)?.up ?? 0) + HOUR) out.push(o);
  return out;
}

function planGateway(spec: GatewaySpec, span: { from: number; to: number }, rnd: Random, options: PlanOptions, forceLong: boolean): GatewayPlan {
  const activity = options.activity ?? 1;
  const outages = planOutages(span, rnd, options, forceLong && (options.longOutageDays ?? 0) > 0);
  const offline = (t: number) => outages.some((o) => t >= o.down && t < o.up);
  /** Times the wall clock is wrong: from a power-cut boot to the reconnect. */
  const unsynced = (t: number) => outages.some((o) => o.boot && t >= o.boot.at && t < o.up);
  /** Powered off (no kit can be used): from the cut to the boot. */
  const poweredOff = (t: number) => outages.some((o) => o.boot && t >= o.down && t < o.boot.at);

  const happenings: Happening[] = [{ t: span.from, kind: 'link', up: true, clean: true }];
  for (const kit of spec.kits) happenings.push({ t: span.from, kind: 'kit-state', kit: kit.id, state: 'connected' });
  const online: GatewayPlan['online'] = [];
  let upSince = span.from;
  for (const o of outages) {
    happenings.push({ t: o.down, kind: 'link', up: false, clean: o.clean });
    online.push({ from: upSince, to: o.down });
    if (o.boot) happenings.push({ t: o.boot.at, kind: 'boot', skewMs: o.boot.skewMs });
    happenings.push({ t: o.up, kind: 'link', up: true, clean: true });
    if (o.boot) happenings.push({ t: o.up, kind: 'ntp' });
    upSince = o.up;
  }
  online.push({ from: upSince, to: span.to });

  const sessions: TrueSession[] = [];
  const repairs: GatewayPlan['repairs'] = [];
  /** kit → the time it is back in service. */
  const brokenUntil = new Map<string, number>();
  /** kit → the end of its last use: a kit is not used twice at once, and its uses stay apart by more than the idle minute. */
  const busyUntil = new Map<string, number>();
  const clubDays = new Set(rnd.chance(0.5) ? [2, 4, 6] : [1, 3, 5]);

  /** A kit used from `start` to `end` (one period): its sessions, components, maybe a fault. */
  const use = (kit: KitSpec, start: number, end: number, purpose: Purpose) => {
    if ((brokenUntil.get(kit.id) ?? 0) > start || (busyUntil.get(kit.id) ?? 0) + 2 * IDLE_MS > start || poweredOff(start) || poweredOff(end + IDLE_MS)) return;
    busyUntil.set(kit.id, end);
    // A pause of a few minutes in the middle now and then: two sessions.
    const pieces: Array<[number, number]> = [];
    if (end - start > 40 * MINUTE && rnd.chance(0.15)) {
      const pause = start + rnd.int(15, 25) * MINUTE;
      pieces.push([start, pause], [pause + rnd.int(3, 6) * MINUTE, end]);
    } else pieces.push([start, end]);
    for (const [s, e] of pieces) {
      const breaks = !offline(s) && !offline(e) && !unsynced(s) && rnd.chance(0.02);
      const faultAt = breaks ? s + Math.floor((e - s) * (0.2 + 0.6 * rnd.next())) : undefined;
      session(kit, s, faultAt ?? e, purpose, faultAt !== undefined);
      if (faultAt !== undefined) {
        let back = faultAt + (rnd.chance(0.6) ? rnd.int(30, 240) * MINUTE : rnd.int(1, 6) * DAY + rnd.int(0, 23) * HOUR);
        // Repaired on a synchronised clock (see the top of this file).
        for (const o of outages) if (o.boot && back >= o.down && back < o.up) back = o.up + MINUTE;
        happenings.push({ t: faultAt, kind: 'kit-state', kit: kit.id, state: 'fault', reason: 'stalled: no reply from the board' });
        if (back < span.to) happenings.push({ t: back, kind: 'kit-state', kit: kit.id, state: 'connected' });
        repairs.push({ kit: kit.id, start: faultAt, end: back < span.to ? back : null });
        brokenUntil.set(kit.id, back);
        return;
      }
    }
  };

  /** One session of a kit, with one to three of its components inside it. */
  const session = (kit: KitSpec, start: number, end: number, purpose: Purpose, fault: boolean) => {
    const n = rnd.int(1, Math.min(3, kit.components.length));
    const parts = [...kit.components].sort(() => rnd.next() - 0.5).slice(0, n);
    const spans = parts.map((c, i) => {
      const s = i === 0 ? start : Math.min(end - MINUTE, start + rnd.int(0, 10) * MINUTE);
      const e = fault || i === 0 ? end : Math.max(s + MINUTE, end - rnd.int(0, 10) * MINUTE);
      return { c, s, e };
    });
    const kitDevice: Device = { kit: kit.id, component: null, type: 'kit' };
    const kitSession = rnd.uuid();
    happenings.push({ t: start, kind: 'session.start', device: kitDevice, session: kitSession, purpose });
    const ends: Happening[] = [];
    for (const { c, s, e } of spans) {
      const device: Device = { kit: kit.id, component: c.id, type: c.type };
      const id = rnd.uuid();
      happenings.push({ t: s, kind: 'session.start', device, session: id, purpose });
      ends.push(endOf(device, id, purpose, s, e, fault));
      sessions.push({ device, start: s, end: e, fault });
    }
    happenings.push(...ends, endOf(kitDevice, kitSession, purpose, start, end, fault));
    sessions.push({ device: kitDevice, start, end, fault });
  };

  for (const midnight of days(span)) {
    if (closedReason(midnight) !== null) continue;
    const weekday = new Date(midnight + 7 * HOUR).getUTCDay();
    if (spec.category === 'robots') {
      if (rnd.chance(0.5 * activity)) {
        const p = rnd.int(0, 4);
        const start = periodStart(midnight, p);
        const purpose: Purpose = { kind: 'lesson', classId: `${rnd.int(6, 12)}a${rnd.int(1, 4)}`, lessonId: rnd.pick(['line', 'square', 'obstacle']) };
        for (const kit of spec.kits.slice(0, rnd.int(1, spec.kits.length))) use(kit, start + rnd.int(0, 4) * MINUTE, start + PERIOD_MS - rnd.int(0, 4) * MINUTE, purpose);
      }
      if (clubDays.has(weekday) && rnd.chance(activity)) {
        const start = periodStart(midnight, 6);
        const purpose: Purpose = { kind: 'club-session' };
        for (const kit of spec.kits) if (rnd.chance(0.85)) use(kit, start + rnd.int(0, 5) * MINUTE, start + 100 * MINUTE - rnd.int(0, 5) * MINUTE, purpose);
      }
    } else {
      for (let n = rnd.int(1, 4); n > 0; n--) {
        if (!rnd.chance(activity)) continue;
        const p = rnd.int(0, 7);
        const double = p !== 4 && rnd.chance(0.4);
        const start = periodStart(midnight, p);
        const end = start + (double ? 100 : 45) * MINUTE;
        const purpose: Purpose = { kind: 'experiment', classId: `${rnd.int(6, 12)}a${rnd.int(1, 4)}` };
        for (const kit of spec.kits) if (rnd.chance(0.7)) use(kit, start + rnd.int(0, 5) * MINUTE, end - rnd.int(0, 5) * MINUTE, purpose);
      }
    }
  }
  // Stable sort by time: a gateway's own order stays for ties (a kit's start before its components').
  const order = new Map(happenings.map((h, i) => [h, i]));
  happenings.sort((a, b) => a.t - b.t || (order.get(a) as number) - (order.get(b) as number));
  return { spec, happenings, sessions, repairs, online };
}

function endOf(device: Device, session: string, purpose: Purpose, start: number, end: number, fault: boolean): Happening {
  // An idle end is noticed when the idle minute runs out; a fault ends the session at once.
  return { t: fault ? end : end + IDLE_MS, kind: 'session.end', device, session, purpose, startedAt: start, endedAt: end, faults: fault ? 1 : 0, endReason: fault ? 'fault' : 'idle' };
}
