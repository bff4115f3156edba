/**
 * The robot lessons' checks, judged from the robot's path in its arena (the simulated world of
 * @stemlab/simulators): where it went, what it bumped, which zones it entered, what its sonar
 * and line sensors read. The flow is started as a student starts it: the robot's start button
 * is pressed and the flow's "Start" inject clicked, one second after the deploy.
 */
import { z } from 'zod';
import { ok, say, sec, timeline, verdict, wrong, type CheckKind, type Finding, type Verdict } from '../kind.ts';
import type { PoseSample, Trace } from '../trace.ts';

const common = {
  arena: z.string().describe('The arena (simulators/arenas/<id>.yaml).'),
  seconds: z.number().positive().describe('How long the flow runs (simulated seconds).'),
  noise: z.number().min(0).max(1).default(1).describe('How far the simulated robot is from perfect (motor mismatch, sensor noise): 1 as a real kit; lower for lessons before students learn to correct a drift.'),
};

export const robotParams = [
  z.strictObject({ kind: z.literal('drive'), ...common, minCm: z.number().positive(), maxCm: z.number().positive() }).describe('Drive straight ahead between minCm and maxCm, then stop.'),
  z.strictObject({ kind: z.literal('square'), ...common, minSideCm: z.number().positive(), closeCm: z.number().positive() }).describe('Drive a square (four sides, four turns) and end near the start.'),
  z.strictObject({ kind: z.literal('stop-before'), ...common, minCm: z.number().positive(), maxCm: z.number().positive() }).describe('Drive towards the wall and stop between minCm and maxCm before it, never bumping.'),
  z.strictObject({ kind: z.literal('line-lap'), ...common, lapCm: z.number().positive(), maxLostMs: z.number().positive() }).describe('Follow the line for a lap (lapCm of track) within the time, never losing it for longer than maxLostMs.'),
  z.strictObject({ kind: z.literal('reach'), ...common, zone: z.string(), maxBumps: z.number().int().min(0) }).describe('Reach a zone of the arena (the maze’s goal, the course’s finish) with at most maxBumps bumps.'),
  z.strictObject({ kind: z.literal('sumo'), ...common, minTravelCm: z.number().positive() }).describe('Keep moving in the ring for the whole time without falling off its edge.'),
  z.strictObject({ kind: z.literal('park'), ...common, zone: z.string() }).describe('End inside the bay, stopped, without touching its walls.'),
] as const;

type RobotUnion = z.infer<(typeof robotParams)[number]>;
export type RobotParams<K extends RobotUnion['kind'] = RobotUnion['kind']> = Extract<RobotUnion, { kind: K }>;

const START_MS = 1000;
const path = (trace: Trace) => trace.path.filter((p) => p.t >= START_MS - 50);
const dist = (a: PoseSample, b: PoseSample) => Math.hypot(a.x - b.x, a.y - b.y);
const travelled = (ps: PoseSample[]) => ps.slice(1).reduce((s, p, i) => s + dist(p, ps[i]!), 0);
const bumps = (trace: Trace) => trace.events.filter((e) => e.kind === 'bump');
/** Moved less than 1 cm in the last second. */
function stopped(ps: PoseSample[]): boolean {
  const last = ps.at(-1)!;
  const before = [...ps].reverse().find((p) => p.t <= last.t - 1000) ?? ps[0]!;
  return dist(last, before) < 1;
}
const cm = (n: number) => Math.round(n).toString();

/** Problems every robot run can have, before the lesson's own judgement. */
function basics(trace: Trace): Finding | undefined {
  const ps = path(trace);
  if (ps.length < 2 || travelled(ps) < 1) {
    const moving = trace.commands.filter((c) => typeof c.command.speed === 'number' && Math.abs(c.command.speed as number) > 0);
    const low = moving.find((c) => Math.abs(c.command.speed as number) < 60);
    if (low && moving.every((c) => Math.abs(c.command.speed as number) < 60)) return wrong('dead-band', say(`Robot không nhúc nhích: tốc độ ${String(low.command.speed)} quá nhỏ, động cơ cần ít nhất khoảng 60 mới quay được bánh.`, `Your robot did not move: speed ${String(low.command.speed)} is too low — the motors need about 60 before the wheels turn.`));
    return wrong('no-move', say('Robot không chạy. Kiểm tra luồng bắt đầu bằng nút inject "Bắt đầu" (hoặc nút trên robot) và nối tới nút điều khiển động cơ.', 'Your robot did not move. Check your flow starts from the "Start" inject (or the robot’s button) and reaches a drive node.'));
  }
  return undefined;
}

/** Where the sonar looked when `t` came (its servo's last angle: 90 ahead, more to the left), or undefined if no servo was ever turned. */
function sonarAim(trace: Trace, t: number): number | undefined {
  const turned = trace.commands.filter((c) => c.t <= t && /servo/.test(c.component) && typeof c.command.degrees === 'number');
  return turned.at(-1)?.command.degrees as number | undefined;
}

const SIDES: Record<string, { vi: string; en: string }> = { north: { vi: 'bắc', en: 'north' }, south: { vi: 'nam', en: 'south' }, east: { vi: 'đông', en: 'east' }, west: { vi: 'tây', en: 'west' } };

/** What a bump hit, as the arena names it (wall-1, box-2) or, for the arena's edge, the fence and its side. */
function bumpedInto(hit: Trace['events'][number]): { vi: string; en: string } {
  const id = (hit.value as { id?: string } | undefined)?.id ?? '';
  const side = /^border-(\w+)$/.exec(id)?.[1];
  if (side && SIDES[side]) return { vi: `rào phía ${SIDES[side].vi}`, en: `the ${SIDES[side].en} fence` };
  return { vi: id, en: id };
}

/**
 * Why the robot bumped, from the second before the first bump: it saw the thing (the sonar read
 * near) and turned towards the side the sonar watches (a sign error in the steering); it turned
 * that way on a far reading (an opening) and clipped the wall's end (steering too hard); or its
 * sonar only ever looked ahead and did not see what it brushed past.
 */
function whyBumped(trace: Trace, hits: Trace['events']): Finding {
  const hit = hits[0]!;
  const { vi: whatVi, en: what } = bumpedInto(hit);
  const n = hits.length;
  // The run ends at the bump that decides the verdict (one more than the lesson allows).
  const countVi = n > 1 ? ` (rồi thêm ${n - 1} lần nữa)` : '';
  const countEn = n > 1 ? ` (and ${n - 1} more times)` : '';
  const before = path(trace).filter((s) => s.t >= hit.t - 1000 && s.t <= hit.t);
  const aim = sonarAim(trace, hit.t);
  const side = aim === undefined ? 0 : Math.sign(aim - 90);
  const turned = before.slice(1).reduce((sum, s, i) => sum + ((((s.heading - before[i]!.heading + 540) % 360) - 180)), 0);
  // What the sonar read as the robot chose its way (the first half of that second), not the last
  // readings, which are short whatever the mistake as the robot closes in.
  const readings = before.filter((s) => s.t <= hit.t - 500).map((s) => s.sonar).filter((d): d is number => typeof d === 'number');
  const nearest = readings.length ? Math.min(...readings) : undefined;
  const towards = side !== 0 && turned * side > 10;
  const sideVi = side > 0 ? 'trái' : 'phải';
  const sideEn = side > 0 ? 'left' : 'right';
  const away = side !== 0 && turned * side < -10;
  if ((towards && nearest !== undefined && nearest < 25) || (away && (nearest === undefined || nearest >= 25))) {
    const seen = nearest === undefined ? { vi: 'không thấy gì gần', en: 'saw nothing near' } : { vi: `đo được ${cm(nearest)} cm`, en: `read ${cm(nearest)} cm` };
    return wrong('wrong-sign', say(`Robot va vào ${whatVi} lúc ${sec(hit.t)} s${countVi}: cảm biến (nhìn bên ${sideVi}) ${seen.vi} mà robot lại rẽ ${towards ? `về bên ${sideVi}` : `ra xa bên ${sideVi}`}. Dấu của phép điều khiển bị ngược: khoảng cách lớn thì rẽ về phía cảm biến nhìn, khoảng cách nhỏ thì rẽ ra xa.`, `Your robot bumped into ${what} at ${sec(hit.t)} s${countEn}: the sonar (looking ${sideEn}) ${seen.en}, yet the robot turned ${towards ? `${sideEn}, towards it` : `away from the ${sideEn}`}. The sign of your steering is the wrong way round: turn towards the side the sonar looks at when the distance is large, away from it when it is small.`));
  }
  if (towards) {
    return wrong('cuts-corner', say(`Robot quẹt vào đầu ${whatVi} lúc ${sec(hit.t)} s${countVi} khi đang rẽ ${sideVi} vòng qua nó: rẽ về phía khoảng trống quá gắt. Giới hạn mức rẽ về phía đó nhỏ hơn để robot vòng rộng hơn.`, `Your robot clipped the end of ${what} at ${sec(hit.t)} s${countEn} while turning ${sideEn} round it: it turns towards the opening too hard. Limit the steering to that side so it rounds the end wider.`));
  }
  if (aim === undefined) {
    return wrong('sonar-ahead', say(`Robot va vào ${whatVi} lúc ${sec(hit.t)} s${countVi}. Cảm biến siêu âm chỉ nhìn thẳng (±15°) nên không thấy tường, vật ở bên cạnh robot: xoay servo để cảm biến nhìn chéo sang bên tường cần bám, và rẽ trước khi chạm.`, `Your robot bumped into ${what} at ${sec(hit.t)} s${countEn}. The sonar only looked straight ahead (±15°), so it did not see the walls and things beside the robot: turn its servo so it looks diagonally towards the wall you follow, and turn before touching.`));
  }
  return wrong('bumped', say(`Robot va vào ${whatVi}${n > 1 ? ` ${n} lần (lần đầu lúc ${sec(hit.t)} s)` : ` lúc ${sec(hit.t)} s`}: nhìn bằng cảm biến siêu âm và rẽ trước khi chạm, khi khoảng cách còn trên 15 cm.`, `Your robot bumped into ${what}${n > 1 ? ` ${n} times (first at ${sec(hit.t)} s)` : ` at ${sec(hit.t)} s`}: look with the sonar and turn before touching, while the distance is still over 15 cm.`));
}

const judges: { [K in RobotUnion['kind']]: (trace: Trace, p: RobotParams<K>) => Verdict } = {
  drive(trace, p) {
    const ps = path(trace);
    const first = ps[0]!;
    const last = ps.at(-1)!;
    const rad = (first.heading * Math.PI) / 180;
    const ahead = (last.x - first.x) * Math.cos(rad) + (last.y - first.y) * Math.sin(rad);
    const turned = Math.abs((((last.heading - first.heading + 540) % 360) - 180));
    if (ahead < -3) return verdict([wrong('backwards', say(`Robot chạy lùi ${cm(-ahead)} cm: đổi chiều (dấu) tốc độ, hoặc dùng "forward" thay cho "backward".`, `Your robot drove backwards ${cm(-ahead)} cm: flip the sign of the speed, or use "forward" instead of "backward".`))]);
    if (turned > 45) return verdict([wrong('spins', say(`Robot quay ${cm(turned)}° thay vì chạy thẳng: hai bánh phải quay cùng chiều (một động cơ của bạn đang quay ngược).`, `Your robot turned ${cm(turned)}° instead of driving straight: both wheels must turn the same way (one of your motors runs in reverse).`))]);
    if (!stopped(ps)) return verdict([wrong('no-stop', say(`Robot không dừng: sau ${sec(trace.durationMs)} s vẫn chạy. Thêm thời gian ("ms") cho lệnh chạy, hoặc một lệnh "stop" sau đó.`, `Your robot never stopped: still moving after ${sec(trace.durationMs)} s. Give the move a time ("ms"), or send "stop" after it.`))]);
    if (ahead < p.minCm) return verdict([wrong('too-short', say(`Robot đi được ${cm(ahead)} cm rồi dừng; cần ${p.minCm}–${p.maxCm} cm: cho chạy lâu hơn hoặc nhanh hơn.`, `Your robot drove ${cm(ahead)} cm and stopped; it should go ${p.minCm}–${p.maxCm} cm: drive longer or faster.`))]);
    if (ahead > p.maxCm) return verdict([wrong('too-far', say(`Robot đi ${cm(ahead)} cm, quá xa; cần ${p.minCm}–${p.maxCm} cm: rút ngắn thời gian chạy hoặc giảm tốc độ.`, `Your robot drove ${cm(ahead)} cm, too far; it should go ${p.minCm}–${p.maxCm} cm: drive for less time or slower.`))]);
    return verdict([ok('drive', say(`Robot chạy thẳng ${cm(ahead)} cm rồi dừng. Tốt lắm!`, `Your robot drove ${cm(ahead)} cm straight ahead and stopped. Well done!`))]);
  },
  square(trace, p) {
    const ps = path(trace);
    const first = ps[0]!;
    const last = ps.at(-1)!;
    // Corners: where the heading settles after a turn.
    let turns = 0;
    let turning = false;
    let total = 0;
    for (let i = 1; i < ps.length; i++) {
      const d = ((ps[i]!.heading - ps[i - 1]!.heading + 540) % 360) - 180;
      total += d;
      if (Math.abs(d) > 2 && !turning) {
        turning = true;
        turns++;
      }
      if (Math.abs(d) <= 0.5) turning = false;
    }
    if (!stopped(ps)) return verdict([wrong('no-stop', say('Robot không dừng sau hình vuông: gửi lệnh "stop" khi đã đủ bốn cạnh.', 'Your robot kept going after the square: send "stop" once four sides are done.'))]);
    if (turns < 4) return verdict([wrong('few-turns', say(`Robot chỉ rẽ ${turns} lần; hình vuông cần 4 lần rẽ: kiểm tra bộ đếm cạnh (switch "còn cạnh?").`, `Your robot turned only ${turns} times; a square needs 4: check your side counter (the "sides left?" switch).`))]);
    const perTurn = Math.abs(total) / turns;
    if (Math.abs(perTurn - 90) > 20) {
      return verdict([wrong(perTurn > 90 ? 'over-turn' : 'under-turn', say(`Mỗi lần rẽ robot quay khoảng ${cm(perTurn)}°, không phải 90°: ${perTurn > 90 ? 'rút ngắn' : 'kéo dài'} thời gian rẽ.`, `Each turn is about ${cm(perTurn)}°, not 90°: make the turn ${perTurn > 90 ? 'shorter' : 'longer'}.`))]);
    }
    const side = travelled(ps) / 4;
    if (side < p.minSideCm) return verdict([wrong('small', say(`Mỗi cạnh chỉ khoảng ${cm(side)} cm; cần ít nhất ${p.minSideCm} cm.`, `Each side is only about ${cm(side)} cm; make it at least ${p.minSideCm} cm.`))]);
    if (dist(first, last) > p.closeCm) return verdict([wrong('not-closed', say(`Robot dừng cách điểm xuất phát ${cm(dist(first, last))} cm: hình vuông chưa khép kín (các cạnh hoặc góc rẽ chưa đều).`, `Your robot stopped ${cm(dist(first, last))} cm from where it started: the square does not close (sides or turns are uneven).`))]);
    return verdict([ok('square', say(`Robot chạy hình vuông cạnh khoảng ${cm(side)} cm và về gần chỗ xuất phát (${cm(dist(first, last))} cm). Tốt lắm!`, `Your robot drove a square of about ${cm(side)} cm sides and ended ${cm(dist(first, last))} cm from its start. Well done!`))]);
  },
  'stop-before'(trace, p) {
    const hit = bumps(trace)[0];
    const ps = path(trace);
    if (hit) return verdict([wrong('bumped', say(`Robot đâm vào tường lúc ${sec(hit.t)} s: nó thấy tường quá muộn — dừng khi khoảng cách dưới ${p.maxCm - 5} cm.`, `Your robot bumped into the wall at ${sec(hit.t)} s: it saw the wall too late — stop when the distance is under ${p.maxCm - 5} cm.`))]);
    if (!stopped(ps)) return verdict([wrong('no-stop', say('Robot không dừng lại trước tường.', 'Your robot did not stop before the wall.'))]);
    const gap = ps.at(-1)!.sonar;
    if (gap === null || gap === undefined || gap > p.maxCm) {
      return verdict([wrong('stops-early', say(`Robot dừng khi còn cách tường ${gap == null ? 'rất xa' : `${cm(gap)} cm`}: dừng quá sớm — chỉ dừng khi khoảng cách dưới ${p.maxCm - 5} cm.`, `Your robot stopped ${gap == null ? 'far' : `${cm(gap)} cm`} from the wall: too early — stop only when the distance is under ${p.maxCm - 5} cm.`))]);
    }
    if (gap < p.minCm) {
      return verdict([wrong('stops-late', say(`Robot dừng cách tường chỉ ${cm(gap)} cm: nó thấy tường quá muộn — dừng khi khoảng cách dưới ${p.maxCm - 5} cm.`, `Your robot stopped ${cm(gap)} cm from the wall: it saw the wall too late — stop when the distance is under ${p.maxCm - 5} cm.`))]);
    }
    return verdict([ok('stopped', say(`Robot dừng cách tường ${cm(gap)} cm, không va chạm. Tốt lắm!`, `Your robot stopped ${cm(gap)} cm from the wall without bumping. Well done!`))]);
  },
  'line-lap'(trace, p) {
    const ps = path(trace);
    let lostFrom: number | undefined;
    for (const s of ps) {
      const sees = (s.line ?? []).some(Boolean);
      if (sees) lostFrom = undefined;
      else if (lostFrom === undefined) lostFrom = s.t;
      else if (s.t - lostFrom > p.maxLostMs) {
        return verdict([wrong('lost-line', say(`Robot rời vạch lúc ${sec(lostFrom)} s (đã đi ${cm(travelled(ps.filter((x) => x.t <= lostFrom!)))} cm) và không tìm lại được: ở khúc cua hãy rẽ mạnh hơn hoặc chạy chậm lại; kiểm tra hướng rẽ (vạch bên trái thì rẽ trái).`, `Your robot left the line at ${sec(lostFrom)} s (after ${cm(travelled(ps.filter((x) => x.t <= lostFrom!)))} cm) and never found it again: turn harder or go slower in the curves, and check the turn directions (line on the left: turn left).`))]);
      }
    }
    const far = travelled(ps);
    const last = ps.at(-1)!;
    const still = ps.filter((s) => s.t >= last.t - 3000);
    if (far < p.lapCm && travelled(still) < 1 && (last.line ?? []).some(Boolean)) {
      return verdict([wrong('stopped-on-line', say(`Robot dừng trên vạch ở (${cm(last.x)}, ${cm(last.y)}) và không đi tiếp: ở giao lộ, nơi mọi cảm biến cùng thấy vạch, robot phải đi thẳng (đừng dừng khi mọi cảm biến thấy vạch).`, `Your robot stopped on the line at (${cm(last.x)}, ${cm(last.y)}) and did not go on: at a crossing, where every sensor sees the line, drive straight on (do not stop when all sensors see it).`))]);
    }
    if (far < p.lapCm) return verdict([wrong('too-slow', say(`Trong ${sec(trace.durationMs)} s robot chỉ đi được ${cm(far)} cm trên ${p.lapCm} cm của một vòng: cho robot chạy nhanh hơn.`, `In ${sec(trace.durationMs)} s your robot covered only ${cm(far)} cm of the ${p.lapCm} cm lap: make it faster.`))]);
    const lapAt = ps.find((s, i) => travelled(ps.slice(0, i + 1)) >= p.lapCm)!;
    return verdict([ok('lap', say(`Robot đi hết một vòng (${p.lapCm} cm) trong ${sec(lapAt.t - START_MS)} s mà không rời vạch. Tốt lắm!`, `Your robot went round a lap (${p.lapCm} cm) in ${sec(lapAt.t - START_MS)} s without leaving the line. Well done!`))]);
  },
  reach(trace, p) {
    const reached = trace.events.find((e) => e.kind === 'zone-enter' && e.value === p.zone);
    const hits = bumps(trace);
    if (hits.length > p.maxBumps) return verdict([whyBumped(trace, hits)]);
    if (!reached) {
      const ps = path(trace);
      const moved = travelled(ps.filter((s) => s.t >= trace.durationMs - 5000));
      // Stuck against what it bumped: why it bumped is the mistake.
      if (moved < 5 && hits.length > 0) return verdict([whyBumped(trace, hits)]);
      return verdict([wrong(moved < 5 ? 'stuck' : 'not-reached', say(moved < 5 ? `Robot đứng yên từ lúc ${sec(trace.durationMs - 5000)} s mà chưa tới đích: khi thấy tường, rẽ rồi chạy tiếp (đừng chỉ dừng).` : `Hết ${sec(trace.durationMs)} s mà robot chưa tới đích: thử bám theo một bên tường (luật bàn tay phải).`, moved < 5 ? `Your robot stood still from ${sec(trace.durationMs - 5000)} s on without reaching the goal: when it sees a wall, turn and drive on (do not just stop).` : `After ${sec(trace.durationMs)} s your robot had not reached the goal: try following one wall (the right-hand rule).`))]);
    }
    return verdict([ok('reached', say(`Robot tới đích lúc ${sec(reached.t)} s${hits.length ? `, va chạm ${hits.length} lần` : ', không va chạm'}. Tốt lắm!`, `Your robot reached the goal at ${sec(reached.t)} s${hits.length ? ` with ${hits.length} bumps` : ' without a bump'}. Well done!`))]);
  },
  sumo(trace, p) {
    const fell = trace.events.find((e) => e.kind === 'fell-off');
    if (fell) return verdict([wrong('fell-off', say(`Robot rơi khỏi sàn lúc ${sec(fell.t)} s: khi cảm biến dò vạch thấy viền trắng, lùi lại rồi quay đầu.`, `Your robot fell off the ring at ${sec(fell.t)} s: when a line sensor sees the white edge, back up and turn round.`))]);
    const far = travelled(path(trace));
    if (far < p.minTravelCm) return verdict([wrong('idle', say(`Robot chỉ di chuyển ${cm(far)} cm trong ${sec(trace.durationMs)} s: robot sumo phải luôn tìm đối thủ (quay, chạy).`, `Your robot moved only ${cm(far)} cm in ${sec(trace.durationMs)} s: a sumo robot keeps searching (turning, driving).`))]);
    return verdict([ok('in-ring', say(`Robot ở trong sàn suốt ${sec(trace.durationMs)} s và di chuyển ${cm(far)} cm. Tốt lắm!`, `Your robot stayed in the ring for ${sec(trace.durationMs)} s and moved ${cm(far)} cm. Well done!`))]);
  },
  park(trace, p) {
    const hit = bumps(trace)[0];
    if (hit) return verdict([wrong('bumped', say(`Robot chạm tường ô đỗ lúc ${sec(hit.t)} s: chạy chậm lại khi gần và dừng khi cảm biến siêu âm đo dưới 10 cm.`, `Your robot touched the bay’s wall at ${sec(hit.t)} s: slow down when near and stop when the sonar reads under 10 cm.`))]);
    const ps = path(trace);
    if (!stopped(ps)) return verdict([wrong('no-stop', say('Robot không dừng lại trong ô đỗ.', 'Your robot did not stop in the bay.'))]);
    const zones = trace.events.filter((e) => e.kind === 'zone-enter' || e.kind === 'zone-exit');
    const inside = zones.filter((e) => e.value === p.zone).at(-1)?.kind === 'zone-enter';
    if (!inside) {
      const gap = ps.at(-1)!.sonar;
      return verdict([wrong('outside', say(`Robot dừng ngoài ô đỗ${gap != null ? `, cách tường cuối ${cm(gap)} cm` : ''}: chạy tiếp vào trong rồi mới dừng (dừng khi khoảng cách dưới 12 cm).`, `Your robot stopped outside the bay${gap != null ? `, ${cm(gap)} cm from its back wall` : ''}: drive on into it before stopping (stop under 12 cm).`))]);
    }
    return verdict([ok('parked', say('Robot đỗ gọn trong ô, không chạm tường. Tốt lắm!', 'Your robot parked inside the bay without touching a wall. Well done!'))]);
  },
};

export const robotKinds: { [K in RobotUnion['kind']]: CheckKind<RobotParams<K>> } = Object.fromEntries(
  Object.entries(judges).map(([kind, judge]) => [
    kind,
    {
      scenario: (p: RobotUnion) => ({ durationMs: p.seconds * 1000, step: timeline([[START_MS, (w) => w.start()]]), until: (trace: Trace) => finished(trace, p) }),
      judge: (trace: Trace, p: RobotUnion) => basicsThen(trace, p, judge as (t: Trace, p: RobotUnion) => Verdict),
    },
  ]),
) as never;

/**
 * Whether the rest of the run would not change the verdict: a lap done or the goal reached, or a
 * failure the judge reads first already there (lost the line for too long, one bump too many,
 * off the ring). Ending then saves the simulated time a wrong answer would otherwise run out.
 */
function finished(trace: Trace, p: RobotUnion): boolean {
  const bumped = bumps(trace).length;
  switch (p.kind) {
    case 'line-lap':
      return travelled(path(trace)) >= p.lapCm + 20 || lostTooLong(path(trace), p.maxLostMs);
    case 'reach':
      return bumped > p.maxBumps || trace.events.some((e) => e.kind === 'zone-enter' && e.value === p.zone);
    case 'stop-before':
    case 'park':
      return bumped > 0;
    case 'sumo':
      return trace.events.some((e) => e.kind === 'fell-off');
    default:
      return false;
  }
}

/** No line sensor saw the line for longer than `maxLostMs` at some point. */
function lostTooLong(ps: PoseSample[], maxLostMs: number): boolean {
  let lostFrom: number | undefined;
  for (const s of ps) {
    if ((s.line ?? []).some(Boolean)) lostFrom = undefined;
    else if (lostFrom === undefined) lostFrom = s.t;
    else if (s.t - lostFrom > maxLostMs) return true;
  }
  return false;
}

function basicsThen(trace: Trace, p: RobotUnion, judge: (t: Trace, p: RobotUnion) => Verdict): Verdict {
  const problem = basics(trace);
  return problem ? verdict([problem]) : judge(trace, p);
}

export const isRobotCheck = (check: { kind: string }): check is RobotUnion => check.kind in judges;
