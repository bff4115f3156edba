import firmataIo from 'firmata-io';
import { SerialPortStream } from '@serialport/stream';
import { BoardSimulator } from '../src/index.ts';
import { latencyResults, round, type BenchResult, type BenchSuite } from '../../bench/types.ts';

const { Firmata } = firmataIo;
type Io = InstanceType<typeof Firmata>;

/**
 * The simulated board through the whole host stack (firmata-io → serialport → our binding):
 * how long a write takes to change a pin, and how many analog samples a second reach the host,
 * with the link free and held to a real board's 57,600 baud.
 */
export const emulatorSuite: BenchSuite = {
  name: 'emulator',
  title: 'Simulated Arduino (StandardFirmata) through firmata-io and serialport',
  async run() {
    const results: BenchResult[] = [];
    for (const wireRate of [false, true]) {
      const label = wireRate ? '57600 baud' : 'free link';
      results.push(...(await roundTrip(wireRate, label)));
      // 19 ms is firmata-io's default, 10 ms the least it will ask for, 1 ms the firmware's minimum.
      for (const interval of [19, 10, 1]) results.push(await sampleRate(wireRate, interval, label));
    }
    return results;
  },
};

async function connect(wireRate: boolean): Promise<{ sim: BoardSimulator; io: Io; close: () => Promise<void> }> {
  const sim = new BoardSimulator();
  const port = sim.add({ name: 'bench', board: 'uno', wireRate });
  const transport = new SerialPortStream({ path: port.path, baudRate: 57_600, binding: sim.binding });
  const io = new Firmata(transport, { reportVersionTimeout: 1000 });
  await new Promise<void>((resolve) => io.once('ready', () => resolve()));
  return {
    sim,
    io,
    close: () =>
      new Promise<void>((resolve) => {
        transport.close(() => {
          sim.close();
          resolve();
        });
      }),
  };
}

async function roundTrip(wireRate: boolean, label: string): Promise<BenchResult[]> {
  const { sim, io, close } = await connect(wireRate);
  const board = sim.board('bench');
  io.pinMode(13, io.MODES.OUTPUT!);
  const samples: number[] = [];
  for (let i = 0; i < 1000; i++) {
    const value = i % 2 === 0 ? 1 : 0;
    const changed = new Promise<void>((resolve) => {
      const listener = (state: { pin: number; value: number }) => {
        if (state.pin !== 13 || state.value !== value) return;
        board.off('pin', listener);
        resolve();
      };
      board.on('pin', listener);
    });
    const t0 = performance.now();
    io.digitalWrite(13, value);
    await changed;
    samples.push(performance.now() - t0);
  }
  await close();
  return latencyResults(`emulator round trip, host write → pin change (${label})`, samples);
}

async function sampleRate(wireRate: boolean, intervalMs: number, label: string): Promise<BenchResult> {
  const { io, close } = await connect(wireRate);
  // firmata-io clamps to 10 ms; the firmware itself accepts 1 ms, so speak the sysex directly.
  (io.transport as SerialPortStream).write(Buffer.from([0xf0, 0x7a, intervalMs & 0x7f, intervalMs >> 7, 0xf7]));
  let samples = 0;
  const channels = 6;
  for (let channel = 0; channel < channels; channel++) {
    (io as unknown as { reportAnalogPin(pin: number, on: 0 | 1): void }).reportAnalogPin(channel, 1);
    io.on(`analog-read-${channel}`, () => samples++);
  }
  await new Promise((r) => setTimeout(r, 300)); // settle
  const start = samples;
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, 2000));
  const perSecond = ((samples - start) * 1000) / (performance.now() - t0) / channels;
  await close();
  return {
    name: `emulator analog samples per channel, 6 channels at ${intervalMs} ms interval (${label})`,
    value: round(perSecond, 1),
    unit: 'samples/s',
  };
}
