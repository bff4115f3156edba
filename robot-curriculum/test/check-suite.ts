/**
 * The checks of a set of lessons: every solution passes (and logs no error), every starter
 * fails, and each wrong answer fails with the finding that names the mistake. One check process
 * per test file (Node-RED starts once in it), in simulated time.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { checkLesson, type CheckResult } from '../src/check/check.ts';
import { CheckRunner } from '../src/check/runner.ts';
import type { Lesson } from '../src/schema.ts';
import { apply } from './mutate.ts';
import { mistakes } from './mistakes.ts';

export function checkSuite(lessons: readonly Lesson[], options: { timeoutMs: number }): CheckRunner {
  const runner = new CheckRunner({ timeoutMs: 120_000 });
  afterAll(() => runner.close());
  const check = (id: string, flow: unknown) => checkLesson(id, flow, { runner, seed: 1, lang: 'en' });
  const explain = (r: CheckResult) => `${r.lesson}: ${r.message}`;
  const timeout = options.timeoutMs;

  describe.each(lessons.map((l) => [l.id, l] as const))('lesson %s', (id, lesson) => {
    it('passes its solution, which logs no error', { timeout }, async () => {
      const result = await check(id, lesson.solution);
      expect(result.status, explain(result)).toBe('pass');
      expect(result.trace!.log.filter((l) => l.level === 'error')).toEqual([]);
    });

    it('fails its starter', { timeout }, async () => {
      const result = await check(id, lesson.starter);
      expect(result.status, explain(result)).toBe('fail');
      expect(result.exitCode).toBe(1);
    });

    const wrongs = mistakes[id] ?? [];
    it('has at least two wrong answers to check', () => expect(wrongs.length).toBeGreaterThanOrEqual(2));
    for (const mistake of wrongs) {
      it(`fails a wrong answer: ${mistake.what}`, { timeout }, async () => {
        const result = await check(id, apply(lesson.solution, ...mistake.mutations));
        expect(result.status, explain(result)).toBe('fail');
        const failing = result.findings.filter((f) => !f.ok);
        expect([mistake.code].flat(), explain(result)).toContain(failing[0]?.code);
        expect(failing.map((f) => f.en).join(' '), explain(result)).toMatch(mistake.says);
      });
    }
  });
  return runner;
}
