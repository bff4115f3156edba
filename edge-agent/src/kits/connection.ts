import five from 'johnny-five';
import firmataIo, { type Firmata } from 'firmata-io';
import { SerialPortStream } from '@serialport/stream';
import type { BindingInterface } from '@serialport/bindings-interface';
import { AgentError } from '../core/errors.ts';

/** One open board: the serial port, Firmata over it, and a Johnny-Five board on top. */
export interface BoardConnection {
  port: SerialPortStream;
  io: Firmata;
  board: five.Board;
  /** Close the port (idempotent); resolves when it is closed. */
  close(): Promise<void>;
}

/**
 * Open a kit's port and wait until its firmware answers, through firmata-io and serialport@13
 * (real ports and simulated ones alike). Johnny-Five must not install its own SIGINT handler,
 * which would exit the process before the agent stops the motors.
 */
export async function openBoard(path: string, binding: BindingInterface, readyTimeoutMs: number): Promise<BoardConnection> {
  const port = new SerialPortStream({ path, baudRate: 57_600, binding, autoOpen: false });
  await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
  const io = new firmataIo.Firmata(port, { reportVersionTimeout: Math.min(3000, readyTimeoutMs / 2) });
  const close = () =>
    new Promise<void>((resolve) => {
      if (!port.isOpen) return resolve();
      port.close(() => resolve());
    });
  // firmata-io re-emits port errors; without a listener they would be thrown.
  io.on('error', () => undefined);
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new AgentError('BOARD_NO_FIRMATA', `${path}: no Firmata answer within ${readyTimeoutMs} ms; upload StandardFirmata (or PingFirmata) to the board`)),
        readyTimeoutMs,
      );
      io.once('ready', () => {
        clearTimeout(timer);
        resolve();
      });
      port.once('close', () => {
        clearTimeout(timer);
        reject(new AgentError('BOARD_NOT_FOUND', `${path}: the port closed before the board answered`));
      });
    });
  } catch (err) {
    await close();
    throw err;
  }
  const board = new five.Board({ io, repl: false, debug: false, sigint: false } as five.BoardOption);
  await new Promise<void>((resolve) => board.on('ready', () => resolve()));
  return { port, io, board, close };
}
