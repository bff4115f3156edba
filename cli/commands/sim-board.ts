import { z } from 'zod';
import { boardKinds } from '@stemlab/protocol';
import { PtyBoard } from '@stemlab/simulators';
import type { Command } from '../main.ts';
import { parseCommand, untilStopped } from '../args.ts';

const help = `Usage: stemlab sim board --board uno|mega --pty PATH [--ping] [--firmware 2.4|2.5] [--wire-rate]

A simulated Arduino running StandardFirmata on a pseudo-terminal at PATH (needs socat), so any
Firmata program opens it like a board on USB: the agent, Node-RED's Arduino nodes, a serial monitor.
Each program that opens it finds a freshly reset board, as a real Uno resets when its port opens.

  --board       uno or mega (default uno)
  --pty         where the pty appears, e.g. /tmp/ttyUNO0
  --ping        run PingFirmata (adds PING_READ for HC-SR04 ultrasonic sensors)
  --firmware    the Firmata version it announces (2.5 has INPUT_PULLUP; default 2.5)
  --wire-rate   hold the link to 57,600 baud like a real board
  --duration    stop after this many seconds (default: until Ctrl-C)`;

const Options = z.object({
  board: z.enum(boardKinds, { message: `expected one of ${boardKinds.join(', ')}` }).default('uno'),
  pty: z.string({ message: 'required: where the pseudo-terminal should appear, e.g. /tmp/ttyUNO0' }).min(1),
  ping: z.boolean().default(false),
  firmware: z.enum(['2.3', '2.4', '2.5'], { message: 'expected 2.3, 2.4 or 2.5' }).default('2.5'),
  'wire-rate': z.boolean().default(false),
  duration: z.string().regex(/^\d+(\.\d+)?$/, 'expected a number of seconds').transform(Number).optional(),
});

export const simBoard: Command = {
  summary: 'a simulated Arduino on a pseudo-terminal',
  async run(argv) {
    if (argv.includes('--help') || argv.includes('-h')) {
      console.log(help);
      return 0;
    }
    const { values } = parseCommand('sim board', argv, {
      board: { type: 'string' },
      pty: { type: 'string' },
      ping: { type: 'boolean' },
      firmware: { type: 'string' },
      'wire-rate': { type: 'boolean' },
      duration: { type: 'string' },
    }, Options);
    const [major, minor] = values.firmware.split('.').map(Number) as [number, number];
    const pty = new PtyBoard({
      board: values.board,
      path: values.pty,
      firmware: { version: [major, minor], ping: values.ping },
      wireRate: values['wire-rate'],
    });
    pty.board.on('pin', (state) => console.log(`pin ${state.pin}: mode 0x${state.mode.toString(16)} value ${state.value}`));
    pty.on('close', () => console.log('the program closed the port; a freshly reset board waits'));
    pty.on('error', (err) => console.error(`sim board: ${err.message}`));
    await pty.start();
    console.log(`simulated ${pty.board.profile.title} (${values.ping ? 'PingFirmata' : 'StandardFirmata'} ${values.firmware}) on ${values.pty}`);
    const why = await untilStopped(values.duration);
    await pty.stop();
    console.log(`stopped (${why})`);
    return 0;
  },
};
