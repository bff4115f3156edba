/** THPT lessons 9–12: an obstacle course, a maze, sumo, parking with P-control. */
import { type Builder, palette as n } from '../flow-builder.ts';
import { defineLesson, t } from './define.ts';
import { o } from './objectives.ts';

const oneKitRobot = t('Mỗi đội một robot; sân thật dùng chung theo lượt 5 phút, thời gian còn lại các đội thử trên sân mô phỏng cùng kích thước và xem lại đường đi (--json).', 'One robot per team; the real arena is shared in 5-minute turns, and meanwhile teams try in the simulated arena of the same size and study the path (--json).');

export const obstacleCourse = defineLesson({
  id: 'obstacle-course',
  level: 'thpt',
  number: 9,
  minutes: 90,
  title: t('Vượt chướng ngại vật', 'The obstacle course'),
  kit: { profile: 'robot', components: ['left-motor', 'right-motor', 'sonar', 'sonar-servo'] },
  arena: 'obstacle-course',
  prerequisites: ['obstacle', 'line-p'],
  objectives: [o.algorithm, o.branch, o.design],
  goal: t('Robot đi từ vùng xuất phát tới vùng đích, tránh hộp, lon và tường mà không va chạm lần nào, bằng cách bám theo rào bên phải của sân.', 'The robot goes from the start to the finish, steering round boxes, cans and walls without a single bump, by following the fence on its right.'),
  steps: [
    t('Thử trước cách đơn giản: chạy thẳng, gặp vật thì lùi và rẽ. Xem đường đi (--json): cảm biến chỉ nhìn hẹp ±15°, robot lệch dần, nên rất dễ chạm mép hộp.', 'Try the simple way first: drive ahead, back up and turn at an obstacle. Study the path (--json): the sonar sees only ±15° and the robot drifts, so it easily clips a box’s edge.'),
    t('Cách chắc chắn hơn: bám theo rào bên phải (luật bàn tay phải). Khi bấm Bắt đầu, xoay servo của cảm biến siêu âm sang phải 60° (góc 30°).', 'A surer way: follow the fence on the right (the right-hand rule). On Start, turn the sonar’s servo 60° to the right (30°).'),
    t('Điều khiển P: e = khoảng cách − 29 cm; bánh trái = 130 + 4·e, bánh phải = 130 − 4·e (nút change, JSONata). Xa rào thì rẽ phải về phía rào, gần (góc hoặc vật phía trước) thì rẽ trái.', 'P-control: e = distance − 29 cm; left wheel = 130 + 4·e, right wheel = 130 − 4·e (a change node, JSONata). Far from the fence: turn right towards it; near (a corner or a thing ahead): turn left.'),
    t('Giới hạn mức rẽ: rẽ trái mạnh (tới 110) để kịp tránh, rẽ phải nhẹ (tới 20) để vòng rộng qua đầu tường.', 'Limit the steering: hard to the left (up to 110) to get clear in time, gently to the right (up to 20) to round the end of a wall wide.'),
  ],
  hints: [t('Cảm biến siêu âm có góc nhìn hẹp: vật ở hai bên mép robot có thể không thấy. Nhìn chéo sang một bên, cảm biến thấy cả rào bên cạnh lẫn vật phía trước.', 'The sonar’s cone is narrow: things at the robot’s edges may not be seen. Looking diagonally to one side, it sees both the fence beside it and a thing ahead.')],
  teacher: {
    timing: [
      { minutes: 15, text: t('Chiến lược tránh vật cản; vì sao “gặp đâu rẽ đó” hay chạm mép; bám tường bằng điều khiển P.', 'Avoidance strategies; why “turn where you meet it” clips edges; wall following with P-control.') },
      { minutes: 55, text: t('Các đội thử chiến lược trên sân mô phỏng và sân thật.', 'Teams test strategies in the simulated and the real arena.') },
      { minutes: 20, text: t('So sánh chiến lược, thời gian và số lần va chạm.', 'Compare strategies, times and bumps.') },
    ],
    mistakes: [
      t('Sai dấu trong công thức P: robot lao vào rào thay vì giữ khoảng cách.', 'A sign error in the P formula: the robot steers into the fence instead of keeping its distance.'),
      t('Quên xoay servo: cảm biến nhìn thẳng, không thấy rào bên phải, robot cứ rẽ phải mãi.', 'Forgetting the servo: the sonar looks straight ahead, never sees the fence, and the robot keeps turning right.'),
      t('Rẽ về phía rào quá mạnh: robot quẹt vào đầu tường khi vòng qua.', 'Turning towards the fence too hard: the robot clips the end of a wall as it rounds it.'),
    ],
    oneKitPerTeam: oneKitRobot,
  },
  check: { kind: 'reach', arena: 'obstacle-course', seconds: 60, zone: 'finish', maxBumps: 0 },
  starter(b) {
    b.inject('Bắt đầu / Start', {}, [0, 1]).to(b.node('stemlab-robot-drive', 'chạy thẳng / forward', n.drive('forward', 150), [2, 1]));
    b.node('stemlab-ultrasonic', 'siêu âm / ultrasonic', n.sonar(25, 5), [0, 3]).to(b.node('debug', 'khoảng cách / distance (cm)', n.debug(), [2, 3]));
  },
  solution(b) {
    // The right-hand rule as P-control: the sonar looks 60° right and the robot keeps 29 cm from
    // the fence, the walls and whatever stands beside it. "Back up and turn" at each obstacle
    // was tried first and clips edges (a ±15° cone, a robot that drifts ~2 % per metre); a
    // followed wall corrects the drift by itself.
    followWall(b, 'right', 'P: bám rào phải / follow the right fence');
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
  goal: t('Robot đi từ góc dưới trái tới đích ở góc trên phải của mê cung 4 × 4 ô trong 3 phút, va chạm nhiều nhất 3 lần, bằng cách bám theo tường bên trái (luật bàn tay trái).', 'The robot goes from the bottom-left corner to the goal at the top right of a 4 × 4 maze within 3 minutes, with at most 3 bumps, by following the wall on its left (the left-hand rule).'),
  steps: [
    t('Luật bàn tay trái: luôn giữ tường ở bên trái thì sẽ ra khỏi mê cung. Vẽ mê cung trên giấy và tự đi thử.', 'The left-hand rule: keep the wall on your left and you get out of the maze. Draw the maze on paper and walk it.'),
    t('Khi bấm Bắt đầu, xoay servo của cảm biến siêu âm sang trái 60° (góc 150°): cảm biến nhìn chéo về phía trước bên trái, thấy cả tường bên trái và tường trước mặt.', 'On Start, turn the sonar’s servo 60° to the left (150°): it looks ahead-left and sees both the wall on the left and a wall ahead.'),
    t('Điều khiển P như bài dò vạch: sai lệch e = khoảng cách − 29 cm. Bánh trái = 130 − 4·e, bánh phải = 130 + 4·e (nút change, JSONata). Xa tường (lối rẽ trái) thì rẽ trái, gần tường (góc phía trước) thì rẽ phải.', 'P-control as in line following: error e = distance − 29 cm. Left wheel = 130 − 4·e, right wheel = 130 + 4·e (a change node, JSONata). Far from the wall (an opening on the left): turn left; near it (a corner ahead): turn right.'),
    t('Giới hạn mức rẽ: rẽ phải mạnh (tới 110) để kịp tránh góc, rẽ trái nhẹ (tới 20) để vòng rộng qua đầu tường mà không chạm.', 'Limit the steering: hard to the right (up to 110) to clear corners in time, gently to the left (up to 20) to round the end of a wall wide, without touching it.'),
  ],
  hints: [
    t('Rẽ bằng thời gian cố định không đủ: hai động cơ không bao giờ giống hệt nhau, robot lệch dần và va tường. Bám tường thì robot tự sửa lệch.', 'Timed turns are not enough: no two motors are alike, the robot drifts and hits walls. Following a wall, the robot corrects its own drift.'),
    t('Nếu robot đâm vào đầu tường khi rẽ trái: giới hạn rẽ trái còn nhỏ hơn nữa.', 'If the robot hits the end of a wall when turning left: limit the left steering even more.'),
  ],
  teacher: {
    timing: [
      { minutes: 20, text: t('Thuật toán bám tường; mô phỏng trên giấy.', 'Wall-following algorithms; simulate on paper.') },
      { minutes: 90, text: t('Các đội lập trình và thử nhiều lần trên sân mô phỏng.', 'Teams program and test many times in the simulated arena.') },
      { minutes: 25, text: t('Thi thoát mê cung trên sân thật.', 'Maze race in the real arena.') },
    ],
    mistakes: [
      t('Rẽ bằng thời gian cố định không kiểm tra lại: sai góc tích luỹ, robot va tường.', 'Timed turns never checked: the angle error adds up and the robot hits walls.'),
      t('Sai dấu trong công thức P: robot lao vào tường bên trái thay vì giữ khoảng cách.', 'A sign error in the P formula: the robot steers into the left wall instead of keeping its distance.'),
      t('Quên xoay servo: cảm biến nhìn thẳng, không thấy tường bên trái, robot cứ rẽ trái mãi.', 'Forgetting the servo: the sonar looks straight ahead, never sees the left wall, and the robot keeps turning left.'),
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
    // The left-hand rule as P-control: the sonar looks 60° left and the robot keeps 29 cm from
    // what it sees. An opening on the left reads far (turn left, gently: round the wall's end
    // wide); a corner ahead reads near (turn right, hard). Following a wall corrects the drift
    // that timed turns cannot (no two motors alike: the simulated kit's differ by ~2 %).
    followWall(b, 'left', 'P: bám tường trái / follow the left wall');
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

/**
 * The obstacle course's and the maze's solution: on Start the sonar turns 60° to the wall's side
 * and P-control keeps the robot 29 cm from what it sees there (no echo reads 200 cm: far).
 * Steering away from the wall is hard (up to 110) to clear corners in time, towards it gentle (up
 * to 20) to round a wall's end wide; for a wall on the left the wheels swap.
 */
function followWall(b: Builder, side: 'right' | 'left', label: string): void {
  const right = side === 'right';
  const start = b.inject('Bắt đầu / Start', {}, [0, 1]);
  start.to(b.node('stemlab-servo', right ? 'nhìn phải 60° / look 60° right' : 'nhìn trái 60° / look 60° left', n.servo('sonar-servo', 'to', right ? 30 : 150), [1, 1]));
  start.to(b.node('change', 'bật chạy / enable', n.set(true, 'bool', 'go', 'flow'), [1, 2]));
  const s = b.node('stemlab-ultrasonic', 'siêu âm / ultrasonic', n.sonar('', 4), [0, 3]);
  const started = b.node('switch', 'đã bấm Bắt đầu? / started?', n.switch([{ t: 'true' }], 'go', 'flow'), [1, 3]);
  s.to(started);
  const [toLeft, toRight] = right ? ['+', '-'] : ['-', '+'];
  const p = b.node(
    'change',
    label,
    n.set(`( $e := (payload = null ? 200 : payload) - 29; $d := $max([-110, $min([20, 4 * $e])]); {"left": $round(130 ${toLeft} $d), "right": $round(130 ${toRight} $d)} )`, 'jsonata'),
    [2, 3],
  );
  started.to(p);
  p.to(b.node('stemlab-robot-drive', 'lái / drive', n.drive(''), [3, 3]));
}
