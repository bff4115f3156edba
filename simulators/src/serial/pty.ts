import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { existsSync } from 'node:fs';
import { SimulatedBoard, type SimulatedBoardOptions } from '../firmata/device.ts';
import { WireLine } from './wire.ts';

export interface PtyBoardOptions extends SimulatedBoardOptions {
  /** Where the pseudo-terminal appears, e.g. /tmp/ttyUNO0 (a symlink to /dev/pts/N). */
  path: string;
  /** Hold the link to 57,600 baud, as a real board's USB-serial chip does. */
  wireRate?: boolean;
}

interface PtyBoardEvents {
  /** The program that had the pty open closed it, and a fresh board now waits at the path. */
  close: [];
  error: [err: Error];
}

/** Whether Debian's socat is installed, which PtyBoard needs. */
export function socatAvailable(): boolean {
  return spawnSync('socat', ['-V'], { stdio: 'ignore' }).status === 0;
}

/**
 * A simulated board on a real pseudo-terminal, so any Firmata program (the agent over the
 * native serial binding, Node-RED's Arduino nodes, a serial monitor) opens it like a board on USB.
 *
 * socat owns the pty. With `wait-slave` it holds its data until a program opens the pty, so the
 * announcement written at each start reaches that program first, as after a real board's reset
 * on DTR; when the program closes the pty socat exits and a fresh one (a fresh board) takes its
 * place.
 */
export class PtyBoard extends EventEmitter<PtyBoardEvents> {
  readonly board: SimulatedBoard;
  private socat: ChildProcess | undefined;
  private stopping = false;
  private toHost: WireLine | undefined;

  constructor(private readonly options: PtyBoardOptions) {
    super();
    this.board = new SimulatedBoard(options);
  }

  get path(): string {
    return this.options.path;
  }

  /** Resolves once the pty exists at `path`. */
  async start(): Promise<void> {
    if (!socatAvailable()) throw new Error('socat is not installed: apt-get install socat');
    this.stopping = false;
    await this.spawn();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.board.powerOff();
    this.toHost?.cut();
    const socat = this.socat;
    this.socat = undefined;
    if (socat && socat.exitCode === null) {
      const exited = new Promise((resolve) => socat.once('exit', resolve));
      socat.kill('SIGTERM');
      await exited;
    }
  }

  private async spawn(): Promise<void> {
    const socat = spawn('socat', ['-b', '4096', `PTY,link=${this.options.path},raw,echo=0,wait-slave`, 'STDIO'], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.socat = socat;
    const baud = this.options.wireRate ? 57_600 : undefined;
    const toHost = new WireLine((bytes) => socat.stdin.write(bytes), baud);
    const toBoard = new WireLine((bytes) => this.board.receive(bytes), baud);
    this.toHost = toHost;
    socat.stdin.on('error', () => undefined); // socat gone: the exit handler restarts it
    socat.stdout.on('data', (chunk: Buffer) => toBoard.send(chunk));
    socat.once('exit', () => {
      toHost.cut();
      toBoard.cut();
      if (this.socat !== socat || this.stopping) return;
      this.board.powerOff();
      this.spawn().then(
        () => this.emit('close'),
        (err: Error) => this.emit('error', err),
      );
    });
    // The board boots now; what it sends waits in socat's pipe until a program opens the pty.
    this.board.connect({ send: (bytes) => toHost.send(bytes), backlog: () => toHost.backlog() });
    await waitFor(() => existsSync(this.options.path) || socat.exitCode !== null, 5000);
    if (socat.exitCode !== null) throw new Error(`socat could not create the pty at ${this.options.path}`);
  }
}

async function waitFor(test: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!test()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
