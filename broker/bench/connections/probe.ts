/**
 * The measuring side of a server child of the connection benches (central.ts, target.ts): answers
 * 'rss' with the RSS and heap after a full GC, and 'snapshot:PATH' with a heap snapshot written
 * there (to diff before/after the connections and see what each client costs, by object kind).
 * 'profile' starts a CPU profile of this thread and 'profile:PATH' writes it (the storm alone,
 * without the start and the stop that --cpu-prof would include).
 * Needs --expose-gc for the GC; without it the figures include garbage.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { getHeapSpaceStatistics, writeHeapSnapshot } from 'node:v8';

const gc = (globalThis as { gc?: () => void }).gc;

export function answerProbes(connected: () => number, settleMs = 200): void {
  const session = new Session();
  process.on('message', (message) => {
    if (message === 'rss') {
      gc?.();
      // Let what the new connections started (presence rows, timers) settle before measuring.
      setTimeout(() => {
        gc?.();
        const { rss, heapUsed, heapTotal, external, arrayBuffers } = process.memoryUsage();
        // Committed bytes per V8 space: what the heap holds beyond what is used (the new space's semi-spaces, old-space slack).
        const spaces = Object.fromEntries(getHeapSpaceStatistics().map((s) => [s.space_name, s.space_size]));
        const { user, system } = process.cpuUsage();
        process.send?.({ rss, heapUsed, heapTotal, external, arrayBuffers, spaces, cpuMs: (user + system) / 1000, clients: connected() });
      }, settleMs);
    } else if (message === 'profile') {
      session.connect();
      session.post('Profiler.enable', () => session.post('Profiler.start', () => process.send?.({ profiling: true })));
    } else if (typeof message === 'string' && message.startsWith('profile:')) {
      session.post('Profiler.stop', (err, result) => {
        if (!err) writeFileSync(message.slice('profile:'.length), JSON.stringify(result.profile));
        session.disconnect();
        process.send?.({ profiled: err?.message ?? true });
      });
    } else if (typeof message === 'string' && message.startsWith('snapshot:')) {
      gc?.();
      process.send?.({ snapshot: writeHeapSnapshot(message.slice('snapshot:'.length)) });
    }
  });
}
