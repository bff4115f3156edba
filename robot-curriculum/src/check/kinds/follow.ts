/**
 * An output (an LED, the fan) follows an input the scenario changes: a button held, a distance
 * under a threshold, the middle line sensor on the line, a temperature above a threshold
 * (optionally with hysteresis: off again only below `release`). Each input value is held for
 * a while and the output judged at the end of the hold, so a flow has time to react.
 */
import { z } from 'zod';
import { ok, say, sec, timeline, verdict, wrong, type CheckKind, type Finding, type WorldIO } from '../kind.ts';
import { changes, valueAt, type Trace } from '../trace.ts';

export const followParams = z.strictObject({
  kind: z.literal('follow'),
  input: z.enum(['button', 'distance', 'line', 'temperature']).describe('What the scenario changes.'),
  output: z.string().describe('The component that must follow it (an LED, the fan).'),
  threshold: z.number().optional().describe('distance: on below it (cm); temperature: on above it (°C).'),
  release: z.number().optional().describe('temperature: off again only below this (°C): hysteresis.'),
  maxToggles: z.number().int().positive().optional().describe('At most this many switches while the temperature wobbles around the threshold.'),
});
export type FollowParams = z.infer<typeof followParams>;

interface Hold {
  value: number | boolean | boolean[] | null;
  ms: number;
}

const unit = (p: FollowParams) => (p.input === 'distance' ? ' cm' : p.input === 'temperature' ? ' °C' : '');
const name = (p: FollowParams) => ({ vi: p.output === 'fan' ? 'Quạt' : 'Đèn', en: p.output === 'fan' ? 'The fan' : 'The LED' });

function holds(p: FollowParams, random: () => number): Hold[] {
  const j = () => Math.round(random() * 300);
  switch (p.input) {
    case 'button':
      return [false, true, false, true, false, true, false].map((v) => ({ value: v, ms: 1400 + j() }));
    case 'distance':
      return [150, 80, 45, 30, 16, 11, 6, 40, 120, 12, null, 8, 70].map((v) => ({ value: v, ms: 1300 + j() }));
    case 'line':
      return ([[false, true, false], [false, false, false], [true, false, false], [false, true, true], [false, false, true], [true, true, false], [false, false, false], [false, true, false]] as boolean[][]).map((v) => ({ value: v, ms: 1300 + j() }));
    case 'temperature': {
      const base = [24, 27, 33, 36, 31, 25, 22, 34];
      const steady = base.map((v) => ({ value: v, ms: 2000 + j() }));
      if (!p.maxToggles) return steady;
      // Wobbling around the threshold, as a real sensor in a warm greenhouse does.
      const wobble = Array.from({ length: 16 }, (_, i) => ({ value: (p.threshold ?? 30) + (i % 2 === 0 ? 0.8 : -1.2), ms: 400 }));
      return [...steady.slice(0, 4), ...wobble, ...steady.slice(4)];
    }
  }
}

/** The expected state after each hold (null: too near the threshold to judge). */
function expectations(p: FollowParams, list: Hold[]): Array<boolean | null> {
  let state = false;
  return list.map(({ value }) => {
    switch (p.input) {
      case 'button':
        return value as boolean;
      case 'line':
        return (value as boolean[])[1]!;
      case 'distance': {
        const t = p.threshold ?? 20;
        if (value === null) return false;
        if (Math.abs((value as number) - t) < 4) return null;
        return (value as number) < t;
      }
      case 'temperature': {
        const t = p.threshold ?? 30;
        const v = value as number;
        if (p.release !== undefined) {
          if (v >= t + 0.5) state = true;
          else if (v <= p.release - 0.5) state = false;
          else if (v > p.release + 0.5 && v < t - 0.5) return state;
          else return null;
          return state;
        }
        if (Math.abs(v - t) < 1.5) return null;
        return v > t;
      }
    }
  });
}

function apply(p: FollowParams, world: WorldIO, value: Hold['value']): void {
  if (p.input === 'button') {
    if (value) world.press('button');
    else world.release('button');
  } else if (p.input === 'distance') world.distance(value as number | null);
  else if (p.input === 'line') world.line(value as boolean[]);
  else world.temperature(value as number);
}

interface Sample {
  at: number;
  value: Hold['value'];
  expected: boolean;
  actual: boolean;
}

function samplesOf(p: FollowParams, trace: Trace, list: Hold[]): Sample[] {
  const expected = expectations(p, list);
  const out: Sample[] = [];
  let t = 0;
  list.forEach((h, i) => {
    t += h.ms;
    const e = expected[i];
    // The first hold is the world as the flow starts in it: judged from the second on, once the flow runs.
    if (i === 0 || e === null || e === undefined || h.ms < 1000) return;
    out.push({ at: t - 50, value: h.value, expected: e, actual: valueAt(trace, p.output, t - 50) > 0 });
  });
  return out;
}

const show = (p: FollowParams, v: Hold['value']) =>
  p.input === 'button' ? say(v ? 'khi nút được nhấn' : 'khi nút được thả', v ? 'while the button was pressed' : 'while the button was released')
  : p.input === 'line' ? say(`khi cảm biến giữa ${(v as boolean[])[1] ? 'thấy' : 'không thấy'} vạch`, `when the middle sensor was ${(v as boolean[])[1] ? 'on' : 'off'} the line`)
  : v === null ? say('khi không có gì trước cảm biến', 'with nothing in front of the sensor')
  : say(`ở ${String(v)}${unit(p)}`, `at ${String(v)}${unit(p)}`);

function diagnose(p: FollowParams, trace: Trace, samples: Sample[]): Finding[] {
  const bad = samples.filter((s) => s.expected !== s.actual);
  const n = name(p);
  const findings: Finding[] = [];
  const switched = changes(trace, p.output).filter((c) => c.value > 0);
  if (switched.length === 0) {
    return [wrong('never-on', say(`${n.vi} không bật lần nào. Kiểm tra nút đầu ra có được nối, và nhánh "bật" có nhận được tin nhắn không (xem tab Debug).`, `${n.en} never came on. Check the output node is wired and that the "on" branch gets a message (watch the Debug tab).`))];
  }
  if (bad.length > 0 && bad.length === samples.length) {
    return [wrong('inverted', say(`${n.vi} làm ngược: bật khi phải tắt và tắt khi phải bật. Đổi chỗ hai đầu ra của nút switch (hoặc true/false).`, `${n.en} does the opposite: on when it should be off, off when it should be on. Swap the two outputs of your switch node (or true and false).`))];
  }
  const offWanted = samples.filter((s) => !s.expected);
  if (offWanted.length > 0 && offWanted.every((s) => s.actual) && samples.some((s) => s.expected && s.actual)) {
    return [wrong('never-off', say(`${n.vi} bật rồi không tắt nữa. Nối nhánh còn lại (false / thả nút / xa) vào một nút "tắt".`, `${n.en} came on and never went off again. Wire the other branch (false / released / far) to an "off" node.`))];
  }
  if (p.maxToggles !== undefined) {
    const toggles = changes(trace, p.output).length;
    if (toggles > p.maxToggles + 8) {
      findings.push(wrong('chatter', say(`${n.vi} bật tắt ${toggles} lần khi nhiệt độ dao động quanh ${p.threshold} °C: chỉ tắt khi nhiệt độ xuống dưới ${p.release} °C (độ trễ – hysteresis), để quạt không bật tắt liên tục.`, `${n.en} switched ${toggles} times while the temperature wobbled around ${p.threshold} °C: switch it off only below ${p.release} °C (hysteresis) so it does not chatter.`)));
    }
  }
  if ((p.input === 'distance' || p.input === 'temperature') && bad.length > 0) {
    const below = p.input === 'distance';
    const missedOn = bad.filter((s) => s.expected && !s.actual && s.value !== null);
    const extraOn = bad.filter((s) => !s.expected && s.actual && s.value !== null);
    if (missedOn.length > 0 && extraOn.length === 0) {
      const worst = below ? Math.min(...missedOn.map((s) => s.value as number)) : Math.max(...missedOn.map((s) => s.value as number));
      findings.push(
        below
          ? wrong('threshold-small', say(`${n.vi} vẫn tắt khi vật ở ${worst} cm: robot thấy vật cản quá muộn. Ngưỡng của bạn quá nhỏ — bật khi khoảng cách dưới ${p.threshold} cm.`, `${n.en} stayed off with something ${worst} cm away: it sees the obstacle too late. Your threshold is too small — switch on when the distance is under ${p.threshold} cm.`))
          : wrong('threshold-high', say(`${n.vi} vẫn tắt ở ${worst} °C: ngưỡng của bạn quá cao — bật khi nhiệt độ trên ${p.threshold} °C.`, `${n.en} stayed off at ${worst} °C: your threshold is too high — switch on above ${p.threshold} °C.`)),
      );
    } else if (extraOn.length > 0 && missedOn.length === 0) {
      const worst = below ? Math.max(...extraOn.map((s) => s.value as number)) : Math.min(...extraOn.map((s) => s.value as number));
      findings.push(
        below
          ? wrong('threshold-large', say(`${n.vi} đã bật khi vật còn ở ${worst} cm: ngưỡng của bạn quá lớn — chỉ bật khi dưới ${p.threshold} cm.`, `${n.en} came on with something still ${worst} cm away: your threshold is too large — switch on only under ${p.threshold} cm.`))
          : wrong('threshold-low', say(`${n.vi} đã bật ở ${worst} °C: ngưỡng của bạn quá thấp — chỉ bật khi trên ${p.threshold} °C.`, `${n.en} came on at only ${worst} °C: your threshold is too low — switch on only above ${p.threshold} °C.`)),
      );
    }
  }
  if (p.input === 'line' && bad.length > 0) {
    for (const k of [0, 2]) {
      const matches = samples.every((s) => s.actual === (s.value as boolean[])[k]);
      if (matches) {
        const side = k === 0 ? say('trái', 'left') : say('phải', 'right');
        findings.push(wrong('wrong-sensor', say(`${n.vi} đi theo cảm biến bên ${side.vi}, không phải cảm biến giữa: dùng msg.line[1] (0 là trái, 1 là giữa, 2 là phải).`, `${n.en} follows the ${side.en} sensor, not the middle one: use msg.line[1] (0 is left, 1 the middle, 2 right).`)));
      }
    }
  }
  if (findings.length === 0 && bad.length > 0) {
    const s = bad[0]!;
    const where = show(p, s.value);
    findings.push(wrong('mismatch', say(`Lúc ${sec(s.at)} s, ${where.vi}, ${n.vi.toLowerCase()} đang ${s.actual ? 'bật' : 'tắt'}; đúng ra phải ${s.expected ? 'bật' : 'tắt'}.`, `At ${sec(s.at)} s, ${where.en}, ${n.en.toLowerCase()} was ${s.actual ? 'on' : 'off'}; it should have been ${s.expected ? 'on' : 'off'}.`)));
  }
  return findings;
}

export const follow: CheckKind<FollowParams> = {
  scenario(p, random) {
    const list = holds(p, random);
    const actions: Array<[number, (w: WorldIO) => void]> = [];
    let t = 0;
    for (const h of list) {
      const value = h.value;
      actions.push([t, (w) => apply(p, w, value)]);
      t += h.ms;
    }
    return { durationMs: t, setup: (w) => apply(p, w, list[0]!.value), step: timeline(actions.slice(1)) };
  },
  judge(trace, p) {
    const samples = samplesOf(p, trace, holdsOf(p, trace));
    const findings = diagnose(p, trace, samples);
    if (findings.length > 0) return verdict(findings);
    const n = name(p);
    return verdict([ok('follows', say(`${n.vi} bật, tắt đúng lúc trong cả ${samples.length} lần kiểm tra. Tốt lắm!`, `${n.en} was right at all ${samples.length} moments checked. Well done!`))]);
  },
};

/** The holds as the trace's events say the scenario played them. */
function holdsOf(p: FollowParams, trace: Trace): Hold[] {
  const kinds = p.input === 'button' ? ['press', 'release'] : [p.input];
  const events = trace.events.filter((e) => kinds.includes(e.kind));
  return events.map((e, i) => ({
    value: p.input === 'button' ? e.kind === 'press' : (e.value as Hold['value']),
    ms: (events[i + 1]?.t ?? trace.durationMs) - e.t,
  }));
}
