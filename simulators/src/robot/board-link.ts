import { PinMode } from '@stemlab/protocol';
import type { SimulatedBoard } from '../firmata/device.ts';
import type { RobotWorld } from './world.ts';

/**
 * Where the robot's parts are wired on its Arduino, as on the robot-club kit: each motor on a
 * driver channel (PWM for speed, a direction pin: HIGH = forward, as Johnny-Five's Motor drives
 * it), the HC-SR04 on one pin (PingFirmata), the line array on analog pins, left to right.
 */
export interface RobotWiring {
  left: { pwm: number; dir: number };
  right: { pwm: number; dir: number };
  sonar?: number;
  servo?: number;
  /** Analog channels, left to right: 0 or 'A0'. */
  line?: Array<number | string>;
  led?: number;
  buzzer?: number;
  button?: number;
}

/** The robot-club example config's wiring (edge-agent/examples/robot-club.yaml), with a 3-sensor array. */
export const robotClubWiring: RobotWiring = {
  left: { pwm: 5, dir: 4 },
  right: { pwm: 6, dir: 7 },
  sonar: 8,
  servo: 9,
  line: ['A0', 'A1', 'A2'],
  led: 13,
  buzzer: 3,
  button: 2,
};

/** A kit's components as an agent config lists them (only what wiring needs). */
export interface ComponentLike {
  type: string;
  id: string;
  pin?: number | string;
  pins?: unknown;
}

/**
 * The wiring of a kit from its components: the motors with ids containing 'left' and 'right' (or
 * the first two motors), the first proximity sensor, servo, line array, LED, piezo and button.
 */
export function wiringFromComponents(components: readonly ComponentLike[]): RobotWiring {
  const motors = components.filter((c) => c.type === 'motor');
  const left = motors.find((m) => /left|trái/i.test(m.id)) ?? motors[0];
  const right = motors.find((m) => m !== left && /right|phải/i.test(m.id)) ?? motors.find((m) => m !== left);
  const motorPins = (m: ComponentLike | undefined, side: string) => {
    const pins = m?.pins as { pwm?: unknown; dir?: unknown } | undefined;
    if (typeof pins?.pwm !== 'number' || typeof pins.dir !== 'number') throw new Error(`a simulated robot needs a ${side} motor with pins {pwm, dir}`);
    return { pwm: pins.pwm, dir: pins.dir };
  };
  const pin = (type: string) => {
    const p = components.find((c) => c.type === type)?.pin;
    return typeof p === 'number' ? p : undefined;
  };
  const line = components.find((c) => c.type === 'line-sensors')?.pins;
  return {
    left: motorPins(left, 'left'),
    right: motorPins(right, 'right'),
    ...optional('sonar', pin('proximity')),
    ...optional('servo', pin('servo')),
    ...(Array.isArray(line) ? { line: line as Array<number | string> } : {}),
    ...optional('led', pin('led')),
    ...optional('buzzer', pin('piezo')),
    ...optional('button', pin('button')),
  };
}

/** A robot wired to a board: press its start button, or cut the wires. */
export interface RobotLink {
  press(): void;
  release(): void;
  disconnect(): void;
}

/** How long after its pin last toggled a piezo still counts as sounding (simulated ms). */
const BUZZER_HOLD_MS = 100;

/**
 * Wire robot `id` of `world` to a simulated board: what the host writes to the motor, servo, LED
 * and buzzer pins drives the robot; the sonar and line sensors answer the firmware's PING_READ
 * and analog samples from the robot's pose in the arena. Nothing else changes on the board, so
 * Johnny-Five, the agent and Node-RED drive it exactly as a real kit.
 */
export function connectRobot(world: RobotWorld, id: string, board: SimulatedBoard, wiring: RobotWiring = robotClubWiring): RobotLink {
  const robot = world.robot(id);
  if (wiring.line) robot.spec.line.count = wiring.line.length;
  const channels = (wiring.line ?? []).map((p) => channelOf(board, p));
  let lastBuzzerLevel: number | undefined;

  const motor = (w: { pwm: number; dir: number }) => {
    const pwm = board.pinState(w.pwm);
    const dir = board.pinState(w.dir);
    return { pwm: pwm.mode === PinMode.PWM ? pwm.value : pwm.mode === PinMode.OUTPUT && pwm.value ? 255 : 0, forward: dir.value !== 0 };
  };
  const refresh = () => {
    robot.inputs.left = motor(wiring.left);
    robot.inputs.right = motor(wiring.right);
    if (wiring.servo !== undefined) robot.inputs.servo = board.servoAngle(wiring.servo) ?? robot.inputs.servo;
    if (wiring.led !== undefined) {
      const led = board.pinState(wiring.led);
      robot.inputs.led = led.value > 0 && (led.mode === PinMode.OUTPUT || led.mode === PinMode.PWM);
    }
    if (wiring.buzzer !== undefined) {
      const level = board.pinState(wiring.buzzer).value;
      // A piezo is played by toggling its pin at the tone's rate: any toggle means sound.
      if (lastBuzzerLevel !== undefined && level !== lastBuzzerLevel) robot.buzzerUntil = world.time + BUZZER_HOLD_MS;
      lastBuzzerLevel = level;
    }
  };
  const onPin = () => refresh();
  board.on('pin', onPin);
  board.on('reset', onPin);
  board.on('power-off', onPin);
  refresh();

  // Sensors are computed when the firmware asks: at each analog sample and each PING_READ.
  channels.forEach((channel, i) => board.setAnalogSource(channel, () => world.lineSensors(id)[i] ?? 0));
  if (wiring.sonar !== undefined) board.setEchoSource(wiring.sonar, () => world.sonar(id));

  return {
    press: () => wiring.button !== undefined && board.press(wiring.button),
    release: () => wiring.button !== undefined && board.release(wiring.button),
    disconnect() {
      board.off('pin', onPin);
      board.off('reset', onPin);
      board.off('power-off', onPin);
      for (const channel of channels) board.setAnalogSource(channel, undefined);
      if (wiring.sonar !== undefined) board.setEchoSource(wiring.sonar, undefined);
      robot.drive(0, 0);
    },
  };
}

function channelOf(board: SimulatedBoard, pin: number | string): number {
  if (typeof pin === 'string') {
    const match = /^A(\d+)$/i.exec(pin);
    if (!match) throw new Error(`line sensor pin '${pin}' is not an analog pin (A0, A1, ...)`);
    return Number(match[1]);
  }
  const channel = pin - board.profile.firstAnalogPin;
  if (channel < 0 || channel >= board.profile.analogChannels) throw new Error(`line sensor pin ${pin} is not an analog pin: the simulated line array is analog (A0, A1, ...)`);
  return channel;
}

function optional<K extends string>(key: K, value: number | undefined): { [P in K]?: number } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: number };
}
