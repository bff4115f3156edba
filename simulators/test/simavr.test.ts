// The REAL StandardFirmata firmware (avrgirl-arduino@5.0.1 hex files) on simavr,
// reached through the real `serialport` native binding on the bridge's pty.
// Skipped when simavr is not installed, unless STEMLAB_REQUIRE_SERVICES=1.
import { describe, it, expect } from 'vitest';
import { existsSync } from 'node:fs';
import { once } from 'node:events';
import { SerialPort } from 'serialport';
import { createRequire } from 'node:module';
import five from 'johnny-five';
import { SimavrBoard, SIMAVR_INSTALL_HINT, type SimavrPinEvent } from '../src/simavr/bridge.ts';
import { loadReference } from './helpers/reference.ts';

// firmata-io ships no type declarations: take it through require with the one type used here
const firmataIo = createRequire(import.meta.url)('firmata-io') as {
  Firmata: new (port: SerialPort, options?: { reportVersionTimeout?: number }) => object;
};

const availability = SimavrBoard.available();
const required = process.env.STEMLAB_REQUIRE_SERVICES === '1';
const run = availability.ok || required;
const why = `${availability.reason ?? ''}`.includes(SIMAVR_INSTALL_HINT)
  ? `${availability.reason}`
  : `${availability.reason}; enable with: ${SIMAVR_INSTALL_HINT}`;
if (!run) console.warn(`simavr tests skipped: ${why}`);

function requireSimavr(): void {
  if (!availability.ok) throw new Error(`STEMLAB_REQUIRE_SERVICES=1 but simavr is unavailable: ${why}`);
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function until(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(5);
  }
}

async function openPort(path: string): Promise<SerialPort> {
  const port = new SerialPort({ path, baudRate: 57600, autoOpen: false });
  await new Promise<void>((resolve, reject) => port.open((e) => (e ? reject(e) : resolve())));
  return port;
}

async function closePort(port: SerialPort): Promise<void> {
  if (!port.isOpen) return;
  await new Promise<void>((resolve) => port.close(() => resolve()));
}

/** Collects every byte the port receives; `clear()` starts over. */
function collector(port: SerialPort): { bytes: number[]; clear: () => void } {
  const c = { bytes: [] as number[], clear: () => void c.bytes.splice(0) };
  port.on('data', (d: Buffer) => c.bytes.push(...d));
  return c;
}

const hex = (b: number[]): string => Buffer.from(b).toString('hex').replace(/(..)/g, '$1 ').trim();

/** reset, then CAPABILITY_QUERY and ANALOG_MAPPING_QUERY: byte-exact against the reference. */
async function checkReferenceBytes(boardName: 'uno' | 'mega'): Promise<void> {
  requireSimavr();
  const ref = loadReference(boardName);
  const sim = new SimavrBoard({ board: boardName });
  const path = await sim.start();
  const port = await openPort(path);
  try {
    const rx = collector(port);
    // a pty has no DTR: opening it resets nothing, so reset the chip by hand
    const acked = once(sim, 'reset');
    sim.reset();
    await acked;
    rx.clear();
    // REPORT_VERSION + REPORT_FIRMWARE after the boot blink (~1.75 s simulated)
    await until(() => rx.bytes.length >= ref.reset.length, 15_000, 'the boot announcement');
    await sleep(100); // nothing more may follow
    expect(hex(rx.bytes)).toBe(hex(ref.reset));

    rx.clear();
    port.write(Buffer.from([0xf0, 0x6b, 0xf7]));
    await until(() => rx.bytes.length >= ref.capability.length, 10_000, 'CAPABILITY_RESPONSE');
    await sleep(50);
    expect(hex(rx.bytes)).toBe(hex(ref.capability));

    rx.clear();
    port.write(Buffer.from([0xf0, 0x69, 0xf7]));
    await until(() => rx.bytes.length >= ref.analogMapping.length, 10_000, 'ANALOG_MAPPING_RESPONSE');
    await sleep(50);
    expect(hex(rx.bytes)).toBe(hex(ref.analogMapping));
  } finally {
    await closePort(port);
    await sim.stop();
  }
  // stop() is an unplug: the serial device is gone
  expect(existsSync(path)).toBe(false);
}

if (run) describe('StandardFirmata on simavr (real firmware, native serialport)', () => {
  it('uno (StandardFirmata 2.4): reset announcement, capability and analog mapping match the reference', async () => {
    await checkReferenceBytes('uno');
  }, 30_000);

  it('mega (StandardFirmata 2.3): reset announcement, capability and analog mapping match the reference', async () => {
    await checkReferenceBytes('mega');
  }, 30_000);

  it('Johnny-Five 2.1.0 gets ready, blinks pin 13, reads A0, writes PWM and sees a button on the real uno firmware', async () => {
    requireSimavr();
    const sim = new SimavrBoard({ board: 'uno' });
    const t0 = Date.now();
    const path = await sim.start();
    const port = new SerialPort({ path, baudRate: 57600 });
    const io = new firmataIo.Firmata(port, { reportVersionTimeout: 200 });
    const board = new five.Board({ io, repl: false, debug: false, sigint: false, timeout: 30000 } as five.BoardOption);
    let led: InstanceType<typeof five.Led> | undefined;
    let sensor: InstanceType<typeof five.Sensor> | undefined;
    try {
      await new Promise<void>((resolve, reject) => {
        board.on('ready', () => resolve());
        board.on('error', (e: unknown) => reject(e instanceof Error ? e : new Error(String(e))));
      });
      const readyMs = Date.now() - t0;
      expect(readyMs).toBeLessThan(20_000);
      // the firmware's own boot blink (2 + 4 flashes for version 2.4) already came through
      expect(sim.pins.get(13)).toBe(0);

      const toggles: number[] = [];
      sim.on('pin', (e: SimavrPinEvent) => {
        if (e.pin === 13) toggles.push(e.value);
      });
      led = new five.Led(13);
      led.blink(100);
      await until(() => toggles.length >= 6, 10_000, 'pin 13 to toggle 6 times');
      led.stop();
      // a toggle is a change: values alternate
      for (let i = 1; i < toggles.length; i++) expect(toggles[i]).not.toBe(toggles[i - 1]);

      sensor = new five.Sensor({ pin: 'A0', freq: 25 });
      const s = sensor;
      sim.setVoltage(0, 1);
      await until(() => Math.abs(s.value - 205) <= 3, 10_000, 'A0 ~205 at 1 V');
      sim.setVoltage(0, 2.5);
      await until(() => Math.abs(s.value - 512) <= 3, 10_000, 'A0 ~512 at 2.5 V');
      expect(s.value).toBeGreaterThanOrEqual(509);
      expect(s.value).toBeLessThanOrEqual(515);

      // analogWrite reaches the timer's compare register
      const pwmLed = new five.Led(9);
      pwmLed.brightness(100);
      await until(() => sim.pwm.get(9) === 100, 10_000, 'pwm 9 = 100');

      // a level driven from outside reaches the firmware's digital input report
      const button = new five.Button(2);
      let pressed = false;
      button.on('press', () => (pressed = true));
      await sleep(100); // let the pin mode and reporting settle
      sim.setDigitalInput(2, 1);
      await until(() => pressed, 10_000, 'a button press on pin 2');

      const stats = await sim.stats();
      console.info(
        `simavr uno: J5 ready after ${readyMs} ms, real-time factor ${(stats.simMs / stats.wallMs).toFixed(2)}`,
      );
    } finally {
      led?.stop();
      (sensor as unknown as { disable?: () => void } | undefined)?.disable?.();
      await closePort(port);
      await sim.stop();
    }
  }, 30_000);
});

else describe('StandardFirmata on simavr', () => {
  it.skip(`needs simavr: ${SIMAVR_INSTALL_HINT} (${availability.reason})`, () => {});
});
