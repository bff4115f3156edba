import { describe, expect, it } from 'vitest';
import { checkLesson } from '../src/check/check.ts';
import { programme } from '../src/programme.ts';
import { checkSuite } from './check-suite.ts';

// The lessons on boards (LEDs, buttons, sonar, line sensors, servo, thermometer), judged from
// the simulated board's pin history; and what a check does with a flow it cannot judge.

const runner = checkSuite(
  programme.filter((l) => l.arena === undefined),
  { timeoutMs: 30_000 },
);
const check = (id: string, flow: unknown, seed = 1) => checkLesson(id, flow, { runner, seed, lang: 'en' });

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
