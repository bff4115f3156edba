import { afterEach, describe, expect, it } from 'vitest';
import { PinMode } from '@stemlab/protocol';
import { RawHost, hex, text7 } from './helpers/raw-host.ts';
import { loadReference } from './helpers/reference.ts';

// Byte-level behaviour of the simulated StandardFirmata, against the recordings of the real
// firmware (test/fixtures/firmata/, recorded on simavr) and the Firmata protocol's own message formats.

const hosts: RawHost[] = [];
function host(...args: ConstructorParameters<typeof RawHost>): RawHost {
  const h = new RawHost(...args);
  hosts.push(h);
  return h;
}
afterEach(() => {
  for (const h of hosts.splice(0)) h.close();
});

const announce = (version: [number, number], name = 'StandardFirmata.ino') => [
  0xf9, ...version, 0xf0, 0x79, ...version, ...text7(name), 0xf7,
];

describe('the simulated board answers as the real firmware does, byte for byte', () => {
  for (const [board, version] of [['uno', [2, 4]], ['mega', [2, 3]]] as const) {
    it(`${board}: announces itself after reset, answers capability and analog-mapping queries`, async () => {
      const reference = loadReference(board);
      const h = host({ board, firmware: { version } });
      expect(hex(await h.take(reference.reset.length))).toBe(hex(reference.reset));
      h.write(0xf0, 0x6b, 0xf7);
      expect(hex(await h.take(reference.capability.length))).toBe(hex(reference.capability));
      h.write(0xf0, 0x69, 0xf7);
      expect(hex(await h.take(reference.analogMapping.length))).toBe(hex(reference.analogMapping));
      await h.settle();
      expect(h.received).toEqual([]);
    });
  }

  it('firmware 2.5 adds INPUT_PULLUP to every digital pin, PingFirmata adds PING_READ', async () => {
    const h = host({ board: 'uno', firmware: { version: [2, 5], ping: true } });
    expect(await h.take(announce([2, 5], 'PingFirmata.ino').length)).toEqual(announce([2, 5], 'PingFirmata.ino'));
    h.write(0xf0, 0x6b, 0xf7);
    const response = await h.take(2);
    expect(response).toEqual([0xf0, 0x6c]);
    await h.settle();
    const pins = splitCapabilities(h.received.splice(0));
    expect(pins).toHaveLength(20);
    expect(pins[0]).toEqual([]);
    expect(pins[13]).toEqual([[0, 1], [0x0b, 1], [1, 1], [4, 14], [0x75, 1]]);
    expect(pins[3]).toEqual([[0, 1], [0x0b, 1], [1, 1], [3, 8], [4, 14], [0x75, 1]]);
  });

  it('answers REPORT_VERSION and the firmware query at any time', async () => {
    const h = host({ board: 'uno' });
    await h.take(announce([2, 5]).length);
    h.write(0xf9);
    expect(await h.take(3)).toEqual([0xf9, 2, 5]);
    h.write(0xf0, 0x79, 0xf7);
    expect(await h.take(announce([2, 5]).length - 3)).toEqual(announce([2, 5]).slice(3));
  });
});

describe('pins', () => {
  async function ready(options: ConstructorParameters<typeof RawHost>[0] = { board: 'uno' }) {
    const h = host(options);
    await h.take(announce([2, 5]).length);
    return h;
  }

  it('digital port writes set only output pins, and each change is an event', async () => {
    const h = await ready();
    h.write(0xf4, 12, PinMode.INPUT);
    const changes: Array<[number, number]> = [];
    h.board.on('pin', (state) => changes.push([state.pin, state.value]));
    // Port 1 = pins 8..15: set 8, 12 and 13. Pin 12 is an input, so its bit turns on the pull-up.
    h.write(0x91, 0b0110001, 0);
    expect(h.board.pinState(8)).toEqual({ pin: 8, mode: PinMode.OUTPUT, value: 1 });
    expect(h.board.pinState(13)).toEqual({ pin: 13, mode: PinMode.OUTPUT, value: 1 });
    expect(h.board.pinState(12)).toEqual({ pin: 12, mode: PinMode.INPUT, value: 1 });
    expect(h.board.readDigital(12)).toBe(1);
    expect(changes).toEqual([[8, 1], [12, 1], [13, 1]]);
    h.write(0xf5, 13, 0);
    expect(h.board.pinState(13).value).toBe(0);
  });

  it('PWM and servo writes, SERVO_CONFIG and EXTENDED_ANALOG', async () => {
    const h = await ready();
    h.write(0xf4, 9, PinMode.PWM);
    h.write(0xe9, 200 & 0x7f, 200 >> 7);
    expect(h.board.pinState(9)).toEqual({ pin: 9, mode: PinMode.PWM, value: 200 });
    h.write(0xf0, 0x70, 10, 544 & 0x7f, 544 >> 7, 2400 & 0x7f, 2400 >> 7, 0xf7);
    expect(h.board.servoRange(10)).toEqual({ minPulse: 544, maxPulse: 2400 });
    expect(h.board.pinState(10).mode).toBe(PinMode.SERVO);
    h.write(0xf0, 0x6f, 10, 90, 0, 0xf7);
    expect(h.board.pinState(10).value).toBe(90);
    // An analog write to a digital output changes nothing.
    const ignored: string[] = [];
    h.board.on('ignored', (reason) => ignored.push(reason));
    h.write(0xe8, 1, 0);
    expect(h.board.pinState(8).value).toBe(0);
    expect(ignored).toHaveLength(1);
  });

  it('answers PIN_STATE_QUERY with mode and state', async () => {
    const h = await ready();
    h.write(0xf4, 5, PinMode.PWM, 0xe5, 300 & 0x7f, 300 >> 7);
    h.write(0xf0, 0x6d, 5, 0xf7);
    expect(await h.take(7)).toEqual([0xf0, 0x6e, 5, PinMode.PWM, 300 & 0x7f, 300 >> 7, 0xf7]);
  });

  it('refuses a mode the pin does not have with the firmware\'s own string', async () => {
    const h = await ready();
    h.write(0xf4, 13, PinMode.PWM);
    const expected = [0xf0, 0x71, ...text7('Unknown pin mode'), 0xf7];
    expect(await h.take(expected.length)).toEqual(expected);
    expect(h.board.pinState(13).mode).toBe(PinMode.OUTPUT);
  });
});

describe('reporting', () => {
  it('analog: a value at once, then one per sampling interval; setting another mode stops it', async () => {
    const h = host({ board: 'uno' });
    await h.take(announce([2, 5]).length);
    h.board.setVoltage('A2', 2.5);
    h.write(0xf0, 0x7a, 5, 0, 0xf7); // 5 ms
    expect(h.board.samplingInterval).toBe(5);
    h.write(0xc2, 1);
    expect(await h.take(3)).toEqual([0xe2, 512 & 0x7f, 512 >> 7]);
    const started = Date.now();
    await h.take(3 * 10);
    const elapsed = Date.now() - started;
    // Ten samples at 5 ms: at least ~45 ms apart on any machine, and well under a second.
    expect(elapsed).toBeGreaterThanOrEqual(40);
    h.write(0xf4, 16, PinMode.OUTPUT);
    await h.settle(20);
    h.received.length = 0;
    await h.settle(30);
    expect(h.received).toEqual([]);
  });

  it('a sampling interval under the minimum becomes 1 ms', async () => {
    const h = host({ board: 'uno' });
    h.write(0xf0, 0x7a, 0, 0, 0xf7);
    await h.take(announce([2, 5]).length);
    h.write(0xf0, 0x7a, 0, 0, 0xf7);
    expect(h.board.samplingInterval).toBe(1);
  });

  it('digital: the port at once, then on every change of an input pin', async () => {
    const h = host({ board: 'uno' });
    await h.take(announce([2, 5]).length);
    h.write(0xf4, 2, PinMode.PULLUP, 0xf4, 3, PinMode.INPUT);
    h.write(0xd0, 1);
    expect(await h.take(3)).toEqual([0x90, 0b100, 0]); // pin 2 pulled up, pin 3 low
    h.board.press(2); // to ground
    expect(await h.take(3)).toEqual([0x90, 0, 0]);
    h.board.press(3); // to 5 V
    expect(await h.take(3)).toEqual([0x90, 0b1000, 0]);
    h.board.press(3); // no change, no message
    await h.settle();
    expect(h.received).toEqual([]);
  });
});

describe('malformed and truncated input from the host', () => {
  async function ready() {
    const h = host({ board: 'uno' });
    await h.take(announce([2, 5]).length);
    return h;
  }

  it('a known command abandons an unfinished one', async () => {
    const h = await ready();
    h.write(0x91, 0x01); // missing its second data byte
    h.write(0xf5, 13, 1);
    expect(h.board.pinState(8).value).toBe(0);
    expect(h.board.pinState(13).value).toBe(1);
  });

  it('an unknown status byte leaves an unfinished message waiting, as the firmware\'s parser does', async () => {
    const h = await ready();
    h.write(0xf5, 13, 0xa5, 1);
    expect(h.board.pinState(13).value).toBe(1);
  });

  it('stray data bytes, an empty sysex, an unknown sysex and a lone END_SYSEX change nothing', async () => {
    const h = await ready();
    const before = Array.from({ length: 20 }, (_, pin) => h.board.pinState(pin));
    h.write(0x01, 0x7f, 0xf7, 0xf0, 0xf7, 0xf0, 0x01, 0x02, 0xf7, 0xe0);
    expect(Array.from({ length: 20 }, (_, pin) => h.board.pinState(pin))).toEqual(before);
    h.write(0xf9);
    expect(await h.take(3)).toEqual([0xf9, 2, 5]);
  });

  it('a sysex longer than the firmware\'s 64-byte buffer is truncated, not overflowed', async () => {
    const h = await ready();
    h.write(0xf0, 0x71, ...new Array<number>(200).fill(0x41), 0xf7);
    h.write(0xf9);
    expect(await h.take(3)).toEqual([0xf9, 2, 5]);
  });

  it('writes to pins that do not exist are ignored', async () => {
    const h = await ready();
    h.write(0xf4, 100, PinMode.OUTPUT, 0xf5, 100, 1, 0x9f, 0x7f, 0x01);
    h.write(0xf9);
    expect(await h.take(3)).toEqual([0xf9, 2, 5]);
  });

  it('SYSTEM_RESET returns every pin to its power-on mode and stops reporting', async () => {
    const h = await ready();
    h.write(0xf4, 9, PinMode.PWM, 0xe9, 100, 0, 0xc0, 1);
    await h.take(3);
    h.write(0xff);
    expect(h.board.pinState(9)).toEqual({ pin: 9, mode: PinMode.OUTPUT, value: 0 });
    await h.settle(30);
    h.received.length = 0;
    await h.settle(30);
    expect(h.received).toEqual([]);
  });
});

describe('PING_READ (PingFirmata)', () => {
  const pingRead = (pin: number) => [0xf0, 0x75, pin, 1, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0, 0x3d, 0, 0x12, 0, 0x40, 0, 0xf7];

  it('answers with the echo time of the distance set on the pin', async () => {
    const h = host({ board: 'uno', firmware: { ping: true } });
    await h.take(announce([2, 5], 'PingFirmata.ino').length);
    h.board.setEchoDistance(7, 20);
    h.write(...pingRead(7));
    const reply = await h.take(12);
    expect(reply.slice(0, 4)).toEqual([0xf0, 0x75, 7, 0]);
    const bytes = [0, 1, 2, 3].map((i) => reply[4 + 2 * i]! | (reply[5 + 2 * i]! << 7));
    expect((bytes[0]! << 24) + (bytes[1]! << 16) + (bytes[2]! << 8) + bytes[3]!).toBe(Math.round(20 * 58.2));
  });

  it('is not understood by plain StandardFirmata', async () => {
    const h = host({ board: 'uno' });
    await h.take(announce([2, 5]).length);
    h.write(...pingRead(7));
    await h.settle(20);
    expect(h.received).toEqual([]);
  });
});

function splitCapabilities(bytes: number[]): number[][][] {
  const pins: number[][][] = [];
  let current: number[][] = [];
  for (let i = 0; i < bytes.length && bytes[i] !== 0xf7; ) {
    if (bytes[i] === 0x7f) {
      pins.push(current);
      current = [];
      i++;
    } else {
      current.push([bytes[i]!, bytes[i + 1]!]);
      i += 2;
    }
  }
  return pins;
}
