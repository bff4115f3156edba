import { afterEach, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import five from 'johnny-five';
import { SerialPort } from 'serialport';
import { PtyBoard, socatAvailable } from '../src/index.ts';
import { assertAvailable, shouldRun } from '../../testing/requirements.ts';
import { openBoard } from './helpers/johnny-five.ts';
import { pinChange } from './helpers/wait.ts';

// `stemlab sim board --pty PATH`: the simulated board on a real pseudo-terminal, opened through
// serialport's native binding like a board on USB.

const socat = { ok: socatAvailable(), reason: 'socat is not installed: apt-get install socat' };
const run = shouldRun('simulated board on a pty', socat);

const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

async function ptyBoard(options: { firmware?: { ping: boolean } } = {}): Promise<PtyBoard> {
  assertAvailable('socat', socat);
  const dir = mkdtempSync(join(tmpdir(), 'stemlab-pty-'));
  const board = new PtyBoard({ board: 'uno', path: join(dir, 'ttyUNO'), ...options });
  await board.start();
  cleanup.push(async () => {
    await board.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  return board;
}

describe.runIf(run)('a simulated board on a pseudo-terminal', () => {
  it('Johnny-Five reaches ready through the native serial binding, and again after the port is reopened', async () => {
    const pty = await ptyBoard();
    expect(existsSync(pty.path)).toBe(true);
    const binding = SerialPort.binding;
    for (const pin of [13, 12]) {
      const host = await openBoard(pty.path, binding);
      new five.Led({ pin, board: host.board }).on();
      await pinChange(pty.board, pin, (s) => s.value === 1);
      await host.close();
      // A fresh board for the next program, as a real Uno resets when its port opens.
      await new Promise<void>((resolve) => pty.once('close', resolve));
    }
  });
});
