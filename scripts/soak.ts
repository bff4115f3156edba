/**
 * npm run soak [-- --minutes 10 | --hours 8] [--seed S] [--speed 10] [--start 13:25]: the whole
 * fleet (54 robot units, 28 lab centres, full timetable) at 10× its real rate against one central
 * node, from a Monday at --start (Vietnam time; by default as the clubs' afternoon begins, every
 * robot of half the clubs at once: the busiest hours of the week; 06:58 for a morning). The central is `stemlab central` in its own process (soak/central-process.ts),
 * restarted every 3 minutes (a third of a shorter run), by turns a clean stop (SIGTERM) and a
 * crash (SIGKILL: what the ingest acknowledged must be in the ledger all the same); a gateway's
 * agent, one of the fleet's twins picked by the seed, is killed every 20 seconds (durable outboxes
 * on disk); a real lab gateway (`stemlab agent`, simulated boards: soak/agent-process.ts) rides
 * it all out. At the end:
 * - every usage event each twin appended is in the ledger exactly once (no gap, no dead letter),
 *   and each twin's kit-hours of the sessions that ended equal the simulator's truth;
 * - memory: the central's resident memory stays under CENTRAL_RSS_MB in every one of its runs,
 *   and the real gateway's under AGENT_RSS_MB, growing at most AGENT_GROWTH_MB after its first minute;
 * - no unhandled error: none in this process (82 twins, the runner), none printed by the central
 *   or the agent, and every stop of the central exits 0.
 * Not part of npm test. Prints the seed and its figures; exit 1 if any check fails.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { openLedger } from '@stemlab/broker';
import { seededRandom } from '@stemlab/protocol';
import { planFleet, runFleet, SimClock } from '@stemlab/simulators/fleet';
import { DEFAULT_SIZE, fleetSpecs } from '../cli/fleet/fleet.ts';
import { MqttTwin } from '../cli/fleet/twin.ts';
import { AgentProcess } from './soak/agent-process.ts';
import { CentralProcess } from './soak/central-process.ts';

/** The bounds the soak holds the processes to (a Raspberry Pi 4 with 2 GB runs the central). */
const CENTRAL_RSS_MB = 400;
const AGENT_RSS_MB = 250;
const AGENT_GROWTH_MB = 40;

const { values } = parseArgs({
  options: { minutes: { type: 'string', default: '10' }, hours: { type: 'string' }, seed: { type: 'string' }, speed: { type: 'string', default: '10' }, 'restart-every': { type: 'string', default: '180' }, 'kill-every': { type: 'string', default: '20' }, start: { type: 'string', default: '13:25' } },
});
const minutes = values.hours ? Number(values.hours) * 60 : Number(values.minutes);
const seed = values.seed ? Number(values.seed) : Math.floor(Math.random() * 2 ** 31);
const speed = Number(values.speed);
const restartMs = Math.min(Number(values['restart-every']) * 1000, (minutes * 60_000) / 3);
const killMs = Number(values['kill-every']) * 1000;
for (const [name, x] of Object.entries({ minutes, seed, speed, restartMs, killMs })) {
  if (!Number.isFinite(x) || x <= 0) throw new Error(`soak: --${name} must be a positive number`);
}
const startAt = /^([01]\d|2[0-3]):[0-5]\d$/.exec(values.start);
if (!startAt) throw new Error(`soak: --start must be a time HH:MM (Vietnam time), e.g. 13:25, not '${values.start}'`);
const QUARTER = '2026Q1';
const MB = 1024 * 1024;

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
const plan = planFleet({ quarter: QUARTER, seed, gateways: fleetSpecs(DEFAULT_SIZE), outages: false });
const clock = new SimClock(plan.from);
const paceFrom = Date.parse(`2026-01-05T${values.start}:00+07:00`); // a Monday (what comes before it is played at once)
const until = paceFrom + minutes * 60_000 * speed;
console.log(`soak: ${minutes} min at ${speed}× real rate, seed ${seed}; ${plan.gateways.length} gateways live Monday 5 January 2026 from ${values.start} for ${minutes * speed} simulated minutes, Vietnam time (what comes before at once); central restarted every ${restartMs / 1000} s, a twin killed every ${killMs / 1000} s; data in ${dir}`);

const central = await CentralProcess.create(dir);
await central.start();
const agent = await AgentProcess.start(dir, central.url);
const twins: MqttTwin[] = [];
const rss = { central: [] as number[], agent: [] as Array<{ at: number; rss: number }>, soak: [] as number[] };
const started = Date.now();
const sampler = setInterval(() => {
  const c = central.rss();
  if (c !== undefined) rss.central.push(c);
  const a = agent.rss();
  if (a !== undefined) rss.agent.push({ at: Date.now() - started, rss: a });
  rss.soak.push(process.memoryUsage().rss);
}, 5000);
const random = seededRandom(seed);
let kills = 0;
let crashes = 0;
let restarting: Promise<void> | undefined;
const restarter = setInterval(() => {
  const how = central.starts % 2 === 0 ? 'crash' : 'stop';
  restarting ??= central
    .restart(how)
    .then(() => {
      if (how === 'crash') crashes++;
      console.log(`  ${Math.round((Date.now() - started) / 1000)} s: central ${how === 'crash' ? 'killed (SIGKILL)' : 'stopped'} and started again (restart ${central.starts - 1})`);
    })
    .catch((err: unknown) => console.error('restart failed', err))
    .finally(() => (restarting = undefined));
}, restartMs);
const killer = setInterval(() => {
  const twin = twins[Math.floor(random() * twins.length)];
  if (twin) void twin.kill().then(() => kills++);
}, killMs);
const progress = setInterval(() => console.log(`  ${Math.round((Date.now() - started) / 1000)} s: simulated ${new Date(clock.now()).toISOString()}, ${twins.reduce((a, t) => a + t.pending(), 0)} events waiting in outboxes, ${kills} kills`), 60_000);

const run = await runFleet(plan, {
  clock,
  speed,
  paceFrom,
  until,
  openTwin: async (spec) => {
    const twin = new MqttTwin(spec, { url: central.url, clock, outboxPath: join(dir, 'outboxes', `${spec.unit}--${spec.gateway}.sqlite`) });
    twins.push(twin);
    return twin;
  },
});
clearInterval(restarter);
clearInterval(killer);
clearInterval(sampler);
clearInterval(progress);
await restarting;
for (const twin of twins) await twin.close();
const agentExit = await agent.stop();
await central.stop();

// The truth of what was lived: every usage happening up to `until`, and the kit sessions that ended by then.
const failures: string[] = [];
const ledger = await openLedger({ kind: 'sqlite', file: join(dir, 'ledger.sqlite') });
let expectedEvents = 0;
for (const g of plan.gateways) {
  const appended = g.happenings.filter((h) => h.t <= until && (h.kind === 'session.start' || h.kind === 'session.end')).length;
  expectedEvents += appended;
  const stored = await ledger.events(g.spec.unit, g.spec.gateway);
  if (stored.length !== appended) failures.push(`${g.spec.unit}: ${stored.length} events in the ledger, ${appended} appended`);
  const kitMs = g.happenings.filter((h) => h.t <= until && h.kind === 'session.end' && h.device.component === null).reduce((a, h) => a + (h.kind === 'session.end' ? h.endedAt - h.startedAt : 0), 0);
  const ledgerMs = stored.filter((e) => e.event.type === 'session.end' && e.component === null).reduce((a, e) => a + (e.event.type === 'session.end' ? e.event.session.durationMs : 0), 0);
  if (kitMs !== ledgerMs) failures.push(`${g.spec.unit}: ${ledgerMs} kit-ms in the ledger, truth ${kitMs}`);
}
const gaps = (await ledger.gaps()).filter((g) => g.missing > 0);
if (gaps.length > 0) failures.push(`${gaps.length} open sequence gaps`);
const dead = await ledger.deadLetters();
if (dead.length > 0) failures.push(`${dead.length} dead letters: ${dead[0]?.reason}`);
const counts = await ledger.counts();
// The real gateway was there: its birth reached the central (else its memory is a lonely agent's).
if (!(await ledger.gateway('soak-agent', 'lab-1'))) failures.push('the real gateway (soak-agent/lab-1) never reached the central');
await ledger.close();

const mb = (x: number) => Math.round(x / MB);
const centralMax = Math.max(0, ...rss.central);
if (centralMax > CENTRAL_RSS_MB * MB) failures.push(`the central's memory reached ${mb(centralMax)} MB (bound ${CENTRAL_RSS_MB} MB)`);
const agentFirst = rss.agent.find((s) => s.at >= 60_000)?.rss ?? rss.agent[0]?.rss ?? 0;
const agentMax = Math.max(0, ...rss.agent.map((s) => s.rss));
const agentLast = rss.agent.at(-1)?.rss ?? 0;
if (agentMax > AGENT_RSS_MB * MB) failures.push(`the gateway's memory reached ${mb(agentMax)} MB (bound ${AGENT_RSS_MB} MB)`);
if (agentLast - agentFirst > AGENT_GROWTH_MB * MB) failures.push(`the gateway's memory grew ${mb(agentLast - agentFirst)} MB after its first minute (bound ${AGENT_GROWTH_MB} MB)`);
if (rss.agent.length === 0) failures.push('the real gateway never ran (no memory sample)');
if (unhandled > 0) failures.push(`${unhandled} unhandled errors in the soak's process`);
const badLines = [...central.stderr, ...agent.stderr].filter((l) => /unhandled|uncaught|"level":(50|60)|\bError\b/i.test(l));
if (badLines.length > 0) failures.push(`${badLines.length} errors printed by the central or the agent, first: ${badLines[0]}`);
const centralErrors = central.logged.filter((l) => l.level >= 50);
if (centralErrors.length > 0) failures.push(`${centralErrors.length} errors in the central's log, first: ${centralErrors[0]?.line}`);
const warnings = new Map<string, number>();
for (const l of central.logged) if (l.level === 40) warnings.set(l.msg, (warnings.get(l.msg) ?? 0) + 1);
if (central.badExits.length > 0) failures.push(`central stops that did not exit 0: ${central.badExits.join(', ')}`);
if (agent.exitedEarly) failures.push(`the real gateway exited during the soak (${agent.exitedEarly})`);
if (agentExit !== 0) failures.push(`the real gateway's stop exited ${agentExit}`);
const twinErrors = twins.flatMap((t) => t.errors);

console.log(`lived ${run.happenings} happenings in ${Math.round(run.realMs / 1000)} s: ${expectedEvents} usage events from the twins, ${central.starts - 1} central restarts (${crashes} of them crashes), ${kills} twin kills (${twinErrors.length} MQTT client errors seen by the twins, expected around restarts)`);
console.log(`ledger: ${counts.events} events (the real gateway's included), ${gaps.length} open gaps, ${dead.length} dead letters`);
console.log(`the central's log: ${centralErrors.length} errors, ${[...warnings.values()].reduce((a, n) => a + n, 0)} warnings${[...warnings].map(([msg, n]) => `; ${n}× '${msg}'`).join('')}`);
console.log(`memory: central max ${mb(centralMax)} MB over its ${central.starts} runs (bound ${CENTRAL_RSS_MB} MB); real gateway first minute ${mb(agentFirst)} MB, max ${mb(agentMax)} MB, end ${mb(agentLast)} MB (bound ${AGENT_RSS_MB} MB, growth ${AGENT_GROWTH_MB} MB); soak process (82 twins, the plan) max ${mb(Math.max(0, ...rss.soak))} MB`);
rmSync(dir, { recursive: true, force: true });
if (failures.length > 0) {
  console.log(`FAILED (seed ${seed}):\n  ${failures.slice(0, 20).join('\n  ')}`);
  process.exit(1);
}
console.log(`soak passed (seed ${seed}): ledger == truth, memory within bounds, no unhandled error`);
process.exit(0);
