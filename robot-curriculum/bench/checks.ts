import { CheckRunner } from '../src/check/runner.ts';
import { programme } from '../src/programme.ts';
import { round, type BenchResult, type BenchSuite } from '../../bench/types.ts';

/**
 * The automatic checks: how many a check process runs a minute (its Node-RED already started,
 * as the editor's sidebar and the tests use it), for a board lesson (the traffic light, 30 s of
 * simulated time) and a robot lesson (the P-control line follower on the oval), and how much
 * faster than real time they run.
 */
export const checksSuite: BenchSuite = {
  name: 'checks',
  title: 'Lesson checks: a student flow in Node-RED on simulated hardware, in simulated time',
  async run() {
    const runner = new CheckRunner();
    const results: BenchResult[] = [];
    try {
      const start = performance.now();
      await runner.run(programme[0]!.check, 'robot', programme[0]!.solution, 1);
      results.push({ name: 'check process start (Node-RED, first check)', value: round((performance.now() - start) / 1000, 2), unit: 's' });
      for (const id of ['traffic-light', 'line-p']) {
        const lesson = programme.find((l) => l.id === id)!;
        const rounds = 3;
        let simulated = 0;
        const t0 = performance.now();
        for (let i = 0; i < rounds; i++) {
          const r = await runner.run(lesson.check, lesson.kit.profile, lesson.solution, i + 1);
          if (r.status === 'judged') simulated += r.trace.durationMs;
        }
        const wall = performance.now() - t0;
        results.push({ name: `${id}: checks per minute`, value: round((rounds * 60_000) / wall, 1), unit: 'checks/min' });
        results.push({ name: `${id}: simulated time per wall-clock time`, value: round(simulated / wall, 1), unit: '×' });
      }
    } finally {
      runner.close();
    }
    return results;
  },
};
