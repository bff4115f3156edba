/** THPT lessons 1–4: a toggle button, a pedestrian crossing, driving a set distance, a greenhouse with hysteresis. */
import { palette as n } from '../flow-builder.ts';
import { defineLesson, t } from './define.ts';
import { o } from './objectives.ts';

const oneKitBoard = t('Mỗi đội một bảng (hoặc robot); đội chờ lượt chạy bài kiểm tra trên bảng mô phỏng, ghi lại lỗi bài kiểm tra báo và sửa trước khi thử trên kit thật.', 'One board (or robot) per team; waiting teams run the check on the simulated board, note what it reports and fix it before trying on the real kit.');
const oneKitRobot = t('Mỗi đội một robot; đội chờ lượt dùng robot mô phỏng trong cùng sân (cùng luồng), rồi thử trên robot thật và so sánh.', 'One robot per team; waiting teams use the simulated robot in the same arena (the same flow), then try the real robot and compare.');

export const toggleButton = defineLesson({
  id: 'toggle',
  level: 'thpt',
  number: 1,
  minutes: 45,
  title: t('Nút bật/tắt (trạng thái)', 'A toggle button (state)'),
  kit: { profile: 'robot', components: ['button', 'led'] },
  prerequisites: [],
  objectives: [o.variables, o.branch, o.outputs],
  goal: t('Mỗi lần nhấn nút, đèn đổi trạng thái: nhấn lần một sáng, lần hai tắt, lần ba sáng… Thả nút không làm gì.', 'Each press of the button switches the LED over: first press on, second off, third on… Releasing does nothing.'),
  steps: [
    t('Xem tab Debug: nút nhấn gửi msg.event “press” khi nhấn và “release” khi thả.', 'Watch the Debug tab: the button sends msg.event “press” on press and “release” on release.'),
    t('Lọc chỉ lấy lần nhấn: nút switch trên msg.event == "press" (hoặc bỏ chọn “release” trong nút nhấn).', 'Keep only presses: a switch on msg.event == "press" (or untick “release” in the button node).'),
    t('Nối vào nút LED với hành động “toggle”: trạng thái được nhớ trong đèn.', 'Wire it to an LED node with the action “toggle”: the state lives in the LED.'),
  ],
  hints: [t('Một lần bấm tạo ra hai sự kiện (nhấn và thả): nếu đảo cả hai thì đèn trở lại như cũ.', 'One click makes two events (press and release): toggling on both brings the LED back.')],
  teacher: {
    timing: [
      { minutes: 10, text: t('Trạng thái và sự kiện; máy trạng thái hai trạng thái.', 'States and events; a two-state machine.') },
      { minutes: 25, text: t('Học sinh lập trình, kiểm tra, giải thích lỗi “đèn chỉ sáng khi giữ”.', 'Students program, check, explain the “lit only while held” error.') },
      { minutes: 10, text: t('Mở rộng: nhấn giữ 1 giây để tắt hẳn.', 'Extension: hold for 1 s to switch off for good.') },
    ],
    mistakes: [
      t('Đảo đèn cả khi nhấn và khi thả: đèn chỉ sáng lúc giữ nút.', 'Toggling on both press and release: the LED is lit only while the button is held.'),
      t('Dùng hành động “on”: đèn không tắt được.', 'Using the “on” action: the LED cannot be switched off.'),
    ],
    oneKitPerTeam: oneKitBoard,
  },
  check: { kind: 'toggle', button: 'button', output: 'led', presses: 4 },
  starter(b) {
    b.node('stemlab-button', 'nút nhấn / button', n.button(), [0, 2]).to(b.node('debug', 'sự kiện / event', n.debug('event'), [2, 1]));
    b.node('stemlab-led', 'đèn / LED', n.led('led', 'toggle'), [2, 3]);
  },
  solution(b) {
    const button = b.node('stemlab-button', 'nút nhấn / button', n.button(), [0, 2]);
    button.to(b.node('debug', 'sự kiện / event', n.debug('event'), [2, 1]));
    const press = b.node('switch', 'chỉ khi nhấn / on press only', n.switch([{ t: 'eq', v: 'press', vt: 'str' }], 'event'), [1, 3]);
    button.to(press);
    press.to(b.node('stemlab-led', 'đèn / LED', n.led('led', 'toggle'), [2, 3]));
  },
});

export const crossing = defineLesson({
  id: 'crossing',
  level: 'thpt',
  number: 2,
  minutes: 90,
  title: t('Đèn cho người đi bộ qua đường', 'A pedestrian crossing'),
  kit: { profile: 'automation', components: ['red', 'yellow', 'green', 'button'] },
  prerequisites: ['traffic-light', 'toggle'],
  objectives: [o.algorithm, o.automation, o.testing],
  goal: t('Đèn cho xe luôn xanh. Khi người đi bộ nhấn nút: vàng 2 giây, đỏ 5 giây (người đi bộ qua), rồi xanh trở lại và chờ lần nhấn sau.', 'The light for cars stays green. When a pedestrian presses the button: yellow for 2 s, red for 5 s (they cross), then green again, waiting for the next press.'),
  steps: [
    t('Khi triển khai: bật đèn xanh (inject “once”).', 'On deploy: switch green on (an inject set to “once”).'),
    t('Nút nhấn (chỉ sự kiện press) bắt đầu chuỗi: vàng → chờ 2 s → đỏ → chờ 5 s → xanh.', 'The button (press events only) starts the sequence: yellow → wait 2 s → red → wait 5 s → green.'),
    t('Mỗi bước tắt đèn trước đó. Chạy bài kiểm tra: nó nhấn nút vào lúc ngẫu nhiên.', 'Each step switches the previous light off. Run the check: it presses the button at a random moment.'),
  ],
  hints: [t('Không có nút inject lặp lại ở đây: chuỗi chỉ chạy một lần cho mỗi lần nhấn.', 'No repeating inject here: the sequence runs once per press.')],
  teacher: {
    timing: [
      { minutes: 15, text: t('Sơ đồ trạng thái có sự kiện vào (nút nhấn).', 'A state diagram with an input event (the button).') },
      { minutes: 55, text: t('Học sinh lập trình; dùng bài kiểm tra để tìm lỗi thứ tự, thời gian.', 'Students program; use the check to find order and timing errors.') },
      { minutes: 20, text: t('Thảo luận: người nhấn nhiều lần liên tiếp thì sao?', 'Discuss: what if someone presses many times in a row?') },
    ],
    mistakes: [
      t('Bỏ qua đèn vàng: xe không kịp dừng.', 'Skipping yellow: cars cannot stop in time.'),
      t('Đèn đổi ngay khi triển khai, không chờ nút nhấn.', 'The lights change on deploy without waiting for the button.'),
    ],
    oneKitPerTeam: oneKitBoard,
  },
  check: { kind: 'sequence', lights: ['red', 'yellow', 'green'], phases: [{ on: ['yellow'], seconds: 2 }, { on: ['red'], seconds: 5 }], tolerance: 0.2, button: 'button', idle: ['green'] },
  starter(b) {
    b.inject('Bắt đầu / Start', { once: true, onceDelay: 0.5, payload: 'on' }, [0, 1]).to(b.node('stemlab-led', 'bật xanh / green on', n.led('green', 'on'), [2, 1]));
    b.node('stemlab-button', 'nút người đi bộ / pedestrian button', n.button(), [0, 3]).to(b.node('debug', 'sự kiện / event', n.debug('event'), [2, 3]));
  },
  solution(b) {
    const led = (vi: string, en: string, colour: string, action: 'on' | 'off', at: [number, number]) => b.node('stemlab-led', `${vi} / ${en}`, n.led(colour, action), at);
    const greenOn = led('bật xanh', 'green on', 'green', 'on', [3, 0]);
    b.inject('Bắt đầu / Start', { once: true, onceDelay: 0.5, payload: 'on' }, [0, 0]).to(greenOn);
    const button = b.node('stemlab-button', 'nút người đi bộ / pedestrian button', n.button(), [0, 3]);
    const press = b.node('switch', 'chỉ khi nhấn / on press only', n.switch([{ t: 'eq', v: 'press', vt: 'str' }], 'event'), [1, 3]);
    button.to(press);
    const wait2 = b.node('delay', 'chờ 2 s / wait 2 s', n.delay(2), [2, 4]);
    press.to(led('tắt xanh', 'green off', 'green', 'off', [2, 2]), led('bật vàng', 'yellow on', 'yellow', 'on', [2, 3]), wait2);
    const wait5 = b.node('delay', 'chờ 5 s / wait 5 s', n.delay(5), [3, 6]);
    wait2.to(led('tắt vàng', 'yellow off', 'yellow', 'off', [3, 4]), led('bật đỏ', 'red on', 'red', 'on', [3, 5]), wait5);
    wait5.to(led('tắt đỏ', 'red off', 'red', 'off', [4, 6]), greenOn);
  },
});

export const driveDistance = defineLesson({
  id: 'drive-distance',
  level: 'thpt',
  number: 3,
  minutes: 90,
  title: t('Chạy đúng quãng đường', 'Drive an exact distance'),
  kit: { profile: 'robot', components: ['left-motor', 'right-motor'] },
  arena: 'empty-table',
  prerequisites: ['toggle'],
  objectives: [o.testing, o.motion, o.design],
  goal: t('Đo tốc độ thực của robot, rồi tính thời gian để robot chạy thẳng đúng 50 cm (±8 cm) và dừng.', 'Measure the robot’s real speed, then work out the time to drive exactly 50 cm (±8 cm) straight ahead and stop.'),
  steps: [
    t('Cho robot chạy 2 giây ở tốc độ 180, đo quãng đường, tính vận tốc (cm/s).', 'Drive 2 s at speed 180, measure the distance, work out the speed (cm/s).'),
    t('Tính thời gian cho 50 cm; nhớ rằng robot cần một chút thời gian để tăng tốc.', 'Work out the time for 50 cm; remember the robot needs a moment to speed up.'),
    t('Đặt ms cho nút “chạy thẳng”, chạy bài kiểm tra, hiệu chỉnh.', 'Set the “forward” node’s ms, run the check, correct.'),
  ],
  hints: [t('Quãng đường = vận tốc × thời gian; đo nhiều lần lấy trung bình.', 'Distance = speed × time; measure several times and average.')],
  teacher: {
    timing: [
      { minutes: 20, text: t('Thí nghiệm đo vận tốc; bảng số liệu.', 'Speed experiment; a data table.') },
      { minutes: 50, text: t('Tính toán, lập trình, kiểm tra, hiệu chỉnh.', 'Calculate, program, check, correct.') },
      { minutes: 20, text: t('Sai số: pin, ma sát, trượt bánh; vì sao robot thật cần cảm biến.', 'Errors: battery, friction, slip; why real robots need sensors.') },
    ],
    mistakes: [
      t('Nhầm đơn vị: nhập 2.5 (giây) vào ô ms.', 'Unit mix-up: typing 2.5 (seconds) into the ms field.'),
      t('Một động cơ nối ngược: robot quay tròn.', 'One motor wired in reverse: the robot spins.'),
    ],
    oneKitPerTeam: oneKitRobot,
  },
  check: { kind: 'drive', arena: 'empty-table', seconds: 10, minCm: 42, maxCm: 58 },
  starter(b) {
    b.inject('Bắt đầu / Start', {}, [0, 2]).to(b.node('stemlab-robot-drive', 'chạy thẳng / forward', n.drive('forward', 180, 1000), [2, 2]));
  },
  solution(b) {
    b.inject('Bắt đầu / Start', {}, [0, 2]).to(b.node('stemlab-robot-drive', 'chạy thẳng / forward', n.drive('forward', 180, 2300), [2, 2]));
  },
});

export const smartGreenhouse = defineLesson({
  id: 'smart-greenhouse',
  level: 'thpt',
  number: 4,
  minutes: 90,
  title: t('Nhà kính thông minh: độ trễ', 'A smart greenhouse: hysteresis'),
  kit: { profile: 'automation', components: ['temp', 'fan'] },
  prerequisites: ['greenhouse'],
  objectives: [o.control, o.sensors, o.automation],
  goal: t('Quạt bật khi nhiệt độ từ 30 °C trở lên và chỉ tắt khi xuống 27 °C, để quạt không bật tắt liên tục khi nhiệt độ dao động quanh 30 °C.', 'The fan starts at 30 °C and stops only when the temperature is back at 27 °C, so it does not chatter while the temperature wobbles around 30 °C.'),
  steps: [
    t('Chạy lời giải THCS (ngưỡng 30): xem quạt bật tắt liên tục khi nhiệt độ dao động.', 'Run the THCS solution (threshold 30): watch the fan chatter as the temperature wobbles.'),
    t('Mở nút “nhiệt độ”: ngưỡng 30, độ trễ (hysteresis) 3: đầu ra hai chỉ gửi false khi xuống dưới 27 °C.', 'Open the “temperature” node: threshold 30, hysteresis 3: its second output sends false only below 27 °C.'),
    t('Chạy bài kiểm tra: quạt không được bật tắt quá số lần cho phép.', 'Run the check: the fan may not switch more than allowed.'),
  ],
  hints: [t('Máy điều hoà, bàn là đều dùng độ trễ: bật ở một ngưỡng, tắt ở ngưỡng khác.', 'Air conditioners and irons use hysteresis: on at one threshold, off at another.')],
  teacher: {
    timing: [
      { minutes: 20, text: t('Vẽ đồ thị nhiệt độ dao động và trạng thái quạt có/không có độ trễ.', 'Plot a wobbling temperature and the fan’s state with and without hysteresis.') },
      { minutes: 50, text: t('Học sinh cài đặt, chạy kiểm tra, so sánh.', 'Students set it up, run the check, compare.') },
      { minutes: 20, text: t('Ứng dụng: bơm nước, sưởi ấm; chọn độ trễ bao nhiêu là hợp lí?', 'Uses: pumps, heating; how wide should the band be?') },
    ],
    mistakes: [
      t('Để độ trễ 0: quạt bật tắt liên tục (rơ-le mau hỏng).', 'Hysteresis 0: the fan chatters (and a relay wears out).'),
      t('Đổi true/false: quạt chạy khi lạnh.', 'true/false swapped: the fan runs when cold.'),
    ],
    oneKitPerTeam: oneKitBoard,
  },
  check: { kind: 'follow', input: 'temperature', output: 'fan', threshold: 30, release: 27, maxToggles: 8 },
  starter(b) {
    const th = b.node('stemlab-thermometer', 'nhiệt độ / temperature', n.thermometer(30, 0), [0, 2]);
    th.to(b.node('debug', 'nhiệt độ / temperature (°C)', n.debug(), [2, 1]));
    th.out(1, b.node('stemlab-led', 'quạt / fan', n.led('fan', ''), [2, 3]));
  },
  solution(b) {
    const th = b.node('stemlab-thermometer', 'nhiệt độ / temperature', n.thermometer(30, 3), [0, 2]);
    th.to(b.node('debug', 'nhiệt độ / temperature (°C)', n.debug(), [2, 1]));
    th.out(1, b.node('stemlab-led', 'quạt / fan', n.led('fan', ''), [2, 3]));
  },
});
