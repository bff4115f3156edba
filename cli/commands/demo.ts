import { z } from 'zod';
import five from 'johnny-five';
import firmataIo from 'firmata-io';
import { SerialPortStream } from '@serialport/stream';
import { BoardSimulator, type PinState } from '@stemlab/simulators';
import type { Command } from '../main.ts';
import { numberFlag, parseCommand, untilStopped } from '../args.ts';

const help = `Usage: stemlab demo [--duration SECONDS]

Runs a simulated robot club on this machine: simulated Arduino kits running StandardFirmata,
driven through the real serialport → Firmata → Johnny-Five stack, and prints what their pins do.
Stops on Ctrl-C, or by itself after --duration seconds.`;

const Options = z.object({ duration: numberFlag('a number of seconds').optional() });

/** The robot of the demo: two motors, a servo head, an LED, a light sensor. */
const robots = ['robot-1', 'robot-2'];

export const demo: Command = {
  summary: 'run the simulated classroom',
  async run(argv) {
    if (argv.includes('--help') || argv.includes('-h')) {
      console.log(help);
      return 0;
    }
    const { values } = parseCommand('demo', argv, { duration: { type: 'string' } }, Options);
    const sim = new BoardSimulator();
    const closers: Array<() => Promise<void>> = [];
    console.log('STEMLab Edge demo: a simulated robot club');
    for (const [index, name] of robots.entries()) {
      const port = sim.add({ name, board: 'uno', firmware: { ping: true } });
      console.log(`  ${name}: simulated ${port.board.profile.title} (serial ${port.info.serialNumber}) on ${port.path}`);
      port.board.on('pin', (state) => console.log(`  ${name} ${describe(state)}`));
      const transport = new SerialPortStream({ path: port.path, baudRate: 57_600, binding: sim.binding });
      const io = new firmataIo.Firmata(transport, { reportVersionTimeout: 1000 });
      const board = new five.Board({ io, repl: false, debug: false, sigint: false } as five.BoardOption);
      await new Promise<void>((resolve) => board.on('ready', () => resolve()));
      console.log(`  ${name}: Johnny-Five ready (${io.firmware.name} ${io.firmware.version.major}.${io.firmware.version.minor})`);
      closers.push(() => new Promise<void>((resolve) => transport.close(() => resolve())));
      runLesson(board, index, (stop) => closers.unshift(stop));
      port.board.setVoltage(0, 1.5 + index);
    }
    console.log(`running${values.duration ? ` for ${values.duration} s` : ''}; Ctrl-C to stop`);
    const why = await untilStopped(values.duration);
    console.log(`stopping (${why})`);
    for (const close of closers) await close();
    sim.close();
    console.log('stopped');
    return 0;
  },
};

/** A tiny robot lesson: blink, drive forward and back, look around, report the light level. */
function runLesson(board: five.Board, index: number, onStop: (stop: () => Promise<void>) => void): void {
  const led = new five.Led({ pin: 13, board });
  const left = new five.Motor({ pins: { pwm: 5, dir: 4 }, board });
  const right = new five.Motor({ pins: { pwm: 6, dir: 7 }, board });
  const head = new five.Servo({ pin: 10, board, pwmRange: [600, 2400] } as five.ServoGeneralOption);
  const light = new five.Sensor({ pin: 'A0', freq: 1000, board });
  light.on('change', () => console.log(`  robot-${index + 1} light sensor A0: ${light.value}`));
  led.blink(500);
  let step = 0;
  const timer = setInterval(() => {
    step++;
    if (step % 2) {
      left.forward(150);
      right.forward(150);
    } else {
      left.reverse(100);
      right.reverse(100);
    }
    head.to(step % 2 ? 45 : 135);
  }, 1500);
  onStop(async () => {
    clearInterval(timer);
    led.stop().off();
    left.stop();
    right.stop();
    await new Promise((resolve) => setTimeout(resolve, 20));
  });
}

const modeNames: Record<number, string> = { 0: 'input', 1: 'output', 2: 'analog', 3: 'pwm', 4: 'servo', 0x0b: 'pullup' };

function describe(state: PinState): string {
  return `pin ${String(state.pin).padStart(2)} ${(modeNames[state.mode] ?? `mode ${state.mode}`).padEnd(6)} → ${state.value}`;
}
