/**
 * At least two wrong answers for every lesson, each with the finding the check must answer
 * (its code names the mistake, and the feedback a student reads says what to fix).
 */
import { insert, negate, set, unwire, wire, type Mutation } from './mutate.ts';

export interface Mistake {
  what: string;
  mutations: Mutation[];
  /** The code of the failing finding (or any of these, where the simulated robot's timing decides which symptom shows). */
  code: string | string[];
  /** Words the English feedback must contain. */
  says: RegExp;
}

/** The wall follower's P term with other wheel formulas or another limit towards the wall: a student's edit of it. */
const steer = (name: string, left: string, right: string, towardsLimit: number): Mutation =>
  set(name, { rules: [{ t: 'set', p: 'payload', pt: 'msg', to: `( $e := (payload = null ? 200 : payload) - 29; $d := $max([-110, $min([${towardsLimit}, 4 * $e])]); {"left": $round(${left}), "right": $round(${right})} )`, tot: 'jsonata' }] });

export const mistakes: Record<string, Mistake[]> = {
  blink: [
    { what: 'repeat every 1 s instead of 0.5 s', mutations: [set('Đảo mỗi 0.5 s / toggle every 0.5 s', { repeat: '1' })], code: 'too-slow', says: /too slow.*0\.5 s/ },
    { what: 'sends "on" instead of "toggle"', mutations: [set('Đảo mỗi 0.5 s / toggle every 0.5 s', { payload: 'on' })], code: 'stays-on', says: /stayed/ },
    { what: 'repeat every 0.1 s', mutations: [set('Đảo mỗi 0.5 s / toggle every 0.5 s', { repeat: '0.1' })], code: 'too-fast', says: /too fast/ },
  ],
  'button-led': [
    { what: 'the LED node set to "on"', mutations: [set('type:stemlab-led', { action: 'on' })], code: 'never-off', says: /never went off/ },
    { what: 'the LED inverted', mutations: [insert('type:stemlab-button', 'type:stemlab-led', negate)], code: 'inverted', says: /opposite/ },
  ],
  'traffic-light': [
    { what: 'green not switched off when yellow comes on', mutations: [unwire('chờ 5 s (xanh) / wait 5 s (green)', 'tắt xanh / green off')], code: 'overlap', says: /together/ },
    { what: 'yellow for 0.5 s', mutations: [set('chờ 2 s (vàng) / wait 2 s (yellow)', { timeout: '0.5' })], code: 'duration', says: /yellow light was on for 0\.5 s; it should be 2 s/ },
  ],
  sonar: [
    { what: 'a threshold of 10 cm', mutations: [set('siêu âm / ultrasonic', { threshold: 10, hysteresis: 2 })], code: 'threshold-small', says: /too late.*under 20 cm/ },
    { what: 'a threshold of 60 cm', mutations: [set('siêu âm / ultrasonic', { threshold: 60 })], code: 'threshold-large', says: /too large/ },
  ],
  'line-sensors': [
    { what: 'the left sensor instead of the middle one', mutations: [set('giữa trên vạch? / middle on the line?', { property: 'line[0]' })], code: 'wrong-sensor', says: /left sensor.*line\[1\]/ },
    { what: 'a threshold of 1000', mutations: [set('dò vạch / line sensors', { threshold: 1000 })], code: 'never-on', says: /never came on/ },
  ],
  door: [
    { what: 'a threshold of 10 cm', mutations: [set('siêu âm / ultrasonic', { threshold: 10, hysteresis: 2 })], code: 'opens-late', says: /threshold is too small.*under 30 cm/ },
    { what: 'no closing', mutations: [unwire('chờ 3 s / wait 3 s', 'đóng cửa / close')], code: 'never-closes', says: /still open/ },
  ],
  greenhouse: [
    { what: 'a threshold of 34 °C', mutations: [set('nhiệt độ / temperature', { threshold: 34 })], code: 'threshold-high', says: /threshold is too high/ },
    { what: 'the fan runs when cold (sign error)', mutations: [insert('nhiệt độ / temperature', 'quạt / fan', negate)], code: 'inverted', says: /opposite/ },
  ],
  toggle: [
    { what: 'toggles on press and release', mutations: [unwire('nút nhấn / button', 'chỉ khi nhấn / on press only'), wire('nút nhấn / button', 'đèn / LED')], code: 'follows-button', says: /release as well/ },
    { what: '"on" instead of "toggle"', mutations: [set('đèn / LED', { action: 'on' })], code: 'stays-on', says: /toggle/ },
  ],
  crossing: [
    { what: 'yellow for 0.2 s', mutations: [set('chờ 2 s / wait 2 s', { timeout: '0.2' })], code: 'duration', says: /yellow light was on for 0\.\d s; it should be 2 s/ },
    { what: 'the sequence runs on deploy, not on the button', mutations: [wire('Bắt đầu / Start', 'chờ 2 s / wait 2 s'), wire('Bắt đầu / Start', 'bật vàng / yellow on')], code: 'no-wait', says: /before anyone pressed/ },
  ],
  'smart-greenhouse': [
    { what: 'no hysteresis', mutations: [set('nhiệt độ / temperature', { hysteresis: 0 })], code: 'chatter', says: /hysteresis/ },
    { what: 'a threshold of 35 °C', mutations: [set('nhiệt độ / temperature', { threshold: 35 })], code: 'threshold-high', says: /too high/ },
  ],
  barrier: [
    { what: 'room while count <= 3 (off by one)', mutations: [set('còn chỗ? / room?', { rules: [{ t: 'lte', v: '3', vt: 'num' }] })], code: 'lets-too-many', says: /car 4.*holds 3/ },
    { what: 'never closes', mutations: [unwire('xe đến hay đi? / car in or gone?', 'đóng / close')], code: 'never-closes', says: /stayed open/ },
  ],
  'smart-door': [
    { what: 'the closing timer is not cancelled', mutations: [unwire('huỷ hẹn giờ / cancel the timer', 'đóng sau 3 s / close after 3 s')], code: 'closes-on-person', says: /closed on a person/ },
    { what: 'a threshold of 10 cm', mutations: [set('siêu âm / ultrasonic', { threshold: 10, hysteresis: 2 })], code: 'opens-late', says: /too small/ },
  ],
  motors: [
    { what: 'speed 40 (below the dead band)', mutations: [set('chạy thẳng / forward', { speed: 40 })], code: 'dead-band', says: /speed 40 is too low/ },
    { what: 'backward instead of forward (sign)', mutations: [set('chạy thẳng / forward', { action: 'backward' })], code: 'backwards', says: /backwards/ },
    { what: 'no time: never stops', mutations: [set('chạy thẳng / forward', { ms: 0 })], code: 'no-stop', says: /never stopped/ },
  ],
  square: [
    { what: 'turns too long', mutations: [set('rẽ phải / turn right 0.85 s', { ms: 1300 })], code: 'over-turn', says: /not 90°: make the turn shorter/ },
    { what: 'counts only to 2', mutations: [set('còn cạnh? / sides left?', { rules: [{ t: 'lt', v: '2', vt: 'num' }, { t: 'else' }] })], code: 'few-turns', says: /turned only 2 times/ },
  ],
  obstacle: [
    { what: 'a threshold of 5 cm', mutations: [set('type:stemlab-ultrasonic', { threshold: 5, hysteresis: 1 })], code: ['stops-late', 'bumped'], says: /saw the wall too late/ },
    { what: 'a threshold of 70 cm', mutations: [set('type:stemlab-ultrasonic', { threshold: 70 })], code: 'stops-early', says: /too early/ },
  ],
  line: [
    { what: 'left and right swapped', mutations: [set('rẽ trái / turn left', { action: 'right' }), set('rẽ phải / turn right', { action: 'left' })], code: 'lost-line', says: /left the line/ },
    { what: 'no turning left', mutations: [unwire('vạch ở đâu? / where is the line?', 'rẽ trái / turn left')], code: 'lost-line', says: /left the line/ },
  ],
  parking: [
    { what: 'stops under 40 cm', mutations: [set('gần tới đâu? / how near?', { rules: [{ t: 'lt', v: '40', vt: 'num' }, { t: 'lt', v: '55', vt: 'num' }, { t: 'else' }] })], code: 'outside', says: /outside the bay/ },
    { what: 'stops only under 2 cm', mutations: [set('gần tới đâu? / how near?', { rules: [{ t: 'lt', v: '2', vt: 'num' }, { t: 'lt', v: '4', vt: 'num' }, { t: 'else' }] })], code: 'bumped', says: /touched the bay/ },
  ],
  'drive-distance': [
    { what: 'too short a time', mutations: [set('chạy thẳng / forward', { ms: 1000 })], code: 'too-short', says: /drive longer or faster/ },
    { what: 'too long a time', mutations: [set('chạy thẳng / forward', { ms: 4000 })], code: 'too-far', says: /too far/ },
  ],
  'line-p': [
    { what: 'a sign error in the P term', mutations: [set('P: 140 ± 60 × vị trí / position', { rules: [{ t: 'set', p: 'payload', pt: 'msg', to: '{"left": 140 - 60 * position, "right": 140 + 60 * position}', tot: 'jsonata' }] })], code: 'lost-line', says: /left the line/ },
    { what: 'K too small', mutations: [set('P: 140 ± 60 × vị trí / position', { rules: [{ t: 'set', p: 'payload', pt: 'msg', to: '{"left": 140 + 5 * position, "right": 140 - 5 * position}', tot: 'jsonata' }] })], code: 'lost-line', says: /left the line/ },
  ],
  'line-eight': [
    { what: 'K too small for the tight curves', mutations: [set('P: 130 ± 80 × vị trí / position', { rules: [{ t: 'set', p: 'payload', pt: 'msg', to: '{"left": 130 + 10 * position, "right": 130 - 10 * position}', tot: 'jsonata' }] })], code: 'lost-line', says: /left the line/ },
    { what: 'too cautious: base speed 90, K 30', mutations: [set('P: 130 ± 80 × vị trí / position', { rules: [{ t: 'set', p: 'payload', pt: 'msg', to: '{"left": 90 + 30 * position, "right": 90 - 30 * position}', tot: 'jsonata' }] })], code: ['too-slow', 'lost-line'], says: /make it faster|left the line/ },
  ],
  'obstacle-course': [
    { what: 'a sign error in the steering', mutations: [steer('P: bám rào phải / follow the right fence', '130 - $d', '130 + $d', 20)], code: 'wrong-sign', says: /sign of your steering is the wrong way round/ },
    { what: 'the servo never turned (the sonar looks ahead)', mutations: [unwire('Bắt đầu / Start', 'nhìn phải 60° / look 60° right')], code: 'sonar-ahead', says: /only looked straight ahead.*turn its servo/ },
    { what: 'turns towards the fence too hard', mutations: [steer('P: bám rào phải / follow the right fence', '130 + $d', '130 - $d', 110)], code: 'cuts-corner', says: /clipped the end of wall-1.*too hard/ },
  ],
  maze: [
    { what: 'a sign error in the steering', mutations: [steer('P: bám tường trái / follow the left wall', '130 + $d', '130 - $d', 20)], code: 'wrong-sign', says: /sign of your steering is the wrong way round/ },
    { what: 'the servo never turned (the sonar looks ahead)', mutations: [unwire('Bắt đầu / Start', 'nhìn trái 60° / look 60° left')], code: 'sonar-ahead', says: /only looked straight ahead.*turn its servo/ },
  ],
  sumo: [
    { what: 'no edge detection', mutations: [unwire('thấy viền? / edge?', 'lùi 0,4 s / back 0.4 s')], code: 'fell-off', says: /fell off/ },
    { what: 'forgot “invert”: the black ring taken for the line', mutations: [set('dò vạch / line sensors', { invert: false })], code: 'fell-off', says: /fell off/ },
  ],
  'park-p': [
    { what: 'stops 45 cm from the back wall', mutations: [set('tới nơi? / arrived?', { rules: [{ t: 'lt', v: '45', vt: 'num' }, { t: 'else' }] })], code: 'outside', says: /outside the bay/ },
    { what: 'never arrives (stops under 1 cm)', mutations: [set('tới nơi? / arrived?', { rules: [{ t: 'lt', v: '1', vt: 'num' }, { t: 'else' }] })], code: 'bumped', says: /touched the bay/ },
  ],
};
