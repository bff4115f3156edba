import { afterAll, describe, expect, it } from 'vitest';
import { checkLesson, type CheckResult } from '../src/check/check.ts';
import { isRobotCheck } from '../src/check/kinds/robot.ts';
import { CheckRunner } from '../src/check/runner.ts';
import { programme } from '../src/programme.ts';
import { apply } from './mutate.ts';
import { mistakes } from './mistakes.ts';

// The automatic checks judge what the hardware did: every solution passes, every starter fails,
// and each lesson's wrong answers fail with the finding that names the mistake. All in one check
// process (Node-RED starts once), in simulated time.

const runner = new CheckRunner({ timeoutMs: 60_000 });
afterAll(() => runner.close());
const SEED = 1;
const check = (id: string, flow: unknown, seed = SEED) => checkLesson(id, flow, { runner, seed, lang: 'en' });
const explain = (r: CheckResult) => `${r.lesson}: ${r.message}`;

const ready = programme.filter((l) => !isRobotCheck(l.check));

describe.each(ready.map((l) => [l.id, l] as const))('lesson %s', (id, lesson) => {
  it('passes its solution, which logs no error', async () => {
    const result = await check(id, lesson.solution);
    expect(result.status, explain(result)).toBe('pass');
    expect(result.trace!.log.filter((l) => l.level === 'error')).toEqual([]);
  });

  it('fails its starter', async () => {
    const result = await check(id, lesson.starter);
    expect(result.status, explain(result)).toBe('fail');
    expect(result.exitCode).toBe(1);
  });

  const wrongs = mistakes[id] ?? [];
  it('has at least two wrong answers to check', () => expect(wrongs.length).toBeGreaterThanOrEqual(2));
  for (const mistake of wrongs) {
    it(`fails a wrong answer: ${mistake.what}`, async () => {
      const result = await check(id, apply(lesson.solution, ...mistake.mutations));
      expect(result.status, explain(result)).toBe('fail');
      const failing = result.findings.filter((f) => !f.ok);
      expect(failing.map((f) => f.code), explain(result)).toContain(mistake.code);
      expect(failing.map((f) => f.en).join(' '), explain(result)).toMatch(mistake.says);
    });
  }
});

describe('a check', () => {
  it('gives the same verdict and trace for the same seed, and passes a solution with other seeds', async () => {
    const lesson = programme.find((l) => l.id === 'traffic-light')!;
    const a = await check(lesson.id, lesson.solution, 5);
    const b = await check(lesson.id, lesson.solution, 5);
    expect(b.message).toBe(a.message);
    expect(b.trace!.pins).toEqual(a.trace!.pins);
    const door = programme.find((l) => l.id === 'smart-door')!;
    for (const seed of [2, 3]) expect((await check(door.id, door.solution, seed)).status).toBe('pass');
  });

  it('answers in Vietnamese or English', async () => {
    const lesson = programme.find((l) => l.id === 'blink')!;
    const vi = await checkLesson(lesson.id, lesson.starter, { runner, lang: 'vi' });
    expect(vi.message).toMatch(/CHƯA ĐẠT[\s\S]*Đèn LED không sáng/);
  });

  it('cannot judge what is not a lesson flow: says why, exit code 2, and the check process carries on', async () => {
    const tab = { id: 't', type: 'tab', label: 'mine' };
    const cases: Array<[unknown, RegExp]> = [
      [{ not: 'a flow' }, /JSON array of Node-RED nodes/],
      [[tab, { id: 'x', type: 'exec', z: 't' }], /'exec' never run on the classroom gateway/],
      [[tab, { id: 'f', type: 'function', z: 't', func: 'return msg' }], /function.*not enabled/],
      [[tab, { id: 'u', type: 'node-red-contrib-unknown', z: 't' }], /not installed/],
      [[{ id: 'l', type: 'stemlab-led', kit: 'k' }], /no tab/],
      [[tab, { id: 'a', type: 'inject', z: 't' }, { id: 'a', type: 'inject', z: 't' }], /two nodes have the id 'a'/],
    ];
    for (const [flow, says] of cases) {
      const result = await check('blink', flow);
      expect(result.status, JSON.stringify(flow)).toBe('invalid');
      expect(result.exitCode).toBe(2);
      expect(result.message).toMatch(says);
    }
    expect((await check('no-such-lesson', [])).message).toMatch(/no lesson 'no-such-lesson'/);
    const blink = programme.find((l) => l.id === 'blink')!;
    expect((await check('blink', blink.solution)).status).toBe('pass');
  });
});
