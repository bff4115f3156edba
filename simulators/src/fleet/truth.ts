/**
 * The true totals of a planned quarter, by the report's definitions (docs/report-figures.md):
 * per gateway (unit and category) the kits' hours, sessions, breakdowns, repairs and idle kits,
 * per kind of component the same, and the gateway's uptime. Written as JSON by
 * `stemlab sim fleet --truth FILE`; the truth test compares the report with it.
 */
import type { FleetPlan, TrueSession } from './model.ts';

export interface UseTruth {
  usedMs: number;
  sessions: number;
  faults: number;
  /** Devices with no session in the quarter. */
  idle: string[];
}

export interface KitTruth extends UseTruth {
  unit: string;
  category: string;
  kits: number;
  repairs: number;
  /** Durations of the repairs that ended in the quarter, ms, ascending. */
  repairMs: number[];
  unrepaired: number;
}

export interface ComponentTruth extends UseTruth {
  unit: string;
  category: string;
  deviceType: string;
  devices: number;
}

export interface GatewayTruth {
  unit: string;
  gateway: string;
  onlineMs: number;
  /** onlineMs over the quarter. */
  uptimeShare: number;
  usageEvents: number;
}

export interface FleetTruth {
  quarter: string;
  seed: number;
  from: string;
  to: string;
  totals: Array<{ category: string; units: number; kits: number; usedMs: number; sessions: number; faults: number; repairs: number; unrepaired: number; idleKits: number }>;
  kits: KitTruth[];
  components: ComponentTruth[];
  gateways: GatewayTruth[];
}

function use(sessions: readonly TrueSession[], devices: readonly string[], name: (s: TrueSession) => string, span: { from: number; to: number }): UseTruth {
  const used = new Set(sessions.map(name));
  return {
    usedMs: sessions.reduce((a, s) => a + Math.max(0, Math.min(s.end, span.to) - Math.max(s.start, span.from)), 0),
    sessions: sessions.filter((s) => s.start >= span.from && s.start < span.to).length,
    faults: sessions.filter((s) => s.fault && s.end < span.to).length,
    idle: devices.filter((d) => !used.has(d)).sort(),
  };
}

export function fleetTruth(plan: FleetPlan): FleetTruth {
  const span = { from: plan.from, to: plan.to };
  const kits: KitTruth[] = [];
  const components: ComponentTruth[] = [];
  const gateways: GatewayTruth[] = [];
  for (const g of plan.gateways) {
    const { unit, gateway, category } = g.spec;
    const kitSessions = g.sessions.filter((s) => s.device.component === null);
    const repairMs = g.repairs.filter((r) => r.end !== null && r.end >= span.from && r.end < span.to).map((r) => (r.end as number) - r.start).sort((a, b) => a - b);
    kits.push({
      unit,
      category,
      kits: g.spec.kits.length,
      ...use(kitSessions, g.spec.kits.map((k) => k.id), (s) => s.device.kit, span),
      repairs: repairMs.length,
      repairMs,
      unrepaired: g.repairs.filter((r) => r.end === null).length,
    });
    const types = [...new Set(g.spec.kits.flatMap((k) => k.components.map((c) => c.type)))].sort();
    for (const type of types) {
      const devices = g.spec.kits.flatMap((k) => k.components.filter((c) => c.type === type).map((c) => `${k.id}/${c.id}`));
      const mine = g.sessions.filter((s) => s.device.type === type && s.device.component !== null);
      components.push({ unit, category, deviceType: type, devices: devices.length, ...use(mine, devices, (s) => `${s.device.kit}/${s.device.component}`, span) });
    }
    const onlineMs = g.online.reduce((a, o) => a + Math.max(0, Math.min(o.to, span.to) - Math.max(o.from, span.from)), 0);
    gateways.push({ unit, gateway, onlineMs, uptimeShare: onlineMs / (span.to - span.from), usageEvents: g.happenings.filter((h) => h.kind === 'session.start' || h.kind === 'session.end').length });
  }
  const categories = [...new Set(kits.map((k) => k.category))];
  const totals = categories.map((category) => {
    const rows = kits.filter((k) => k.category === category);
    const sum = (f: (k: KitTruth) => number) => rows.reduce((a, k) => a + f(k), 0);
    return {
      category,
      units: new Set(rows.map((k) => k.unit)).size,
      kits: sum((k) => k.kits),
      usedMs: sum((k) => k.usedMs),
      sessions: sum((k) => k.sessions),
      faults: sum((k) => k.faults),
      repairs: sum((k) => k.repairs),
      unrepaired: sum((k) => k.unrepaired),
      idleKits: sum((k) => k.idle.length),
    };
  });
  const iso = (ms: number) => new Date(ms + 7 * 3_600_000).toISOString().replace(/\.\d{3}Z$/, '+07:00');
  return { quarter: plan.quarter, seed: plan.seed, from: iso(plan.from), to: iso(plan.to), totals, kits, components, gateways };
}
