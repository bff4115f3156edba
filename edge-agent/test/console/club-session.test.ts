/**
 * A robot club session from the room console, in a real headless Chromium against a real
 * gateway (two robots on simulated boards, real Node-RED, the real outbox): a teacher logs in,
 * starts a session with two teams, deploys the lesson's starter to their robots (a tab each),
 * the teams start their flows (the editor's inject button) and the robots drive; a team's check
 * from the editor's sidebar shows on the teacher's page; the e-stop on the page brings every
 * motor pin to 0; the teacher resets it, hands a kit back to its team's flow, ends the session
 * and downloads its summary, whose minutes of use per kit are those of the usage records the
 * agent published (tagged with lesson, class, session and team). A student sees only their
 * team's kit, no reset, and is refused the reset and another team's kit (403). A technician
 * self-tests a kit only after the page asked. STEMLAB_UPDATE_SCREENSHOTS=1 rewrites
 * docs/images/club-session.png.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import type { Browser, Page } from 'playwright-core';
import type { UsageEvent } from '@stemlab/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { composeGateway, type ComposedGateway } from '@stemlab/compose';
import { shouldRun } from '../../../testing/requirements.ts';
import { chromium, CHROMIUM, CHROMIUM_ARGS } from '../../../testing/services.ts';
import { createLogger, loadConfig, setupEditorAccounts } from '../../src/index.ts';
import type { NewAccounts } from '../../src/nodered/accounts.ts';
import { docsScreenshot } from '../../../testing/screenshots.ts';

const browserOk = chromium();
const LESSON = 'obstacle';
const MOTOR_PINS = [5, 6];
type SessionEnd = Extract<UsageEvent, { type: 'session.end' }>;
type FlowNode = { id: string; type: string; z?: string; name?: string; kit?: string };

describe.runIf(shouldRun('a club session on the room console in headless Chromium', browserOk))('a club session on the room console in headless Chromium', () => {
  let gateway: ComposedGateway;
  let browser: Browser;
  let dir: string;
  let accounts: NewAccounts;
  let teacherPage: Page;
  const published: UsageEvent[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'stemlab-club-console-'));
    accounts = await setupEditorAccounts(dir, 3);
    const example = await loadConfig(join(import.meta.dirname, '../../examples/robot-club.yaml'));
    const kits = example.kits.filter((k) => k.id === 'robot-1' || k.id === 'robot-2');
    const config = { ...example, kits, dataDir: dir, mqtt: { ...example.mqtt, enabled: false }, nodered: { ...example.nodered, lang: 'vi' as const } };
    gateway = await composeGateway(config, { log: createLogger('silent'), port: 0 });
    gateway.outbox.on('appended', (event) => published.push(event));
    await gateway.agent.waitForKits('connected', 20_000);
    expect(gateway.nodered?.state).toBe('running');
    const { chromium: pw } = createRequire(import.meta.url)('playwright-core') as typeof import('playwright-core');
    browser = await pw.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await gateway?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** What the page's confirmation dialogs are answered, and what they asked. */
  const dialogs = { accept: true, asked: [] as string[] };

  async function loggedIn(username: string, password: string, tiles: number): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
    const page = await context.newPage();
    page.on('dialog', (dialog) => {
      dialogs.asked.push(dialog.message());
      void (dialogs.accept ? dialog.accept() : dialog.dismiss());
    });
    await page.goto(`${gateway.api.url}/console/`);
    await page.fill('input[name=username]', username);
    await page.fill('input[name=password]', password);
    await page.click('#login button[type=submit]');
    await expect.poll(() => page.locator('#room').isVisible()).toBe(true);
    await expect.poll(() => page.locator('.tile').count()).toBe(tiles);
    return page;
  }

  /** Node-RED's admin API as the editor calls it, with the account's editor token. */
  async function editor(username: string, password: string) {
    const res = await fetch(`${gateway.api.url}/auth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ client_id: 'node-red-editor', grant_type: 'password', scope: '', username, password }),
    });
    const { access_token: token } = (await res.json()) as { access_token: string };
    return async (method: 'GET' | 'POST', path: string, body?: unknown) => {
      const reply = await fetch(`${gateway.api.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return { status: reply.status, body: (await reply.json().catch(() => undefined)) as unknown };
    };
  }

  const motorPins = (kit: string) => MOTOR_PINS.map((pin) => gateway.simulator!.board(kit).pinState(pin).value);

  it('a teacher starts a session with two teams and deploys the lesson: a tab per team, the kits keep the session\'s tags', async () => {
    teacherPage = await loggedIn('teacher', accounts.teacher.password, 2);
    const page = teacherPage;
    await page.selectOption('#club-lesson', LESSON);
    await page.fill('#club-class', '8B');
    const rows = page.locator('.team-row');
    await rows.nth(0).locator('[name=team-name]').fill('Đội Sao');
    await rows.nth(0).locator('[name=team-kit]').selectOption('robot-1');
    await rows.nth(0).locator('[name=team-members]').fill('student-1 student-2');
    await rows.nth(1).locator('[name=team-name]').fill('Đội Trăng');
    await rows.nth(1).locator('[name=team-kit]').selectOption('robot-2');
    await rows.nth(1).locator('[name=team-members]').fill('student-3');
    // The form is rebuilt on a language switch and on adding a team: what was typed stays, and an
    // untouched team name follows the language.
    await page.click('#club-add-team');
    await page.click('#lang');
    await expect.poll(() => rows.nth(2).locator('[name=team-name]').inputValue()).toBe('Team 3');
    expect(await page.inputValue('#club-class')).toBe('8B');
    expect(await page.inputValue('#club-lesson')).toBe(LESSON);
    expect(await rows.nth(0).locator('[name=team-name]').inputValue()).toBe('Đội Sao');
    expect(await rows.nth(1).locator('[name=team-kit]').inputValue()).toBe('robot-2');
    expect(await rows.nth(1).locator('[name=team-members]').inputValue()).toBe('student-3');
    await page.click('#club-remove-team');
    await page.click('#lang');
    await expect.poll(() => rows.count()).toBe(2);
    expect(await rows.nth(0).locator('[name=team-members]').inputValue()).toBe('student-1 student-2');
    await page.click('#club-start');
    await expect.poll(() => page.locator('#club-teams-table tbody tr').count()).toBe(2);
    await expect.poll(() => page.locator('.tile[data-kit=robot-2] .team').textContent()).toBe('Nhóm: Đội Trăng');

    await page.click('#club-deploy');
    await expect.poll(() => page.locator('#club-deployed').isVisible(), { timeout: 20_000 }).toBe(true);
    const session = gateway.club.current()!;
    const tabs = session.deploys[0]!.tabs;
    expect(Object.values(tabs).sort()).toEqual(['team-1', 'team-2']);
    // The lesson's usage node tagged its kit on deploy; the session's tag (class, team) stands.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(gateway.usage.purposeOf('robot-2')).toEqual({ kind: 'club-session', lessonId: LESSON, classId: '8B', clubSessionId: session.id, teamId: 'team-2', by: 'teacher' });
  }, 60_000);

  it('the teams start their flows and the robots drive; a team\'s check shows on the teacher\'s page as it comes', async () => {
    const page = teacherPage;
    const session = gateway.club.current()!;
    const teacher = await editor('teacher', accounts.teacher.password);
    const flows = ((await teacher('GET', '/flows')).body as FlowNode[]);
    // Each team's tab is all its members': any of them presses its Go button in the editor; the other team's is refused them.
    const tabs = session.deploys[0]!.tabs;
    const tabOf = (team: string) => Object.keys(tabs).find((tab) => tabs[tab] === team)!;
    const goOf = (team: string) => flows.find((n) => n.z === tabOf(team) && n.type === 'inject' && n.name === 'Chạy / Go')!;
    const owner = (team: string) => (flows.find((n) => n.id === tabOf(team)) as { env?: Array<{ name: string; value: string }> }).env?.find((e) => e.name === 'STEMLAB_OWNER')?.value;
    expect([owner('team-1'), owner('team-2')]).toEqual(['student-1,student-2', 'student-3']);
    const student1 = await editor('student-1', accounts.students[0]!.password);
    expect((await student1('POST', `/inject/${goOf('team-2').id}`)).status).toBe(403);
    expect((await student1('POST', `/inject/${goOf('team-1').id}`)).status).toBe(200);
    const student2 = await editor('student-2', accounts.students[1]!.password);
    expect((await student2('POST', `/inject/${goOf('team-1').id}`)).status).toBe(200);
    expect((await student2('POST', `/inject/${goOf('team-2').id}`)).status).toBe(403);
    const student3 = await editor('student-3', accounts.students[2]!.password);
    expect((await student3('POST', `/inject/${goOf('team-2').id}`)).status).toBe(200);
    for (const kit of ['robot-1', 'robot-2']) await expect.poll(() => motorPins(kit).every((v) => v > 0)).toBe(true);
    await expect.poll(() => page.locator('.tile[data-kit=robot-1] .driver').getAttribute('data-driver')).toMatch(/^flow:/);
    expect(await page.locator('.tile[data-kit=robot-1] .driver').textContent()).toBe('Chương trình điều khiển: luồng bài học của nhóm Đội Sao');

    // Team 2 (student-3) checks its tab from the editor's sidebar.
    const tab2 = Object.entries(session.deploys[0]!.tabs).find(([, team]) => team === 'team-2')![0];
    const kitNodes = flows.filter((n) => n.type === 'stemlab-kit');
    const tabFlow = [...flows.filter((n) => n.id === tab2 || n.z === tab2), ...kitNodes.filter((k) => flows.some((n) => n.z === tab2 && n.kit === k.id))];
    const checked = await student3('POST', '/stemlab/check', { lesson: LESSON, flow: tabFlow, lang: 'vi' });
    expect(checked.status).toBe(200);
    const status = (checked.body as { status: string }).status;
    expect(['pass', 'fail']).toContain(status);
    await expect.poll(() => page.locator('.verdict[data-team=team-2]').getAttribute('data-status')).toBe(status);
    expect(await page.locator('.verdict[data-team=team-1]').getAttribute('data-status')).toBe('');
    await docsScreenshot(page, join(import.meta.dirname, '../../../docs/images/club-session.png'), { fullPage: true });
  }, 120_000);

  it('a student sees only their team\'s kit, no reset; the reset and another team\'s kit are refused (403)', async () => {
    gateway.agent.estop.trigger('test');
    const page = await loggedIn('student-1', accounts.students[0]!.password, 1);
    expect(await page.locator('.tile').getAttribute('data-kit')).toBe('robot-1');
    expect(await page.locator('#reset').isHidden()).toBe(true);
    await expect.poll(() => page.locator('#club-my-team').textContent()).toContain('Đội Sao');
    const replies = await page.evaluate(async () => {
      const post = (path: string) => fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      const reset = await post('/api/v1/estop/reset');
      const other = await fetch('/api/v1/club/kits/robot-2');
      const mine = await fetch('/api/v1/club/kits/robot-1');
      const end = await post('/api/v1/club/sessions/x/deploy');
      return [reset.status, ((await reset.json()) as { code: string }).code, other.status, ((await other.json()) as { code: string }).code, mine.status, end.status];
    });
    expect(replies).toEqual([403, 'FORBIDDEN', 403, 'NOT_YOUR_TEAM', 200, 403]);
    expect(gateway.agent.estop.latched).toBe(true);
    gateway.agent.estop.reset('test');
    await page.context().close();
  }, 30_000);

  it('the e-stop on the page stops every motor; the teacher resets it and hands a kit back to its team\'s flow', async () => {
    const page = teacherPage;
    const teacher = await editor('teacher', accounts.teacher.password);
    const flows = ((await teacher('GET', '/flows')).body as FlowNode[]);
    for (const tab of Object.keys(gateway.club.current()!.deploys[0]!.tabs)) {
      const go = flows.find((n) => n.z === tab && n.type === 'inject' && n.name === 'Chạy / Go')!;
      await teacher('POST', `/inject/${go.id}`);
    }
    for (const kit of ['robot-1', 'robot-2']) await expect.poll(() => motorPins(kit).every((v) => v > 0)).toBe(true);
    await page.click('#estop');
    await expect.poll(() => gateway.agent.estop.latched).toBe(true);
    for (const kit of ['robot-1', 'robot-2']) await expect.poll(() => motorPins(kit)).toEqual([0, 0]);
    await expect.poll(() => page.locator('#banner').textContent()).toContain('DỪNG KHẨN CẤP');
    await page.click('#reset');
    await expect.poll(() => gateway.agent.estop.latched).toBe(false);
    expect(motorPins('robot-1')).toEqual([0, 0]);

    await page.locator('.tile[data-kit=robot-1] .free').click();
    await expect.poll(() => gateway.agent.drivers.holder('robot-1')).toBeUndefined();
    await page.locator('.tile[data-kit=robot-1] .hand-over').click();
    const tab1 = Object.entries(gateway.club.current()!.deploys[0]!.tabs).find(([, team]) => team === 'team-1')![0];
    await expect.poll(() => gateway.agent.drivers.holder('robot-1')?.driver).toBe(`flow:${tab1}`);
    await expect.poll(() => page.locator('.tile[data-kit=robot-1] .driver').getAttribute('data-driver')).toBe(`flow:${tab1}`);
  }, 30_000);

  it('ends the session; the summary\'s minutes per kit are those of the usage records the agent published', async () => {
    const page = teacherPage;
    const id = gateway.club.current()!.id;
    await page.click('#club-end');
    await expect.poll(() => page.locator('#summary-links').isVisible()).toBe(true);
    expect(gateway.club.get(id).state).toBe('ended');

    const kitEnds = published.filter((e): e is SessionEnd => e.type === 'session.end' && e.device.component === null && e.session.purpose.clubSessionId === id);
    expect(new Set(kitEnds.map((e) => e.device.kit))).toEqual(new Set(['robot-1', 'robot-2']));
    for (const e of kitEnds) {
      expect(e.session.purpose).toMatchObject({ kind: 'club-session', lessonId: LESSON, classId: '8B', teamId: e.device.kit === 'robot-1' ? 'team-1' : 'team-2' });
    }
    const minutes = (kit: string) => Math.round(kitEnds.filter((e) => e.device.kit === kit).reduce((sum, e) => sum + e.session.durationMs, 0) / 6000) / 10;

    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#summary-links a').nth(1).click()]);
    const csv = readFileSync((await download.path())!, 'utf8').replace(/^\ufeff/, '');
    const lines = csv.trim().split('\r\n');
    const head = lines.findIndex((line) => line.startsWith('Nhóm,'));
    const header = lines[head]!.split(',');
    const column = header.indexOf('Số phút sử dụng');
    const byKit = Object.fromEntries(lines.slice(head + 1).map((line) => line.split(',')).map((cells) => [cells[1], Number(cells[column])]));
    expect(byKit).toEqual({ 'robot-1': minutes('robot-1'), 'robot-2': minutes('robot-2') });
    for (const kit of ['robot-1', 'robot-2']) expect(kitEnds.filter((e) => e.device.kit === kit).reduce((sum, e) => sum + e.session.durationMs, 0)).toBeGreaterThan(0);

    const [xlsx] = await Promise.all([page.waitForEvent('download'), page.locator('#summary-links a').nth(2).click()]);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(readFileSync((await xlsx.path())!).buffer as ArrayBuffer);
    const sheet = wb.getWorksheet('Tổng kết')!;
    expect([2, 3].map((r) => [sheet.getRow(r).getCell(2).value, sheet.getRow(r).getCell(7).value])).toEqual([['robot-1', minutes('robot-1')], ['robot-2', minutes('robot-2')]]);

    const printable = await page.context().newPage();
    await printable.goto(`${gateway.api.url}/console/summary.html?id=${id}`);
    await expect.poll(() => printable.locator('#summary-table tbody tr').count()).toBe(2);
    expect(await printable.locator('tr[data-team=team-2] .minutes').textContent()).toBe(String(minutes('robot-2')));
    await printable.close();
  }, 30_000);

  it('a technician self-tests a kit from the page only after saying yes, and sees its result and fault history', async () => {
    const page = await loggedIn('technician', accounts.technician.password, 2);
    const row = page.locator('#care-table tr[data-kit=robot-1]');
    await expect.poll(() => row.count()).toBe(1);
    dialogs.accept = false;
    dialogs.asked.length = 0;
    await row.locator('.selftest-kit').click();
    await expect.poll(() => dialogs.asked.length).toBe(1);
    expect(dialogs.asked[0]).toContain('động cơ');
    await new Promise((resolve) => setTimeout(resolve, 300));
    const care = (await (await fetch(`${gateway.api.url}/api/v1/club/kit-care`, { headers: { authorization: `Bearer ${gateway.api.auth.token}` } })).json()) as { kits: Array<{ kit: string; selftests: unknown[] }> };
    expect(care.kits.find((k) => k.kit === 'robot-1')!.selftests).toEqual([]);
    dialogs.accept = true;
    await row.locator('.selftest-kit').click();
    await expect.poll(() => row.locator('.selftest').getAttribute('data-status'), { timeout: 15_000 }).toBe('pass');
    expect(await row.locator('.selftest').textContent()).toContain('technician');
    expect(await page.locator('#care-table tr[data-kit=robot-2] .selftest').getAttribute('data-status')).toBe('');
    // robot-2's cable is pulled: its fault history (kept on the gateway) shows it after a reload.
    gateway.simulator!.port('robot-2').unplug();
    await gateway.agent.waitForKits('disconnected', 10_000, ['robot-2']);
    await page.reload();
    await expect.poll(() => page.locator('#care-table tr[data-kit=robot-2] .faults').textContent()).toContain('đã rút cáp');
    expect(await page.locator('#care-table tr[data-kit=robot-1] .selftest').getAttribute('data-status')).toBe('pass');
    // Its self-test fails and says why in the reader's language.
    const unplugged = page.locator('#care-table tr[data-kit=robot-2] .selftest');
    await page.locator('#care-table tr[data-kit=robot-2] .selftest-kit').click();
    await expect.poll(() => unplugged.getAttribute('data-status'), { timeout: 15_000 }).toBe('fail');
    expect(await unplugged.textContent()).toContain('mất kết nối: ');
    await page.click('#lang');
    await expect.poll(() => unplugged.textContent()).toContain('disconnected: ');
    await page.context().close();
  }, 30_000);
});
