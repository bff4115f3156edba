/**
 * Where the central's main thread spends its time on the durable publish path: the central runs
 * alone in a child process under `--cpu-prof` (so the profile holds only its work), and this
 * process drives it like the broker bench does: 4 publishers × 2,500 QoS 1 usage events, then
 * 4 × 10,000 QoS 0 telemetry readings, one subscriber each time. Then it summarises the profile's
 * self time by function and by file (ours: broker/src, Aedes, mqtt-packet, zod, Node, GC).
 *
 *   [PROFILE_ONLY=qos1|qos0|ledger] node --import tsx broker/bench/profile-ingest.ts [outDir]
 *
 * Not part of `stemlab bench`: a tool for finding what to make cheaper.
 */
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { startCentral } from '../src/central.ts';
import { OPEN_ANONYMOUS } from '../../testing/anonymous-rights.ts';
import { fanout, intoLedger } from './load.ts';


if (process.argv[2] === '--central') await central(process.argv[3] as string);
else await drive(process.argv[2] ?? mkdtempSync(join(tmpdir(), 'stemlab-profile-')));

/** The child: the central alone, until the parent says stop (then exits, which writes the profile). */
async function central(dataDir: string): Promise<void> {
  const c = await startCentral({
    dataDir,
    mqtt: { host: '127.0.0.1', port: 0 },
    log: pino({ level: 'silent' }),
    security: { ...OPEN_ANONYMOUS, publishesPerSecond: 0, connectsPerSecond: 0 },
    reports: { archive: false },
  });
  // The group commit as it ran: how many messages each commit took, how long the oldest waited.
  const commits = { count: 0, messages: 0, waitedMs: 0, maxWaitedMs: 0 };
  c.ingest.on('commit', (commit) => {
    commits.count++;
    commits.messages += commit.messages;
    commits.waitedMs += commit.waitedMs;
    commits.maxWaitedMs = Math.max(commits.maxWaitedMs, commit.waitedMs);
  });
  // Profiled from the parent's 'start' to its 'stop': the load only, not the start-up's module loading.
  const session = new Session();
  session.connect();
  const post = (method: string, params?: object) => new Promise<unknown>((resolve, reject) => session.post(method, params, (err, result) => (err ? reject(err) : resolve(result))));
  await post('Profiler.enable');
  await post('Profiler.setSamplingInterval', { interval: 200 });
  // CPU per message (every thread of the process, the writer's included): steadier than msgs/s on a shared machine.
  let cpuAtStart = process.cpuUsage();
  let receivedAtStart = 0;
  const onMessage = async (m: string) => {
    if (m === 'start') {
      await post('Profiler.start');
      cpuAtStart = process.cpuUsage();
      receivedAtStart = c.ingest.stats.received;
      process.send?.({ started: true });
      return;
    }
    const cpu = process.cpuUsage(cpuAtStart);
    const received = c.ingest.stats.received - receivedAtStart;
    const { profile } = (await post('Profiler.stop')) as { profile: Profile };
    writeFileSync(join(dataDir, '..', 'central.cpuprofile'), JSON.stringify(profile));
    const { count, messages, waitedMs, maxWaitedMs } = commits;
    console.log(`cpu: ${((cpu.user + cpu.system) / Math.max(1, received)).toFixed(1)} µs per message the ingest received (${received}; user ${(cpu.user / 1e6).toFixed(2)} s, system ${(cpu.system / 1e6).toFixed(2)} s, all threads)`);
    console.log(`commits: ${count}, ${(messages / Math.max(1, count)).toFixed(0)} messages each, the oldest waited ${(waitedMs / Math.max(1, count)).toFixed(1)} ms on average, ${maxWaitedMs} ms at most`);
    await c.stop();
    process.exit(0);
  };
  process.on('message', (m: string) => void onMessage(m));
  process.send?.({ url: c.mqttUrl });
}

async function drive(outDir: string): Promise<void> {
  const child = fork(fileURLToPath(import.meta.url), ['--central', join(outDir, 'central')], {
    // PROFILE_WORKER=1: every thread of the central under --cpu-prof too (the writer thread's profile is its own file).
    execArgv: ['--import', 'tsx', ...(process.env.PROFILE_WORKER ? ['--cpu-prof', `--cpu-prof-dir=${join(outDir, 'threads')}`] : [])],
  });
  const url = await new Promise<string>((resolve) => child.once('message', (m: { url: string }) => resolve(m.url)));
  child.send('start');
  await new Promise((resolve) => child.once('message', resolve));
  const unit = `prof-${randomBytes(3).toString('hex')}`;
  // PROFILE_ONLY=qos1 or qos0 profiles one of the two loads; =ledger the bench's 10 gateways × 1,000 usage events, no subscriber.
  const only = process.env.PROFILE_ONLY;
  const target = { host: new URL(url).hostname, port: Number(new URL(url).port) };
  const qos1 = only === 'qos0' || only === 'ledger' ? NaN : await fanout(target, unit, 1);
  const qos0 = only === 'qos1' || only === 'ledger' ? NaN : await fanout(target, unit, 0);
  const ledger = only === 'ledger' ? await intoLedger(target, unit) : NaN;
  console.log(`QoS 1: ${Math.round(qos1)} msgs/s, QoS 0: ${Math.round(qos0)} msgs/s, into the ledger: ${Math.round(ledger)} events/s`);
  child.send('stop');
  await new Promise((resolve) => child.once('exit', resolve));
  const file = join(outDir, 'central.cpuprofile');
  console.log(`profile: ${file}`);
  summarise(JSON.parse(readFileSync(file, 'utf8')) as Profile);
}




interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Self time by function and by area, as shares of the samples (idle included, then excluded). */
function summarise(profile: Profile): void {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const fns = new Map<string, number>();
  const areas = new Map<string, number>();
  let total = 0;
  let idle = 0;
  for (const [id, us] of self) {
    const f = (byId.get(id) as ProfileNode).callFrame;
    total += us;
    // (idle), and the inspector's own dispatch of Profiler.stop.
    if (f.functionName === '(idle)' || (f.functionName === 'dispatch' && f.url === '')) {
      idle += us;
      continue;
    }
    const where = shortUrl(f.url);
    const key = `${f.functionName || '(anonymous)'} ${where}:${f.lineNumber + 1}`;
    fns.set(key, (fns.get(key) ?? 0) + us);
    const area = areaOf(f.functionName, f.url);
    areas.set(area, (areas.get(area) ?? 0) + us);
  }
  const busy = total - idle;
  const pct = (us: number) => `${((100 * us) / busy).toFixed(1).padStart(5)} %`;
  console.log(`busy ${(busy / 1e6).toFixed(2)} s of ${(total / 1e6).toFixed(2)} s (${((100 * busy) / total).toFixed(0)} %); shares below are of busy time`);
  console.log('\nby area:');
  for (const [k, v] of [...areas].sort((a, b) => b[1] - a[1]).filter(([, v]) => v / busy >= 0.002)) console.log(`${pct(v)}  ${k}`);
  console.log('\ntop functions (self):');
  for (const [k, v] of [...fns].sort((a, b) => b[1] - a[1]).slice(0, 45)) console.log(`${pct(v)}  ${k}`);
}

function shortUrl(url: string): string {
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) return url.slice(nm + 'node_modules/'.length);
  const src = url.indexOf('/broker/src/');
  if (src >= 0) return url.slice(src + 1);
  const pkg = url.indexOf('/packages/');
  if (pkg >= 0) return url.slice(pkg + 1);
  return url;
}

function areaOf(fn: string, url: string): string {
  if (fn === '(garbage collector)') return 'GC';
  if (fn === '(program)') return '(program: VM, not JS)';
  if (url.includes('node_modules/')) {
    const rest = url.slice(url.lastIndexOf('node_modules/') + 'node_modules/'.length);
    return rest.startsWith('@') ? rest.split('/').slice(0, 2).join('/') : (rest.split('/')[0] as string);
  }
  if (url.includes('/broker/src/')) return `ours: ${url.slice(url.indexOf('/broker/src/') + 1).split('/').slice(0, 3).join('/')}`;
  if (url.includes('/packages/')) return `ours: ${url.slice(url.indexOf('/packages/') + 1).split('/').slice(0, 2).join('/')}`;
  if (url.startsWith('node:')) return `node: ${url.slice(5)}`;
  return url ? 'other' : `native: ${fn}`;
}
