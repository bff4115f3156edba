/**
 * The connection storm alone, layer by layer, for finding where a held connection's memory and
 * its CONNECT's time go (the `broker` bench runs the central and Mosquitto only):
 *
 *   node --import tsx broker/bench/connections/storm.ts [--kinds net,aedes,central,mosquitto]
 *     [--count 10000] [--runs 1] [--flags="--max-semi-space-size=1"] [--snapshots DIR] [--cpu-prof DIR]
 *
 * Each kind's server runs in a fresh child process (target.ts, central.ts; Mosquitto spawned) and
 * is measured alone: RSS and V8 heap after a full GC before and after `count` connections from
 * holder.ts children (5,000 sockets each), the time until every CONNACK, and the PINGRESPs.
 * --snapshots writes a heap snapshot before and after (diff them in Chrome DevTools or with
 * heap-diff.ts); --cpu-prof profiles the server's main thread from the first connection to the last CONNACK.
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { stemlabNodeFlags } from '../../../testing/cli.ts';

const { values } = parseArgs({
  options: {
    kinds: { type: 'string', default: 'net,aedes,central,mosquitto' },
    count: { type: 'string', default: '10000' },
    runs: { type: 'string', default: '1' },
    flags: { type: 'string', default: '' },
    snapshots: { type: 'string' },
    'cpu-prof': { type: 'string' },
  },
});
const COUNT = Number(values.count);
const PER_HOLDER = 5000;
const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));

interface Probe {
  rss: number;
  /** CPU time the server has used (user + system, every thread), in ms. */
  cpuMs?: number;
  heapUsed?: number;
  heapTotal?: number;
  external?: number;
  spaces?: Record<string, number>;
}

interface Server {
  port: number;
  threads?(): Map<string, number>;
  probe(): Promise<Probe>;
  snapshot?(path: string): Promise<void>;
  profile?(path?: string): Promise<void>;
  stop(): Promise<void>;
}

function reply<T>(child: ChildProcess, key: string, timeoutMs = 120_000): Promise<T> {
  return new Promise((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`no '${key}' from child ${child.pid}`)), timeoutMs);
    const on = (m: unknown) => {
      if (typeof m !== 'object' || m === null || !(key in m)) return;
      clearTimeout(timer);
      child.off('message', on);
      res(m as T);
    };
    child.on('message', on);
  });
}

async function nodeServer(kind: string, dir: string): Promise<Server> {
  const flags = values.flags ? values.flags.split(/\s+/) : [];
  // The central as `stemlab central` launches it (its Node flags); the other kinds with Node's defaults.
  const execArgv = ['--import', 'tsx', '--expose-gc', ...(kind === 'central' ? stemlabNodeFlags() : []), ...flags];
  const child = kind === 'central' ? fork(here('./central.ts'), [join(dir, 'central')], { execArgv, stdio: 'inherit' }) : fork(here('./target.ts'), [kind], { execArgv, stdio: 'inherit' });
  const { port } = await reply<{ port: number }>(child, 'port');
  const exited = new Promise<void>((res) => child.once('exit', () => res()));
  return {
    port,
    threads: () => threadCpuMs(child.pid as number),
    probe: async () => (child.send('rss'), reply<Probe>(child, 'rss')),
    snapshot: async (path) => void (child.send(`snapshot:${path}`), await reply(child, 'snapshot')),
    profile: async (path) => void (path ? (child.send(`profile:${path}`), await reply(child, 'profiled')) : (child.send('profile'), await reply(child, 'profiling'))),
    stop: async () => {
      if (kind === 'central') child.send('stop');
      else child.disconnect();
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

async function mosquitto(dir: string): Promise<Server> {
  const port = await freePort();
  const conf = join(dir, 'mosquitto.conf');
  writeFileSync(conf, `listener ${port} 127.0.0.1\nallow_anonymous true\nmax_connections -1\npersistence false\nmax_queued_messages 0\nlog_dest none\n`);
  const child = spawn('mosquitto', ['-c', conf], { stdio: 'ignore' });
  for (let i = 0; !(await reachable(port)); i++) {
    if (i > 100) throw new Error('mosquitto did not listen');
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    port,
    probe: async () => ({ rss: Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1]) * 1024, cpuMs: procCpuMs(child.pid as number) }),
    stop: async () => void child.kill('SIGKILL'),
  };
}

async function storm(kind: string, run: number): Promise<Record<string, number | string>> {
  const dir = mkdtempSync(join(tmpdir(), `storm-${kind}-`));
  const server = kind === 'mosquitto' ? await mosquitto(dir) : await nodeServer(kind, dir);
  const holders: ChildProcess[] = [];
  try {
    const before = await server.probe();
    const threadsBefore = server.threads?.();
    if (values.snapshots && server.snapshot) await server.snapshot(join(resolve(values.snapshots), `${kind}-before.heapsnapshot`));
    if (values['cpu-prof'] && server.profile) await server.profile();
    for (let k = 0; k * PER_HOLDER < COUNT; k++) {
      const n = Math.min(PER_HOLDER, COUNT - k * PER_HOLDER);
      holders.push(fork(here('./holder.ts'), ['127.0.0.1', String(server.port), String(n), `storm-${kind}-${run}-${k}`], { execArgv: ['--import', 'tsx'], stdio: 'ignore' }));
    }
    const connected = await Promise.all(holders.map((h) => reply<{ connected: number; failed: number; ms: number }>(h, 'connected')));
    if (values['cpu-prof'] && server.profile) await server.profile(join(resolve(values['cpu-prof']), `${kind}-${run}.cpuprofile`));
    const pongs = await Promise.all(holders.map((h) => (h.send('ping'), reply<{ pongs: number }>(h, 'pongs'))));
    const after = await server.probe();
    if (values.snapshots && server.snapshot) await server.snapshot(join(resolve(values.snapshots), `${kind}-after.heapsnapshot`));
    const alive = pongs.reduce((n, p) => n + p.pongs, 0);
    const threadsAfter = server.threads?.();
    if (threadsBefore && threadsAfter) {
      const used = [...threadsAfter].map(([name, ms]) => `${name} ${ms - (threadsBefore.get(name) ?? 0)}`).filter((t) => !t.endsWith(' 0'));
      console.log(`${kind}: CPU ms by thread during the storm: ${used.join(', ')}`);
    }
    const kb = (a?: number, b?: number) => (a === undefined || b === undefined ? NaN : Math.round(((b - a) / Math.max(1, alive) / 1024) * 100) / 100);
    return {
      kind,
      seconds: Math.round(Math.max(...connected.map((c) => c.ms))) / 1000,
      failed: connected.reduce((n, c) => n + c.failed, 0),
      alive,
      cpuMsPerConnect: after.cpuMs === undefined || before.cpuMs === undefined ? NaN : Math.round(((after.cpuMs - before.cpuMs) / Math.max(1, alive)) * 1000) / 1000,
      rssBeforeMiB: Math.round(before.rss / 2 ** 20),
      rssKB: kb(before.rss, after.rss),
      heapKB: kb(before.heapUsed, after.heapUsed),
      heapTotalKB: kb(before.heapTotal, after.heapTotal),
      newSpaceKB: kb(before.spaces?.new_space, after.spaces?.new_space),
      oldSpaceKB: kb(before.spaces?.old_space, after.spaces?.old_space),
      externalKB: kb(before.external, after.external),
    };
  } finally {
    for (const h of holders) h.kill('SIGKILL');
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** CPU ms of each thread of a process, by thread name (to tell the main thread from a worker, libuv's pool or V8's GC helpers). */
function threadCpuMs(pid: number): Map<string, number> {
  const out = new Map<string, number>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const fields = stat.slice(stat.lastIndexOf(') ') + 2).split(' ');
      const key = tid === String(pid) ? 'main' : name;
      out.set(key, (out.get(key) ?? 0) + (Number(fields[11]) + Number(fields[12])) * 10);
    } catch {
      // the thread ended
    }
  }
  return out;
}

/** utime + stime of a process, from /proc (clock ticks of 10 ms). */
function procCpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => res(port));
    });
  });
}

function reachable(port: number): Promise<boolean> {
  return new Promise((res) => {
    const s = connect({ host: '127.0.0.1', port });
    s.once('connect', () => (s.destroy(), res(true)));
    s.once('error', () => res(false));
  });
}

if (values.snapshots) mkdirSync(values.snapshots, { recursive: true });
if (values['cpu-prof']) mkdirSync(values['cpu-prof'], { recursive: true });
const rows = [];
for (let run = 0; run < Number(values.runs); run++) {
  for (const kind of values.kinds.split(',')) rows.push(await storm(kind, run));
}
console.table(rows);
console.log(readFileSync('/proc/loadavg', 'utf8').trim());
