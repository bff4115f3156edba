import { startCentral } from '@stemlab/broker';
import { createLogger } from '@stemlab/edge-agent';
import { planFleet, quarterSpan, SimClock } from '@stemlab/simulators/fleet';
import { DEFAULT_SIZE, fleetSpecs, playFleet, registryUnits } from './cli/fleet/fleet.ts';
import { quarterTrends } from './broker/src/reports/trends.ts';
import { quarterlyReport } from './broker/src/reports/quarterly.ts';
const span = quarterSpan('2026Q1');
const clock = new SimClock(span.from);
const central = await startCentral({ dataDir: '/tmp/d16/full', mqtt: { host: '127.0.0.1', port: 0 }, log: createLogger('silent'), security: { allowAnonymous: true }, reports: { archive: false }, ingest: { now: clock.now } });
const plan = planFleet({ quarter: '2026Q1', seed: 7, gateways: fleetSpecs(DEFAULT_SIZE), activity: 1 });
const t0 = Date.now();
const run = await playFleet({ plan, clock, mqttUrl: central.mqttUrl, ledger: central.ledger });
await central.ingest.drain();
for (const t of run.twins) await t.close();
console.log('played', Date.now() - t0, 'ms', (await central.ledger.counts()).events, 'events');
const units = registryUnits(plan);
for (let i = 0; i < 2; i++) {
  let a = performance.now(); await quarterlyReport(central.ledger, '2026Q1', { units, now: span.to }); const r = performance.now() - a;
  a = performance.now(); await quarterTrends(central.ledger, '2026Q1', { units, now: span.to }); const tr = performance.now() - a;
  console.log('report', Math.round(r), 'ms; trends (report + weekly walk)', Math.round(tr), 'ms');
}
await central.stop();
