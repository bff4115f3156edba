import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PinState } from '@stemlab/simulators';
import { createLogger, loadConfig, setupEditorAccounts } from '@stemlab/edge-agent';
import { composeGateway, type ComposedGateway } from '@stemlab/compose';
import { loadNodeRed } from '../edge-agent/src/nodered/red.ts';
import { latencyResults, round, type BenchResult, type BenchSuite } from './types.ts';

const bin = new URL('../bin/stemlab.js', import.meta.url).pathname;
const example = new URL('../edge-agent/examples/robot-club.yaml', import.meta.url).pathname;

/**
 * The whole gateway as it runs on a Pi: the memory of `stemlab agent` with the robot-club
 * example (six kits, simulated here, so their boards live in the same process) with and without
 * Node-RED; and the time from a Node-RED node's input to the pin change on the simulated board.
 */
export const gatewaySuite: BenchSuite = {
  name: 'gateway',
  title: 'The gateway with Node-RED: memory of `stemlab agent` (goal < 150 MB RSS) and node input → pin',
  async run() {
    const results: BenchResult[] = [];
    const without = await agentRss(false);
    for (const supervised of [true, false]) {
      const rss = await agentRss(true, supervised);
      const label = supervised ? 'supervised worker (--max-semi-space-size=2)' : 'default V8 flags';
      results.push({ name: `stemlab agent RSS, 6 kits + Node-RED, ${label}`, value: rss, unit: 'MB', peer: 'the same without Node-RED', peerValue: without, ratio: round(rss / without, 2) });
    }
    results.push(...(await nodeToPin()));
    return results;
  },
};

/** Start `stemlab agent` on the example, wait until its kits (and editor) run, read its RSS. */
async function agentRss(nodered: boolean, supervised = true): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'stemlab-rss-'));
  try {
    const config = await loadConfig(example);
    const file = join(dir, 'agent.json');
    writeFileSync(file, JSON.stringify({ ...config, dataDir: join(dir, 'data'), http: { host: '127.0.0.1', port: 0 }, mqtt: { ...config.mqtt, enabled: false }, nodered: { ...config.nodered, enabled: nodered }, log: { level: 'error' } }));
    if (nodered) await setupEditorAccounts(join(dir, 'data'), 12);
    const child = spawn(process.execPath, [bin, 'agent', '--config', file, ...(supervised ? [] : ['--no-supervise'])], { stdio: ['ignore', 'pipe', 'inherit'] });
    const started = await new Promise<{ pid: number; url: string }>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /\(pid (\d+)\).*local API (\S+)/.exec(out);
        if (m) resolve({ pid: Number(m[1]), url: m[2]! });
      });
      child.once('exit', (code) => reject(new Error(`stemlab agent exited (${code})`)));
    });
    for (let i = 0; i < 200; i++) {
      const status = (await (await fetch(`${started.url}/api/v1/status`)).json()) as { kits: Array<{ state: string }> };
      if (status.kits.every((k) => k.state === 'connected')) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    if (nodered) await fetch(`${started.url}/`); // the editor's page, as a teacher opening it
    await new Promise((r) => setTimeout(r, 3000)); // let start-up garbage be collected
    const rssKb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${started.pid}/status`, 'utf8'))?.[1]);
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
    return round(rssKb / 1024, 1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A stemlab-led node receives a message; time until pin 13 changes on the simulated board. */
async function nodeToPin(): Promise<BenchResult[]> {
  const dir = mkdtempSync(join(tmpdir(), 'stemlab-red-'));
  try {
    const config = await loadConfig(example);
    await setupEditorAccounts(dir, 1);
    const gateway = await composeGateway({ ...config, dataDir: dir, mqtt: { ...config.mqtt, enabled: false } }, { log: createLogger('silent'), port: 0 });
    return await nodeToPinWith(gateway);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function nodeToPinWith(gateway: ComposedGateway): Promise<BenchResult[]> {
  try {
    await gateway.agent.waitForKits('connected', 20_000);
    await gateway.nodered!.deployLesson(
      [
        { id: 'bench-tab', type: 'tab', label: 'bench' },
        { id: 'bench-kit', type: 'stemlab-kit', kit: 'robot-1', name: 'Robot 1' },
        { id: 'bench-led', type: 'stemlab-led', z: 'bench-tab', kit: 'bench-kit', component: 'led', action: '', name: '', wires: [] },
      ],
      { mode: 'replace-tab' },
    );
    const red = loadNodeRed();
    for (let i = 0; i < 100 && !red.nodes.getNode('bench-led'); i++) await new Promise((r) => setTimeout(r, 20));
    const node = red.nodes.getNode('bench-led');
    if (!node) throw new Error(`the bench flow did not start: ${JSON.stringify(red.nodes.getFlows()?.flows.map((n) => n.id))}`);
    const board = gateway.simulator!.board('robot-1');
    const samples: number[] = [];
    for (let i = 0; i < 300; i++) {
      const value = i % 2 === 0 ? 1 : 0;
      const changed = new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('the LED node did not change pin 13 within 3 s (see the agent log)')), 3000);
        const listener = (s: PinState) => {
          if (s.pin !== 13 || s.value !== value) return;
          clearTimeout(timer);
          board.off('pin', listener);
          resolve();
        };
        board.on('pin', listener);
      });
      const t0 = performance.now();
      node.receive({ payload: value ? 'on' : 'off' });
      await changed;
      samples.push(performance.now() - t0);
    }
    return latencyResults('Node-RED stemlab-led input → pin 13 change (free link)', samples);
  } finally {
    await gateway.stop();
  }
}
