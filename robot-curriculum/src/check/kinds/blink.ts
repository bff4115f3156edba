/**
 * An LED blinks by itself at a given rate: judged from the LED pin's history over the run
 * (after a settling second), never from the flow's inject settings.
 */
import { z } from 'zod';
import { ok, say, sec, verdict, wrong, type CheckKind } from '../kind.ts';
import { changes } from '../trace.ts';

export const blinkParams = z.strictObject({
  kind: z.literal('blink'),
  component: z.string().describe('The LED that blinks.'),
  hz: z.number().positive().describe('Blinks (on and off) per second.'),
  tolerance: z.number().min(0).max(1).default(0.25).describe('Allowed relative error of the rate.'),
  seconds: z.number().positive().default(10).describe('How long the flow runs.'),
});
export type BlinkParams = z.infer<typeof blinkParams>;

export const blink: CheckKind<BlinkParams> = {
  scenario: (p) => ({ durationMs: p.seconds * 1000 }),
  judge(trace, p) {
    const from = 1000;
    const ons = changes(trace, p.component).filter((c) => c.t >= from && c.value > 0);
    const span = (trace.durationMs - from) / 1000;
    const expected = p.hz * span;
    const rate = ons.length / span;
    if (ons.length === 0) {
      const lit = changes(trace, p.component).some((c) => c.value > 0);
      return verdict([
        lit
          ? wrong('stays-on', say('Đèn sáng rồi đứng yên, không nhấp nháy: cần một nút inject lặp lại (Repeat) gửi "toggle".', 'The LED came on and stayed: nothing keeps switching it; make an inject node repeat "toggle".'))
          : wrong('never-on', say('Đèn LED không sáng lần nào: kiểm tra nút LED có được nối và nút inject có tự gửi (Repeat) không.', 'The LED never came on: check the LED node is wired and the inject node repeats by itself.')),
      ]);
    }
    const period = 1 / p.hz;
    if (rate > p.hz * (1 + p.tolerance)) {
      return verdict([wrong('too-fast', say(`Đèn nháy ${rate.toFixed(1)} lần mỗi giây, nhanh quá: cần ${p.hz} lần (sáng ${sec((period * 1000) / 2)} s, tắt ${sec((period * 1000) / 2)} s). Khoảng lặp của inject phải là ${period / 2} giây.`, `Your LED blinks ${rate.toFixed(1)} times a second, too fast: it should be ${p.hz} (on ${sec((period * 1000) / 2)} s, off ${sec((period * 1000) / 2)} s). The inject's repeat interval should be ${period / 2} s.`))]);
    }
    if (rate < p.hz * (1 - p.tolerance)) {
      return verdict([wrong('too-slow', say(`Đèn nháy ${rate.toFixed(1)} lần mỗi giây, chậm quá: cần ${p.hz} lần. Khoảng lặp của inject phải là ${period / 2} giây (mỗi lần đảo là nửa chu kỳ).`, `Your LED blinks ${rate.toFixed(1)} times a second, too slow: it should be ${p.hz}. The inject's repeat interval should be ${period / 2} s (each toggle is half a blink).`))]);
    }
    return verdict([ok('rate', say(`Đèn nháy đều ${rate.toFixed(1)} lần mỗi giây (${ons.length} lần trong ${span.toFixed(0)} giây). Đúng rồi!`, `Your LED blinks steadily at ${rate.toFixed(1)} per second (${ons.length} times in ${span.toFixed(0)} s, ${expected.toFixed(0)} expected). Well done!`))]);
  },
};
