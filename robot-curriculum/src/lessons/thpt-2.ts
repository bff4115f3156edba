/** THPT lessons 5–8: a barrier counting cars, a safe automatic door, P-control line following, the figure eight. */
import { palette as n, type Builder } from '../flow-builder.ts';
import { defineLesson, t } from './define.ts';
import { o } from './objectives.ts';

const oneKitBoard = t('Mỗi đội một bảng; đội chờ lượt chạy bài kiểm tra trên bảng mô phỏng. Giáo viên chiếu kết quả kiểm tra (--json) để cả lớp cùng phân tích một lỗi.', 'One board per team; waiting teams run the check on the simulated board. The teacher projects a check’s trace (--json) for the class to analyse one mistake together.');
const oneKitRobot = t('Mỗi đội một robot; các đội luân phiên trên đường đua thật, còn lại tinh chỉnh hệ số trên robot mô phỏng (cùng luồng).', 'One robot per team; teams take turns on the real track and tune their gains on the simulated robot meanwhile (the same flow).');

export const barrier = defineLesson({
  id: 'barrier',
  level: 'thpt',
  number: 5,
  minutes: 90,
  title: t('Thanh chắn bãi xe đếm xe', 'A car-park barrier that counts cars'),
  kit: { profile: 'automation', components: ['sonar', 'servo', 'red'] },
  prerequisites: ['door', 'toggle'],
  objectives: [o.variables, o.algorithm, o.automation],
  goal: t('Bãi xe chứa 3 xe. Thanh chắn (servo) mở 90° khi có xe đến và đóng sau khi xe qua; đếm xe vào, đủ 3 xe thì bật đèn đỏ “hết chỗ” và không mở cho xe sau.', 'The car park holds 3 cars. The barrier (servo) opens to 90° when a car comes and closes after it; count the cars in, and at 3 light the red “full” LED and stay shut for the next ones.'),
  steps: [
    t('Nút “siêu âm” (ngưỡng 20 cm): true khi có xe trước thanh chắn.', 'The “ultrasonic” node (20 cm): true when a car is at the barrier.'),
    t('Khi có xe: nút switch trên flow.count (biến của luồng) — còn chỗ thì mở, tăng flow.count bằng nút change (biểu thức $flowContext("count") + 1).', 'When a car comes: a switch on flow.count (a flow variable) — if there is room, open and add one to flow.count with a change node (expression $flowContext("count") + 1).'),
    t('Khi xe đi (false): đóng thanh chắn; nếu flow.count đã là 3 thì bật đèn đỏ.', 'When the car has gone (false): close the barrier; if flow.count is 3, light the red LED.'),
    t('Đặt flow.count = 0 khi triển khai (inject “once”).', 'Set flow.count = 0 on deploy (an inject set to “once”).'),
  ],
  hints: [t('Xe thứ 3 được vào; xe thứ 4 thì không: so sánh “nhỏ hơn 3” trước khi tăng biến đếm.', 'Car 3 gets in, car 4 does not: compare “less than 3” before adding one.')],
  teacher: {
    timing: [
      { minutes: 15, text: t('Biến, bộ đếm; lỗi lệch một (off-by-one).', 'Variables, counters; the off-by-one error.') },
      { minutes: 55, text: t('Học sinh lập trình; bài kiểm tra gửi 5 xe.', 'Students program; the check sends 5 cars.') },
      { minutes: 20, text: t('Mở rộng: xe ra khỏi bãi thì trừ bộ đếm.', 'Extension: count cars leaving as well.') },
    ],
    mistakes: [
      t('So sánh “nhỏ hơn hoặc bằng 3”: xe thứ 4 vẫn được vào.', 'Comparing “less than or equal to 3”: car 4 still gets in.'),
      t('Không đóng thanh chắn khi xe đi.', 'Not closing the barrier when the car has gone.'),
    ],
    oneKitPerTeam: oneKitBoard,
  },
  check: { kind: 'counter', servo: 'servo', open: 90, closed: 0, full: 'red', capacity: 3, cars: 5 },
  starter(b) {
    b.inject('đặt lại bộ đếm / reset count', { once: true, payload: 0 }, [0, 0]).to(b.node('change', 'count = 0', n.set(0, 'num', 'count', 'flow'), [1, 0]));
    b.node('stemlab-ultrasonic', 'siêu âm / ultrasonic', n.sonar(20, 5), [0, 2]).out(1, b.node('debug', 'có xe? / car?', n.debug(), [2, 2]));
    b.node('stemlab-servo', 'mở / open', n.servo('servo', 'to', 90), [3, 3]);
  },
  solution(b) {
    b.inject('đặt lại bộ đếm / reset count', { once: true, payload: 0 }, [0, 0]).to(b.node('change', 'count = 0', n.set(0, 'num', 'count', 'flow'), [1, 0]));
    const s = b.node('stemlab-ultrasonic', 'siêu âm / ultrasonic', n.sonar(20, 5), [0, 2]);
    const car = b.node('switch', 'xe đến hay đi? / car in or gone?', n.switch([{ t: 'true' }, { t: 'false' }]), [1, 2]);
    s.out(1, car);
    const room = b.node('switch', 'còn chỗ? / room?', n.switch([{ t: 'lt', v: '3', vt: 'num' }], 'count', 'flow'), [2, 1]);
    car.out(0, room);
    const count = b.node('change', 'count + 1', { ...n.set('$flowContext("count") + 1', 'jsonata', 'count', 'flow') }, [3, 1]);
    room.to(b.node('stemlab-servo', 'mở / open', n.servo('servo', 'to', 90), [4, 0]), count);
    car.out(1, b.node('stemlab-servo', 'đóng / close', n.servo('servo', 'to', 0), [3, 3]));
    const full = b.node('switch', 'hết chỗ? / full?', n.switch([{ t: 'gte', v: '3', vt: 'num' }], 'count', 'flow'), [2, 4]);
    car.out(1, full);
    full.to(b.node('stemlab-led', 'đèn hết chỗ / full LED', n.led('red', 'on'), [3, 4]));
  },
});

export const smartDoor = defineLesson({
  id: 'smart-door',
  level: 'thpt',
  number: 6,
  minutes: 90,
  title: t('Cửa tự động an toàn', 'A safe automatic door'),
  kit: { profile: 'automation', components: ['sonar', 'servo'] },
  prerequisites: ['door'],
  objectives: [o.algorithm, o.testing, o.automation],
  goal: t('Cửa mở khi có người gần hơn 30 cm và chỉ đóng 3 giây sau khi không còn ai — kể cả khi có người đứng lâu ở cửa, cửa không được đóng vào người.', 'The door opens when someone is nearer than 30 cm and closes only 3 s after nobody is there — even with someone standing in the doorway for a long time, it must never close on them.'),
  steps: [
    t('Chạy lời giải THCS với bài kiểm tra này: nó cho một người đứng ở cửa lâu hơn 3 giây.', 'Run the THCS solution against this check: it has someone stand in the doorway longer than 3 s.'),
    t('Khi không còn ai (false): một nút trigger “không gửi gì, sau 3 giây gửi 0” đóng cửa.', 'When nobody is there (false): a trigger node “send nothing, then 0 after 3 s” closes the door.'),
    t('Khi lại có người (true): mở cửa ngay và huỷ hẹn giờ — gửi vào trigger một tin nhắn có msg.reset.', 'When someone is there again (true): open at once and cancel the timer — send the trigger a message with msg.reset.'),
  ],
  hints: [t('Bài kiểm tra cho một người vừa ra lại quay vào ngay: bộ hẹn giờ đóng cửa cũ không được chạy nữa.', 'The check has someone step out and come straight back: the old closing timer must not fire any more.')],
  teacher: {
    timing: [
      { minutes: 15, text: t('Yêu cầu an toàn trong thiết kế kĩ thuật; kịch bản kiểm thử.', 'Safety requirements in engineering design; test scenarios.') },
      { minutes: 55, text: t('Học sinh sửa cửa THCS cho an toàn; bài kiểm tra tìm ca lỗi.', 'Students make the THCS door safe; the check finds the failing case.') },
      { minutes: 20, text: t('Thảo luận: cảm biến hỏng thì cửa nên mở hay đóng?', 'Discuss: if the sensor fails, should the door stay open or shut?') },
    ],
    mistakes: [
      t('Dùng nút delay để đóng (như bài THCS): người quay lại ngay thì lệnh đóng cũ vẫn tới, cửa đóng vào người.', 'Closing through a delay node (as in the THCS lesson): someone who comes straight back still gets the old close, on them.'),
      t('Hẹn giờ đóng tính từ lúc người đến: cửa đóng vào người đứng lâu.', 'Timing the close from the arrival: the door closes on someone who stays.'),
    ],
    oneKitPerTeam: oneKitBoard,
  },
  check: { kind: 'door', servo: 'servo', open: 90, closed: 0, threshold: 30, closeAfter: 3, stays: true },
  starter(b) {
    const s = b.node('stemlab-ultrasonic', 'siêu âm / ultrasonic', n.sonar(30, 5), [0, 2]);
    const near = b.node('switch', 'có người? / someone there?', n.switch([{ t: 'true' }]), [1, 2]);
    s.out(1, near);
    const once = b.node('trigger', 'mở rồi đóng sau 3 s / open, close after 3 s', n.trigger(90, 0, 3, false), [2, 2]);
    near.to(once);
    once.to(b.node('stemlab-servo', 'cửa / door', n.servo('servo', ''), [3, 2]));
  },
  solution(b) {
    const s = b.node('stemlab-ultrasonic', 'siêu âm / ultrasonic', n.sonar(30, 5), [0, 2]);
    const near = b.node('switch', 'có người? / someone there?', n.switch([{ t: 'true' }, { t: 'false' }]), [1, 2]);
    s.out(1, near);
    const door = b.node('stemlab-servo', 'cửa / door', n.servo('servo', ''), [4, 2]);
    const open = b.node('change', 'mở 90° / open 90°', n.set(90), [2, 1]);
    const cancel = b.node('change', 'huỷ hẹn giờ / cancel the timer', n.set(true, 'bool', 'reset'), [2, 2]);
    near.out(0, open, cancel);
    open.to(door);
    const later = b.node('trigger', 'đóng sau 3 s / close after 3 s', { ...n.trigger('', 0, 3, false), op1type: 'nul' }, [3, 3]);
    cancel.to(later);
    near.out(1, later);
    later.to(door);
  },
});

/** P-control: each wheel's speed from where the line is (msg.position, -1 left … 1 right); stop when it is lost. */
function pControl(b: Builder, base: number, gain: number, row = 2): void {
  const line = b.node('stemlab-line', 'dò vạch / line sensors', n.line(), [0, row]);
  const lost = b.node('switch', 'thấy vạch? / line seen?', n.switch([{ t: 'nnull' }, { t: 'else' }], 'position'), [1, row]);
  line.to(lost);
  const p = b.node('change', `P: ${base} ± ${gain} × vị trí / position`, n.set(`{"left": ${base} + ${gain} * position, "right": ${base} - ${gain} * position}`, 'jsonata'), [2, row - 1]);
  lost.out(0, p);
  p.to(b.node('stemlab-robot-drive', 'lái / steer', n.drive(''), [3, row - 1]));
  lost.out(1, b.node('stemlab-robot-drive', 'dừng / stop', n.drive('stop'), [3, row + 1]));
}

export const lineP = defineLesson({
  id: 'line-p',
  level: 'thpt',
  number: 7,
  minutes: 90,
  title: t('Dò vạch với điều khiển P', 'Line following with P-control'),
  kit: { profile: 'robot', components: ['left-motor', 'right-motor', 'line'] },
  arena: 'line-oval',
  prerequisites: ['line', 'drive-distance'],
  objectives: [o.control, o.algorithm, o.motion],
  goal: t('Robot bám vạch mượt bằng điều khiển tỉ lệ: tốc độ mỗi bánh = tốc độ nền ± K × vị trí vạch; đi hết một vòng bầu dục trong 45 giây.', 'The robot follows the line smoothly with proportional control: each wheel’s speed = base ± K × the line’s position; a lap of the oval within 45 s.'),
  steps: [
    t('msg.position là sai lệch: -1 vạch ở trái, 1 ở phải. Robot cần quay về phía vạch.', 'msg.position is the error: -1 line on the left, 1 on the right. The robot must turn towards the line.'),
    t('Nút change (JSONata): payload = {"left": 140 + 60 * position, "right": 140 - 60 * position}.', 'A change node (JSONata): payload = {"left": 140 + 60 * position, "right": 140 - 60 * position}.'),
    t('Thử K = 20, 60, 150: quan sát robot lắc hay văng.', 'Try K = 20, 60, 150: watch it wobble or fly off.'),
  ],
  hints: [t('Vạch bên trái (position âm) thì bánh trái phải chậm hơn bánh phải.', 'Line on the left (negative position): the left wheel must be slower than the right.')],
  teacher: {
    timing: [
      { minutes: 20, text: t('Điều khiển vòng kín; sai lệch; hệ số K.', 'Closed-loop control; error; the gain K.') },
      { minutes: 50, text: t('Học sinh tinh chỉnh K và tốc độ nền trên robot mô phỏng rồi robot thật.', 'Students tune K and base speed on the simulated robot, then the real one.') },
      { minutes: 20, text: t('So sánh với dò vạch ba trạng thái (THCS): thời gian, độ lắc.', 'Compare with the three-state follower (THCS): lap time, wobble.') },
    ],
    mistakes: [
      t('Sai dấu: bánh trái nhanh hơn khi vạch ở trái, robot quay ra xa vạch.', 'A sign error: the left wheel speeds up when the line is on the left, steering away from it.'),
      t('K quá nhỏ: robot không kịp quay ở khúc cua.', 'K too small: the robot cannot turn in time in the curves.'),
    ],
    oneKitPerTeam: oneKitRobot,
  },
  check: { kind: 'line-lap', arena: 'line-oval', seconds: 46, lapCm: 400, maxLostMs: 1000 },
  starter(b) {
    const line = b.node('stemlab-line', 'dò vạch / line sensors', n.line(), [0, 2]);
    line.to(b.node('debug', 'vị trí vạch / line position', n.debug('position'), [2, 2]));
    b.node('stemlab-robot-drive', 'lái / steer', n.drive(''), [3, 1]);
  },
  solution(b) {
    pControl(b, 140, 60);
  },
});

export const lineEight = defineLesson({
  id: 'line-eight',
  level: 'thpt',
  number: 8,
  minutes: 90,
  title: t('Đường đua số 8 có giao lộ', 'The figure-eight track with a crossing'),
  kit: { profile: 'robot', components: ['left-motor', 'right-motor', 'line'] },
  arena: 'line-figure-eight',
  prerequisites: ['line-p'],
  objectives: [o.control, o.testing, o.motion],
  goal: t('Robot bám vạch hình số 8 và đi thẳng qua giao lộ (nơi mọi cảm biến cùng thấy vạch), hết một vòng trong 60 giây.', 'The robot follows the figure eight and drives straight over the crossing (where every sensor sees the line), a lap within 60 s.'),
  steps: [
    t('Chạy lời giải bài 7 trên sân số 8: robot làm gì ở giao lộ?', 'Run lesson 7’s solution on the figure eight: what does the robot do at the crossing?'),
    t('Ở giao lộ position = 0 (vạch ở giữa): điều khiển P tự đi thẳng. Giảm K nếu robot rẽ nhầm.', 'At the crossing position = 0 (line in the middle): P-control drives straight by itself. Lower K if the robot turns off.'),
    t('Chỉnh tốc độ nền để đi một vòng trong 60 giây.', 'Tune the base speed for a lap within 60 s.'),
  ],
  hints: [t('Khúc cua số 8 hẹp hơn bầu dục: cần K lớn hơn hoặc tốc độ nền nhỏ hơn.', 'The eight’s curves are tighter than the oval’s: a larger K or a lower base speed.')],
  teacher: {
    timing: [
      { minutes: 15, text: t('Trường hợp đặc biệt trong thuật toán: giao lộ.', 'Special cases in an algorithm: the crossing.') },
      { minutes: 55, text: t('Học sinh thử, quan sát vết đường đi (--json), chỉnh hệ số.', 'Students test, look at the path (--json), tune.') },
      { minutes: 20, text: t('Thi vòng nhanh nhất không rời vạch.', 'Race for the fastest clean lap.') },
    ],
    mistakes: [
      t('Dùng luật “mọi cảm biến thấy vạch thì dừng”: robot dừng ở giao lộ.', 'A rule “all sensors on the line: stop”: the robot stops at the crossing.'),
      t('Tốc độ nền quá cao: văng ở khúc cua hẹp.', 'Base speed too high: off the line in the tight curves.'),
    ],
    oneKitPerTeam: oneKitRobot,
  },
  check: { kind: 'line-lap', arena: 'line-figure-eight', seconds: 61, lapCm: 500, maxLostMs: 1000 },
  starter(b) {
    const line = b.node('stemlab-line', 'dò vạch / line sensors', n.line(), [0, 2]);
    line.to(b.node('debug', 'vị trí vạch / line position', n.debug('position'), [2, 2]));
    b.node('stemlab-robot-drive', 'lái / steer', n.drive(''), [3, 1]);
  },
  solution(b) {
    pControl(b, 130, 80);
  },
});
