/**
 * A real gateway in the soak: `stemlab agent --no-supervise` with the lab example's kits on the
 * built-in simulated boards (the real serialport → Firmata → Johnny-Five stack), its outbox on
 * disk, publishing to the soak's central. It lives the whole soak (its memory is measured across
 * the central's restarts, which it rides out by reconnecting); the fleet's twins are the ones killed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '@stemlab/edge-agent';
import { stemlabBin } from '../../testing/cli.ts';
import { rssOf } from './central-process.ts';

const example = new URL('../../edge-agent/examples/lab.yaml', import.meta.url).pathname;

export class AgentProcess {
  private child: ChildProcess | undefined;
  readonly stderr: string[] = [];
  exitedEarly: string | undefined;

  static async start(dataDir: string, mqttUrl: string): Promise<AgentProcess> {
    const loaded = await loadConfig(example);
    // A unit of its own, so it is no twin of the fleet; no Node-RED editor (not what is measured).
    const config = { ...loaded, unit: 'soak-agent', dataDir: join(dataDir, 'agent'), mqtt: { ...loaded.mqtt, url: mqttUrl }, http: { ...loaded.http, host: '127.0.0.1', port: 0 }, nodered: { ...loaded.nodered, enabled: false } };
    const file = join(dataDir, 'agent.json');
    writeFileSync(file, JSON.stringify(config));
    const agent = new AgentProcess();
    const child = spawn(process.execPath, [stemlabBin, 'agent', '--no-supervise', '--config', file], { stdio: ['ignore', 'pipe', 'pipe'] });
    agent.child = child;
    child.stdout!.resume();
    child.stderr!.on('data', (d: Buffer) => agent.stderr.push(...d.toString().split('\n').filter((l) => l.trim() !== '')));
    child.once('exit', (code, signal) => (agent.exitedEarly ??= `exit ${code ?? signal}`));
    return agent;
  }

  rss(): number | undefined {
    return this.child?.pid === undefined || this.child.exitCode !== null ? undefined : rssOf(this.child.pid);
  }

  async stop(): Promise<number | null> {
    const child = this.child;
    if (!child || child.exitCode !== null) return child?.exitCode ?? null;
    this.exitedEarly = undefined;
    const code = await new Promise<number | null>((resolve) => {
      child.removeAllListeners('exit');
      child.once('exit', (c) => resolve(c));
      child.kill('SIGTERM');
    });
    return code;
  }
}
