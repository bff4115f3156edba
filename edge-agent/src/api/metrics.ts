/**
 * The agent's `GET /metrics` in the Prometheus text format, through prom-client: the process
 * (resident memory, CPU, event-loop lag, GC pauses, heap), and the gateway's own figures read
 * when scraped: kits configured and connected, the outbox's depth, the e-stop.
 *
 * Each agent has a registry of its own (two agents in one process, as in the demo, do not share
 * figures); the process metrics live in one registry per process: they describe the process, and
 * prom-client starts an event-loop monitor and a GC observer for each registry they go into.
 */
import type { Gauge as GaugeClass, Registry as RegistryClass } from 'prom-client';
import type { Agent } from '../agent.ts';

/** Prometheus' text format (prom-client's Registry.PROMETHEUS_CONTENT_TYPE). */
export const METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

type PromClient = typeof import('prom-client');

/** What the metrics read besides the agent: the outbox, when the gateway runs one. */
export interface MetricsSources {
  outbox?: { stats(): { pending: number; evicted: number } };
}

let processRegistry: RegistryClass | undefined;

function processMetrics(prom: PromClient): RegistryClass {
  if (processRegistry) return processRegistry;
  const registry = new prom.Registry();
  prom.collectDefaultMetrics({ register: registry });
  return (processRegistry = registry);
}

function gauge(prom: PromClient, registry: RegistryClass, name: string, help: string, read: () => number, labelNames: string[] = []): GaugeClass {
  return new prom.Gauge({
    name,
    help,
    labelNames,
    registers: [registry],
    collect() {
      this.set(read());
    },
  });
}

/**
 * The text of a scrape, for the local API's `/metrics`. prom-client is loaded, and its event-loop
 * monitor and GC observer started, at the first scrape: a gateway nobody scrapes does not pay
 * their memory (measured: `stemlab bench --only gateway`).
 */
export function agentMetrics(agent: Agent, sources: MetricsSources = {}): () => Promise<string> {
  let registries: Promise<{ process: RegistryClass; gateway: RegistryClass }> | undefined;
  const load = async () => {
    const prom = await import('prom-client');
    const registry = new prom.Registry();
    registry.setDefaultLabels({ unit: agent.config.unit, gateway: agent.config.gateway });
    const kits = () => [...agent.kits.values()].map((kit) => kit.status().state);
    gauge(prom, registry, 'stemlab_kits_configured', 'Kits in the config.', () => agent.kits.size);
    gauge(prom, registry, 'stemlab_kits_connected', 'Kits connected now.', () => kits().filter((state) => state === 'connected').length);
    gauge(prom, registry, 'stemlab_estop_latched', 'The emergency stop is latched (1) or not (0).', () => (agent.estop.latched ? 1 : 0));
    const { outbox } = sources;
    if (outbox) {
      gauge(prom, registry, 'stemlab_outbox_pending_events', 'Usage events waiting in the outbox for the broker.', () => outbox.stats().pending);
      gauge(prom, registry, 'stemlab_outbox_evicted_events', 'Usage events the outbox had to drop (full or too old) since it was created.', () => outbox.stats().evicted);
    }
    return { process: processMetrics(prom), gateway: registry };
  };
  return async () => {
    const { process, gateway } = await (registries ??= load());
    // Concatenated, not merged: a merged registry would drop this one's unit/gateway labels.
    return `${await process.metrics()}\n${await gateway.metrics()}`;
  };
}
