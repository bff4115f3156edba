/** THCS lessons 9–12: following a line, an automatic door, a greenhouse fan, parking. */
import { palette as n } from '../flow-builder.ts';
import { defineLesson, t } from './define.ts';
import { o } from './objectives.ts';

const oneKitRobot = t('Mỗi đội một robot và một đường đua/sân; các đội chờ lượt chạy bài kiểm tra trên robot mô phỏng trong cùng sân rồi thử trên robot thật.', 'One robot and one track per team; waiting teams run the check on the simulated robot in the same arena, then try the real one.');
const oneKitBoard = t('Mỗi đội một bảng tự động hoá (Uno, servo, cảm biến). Đội chờ lượt dựng luồng và chạy bài kiểm tra trên bảng mô phỏng.', 'One automation board per team (Uno, servo, sensors). Waiting teams build the flow and run the check on the simulated board.');

export const line = defineLesson({
  id: 'line',
  level: 'thcs',
  number: 9,
  minutes: 90,
  title: t('Đi theo vạch', 'Follow a line'),
  kit: { profile: 'robot', components: ['left-motor', 'right-motor', 'line'] },
  arena: 'line-oval',
  prerequisites: ['line-sensors', 'motors'],
  objectives: [o.branch, o.algorithm, o.motion],
  goal: t('Robot chạy theo vạch đen hết một vòng đường đua bầu dục: vạch ở giữa thì đi thẳng, lệch trái thì rẽ trái, lệch phải thì rẽ phải.', 'The robot follows the black line round the oval track: line in the middle, go straight; on the left, turn left; on the right, turn right.'),
  steps: [
    t('Xem msg.position trong tab Debug: -1 là vạch ở trái, 0 ở giữa, 1 ở phải, null khi không thấy vạch.', 'Watch msg.position in the Debug tab: -1 means the line is on the left, 0 in the middle, 1 on the right, null when no sensor sees it.'),
    t('Nút switch “vạch ở đâu?” chia bốn nhánh: null, < -0.3, > 0.3, còn lại.', 'The switch “where is the line?” has four branches: null, < -0.3, > 0.3, otherwise.'),
    t('Nối mỗi nhánh vào một nút lái: dừng, rẽ trái, rẽ phải, đi thẳng.', 'Wire each branch to a drive node: stop, turn left, turn right, forward.'),
    t('Chạy bài kiểm tra: robot phải đi hết một vòng mà không rời vạch.', 'Run the check: the robot must go round a lap without leaving the line.'),
  ],
  hints: [t('Ở khúc cua, chạy chậm hơn sẽ ít bị văng khỏi vạch.', 'In the curves, slower means less chance of losing the line.')],
  teacher: {
    timing: [
      { minutes: 15, text: t('Thuật toán dò vạch “ba trạng thái”; vẽ lưu đồ.', 'The three-state line-following algorithm; a flowchart.') },
      { minutes: 55, text: t('Học sinh lập trình, chỉnh tốc độ, chạy kiểm tra.', 'Students program, tune speeds, run the check.') },
      { minutes: 20, text: t('Đua thời gian một vòng; giới thiệu điều khiển P (THPT).', 'Lap-time race; a glimpse of P-control (THPT).') },
    ],
    mistakes: [
      t('Đổi chỗ rẽ trái/rẽ phải: robot quay lưng lại vạch và chạy mất.', 'Left and right swapped: the robot turns away from the line and leaves it.'),
      t('Tốc độ quá cao: robot văng khỏi vạch ở khúc cua.', 'Too fast: the robot flies off the line in the curves.'),
    ],
    oneKitPerTeam: oneKitRobot,
  },
  check: { kind: 'line-lap', arena: 'line-oval', seconds: 50, lapCm: 400, maxLostMs: 1500 },
  starter: 'kept',
  solution: 'kept',
});

export const door = defineLesson({
  id: 'door',
  level: 'thcs',
  number: 10,
  minutes: 90,
  title: t('Cửa tự động', 'An automatic door'),
  kit: { profile: 'automation', components: ['sonar', 'servo'] },
  prerequisites: ['sonar'],
  objectives: [o.branch, o.automation],
  goal: t('Cửa (servo) mở 90° khi có người đến gần hơn 30 cm, và đóng lại (0°) 3 giây sau khi người đã đi.', 'The door (a servo) opens to 90° when someone comes nearer than 30 cm, and closes (0°) 3 seconds after they have gone.'),
  steps: [
    t('Nút “siêu âm”: đặt “Gần khi dưới” 30 cm. Đầu ra thứ hai: true khi có người, false khi không.', 'The “ultrasonic” node: “near below” 30 cm. Second output: true when someone is there, false when not.'),
    t('Nhánh true: nút servo “mở” (to 90°).', 'The true branch: a servo node “open” (to 90°).'),
    t('Nhánh false: qua nút delay 3 giây rồi đến nút servo “đóng” (to 0°).', 'The false branch: through a 3 s delay node to a servo node “close” (to 0°).'),
  ],
  hints: [t('Cửa siêu thị mở trước khi người tới sát cửa: ngưỡng phải đủ xa.', 'A shop’s door opens before you reach it: the threshold must be far enough.')],
  teacher: {
    timing: [
      { minutes: 15, text: t('Quan sát cửa tự động; xác định cảm biến, bộ điều khiển, cơ cấu chấp hành.', 'Look at an automatic door: sensor, controller, actuator.') },
      { minutes: 55, text: t('Học sinh lắp servo, lập trình, kiểm tra.', 'Students fit the servo, program, test.') },
      { minutes: 20, text: t('An toàn: vì sao cửa không được đóng khi còn người?', 'Safety: why must the door never close on a person?') },
    ],
    mistakes: [
      t('Ngưỡng quá nhỏ: cửa chỉ mở khi người đã sát cửa.', 'Too small a threshold: the door opens only when the person is right at it.'),
      t('Quên nhánh đóng cửa: cửa mở mãi.', 'No closing branch: the door stays open for ever.'),
    ],
    oneKitPerTeam: oneKitBoard,
  },
  check: { kind: 'door', servo: 'servo', open: 90, closed: 0, threshold: 30, closeAfter: 3, stays: false },
  starter(b) {
    b.node('stemlab-ultrasonic', 'siêu âm / ultrasonic', n.sonar(30, 5), [0, 2]).to(b.node('debug', 'khoảng cách / distance (cm)', n.debug(), [2, 1]));
    b.node('stemlab-servo', 'mở cửa / open', n.servo('servo', 'to', 90), [3, 2]);
  },
  solution(b) {
    const s = b.node('stemlab-ultrasonic', 'siêu âm / ultrasonic', n.sonar(30, 5), [0, 2]);
    s.to(b.node('debug', 'khoảng cách / distance (cm)', n.debug(), [2, 1]));
    const near = b.node('switch', 'có người? / someone there?', n.switch([{ t: 'true' }, { t: 'false' }]), [1, 3]);
    s.out(1, near);
    near.out(0, b.node('stemlab-servo', 'mở cửa / open', n.servo('servo', 'to', 90), [3, 2]));
    const wait = b.node('delay', 'chờ 3 s / wait 3 s', n.delay(3), [2, 4]);
    near.out(1, wait);
    wait.to(b.node('stemlab-servo', 'đóng cửa / close', n.servo('servo', 'to', 0), [3, 4]));
  },
});

export const greenhouse = defineLesson({
  id: 'greenhouse',
  level: 'thcs',
  number: 11,
  minutes: 90,
  title: t('Nhà kính: quạt theo nhiệt độ', 'A greenhouse: a fan by temperature'),
  kit: { profile: 'automation', components: ['temp', 'fan'] },
  prerequisites: ['sonar'],
  objectives: [o.branch, o.sensors, o.automation],
  goal: t('Quạt nhà kính bật khi nhiệt độ trên 30 °C và tắt khi nhiệt độ xuống dưới 30 °C.', 'The greenhouse fan runs when the temperature is above 30 °C and stops when it falls below 30 °C.'),
  steps: [
    t('Triển khai, xem nhiệt độ (°C) trong tab Debug; nắm cảm biến LM35 trong tay xem nhiệt độ tăng.', 'Deploy, watch the temperature (°C) in the Debug tab; hold the LM35 in your hand and watch it rise.'),
    t('Mở nút “nhiệt độ”: ngưỡng 30. Đầu ra thứ hai gửi true khi trên 30 °C, false khi dưới.', 'Open the “temperature” node: threshold 30. The second output sends true above 30 °C, false below.'),
    t('Nối đầu ra thứ hai vào nút “quạt” (một nút LED điều khiển quạt qua transistor).', 'Wire the second output to the “fan” node (an LED node driving the fan through a transistor).'),
  ],
  hints: [t('Quạt ở đây được điều khiển như một đèn LED: true là chạy, false là dừng.', 'The fan is driven like an LED here: true runs it, false stops it.')],
  teacher: {
    timing: [
      { minutes: 15, text: t('Nhà kính: vì sao cần thông gió; cảm biến LM35 (10 mV/°C).', 'Greenhouses: why ventilate; the LM35 (10 mV/°C).') },
      { minutes: 55, text: t('Học sinh lập trình và kiểm tra với nhiệt độ mô phỏng.', 'Students program and test with simulated temperatures.') },
      { minutes: 20, text: t('Quạt bật tắt liên tục quanh 30 °C: gợi ý độ trễ (bài THPT).', 'A fan chattering around 30 °C: hint at hysteresis (THPT lesson).') },
    ],
    mistakes: [
      t('Đổi true/false: quạt chạy khi lạnh, dừng khi nóng.', 'true/false swapped: the fan runs when cold and stops when hot.'),
      t('Ngưỡng 40: quạt gần như không bao giờ chạy.', 'A threshold of 40: the fan hardly ever runs.'),
    ],
    oneKitPerTeam: oneKitBoard,
  },
  check: { kind: 'follow', input: 'temperature', output: 'fan', threshold: 30 },
  starter(b) {
    b.node('stemlab-thermometer', 'nhiệt độ / temperature', n.thermometer('', 0), [0, 2]).to(b.node('debug', 'nhiệt độ / temperature (°C)', n.debug(), [2, 1]));
    b.node('stemlab-led', 'quạt / fan', n.led('fan', ''), [2, 3]);
  },
  solution(b) {
    const th = b.node('stemlab-thermometer', 'nhiệt độ / temperature', n.thermometer(30, 0), [0, 2]);
    th.to(b.node('debug', 'nhiệt độ / temperature (°C)', n.debug(), [2, 1]));
    th.out(1, b.node('stemlab-led', 'quạt / fan', n.led('fan', ''), [2, 3]));
  },
});

export const parking = defineLesson({
  id: 'parking',
  level: 'thcs',
  number: 12,
  minutes: 90,
  title: t('Đỗ xe vào ô', 'Park in the bay'),
  kit: { profile: 'robot', components: ['left-motor', 'right-motor', 'sonar'] },
  arena: 'parking-bay',
  prerequisites: ['obstacle'],
  objectives: [o.branch, o.design, o.motion],
  goal: t('Robot chạy thẳng vào ô đỗ có tường ba phía và dừng hẳn bên trong, không chạm tường.', 'The robot drives straight into the bay walled on three sides and stops inside it without touching a wall.'),
  steps: [
    t('Bấm “Bắt đầu”: robot chạy thẳng về phía ô đỗ.', 'Click “Start”: the robot drives towards the bay.'),
    t('Khi cảm biến siêu âm đo dưới 25 cm, giảm tốc độ (tốc độ 90).', 'When the sonar reads under 25 cm, slow down (speed 90).'),
    t('Khi dưới 10 cm, dừng hẳn.', 'Under 10 cm, stop.'),
  ],
  hints: [t('Dùng nút switch trên msg.payload (cm) với ba luật: < 10, < 25, còn lại.', 'Use a switch on msg.payload (cm) with three rules: < 10, < 25, otherwise.')],
  teacher: {
    timing: [
      { minutes: 15, text: t('Đỗ xe thật: chậm dần khi gần, dừng đúng chỗ.', 'Real parking: slow down near, stop in place.') },
      { minutes: 55, text: t('Học sinh lập trình ba mức tốc độ, kiểm tra.', 'Students program three speed levels, check.') },
      { minutes: 20, text: t('Đo khoảng cách dừng thực tế; sai số do đâu?', 'Measure the actual stopping distance; where do errors come from?') },
    ],
    mistakes: [
      t('Dừng khi dưới 40 cm: robot dừng ngoài ô.', 'Stopping under 40 cm: the robot stops outside the bay.'),
      t('Không giảm tốc: robot trượt chạm tường cuối.', 'No slowing down: the robot slides into the back wall.'),
    ],
    oneKitPerTeam: oneKitRobot,
  },
  check: { kind: 'park', arena: 'parking-bay', seconds: 20, zone: 'bay', noise: 0.25 },
  starter(b) {
    b.inject('Bắt đầu / Start', {}, [0, 1]).to(b.node('stemlab-robot-drive', 'chạy thẳng / forward', n.drive('forward', 150, 0), [2, 1]));
    b.node('stemlab-ultrasonic', 'siêu âm / ultrasonic', n.sonar('', 5), [0, 3]).to(b.node('debug', 'khoảng cách / distance (cm)', n.debug(), [2, 3]));
  },
  solution(b) {
    const start = b.inject('Bắt đầu / Start', { payload: true, payloadType: 'bool' }, [0, 1]);
    const go = b.node('change', 'bật chạy / enable', n.set(true, 'bool', 'go', 'flow'), [1, 1]);
    start.to(go);
    const s = b.node('stemlab-ultrasonic', 'siêu âm / ultrasonic', n.sonar('', 5), [0, 3]);
    s.to(b.node('debug', 'khoảng cách / distance (cm)', n.debug(), [2, 2]));
    const started = b.node('switch', 'đã bấm Bắt đầu? / started?', n.switch([{ t: 'true' }], 'go', 'flow'), [1, 3]);
    s.to(started);
    const how = b.node('switch', 'gần tới đâu? / how near?', n.switch([{ t: 'lt', v: '10', vt: 'num' }, { t: 'lt', v: '25', vt: 'num' }, { t: 'else' }]), [2, 4]);
    started.to(how);
    how.out(0, b.node('stemlab-robot-drive', 'dừng / stop', n.drive('stop'), [3, 3]));
    how.out(1, b.node('stemlab-robot-drive', 'chậm / slow', n.drive('forward', 90), [3, 4]));
    how.out(2, b.node('stemlab-robot-drive', 'chạy thẳng / forward', n.drive('forward', 150), [3, 5]));
  },
});
