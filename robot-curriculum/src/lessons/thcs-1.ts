/** THCS lessons 1–4: the LED, the button, a traffic light, the motors. */
import { palette as n } from '../flow-builder.ts';
import { defineLesson, t } from './define.ts';
import { o } from './objectives.ts';

const oneKit = t('Mỗi đội một bộ kit: một bạn lắp, một bạn lập trình, một bạn kiểm tra; đổi vai sau mỗi bước. Các đội chưa có kit chạy bài kiểm tra tự động trên máy (stemlab lesson check) rồi thử lên kit khi đến lượt.', 'One kit per team: one student wires, one programs, one tests; swap roles after each step. Teams waiting for a kit run the automatic check on the computer (stemlab lesson check) and try on the kit when their turn comes.');

export const blink = defineLesson({
  id: 'blink',
  level: 'thcs',
  number: 1,
  minutes: 45,
  title: t('Nháy đèn LED', 'Blink an LED'),
  kit: { profile: 'robot', components: ['led'] },
  prerequisites: [],
  objectives: [o.sequence, o.outputs],
  goal: t('Bật, tắt đèn LED trên robot bằng nút inject, rồi cho đèn tự nhấp nháy mỗi giây một lần (sáng nửa giây, tắt nửa giây).', 'Switch the robot’s LED on and off with inject buttons, then make it blink by itself once a second (half a second on, half off).'),
  steps: [
    t('Triển khai (Deploy) luồng rồi bấm vào ô vuông bên trái nút “Bật đèn”: đèn LED ở chân 13 sáng.', 'Deploy the flow and click the square left of “LED on”: the LED on pin 13 lights.'),
    t('Kéo thêm một nút inject, đặt payload là chuỗi off, nối vào nút LED. Bấm để tắt đèn.', 'Drag in another inject node, set its payload to the string off and wire it to the LED node. Click it to switch the LED off.'),
    t('Để đèn tự nhấp nháy: cho một nút inject gửi chuỗi toggle, chọn Repeat “interval” mỗi 0.5 giây.', 'To blink by itself: make an inject send the string toggle, with Repeat set to an interval of 0.5 seconds.'),
    t('Thử thay 0.5 bằng 0.1 và 2: đèn nháy nhanh, chậm thế nào?', 'Try 0.1 and 2 instead of 0.5: how fast and slow can it blink?'),
  ],
  hints: [t('Một lần nháy gồm hai lần đảo (sáng rồi tắt): 1 lần mỗi giây thì đảo mỗi 0.5 giây.', 'One blink is two toggles (on, then off): once a second means toggling every 0.5 s.')],
  teacher: {
    timing: [
      { minutes: 10, text: t('Giới thiệu Node-RED, triển khai luồng mẫu.', 'Introduce Node-RED, deploy the starter flow.') },
      { minutes: 25, text: t('Học sinh làm các bước 2–3, chạy bài kiểm tra.', 'Students do steps 2–3 and run the check.') },
      { minutes: 10, text: t('Thử tần số khác; tổng kết: vòng lặp là gì.', 'Try other rates; wrap up: what a loop is.') },
    ],
    mistakes: [
      t('Đặt Repeat 1 giây cho toggle: đèn nháy 0,5 lần mỗi giây. Hỏi: một lần nháy gồm mấy lần đảo?', 'Repeat of 1 s on toggle: the LED blinks half as fast. Ask: how many toggles make one blink?'),
      t('Quên bấm Deploy sau khi sửa: luồng cũ vẫn chạy.', 'Forgetting to Deploy after a change: the old flow keeps running.'),
    ],
    oneKitPerTeam: oneKit,
  },
  check: { kind: 'blink', component: 'led', hz: 1, tolerance: 0.25, seconds: 10 },
  starter: 'kept',
  solution: 'kept',
});

export const buttonLed = defineLesson({
  id: 'button-led',
  level: 'thcs',
  number: 2,
  minutes: 45,
  title: t('Nút nhấn bật đèn', 'A button lights the LED'),
  kit: { profile: 'robot', components: ['button', 'led'] },
  prerequisites: ['blink'],
  objectives: [o.branch, o.sensors],
  goal: t('Đèn LED sáng khi nút nhấn trên robot được giữ và tắt khi thả tay.', 'The LED is lit while the robot’s button is held and goes off when it is released.'),
  steps: [
    t('Triển khai luồng, nhấn nút trên robot và xem tab Debug: true khi nhấn, false khi thả.', 'Deploy the flow, press the robot’s button and watch the Debug tab: true when pressed, false when released.'),
    t('Nối đầu ra của nút “nút nhấn” vào một nút LED (để trống hành động: đèn làm theo payload true/false).', 'Wire the button node’s output to an LED node (leave its action empty: the LED follows the payload true/false).'),
    t('Triển khai lại và thử: giữ nút thì đèn sáng, thả thì tắt.', 'Deploy again and try: hold the button and the LED lights, let go and it goes off.'),
  ],
  hints: [t('Nút nhấn gửi true khi nhấn và false khi thả; nút LED hiểu true là bật, false là tắt.', 'The button sends true on press and false on release; the LED node takes true as on and false as off.')],
  teacher: {
    timing: [
      { minutes: 10, text: t('Ôn bài 1; giới thiệu tín hiệu vào (nút nhấn) và ra (đèn).', 'Review lesson 1; inputs (button) and outputs (LED).') },
      { minutes: 25, text: t('Học sinh nối luồng, thử trên kit hoặc bằng bài kiểm tra.', 'Students wire the flow, try it on the kit or with the check.') },
      { minutes: 10, text: t('Thảo luận: đảo ngược đèn (sáng khi không nhấn) thì làm thế nào?', 'Discuss: how to invert it (lit when not pressed)?') },
    ],
    mistakes: [
      t('Chọn hành động “on” cho nút LED: đèn sáng mãi không tắt.', 'Setting the LED node’s action to “on”: the LED never goes off.'),
      t('Nối nút nhấn qua switch nhưng đổi chỗ hai nhánh: đèn làm ngược.', 'Going through a switch with its two branches swapped: the LED does the opposite.'),
    ],
    oneKitPerTeam: oneKit,
  },
  check: { kind: 'follow', input: 'button', output: 'led' },
  starter: 'kept',
  solution: 'kept',
});

export const trafficLight = defineLesson({
  id: 'traffic-light',
  level: 'thcs',
  number: 3,
  minutes: 90,
  title: t('Đèn giao thông', 'A traffic light'),
  kit: { profile: 'automation', components: ['red', 'yellow', 'green'] },
  prerequisites: ['blink'],
  objectives: [o.sequence, o.automation],
  goal: t('Làm đèn giao thông: xanh 5 giây, vàng 2 giây, đỏ 5 giây, rồi lặp lại mãi. Mỗi lúc chỉ một đèn sáng.', 'Build a traffic light: green for 5 s, yellow for 2 s, red for 5 s, over and over. One light at a time.'),
  steps: [
    t('Luồng mẫu bật đèn xanh khi triển khai. Thêm nút delay 5 giây sau nút “xanh”, rồi một nút “vàng”.', 'The starter lights green on deploy. Add a 5 s delay after “green”, then a “yellow” step.'),
    t('Mỗi bước gồm: một nút change đặt payload, các nút LED. Cách đơn giản: bước “vàng” gửi off cho xanh và on cho vàng.', 'Each step switches LEDs: the “yellow” step sends off to green and on to yellow.'),
    t('Thêm bước “đỏ” sau 2 giây, và sau 5 giây nối lại về bước “xanh” để lặp.', 'Add the “red” step after 2 s, and after 5 s wire back to the “green” step to repeat.'),
    t('Chạy bài kiểm tra: nó đo thời gian từng đèn và thứ tự.', 'Run the check: it measures each light’s time and the order.'),
  ],
  hints: [
    t('Một vòng lặp trong Node-RED: nối dây từ bước cuối trở lại bước đầu.', 'A loop in Node-RED: a wire from the last step back to the first.'),
    t('Tắt đèn cũ trước (hoặc cùng lúc) khi bật đèn mới.', 'Switch the old light off before (or as) the new one comes on.'),
  ],
  teacher: {
    timing: [
      { minutes: 15, text: t('Quan sát đèn giao thông thật: thứ tự, thời gian. Vẽ sơ đồ trạng thái.', 'Look at a real traffic light: order, times. Draw the state diagram.') },
      { minutes: 55, text: t('Học sinh dựng luồng từng bước; kiểm tra tự động sau mỗi bước.', 'Students build the flow step by step; automatic check after each.') },
      { minutes: 20, text: t('Thi: đội nào có đèn đúng nhất; thảo luận đèn đếm ngược.', 'Contest: whose light is most exact; discuss countdown lights.') },
    ],
    mistakes: [
      t('Quên tắt đèn xanh khi bật đèn vàng: hai đèn cùng sáng.', 'Forgetting to switch green off when yellow comes on: two lights at once.'),
      t('Nối bước đỏ về bước vàng: thứ tự sai (đỏ → vàng → đỏ).', 'Wiring red back to yellow: the wrong order (red → yellow → red).'),
    ],
    oneKitPerTeam: oneKit,
  },
  check: { kind: 'sequence', lights: ['red', 'yellow', 'green'], phases: [{ on: ['green'], seconds: 5 }, { on: ['yellow'], seconds: 2 }, { on: ['red'], seconds: 5 }], tolerance: 0.2 },
  starter(b) {
    const go = b.inject('Bắt đầu / Start', { once: true, onceDelay: 0.5, payload: 'on' }, [0, 2]);
    go.to(b.node('stemlab-led', 'xanh / green', n.led('green'), [2, 2]));
  },
  solution(b) {
    const go = b.inject('Bắt đầu / Start', { once: true, onceDelay: 0.5, payload: 'go' }, [0, 2]);
    const vi: Record<string, string> = { red: 'đỏ', yellow: 'vàng', green: 'xanh', on: 'bật', off: 'tắt' };
    const led = (colour: string, action: 'on' | 'off', at: [number, number]) => b.node('stemlab-led', `${vi[action]} ${vi[colour]} / ${colour} ${action}`, n.led(colour, action), at);
    const wait5a = b.node('delay', 'chờ 5 s (xanh) / wait 5 s (green)', n.delay(5), [1, 2]);
    const wait2 = b.node('delay', 'chờ 2 s (vàng) / wait 2 s (yellow)', n.delay(2), [2, 5]);
    const wait5b = b.node('delay', 'chờ 5 s (đỏ) / wait 5 s (red)', n.delay(5), [3, 8]);
    const greenOn = led('green', 'on', [1, 0]);
    const redOff = led('red', 'off', [1, 1]);
    go.to(greenOn, redOff, wait5a);
    wait5a.to(led('yellow', 'on', [2, 3]), led('green', 'off', [2, 4]), wait2);
    wait2.to(led('red', 'on', [3, 6]), led('yellow', 'off', [3, 7]), wait5b);
    wait5b.to(greenOn, redOff, wait5a);
  },
});
