/**
 * The department's dashboard (src/dashboard/). Protects: the files are served with a strict
 * Content-Security-Policy, their content types and revalidating cache headers, and nothing
 * inline; every text exists in Vietnamese and English; and, in a real headless Chromium against
 * a real central (HTTP on port 0, real SQLite, the shipped registry): the log-in and its
 * bilingual errors (wrong password, too many attempts, session expired), the overview's counts
 * and filters, the unit page, the reports page and its download, the admin page creating a
 * teacher, and that teacher seeing only their unit on a phone-sized screen, with no console
 * error and no CSP violation anywhere.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertAvailable, shouldRun } from '../../testing/requirements.ts';
import { chromium, CHROMIUM, CHROMIUM_ARGS } from '../../testing/services.ts';
import { buildApi } from '../src/api/server.ts';
import { createUser, roles } from '../src/api/users.ts';
import { CONTENT_SECURITY_POLICY } from '../src/dashboard/serve.ts';
import { openLedger, type Ledger } from '../src/ledger/ledger.ts';
import { FLEET, unitKinds, unitLevels } from '../src/registry/fleet.ts';
import { quarterlyReport } from '../src/reports/quarterly.ts';
import { openCentralState } from '../src/central-state/state.ts';
import { birth, clock, sessionStart, startTestCentral, tmpDir, type TestCentral } from './helpers.ts';
import { logIn as logInAs, watchedPage } from '../../testing/dashboard-page.ts';

const DIR = join(import.meta.dirname, '../src/dashboard');
const PASSWORD = 'correct horse battery';

describe('serving the dashboard', () => {
  let dir: ReturnType<typeof tmpDir>;
  let ledger: Ledger;
  let app: ReturnType<typeof buildApi>;
  beforeAll(async () => {
    dir = tmpDir();
    const file = join(dir.dir, 'ledger.sqlite');
    ledger = await openLedger({ kind: 'sqlite', file });
    // The ledger's own driver: the state's tables are in the same file.
    app = buildApi({ db: ledger.sql, ledger });
  });
  afterAll(async () => {
    await app.close();
    await ledger.close();
    dir.remove();
  });

  it('serves / and its files with the CSP, their content types and an ETag to revalidate', async () => {
    for (const [url, type] of [
      ['/', 'text/html; charset=utf-8'],
      ['/dashboard/app.js', 'text/javascript; charset=utf-8'],
      ['/dashboard/style.css', 'text/css; charset=utf-8'],
      ['/dashboard/icon.svg', 'image/svg+xml'],
    ]) {
      const res = await app.inject({ url });
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['content-type']).toBe(type);
      expect(res.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['cache-control']).toBe('no-cache');
      const again = await app.inject({ url, headers: { 'if-none-match': res.headers.etag as string } });
      expect(again.statusCode).toBe(304);
      expect(again.body).toBe('');
    }
    expect(CONTENT_SECURITY_POLICY).toContain("script-src 'self'");
    expect(CONTENT_SECURITY_POLICY).not.toContain('unsafe');
  });

  it('serves nothing else from the folder (no source, no traversal)', async () => {
    for (const url of ['/dashboard/serve.ts', '/dashboard/..%2Fapi%2Fusers.ts', '/dashboard/nothing.js']) {
      const res = await app.inject({ url });
      expect(res.statusCode, url).toBe(404);
      expect(res.json()).toMatchObject({ code: 'NOT_FOUND' });
    }
  });

  it('has no inline script, style or handler in its HTML', () => {
    const html = readFileSync(join(DIR, 'index.html'), 'utf8');
    for (const tag of html.match(/<script\b[^>]*>/g) ?? []) expect(tag).toMatch(/\ssrc="/);
    expect(html).not.toMatch(/<style|\sstyle=|\son[a-z]+=/i);
    for (const file of readdirSync(DIR).filter((f) => f.endsWith('.js'))) expect(readFileSync(join(DIR, file), 'utf8'), file).not.toMatch(/\.innerHTML\s*=|insertAdjacentHTML|eval\(|new Function/);
  });
});

describe('the texts', () => {
  it('has every key in both languages, none empty, and every key the pages use', async () => {
    // Imported by URL: the browser module has no type declarations, and needs none here.
    const { messages } = (await import(pathToFileURL(join(DIR, 'i18n.js')).href)) as { messages: Record<'vi' | 'en', Record<string, string>> };
    const vi = Object.keys(messages.vi).sort();
    expect(Object.keys(messages.en).sort()).toEqual(vi);
    for (const lang of ['vi', 'en'] as const) for (const [key, text] of Object.entries(messages[lang])) expect(text.trim(), `${lang} ${key}`).not.toBe('');
    // Placeholders match: a {name} in one language is in the other.
    for (const key of vi) expect(messages.en[key]!.match(/\{\w+\}/g)?.sort(), key).toEqual(messages.vi[key]!.match(/\{\w+\}/g)?.sort());

    const namespaces = new Set(vi.map((k) => k.split('.')[0]));
    const sources = readdirSync(DIR)
      .filter((f) => /\.(js|html)$/.test(f) && f !== 'i18n.js')
      .map((f) => readFileSync(join(DIR, f), 'utf8'))
      .join('\n');
    const used = [...sources.matchAll(/['"]([a-z]+\.[a-zA-Z.-]+)['"]/g)].map((m) => m[1]!).filter((k) => namespaces.has(k.split('.')[0]!) && !/\.(js|css|svg|html)$/.test(k));
    expect(used.length).toBeGreaterThan(100);
    // Keys built at run time, from the values the central sends.
    const actions = ['seed', 'add', 'update', 'remove', 'user.create', 'user.update', 'user.disable', 'user.enable', 'user.password', 'session.login'];
    const dynamic = [
      ...unitKinds.flatMap((k) => [`kind.${k}`, `kinds.${k}`]),
      ...unitLevels.map((l) => `level.${l}`),
      ...roles.map((r) => `role.${r}`),
      ...['connected', 'disconnected', 'fault'].map((s) => `kitState.${s}`),
      ...['open', 'evicted'].map((s) => `gapStatus.${s}`),
      ...['complete', 'incomplete', 'no-data'].map((s) => `dataStatus.${s}`),
      ...['unit', 'user'].map((e) => `entity.${e}`),
      ...actions.map((a) => `action.${a}`),
      ...['csv', 'xlsx', 'json'].map((f) => `reports.${f}`),
      ...['lesson', 'experiment', 'club-session', 'class', 'free-practice'].map((k) => `purpose.${k}`),
      ...['idle', 'disconnect', 'fault', 'retag', 'shutdown', 'estop', 'crash'].map((r) => `endReason.${r}`),
      ...['robots', 'lab', 'classroom'].map((c) => `reports.category.${c}`),
    ];
    for (const key of [...used, ...dynamic]) expect(vi, key).toContain(key);
    // Every action the central audits has a name: the audit calls in the source.
    const server = ['../src/api/users.ts', '../src/registry/fleet.ts'].map((f) => readFileSync(join(import.meta.dirname, f), 'utf8')).join('\n');
    for (const m of server.matchAll(/audit\(db, [^,]+, [^,]+, '([a-z.]+)'/g)) expect(actions, m[1]).toContain(m[1]);
    expect(server).toMatch(/'user\.disable'/);
  });
});

const browserOk = chromium();

describe.runIf(shouldRun('the dashboard in headless Chromium', browserOk))('the dashboard in headless Chromium', () => {
  let central: TestCentral;
  let browser: Browser;
  const problems: string[] = [];
  const A = FLEET.find((u) => u.kind === 'robot-club' && u.district === 'q1')!;

  beforeAll(async () => {
    central = await startTestCentral({ http: { host: '127.0.0.1', port: 0 } });
    const db = await openCentralState(undefined, central.dataDir);
    try {
      await createUser(db, { username: 'admin', password: PASSWORD, role: 'admin' }, 'setup');
    } finally {
      await db.close();
    }
    const now = Date.now();
    const gw = A.gateways[0]!;
    await central.ledger.insertBatch([
      { kind: 'gateway-state', unit: A.id, gateway: gw, receivedAt: now, state: birth(1) },
      { kind: 'kit-state', unit: A.id, gateway: gw, kit: 'robot-1', receivedAt: now, state: { state: 'fault', reason: 'left motor stalled', at: now, clock: clock() } },
      { kind: 'usage', unit: A.id, gateway: gw, receivedAt: now, event: sessionStart(1, { at: now }) },
    ]);
    // The copy of 2025Q3 the central archived before that deadline.
    await central.archive!.write(await quarterlyReport(central.ledger, '2025Q3', { now: Date.UTC(2025, 8, 25, 9) }));
    const { chromium: pw } = createRequire(import.meta.url)('playwright-core') as typeof import('playwright-core');
    browser = await pw.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  }, 30_000);

  afterAll(async () => {
    await browser?.close();
    await central?.cleanup();
  });

  /** A fresh browser profile whose console errors, page errors and CSP violations are collected. */
    const newPage = (viewport?: { width: number; height: number }) => watchedPage(browser, `${central.httpUrl}/`, problems, viewport);

    const logIn = (page: Page, username: string, password = PASSWORD) => logInAs(page, username, password);

  it('logs in an admin in Vietnamese after bilingual errors; overview counts, filters, English; unit, reports and admin pages', async () => {
    assertAvailable('Chromium and playwright-core', browserOk);
    const page = await newPage();
    await expect.poll(() => page.locator('h1').innerText()).toBe('Đăng nhập');
    expect(await page.evaluate('document.documentElement.lang')).toBe('vi');

    // A wrong password: the error in Vietnamese, then in English after the switch.
    await logIn(page, 'admin', 'wrong password!');
    await page.getByRole('alert').getByText('Sai tên đăng nhập hoặc mật khẩu').waitFor();
    await page.getByRole('button', { name: 'English', exact: true }).click();
    await page.getByRole('alert').getByText('Wrong username or password').waitFor();
    await page.getByRole('button', { name: 'Tiếng Việt', exact: true }).click();
    await page.getByRole('heading', { name: 'Đăng nhập' }).waitFor();

    await logIn(page, 'admin');
    await page.getByRole('heading', { name: 'Tổng quan thiết bị các đơn vị' }).waitFor();
    const stat = (label: string) => page.locator('.stat', { hasText: label }).locator('.stat-value').innerText();
    expect(await stat('Câu lạc bộ robot STEM')).toBe('54');
    expect(await stat('Trung tâm thực hành, thí nghiệm')).toBe('28');
    expect(await stat('Lớp học thông minh')).toBe('27');
    expect(await stat('Gateway đang trực tuyến')).toBe(`1 / ${FLEET.length}`);
    expect(await page.locator('.status-card[data-status="never-installed"] .stat-value').innerText()).toBe(String(FLEET.length - 1));
    // A page of 25 units at first, not the whole fleet.
    expect(await page.locator('table.units tbody tr').count()).toBe(25);
    await page.screenshot({ path: '/tmp/dashboard.png', fullPage: false });

    // Filter by district (Quận 1), then search within it.
    const inQ1 = FLEET.filter((u) => u.district === 'q1');
    await page.getByLabel('Quận/huyện').selectOption('q1');
    await expect.poll(() => page.locator('.count').innerText()).toBe(`Đang hiển thị ${inQ1.length} / ${FLEET.length} đơn vị`);
    expect(await page.locator('table.units tbody tr').count()).toBe(inQ1.length);
    await page.getByLabel('Tìm kiếm').fill(A.name.vi.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/[đĐ]/g, 'd'));
    await expect.poll(() => page.locator('table.units tbody tr').count()).toBe(1);

    // English, remembered across a reload.
    await page.getByRole('button', { name: 'English', exact: true }).click();
    await page.getByRole('heading', { name: "Units' equipment overview" }).waitFor();
    await page.reload();
    await page.getByRole('heading', { name: "Units' equipment overview" }).waitFor();
    expect(await page.evaluate('document.documentElement.lang')).toBe('en');
    await page.getByLabel('District').selectOption('q1');
    await expect.poll(() => page.locator('.count').innerText()).toBe(`Showing ${inQ1.length} of ${FLEET.length} units`);

    // The unit page: the gateway online, the kit's fault and its reason.
    await page.getByRole('link', { name: A.name.en }).click();
    await page.getByRole('heading', { name: A.name.en }).waitFor();
    await page.getByRole('table', { name: 'Kits', exact: true }).getByRole('cell', { name: 'left motor stalled' }).waitFor();
    expect(await page.locator('.gateway .badge.ok').innerText()).toBe('Online');

    // The reports page: the quarter's per-unit summary, and a CSV download.
    await page.getByRole('link', { name: 'Quarterly reports' }).click();
    await page.getByRole('heading', { name: 'Quarterly equipment use report' }).waitFor();
    // Days to the next deadline (25/3, 25/6, 25/9, 25/12), in Ho Chi Minh City's calendar.
    await page.getByText(/days left to the report deadline \(25\/(3|6|9|12)\/\d{4}\)|The report is due today/).waitFor();
    await expect.poll(() => page.locator('.report table.report-units tbody tr').count()).toBe(FLEET.length);
    const [csv] = await Promise.all([page.waitForEvent('download'), page.getByRole('group', { name: 'Download:' }).getByRole('button', { name: 'CSV' }).click()]);
    expect(csv.suggestedFilename()).toMatch(/^stemlab-\d{4}Q[1-4]-en\.csv$/);
    expect(readFileSync((await csv.path())!, 'utf8')).toContain('Hours used');
    // The submitted copies: 2025Q3, written on time; its English workbook.
    const submitted = page.getByRole('table', { name: 'Submitted reports' });
    await submitted.getByRole('cell', { name: 'Q3 2025' }).waitFor();
    expect(await submitted.locator('.badge').innerText()).toBe('On time');
    const [xlsx] = await Promise.all([page.waitForEvent('download'), submitted.getByRole('button', { name: 'Excel (XLSX)' }).click()]);
    expect(xlsx.suggestedFilename()).toBe('stemlab-2025Q3-en.xlsx');

    // The admin page: create a teacher of unit A; the audit log shows it.
    await page.getByRole('link', { name: 'Administration' }).click();
    await page.getByRole('heading', { name: 'Create an account' }).waitFor();
    const create = page.locator('form', { has: page.getByRole('heading', { name: 'Create an account' }) });
    await create.getByLabel('Username').fill('co.lan');
    await create.getByLabel('Password').fill(PASSWORD);
    await create.getByLabel('Role').selectOption('teacher');
    await create.getByLabel('Unit').selectOption(A.id);
    await create.getByRole('button', { name: 'Create account' }).click();
    await page.getByRole('status').getByText('Account co.lan created.').waitFor();
    await page.getByRole('cell', { name: 'co.lan' }).first().waitFor();
    await page.locator('table', { hasText: 'Account created' }).waitFor();

    // The registry: add a unit, then remove it (two clicks); the audit log, filtered to units, shows both.
    const registry = page.locator('form', { has: page.getByLabel('Unit id') });
    await registry.getByLabel('Unit id').fill('thpt-q3-99');
    await registry.getByLabel('Level').selectOption('upper-secondary');
    await registry.getByLabel('District').selectOption('q3');
    await registry.getByLabel('Name (Vietnamese)').fill('Trường THPT Thử nghiệm');
    await registry.getByLabel('Name (English)').fill('Trial Upper-Secondary School');
    await registry.getByLabel('Gateways').fill('robot-club-1');
    await registry.getByRole('button', { name: 'Add unit' }).click();
    await page.getByRole('status').getByText('Unit thpt-q3-99 added.').waitFor();
    await page.getByLabel('Unit to edit').selectOption('thpt-q3-99');
    await page.getByRole('button', { name: 'Remove unit' }).click();
    await page.getByRole('button', { name: 'Click again to remove thpt-q3-99' }).click();
    await page.getByRole('status').getByText('Unit thpt-q3-99 removed.').waitFor();
    await page.getByLabel('Entity').selectOption('unit');
    await expect.poll(() => page.locator('table', { hasText: 'Unit removed' }).locator('tbody tr').first().innerText()).toMatch(/admin\s+Unit removed\s+Unit\s+thpt-q3-99/);
    await page.context().close();
  }, 30_000);

  it('shows a teacher only their unit, on a phone; refuses too many attempts; sends an expired session back to log-in', async () => {
    assertAvailable('Chromium and playwright-core', browserOk);
    const page = await newPage({ width: 375, height: 740 });
    await logIn(page, 'co.lan');
    await page.getByRole('heading', { name: A.name.vi }).waitFor();
    expect(await page.getByRole('link', { name: 'Đơn vị của tôi' }).getAttribute('href')).toBe(`#/unit/${A.id}`);
    expect(await page.getByRole('link', { name: 'Báo cáo quý' }).isVisible()).toBe(false);
    expect(await page.getByRole('link', { name: 'Quản trị' }).isVisible()).toBe(false);
    const other = FLEET.find((u) => u.id !== A.id)!;
    await page.goto(`${central.httpUrl}/#/unit/${other.id}`);
    await page.getByRole('alert').getByText('không được phép').waitFor();
    await page.getByRole('heading', { name: 'Không có quyền truy cập' }).waitFor();
    await page.goto(`${central.httpUrl}/#/reports`);
    await page.getByRole('alert').getByText('Tài khoản của bạn không được phép xem trang này.').waitFor();
    // Nothing wider than the phone's screen.
    expect(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth')).toBe(true);

    // The session ends on the server: the next page sends the teacher back to log in, saying why.
    const db = await openCentralState(undefined, central.dataDir);
    try {
      await db.run("DELETE FROM sessions WHERE username = 'co.lan'");
    } finally {
      await db.close();
    }
    await page.goto(`${central.httpUrl}/#/unit/${A.id}`);
    await page.getByText('Phiên làm việc đã hết hạn. Vui lòng đăng nhập lại.').waitFor();

    // Too many failed attempts: the wait, in minutes.
    for (let i = 0; i < 6; i++) await logIn(page, 'co.lan', `wrong password ${i}`);
    await page.getByRole('alert').getByText('Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau 15 phút.').waitFor();
    await page.context().close();
  }, 30_000);

  it('had no console error and no CSP violation on any page', () => {
    expect(problems).toEqual([]);
  });
});
