import { afterEach, describe, expect, it } from 'vitest';
import five from 'johnny-five';
import { PinMode } from '@stemlab/protocol';
import { BoardSimulator, type SimulatedPortOptions } from '../src/index.ts';
import { openBoard, type J5Board } from './helpers/johnny-five.ts';
import { nextEvent, pinChange } from './helpers/wait.ts';

// The real Johnny-Five classes, over firmata-io and serialport@13, against the simulated board:
// the same stack the agent uses on a real kit, so what passes here is what a kit will see.

const open: Array<{ sim: BoardSimulator; j5: J5Board[] }> = [];
afterEach(async () => {
  for (const { sim, j5 } of open.splice(0)) {
    for (const board of j5) await board.close();
    sim.close();
  }
});

async function kit(options: Partial<SimulatedPortOptions> = {}) {
  const sim = new BoardSimulator();
  const port = sim.add({ name: 'kit', board: 'uno', ...options });
  const j5 = await openBoard(port.path, sim.binding, { samplingInterval: 10 });
  open.push({ sim, j5: [j5] });
  return { sim, port, board: port.board, j5, opts: { board: j5.board } };
}

describe('Johnny-Five reaches ready on the simulated board', () => {
  it('reads the firmware, pins and analog map as from a real Uno and Mega', async () => {
    const uno = await kit();
    expect(uno.j5.io.firmware.name).toBe('StandardFirmata.ino');
    expect(uno.j5.io.pins).toHaveLength(20);
    expect(uno.j5.io.analogPins).toEqual([14, 15, 16, 17, 18, 19]);
    const mega = await kit({ board: 'mega' });
    expect(mega.j5.io.pins).toHaveLength(70);
    expect(mega.j5.io.analogPins).toHaveLength(16);
  });

  it('serialport list() shows simulated boards with vendor id and serial number', async () => {
    const sim = new BoardSimulator();
    sim.add({ name: 'a', board: 'uno' });
    sim.add({ name: 'b', board: 'mega', serialNumber: '95530343834351A0B1C2' });
    open.push({ sim, j5: [] });
    const ports = await sim.binding.list();
    expect(ports.map((p) => [p.path, p.vendorId, p.productId, p.serialNumber])).toEqual([
      ['sim:a', '2341', '0043', 'SIM00000001'],
      ['sim:b', '2341', '0042', '95530343834351A0B1C2'],
    ]);
  });
});

describe('Led', () => {
  it('on, off, brightness and blink', async () => {
    const { board, opts } = await kit();
    const led = new five.Led({ pin: 13, ...opts });
    led.on();
    await pinChange(board, 13, (s) => s.value === 1);
    led.off();
    await pinChange(board, 13, (s) => s.value === 0);

    const dimmable = new five.Led({ pin: 9, ...opts });
    dimmable.brightness(64);
    const state = await pinChange(board, 9, (s) => s.value === 64);
    expect(state.mode).toBe(PinMode.PWM);

    let toggles = 0;
    board.on('pin', (s) => s.pin === 13 && toggles++);
    led.blink(20);
    await pinChange(board, 13, () => toggles >= 4);
    led.stop().off();
    expect(toggles).toBeGreaterThanOrEqual(4);
  });
});

describe('Button', () => {
  it('press, release and hold, wired with INPUT_PULLUP', async () => {
    const { board, opts } = await kit();
    const button = new five.Button({ pin: 2, isPullup: true, holdtime: 100, ...opts });
    await pinChange(board, 2, () => board.readDigital(2) === 1);
    const pressed = nextEvent(button, 'press');
    board.press(2);
    await pressed;
    await nextEvent(button, 'hold', 2000);
    const released = nextEvent(button, 'release');
    board.release(2);
    await released;
  });

  it('press and release wired to 5 V with a pull-down', async () => {
    const { board, opts } = await kit();
    const button = new five.Button({ pin: 4, ...opts });
    await pinChange(board, 4, (s) => s.mode === PinMode.INPUT).catch(() => undefined);
    const pressed = nextEvent(button, 'down');
    board.press(4);
    await pressed;
    const released = nextEvent(button, 'up');
    board.release(4);
    await released;
  });
});

describe('Servo', () => {
  it('to an angle, within its configured range, and sweeps', async () => {
    const { board, opts } = await kit();
    // Without pwmRange Johnny-Five maps degrees over 600–2400 µs while the firmware's Servo
    // library assumes 544–2400, so 90° lands at 93°: always send the range (SERVO_CONFIG).
    const servo = new five.Servo({ pin: 10, range: [20, 160], pwmRange: [600, 2400], ...opts } as five.ServoGeneralOption);
    servo.to(90);
    await pinChange(board, 10, (s) => s.mode === PinMode.SERVO && board.servoAngle(10) === 90);
    expect(board.servoRange(10)).toEqual({ minPulse: 600, maxPulse: 2400 });
    servo.to(175); // outside the range: Johnny-Five clamps it
    await pinChange(board, 10, () => board.servoAngle(10) === 160);
    const seen = new Set<number>();
    board.on('pin', (s) => s.pin === 10 && seen.add(board.servoAngle(10) ?? -1));
    servo.sweep({ range: [30, 120], interval: 200, step: 30 });
    await pinChange(board, 10, () => seen.has(30) && seen.has(120), 5000);
    servo.stop();
  });
});

describe('Motor', () => {
  it('PWM speed and a direction pin: forward, reverse, stop', async () => {
    const { board, opts } = await kit();
    const motor = new five.Motor({ pins: { pwm: 5, dir: 4 }, ...opts });
    motor.forward(200);
    await pinChange(board, 5, (s) => s.value === 200);
    expect(board.pinState(4).value).toBe(1);
    motor.reverse(120);
    await pinChange(board, 5, (s) => s.value === 120);
    expect(board.pinState(4).value).toBe(0);
    motor.stop();
    await pinChange(board, 5, (s) => s.value === 0);
  });
});

describe('Sensor', () => {
  it('reads an analog voltage, fires change and threshold events', async () => {
    const { board, opts } = await kit();
    const sensor = new five.Sensor({ pin: 'A0', freq: 20, threshold: 10, ...opts });
    board.setVoltage(0, 1);
    const first = await nextEvent<number>(sensor, 'data');
    expect(first).toBeGreaterThanOrEqual(0);
    await new Promise<void>((resolve) => sensor.on('data', () => sensor.value === 205 && resolve()));
    const changed = nextEvent(sensor, 'change');
    board.setVoltage(0, 4);
    await changed;
    expect(sensor.value).toBe(818);
    // A change smaller than the threshold is not a change.
    let changes = 0;
    sensor.on('change', () => changes++);
    board.setAnalog(0, 822);
    await new Promise((r) => setTimeout(r, 100));
    expect(changes).toBe(0);
  });
});

describe('Proximity (HC-SR04 over PingFirmata)', () => {
  it('measures the distance set on the simulated echo', async () => {
    const { board, opts } = await kit({ firmware: { ping: true } });
    board.setEchoDistance(7, 25);
    const proximity = new five.Proximity({ controller: 'HCSR04', pin: 7, freq: 50, ...opts });
    const cm = await new Promise<number>((resolve) =>
      proximity.on('data', function (this: { cm: number }) {
        if (this.cm > 0) resolve(this.cm);
      }),
    );
    expect(cm).toBeCloseTo(25, 0);
  });

  it('is refused by Johnny-Five on plain StandardFirmata', async () => {
    const { opts } = await kit();
    expect(() => new five.Proximity({ controller: 'HCSR04', pin: 7, ...opts })).toThrow(/PingFirmata/);
  });
});

describe('Piezo', () => {
  it('plays a tone by toggling its pin', async () => {
    const { board, opts } = await kit();
    const piezo = new five.Piezo({ pin: 3, ...opts });
    let toggles = 0;
    board.on('pin', (s) => s.pin === 3 && toggles++);
    piezo.frequency(440, 100);
    await pinChange(board, 3, () => toggles >= 10);
    piezo.off();
    expect(toggles).toBeGreaterThanOrEqual(10);
  });
});

describe('Relay', () => {
  it('normally open and normally closed', async () => {
    const { board, opts } = await kit();
    const no = new five.Relay({ pin: 8, type: 'NO', ...opts });
    const nc = new five.Relay({ pin: 12, type: 'NC', ...opts });
    // close() lets current through: a normally-open relay's pin goes high, a normally-closed one's low.
    no.close();
    await pinChange(board, 8, (s) => s.value === 1);
    nc.open();
    await pinChange(board, 12, (s) => s.value === 1);
    nc.close();
    await pinChange(board, 12, (s) => s.value === 0);
    no.open();
    await pinChange(board, 8, (s) => s.value === 0);
  });
});
