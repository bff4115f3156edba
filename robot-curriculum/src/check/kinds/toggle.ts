/** Each press of a button switches an LED over (on, off, on...); releasing it changes nothing. */
import { z } from 'zod';
import { ok, say, sec, timeline, verdict, wrong, type CheckKind, type WorldIO } from '../kind.ts';
import { changes, valueAt } from '../trace.ts';

export const toggleParams = z.strictObject({
  kind: z.literal('toggle'),
  button: z.string().default('button'),
  output: z.string(),
  presses: z.number().int().min(2).default(4),
});
export type ToggleParams = z.infer<typeof toggleParams>;

export const toggle: CheckKind<ToggleParams> = {
  scenario(p, random) {
    const steps: Array<[number, (w: WorldIO) => void]> = [];
    let t = 1500;
    for (let i = 0; i < p.presses; i++) {
      steps.push([t, (w) => w.press(p.button)]);
      t += 400 + Math.round(random() * 300);
      steps.push([t, (w) => w.release(p.button)]);
      t += 1500;
    }
    return { durationMs: t, step: timeline(steps) };
  },
  judge(trace, p) {
    const releases = trace.events.filter((e) => e.kind === 'release');
    const presses = trace.events.filter((e) => e.kind === 'press');
    if (changes(trace, p.output).every((c) => c.value === 0)) return verdict([wrong('never-on', say('Đèn không sáng lần nào khi nhấn nút: nối nút nhấn vào nút LED (hành động "toggle").', 'The LED never came on when the button was pressed: wire the button to the LED node (action "toggle").'))]);
    const states = releases.map((r) => valueAt(trace, p.output, r.t + 1400) > 0);
    const during = presses.map((r) => valueAt(trace, p.output, r.t + 300) > 0);
    if (states.every((s) => !s) && during.every((s) => s)) {
      return verdict([wrong('follows-button', say('Đèn chỉ sáng khi đang giữ nút và tắt khi thả tay: nút của bạn đổi trạng thái cả khi nhấn lẫn khi thả. Chỉ đảo đèn khi nhấn (msg.event là "press", hoặc bỏ chọn "release" trong nút nhấn).', 'The LED is on only while the button is held and goes off when you let go: your flow reacts to the release as well. Toggle only on the press (msg.event "press", or untick "release" in the button node).'))]);
    }
    if (states.every((s) => s)) return verdict([wrong('stays-on', say('Đèn bật rồi không tắt khi nhấn lần nữa: dùng hành động "toggle" (đảo) thay vì "on".', 'The LED came on and a second press did not switch it off: use the "toggle" action, not "on".'))]);
    for (let i = 0; i < states.length; i++) {
      const want = i % 2 === 0;
      if (states[i] !== want) return verdict([wrong('wrong-state', say(`Sau lần nhấn thứ ${i + 1} (lúc ${sec(releases[i]!.t)} s) đèn ${states[i] ? 'sáng' : 'tắt'}; phải ${want ? 'sáng' : 'tắt'}.`, `After press ${i + 1} (at ${sec(releases[i]!.t)} s) the LED was ${states[i] ? 'on' : 'off'}; it should be ${want ? 'on' : 'off'}.`))]);
    }
    return verdict([ok('toggle', say(`Mỗi lần nhấn, đèn đổi trạng thái (${states.length} lần). Tốt lắm!`, `Each press switched the LED over (${states.length} presses). Well done!`))]);
  },
};
