/**
 * What the demo prints when it stops: what ran, how many usage events the central ingested in
 * this run, and anything that went wrong (kits that faulted, events the ledger refused, sequence
 * gaps left open, errors the simulated fleet's MQTT clients or the process itself met). The demo
 * collects the problems as they happen (`problem`) and counts the ledger before and after.
 */
import type { Ledger } from '@stemlab/broker';
import type { CityFleetSummary } from './city-fleet.ts';

type LedgerCounts = Awaited<ReturnType<Ledger['counts']>>;

export interface RunFacts {
  startedAt: number;
  stoppedAt: number;
  why: string;
  gateways: Array<{ name: string; kits: number }>;
  fleet: CityFleetSummary | undefined;
  before: LedgerCounts;
  after: LedgerCounts;
  problems: readonly string[];
}

export function runSummary(f: RunFacts): string {
  const minutes = Math.floor((f.stoppedAt - f.startedAt) / 60_000);
  const seconds = Math.round(((f.stoppedAt - f.startedAt) % 60_000) / 1000);
  const lines = ['', `Summary / Tóm tắt (ran ${minutes} min ${seconds} s, stopped by ${f.why}):`];
  lines.push('  ran / đã chạy:', '    the central: MQTT broker, usage ledger, HTTP API and dashboard');
  for (const g of f.gateways) lines.push(`    ${g.name}: ${g.kits} kits on simulated boards`);
  if (f.fleet) {
    const reached = new Date(f.fleet.reached + 7 * 3_600_000).toISOString().slice(0, 16).replace('T', ' ');
    lines.push(`    the city: ${f.fleet.gateways} simulated gateways (${f.fleet.robotUnits} robot clubs, ${f.fleet.labCentres} lab centres), quarter ${f.fleet.quarter}, seed ${f.fleet.seed}; ${f.fleet.happenings} happenings, lived up to ${reached} (Vietnam time)`);
  }
  const ingested = f.after.events - f.before.events;
  lines.push(`  usage events ingested in this run / sự kiện sử dụng đã ghi: ${ingested} (the ledger holds ${f.after.events} from ${f.after.gateways} gateways)`);
  const wrong = [...f.problems];
  const dead = f.after.deadLetters - f.before.deadLetters;
  if (dead > 0) wrong.push(`${dead} usage events refused by the ledger (dead letters: the dashboard's admin view lists them)`);
  if (f.after.openGaps > 0) wrong.push(`${f.after.openGaps} sequence gaps still open (events a gateway numbered but the ledger has not got)`);
  if (f.fleet && f.fleet.errors.length > 0) wrong.push(`${f.fleet.errors.length} MQTT errors met by the simulated gateways, first: ${f.fleet.errors[0]}`);
  lines.push(`  went wrong / sự cố: ${wrong.length === 0 ? 'nothing / không có' : ''}`);
  for (const w of wrong.slice(0, 20)) lines.push(`    - ${w}`);
  if (wrong.length > 20) lines.push(`    … and ${wrong.length - 20} more`);
  return lines.join('\n');
}
