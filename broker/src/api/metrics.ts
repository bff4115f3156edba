/**
 * `GET /metrics` in the Prometheus text exposition format (version 0.0.4): the ingest's
 * counters, the ledger's counts, gateways online, the broker's refusals by reason, the log-in
 * rate limit's refusals and the process's memory. Sources are passed in so the API can be tested
 * without a broker.
 */
import type { Ingest } from '../ingest/ingest.ts';
import type { LedgerCounts } from '../ledger/types.ts';

export interface MetricsSources {
  counts: () => Promise<LedgerCounts> | LedgerCounts;
  ingest?: Pick<Ingest, 'stats'>;
  /** The security policy's refusal counters, by reason. */
  refusals?: Readonly<Record<string, number>>;
  /** Log-ins the rate limit refused, by scope (api/login-limit.ts). */
  loginRefusals?: Readonly<Record<string, number>>;
}

type Sample = [labels: Record<string, string> | undefined, value: number];

function family(name: string, type: 'counter' | 'gauge', help: string, samples: readonly Sample[]): string {
  const lines = [`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`];
  for (const [labels, value] of samples) {
    const l = labels ? `{${Object.entries(labels).map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`).join(',')}}` : '';
    lines.push(`${name}${l} ${value}`);
  }
  return lines.join('\n');
}

export async function renderMetrics(sources: MetricsSources): Promise<string> {
  const c = await sources.counts();
  const out: string[] = [];
  if (sources.ingest) {
    const s = sources.ingest.stats;
    out.push(
      family('stemlab_ingest_received_total', 'counter', 'Messages the ingest received.', [[undefined, s.received]]),
      family('stemlab_ingest_commits_total', 'counter', 'Batches the ingest committed to the ledger.', [[undefined, s.commits]]),
      family('stemlab_ingest_retries_total', 'counter', 'Batch commits retried after an error.', [[undefined, s.retries]]),
      family('stemlab_ingest_failed_total', 'counter', 'Messages the ingest failed to commit.', [[undefined, s.failed]]),
      family('stemlab_ingest_refused_total', 'counter', 'Messages the ingest refused.', [[undefined, s.refused]]),
    );
  }
  out.push(
    family('stemlab_ledger_events', 'gauge', 'Usage events in the ledger.', [[undefined, c.events]]),
    family('stemlab_ledger_gateways', 'gauge', 'Gateways the ledger knows.', [[undefined, c.gateways]]),
    family('stemlab_gateways_online', 'gauge', 'Gateways online now.', [[undefined, c.online]]),
    family('stemlab_ledger_open_gaps', 'gauge', 'Sequence gaps not closed.', [[undefined, c.openGaps]]),
    family('stemlab_ledger_dead_letters', 'gauge', 'Messages dead-lettered.', [[undefined, c.deadLetters]]),
  );
  if (sources.refusals) {
    const samples = Object.entries(sources.refusals).map(([reason, n]): Sample => [{ reason }, n]);
    out.push(family('stemlab_security_refusals_total', 'counter', 'What the broker access policy refused, by reason.', samples));
  }
  if (sources.loginRefusals) {
    const samples = Object.entries(sources.loginRefusals).map(([scope, n]): Sample => [{ scope }, n]);
    out.push(family('stemlab_login_refusals_total', 'counter', 'Log-ins refused by the rate limit, by scope (user: username and address; address).', samples));
  }
  const mem = process.memoryUsage();
  out.push(
    family('process_resident_memory_bytes', 'gauge', 'Resident memory size in bytes.', [[undefined, mem.rss]]),
    family('nodejs_heap_used_bytes', 'gauge', 'V8 heap used in bytes.', [[undefined, mem.heapUsed]]),
    family('nodejs_heap_total_bytes', 'gauge', 'V8 heap total in bytes.', [[undefined, mem.heapTotal]]),
  );
  return `${out.join('\n')}\n`;
}
