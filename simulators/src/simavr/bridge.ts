// A reference board: the REAL StandardFirmata firmware (avrgirl-arduino@5.0.1's
// hex files) running on simavr, its UART0 on a pseudo-terminal that the real
// `serialport` native binding opens like a USB Arduino.
//
// The C side is simulators/simavr/bridge.c, built by simulators/simavr/build.sh
// (which also fetches the hex files with `npm pack`). See simulators/simavr/README.md.
import { EventEmitter } from 'node:events';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

export type SimavrBoardName = 'uno' | 'mega';

export interface SimavrBoardOptions {
  board: SimavrBoardName;
  /** Pace the simulation to real time (default true). false runs as fast as the host allows. */
  realtime?: boolean;
  /** How long start() waits for the bridge's pty (default 10 s). */
  startTimeoutMs?: number;
  /**
   * Also make a symlink at this path to the pty (`--link`), removed when the bridge stops. The
   * pty's own name changes on every start; the link does not, so a host that finds its board by
   * path sees stop() as an unplug and a later start() (a freshly reset chip) as a re-plug.
   */
  link?: string;
}

export interface SimavrPinEvent {
  pin: number;
  value: number;
}

export interface SimavrStats {
  /** AVR cycles since power-up */
  cycles: number;
  /** simulated milliseconds since start or the last reset */
  simMs: number;
  /** wall-clock milliseconds over the same span */
  wallMs: number;
}

export interface SimavrAvailability {
  ok: boolean;
  reason?: string;
}

/** Apt packages that provide simavr's headers and libraries. */
export const SIMAVR_INSTALL_HINT = 'apt-get install simavr libsimavr-dev libsimavrparts1';

const SIMAVR_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../simavr');
const BUILD_SCRIPT = path.join(SIMAVR_DIR, 'build.sh');

const PIN_COUNT: Record<SimavrBoardName, number> = { uno: 20, mega: 70 };
const ADC_CHANNELS: Record<SimavrBoardName, number> = { uno: 6, mega: 8 };

interface BuildResult extends SimavrAvailability {
  bridge?: string;
  firmware?: Partial<Record<SimavrBoardName, string>>;
}

let buildResult: BuildResult | undefined;

function build(): BuildResult {
  if (buildResult) return buildResult;
  if (process.platform !== 'linux') {
    return (buildResult = { ok: false, reason: `simavr bridge needs Linux ptys (platform is ${process.platform})` });
  }
  const r = spawnSync('bash', [BUILD_SCRIPT], { encoding: 'utf8', timeout: 180_000 });
  if (r.error || r.status !== 0) {
    const msg = (r.stderr || '').trim().split('\n').filter(Boolean).pop() ?? r.error?.message ?? `exit ${r.status}`;
    return (buildResult = { ok: false, reason: msg });
  }
  const result: BuildResult = { ok: true, firmware: {} };
  for (const line of r.stdout.split('\n')) {
    const [kind, a, b] = line.trim().split(' ');
    if (kind === 'bridge' && a) result.bridge = a;
    if (kind === 'firmware' && (a === 'uno' || a === 'mega') && b) result.firmware![a] = b;
  }
  if (!result.bridge || !existsSync(result.bridge)) {
    return (buildResult = { ok: false, reason: 'simavr build.sh did not produce the bridge' });
  }
  return (buildResult = result);
}

/**
 * One simulated Arduino running real firmware. Events:
 *  - `pin` {pin, value}: an output level changed (Arduino pin numbers)
 *  - `pwm` {pin, value}: the pin's PWM compare register got a new value (analogWrite 1-254)
 *  - `reset`: the chip was reset (after reset())
 *  - `exit` (code, signal): the bridge process ended
 */
export class SimavrBoard extends EventEmitter {
  /** Checks (and, the first time, builds) the bridge and fetches the firmware. Cached per process. */
  static available(): SimavrAvailability {
    const r = build();
    if (r.ok) return { ok: true };
    const reason = r.reason ?? 'unknown';
    return { ok: false, reason: reason.includes(SIMAVR_INSTALL_HINT) ? reason : `${reason} (${SIMAVR_INSTALL_HINT})` };
  }

  readonly board: SimavrBoardName;
  /** last reported output level of every Arduino pin (0 before the firmware drives it) */
  readonly pins = new Map<number, number>();
  /** last PWM compare value written per pin */
  readonly pwm = new Map<number, number>();
  /** the pty path once started */
  path: string | undefined;
  /** the stable symlink to the pty (options.link), present while the bridge runs */
  readonly link: string | undefined;

  readonly #realtime: boolean;
  readonly #startTimeoutMs: number;
  #proc: ChildProcess | undefined;
  #exited: Promise<void> | undefined;
  #stderr = '';
  #statsWaiters: ((s: SimavrStats) => void)[] = [];

  constructor(opts: SimavrBoardOptions) {
    super();
    this.board = opts.board;
    this.#realtime = opts.realtime ?? true;
    this.#startTimeoutMs = opts.startTimeoutMs ?? 10_000;
    this.link = opts.link;
    this.#clearPins();
  }

  get running(): boolean {
    return this.#proc !== undefined && this.#proc.exitCode === null && this.#proc.signalCode === null;
  }

  /**
   * Starts the simulator; resolves with the pty path (open it at 57600 baud). After stop() it can
   * start again: a new bridge, a freshly reset chip, a new pty (and the same `link`).
   */
  async start(): Promise<string> {
    if (this.#proc) throw new Error('SimavrBoard already started');
    const b = build();
    if (!b.ok || !b.bridge) throw new Error(`simavr unavailable: ${SimavrBoard.available().reason}`);
    const hex = b.firmware?.[this.board];
    if (!hex) throw new Error(`no firmware for ${this.board}`);

    const args = [this.board, hex];
    if (!this.#realtime) args.push('--fast');
    if (this.link !== undefined) args.push('--link', this.link);
    const proc = spawn(b.bridge, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    this.#proc = proc;
    this.#clearPins();
    // a write after the bridge died must not crash the host
    proc.stdin!.on('error', () => {});
    proc.stderr!.setEncoding('utf8');
    proc.stderr!.on('data', (d: string) => {
      this.#stderr = (this.#stderr + d).slice(-4000);
    });
    this.#exited = new Promise((resolve) => {
      proc.once('exit', (code, signal) => {
        this.emit('exit', code, signal);
        resolve();
      });
    });

    return await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        fail(new Error(`simavr bridge gave no pty within ${this.#startTimeoutMs} ms`));
        proc.kill('SIGKILL');
      }, this.#startTimeoutMs);
      const onEarlyExit = (code: number | null): void =>
        fail(new Error(`simavr bridge exited (${code}) before its pty was ready: ${this.#stderr.trim()}`));
      const fail = (e: Error): void => {
        clearTimeout(timer);
        proc.off('exit', onEarlyExit);
        reject(e);
      };
      proc.once('exit', onEarlyExit);
      proc.once('error', (e) => fail(e));

      const rl = createInterface({ input: proc.stdout! });
      rl.on('line', (line) => {
        const [kind, a, b2] = line.split(' ');
        if (kind === 'pty' && a) {
          this.path = a;
          clearTimeout(timer);
          proc.off('exit', onEarlyExit);
          resolve(a);
        } else if (kind === 'pin' || kind === 'pwm') {
          const ev: SimavrPinEvent = { pin: Number(a), value: Number(b2) };
          (kind === 'pin' ? this.pins : this.pwm).set(ev.pin, ev.value);
          this.emit(kind, ev);
        } else if (kind === 'reset') {
          this.emit('reset');
        } else if (kind === 'stats') {
          const [, cycles, simMs, wallMs] = line.split(' ');
          const s: SimavrStats = { cycles: Number(cycles), simMs: Number(simMs), wallMs: Number(wallMs) };
          for (const w of this.#statsWaiters.splice(0)) w(s);
        } else if (kind === 'err') {
          this.emit('bridgeError', line.slice(4));
        }
      });
    });
  }

  /** Kills the simulator: the pty vanishes, like unplugging the USB cable. */
  async stop(): Promise<void> {
    const proc = this.#proc;
    if (!proc) return;
    if (this.running) {
      proc.kill('SIGTERM');
      const killer = setTimeout(() => proc.kill('SIGKILL'), 2000);
      await this.#exited;
      clearTimeout(killer);
    }
    this.#proc = undefined;
    this.path = undefined;
    for (const w of this.#statsWaiters.splice(0)) w({ cycles: NaN, simMs: NaN, wallMs: NaN });
  }

  /** Sets the voltage (0-5 V, AVCC reference) on analog input `channel` (A0 = 0). */
  setVoltage(channel: number, volts: number): void {
    const max = ADC_CHANNELS[this.board];
    if (!Number.isInteger(channel) || channel < 0 || channel >= max) {
      throw new RangeError(`analog channel ${channel} out of range 0-${max - 1} on simavr ${this.board}`);
    }
    const mv = Math.round(Math.min(5, Math.max(0, volts)) * 1000);
    this.#send(`adc ${channel} ${mv}`);
  }

  /** Drives a pin from outside (a button, a sensor's digital output). */
  setDigitalInput(pin: number, value: boolean | number): void {
    if (!Number.isInteger(pin) || pin < 0 || pin >= PIN_COUNT[this.board]) {
      throw new RangeError(`pin ${pin} out of range on ${this.board}`);
    }
    this.#send(`pin ${pin} ${value ? 1 : 0}`);
  }

  /** Resets the chip (what DTR does on a real board when the port opens). Emits `reset`. */
  reset(): void {
    this.#send('reset');
  }

  /** Cycle counter, simulated and wall time since start/reset: the real-time factor is simMs / wallMs. */
  async stats(): Promise<SimavrStats> {
    const p = new Promise<SimavrStats>((resolve) => this.#statsWaiters.push(resolve));
    this.#send('stats');
    return await p;
  }

  #send(cmd: string): void {
    if (!this.running) throw new Error('SimavrBoard is not running');
    this.#proc!.stdin!.write(cmd + '\n');
  }

  #clearPins(): void {
    this.pins.clear();
    this.pwm.clear();
    for (let i = 0; i < PIN_COUNT[this.board]; i++) this.pins.set(i, 0);
  }
}
