/**
 * An automatic door (or barrier) on a servo opens when someone comes nearer than a threshold
 * and closes again some seconds after they have gone; never on a person still in the doorway.
 * The scenario: a person walks up (150 → 60 → 40 → 25 → 15 → 8 cm), goes through, leaves; for
 * `stays`, another one stands in the doorway for a while before leaving.
 */
import { z } from 'zod';
import { ok, say, sec, timeline, verdict, wrong, type CheckKind, type WorldIO } from '../kind.ts';
import type { Trace } from '../trace.ts';

export const doorParams = z.strictObject({
  kind: z.literal('door'),
  servo: z.string().default('servo'),
  open: z.number().describe('Servo angle of the open door (°).'),
  closed: z.number().describe('Servo angle of the closed door (°).'),
  threshold: z.number().positive().describe('Open when someone is nearer than this (cm).'),
  closeAfter: z.number().positive().describe('Close this many seconds after the person has gone.'),
  stays: z.boolean().default(false).describe('Also: a person standing in the doorway longer than closeAfter; the door must stay open.'),
});
export type DoorParams = z.infer<typeof doorParams>;

/** The servo's angle at time t from its pin writes (degrees, or a pulse width in µs as the Servo library reads it). */
export function angleAt(trace: Trace, component: string, t: number, initial: number): number {
  let angle = initial;
  for (const p of trace.pins) {
    if (p.t > t) break;
    if (p.component !== component || p.mode !== 4) continue;
    angle = p.value < 544 ? p.value : Math.round(((Math.min(Math.max(p.value, 544), 2400) - 544) / (2400 - 544)) * 180);
  }
  return angle;
}

export const isOpen = (trace: Trace, p: { servo: string; open: number; closed: number }, t: number) => {
  const a = angleAt(trace, p.servo, t, p.closed);
  return Math.abs(a - p.open) < Math.abs(a - p.closed);
};

export const door: CheckKind<DoorParams> = {
  scenario(p, random) {
    const j = () => Math.round(random() * 400);
    const steps: Array<[number, number | null]> = [];
    let t = 0;
    const hold = (cm: number | null, ms: number) => (steps.push([t, cm]), (t += ms));
    hold(null, 2000 + j());
    for (const cm of [150, 60, 40, 25, 15, 8]) hold(cm, 1000 + j());
    hold(null, (p.closeAfter + 4) * 1000);
    if (p.stays) {
      // Someone goes out, and comes back before the door has closed, and stays in the doorway.
      steps.pop();
      t -= (p.closeAfter + 4) * 1000;
      hold(null, 1500);
      hold(18, (p.closeAfter + 3) * 1000);
      hold(null, (p.closeAfter + 4) * 1000);
    }
    return { durationMs: t, setup: (w) => w.distance(null), step: timeline(steps.map(([at, cm]) => [at, (w: WorldIO) => w.distance(cm)])) };
  },
  judge(trace, p) {
    const seen = trace.events.filter((e) => e.kind === 'distance');
    const open = (t: number) => isOpen(trace, p, t);
    const opened = seen.find((e, i) => {
      const next = seen[i + 1]?.t ?? trace.durationMs;
      for (let t = e.t; t < next; t += 50) if (open(t)) return true;
      return false;
    });
    if (!opened) return verdict([wrong('never-opens', say('Cửa không mở lần nào. Kiểm tra nút siêu âm (ngưỡng) và nút servo: nhánh "gần" (true) phải gửi góc mở.', 'The door never opened. Check the ultrasonic node (its threshold) and the servo node: the "near" (true) branch must send the open angle.'))]);
    const at = opened.value as number | null;
    if (at === null || at >= p.threshold + 15) {
      return verdict([wrong('opens-early', say(`Cửa mở khi người còn ở ${at === null ? 'rất xa' : `${at} cm`}: chỉ mở khi có người gần hơn ${p.threshold} cm.`, `The door opened with the person still ${at === null ? 'far away' : `${at} cm away`}: open only when someone is nearer than ${p.threshold} cm.`))]);
    }
    if (at < p.threshold - 10) {
      return verdict([wrong('opens-late', say(`Cửa chỉ mở khi người đã ở ${at} cm — gần như đụng cửa. Ngưỡng quá nhỏ: mở khi khoảng cách dưới ${p.threshold} cm.`, `The door opened only when the person was ${at} cm away — nearly walking into it. Your threshold is too small: open when the distance is under ${p.threshold} cm.`))]);
    }
    for (const [i, e] of seen.entries()) {
      const until = seen[i + 1]?.t ?? trace.durationMs;
      if (e.value !== null && (e.value as number) < p.threshold) {
        for (let t = e.t + 1000; t < until; t += 50) {
          if (!open(t)) return verdict([wrong('closes-on-person', say(`Lúc ${sec(t)} s cửa đóng lại khi người vẫn đứng ở cửa (${String(e.value)} cm): chỉ đóng khi đã ${p.closeAfter} s không còn ai — mỗi lần lại thấy người thì bộ hẹn giờ phải bắt đầu lại.`, `At ${sec(t)} s the door closed on a person still in the doorway (${String(e.value)} cm): close only when nobody has been there for ${p.closeAfter} s — each time someone is seen again, the timer must start over.`))]);
        }
      }
      const left = e.value === null && i > 0 && seen[i - 1]!.value !== null;
      if (!left || until - e.t < (p.closeAfter + 2) * 1000) continue;
      let closedAt: number | undefined;
      for (let t = e.t; t <= e.t + (p.closeAfter + 2) * 1000; t += 50) {
        if (!open(t)) {
          closedAt = t;
          break;
        }
      }
      if (closedAt === undefined) return verdict([wrong('never-closes', say(`Người đi rồi mà sau ${p.closeAfter + 2} s cửa vẫn mở: thêm bước đóng cửa (góc ${p.closed}°) sau ${p.closeAfter} s khi không còn ai.`, `The person left and the door was still open ${p.closeAfter + 2} s later: add closing (angle ${p.closed}°) ${p.closeAfter} s after nobody is there.`))]);
      if (closedAt - e.t < (p.closeAfter - 1) * 1000) return verdict([wrong('closes-early', say(`Cửa đóng chỉ ${sec(closedAt - e.t)} s sau khi người đi: chờ ${p.closeAfter} s rồi mới đóng.`, `The door closed only ${sec(closedAt - e.t)} s after the person left: wait ${p.closeAfter} s before closing.`))]);
    }
    return verdict([ok('door', say(`Cửa mở khi người đến gần ${String(at)} cm và đóng lại ${p.closeAfter} s sau khi người đi. Tốt lắm!`, `The door opened when the person was ${String(at)} cm away and closed ${p.closeAfter} s after they left. Well done!`))]);
  },
};
