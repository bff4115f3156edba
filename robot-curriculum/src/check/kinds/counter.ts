/**
 * A car-park barrier that counts cars: the barrier (a servo) opens for each car the sonar sees
 * while there is room, and the "full" LED lights and the barrier stays shut once `capacity`
 * cars are in. The scenario sends `cars` cars at seeded times.
 */
import { z } from 'zod';
import { ok, say, sec, timeline, verdict, wrong, type CheckKind, type WorldIO } from '../kind.ts';
import { valueAt } from '../trace.ts';
import { isOpen } from './door.ts';

export const counterParams = z.strictObject({
  kind: z.literal('counter'),
  servo: z.string().default('servo'),
  open: z.number(),
  closed: z.number(),
  full: z.string().describe('The LED that says the car park is full.'),
  capacity: z.number().int().positive(),
  cars: z.number().int().positive().describe('Cars the scenario sends (more than the capacity).'),
});
export type CounterParams = z.infer<typeof counterParams>;

export const counter: CheckKind<CounterParams> = {
  scenario(p, random) {
    const steps: Array<[number, number | null]> = [];
    let t = 1500;
    for (let i = 0; i < p.cars; i++) {
      steps.push([t, 10]);
      t += 1500;
      steps.push([t, null]);
      t += 2500 + Math.round(random() * 1000);
    }
    return { durationMs: t, setup: (w) => w.distance(null), step: timeline(steps.map(([at, cm]) => [at, (w: WorldIO) => (w.distance(cm), cm !== null && w.note('car'))])) };
  },
  judge(trace, p) {
    const cars = trace.events.filter((e) => e.kind === 'car');
    const open = (t: number) => isOpen(trace, p, t);
    const full = (t: number) => valueAt(trace, p.full, t) > 0;
    for (const [i, car] of cars.entries()) {
      const n = i + 1;
      let opened = false;
      for (let t = car.t; t < car.t + 1500; t += 50) if (open(t)) opened = true;
      if (n <= p.capacity && !opened) {
        if (n === 1) return verdict([wrong('never-opens', say('Xe đầu tiên đến mà thanh chắn không mở: nhánh "gần" của cảm biến siêu âm phải mở servo.', 'The first car came and the barrier did not open: the ultrasonic node’s "near" branch must open the servo.'))]);
        return verdict([wrong('full-too-early', say(`Xe thứ ${n} không được vào dù bãi còn chỗ (sức chứa ${p.capacity}): kiểm tra phép so sánh số xe (dùng "nhỏ hơn hoặc bằng" ${p.capacity}, hay đếm mỗi xe một lần).`, `Car ${n} was kept out although there was room (capacity ${p.capacity}): check how you compare the count (up to ${p.capacity} cars get in), and that each car counts once.`))]);
      }
      if (n > p.capacity && opened) {
        return verdict([wrong('lets-too-many', say(`Thanh chắn vẫn mở cho xe thứ ${n} dù bãi chỉ chứa ${p.capacity} xe: dừng mở khi đã đếm đủ ${p.capacity} (lỗi lệch một: "lớn hơn" thay vì "lớn hơn hoặc bằng").`, `The barrier opened for car ${n} although the car park holds ${p.capacity}: stop opening once ${p.capacity} are in (an off-by-one: ">" instead of ">=").`))]);
      }
      if (opened) {
        const left = car.t + 1500;
        let closed = false;
        for (let t = left; t < left + 2500; t += 50) if (!open(t)) closed = true;
        if (!closed) return verdict([wrong('never-closes', say(`Xe thứ ${n} đã qua (lúc ${sec(left)} s) mà thanh chắn vẫn mở: đóng lại khi xe đi qua (nhánh "xa").`, `Car ${n} went through (at ${sec(left)} s) and the barrier stayed open: close it when the car has gone (the "far" branch).`))]);
      }
    }
    const fullCar = cars[p.capacity - 1];
    if (fullCar && !full(fullCar.t + 3000)) {
      return verdict([wrong('no-full-light', say(`Đã có ${p.capacity} xe vào mà đèn "hết chỗ" (${p.full}) không sáng: bật đèn khi số xe bằng ${p.capacity}.`, `${p.capacity} cars are in and the "full" light (${p.full}) is not on: switch it on when the count reaches ${p.capacity}.`))]);
    }
    if (fullCar && full(cars[p.capacity - 2]?.t ?? 0)) {
      return verdict([wrong('full-too-early', say('Đèn "hết chỗ" sáng khi bãi còn chỗ.', 'The "full" light came on while there was still room.'))]);
    }
    return verdict([ok('counter', say(`Thanh chắn mở cho ${p.capacity} xe đầu, đóng sau mỗi xe, rồi báo hết chỗ và giữ nguyên cho các xe sau. Tốt lắm!`, `The barrier let the first ${p.capacity} cars in, closed after each, then showed "full" and stayed shut. Well done!`))]);
  },
};
