import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { existsSync, renameSync, rmSync } from 'node:fs';
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

/** One socat: one pty, for one program's session with the board. */
interface Session {
  socat: ChildProcess;
  /** Where socat made its symlink; renamed to the board's path when the session is the board's. */
  link: string;
  toHost: WireLine | undefined;
  toBoard: WireLine | undefined;
  ended: boolean;
}

/**
 * A simulated board on a real pseudo-terminal, so any Firmata program (the agent over the
 * native serial binding, Node-RED's Arduino nodes, Johnny-Five, a serial monitor) opens it like a
 * board on USB — and, as a real Uno resets on DTR, every program that opens it finds a freshly
 * reset board that announces its firmware.
 *
 * A pty has no DTR, so each program gets its own pty: socat (`wait-slave`) holds the board's
 * announcement until a program opens the pty, and exits when that program closes it (the read
 * gives EIO). A spare socat always waits, its pty not yet at `path`; the moment the program's
 * pty closes (socat says so on stderr, before it exits) the spare's symlink is renamed over
 * `path` (atomic: a program opening the path finds the old session or the fresh one, never
 * nothing), the board is power-cycled onto it, and a new spare is started. A program may
 * therefore open the path again right after closing it.
 */
export class PtyBoard extends EventEmitter<PtyBoardEvents> {
  readonly board: SimulatedBoard;
  private current: Session | undefined;
  private spare: Promise<Session> | undefined;
  private stopping = false;
  private spawned = 0;

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
    this.activate(await this.spawnSession());
    this.spare = this.spawnSession();
    this.spare.catch(() => undefined); // reported when it is needed
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.board.powerOff();
    const sessions = [this.current, await this.spare?.catch(() => undefined)];
    this.current = undefined;
    this.spare = undefined;
    await Promise.all(sessions.filter((session) => session !== undefined).map(end));
    rmSync(this.options.path, { force: true });
  }

  /** Start a socat whose pty waits for a program, its symlink beside `path`. */
  private async spawnSession(): Promise<Session> {
    const link = `${this.options.path}.pty${process.pid}-${++this.spawned}`;
    // -d -d: socat says "Input/output error (probably PTY closed)" the moment the program closes
    // its end. pty-interval: how often it looks whether a program opened the pty (default 1 s).
    const socat = spawn('socat', ['-d', '-d', '-b', '4096', `PTY,link=${link},raw,echo=0,wait-slave,pty-interval=0.02`, 'STDIO'], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const session: Session = { socat, link, toHost: undefined, toBoard: undefined, ended: false };
    socat.stdin.on('error', () => undefined); // socat gone: its exit ends the session
    socat.stdout.on('data', (chunk: Buffer) => session.toBoard?.send(chunk));
    let log = '';
    socat.stderr.on('data', (chunk: Buffer) => {
      log = (log + chunk.toString()).slice(-2000);
      if (/Input\/output error|is at EOF/.test(log)) this.hostClosed(session);
    });
    socat.once('exit', () => {
      session.ended = true;
      this.hostClosed(session);
    });
    await waitFor(() => existsSync(link) || socat.exitCode !== null, 5000);
    if (socat.exitCode !== null) throw new Error(`socat could not create a pty at ${link}: ${log.trim()}`);
    return session;
  }

  /** Put the session's pty at `path` and the (reset) board on it. */
  private activate(session: Session): void {
    renameSync(session.link, this.options.path);
    this.current = session;
    const baud = this.options.wireRate ? 57_600 : undefined;
    session.toHost = new WireLine((bytes) => session.socat.stdin?.write(bytes), baud);
    session.toBoard = new WireLine((bytes) => this.board.receive(bytes), baud);
    const toHost = session.toHost;
    // The board boots now; what it sends waits in socat's pipe until a program opens the pty.
    this.board.connect({ send: (bytes) => toHost.send(bytes), backlog: () => toHost.backlog() });
  }

  /** The program closed the pty (or socat died): a freshly reset board takes its place at `path`. */
  private hostClosed(session: Session): void {
    if (session !== this.current || this.stopping) return;
    this.current = undefined;
    session.toHost?.cut();
    session.toBoard?.cut();
    this.board.powerOff();
    void end(session);
    const spare = this.spare ?? this.spawnSession();
    this.spare = undefined;
    spare.then(
      (next) => {
        if (this.stopping) return void end(next);
        this.activate(next);
        this.spare = this.spawnSession();
        this.spare.catch(() => undefined);
        this.emit('close');
      },
      (err: Error) => this.emit('error', err),
    );
  }
}

async function end(session: Session): Promise<void> {
  session.toHost?.cut();
  session.toBoard?.cut();
  if (session.ended || session.socat.exitCode !== null) return;
  const exited = new Promise((resolve) => session.socat.once('exit', resolve));
  session.socat.kill('SIGTERM');
  await exited;
}

async function waitFor(test: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!test()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
