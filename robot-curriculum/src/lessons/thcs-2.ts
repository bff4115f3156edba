/** THCS lessons 4–8: the motors, a square, the sonar, stopping before an obstacle, the line sensors. */
import { palette as n } from '../flow-builder.ts';
import { defineLesson, t } from './define.ts';
import { o } from './objectives.ts';

const oneKit = t('Mỗi đội một robot, chạy trên bàn hoặc sàn có rào. Các đội chờ lượt chạy bài kiểm tra trên robot mô phỏng (cùng luồng, không cần sửa) rồi thử trên robot thật.', 'One robot per team, on a table or floor with a fence. Teams waiting for their turn run the check on the simulated robot (the same flow, unchanged) and then try on the real one.');

export const motors = defineLesson({
  id: 'motors',
  level: 'thcs',
  number: 4,
  minutes: 45,
  title: t('Động cơ: chạy thẳng rồi dừng', 'Motors: drive ahead and stop'),
  kit: { profile: 'robot', components: ['left-motor', 'right-motor'] },
  arena: 'empty-table',
  prerequisites: ['blink'],
  objectives: [o.sequence, o.motion],
  goal: t('Bấm “Bắt đầu”: robot chạy thẳng khoảng 30–60 cm rồi tự dừng.', 'Click “Start”: the robot drives straight ahead about 30–60 cm and stops by itself.'),
  steps: [
    t('Mở nút “chạy thẳng”: chọn hành động forward, tốc độ 150 (0–255).', 'Open the “forward” node: action forward, speed 150 (0–255).'),
    t('Đặt thời gian ms = 2000: robot chạy 2 giây rồi tự dừng.', 'Set its time ms = 2000: the robot drives for 2 seconds and stops by itself.'),
    t('Nối “Bắt đầu” vào “chạy thẳng”, triển khai và bấm “Bắt đầu”. Đo quãng đường bằng thước.', 'Wire “Start” to “forward”, deploy and click “Start”. Measure the distance with a ruler.'),
    t('Thử tốc độ 40: vì sao robot không chạy?', 'Try speed 40: why does the robot not move?'),
  ],
  hints: [t('Động cơ cần tốc độ khoảng 60 trở lên mới thắng được ma sát hộp số.', 'A motor needs a speed of about 60 or more to overcome its gearbox.')],
  teacher: {
    timing: [
      { minutes: 10, text: t('Cấu tạo robot hai bánh: động cơ, mạch cầu H, PWM.', 'A two-wheeled robot: motors, H-bridge, PWM.') },
      { minutes: 25, text: t('Học sinh lập trình, đo quãng đường theo tốc độ và thời gian.', 'Students program and measure distance against speed and time.') },
      { minutes: 10, text: t('Lập bảng tốc độ – quãng đường; nói về vùng chết của động cơ.', 'Tabulate speed vs distance; the motor’s dead band.') },
    ],
    mistakes: [
      t('Tốc độ quá nhỏ (dưới ~60): robot đứng yên, học sinh tưởng hỏng.', 'Too low a speed (under ~60): the robot stands still and students think it is broken.'),
      t('Để ms = 0: robot chạy mãi cho đến khi bị chặn.', 'Leaving ms = 0: the robot drives on until it is stopped.'),
    ],
    oneKitPerTeam: oneKit,
  },
  check: { kind: 'drive', arena: 'empty-table', seconds: 8, minCm: 25, maxCm: 70 },
  starter(b) {
    b.inject('Bắt đầu / Start', {}, [0, 2]);
    b.node('stemlab-robot-drive', 'chạy thẳng / forward', n.drive('', 150, 0), [2, 2]);
  },
  solution(b) {
    b.inject('Bắt đầu / Start', {}, [0, 2]).to(b.node('stemlab-robot-drive', 'chạy thẳng / forward', n.drive('forward', 150, 2000), [2, 2]));
  },
});

export const square = defineLesson({
  id: 'square',
  level: 'thcs',
  number: 5,
  minutes: 90,
  title: t('Chạy hình vuông', 'Drive a square'),
  kit: { profile: 'robot', components: ['left-motor', 'right-motor'] },
  arena: 'empty-table',
  prerequisites: ['motors'],
  objectives: [o.sequence, o.variables, o.motion],
  goal: t('Robot chạy một hình vuông: bốn lần (đi thẳng rồi rẽ phải 90°), rồi dừng gần chỗ xuất phát.', 'The robot drives a square: four times (forward, then a 90° right turn), then stops near where it started.'),
  steps: [
    t('Bấm “Bắt đầu”: robot đi thẳng 1,5 giây. Nối tiếp một nút “rẽ phải” có thời gian.', 'Click “Start”: the robot drives forward for 1.5 s. Chain a timed “turn right” after it.'),
    t('Chỉnh thời gian rẽ cho đến khi robot quay đúng 90°.', 'Tune the turn’s time until the robot turns exactly 90°.'),
    t('Đếm cạnh: nút change “cạnh + 1” tăng msg.side, nút switch “còn cạnh?” quay lại khi msg.side < 4.', 'Count the sides: the change node “side + 1” adds one to msg.side, the switch “sides left?” loops while msg.side < 4.'),
  ],
  hints: [t('Rẽ tại chỗ: hai bánh quay ngược chiều nhau. Pin yếu thì phải rẽ lâu hơn.', 'Turning on the spot: the wheels turn opposite ways. A weak battery needs a longer turn.')],
  teacher: {
    timing: [
      { minutes: 15, text: t('Vẽ hình vuông bằng lệnh: đi, rẽ, lặp 4 lần.', 'Draw a square as commands: go, turn, 4 times.') },
      { minutes: 55, text: t('Học sinh chỉnh thời gian rẽ, xây vòng lặp đếm cạnh.', 'Students tune the turn and build the counting loop.') },
      { minutes: 20, text: t('Thi hình vuông khép kín nhất; vì sao robot thật lệch?', 'Contest: the most closed square; why do real robots drift?') },
    ],
    mistakes: [
      t('Rẽ quá lâu: hình vuông thành hình sao.', 'Turning too long: the square becomes a star.'),
      t('Quên tăng bộ đếm: robot chạy mãi.', 'Forgetting to count: the robot never stops.'),
    ],
    oneKitPerTeam: oneKit,
  },
  check: { kind: 'square', arena: 'empty-table', seconds: 20, minSideCm: 15, closeCm: 25 },
  starter: 'kept',
  solution: 'kept',
});

export const sonar = defineLesson({
  id: 'sonar',
  level: 'thcs',
  number: 6,
  minutes: 45,
  title: t('Cảm biến siêu âm: báo vật ở gần', 'The ultrasonic sensor: warn when something is near'),
  kit: { profile: 'robot', components: ['sonar', 'led', 'buzzer'] },
  prerequisites: ['button-led'],
  objectives: [o.branch, o.sensors],
  goal: t('Đèn LED sáng (và còi kêu) khi có vật gần hơn 20 cm trước cảm biến siêu âm; vật ra xa thì đèn tắt.', 'The LED lights (and the buzzer beeps) when something is nearer than 20 cm in front of the ultrasonic sensor; when it goes away the LED goes off.'),
  steps: [
    t('Triển khai, đưa tay lại gần cảm biến và xem khoảng cách (cm) trong tab Debug.', 'Deploy, move your hand towards the sensor and watch the distance (cm) in the Debug tab.'),
    t('Mở nút “siêu âm”: đặt “Gần khi dưới” 20 cm. Đầu ra thứ hai gửi true khi gần, false khi xa.', 'Open the “ultrasonic” node: set “near below” to 20 cm. Its second output sends true when near, false when far.'),
    t('Nối đầu ra thứ hai vào nút LED (true bật, false tắt) và vào nút còi.', 'Wire the second output to the LED node (true on, false off) and to the buzzer.'),
  ],
  hints: [t('Độ trễ (hysteresis) 5 cm giúp đèn không nhấp nháy khi vật ở đúng 20 cm.', 'A hysteresis of 5 cm keeps the LED from flickering when something is right at 20 cm.')],
  teacher: {
    timing: [
      { minutes: 10, text: t('Nguyên lý siêu âm: thời gian vọng lại → khoảng cách.', 'How ultrasound measures: echo time → distance.') },
      { minutes: 25, text: t('Học sinh đo, đặt ngưỡng, nối đèn và còi.', 'Students measure, set the threshold, wire LED and buzzer.') },
      { minutes: 10, text: t('Ứng dụng: cảm biến lùi xe ô tô.', 'Uses: a car’s parking sensor.') },
    ],
    mistakes: [
      t('Đặt ngưỡng quá nhỏ (5 cm): đèn chỉ sáng khi gần chạm.', 'Too small a threshold (5 cm): the LED lights only at touching distance.'),
      t('Nối đầu ra thứ nhất (số cm) vào đèn: đèn luôn sáng.', 'Wiring the first output (the cm) to the LED: it is always on.'),
    ],
    oneKitPerTeam: oneKit,
  },
  check: { kind: 'follow', input: 'distance', output: 'led', threshold: 20 },
  starter(b) {
    const s = b.node('stemlab-ultrasonic', 'siêu âm / ultrasonic', n.sonar('', 5), [0, 2]);
    s.to(b.node('debug', 'khoảng cách / distance (cm)', n.debug(), [2, 1]));
    b.node('stemlab-led', 'đèn / LED', n.led('led', ''), [2, 3]);
  },
  solution(b) {
    const s = b.node('stemlab-ultrasonic', 'siêu âm / ultrasonic', n.sonar(20, 5), [0, 2]);
    s.to(b.node('debug', 'khoảng cách / distance (cm)', n.debug(), [2, 1]));
    s.out(1, b.node('stemlab-led', 'đèn / LED', n.led('led', ''), [2, 3]));
    const beep = b.node('switch', 'gần? / near?', n.switch([{ t: 'true' }]), [2, 4]);
    s.out(1, beep);
    beep.to(b.node('stemlab-buzzer', 'bíp / beep', n.buzzer(), [3, 4]));
  },
});

export const obstacle = defineLesson({
  id: 'obstacle',
  level: 'thcs',
  number: 7,
  minutes: 90,
  title: t('Dừng trước vật cản', 'Stop before an obstacle'),
  kit: { profile: 'robot', components: ['left-motor', 'right-motor', 'sonar', 'buzzer'] },
  arena: 'empty-table',
  prerequisites: ['motors', 'sonar'],
  objectives: [o.branch, o.sensors, o.motion],
  goal: t('Robot chạy thẳng và tự dừng (kêu bíp) khi có vật cản gần hơn 20 cm; vật cản đi rồi thì chạy tiếp.', 'The robot drives ahead and stops (with a beep) when something is nearer than 20 cm; once it is gone, it drives on.'),
  steps: [
    t('Triển khai luồng, đưa tay lại gần cảm biến siêu âm và xem khoảng cách (cm) trong tab Debug.', 'Deploy the flow, move your hand towards the ultrasonic sensor and watch the distance (cm) in the Debug tab.'),
    t('Mở nút “siêu âm”: “Gần khi dưới” 20 cm. Đầu ra thứ hai gửi true khi có vật ở gần, false khi vật đã đi xa.', 'Open the “ultrasonic” node: “Near below” 20 cm. Its second output sends true when something is near and false when it has gone.'),
    t('Dùng một nút switch: true thì gửi đến “dừng”, false thì gửi đến “chạy thẳng”.', 'Use a switch node: true goes to “stop”, false to “forward”.'),
    t('Thêm tiếng bíp: nối nhánh true vào nút “còi buzzer”.', 'Add a beep: wire the true branch to the “buzzer” node as well.'),
  ],
  hints: [t('Robot cần quãng đường để dừng: ngưỡng 20 cm cho robot dừng cách tường khoảng 10–25 cm.', 'A robot needs room to stop: a 20 cm threshold stops it about 10–25 cm from the wall.')],
  teacher: {
    timing: [
      { minutes: 15, text: t('Ôn cảm biến siêu âm; vẽ lưu đồ “nếu gần thì dừng”.', 'Review the sonar; draw the flowchart “if near then stop”.') },
      { minutes: 55, text: t('Học sinh lập trình, chạy bài kiểm tra, thử trên robot.', 'Students program, run the check, try on the robot.') },
      { minutes: 20, text: t('Thảo luận: vì sao robot dừng quá gần khi chạy nhanh?', 'Discuss: why a fast robot stops too close.') },
    ],
    mistakes: [
      t('Ngưỡng quá nhỏ: robot thấy tường quá muộn và đâm vào.', 'Too small a threshold: the robot sees the wall too late and bumps into it.'),
      t('Đổi chỗ hai nhánh switch: robot đứng yên, chỉ chạy khi có vật.', 'The switch’s branches swapped: the robot stands still and drives only towards things.'),
    ],
    oneKitPerTeam: oneKit,
  },
  check: { kind: 'stop-before', arena: 'empty-table', seconds: 14, minCm: 10, maxCm: 25 },
  starter: 'kept',
  solution: 'kept',
});

export const lineSensors = defineLesson({
  id: 'line-sensors',
  level: 'thcs',
  number: 8,
  minutes: 45,
  title: t('Cảm biến dò vạch', 'The line sensors'),
  kit: { profile: 'robot', components: ['line', 'led'] },
  prerequisites: ['sonar'],
  objectives: [o.branch, o.sensors],
  goal: t('Đèn LED sáng khi cảm biến giữa của dãy dò vạch nằm trên vạch đen, tắt khi không.', 'The LED lights when the middle sensor of the line array is over the black line, and goes off when it is not.'),
  steps: [
    t('Triển khai, đặt robot lên vạch đen và xem tab Debug: msg.line là ba giá trị true/false (trái, giữa, phải).', 'Deploy, put the robot on the black line and watch the Debug tab: msg.line is three true/false values (left, middle, right).'),
    t('Thêm nút switch xét thuộc tính msg.line[1] (cảm biến giữa): “is true” và “otherwise”.', 'Add a switch on the property msg.line[1] (the middle sensor): “is true” and “otherwise”.'),
    t('Nhánh true vào nút LED “bật”, nhánh còn lại vào nút LED “tắt”.', 'The true branch to an LED “on” node, the other to an LED “off” node.'),
  ],
  hints: [t('Chỉ số bắt đầu từ 0: line[0] là trái, line[1] là giữa, line[2] là phải.', 'Indexes start at 0: line[0] is left, line[1] the middle, line[2] right.')],
  teacher: {
    timing: [
      { minutes: 10, text: t('Cảm biến hồng ngoại: nền trắng phản xạ, vạch đen hấp thụ.', 'Infrared sensors: a white floor reflects, a black line absorbs.') },
      { minutes: 25, text: t('Học sinh đọc giá trị, lập trình đèn báo.', 'Students read values and program the indicator.') },
      { minutes: 10, text: t('Chuẩn bị cho bài dò line: robot nên làm gì khi vạch ở bên trái?', 'Towards line following: what should the robot do when the line is on the left?') },
    ],
    mistakes: [
      t('Dùng msg.line[0] (cảm biến trái) thay cho cảm biến giữa.', 'Using msg.line[0] (the left sensor) instead of the middle one.'),
      t('Đặt ngưỡng 1000: không cảm biến nào thấy vạch.', 'A threshold of 1000: no sensor ever sees the line.'),
    ],
    oneKitPerTeam: oneKit,
  },
  check: { kind: 'follow', input: 'line', output: 'led' },
  starter(b) {
    b.node('stemlab-line', 'dò vạch / line sensors', n.line(), [0, 2]).to(b.node('debug', 'vạch / line', n.debug('line'), [2, 1]));
  },
  solution(b) {
    const line = b.node('stemlab-line', 'dò vạch / line sensors', n.line(), [0, 2]);
    line.to(b.node('debug', 'vạch / line', n.debug('line'), [2, 1]));
    const middle = b.node('switch', 'giữa trên vạch? / middle on the line?', n.switch([{ t: 'true' }, { t: 'else' }], 'line[1]'), [1, 3]);
    line.to(middle);
    middle.out(0, b.node('stemlab-led', 'bật đèn / LED on', n.led('led', 'on'), [3, 2]));
    middle.out(1, b.node('stemlab-led', 'tắt đèn / LED off', n.led('led', 'off'), [3, 4]));
  },
});
