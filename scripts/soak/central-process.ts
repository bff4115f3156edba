/**
 * The soak's central: `stemlab central` in a process of its own, as a department runs it, so its
 * memory is its own (read from /proc, Linux: the Pi's OS) and a restart is a real stop (SIGTERM)
 * and a new process on the same data dir and port. Whatever it prints on stderr is kept: an
 * unhandled error there fails the soak, and a stop that does not exit 0 too.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { stemlabBin } from '../../testing/cli.ts';

export class CentralProcess {
  private child: ChildProcess | undefined;
  private readonly configFile: string;
  /** Lines the central wrote to stderr (an unhandled error's stack goes there). */
  readonly stderr: string[] = [];
  /** Its log's lines (JSON on stdout, at warn and above: what went wrong or nearly). */
  readonly logged: Array<{ level: number; msg: string; line: string }> = [];
  /** Exit codes of stops that were not clean, and exits nobody asked for. */
  readonly badExits: string[] = [];
  starts = 0;

  private constructor(
    readonly dataDir: string,
    readonly port: number,
  ) {
    this.configFile = join(dataDir, 'central.json');
    // JSON is YAML: `stemlab central --config` reads it.
    writeFileSync(this.configFile, JSON.stringify({ dataDir, mqtt: { host: '127.0.0.1', port }, security: { allowAnonymous: true }, reports: { archive: false }, log: { level: 'warn' } }));
  }

  static async create(dataDir: string): Promise<CentralProcess> {
    return new CentralProcess(dataDir, await freePort());
  }

  get url(): string {
    return `mqtt://127.0.0.1:${this.port}`;
  }

  /** Starts it and resolves once it listens (it prints its MQTT URL). */
  async start(): Promise<void> {
    const child = spawn(process.execPath, [stemlabBin, 'central', '--config', this.configFile], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    this.starts++;
    child.stderr!.on('data', (d: Buffer) => this.stderr.push(...d.toString().split('\n').filter((l) => l.trim() !== '')));
    await new Promise<void>((resolve, reject) => {
      let out = '';
      const onData = (d: Buffer) => {
        out += d.toString();
        if (out.includes('central: MQTT')) {
          child.stdout!.off('data', onData);
          child.stdout!.on('data', (more: Buffer) => this.log(more));
          resolve();
        }
      };
      child.stdout!.on('data', onData);
      child.once('exit', (code) => reject(new Error(`the central exited (${code}) before it listened: ${out}${this.stderr.slice(-5).join('\n')}`)));
    });
    child.removeAllListeners('exit');
    // An exit that no stop or crash of ours asked for (this.child is cleared before those).
    child.once('exit', (code, signal) => {
      if (this.child === child) this.badExits.push(`start ${this.starts}: exited by itself (${code ?? signal})`);
    });
  }

  private partial = '';
  private log(chunk: Buffer): void {
    const lines = (this.partial + chunk.toString()).split('\n');
    this.partial = lines.pop() ?? '';
    for (const line of lines) {
      try {
        const entry = JSON.parse(line) as { level?: number; msg?: string };
        if ((entry.level ?? 0) >= 40) this.logged.push({ level: entry.level ?? 0, msg: entry.msg ?? '', line });
      } catch {
        // Not a log line (the listeners it prints at start).
      }
    }
  }

  /** A clean stop (SIGTERM, as systemd stops it); a non-zero exit is recorded. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    this.child = undefined;
    const code = await new Promise<number | null>((resolve) => {
      child.once('exit', (c, signal) => resolve(c ?? (signal ? -1 : null)));
      child.kill('SIGTERM');
    });
    if (code !== 0) this.badExits.push(`start ${this.starts}: exit ${code}`);
  }

  /** A crash: SIGKILL, no goodbye to anyone (the ingest acknowledges only what it committed). */
  async crash(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    this.child = undefined;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });
  }

  /** Stops it (cleanly, or as a crash) and starts it again on the same data dir and port. */
  async restart(how: 'stop' | 'crash'): Promise<void> {
    await (how === 'crash' ? this.crash() : this.stop());
    await this.start();
  }

  /** Its resident memory in bytes, or undefined between a stop and the next start. */
  rss(): number | undefined {
    const pid = this.child?.pid;
    return pid === undefined ? undefined : rssOf(pid);
  }
}

/** A process's resident set (VmRSS), in bytes, from /proc. */
export function rssOf(pid: number): number | undefined {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
