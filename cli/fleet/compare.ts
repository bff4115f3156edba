/**
 * The report against the simulator's truth, figure by figure: what differs, in words. Counts,
 * hours (as ms) and repair times are compared exactly; uptime to a millionth of an hour (the
 * report gives hours as a float).
 */
import type { QuarterlyReport } from '@stemlab/broker';
import type { FleetTruth } from '@stemlab/simulators/fleet';

const median = (xs: readonly number[]) => {
  if (xs.length === 0) return null;
  const mid = Math.floor(xs.length / 2);
  return xs.length % 2 === 1 ? (xs[mid] as number) : ((xs[mid - 1] as number) + (xs[mid] as number)) / 2;
};

export function compareWithTruth(report: QuarterlyReport, truth: FleetTruth): string[] {
  const out: string[] = [];
  const same = (what: string, got: unknown, want: unknown) => {
    if (JSON.stringify(got) !== JSON.stringify(want)) out.push(`${what}: report ${JSON.stringify(got)}, truth ${JSON.stringify(want)}`);
  };
  for (const t of truth.kits) {
    const r = report.kits.find((k) => k.unit === t.unit && k.category === t.category);
    if (!r) {
      out.push(`${t.unit} ${t.category}: no kit row in the report`);
      continue;
    }
    const at = `${t.unit} ${t.category} kits`;
    same(`${at} count`, r.kits, t.kits);
    same(`${at} used ms`, r.usedMs, t.usedMs);
    same(`${at} sessions`, r.sessions, t.sessions);
    same(`${at} breakdowns`, r.faults, t.faults);
    same(`${at} idle`, r.idle, t.idle);
    same(`${at} repairs`, r.repairs, t.repairs);
    same(`${at} median repair ms`, r.repairMedianMs, median(t.repairMs));
    same(`${at} total repair ms`, r.repairTotalMs, t.repairMs.reduce((a, x) => a + x, 0));
    same(`${at} unrepaired`, r.unrepaired, t.unrepaired);
    const unit = report.units.find((u) => u.unit === t.unit);
    same(`${t.unit} unit kit-hours (ms)`, Math.round((unit?.hoursUsed ?? NaN) * 3_600_000), t.usedMs);
  }
  for (const t of truth.components) {
    const r = report.components.find((c) => c.unit === t.unit && c.category === t.category && c.deviceType === t.deviceType);
    if (!r) {
      out.push(`${t.unit} ${t.category} ${t.deviceType}: no component row in the report`);
      continue;
    }
    const at = `${t.unit} ${t.deviceType}`;
    same(`${at} devices`, r.devices, t.devices);
    same(`${at} used ms`, r.usedMs, t.usedMs);
    same(`${at} sessions`, r.sessions, t.sessions);
    same(`${at} breakdowns`, r.faults, t.faults);
    same(`${at} idle`, r.idle, t.idle);
  }
  for (const t of truth.totals) {
    const r = report.totals.find((x) => x.category === t.category);
    const at = `total ${t.category}`;
    same(`${at} units`, r?.units, t.units);
    same(`${at} kits`, r?.kits, t.kits);
    same(`${at} used ms`, r?.usedMs, t.usedMs);
    same(`${at} sessions`, r?.sessions, t.sessions);
    same(`${at} breakdowns`, r?.faults, t.faults);
    same(`${at} repairs`, r?.repairs, t.repairs);
    same(`${at} unrepaired`, r?.unrepaired, t.unrepaired);
    same(`${at} idle kits`, r?.idleKits, t.idleKits);
  }
  for (const t of truth.gateways) {
    const g = report.gateways.find((x) => x.unit === t.unit && x.gateway === t.gateway);
    if (!g) {
      out.push(`${t.unit}/${t.gateway}: no gateway row in the report`);
      continue;
    }
    if (Math.abs(g.onlineHours * 3_600_000 - t.onlineMs) > 3.6) out.push(`${t.unit}/${t.gateway} online: report ${g.onlineHours} h, truth ${t.onlineMs / 3_600_000} h`);
    same(`${t.unit}/${t.gateway} data`, [g.status, g.missing, g.unknownHours], ['complete', 0, 0]);
  }
  return out;
}
