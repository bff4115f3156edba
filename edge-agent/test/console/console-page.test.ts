/**
 * The room console (/console/) in a real headless Chromium against a real gateway on simulated
 * robots: a student logs in and cannot reset the e-stop; a teacher logs in, presses the e-stop
 * on the page, every simulated motor pin reads 0 and the banner shows; the teacher resets it.
 * STEMLAB_UPDATE_SCREENSHOTS=1 rewrites docs/images/room-console.png.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { composeGateway, type ComposedGateway } from '@stemlab/compose';
import { shouldRun } from '../../../testing/requirements.ts';
import { chromium, CHROMIUM, CHROMIUM_ARGS } from '../../../testing/services.ts';
import { createLogger, loadConfig, setupEditorAccounts } from '../../src/index.ts';
import type { NewAccounts } from '../../src/nodered/accounts.ts';
import { docsScreenshot } from '../../../testing/screenshots.ts';

const browserOk = chromium();

describe.runIf(shouldRun('the room console in headless Chromium', browserOk))('the room console in headless Chromium', () => {
  let gateway: ComposedGateway;
  let browser: Browser;
  let dir: string;
  let accounts: NewAccounts;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'stemlab-console-'));
    accounts = await setupEditorAccounts(dir, 2);
    const example = await loadConfig(join(import.meta.dirname, '../../examples/robot-club.yaml'));
    const kits = example.kits.filter((k) => k.id === 'robot-1' || k.id === 'robot-2');
    const config = { ...example, kits, dataDir: dir, mqtt: { ...example.mqtt, enabled: false }, nodered: { ...example.nodered, enabled: false } };
    gateway = await composeGateway(config, { log: createLogger('silent'), port: 0 });
    await gateway.agent.waitForKits('connected', 20_000);
    const { chromium: pw } = createRequire(import.meta.url)('playwright-core') as typeof import('playwright-core');
    browser = await pw.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  }, 30_000);

  afterAll(async () => {
    await browser?.close();
    await gateway?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function loggedIn(username: string, password: string, tiles = 2) {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(`${gateway.api.url}/console/`);
    await page.fill('input[name=username]', username);
    await page.fill('input[name=password]', password);
    await page.click('#login button[type=submit]');
    await expect.poll(() => page.locator('#room').isVisible()).toBe(true);
    await expect.poll(() => page.locator('.tile').count()).toBe(tiles);
    return page;
  }

  it('a teacher presses the e-stop on the page: every motor pin reads 0; then resets it', async () => {
    const { agent } = gateway;
    agent.command('robot-1', 'left-motor', { action: 'forward', speed: 120 }, 'api', 'api:teacher');
    const board = gateway.simulator!.board('robot-1');
    const motorPins = [5, 6];
    const page = await loggedIn('teacher', accounts.teacher.password);
    await page.click('#estop');
    await expect.poll(() => agent.estop.latched).toBe(true);
    for (const pin of motorPins) await expect.poll(() => board.pinState(pin).value).toBe(0);
    await expect.poll(() => page.locator('#banner').textContent()).toContain('DỪNG KHẨN CẤP');
    await docsScreenshot(page, join(import.meta.dirname, '../../../docs/images/room-console.png'));
    await page.click('#reset');
    await expect.poll(() => agent.estop.latched).toBe(false);
    await page.click('#lang');
    await expect.poll(() => page.locator('#estop').textContent()).toBe('EMERGENCY STOP');
    await page.close();
  });

  it('a student in no team sees no kit and no reset, and the agent refuses one from the student\'s page', async () => {
    gateway.agent.estop.trigger('test');
    const page = await loggedIn('student-1', accounts.students[0]!.password, 0);
    await expect.poll(() => page.locator('#club-no-team').isVisible()).toBe(true);
    expect(await page.locator('#reset').isHidden()).toBe(true);
    const reply = await page.evaluate(async () => (await fetch('/api/v1/estop/reset', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).json());
    expect(reply).toMatchObject({ status: 'error', code: 'FORBIDDEN' });
    expect(gateway.agent.estop.latched).toBe(true);
    gateway.agent.estop.reset('test');
    await page.close();
  });
});
