import { CheckRunner, type CheckOutcome } from '../src/check/runner.ts';
import { programme } from '../src/programme.ts';
import type { Lesson } from '../src/schema.ts';
import { round, type BenchResult, type BenchSuite } from '../../bench/types.ts';

/**
 * The automatic checks: how many a check process runs a minute (its Node-RED already started,
 * as the editor's sidebar and the tests use it), for a board lesson (the traffic light, 30 s of
 * simulated time), a robot lesson (the P-control line follower on the oval) and the whole
 * programme (every lesson's solution and starter, as the tests run them), how much faster than
 * real time they run, and the check process's CPU time per check: checks per minute falls on a
 * loaded machine, the CPU a check costs does not.
 */
export const checksSuite: BenchSuite = {
  name: 'checks',
  title: 'Lesson checks: a student flow in Node-RED on simulated hardware, in simulated time',
  async run() {
    const runner = new CheckRunner();
    const results: BenchResult[] = [];
    const measure = async (name: string, runs: Array<[Lesson, 'solution' | 'starter', number]>) => {
      let simulated = 0;
      let cpu = 0;
      const t0 = performance.now();
      for (const [lesson, variant, seed] of runs) {
        const r: CheckOutcome = await runner.run(lesson.check, lesson.kit.profile, lesson[variant], seed);
        if (r.status !== 'judged') throw new Error(`${lesson.id} ${variant}: ${r.status}: ${'message' in r ? r.message : ''}`);
        simulated += r.trace.durationMs;
        cpu += r.cpuMs;
      }
      const wall = performance.now() - t0;
      results.push({ name: `${name}: checks per minute`, value: round((runs.length * 60_000) / wall, 1), unit: 'checks/min' });
      results.push({ name: `${name}: simulated time per wall-clock time`, value: round(simulated / wall, 1), unit: '×' });
      results.push({ name: `${name}: check process CPU per check`, value: round(cpu / runs.length, 0), unit: 'ms' });
    };
    try {
      const start = performance.now();
      await runner.run(programme[0]!.check, 'robot', programme[0]!.solution, 1);
      results.push({ name: 'check process start (Node-RED, first check)', value: round((performance.now() - start) / 1000, 2), unit: 's' });
      for (const id of ['traffic-light', 'line-p']) {
        const lesson = programme.find((l) => l.id === id)!;
        await measure(id, [1, 2, 3].map((seed) => [lesson, 'solution', seed]));
      }
      await measure(
        `every lesson's solution and starter (${programme.length * 2})`,
        programme.flatMap((l) => [[l, 'solution', 1] as const, [l, 'starter', 1] as const]),
      );
    } finally {
      runner.close();
    }
    return results;
  },
};
