/**
 * Runs checks in a check process of its own (worker-entry.js): the simulated clock there fakes
 * every timer of the process, which must not touch the caller's (the CLI, a test runner, the
 * agent). One process runs many checks one after another (Node-RED starts once per process),
 * so a test suite or the editor's check button pays Node-RED's start once.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { KitProfile } from '../kits.ts';
import type { CheckDefinition } from './kinds/index.ts';
import type { CheckReply, CheckRequest } from './protocol.ts';

export type CheckOutcome = Exclude<CheckReply, { status: 'ready' }>;

const entry = fileURLToPath(new URL('./worker-entry.js', import.meta.url));

export class CheckRunner {
  private child: ChildProcess | undefined;
  private ready: Promise<void> | undefined;
  private next = 1;
  private readonly pending = new Map<number, { resolve(reply: CheckOutcome): void; reject(err: Error): void }>();

  constructor(private readonly options: { lang?: 'vi' | 'en'; timeoutMs?: number } = {}) {}

  private start(): Promise<void> {
    if (this.ready) return this.ready;
    const child = fork(entry, [], { execArgv: [], env: { ...process.env, STEMLAB_CHECK_LANG: this.options.lang ?? 'vi' }, stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => void (stderr = (stderr + d.toString()).slice(-4000)));
    this.child = child;
    this.ready = new Promise((resolve, reject) => {
      child.on('message', (reply: CheckReply) => {
        if (reply.status === 'ready') return resolve();
        const waiter = this.pending.get(reply.id);
        this.pending.delete(reply.id);
        waiter?.resolve(reply);
      });
      child.on('exit', (code, signal) => {
        const err = new Error(`the check process ended (${signal ?? `exit ${code}`})${stderr ? `: ${stderr.trim()}` : ''}`);
        reject(err);
        for (const w of this.pending.values()) w.reject(err);
        this.pending.clear();
        this.child = undefined;
        this.ready = undefined;
      });
    });
    return this.ready;
  }

  async run(check: CheckDefinition, profile: KitProfile, flow: unknown, seed: number): Promise<CheckOutcome> {
    await this.start();
    const id = this.next++;
    const request: CheckRequest = { id, check, profile, flow, seed };
    const timeoutMs = this.options.timeoutMs ?? 120_000;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        this.close();
        reject(new Error(`the check did not finish within ${timeoutMs / 1000} s (the check process was stopped)`));
      }, timeoutMs);
      this.pending.set(id, {
        resolve: (r) => (clearTimeout(timer), resolve(r)),
        reject: (e) => (clearTimeout(timer), reject(e)),
      });
      this.child!.send(request);
    });
  }

  close(): void {
    this.child?.kill();
    this.child = undefined;
    this.ready = undefined;
  }
}
