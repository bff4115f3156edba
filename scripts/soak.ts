/**
 * npm run soak [-- --minutes 10] [--seed S] [--speed 10]: the whole fleet (54 robot units, 28 lab
 * centres, full timetable) at 10× its real rate against one central node, from a Monday morning,
 * with the central restarted every 3 minutes (a third of a shorter run) and a gateway's agent killed every 20 seconds
 * (durable outboxes on disk). At the end: every usage event each gateway appended is in the
 * ledger exactly once (no gap, no dead letter), each gateway's kit-hours of the sessions that
 * ended equal the truth; the process's memory (the central and the 82 gateways live in it) stays
 * within its bound (the last sample at most 150 MB above the first minute's); no unhandled
 * error. Not part of npm test. Prints its figures; exit 1 if any check fails.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startCentral, type Central } from '@stemlab/broker';
import { createLogger } from '@stemlab/edge-agent';
import { planFleet, quarterSpan, runFleet, SimClock } from '@stemlab/simulators/fleet';
import { DEFAULT_SIZE, fleetSpecs } from '../cli/fleet/fleet.ts';
import { MqttTwin } from '../cli/fleet/twin.ts';

const { values } = parseArgs({ options: { minutes: { type: 'string', default: '10' }, hours: { type: 'string' }, seed: { type: 'string' }, speed: { type: 'string', default: '10' } } });
const minutes = values.hours ? Number(values.hours) * 60 : Number(values.minutes);
const seed = values.seed ? Number(values.seed) : Math.floor(Math.random() * 2 ** 31);
const speed = Number(values.speed);
const QUARTER = '2026Q1';
const MEMORY_BOUND_MB = 150;

let unhandled = 0;
process.on('uncaughtException', (err) => {
  unhandled++;
  console.error('UNHANDLED', err);
});
process.on('unhandledRejection', (err) => {
  unhandled++;
  console.error('UNHANDLED REJECTION', err);
});

const dir = mkdtempSync(join(tmpdir(), 'stemlab-soak-'));
const span = quarterSpan(QUARTER);
const clock = new SimClock(span.from);
const paceFrom = Date.parse('2026-01-05T06:58:00+07:00'); // a Monday morning, as the first period begins
const until = paceFrom + minutes * 60_000 * speed;
console.log(`soak: ${minutes} min at ${speed}× real rate, seed ${seed}, simulated ${new Date(paceFrom).toISOString()} → ${new Date(until).toISOString()}; data in ${dir}`);

let port = 0;
const start = async (): Promise<Central> => {
  const c = await startCentral({ dataDir: join(dir, 'central'), mqtt: { host: '127.0.0.1', port }, log: createLogger('silent'), security: { allowAnonymous: true }, reports: { archive: false }, ingest: { now: clock.now } });
  port = Number(new URL(c.mqttUrl).port);
  return c;
};
let central = await start();
const plan = planFleet({ quarter: QUARTER, seed, gateways: fleetSpecs(DEFAULT_SIZE), outages: false });
const twins: MqttTwin[] = [];
const rss: number[] = [];
const sampler = setInterval(() => rss.push(process.memoryUsage().rss), 10_000);
let restarts = 0;
let kills = 0;
const restarter = setInterval(() => {
  void (async () => {
    await central.stop();
    central = await start();
    restarts++;
  })().catch((err: unknown) => console.error('restart failed', err));
}, Math.min(180_000, (minutes * 60_000) / 3));
const killer = setInterval(() => {
  const twin = twins[Math.floor(Math.random() * twins.length)];
  if (twin) void twin.kill().then(() => kills++);
}, 20_000);

const run = await runFleet(plan, {
  clock,
  speed: speed / 1000,
  paceFrom,
  until,
  openTwin: async (spec) => {
    const twin = new MqttTwin(spec, { url: `mqtt://127.0.0.1:${port}`, clock, outboxPath: join(dir, 'outboxes', `${spec.unit}--${spec.gateway}.sqlite`) });
    twins.push(twin);
    return twin;
  },
});
clearInterval(restarter);
clearInterval(killer);
clearInterval(sampler);
await central.ingest.drain();

// The truth of what was lived: every usage happening up to `until`, and the kit sessions that ended by then.
const failures: string[] = [];
let expectedEvents = 0;
for (const g of plan.gateways) {
  const appended = g.happenings.filter((h) => h.t <= until && (h.kind === 'session.start' || h.kind === 'session.end')).length;
  expectedEvents += appended;
  const stored = await central.ledger.events(g.spec.unit, g.spec.gateway);
  if (stored.length !== appended) failures.push(`${g.spec.unit}: ${stored.length} events in the ledger, ${appended} appended`);
  const kitMs = g.happenings.filter((h) => h.t <= until && h.kind === 'session.end' && h.device.component === null).reduce((a, h) => a + (h.kind === 'session.end' ? h.endedAt - h.startedAt : 0), 0);
  const ledgerMs = stored.filter((e) => e.event.type === 'session.end' && e.component === null).reduce((a, e) => a + (e.event.type === 'session.end' ? e.event.session.durationMs : 0), 0);
  if (kitMs !== ledgerMs) failures.push(`${g.spec.unit}: ${ledgerMs} kit-ms in the ledger, truth ${kitMs}`);
}
const gaps = (await central.ledger.gaps()).filter((g) => g.missing > 0);
if (gaps.length > 0) failures.push(`${gaps.length} open sequence gaps`);
const dead = await central.ledger.deadLetters();
if (dead.length > 0) failures.push(`${dead.length} dead letters: ${dead[0]?.reason}`);
const firstMinute = rss[Math.min(5, rss.length - 1)] ?? process.memoryUsage().rss;
const last = process.memoryUsage().rss;
if (last - firstMinute > MEMORY_BOUND_MB * 1e6) failures.push(`memory grew ${Math.round((last - firstMinute) / 1e6)} MB (bound ${MEMORY_BOUND_MB} MB)`);
if (unhandled > 0) failures.push(`${unhandled} unhandled errors`);

console.log(`lived ${run.happenings} happenings in ${Math.round(run.realMs / 1000)} s: ${expectedEvents} usage events, ${restarts} central restarts, ${kills} gateway kills`);
console.log(`ledger: ${(await central.ledger.counts()).events} events, ${gaps.length} open gaps, ${dead.length} dead letters; duplicates absorbed ${central.ledger.stats.duplicates} (this run of the central)`);
console.log(`memory (process: central + ${twins.length} gateways): first minute ${Math.round(firstMinute / 1e6)} MB, max ${Math.round(Math.max(...rss, last) / 1e6)} MB, end ${Math.round(last / 1e6)} MB (bound: +${MEMORY_BOUND_MB} MB)`);
for (const twin of twins) await twin.close();
await central.stop();
rmSync(dir, { recursive: true, force: true });
if (failures.length > 0) {
  console.log(`FAILED:\n  ${failures.slice(0, 20).join('\n  ')}`);
  process.exit(1);
}
console.log('soak passed: ledger == truth, memory within bound, no unhandled error');
process.exit(0);
