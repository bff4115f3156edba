import five from 'johnny-five';
import firmataIo from 'firmata-io';
import { SerialPortStream } from '@serialport/stream';
import type { BindingInterface } from '@serialport/bindings-interface';

const { Firmata } = firmataIo;

export interface J5Board {
  board: five.Board;
  io: InstanceType<typeof Firmata>;
  port: SerialPortStream;
  close(): Promise<void>;
}

/**
 * A Johnny-Five board over firmata-io and serialport@13, exactly as the agent opens a kit:
 * serialport's stream class (what `SerialPort` is, with the native binding chosen for you), given
 * the simulator's binding instead.
 */
export async function openBoard(path: string, binding: BindingInterface, options: { samplingInterval?: number } = {}): Promise<J5Board> {
  const port = new SerialPortStream({ path, baudRate: 57_600, binding, autoOpen: true });
  const io = new Firmata(port, { reportVersionTimeout: 1000, ...options });
  const board = new five.Board({ io, repl: false, debug: false, sigint: false, timeout: 10_000 } as five.BoardOption);
  await new Promise<void>((resolve, reject) => {
    const fail = (err: unknown) => reject(err instanceof Error ? err : new Error(String(err)));
    board.on('ready', () => resolve());
    board.on('error', fail);
    // A port that cannot open reaches firmata-io as an 'error' event; without a listener it would throw.
    io.on('error', fail);
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
