/** THPT lessons 9–12: an obstacle course, a maze, sumo, parking with P-control. */
import { palette as n } from '../flow-builder.ts';
import { defineLesson, t } from './define.ts';
import { o } from './objectives.ts';

const oneKitRobot = t('Mỗi đội một robot; sân thật dùng chung theo lượt 5 phút, thời gian còn lại các đội thử trên sân mô phỏng cùng kích thước và xem lại đường đi (--json).', 'One robot per team; the real arena is shared in 5-minute turns, and meanwhile teams try in the simulated arena of the same size and study the path (--json).');

export const obstacleCourse = defineLesson({
  id: 'obstacle-course',
  level: 'thpt',
  number: 9,
  minutes: 90,
  title: t('Vượt chướng ngại vật', 'The obstacle course'),
  kit: { profile: 'robot', components: ['left-motor', 'right-motor', 'sonar'] },
  arena: 'obstacle-course',
  prerequisites: ['obstacle', 'line-p'],
  objectives: [o.algorithm, o.branch, o.design],
  goal: t('Robot đi từ vùng xuất phát tới vùng đích, tránh hộp, lon và tường mà không va chạm lần nào.', 'The robot goes from the start to the finish, steering round boxes, cans and walls without a single bump.'),
  steps: [
    t('Chạy thẳng; khi siêu âm đo dưới 25 cm, lùi một chút rồi rẽ.', 'Drive ahead; when the sonar reads under 25 cm, back up a little and turn.'),
    t('Sau khi rẽ, lại chạy thẳng. Thử rẽ trái, rẽ phải: hướng nào tới đích?', 'After turning, drive ahead again. Try turning left, then right: which way reaches the finish?'),
    t('Xem đường đi của robot trong kết quả kiểm tra (--json) để sửa chiến lược.', 'Study the robot’s path in the check’s result (--json) to improve the strategy.'),
  ],
  hints: [t('Cảm biến siêu âm có góc nhìn hẹp: vật ở hai bên mép robot có thể không thấy.', 'The sonar’s cone is narrow: things at the robot’s edges may not be seen.')],
  teacher: {
    timing: [
      { minutes: 15, text: t('Chiến lược tránh vật cản; lưu đồ có vòng lặp và rẽ nhánh.', 'Avoidance strategies; a flowchart with loops and branches.') },
      { minutes: 55, text: t('Các đội thử chiến lược trên sân mô phỏng và sân thật.', 'Teams test strategies in the simulated and the real arena.') },
      { minutes: 20, text: t('So sánh chiến lược, thời gian và số lần va chạm.', 'Compare strategies, times and bumps.') },
    ],
    mistakes: [
      t('Ngưỡng quá nhỏ: robot rẽ khi đã chạm vật.', 'Too small a threshold: the robot turns once it has already touched.'),
      t('Chỉ dừng khi gặp vật mà không rẽ: robot đứng yên mãi.', 'Only stopping at an obstacle without turning: the robot stands still for ever.'),
    ],
    oneKitPerTeam: oneKitRobot,
  },
  check: { kind: 'reach', arena: 'obstacle-course', seconds: 60, zone: 'finish', maxBumps: 0 },
  starter(b) {
    b.inject('Bắt đầu / Start', {}, [0, 1]).to(b.node('stemlab-robot-drive', 'chạy thẳng / forward', n.drive('forward', 150), [2, 1]));
    b.node('stemlab-ultrasonic', 'siêu âm / ultrasonic', n.sonar(25, 5), [0, 3]).to(b.node('debug', 'khoảng cách / distance (cm)', n.debug(), [2, 3]));
  },
  solution(b) {
    const start = b.inject('Bắt đầu / Start', {}, [0, 1]);
    const forward = b.node('stemlab-robot-drive', 'chạy thẳng / forward', n.drive('forward', 150), [4, 1]);
    start.to(forward);
    const s = b.node('stemlab-ultrasonic', 'siêu âm / ultrasonic', n.sonar(25, 5), [0, 3]);
    const near = b.node('switch', 'gần? / near?', n.switch([{ t: 'true' }, { t: 'false' }]), [1, 3]);
    s.out(1, near);
    const back = b.node('stemlab-robot-drive', 'lùi 0,3 s / back 0.3 s', n.drive('backward', 150, 300), [2, 3]);
    const turn = b.node('stemlab-robot-drive', 'rẽ trái 0,5 s / turn left 0.5 s', n.drive('left', 150, 500), [3, 3]);
    near.out(0, back);
    back.to(turn);
    turn.to(forward);
  },
});

export const maze = defineLesson({
  id: 'maze',
  level: 'thpt',
  number: 10,
  minutes: 135,
  title: t('Thoát mê cung', 'Find the way out of the maze'),
  kit: { profile: 'robot', components: ['left-motor', 'right-motor', 'sonar', 'sonar-servo'] },
  arena: 'maze',
  prerequisites: ['obstacle-course'],
  objectives: [o.algorithm, o.testing, o.design],
  goal: t('Robot đi từ góc dưới trái tới đích ở góc trên phải của mê cung 4 × 4 ô trong 3 phút, va chạm nhiều nhất 3 lần.', 'The robot goes from the bottom-left corner to the goal at the top right of a 4 × 4 maze within 3 minutes, with at most 3 bumps.'),
  steps: [
    t('Tìm hiểu luật bàn tay trái: luôn giữ tường ở bên trái.', 'Learn the left-hand rule: always keep the wall on your left.'),
    t('Khi tường trước mặt gần (dưới 20 cm): rẽ phải 90°; khi bên trái trống: rẽ trái.', 'When the wall ahead is near (under 20 cm): turn right 90°; when the left is open: turn left.'),
    t('Xoay cảm biến (servo) sang trái để nhìn bên trái, giữa để nhìn phía trước.', 'Turn the sensor (servo) left to look left, to the middle to look ahead.'),
  ],
  hints: [t('Vẽ mê cung trên giấy và tự đi theo luật bàn tay trái trước khi lập trình.', 'Draw the maze on paper and walk it by the left-hand rule before programming.')],
  teacher: {
    timing: [
      { minutes: 20, text: t('Thuật toán bám tường; mô phỏng trên giấy.', 'Wall-following algorithms; simulate on paper.') },
      { minutes: 90, text: t('Các đội lập trình và thử nhiều lần trên sân mô phỏng.', 'Teams program and test many times in the simulated arena.') },
      { minutes: 25, text: t('Thi thoát mê cung trên sân thật.', 'Maze race in the real arena.') },
    ],
    mistakes: [
      t('Rẽ bằng thời gian cố định không kiểm tra lại: sai góc tích luỹ, robot va tường.', 'Timed turns never checked: the angle error adds up and the robot hits walls.'),
      t('Chỉ dừng khi gặp tường: robot đứng yên trước tường đầu tiên.', 'Only stopping at walls: the robot stands still at the first one.'),
    ],
    oneKitPerTeam: oneKitRobot,
  },
  check: { kind: 'reach', arena: 'maze', seconds: 180, zone: 'goal', maxBumps: 3 },
  starter(b) {
    b.inject('Bắt đầu / Start', {}, [0, 1]).to(b.node('stemlab-robot-drive', 'chạy thẳng / forward', n.drive('forward', 150), [2, 1]));
    const s = b.node('stemlab-ultrasonic', 'siêu âm / ultrasonic', n.sonar(20, 5), [0, 3]);
    s.to(b.node('debug', 'khoảng cách / distance (cm)', n.debug(), [2, 3]));
    s.out(1, b.node('switch', 'gần? / near?', n.switch([{ t: 'true' }]), [2, 4]).to(b.node('stemlab-robot-drive', 'dừng / stop', n.drive('stop'), [3, 4])));
  },
  solution(b) {
    // Right-hand rule by turning: forward until a wall is near, then turn right; if still blocked, keep turning.
    const start = b.inject('Bắt đầu / Start', {}, [0, 1]);
    const forward = b.node('stemlab-robot-drive', 'chạy thẳng / forward', n.drive('forward', 140), [4, 1]);
    start.to(forward);
    const s = b.node('stemlab-ultrasonic', 'siêu âm / ultrasonic', n.sonar(18, 4), [0, 3]);
    const near = b.node('switch', 'tường trước mặt? / wall ahead?', n.switch([{ t: 'true' }]), [1, 3]);
    s.out(1, near);
    const turn = b.node('stemlab-robot-drive', 'rẽ phải 90° / turn right 90°', n.drive('right', 140, 700), [2, 3]);
    near.to(turn);
    const check = b.node('stemlab-ultrasonic', 'nhìn lại / look again', n.sonar(18, 4), [3, 3]);
    turn.to(check);
    const blocked = b.node('switch', 'còn chặn? / still blocked?', n.switch([{ t: 'lt', v: '30', vt: 'num' }, { t: 'else' }]), [3, 5]);
    check.to(blocked);
    blocked.out(0, turn);
    blocked.out(1, forward);
  },
});

export const sumo = defineLesson({
  id: 'sumo',
  level: 'thpt',
  number: 11,
  minutes: 90,
  title: t('Robot đấu sumo', 'Sumo robot'),
  kit: { profile: 'robot', components: ['left-motor', 'right-motor', 'line', 'sonar'] },
  arena: 'sumo-ring',
  prerequisites: ['line-p', 'obstacle-course'],
  objectives: [o.algorithm, o.branch, o.design],
  goal: t('Robot tìm đối thủ trong sàn đấu và không bao giờ rơi khỏi sàn: khi cảm biến dò vạch thấy viền trắng, lùi lại và quay đầu.', 'The robot searches the ring for its opponent and never falls off: when a line sensor sees the white edge, it backs up and turns round.'),
  steps: [
    t('Sàn đen, viền trắng: cảm biến dò vạch đọc thấp trên nền trắng. Đặt “đảo ngược” (invert) để msg.line báo viền trắng.', 'A black ring with a white edge: the line sensors read low on white. Tick “invert” so msg.line reports the white edge.'),
    t('Thấy viền (position khác null): lùi 0,4 s rồi quay 0,6 s.', 'Edge seen (position not null): back up 0.4 s, then turn 0.6 s.'),
    t('Còn lại: chạy thẳng tìm đối thủ (thêm siêu âm để lao vào khi thấy).', 'Otherwise: drive ahead searching (add the sonar to charge when it sees the opponent).'),
  ],
  hints: [t('Cảm biến ở phía trước robot: robot chạy lùi thì không thấy viền phía sau.', 'The sensors are at the front: driving backwards, the robot cannot see the edge behind it.')],
  teacher: {
    timing: [
      { minutes: 15, text: t('Luật thi sumo; chiến lược an toàn trước, tấn công sau.', 'Sumo rules; safety first, attack second.') },
      { minutes: 55, text: t('Lập trình, kiểm tra, tinh chỉnh.', 'Program, check, tune.') },
      { minutes: 20, text: t('Thi đấu giữa các đội.', 'Matches between teams.') },
    ],
    mistakes: [
      t('Quên “invert”: robot tưởng cả sàn đen là vạch, lùi liên tục hoặc lao ra ngoài.', 'Forgetting “invert”: the robot takes the black ring for the line and backs up for ever or runs off.'),
      t('Lùi quá lâu: robot rơi khỏi sàn phía sau.', 'Backing up too long: the robot falls off behind.'),
    ],
    oneKitPerTeam: oneKitRobot,
  },
  check: { kind: 'sumo', arena: 'sumo-ring', seconds: 30, minTravelCm: 150 },
  starter(b) {
    b.inject('Bắt đầu / Start', {}, [0, 1]).to(b.node('stemlab-robot-drive', 'chạy thẳng / forward', n.drive('forward', 150), [2, 1]));
    b.node('stemlab-line', 'dò vạch / line sensors', { ...n.line(), invert: true }, [0, 3]).to(b.node('debug', 'viền? / edge?', n.debug('position'), [2, 3]));
  },
  solution(b) {
    const start = b.inject('Bắt đầu / Start', {}, [0, 1]);
    const forward = b.node('stemlab-robot-drive', 'chạy thẳng / forward', n.drive('forward', 140), [4, 1]);
    start.to(forward);
    const line = b.node('stemlab-line', 'dò vạch / line sensors', { ...n.line(), invert: true }, [0, 3]);
    const edge = b.node('switch', 'thấy viền? / edge?', n.switch([{ t: 'nnull' }], 'position'), [1, 3]);
    line.to(edge);
    const back = b.node('stemlab-robot-drive', 'lùi 0,4 s / back 0.4 s', n.drive('backward', 150, 400), [2, 3]);
    const turn = b.node('stemlab-robot-drive', 'quay 0,6 s / turn 0.6 s', n.drive('right', 150, 600), [3, 3]);
    edge.to(back);
    back.to(turn);
    turn.to(forward);
  },
});

export const parkP = defineLesson({
  id: 'park-p',
  level: 'thpt',
  number: 12,
  minutes: 90,
  title: t('Đỗ xe êm bằng điều khiển P', 'Smooth parking with P-control'),
  kit: { profile: 'robot', components: ['left-motor', 'right-motor', 'sonar'] },
  arena: 'parking-bay',
  prerequisites: ['parking', 'line-p'],
  objectives: [o.control, o.motion, o.design],
  goal: t('Robot chạy vào ô đỗ với tốc độ giảm dần theo khoảng cách tới tường cuối (tốc độ = K × (khoảng cách − 8)), và dừng trong ô không chạm tường.', 'The robot drives into the bay slowing down with the distance to the back wall (speed = K × (distance − 8)) and stops inside without touching a wall.'),
  steps: [
    t('Sai lệch = khoảng cách đo được − 8 cm (chỗ muốn dừng).', 'Error = the measured distance − 8 cm (where to stop).'),
    t('Nút change (JSONata): payload = {"action": "forward", "speed": $min([200, 4 * (payload - 8)])}; dưới 8 cm thì dừng.', 'A change node (JSONata): payload = {"action": "forward", "speed": $min([200, 4 * (payload - 8)])}; under 8 cm, stop.'),
    t('Tốc độ dưới 60 robot không chạy: nếu tốc độ tính ra < 70 thì dùng 70 cho tới khi dừng.', 'Below 60 the robot does not move: if the speed comes out under 70, use 70 until it stops.'),
  ],
  hints: [t('Điều khiển P: càng gần đích càng chậm — như người lái xe thật.', 'P-control: the nearer the goal, the slower — as a real driver does.')],
  teacher: {
    timing: [
      { minutes: 15, text: t('Ôn điều khiển P; vùng chết của động cơ.', 'Review P-control; the motor’s dead band.') },
      { minutes: 55, text: t('Lập trình, kiểm tra, tinh chỉnh K.', 'Program, check, tune K.') },
      { minutes: 20, text: t('So sánh với đỗ xe ba mức tốc độ (THCS).', 'Compare with three-speed parking (THCS).') },
    ],
    mistakes: [
      t('Quên vùng chết: robot dừng khi còn xa vì tốc độ tính ra dưới 60.', 'Forgetting the dead band: the robot stops short because the computed speed is under 60.'),
      t('K quá lớn: robot lao vào tường cuối.', 'K too large: the robot rushes into the back wall.'),
    ],
    oneKitPerTeam: oneKitRobot,
  },
  check: { kind: 'park', arena: 'parking-bay', seconds: 25, zone: 'bay', noise: 0.25 },
  starter(b) {
    b.inject('Bắt đầu / Start', {}, [0, 1]).to(b.node('change', 'bật chạy / enable', n.set(true, 'bool', 'go', 'flow'), [1, 1]));
    b.node('stemlab-ultrasonic', 'siêu âm / ultrasonic', n.sonar('', 5), [0, 3]).to(b.node('debug', 'khoảng cách / distance (cm)', n.debug(), [2, 3]));
  },
  solution(b) {
    b.inject('Bắt đầu / Start', {}, [0, 1]).to(b.node('change', 'bật chạy / enable', n.set(true, 'bool', 'go', 'flow'), [1, 1]));
    const s = b.node('stemlab-ultrasonic', 'siêu âm / ultrasonic', n.sonar('', 5), [0, 3]);
    const started = b.node('switch', 'đã bấm Bắt đầu? / started?', n.switch([{ t: 'true' }], 'go', 'flow'), [1, 3]);
    s.to(started);
    const arrived = b.node('switch', 'tới nơi? / arrived?', n.switch([{ t: 'lt', v: '8', vt: 'num' }, { t: 'else' }]), [2, 3]);
    started.to(arrived);
    arrived.out(0, b.node('stemlab-robot-drive', 'dừng / stop', n.drive('stop'), [4, 2]));
    const p = b.node('change', 'P: tốc độ theo khoảng cách / speed from distance', n.set('{"action": "forward", "speed": $max([70, $min([200, 4 * (payload - 8)])])}', 'jsonata'), [3, 4]);
    arrived.out(1, p);
    p.to(b.node('stemlab-robot-drive', 'lái / drive', n.drive(''), [4, 4]));
  },
});
