import five from 'johnny-five';
import firmataIo from 'firmata-io';
import { SerialPort } from 'serialport';
import type { BindingInterface } from '@serialport/bindings-interface';

const { Firmata } = firmataIo as unknown as { Firmata: new (port: unknown, options?: object) => FirmataIo };

export interface FirmataIo {
  isReady: boolean;
  transport: SerialPort;
  pins: Array<{ supportedModes: number[]; analogChannel: number; mode?: number; value?: number }>;
  analogPins: number[];
  firmware: { name: string; version: { major: number; minor: number } };
  on(event: string, listener: (...args: unknown[]) => void): void;
}

export interface J5Board {
  board: five.Board;
  io: FirmataIo;
  port: SerialPort;
  close(): Promise<void>;
}

/**
 * A Johnny-Five board over firmata-io and serialport@13, exactly as the agent opens a kit:
 * the same SerialPort class, given the simulator's binding instead of the native one.
 */
export async function openBoard(path: string, binding: BindingInterface, options: { samplingInterval?: number } = {}): Promise<J5Board> {
  const port = new SerialPort({ path, baudRate: 57_600, binding, autoOpen: true });
  const io = new Firmata(port, { reportVersionTimeout: 1000, ...options });
  const board = new five.Board({ io, repl: false, debug: false, timeout: 10_000 });
  await new Promise<void>((resolve, reject) => {
    board.once('ready', () => resolve());
    board.once('error', (err: unknown) => reject(err instanceof Error ? err : new Error(String(err))));
  });
  return {
    board,
    io,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        if (!port.isOpen) return resolve();
        port.close(() => resolve());
      }),
  };
}
