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
  /** Resolve once everything written so far has left for the board (the stop before a close). */
  flush(): Promise<void>;
  /** Close the port (idempotent); resolves when it is closed. */
  close(): Promise<void>;
}

/**
 * Open a kit's port and wait until its firmware answers, through firmata-io and serialport@13
 * (real ports and simulated ones alike). Johnny-Five must not install its own SIGINT handler,
 * which would exit the process before the agent stops the motors.
 */
export async function openBoard(
  path: string,
  binding: BindingInterface,
  readyTimeoutMs: number,
  onError: (err: Error) => void,
): Promise<BoardConnection> {
  const port = new SerialPortStream({ path, baudRate: 57_600, binding, autoOpen: false });
  await new Promise<void>((resolve, reject) =>
    port.open((err) => (err ? reject(new AgentError('BOARD_NOT_FOUND', `could not open ${path}: ${err.message}; is the kit plugged in?`)) : resolve())),
  );
  const io = new firmataIo.Firmata(port, { reportVersionTimeout: Math.min(3000, readyTimeoutMs / 2) });
  let close = () =>
    new Promise<void>((resolve) => {
      if (!port.isOpen) return resolve();
      port.close(() => resolve());
    });
  // firmata-io re-emits port errors; without a listener they would be thrown.
  port.on('error', onError);
  io.on('error', onError);
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
  // A board whose port opened without a reset (no DTR: a pty, some USB adapters, a board left
  // running by a previous agent) still drives what it was told before: start from the
  // firmware's power-on state before any component is built.
  io.reset();
  const board = new five.Board({ io, repl: false, debug: false, sigint: false } as five.BoardOption);
  // Johnny-Five re-emits the port's errors on the board, where an unheard 'error' would throw.
  board.on('error', onError);
  await new Promise<void>((resolve) => board.on('ready', () => resolve()));
  const closePort = close;
  close = async () => {
    // Johnny-Five keeps every board it ever made in a module-wide list; a kit that reconnects
    // all day would pile them up with their ports and buffers.
    const cache = (five.Board as unknown as { cache: unknown[] }).cache;
    const index = cache.indexOf(board);
    if (index >= 0) cache.splice(index, 1);
    await closePort();
  };
  const flush = () =>
    new Promise<void>((resolve) => {
      if (!port.isOpen) return resolve();
      // SerialPortStream.drain() waits for the binding only; writes still queued in the stream
      // come first, and an empty write's callback runs after all of them.
      port.write(Buffer.alloc(0), () => port.drain(() => resolve()));
    });
  return { port, io, board, flush, close };
}
