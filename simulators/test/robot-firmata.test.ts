import { afterEach, describe, expect, it } from 'vitest';
import five from 'johnny-five';
import { BoardSimulator, connectRobot, createRobotWorld, robotClubWiring, wiringFromComponents, type RobotWorld, type SimRobot } from '../src/index.ts';
import { openBoard, type J5Board } from './helpers/johnny-five.ts';
import { nextEvent, pinChange } from './helpers/wait.ts';

// The robot world wired to a simulated Uno as the robot-club kit is wired, driven by the real
// Johnny-Five classes over firmata-io and serialport: Johnny-Five's pin writes move the robot,
// the robot's geometry answers Johnny-Five's PING_READ and analog reads. The world is advanced
// by hand (simulated time), so what the physics does is exact; only the host's I/O is real time.

const V150 = ((39 * 90) / 195) * 0.97; // a wheel at PWM 150: 17.46 cm/s over the floor

const open: Array<{ sim: BoardSimulator; j5: J5Board }> = [];
afterEach(async () => {
  for (const { sim, j5 } of open.splice(0)) {
    await j5.close();
    sim.close();
  }
});

async function wiredRobot(arena = 'empty-table'): Promise<{ world: RobotWorld; robot: SimRobot; j5: J5Board; board: ReturnType<BoardSimulator['board']>; link: ReturnType<typeof connectRobot> }> {
  const sim = new BoardSimulator();
  const port = sim.add({ name: 'robot-1', board: 'uno', firmware: { ping: true } });
  const world = createRobotWorld({ arena, seed: 7, noise: 0 });
  const robot = world.addRobot({ id: 'robot-1' });
  const link = connectRobot(world, 'robot-1', port.board, robotClubWiring);
  const j5 = await openBoard(port.path, sim.binding, { samplingInterval: 10 });
  open.push({ sim, j5 });
  return { world, robot, j5, board: port.board, link };
}

function pingCm(j5: J5Board, pin: number): Promise<number | null> {
  const io = j5.io as unknown as { pingRead(o: object, cb: (micros: number) => void): void };
  // As the agent's ProximityDevice asks and converts (µs / 29.1 / 2).
  return new Promise((resolve) => io.pingRead({ pin, value: 1, pulseOut: 5, timeout: 30_000 }, (micros) => resolve(micros > 0 ? Math.round((micros / 29.1 / 2) * 10) / 10 : null)));
}

describe('a robot on the Firmata stack', () => {
  it('Johnny-Five Motors on pins 5/4 and 6/7 drive it straight at PWM 150', async () => {
    const { world, robot, j5, board } = await wiredRobot();
    const left = new five.Motor({ pins: { pwm: 5, dir: 4 }, board: j5.board });
    const right = new five.Motor({ pins: { pwm: 6, dir: 7 }, board: j5.board });
    left.forward(150);
    right.forward(150);
    await pinChange(board, 6, (s) => s.value === 150);
    expect(robot.inputs.left).toEqual({ pwm: 150, forward: true });
    world.advance(1000);
    const x1 = robot.x;
    world.advance(2000);
    expect(robot.x - x1).toBeCloseTo(2 * V150, 2);
    expect(robot.y).toBeCloseTo(75, 9);

    // Reverse on the left, forward on the right: a turn on the spot, counterclockwise.
    left.reverse(150);
    await pinChange(board, 4, (s) => s.value === 0);
    const h = robot.pose.heading;
    world.advance(1000);
    expect(robot.pose.heading).toBeGreaterThan(h + 120);
    left.stop();
    right.stop();
    await pinChange(board, 6, (s) => s.value === 0);
    expect(robot.inputs.right.pwm).toBe(0);
  });

  it('PING_READ answers with the distance to the fence, and the pan servo turns the sonar', async () => {
    const { world, j5, board } = await wiredRobot();
    // From (40, 75) facing the fence at x = 200: the sonar, 8 cm ahead, is 152 cm away.
    expect(await pingCm(j5, 8)).toBe(152);
    const servo = new five.Servo({ pin: 9, board: j5.board, pwmRange: [544, 2400] } as five.ServoGeneralOption);
    servo.to(170);
    await pinChange(board, 9, () => board.servoAngle(9) === 170);
    world.advance(500);
    // 80° to the left, the fence at y = 150 is 75 cm from the sonar (inside the ±15° cone).
    expect(await pingCm(j5, 8)).toBe(75);
  });

  it('line sensors on A0–A2 read the line under them through Johnny-Five Sensors', async () => {
    const { robot, j5 } = await wiredRobot('line-oval');
    robot.place({ x: 100, y: 31, heading: 0 }); // the middle sensor over the line's upper edge
    const sensors = ['A0', 'A1', 'A2'].map((pin) => new five.Sensor({ pin, board: j5.board, freq: 20 }));
    await expect.poll(() => sensors.map((s) => s.value)).toEqual([80, 490, 900]);
    robot.place({ x: 100, y: 30, heading: 0 });
    await expect.poll(() => sensors.map((s) => s.value)).toEqual([80, 900, 80]);
  });

  it('drives into the fence and stops there, through the motors', async () => {
    const { world, robot, j5, board } = await wiredRobot();
    const left = new five.Motor({ pins: { pwm: 5, dir: 4 }, board: j5.board });
    const right = new five.Motor({ pins: { pwm: 6, dir: 7 }, board: j5.board });
    left.forward(200);
    right.forward(200);
    await pinChange(board, 6, (s) => s.value === 200);
    world.advance(10_000);
    expect(robot.x).toBeCloseTo(190, 1);
    expect(world.events.filter((e) => e.type === 'bump')).toHaveLength(1);
    expect(await pingCm(j5, 8)).toBe(2);
  });

  it('the LED, the buzzer and the start button', async () => {
    const { world, robot, j5, board, link } = await wiredRobot();
    const led = new five.Led({ pin: 13, board: j5.board });
    led.on();
    await pinChange(board, 13, (s) => s.value === 1);
    expect(robot.inputs.led).toBe(true);
    const piezo = new five.Piezo({ pin: 3, board: j5.board });
    piezo.frequency(440, 300);
    await pinChange(board, 3, (s) => s.value === 1);
    await pinChange(board, 3, (s) => s.value === 0);
    expect(robot.buzzing(world.time)).toBe(true);
    world.advance(500);
    expect(robot.buzzing(world.time)).toBe(false);
    const button = new five.Button({ pin: 2, isPullup: true, board: j5.board });
    await expect.poll(() => board.isPulledUp(2) && board.isReporting(2)).toBe(true);
    const pressed = nextEvent(button, 'down');
    link.press();
    await pressed;
  });

  it('a pulled cable stops the robot: the board loses its pins', async () => {
    const sim = new BoardSimulator();
    const port = sim.add({ name: 'robot-1', board: 'uno', firmware: { ping: true } });
    const world = createRobotWorld({ arena: 'empty-table', seed: 7, noise: 0 });
    const robot = world.addRobot({ id: 'robot-1' });
    connectRobot(world, 'robot-1', port.board);
    const j5 = await openBoard(port.path, sim.binding);
    open.push({ sim, j5 });
    new five.Motor({ pins: { pwm: 5, dir: 4 }, board: j5.board }).forward(150);
    await pinChange(port.board, 5, (s) => s.value === 150);
    expect(robot.inputs.left.pwm).toBe(150);
    port.unplug();
    expect(robot.inputs.left.pwm).toBe(0);
  });

  it('takes its wiring from an agent config\'s components', () => {
    const components = [
      { type: 'motor', id: 'right-motor', pins: { pwm: 6, dir: 7 } },
      { type: 'motor', id: 'left-motor', pins: { pwm: 5, dir: 4 } },
      { type: 'proximity', id: 'sonar', pin: 8 },
      { type: 'line-sensors', id: 'line', pins: ['A0', 'A1', 'A2', 'A3', 'A4'] },
      { type: 'servo', id: 'sonar-servo', pin: 9 },
      { type: 'led', id: 'led', pin: 13 },
      { type: 'button', id: 'button', pin: 2 },
      { type: 'piezo', id: 'buzzer', pin: 3 },
    ];
    expect(wiringFromComponents(components)).toEqual({ ...robotClubWiring, line: ['A0', 'A1', 'A2', 'A3', 'A4'] });
    expect(() => wiringFromComponents([{ type: 'led', id: 'led', pin: 13 }])).toThrow(/needs a left motor with pins \{pwm, dir\}/);
  });
});
