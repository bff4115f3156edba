/**
 * A lesson as a student meets it in the Node-RED editor of a real gateway (composed from the
 * robot-club example config: robots on simulated boards through serialport → Firmata →
 * Johnny-Five, real Node-RED with its log-in): in headless Chromium the student logs in, opens
 * Import ▸ Examples, finds the lesson under its level in their language, imports the starter,
 * deploys it, runs the check from the "Chấm bài / Check" sidebar and reads the verdict and its
 * feedback (not yet: the robot bumps into the wall); then the solution, which passes. In English,
 * the same examples carry their English names and the check answers in English.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, loadConfig, setupEditorAccounts } from '@stemlab/edge-agent';
import { assertAvailable, shouldRun } from '../../testing/requirements.ts';
import { chromium, CHROMIUM, CHROMIUM_ARGS } from '../../testing/services.ts';
import { composeGateway, simulatedRobots, type ComposedGateway, type SimulatedRobots } from '../src/index.ts';

const browserOk = chromium();

/** The lesson: THCS 7, stop before an obstacle (its check is quick: 10–14 s of simulated time). */
const LESSON = { id: 'obstacle', vi: '07 Dừng trước vật cản', en: '07 Stop before an obstacle' };

type EditorRED = {
  nodes: { version(): string | undefined; getType(type: string): unknown; eachWorkspace(cb: (ws: { id: string; label: string }) => void): void; filterNodes(filter: object): Array<{ z?: string }> };
  workspaces: { show(id: string): void; active(): string };
  actions: { invoke(name: string): void };
  sidebar: { show(id: string): void };
};

describe.runIf(shouldRun('a lesson checked from the editor in headless Chromium', browserOk))('a lesson checked from the editor in headless Chromium', () => {
  let dir: string;
  let gateway: ComposedGateway;
  let robots: SimulatedRobots;
  let student: { username: string; password: string };
  let browser: Browser;
  const problems: string[] = [];

  beforeAll(async () => {
    assertAvailable('Chromium and playwright-core', browserOk);
    dir = mkdtempSync(join(tmpdir(), 'stemlab-lesson-editor-'));
    const club = await loadConfig(new URL('../../edge-agent/examples/robot-club.yaml', import.meta.url).pathname);
    const config = { ...club, dataDir: dir, http: { ...club.http, port: 0 }, mqtt: { ...club.mqtt, enabled: false }, nodered: { ...club.nodered, lang: 'vi' as const } };
    student = (await setupEditorAccounts(dir, 1)).students[0]!;
    gateway = await composeGateway(config, { log: createLogger('silent'), port: 0 });
    await gateway.agent.waitForKits('connected', 20_000);
    robots = simulatedRobots(gateway, { seed: 7, arenas: { 'robot-1': 'empty-table' } });
    const { chromium: pw } = createRequire(import.meta.url)('playwright-core') as typeof import('playwright-core');
    browser = await pw.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    robots?.close();
    await gateway?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** The editor, logged in through its own dialog, in `lang` (the gateway's is vi). */
  async function openEditor(lang: 'vi' | 'en-US'): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 }, locale: lang === 'vi' ? 'vi-VN' : 'en-US' });
    context.setDefaultTimeout(15_000);
    // A browser that chose English in User Settings keeps it (the gateway's script sets vi only where none was chosen).
    if (lang === 'en-US') await context.addInitScript("localStorage.setItem('editor-language', 'en-US')");
    const page = await context.newPage();
    page.on('pageerror', (err) => problems.push(`${lang}: ${err.message}`));
    // Import only once the editor has heard the runtime's state: that frame disables the deploy
    // button (see edge-agent/test/nodered.test.ts), and an import before it left it disabled.
    const runtimeState = new Promise<void>((resolve) => {
      page.on('websocket', (ws) => ws.on('framereceived', ({ payload }) => String(payload).includes('notification/runtime-state') && resolve()));
    });
    await page.goto(`${gateway.api.url}/`);
    await page.locator('#node-dialog-login-username').fill(student.username);
    await page.locator('#node-dialog-login-password').fill(student.password);
    await page.locator('#node-dialog-login-submit').click();
    await page.locator('#red-ui-workspace').waitFor();
    await page.waitForFunction(() => {
      const RED = (globalThis as unknown as { RED?: Partial<EditorRED> }).RED;
      return RED?.nodes?.version() !== undefined && RED.nodes.getType('stemlab-robot-drive') !== undefined && RED.sidebar !== undefined;
    });
    await runtimeState;
    return page;
  }

  /** Import ▸ Examples ▸ @stemlab/flows ▸ the level ▸ the file: the names the tree shows on the way, then the import. */
  async function importExample(page: Page, level: string, file: string): Promise<string[]> {
    await page.evaluate(() => (globalThis as unknown as { RED: EditorRED }).RED.actions.invoke('core:show-examples-import-dialog'));
    const tree = page.locator('#red-ui-clipboard-dialog-import-tab-examples');
    const item = (text: string) => tree.locator('.red-ui-treeList-label', { hasText: text }).first();
    await item('@stemlab/flows').click();
    await item(level).click();
    await item(file).waitFor();
    const names = await tree.locator('.red-ui-treeList-label').allInnerTexts();
    await item(file).click();
    const before = await workspaces(page);
    await page.locator('#red-ui-clipboard-dialog-ok:not(.ui-state-disabled)').click();
    // The lesson's tab: show it, as the student does by clicking it.
    await expect.poll(async () => (await workspaces(page)).length).toBe(before.length + 1);
    const tab = (await workspaces(page)).find((w) => !before.some((b) => b.id === w.id))!;
    await page.evaluate((id) => (globalThis as unknown as { RED: EditorRED }).RED.workspaces.show(id), tab.id);
    return names.map((n) => n.trim());
  }

  const workspaces = (page: Page) =>
    page.evaluate(() => {
      const out: Array<{ id: string; label: string }> = [];
      (globalThis as unknown as { RED: EditorRED }).RED.nodes.eachWorkspace((ws) => out.push({ id: ws.id, label: ws.label }));
      return out;
    });

  async function deploy(page: Page, success: RegExp): Promise<void> {
    const button = page.locator('#red-ui-header-button-deploy:not(.disabled)');
    await button.waitFor();
    await button.click();
    await page.locator('.red-ui-notification', { hasText: success }).last().waitFor({ timeout: 30_000 });
  }

  /** Run the check of the open tab from the sidebar; the verdict's status and text as shown. */
  async function checkFromSidebar(page: Page): Promise<{ status: string | null; text: string; lesson: string }> {
    await page.evaluate(() => (globalThis as unknown as { RED: EditorRED }).RED.sidebar.show('stemlab-check'));
    const verdict = page.locator('#stemlab-check-verdict');
    const previous = await verdict.textContent();
    // The sidebar picks the lesson of the open tab (its usage node) by itself.
    await expect.poll(() => page.locator('#stemlab-check-lesson').inputValue()).toBe(LESSON.id);
    await page.locator('#stemlab-check-run').click();
    await expect.poll(async () => (await verdict.getAttribute('data-status')) !== null && (await verdict.textContent()) !== previous && !/Đang chấm|Checking/.test((await verdict.textContent()) ?? ''), { timeout: 60_000 }).toBe(true);
    return { status: await verdict.getAttribute('data-status'), text: (await verdict.innerText()).trim(), lesson: await page.locator('#stemlab-check-lesson').inputValue() };
  }

  it('in Vietnamese: the student imports the starter from Examples, deploys, checks and reads why it is not yet right; then the solution passes', async () => {
    const page = await openEditor('vi');
    await expect.poll(() => page.locator('#red-ui-header-button-deploy').innerText()).toContain('Triển khai');

    const names = await importExample(page, 'THCS (lớp 6–9)', `${LESSON.vi} – bắt đầu`);
    // The tree speaks Vietnamese only: no English title, no "starter".
    expect(names).toContain(`${LESSON.vi} – lời giải`);
    expect(names).toContain('THPT (lớp 10–12)');
    expect(names.filter((n) => /starter|solution|Stop before/.test(n))).toEqual([]);
    await deploy(page, /Triển khai thành công/);

    const starter = await checkFromSidebar(page);
    expect(starter.status).toBe('fail');
    expect(starter.text).toMatch(/^THCS 7 – Dừng trước vật cản: CHƯA ĐẠT/);
    expect(starter.text).toMatch(/Robot đâm vào tường lúc [\d.]+ s: nó thấy tường quá muộn — dừng khi khoảng cách dưới 20 cm/);

    // The solution: a second import of the same lesson adds its tab (no "nodes already exist"
    // conflict stops it: importExample waits for the new tab).
    await importExample(page, 'THCS (lớp 6–9)', `${LESSON.vi} – lời giải`);
    await deploy(page, /Triển khai thành công/);
    const solution = await checkFromSidebar(page);
    expect(solution.status).toBe('pass');
    expect(solution.text).toMatch(/^THCS 7 – Dừng trước vật cản: ĐẠT\n✓ Robot dừng cách tường \d+ cm, không va chạm\. Tốt lắm!/);
    await page.context().close();
  }, 180_000);

  it('in English: the examples carry English names and the check answers in English', async () => {
    const page = await openEditor('en-US');
    await expect.poll(() => page.locator('#red-ui-header-button-deploy').innerText()).toContain('Deploy');
    const names = await importExample(page, 'Lower secondary (grades 6–9)', `${LESSON.en} – starter`);
    expect(names).toContain(`${LESSON.en} – solution`);
    expect(names).toContain('Upper secondary (grades 10–12)');
    expect(names.filter((n) => /bắt đầu|lời giải|Dừng trước|lớp/.test(n))).toEqual([]);

    const starter = await checkFromSidebar(page);
    expect(starter.status).toBe('fail');
    expect(starter.text).toMatch(/^THCS 7 – Stop before an obstacle: NOT YET\n✗ Your robot bumped into the wall at [\d.]+ s: it saw the wall too late — stop when the distance is under 20 cm/);
    await page.context().close();
  }, 120_000);

  it('showed no page error', () => {
    expect(problems).toEqual([]);
  });
});
