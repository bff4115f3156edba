import { afterEach, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, parseConfig, startGateway, type Extension } from '@stemlab/edge-agent';
import { composeGateway } from '../src/index.ts';

// The composition root hands the agent its hardware: simulated where the config says `sim`,
// real otherwise; the agent itself refuses a config it was not given the hardware for.

const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

function config(overrides: Record<string, unknown> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'stemlab-compose-'));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  return parseConfig({
    unit: 'thcs-test-01',
    gateway: 'gw-compose',
    room: 'lab',
    dataDir: dir,
    http: { port: 0 },
    mqtt: { enabled: false },
    nodered: { enabled: false },
    kits: [{ id: 'bench', board: 'uno', find: { sim: 'bench' }, components: [{ type: 'led', id: 'led', pin: 13 }] }],
    ...overrides,
  });
}

const log = createLogger('silent');

describe('startGateway (the agent) takes its hardware from outside', () => {
  it('refuses sim kits when no simulator was given, naming the kits and the fix', async () => {
    const error = await startGateway(config(), {}, { log, port: 0 }).catch((err: unknown) => err);
    expect(error).toMatchObject({ code: 'SIMULATOR_MISSING' });
    expect((error as Error).message).toMatch(/kits bench are simulated boards.*stemlab agent/);
  });

  it('refuses gpio.sim when no simulated header was given', async () => {
    const c = config({ kits: [], gpio: { sim: true, leds: [{ id: 'status', bcm: 27 }] } });
    const error = await startGateway(c, {}, { log, port: 0 }).catch((err: unknown) => err);
    expect(error).toMatchObject({ code: 'SIMULATOR_MISSING' });
    expect((error as Error).message).toMatch(/gpio\.sim: false on the gateway's Pi/);
  });

  // On a Pi, the real chip is there: this is about the machine without one.
  it.skipIf(existsSync('/proc/device-tree/model') || existsSync('/sys/class/gpio/export'))(
    'with GPIO lines configured on a machine without a Pi header, fails loudly (GPIO_NOT_FOUND) instead of simulating the e-stop',
    async () => {
      const c = config({ kits: [], gpio: { estop: { bcm: 17 } } });
      const error = await startGateway(c, {}, { log, port: 0 }).catch((err: unknown) => err);
      expect(error).toMatchObject({ code: 'GPIO_NOT_FOUND' });
      expect((error as Error).message).toMatch(/gpio\.sim: true/);
    },
  );

  it('without GPIO lines needs no chip at all', async () => {
    const gateway = await startGateway(config({ kits: [] }), {}, { log, port: 0 });
    cleanup.push(() => gateway.stop());
    expect(gateway.gpio.description).toMatch(/^none/);
  });
});

describe('composeGateway (the composition root)', () => {
  it('creates the simulated boards and header the config asks for, and the agent drives them', async () => {
    const gateway = await composeGateway(config({ gpio: { sim: true, estop: { bcm: 17 } } }), { log, port: 0 });
    cleanup.push(() => gateway.stop());
    await gateway.agent.waitForKits('connected', 10_000);
    gateway.agent.command('bench', 'led', { action: 'on' });
    await gateway.simulator!.board('bench').waitForPin(13, (s) => s.value === 1, 5000);
    gateway.simulatedGpio!.press(17);
    await expect.poll(() => gateway.agent.estop.latched).toBe(true);
  });

  it('runs the plugins before the agent starts: their extensions start and stop with it, their routes answer', async () => {
    const calls: string[] = [];
    const extension: Extension = {
      name: 'room-console',
      start: async () => void calls.push('start'),
      stop: async () => void calls.push('stop'),
    };
    const gateway = await composeGateway(config(), {
      log,
      port: 0,
      plugins: [
        async ({ agent, api }) => {
          await agent.use(extension);
          api.route('GET', '/api/v1/console', () => ({ kits: agent.kits.size }), { access: 'open' });
        },
      ],
    });
    expect(calls).toEqual(['start']);
    const reply = (await (await fetch(`${gateway.api.url}/api/v1/console`)).json()) as unknown;
    expect(reply).toEqual({ status: 'ok', kits: 1 });
    await gateway.stop();
    expect(calls).toEqual(['start', 'stop']);
  });
});
