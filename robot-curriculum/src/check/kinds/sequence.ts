/**
 * Lights that go through phases in order (a traffic light: green, yellow, red), each for its
 * time; optionally only when a button asks (a pedestrian crossing: green until the button,
 * then the phases once, then green again). Judged from the LEDs' pins sampled every 50 ms.
 */
import { z } from 'zod';
import { ok, say, sec, timeline, verdict, wrong, type CheckKind, type Finding, type Said } from '../kind.ts';
import { valueAt, type Trace } from '../trace.ts';

export const sequenceParams = z.strictObject({
  kind: z.literal('sequence'),
  lights: z.array(z.string()).min(2).describe('The LEDs, e.g. red, yellow, green.'),
  phases: z.array(z.strictObject({ on: z.array(z.string()).min(1), seconds: z.number().positive() })).min(2).describe('In order; the light(s) on and for how long.'),
  tolerance: z.number().min(0).max(1).default(0.25).describe('Allowed relative error of a phase’s time.'),
  button: z.string().optional().describe('Pedestrian crossing: the idle lights stay until this button is pressed, then the phases run once.'),
  idle: z.array(z.string()).optional().describe('With a button: the lights on while waiting (e.g. green).'),
});
export type SequenceParams = z.infer<typeof sequenceParams>;

const COLOURS: Record<string, Said> = { red: say('đỏ', 'red'), yellow: say('vàng', 'yellow'), green: say('xanh', 'green') };
const label = (set: string[]) => {
  if (set.length === 0) return say('không đèn nào', 'no light');
  const parts = set.map((c) => COLOURS[c] ?? say(c, c));
  return say(`đèn ${parts.map((p) => p.vi).join(' + ')}`, `${parts.map((p) => p.en).join(' + ')}`);
};
const key = (set: string[]) => [...set].sort().join('+');

interface Run {
  set: string[];
  from: number;
  to: number;
}

function runsOf(trace: Trace, p: SequenceParams, from: number): Run[] {
  const runs: Run[] = [];
  for (let t = from; t <= trace.durationMs; t += 50) {
    const set = p.lights.filter((l) => valueAt(trace, l, t) > 0);
    const last = runs.at(-1);
    if (last && key(last.set) === key(set)) last.to = t;
    else runs.push({ set, from: t, to: t });
  }
  // A change that is not simultaneous on the wire (one LED off a few ms before the next on) is no phase.
  return runs.filter((r, i) => r.to - r.from >= 150 || i === 0 || i === runs.length - 1).reduce<Run[]>((out, r) => {
    const last = out.at(-1);
    if (last && key(last.set) === key(r.set)) last.to = r.to;
    else out.push({ ...r });
    return out;
  }, []);
}

function judgePhases(runs: Run[], p: SequenceParams, complete: (r: Run, i: number) => boolean): Finding[] {
  const phaseIndex = (set: string[]) => p.phases.findIndex((ph) => key(ph.on) === key(set));
  for (const r of runs) {
    if (phaseIndex(r.set) >= 0 || (p.idle && key(r.set) === key(p.idle))) continue;
    if (r.set.length > 1) return [wrong('overlap', say(`Lúc ${sec(r.from)} s, ${label(r.set).vi} cùng sáng trong ${sec(r.to - r.from)} s: mỗi lúc chỉ một đèn sáng — tắt đèn cũ khi bật đèn mới.`, `At ${sec(r.from)} s, ${label(r.set).en} were on together for ${sec(r.to - r.from)} s: one light at a time — switch the old one off as the next comes on.`))];
    if (r.set.length === 0 && r.to - r.from >= 400) return [wrong('dark', say(`Lúc ${sec(r.from)} s, mọi đèn đều tắt trong ${sec(r.to - r.from)} s: đèn sau phải sáng ngay khi đèn trước tắt.`, `At ${sec(r.from)} s, every light was off for ${sec(r.to - r.from)} s: the next light must come on as the previous one goes off.`))];
  }
  const phases = runs.filter((r) => phaseIndex(r.set) >= 0);
  for (let i = 1; i < phases.length; i++) {
    const prev = phaseIndex(phases[i - 1]!.set);
    const cur = phaseIndex(phases[i]!.set);
    const want = (prev + 1) % p.phases.length;
    if (cur !== want && !(p.idle && prev === p.phases.length - 1)) {
      return [wrong('order', say(`Sau ${label(phases[i - 1]!.set).vi} lại đến ${label(phases[i]!.set).vi}; đúng thứ tự phải là ${label(p.phases[want]!.on).vi}.`, `After ${label(phases[i - 1]!.set).en} came ${label(phases[i]!.set).en}; in the right order it is ${label(p.phases[want]!.on).en}.`))];
    }
  }
  for (const [i, r] of runs.entries()) {
    const k = phaseIndex(r.set);
    if (k < 0 || !complete(r, i)) continue;
    const want = p.phases[k]!.seconds * 1000;
    const got = r.to - r.from + 50;
    if (Math.abs(got - want) > want * p.tolerance + 100) {
      return [wrong('duration', say(`${label(r.set).vi[0]!.toUpperCase()}${label(r.set).vi.slice(1)} sáng ${sec(got)} s; phải sáng ${p.phases[k]!.seconds} s (xem thời gian ở nút delay/trigger).`, `The ${label(r.set).en} light was on for ${sec(got)} s; it should be ${p.phases[k]!.seconds} s (check the time in your delay/trigger node).`))];
    }
  }
  return [];
}

const cycleMs = (p: SequenceParams) => p.phases.reduce((s, ph) => s + ph.seconds * 1000, 0);

export const sequence: CheckKind<SequenceParams> = {
  scenario(p, random) {
    if (!p.button) return { durationMs: 500 + cycleMs(p) * 2.5 };
    const pressAt = 3000 + Math.round(random() * 2000);
    return {
      durationMs: pressAt + cycleMs(p) + 4000,
      step: timeline([
        [pressAt, (w) => w.press(p.button!)],
        [pressAt + 300, (w) => w.release(p.button!)],
      ]),
    };
  },
  judge(trace, p) {
    if (!p.button) {
      const all = runsOf(trace, p, 500);
      // The lights may come on a moment after the deploy.
      const runs = all[0]?.set.length === 0 && all.length > 1 ? all.slice(1) : all;
      if (runs.length <= 1) return verdict([wrong('stuck', say(`Đèn không đổi: suốt ${sec(trace.durationMs)} s chỉ có ${label(runs[0]?.set ?? []).vi}. Nối các bước để đèn tự chuyển (nút delay hoặc trigger), và lặp lại từ đầu.`, `The lights never changed: ${label(runs[0]?.set ?? []).en} for all of ${sec(trace.durationMs)} s. Chain the phases so they change by themselves (delay or trigger nodes) and start over at the end.`))]);
      const findings = judgePhases(runs, p, (_r, i) => i > 0 && i < runs.length - 1);
      if (findings.length > 0) return verdict(findings);
      const cycles = runs.filter((r) => key(r.set) === key(p.phases[0]!.on)).length;
      if (runs.length < p.phases.length * 2) return verdict([wrong('no-repeat', say('Đèn chạy hết một lượt rồi dừng: cho chu trình lặp lại (nối bước cuối về bước đầu, hoặc inject lặp lại).', 'The lights went through once and stopped: make the cycle repeat (wire the last phase back to the first, or repeat the inject).'))]);
      return verdict([ok('cycle', say(`Đèn chuyển đúng thứ tự và đúng thời gian (${cycles} chu kỳ). Tốt lắm!`, `The lights change in the right order with the right times (${cycles} cycles). Well done!`))]);
    }
    const press = trace.events.find((e) => e.kind === 'press')?.t ?? 0;
    const all = runsOf(trace, p, 500);
    // The idle lights may come on a moment after the deploy.
    const before = (all[0]?.set.length === 0 && all.length > 1 ? all.slice(1) : all).filter((r) => r.to < press);
    const idle = p.idle ?? [];
    if (before.some((r) => key(r.set) !== key(idle))) {
      return verdict([wrong('no-wait', say(`Trước khi có người nhấn nút, đèn đã đổi (${label(before.find((r) => key(r.set) !== key(idle))!.set).vi}): đèn phải giữ ${label(idle).vi} cho đến khi nút được nhấn.`, `The lights changed before anyone pressed the button (${label(before.find((r) => key(r.set) !== key(idle))!.set).en}): keep ${label(idle).en} until the button is pressed.`))]);
    }
    const after = runsOf(trace, p, press);
    const first = after.find((r) => key(r.set) !== key(idle));
    if (!first || first.from - press > 1500) {
      return verdict([wrong('ignores-button', say(`Đã nhấn nút lúc ${sec(press)} s mà đèn không chuyển: nối nút nhấn vào bước đầu tiên (${label(p.phases[0]!.on).vi}).`, `The button was pressed at ${sec(press)} s and the lights did not change: wire the button to the first phase (${label(p.phases[0]!.on).en}).`))]);
    }
    const findings = judgePhases(after, p, (r, i) => i > 0 && r.to < trace.durationMs - 100);
    if (findings.length > 0) return verdict(findings);
    const seen = after.filter((r) => p.phases.some((ph) => key(ph.on) === key(r.set))).map((r) => key(r.set));
    const missing = p.phases.find((ph) => !seen.includes(key(ph.on)));
    if (missing) return verdict([wrong('skipped', say(`Sau khi nhấn nút, thiếu ${label(missing.on).vi}: các bước phải là ${p.phases.map((ph) => label(ph.on).vi).join(' → ')}.`, `After the press, ${label(missing.on).en} never came: the phases are ${p.phases.map((ph) => label(ph.on).en).join(' → ')}.`))]);
    if (key(after.at(-1)!.set) !== key(idle)) return verdict([wrong('no-return', say(`Sau các bước, đèn không trở lại ${label(idle).vi}.`, `After the phases, the lights did not go back to ${label(idle).en}.`))]);
    return verdict([ok('crossing', say('Đèn chờ người nhấn nút, rồi chuyển đúng thứ tự, đúng thời gian và trở lại như cũ. Tốt lắm!', 'The lights wait for the button, then change in order with the right times, and go back. Well done!'))]);
  },
};
