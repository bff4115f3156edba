import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { catalogue } from '@stemlab/flows';
import { createLogger, loadConfig } from '@stemlab/edge-agent';
import { composeGateway } from '@stemlab/compose';
import { FLOW_YIELD_MS, squareDriver } from '../demo/square-driver.ts';

// The demo's scripted driver of robot 1 and a lesson deployed to the same robot must not both
// drive it: the driver lets go while a flow sends commands. Its steps are called one by one with
// an injected clock, on the robot-club example's robot 1 (a simulated board, the real agent).

const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

describe("the demo's robot 1 driver", () => {
  it('drives the square, lets go while a flow drives the robot, and takes it back after the flow stops', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stemlab-driver-'));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    const example = await loadConfig(new URL('../../edge-agent/examples/robot-club.yaml', import.meta.url).pathname);
    const config = { ...example, dataDir: dir, kits: example.kits.filter((k) => k.id === 'robot-1'), mqtt: { ...example.mqtt, enabled: false }, nodered: { ...example.nodered, enabled: false } };
    const gateway = await composeGateway(config, { log: createLogger('silent'), port: 0 });
    cleanup.push(() => gateway.stop());
    await gateway.agent.waitForKits('connected', 10_000);
    const origins: string[] = [];
    gateway.agent.bus.on('component:command', (e) => e.component === 'left-motor' && origins.push(e.origin));
    const said: string[] = [];
    let now = 0;
    const driver = squareDriver(gateway.agent, (line) => said.push(line), () => now);
    cleanup.push(driver.stop);

    driver.tick();
    expect(origins).toEqual(['demo']);
    // A lesson's flow drives the robot: the driver's next steps send nothing.
    now += 100;
    gateway.agent.command('robot-1', 'left-motor', { action: 'forward', speed: 80 }, 'flow');
    for (let i = 0; i < 5; i++) {
      now += 100;
      driver.tick();
    }
    expect(origins).toEqual(['demo', 'flow']);
    expect(said).toContain("robot-1: a lesson drives it now; the demo's driver lets go");
    // FLOW_YIELD_MS after the flow's last command, it drives again.
    now += FLOW_YIELD_MS;
    driver.tick();
    expect(origins).toEqual(['demo', 'flow', 'demo']);
    expect(said).toContain("robot-1: the lesson stopped; the demo's driver takes it back");
  });

  it('tags robot 2 with a lesson id that `stemlab lesson list` knows', () => {
    const source = readFileSync(new URL('../demo/classroom.ts', import.meta.url), 'utf8');
    const tagged = [...source.matchAll(/kind: 'lesson', lessonId: '([^']+)'/g)].map((m) => m[1]);
    expect(tagged.length).toBeGreaterThan(0);
    for (const id of tagged) expect(catalogue.lessons.map((l) => l.id)).toContain(id);
  });
});
