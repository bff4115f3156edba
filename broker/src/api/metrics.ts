/**
 * `GET /metrics` in the Prometheus text exposition format (version 0.0.4), through prom-client:
 * the ingest's counters, the ledger's counts, gateways online, the broker's refusals by reason,
 * the log-in rate limit's refusals, the quotas gateways hit, and prom-client's process metrics
 * (resident memory, CPU, event-loop lag, GC pauses, heap spaces).
 *
 * Each API gets a registry of its own whose metrics read their sources when scraped (so the API
 * can be tested without a broker, and two centrals in one process do not share counters). The
 * process metrics live in one registry per process: they describe the process, and prom-client
 * starts an event-loop monitor and a GC observer for each registry they are collected into.
 */
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import type { Ingest } from '../ingest/ingest.ts';
import type { LedgerCounts } from '../ledger/types.ts';

export interface MetricsSources {
  counts: () => Promise<LedgerCounts> | LedgerCounts;
  ingest?: Pick<Ingest, 'stats'>;
  /** The security policy's refusal counters, by reason. */
  refusals?: Readonly<Record<string, number>>;
  /** Log-ins the rate limit refused, by scope (security/login-limit.ts). */
  loginRefusals?: Readonly<Record<string, number>>;
  /** Times a gateway hit one of its quotas, by quota (security/quotas.ts). */
  quotaHits?: () => Iterable<{ unit: string; gateway: string; quota: string; count: number; lastAt: number; detail: string }>;
}

export const METRICS_CONTENT_TYPE = Registry.PROMETHEUS_CONTENT_TYPE;

let processRegistry: Registry | undefined;

/** The process's own metrics (prom-client's defaults, plus the heap figures the central always exported). */
function processMetrics(): Registry {
  if (processRegistry) return processRegistry;
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  new Gauge({
    name: 'nodejs_heap_used_bytes',
    help: 'V8 heap used in bytes.',
    registers: [registry],
    collect() {
      this.set(process.memoryUsage().heapUsed);
    },
  });
  new Gauge({
    name: 'nodejs_heap_total_bytes',
    help: 'V8 heap total in bytes.',
    registers: [registry],
    collect() {
      this.set(process.memoryUsage().heapTotal);
    },
  });
  return (processRegistry = registry);
}

/** A counter whose value is kept elsewhere (a stats object): set from it at each scrape. */
function mirroredCounter(registry: Registry, name: string, help: string, read: () => number | undefined): void {
  new Counter({
    name,
    help,
    registers: [registry],
    collect() {
      this.reset();
      this.inc(read() ?? 0);
    },
  });
}

/** A labelled counter mirrored from a record of counts. */
function mirroredCounterByLabel(registry: Registry, name: string, help: string, label: string, read: () => Readonly<Record<string, number>>): void {
  new Counter({
    name,
    help,
    labelNames: [label],
    registers: [registry],
    collect() {
      this.reset();
      for (const [value, n] of Object.entries(read())) this.inc({ [label]: value }, n);
    },
  });
}

/** The registry of one API: its metrics read `sources` at each scrape. */
export function metricsRegistry(sources: MetricsSources): Registry {
  const registry = new Registry();
  const ingest = sources.ingest;
  if (ingest) {
    mirroredCounter(registry, 'stemlab_ingest_received_total', 'Messages the ingest received.', () => ingest.stats.received);
    mirroredCounter(registry, 'stemlab_ingest_commits_total', 'Batches the ingest committed to the ledger.', () => ingest.stats.commits);
    mirroredCounter(registry, 'stemlab_ingest_retries_total', 'Batch commits retried after an error.', () => ingest.stats.retries);
    mirroredCounter(registry, 'stemlab_ingest_failed_total', 'Messages the ingest failed to commit.', () => ingest.stats.failed);
    mirroredCounter(registry, 'stemlab_ingest_refused_total', 'Messages the ingest refused.', () => ingest.stats.refused);
  }
  // The ledger's counts are one query: read once per scrape, shared by the five gauges.
  let counts: Promise<LedgerCounts> | undefined;
  const ledger = (pick: (c: LedgerCounts) => number) =>
    async function (this: Gauge) {
      counts ??= Promise.resolve(sources.counts()).finally(() => setImmediate(() => (counts = undefined)));
      this.set(pick(await counts));
    };
  const gauges: [string, string, (c: LedgerCounts) => number][] = [
    ['stemlab_ledger_events', 'Usage events in the ledger.', (c) => c.events],
    ['stemlab_ledger_gateways', 'Gateways the ledger knows.', (c) => c.gateways],
    ['stemlab_gateways_online', 'Gateways online now.', (c) => c.online],
    ['stemlab_ledger_open_gaps', 'Sequence gaps not closed.', (c) => c.openGaps],
    ['stemlab_ledger_dead_letters', 'Messages dead-lettered.', (c) => c.deadLetters],
  ];
  for (const [name, help, pick] of gauges) new Gauge({ name, help, registers: [registry], collect: ledger(pick) });
  const { refusals, loginRefusals, quotaHits } = sources;
  if (refusals) mirroredCounterByLabel(registry, 'stemlab_security_refusals_total', 'What the broker access policy refused, by reason.', 'reason', () => refusals);
  if (loginRefusals) {
    mirroredCounterByLabel(registry, 'stemlab_login_refusals_total', 'Log-ins refused by the rate limit, by scope (user: username and address; address).', 'scope', () => loginRefusals);
  }
  if (quotaHits) {
    new Counter({
      name: 'stemlab_quota_hits_total',
      help: 'Times a gateway hit one of its quotas (security/quotas.ts), by gateway and quota.',
      labelNames: ['unit', 'gateway', 'quota'],
      registers: [registry],
      collect() {
        this.reset();
        for (const h of quotaHits()) this.inc({ unit: h.unit, gateway: h.gateway, quota: h.quota }, h.count);
      },
    });
  }
  return registry;
}

/** The text of a scrape: the API's metrics, then the process's. */
export async function renderMetrics(registry: Registry): Promise<string> {
  return `${await registry.metrics()}\n${await processMetrics().metrics()}`;
}
