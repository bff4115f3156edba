import { readFileSync, readdirSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { clubRobot, helper, message, rig, sleep, teardown, type FlowNode, type Rig } from './helpers/red.ts';

// The lessons of the robot club: each deploys, starter and solution, on the robot-1 kit of the
// robot-club example config without an error, and the solutions do what their lesson says on
// the simulated robot (left motor PWM 5 / DIR 4, right motor 6 / 7, LED 13, button 2, HC-SR04
// on 8, line sensors A0–A2, buzzer 3).

const text = z.strictObject({ vi: z.string().min(1), en: z.string().min(1) });
/**
 * The shape of lessons/<id>/lesson.json as a gateway reads it (written from the programme in
 * robot-curriculum/, whose schema is the source: only what this package relies on is checked here).
 */
const lessonSchema = z.looseObject({
  id: z.string().regex(/^[a-z0-9-]+$/),
  order: z.number().int().positive(),
  level: z.enum(['thcs', 'thpt']),
  kit: z.enum(['robot-1', 'board-1']),
  profile: z.enum(['robot', 'automation']),
  title: text,
  goal: text,
  steps: z.array(text).min(1),
  components: z.array(z.strictObject({ id: z.string(), type: z.string() })).min(1),
  starter: z.literal('starter.json'),
  solution: z.literal('solution.json'),
});
const indexSchema = z.strictObject({
  kit: z.literal('robot-1'),
  config: z.string(),
  lessons: z.array(z.strictObject({ id: z.string(), order: z.number(), level: z.enum(['thcs', 'thpt']), number: z.number(), title: text, kit: z.string(), components: z.array(z.string()), path: z.string() })),
});

const read = (path: string): unknown => JSON.parse(readFileSync(new URL(`../${path}`, import.meta.url), 'utf8'));
const index = indexSchema.parse(read('lessons/index.json'));
const lesson = (id: string) => lessonSchema.parse(read(`lessons/${id}/lesson.json`));
const flow = (id: string, variant: 'starter' | 'solution') => read(`lessons/${id}/${variant}.json`) as FlowNode[];
const idOf = (f: FlowNode[], name: string) => {
  const node = f.find((n) => n.name === name);
  if (!node) throw new Error(`no node named ${name}`);
  return node.id;
};

beforeAll(() => helper.startServer());
afterEach(() => teardown());
afterAll(() => helper.stopServer());

// Every lesson's flows are run, starter and solution, by the programme's automatic checks
// (robot-curriculum/test): there they deploy on their kit and must log no error.
describe('the lesson catalogue', () => {
  it('lists every lesson folder, in order, with what its lesson.json says', () => {
    const folders = readdirSync(new URL('../lessons/', import.meta.url), { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);
    expect(index.lessons.map((l) => l.id).sort()).toEqual(folders.sort());
    expect(index.lessons.map((l) => l.order)).toEqual(index.lessons.map((_, i) => i + 1));
    for (const entry of index.lessons) {
      const full = lesson(entry.id);
      expect(entry).toEqual({ id: full.id, order: full.order, level: full.level, number: full.number, title: full.title, kit: full.kit, components: full.components.map((c) => c.id), path: full.id });
    }
  });

  it('robot lessons use only components the robot-club robot has, with the types the lesson names', () => {
    const robot = clubRobot() as { components: Array<{ id: string; type: string }> };
    for (const { id } of index.lessons) {
      const { components, profile } = lesson(id);
      for (const variant of ['starter', 'solution'] as const) {
        const used = flow(id, variant)
          .filter((n) => n.type.startsWith('stemlab-') && n.type !== 'stemlab-kit')
          .flatMap((n) => [n.component, n.left, n.right].filter((c): c is string => typeof c === 'string'));
        for (const c of used) expect(components.map((x) => x.id), `${id}/${variant}: ${c}`).toContain(c);
        const kits = flow(id, variant).filter((n) => n.type === 'stemlab-kit');
        expect(kits, `${id}/${variant}`).toHaveLength(1);
      }
      if (profile !== 'robot') continue;
      for (const c of components) expect(robot.components).toContainEqual(expect.objectContaining(c));
      for (const variant of ['starter', 'solution'] as const) {
        const kits = flow(id, variant).filter((n) => n.type === 'stemlab-kit');
        expect(kits, `${id}/${variant}`).toEqual([{ id: kits[0]!.id, type: 'stemlab-kit', name: 'Robot 1', kit: 'robot-1' }]);
      }
    }
  });

  it('ships each starter and solution as a Node-RED example, by level', () => {
    const folders = { thcs: 'THCS (lớp 6–9)', thpt: 'THPT (lớp 10–12)' };
    for (const entry of index.lessons) {
      const stem = `examples/${folders[entry.level]}/${String(entry.number).padStart(2, '0')} ${entry.title.vi} · ${entry.title.en}`;
      expect(read(`${stem} – bắt đầu · starter.json`), entry.id).toEqual(flow(entry.id, 'starter'));
      expect(read(`${stem} – lời giải · solution.json`), entry.id).toEqual(flow(entry.id, 'solution'));
    }
  });
});

describe('the solutions work on the simulated robot', () => {
  async function solution(id: string): Promise<Rig & { flow: FlowNode[] }> {
    const r = await rig(clubRobot());
    const f = flow(id, 'solution');
    return { ...r, flow: f };
  }

  it('blink: the LED on pin 13 blinks by itself every half second', async () => {
    const r = await solution('blink');
    const changes: number[] = [];
    r.board.on('pin', (s) => s.pin === 13 && changes.push(Date.now()));
    await r.load(r.flow);
    await r.board.waitForPin(13, () => changes.length >= 4, 3000);
    const gaps = changes.slice(1).map((t, i) => t - changes[i]!);
    for (const gap of gaps) expect(gap).toBeGreaterThan(350);
  });

  it('button-led: the LED is lit while the button is pressed', async () => {
    const r = await solution('button-led');
    await r.load(r.flow);
    await r.board.waitForPin(2, () => r.board.readDigital(2) === 1);
    r.board.press(2);
    await r.board.waitForPin(13, (s) => s.value === 1);
    r.board.release(2);
    await r.board.waitForPin(13, (s) => s.value === 0);
  });

  it('square: four times forward then a right turn, then it stops', async () => {
    const r = await solution('square');
    await r.load(r.flow);
    const moves: string[] = [];
    r.sa.agent.bus.on('component:command', (e) => {
      if (e.component !== 'right-motor') return;
      const move = `${String(e.command.action)}${e.command.speed ?? ''}`;
      if (moves.at(-1) !== move) moves.push(move);
    });
    const done = message<{ side: number }>(r.node(idOf(r.flow, 'hình vuông xong / square done')), () => true, 15_000);
    r.node(idOf(r.flow, 'Bắt đầu / Start')).receive({ payload: Date.now(), side: 0 });
    expect((await done).side).toBe(4);
    expect(moves).toEqual(Array(4).fill(['forward150', 'stop', 'reverse120', 'stop']).flat());
    expect([r.board.pinState(5).value, r.board.pinState(6).value]).toEqual([0, 0]);
  });

  it('obstacle: drives on, stops and beeps before an obstacle, and drives on once it is gone', async () => {
    const r = await solution('obstacle');
    r.board.setEchoDistance(8, 100);
    await r.load(r.flow);
    await r.board.waitForPin(5, (s) => s.value === 150);
    await r.board.waitForPin(6, (s) => s.value === 150);
    // Past the agent's 500 ms watchdog: the flow keeps it going.
    await sleep(800);
    expect([r.board.pinState(5).value, r.board.pinState(6).value]).toEqual([150, 150]);

    let beeps = 0;
    r.board.on('pin', (s) => s.pin === 3 && beeps++);
    r.board.setEchoDistance(8, 12);
    await r.board.waitForPin(5, (s) => s.value === 0);
    await r.board.waitForPin(6, (s) => s.value === 0);
    await r.board.waitForPin(3, () => beeps >= 10);
    await sleep(800);
    expect([r.board.pinState(5).value, r.board.pinState(6).value]).toEqual([0, 0]);

    r.board.setEchoDistance(8, 60);
    await r.board.waitForPin(5, (s) => s.value === 150);
  });

  it('line: forward on the line, turns towards it, stops without it', async () => {
    const r = await solution('line');
    await r.load(r.flow);
    const wheels = () => ({ left: r.board.pinState(4).value ? r.board.pinState(5).value : -r.board.pinState(5).value, right: r.board.pinState(7).value ? r.board.pinState(6).value : -r.board.pinState(6).value });
    r.board.setAnalog(1, 900);
    await r.board.waitForPin(5, (s) => s.value === 130);
    expect(wheels()).toEqual({ left: 130, right: 130 });
    // The line drifts under the left sensor: turn left.
    r.board.setAnalog(0, 900);
    r.board.setAnalog(1, 100);
    await r.board.waitForPin(4, (s) => s.value === 0);
    await r.board.waitForPin(5, (s) => s.value === 110);
    expect(wheels()).toEqual({ left: -110, right: 110 });
    // Under the right sensor: turn right.
    r.board.setAnalog(0, 100);
    r.board.setAnalog(2, 900);
    await r.board.waitForPin(7, (s) => s.value === 0);
    expect(wheels()).toEqual({ left: 110, right: -110 });
    // Lost: stop.
    r.board.setAnalog(2, 100);
    await r.board.waitForPin(5, (s) => s.value === 0);
    await r.board.waitForPin(6, (s) => s.value === 0);
  });
});
