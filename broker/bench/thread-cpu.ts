/**
 * The central's CPU per QoS 1 usage event, thread by thread (Linux: /proc/PID/task/TID/stat), under
 * the broker bench's QoS 1 load (load.ts fanout: 4 publishers × 2,500, one subscriber). The central
 * runs as in the bench (connections/central.ts, a process of its own, with `stemlab`'s Node flags); a warm-up of 200 events
 * first starts the ledger's writer thread (its module loading is not counted), and a first run of
 * the load is not counted either. CPU time, unlike
 * a profile's samples or a throughput, barely moves with what else runs on a shared machine.
 *
 *   node --import tsx broker/bench/thread-cpu.ts [runs=3]
 *
 * Prints, per run: the broker's main thread, the busiest other thread (the ledger writer), and
 * all the other threads together (GC helpers, libuv's pool), in µs per event. Not part of
 * `stemlab bench`: a tool for before/after figures.
 */
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gatewayClientId, topics } from '@stemlab/protocol';
import { sessionStart } from '../test/helpers.ts';
import { stemlabNodeFlags } from '../../testing/cli.ts';
import { client, EACH, fanout, PUBLISHERS } from './load.ts';

const TICK_US = 10_000; // USER_HZ 100: /proc's utime and stime are in hundredths of a second

/** utime + stime of each thread of `pid`, in µs. */
function threadTimes(pid: number): Map<number, number> {
  const times = new Map<number, number>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      times.set(Number(tid), (Number(fields[11]) + Number(fields[12])) * TICK_US);
    } catch {
      // a thread that ended meanwhile
    }
  }
  return times;
}

const runs = Number(process.argv[2] ?? 3);
const dir = mkdtempSync(join(tmpdir(), 'stemlab-thread-cpu-'));
const child = fork(fileURLToPath(new URL('./connections/central.ts', import.meta.url)), [join(dir, 'central')], { execArgv: ['--import', 'tsx', ...stemlabNodeFlags()], stdio: 'ignore' });
try {
  const port = await new Promise<number>((resolve) => child.once('message', (m: { port: number }) => resolve(m.port)));
  const target = { host: '127.0.0.1', port };
  const pid = child.pid as number;
  const warm = `warm-${randomBytes(3).toString('hex')}`;
  const gw = await client(target, gatewayClientId(warm, 'gw-0'));
  await Promise.all(Array.from({ length: 200 }, (_, i) => gw.publishAsync(topics.usage(warm, 'gw-0'), JSON.stringify(sessionStart(i + 1)), { qos: 1 })));
  await gw.endAsync();
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const events = PUBLISHERS * EACH[1];
  // One more run than asked: the first (JIT, lazily loaded paths, the heap growing) is a warm-up, not printed.
  for (let r = 0; r <= runs; r++) {
    const before = threadTimes(pid);
    const rate = await fanout(target, `cpu-${randomBytes(3).toString('hex')}`, 1);
    const after = threadTimes(pid);
    const used = [...after].map(([tid, us]) => ({ tid, us: us - (before.get(tid) ?? 0) }));
    const main = used.find((t) => t.tid === pid)?.us ?? 0;
    const others = used.filter((t) => t.tid !== pid).sort((a, b) => b.us - a.us);
    const writer = others[0]?.us ?? 0;
    const rest = others.slice(1).reduce((sum, t) => sum + t.us, 0);
    const per = (us: number) => (us / events).toFixed(1);
    if (r > 0) console.log(`${events} QoS 1 events at ${Math.round(rate)} msgs/s: main thread ${per(main)} µs/event, writer thread ${per(writer)}, other threads ${per(rest)}, all ${per(main + writer + rest)}`);
  }
} finally {
  child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
}
