/**
 * The lab page (/lab) in a real headless Chromium against a real gateway on simulated sensors,
 * on the wall clock. Protects: a group starts an experiment from the page, its chart fills as
 * readings arrive, a mark shows, the page switches to English, Stop stops it, and the CSV
 * downloaded from the page holds every reading with units; the page fits a phone's width; no
 * console error. STEMLAB_UPDATE_SCREENSHOTS=1 rewrites docs/images/lab-page.png.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { composeGateway, type ComposedGateway } from '@stemlab/compose';
import { assertAvailable, shouldRun } from '../../../testing/requirements.ts';
import { chromium, CHROMIUM, CHROMIUM_ARGS } from '../../../testing/services.ts';
import { createLogger, loadConfig, type ExperimentMeta } from '../../src/index.ts';
import { readLocalToken } from '../../src/api/auth.ts';
import { docsScreenshot } from '../../../testing/screenshots.ts';

const browserOk = chromium();

describe.runIf(shouldRun('the lab page in headless Chromium', browserOk))('the lab page in headless Chromium', () => {
  let gateway: ComposedGateway;
  let browser: Browser;
  let dir: string;
  const problems: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'stemlab-lab-page-'));
    const example = await loadConfig(join(import.meta.dirname, '../../examples/lab.yaml'));
    // Two benches are enough here; fewer simulated boards for a busy machine.
    const kits = example.kits.filter((k) => k.id === 'bench-1' || k.id === 'bench-2');
    const config = { ...example, kits, dataDir: dir, mqtt: { ...example.mqtt, enabled: false }, nodered: { ...example.nodered, enabled: false } };
    gateway = await composeGateway(config, { log: createLogger('silent'), port: 0, labWorld: { seed: 7 } });
    await gateway.agent.waitForKits('connected', 20_000);
    const { chromium: pw } = createRequire(import.meta.url)('playwright-core') as typeof import('playwright-core');
    browser = await pw.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  }, 30_000);

  afterAll(async () => {
    await browser?.close();
    await gateway?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  async function newPage(viewport: { width: number; height: number }): Promise<Page> {
    // The lab's API needs a log-in (the room console's cookie in a classroom); the browser here
    // carries the agent's local token instead, so this test stays about the lab page itself.
    const context = await browser.newContext({ viewport, acceptDownloads: true, extraHTTPHeaders: { authorization: `Bearer ${readLocalToken(dir)}` } });
    context.setDefaultTimeout(10_000);
    const page = await context.newPage();
    page.on('console', (m) => m.type() === 'error' && problems.push(`${page.url()}: ${m.text()}`));
    page.on('pageerror', (err) => problems.push(`${page.url()}: ${err.message}`));
    await page.goto(`${gateway.api.url}/lab`);
    return page;
  }

  const points = (page: Page) => page.locator('#charts').getAttribute('data-points').then(Number);

  it('starts an experiment, charts it live, marks, stops and downloads the CSV', async () => {
    assertAvailable('Chromium and playwright-core', browserOk);
    const page = await newPage({ width: 1280, height: 900 });
    await expect.poll(() => page.locator('h1').textContent()).toContain('Phòng thí nghiệm');
    await page.getByLabel('Nhóm', { exact: true }).fill('Nhóm 2');
    await page.getByLabel('Tên thí nghiệm').fill('Nước nguội dần');
    await page.getByLabel(/Water temperature/).check();
    await page.getByLabel(/Light/).check();
    await page.getByLabel('Tần số lấy mẫu (Hz)').fill('10');
    await page.getByLabel('Thời gian (s)').fill('60');
    await page.getByRole('button', { name: 'Bắt đầu' }).click();

    // The chart fills as the readings come.
    await expect.poll(() => points(page), { timeout: 10_000 }).toBeGreaterThanOrEqual(10);
    const before = await points(page);
    await expect.poll(() => points(page), { timeout: 10_000 }).toBeGreaterThan(before + 5);
    expect(await page.locator('#charts .uplot').count()).toBe(2);
    expect(await page.locator('#charts .u-title').allTextContents()).toEqual(['Water temperature (LM35) (°C)', 'Light (TEMT6000) (lx)']);

    // A second group cannot take the same bench: the page says so, in Vietnamese.
    const other = await newPage({ width: 800, height: 900 });
    expect(await other.getByLabel(/Water temperature/).isDisabled()).toBe(true);
    await other.close();

    await page.getByPlaceholder('Điều gì xảy ra?').fill('thêm đá');
    await page.getByRole('button', { name: 'Đánh dấu' }).click();
    await expect.poll(() => page.locator('#marks').textContent()).toContain('thêm đá');
    if (process.env.STEMLAB_UPDATE_SCREENSHOTS === '1') {
      await expect.poll(() => points(page), { timeout: 10_000 }).toBeGreaterThan(60);
      await page.evaluate('window.scrollTo(0, 0)');
      await docsScreenshot(page, join(import.meta.dirname, '../../../docs/images/lab-page.png'), { fullPage: false });
    }

    await page.getByRole('button', { name: 'EN' }).click();
    await expect.poll(() => page.locator('h1').textContent()).toContain('Lab');
    await page.getByRole('button', { name: 'Stop' }).click();
    await expect.poll(() => page.locator('#current-info').textContent()).toContain('stopped');

    const { experiments } = (await (await fetch(`${gateway.api.url}/api/v1/lab`, { headers: { authorization: `Bearer ${readLocalToken(dir)}` } })).json()) as { experiments: ExperimentMeta[] };
    const done = experiments[0]!;
    expect(done).toMatchObject({ state: 'stopped', group: 'Nhóm 2', title: 'Nước nguội dần' });
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download CSV' }).click()]);
    expect(download.suggestedFilename()).toBe(`${done.id}.csv`);
    const csv = readFileSync((await download.path())!, 'utf8').replace(/^\ufeff/, '').trimEnd().split('\r\n');
    expect(csv[0]).toBe('Time UTC (ISO 8601),Elapsed (s),bench-1/water-temp – Water temperature (LM35) (°C),bench-1/light – Light (TEMT6000) (lx),Mark');
    expect(csv).toHaveLength(done.samples + 1);
    expect(csv.filter((line) => line.endsWith(',thêm đá'))).toHaveLength(1);
    for (const line of csv.slice(1)) expect(line).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z,\d+\.\d{3},\d+(\.\d+)?,\d+(\.\d+)?,/);
    expect(problems).toEqual([]);
  }, 60_000);

  it('fits a phone', async () => {
    assertAvailable('Chromium and playwright-core', browserOk);
    const page = await newPage({ width: 375, height: 740 });
    await page.locator('#experiments li button').first().click();
    await expect.poll(() => points(page)).toBeGreaterThan(0);
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(375);
    expect(problems).toEqual([]);
  }, 30_000);
});
