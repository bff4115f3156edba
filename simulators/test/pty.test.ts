import { afterEach, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
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
      // A fresh board for the next program, as a real Uno resets when its port opens. Listen
      // before closing: the pty may report the close while host.close() is still settling.
      const closed = new Promise<void>((resolve) => pty.once('close', resolve));
      await host.close();
      await closed;
    }
  });

  it('gives each of six programs, run one after another in their own processes, a freshly reset board that reaches ready', async () => {
    const pty = await ptyBoard();
    const program = new URL('./fixtures/johnny-five-ready.mjs', import.meta.url).pathname;
    let lit = 0;
    pty.board.on('pin', (state) => state.pin === 13 && state.value === 1 && lit++);
    for (let run = 1; run <= 6; run++) {
      // The previous program's LED goes off with its session: the board is reset.
      await expect.poll(() => pty.board.pinState(13).value, { message: `run ${run}: pin 13 before the program` }).toBe(0);
      const { code, out } = await new Promise<{ code: number | null; out: string }>((resolve) => {
        const child = spawn(process.execPath, [program, pty.path]);
        let out = '';
        child.stdout.on('data', (d: Buffer) => (out += d.toString()));
        child.stderr.on('data', (d: Buffer) => (out += d.toString()));
        child.on('exit', (c) => resolve({ code: c, out }));
      });
      expect(out, `run ${run}`).toMatch(/^ready: firmware StandardFirmata/m);
      expect(code, `run ${run}: ${out}`).toBe(0);
      // The program's LED write went through before it closed the port (it drains first).
      await expect.poll(() => lit, { message: `run ${run}: pin 13 lit` }).toBe(run);
    }
  });

  it('a program that closes the port and opens it again 100 ms later finds a fresh board', async () => {
    const pty = await ptyBoard();
    const first = await openBoard(pty.path, SerialPort.binding);
    new five.Led({ pin: 13, board: first.board }).on();
    await pinChange(pty.board, 13, (s) => s.value === 1);
    await first.close();
    // No waiting for the board's 'close' event: back in after 100 ms, as a program's reconnect
    // does (the fresh board is at the path a few ms after the close; a real Uno takes longer to boot).
    await new Promise((resolve) => setTimeout(resolve, 100));
    const second = await openBoard(pty.path, SerialPort.binding);
    cleanup.push(() => second.close());
    expect(pty.board.pinState(13).value).toBe(0);
    new five.Led({ pin: 12, board: second.board }).on();
    await pinChange(pty.board, 12, (s) => s.value === 1);
  });
});
