/**
 * The dashboard's unit statuses (api/unit-status.ts) and live updates, in a real headless
 * Chromium against a real central (MQTT and HTTP on port 0, real SQLite, the shipped registry):
 * the status cards equal the truth of events this test controls (one unit in each status); a
 * real MQTT gateway whose connection drops shows offline within seconds without a reload (the
 * ledger's change → the SSE stream → the page); the alert feed (JSON, RSS) is role-checked; the
 * phone view has no table running off the screen; no English is left in the Vietnamese page.
 * STEMLAB_UPDATE_SCREENSHOTS=1 saves screenshots of the overview (desktop, phone) to docs/images/.
 */
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { topics, usageEventSchema } from '@stemlab/protocol';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertAvailable, shouldRun } from '../../testing/requirements.ts';
import { chromium, CHROMIUM, CHROMIUM_ARGS } from '../../testing/services.ts';
import { unitStatusOf } from '../src/api/unit-status.ts';
import { createUser } from '../src/api/users.ts';
import { openCentralState } from '../src/central-state/state.ts';
import { FLEET } from '../src/registry/fleet.ts';
import { birth, connectGateway, publishUsage, sessionStart, startTestCentral, until, will, type TestCentral } from './helpers.ts';
import { docsScreenshot } from '../../testing/screenshots.ts';
import { logIn as logInAs, watchedPage } from '../../testing/dashboard-page.ts';

const DAY = 86_400_000;
const PASSWORD = 'correct horse battery';
const IMAGES = join(import.meta.dirname, '../../docs/images');

describe('unitStatusOf: the one definition', () => {
  const now = Date.UTC(2026, 2, 10, 9);
  it('takes the first rule that holds', () => {
    expect(unitStatusOf({ online: false, lastSeen: null, lastUsed: null, openSessions: 0 }, now)).toBe('never-installed');
    expect(unitStatusOf({ online: true, lastSeen: now, lastUsed: now, openSessions: 1 }, now)).toBe('in-use');
    // An open session on a gateway gone offline is not "in use now".
    expect(unitStatusOf({ online: false, lastSeen: now - DAY, lastUsed: now - DAY, openSessions: 1 }, now)).toBe('active');
    expect(unitStatusOf({ online: false, lastSeen: now - 4 * DAY, lastUsed: now - 4 * DAY, openSessions: 0 }, now)).toBe('silent');
    expect(unitStatusOf({ online: false, lastSeen: now - 4 * DAY, lastUsed: null, openSessions: 0 }, now, 5)).toBe('idle');
    expect(unitStatusOf({ online: true, lastSeen: now, lastUsed: now - 8 * DAY, openSessions: 0 }, now)).toBe('idle');
    expect(unitStatusOf({ online: true, lastSeen: now, lastUsed: now - 6 * DAY, openSessions: 0 }, now)).toBe('active');
  });
});

const browserOk = chromium();

describe.runIf(shouldRun('unit statuses and live updates in headless Chromium', browserOk))('unit statuses and live updates in headless Chromium', () => {
  let central: TestCentral;
  let browser: Browser;
  const problems: string[] = [];
  const robots = FLEET.filter((u) => u.kind === 'robot-club');
  // One unit per status; every other unit is never installed.
  const [live, active, idle, silent] = robots as [typeof FLEET[number], typeof FLEET[number], typeof FLEET[number], typeof FLEET[number]];
  const gw = (u: typeof live) => u.gateways[0]!;

  beforeAll(async () => {
    central = await startTestCentral({ http: { host: '127.0.0.1', port: 0 } });
    const db = await openCentralState(undefined, central.dataDir);
    try {
      await createUser(db, { username: 'so.gd', password: PASSWORD, role: 'viewer' }, 'setup');
      await createUser(db, { username: 'co.lan', password: PASSWORD, role: 'teacher', unit: active.id }, 'setup');
    } finally {
      await db.close();
    }
    const now = Date.now();
    const used2DaysAgo = usageEventSchema.parse({ ...sessionStart(1, { at: now - 2 * DAY }), session: { id: randomUUID(), startedAt: now - 2 * DAY, purpose: { kind: 'club-session' } } });
    await central.ledger.insertBatch([
      { kind: 'gateway-state', unit: active.id, gateway: gw(active), receivedAt: now, state: birth(1) },
      { kind: 'usage', unit: active.id, gateway: gw(active), receivedAt: now, event: used2DaysAgo },
      { kind: 'telemetry', unit: active.id, gateway: gw(active), kit: 'bench-1', component: 'air', receivedAt: now, telemetry: { value: { celsius: -50 }, at: now } },
      { kind: 'telemetry', unit: active.id, gateway: gw(active), kit: 'robot-1', component: 'sonar', receivedAt: now, telemetry: { value: { cm: 120 }, at: now } },
      { kind: 'kit-state', unit: active.id, gateway: gw(active), kit: 'robot-1', receivedAt: now - 60_000, state: { state: 'disconnected', at: now - 60_000, clock: { synced: true, bootId: 'boot-1', uptimeMs: 1000 } } },
      { kind: 'kit-state', unit: active.id, gateway: gw(active), kit: 'robot-1', receivedAt: now, state: { state: 'connected', at: now, clock: { synced: true, bootId: 'boot-1', uptimeMs: 61_000 } } },
      { kind: 'gateway-state', unit: idle.id, gateway: gw(idle), receivedAt: now, state: birth(1) },
      { kind: 'gateway-state', unit: silent.id, gateway: gw(silent), receivedAt: now - 10 * DAY, state: birth(1) },
      { kind: 'gateway-state', unit: silent.id, gateway: gw(silent), receivedAt: now - 10 * DAY, state: will(1) },
    ]);
    const { chromium: pw } = createRequire(import.meta.url)('playwright-core') as typeof import('playwright-core');
    browser = await pw.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  }, 30_000);

  afterAll(async () => {
    await browser?.close();
    await central?.cleanup();
  });

    const newPage = (viewport?: { width: number; height: number }) => watchedPage(browser, `${central.httpUrl}/`, problems, viewport);

    const logIn = (page: Page, username: string) => logInAs(page, username, PASSWORD);

  const count = (page: Page, status: string) => page.locator(`.status-card[data-status="${status}"] .stat-value`).innerText();
  const rowStatus = (page: Page, id: string) => page.locator(`tr[data-unit="${id}"]`).getAttribute('data-status');

  it('counts each status as the seeded truth, shows a dropped gateway offline within seconds without reload', async () => {
    assertAvailable('Chromium and playwright-core', browserOk);
    // A real gateway over MQTT: online (its birth), a session started (in use now).
    const client = await connectGateway(central, { unit: live.id, gateway: gw(live), bdSeq: 1 });
    await client.publishAsync(topics.gatewayState(live.id, gw(live)), JSON.stringify(birth(1)), { qos: 1, retain: true });
    await publishUsage(client, sessionStart(1), live.id, gw(live));
    await until(central, async () => (await central.ledger.unitActivity(0)).get(live.id)?.openSessions === 1);

    const page = await newPage();
    await logIn(page, 'so.gd');
    await page.getByRole('heading', { name: 'Tổng quan thiết bị các đơn vị' }).waitFor();
    const truth = { 'in-use': 1, active: 1, idle: 1, silent: 1, 'never-installed': FLEET.length - 4 };
    for (const [status, n] of Object.entries(truth)) expect(await count(page, status), status).toBe(String(n));
    // Sorted by status: the live unit first; the list is compact (a page of 25, not 109 rows).
    expect(await page.locator('table.units tbody tr').first().getAttribute('data-unit')).toBe(live.id);
    expect(await page.locator('table.units tbody tr').count()).toBe(25);
    await page.getByText('Cập nhật trực tiếp').waitFor();
    await docsScreenshot(page, join(IMAGES, 'dashboard-overview.png'));

    // The gateway's connection drops: the broker sends its will; the page follows, no reload.
    const navigations: string[] = [];
    page.on('framenavigated', (f) => navigations.push(f.url()));
    client.stream.destroy();
    await expect.poll(() => rowStatus(page, live.id), { timeout: 8000 }).toBe('active');
    expect(await count(page, 'in-use')).toBe('0');
    expect(await count(page, 'active')).toBe('2');
    expect(await page.locator(`tr[data-unit="${live.id}"] .off`).innerText()).toBe('0 / 1');
    expect(navigations).toEqual([]);

    // The status card filters the list; the column sorts.
    await page.locator('.status-card[data-status="silent"]').click();
    await expect.poll(() => page.locator('table.units tbody tr').count()).toBe(1);
    expect(await rowStatus(page, silent.id)).toBe('silent');
    await page.locator('.status-card[data-status="silent"]').click();

    // No English left in the Vietnamese page; then every label switches.
    const text = await page.locator('main').innerText();
    for (const word of ['Status', 'Never', 'Active', 'Idle', 'Silent', 'Units', 'Last seen', 'Show']) expect(text, word).not.toContain(word);
    await page.getByRole('button', { name: 'English', exact: true }).click();
    await page.getByRole('heading', { name: "Units' equipment overview" }).waitFor();
    expect(await page.locator('.status-card[data-status="never-installed"] .stat-label').innerText()).toBe('Never installed');
    await page.context().close();
  }, 40_000);

  it('shows the overview on a phone without anything wider than the screen', async () => {
    assertAvailable('Chromium and playwright-core', browserOk);
    const page = await newPage({ width: 375, height: 740 });
    await logIn(page, 'so.gd');
    await page.locator('table.units tbody tr').first().waitFor();
    expect(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth')).toBe(true);
    await docsScreenshot(page, join(IMAGES, 'dashboard-overview-phone.png'));
    await page.context().close();
  }, 30_000);

  it("shows a teacher their unit: readable values, the impossible one flagged, the kits' history", async () => {
    assertAvailable('Chromium and playwright-core', browserOk);
    const page = await newPage({ width: 375, height: 740 });
    await logIn(page, 'co.lan');
    await page.getByRole('heading', { name: active.name.vi }).waitFor();
    expect(await page.locator('.subtitle .badge').innerText()).toBe('Hoạt động (7 ngày qua)');
    const readings = page.getByRole('table', { name: 'Số đo mới nhất' });
    await readings.getByRole('cell', { name: '120 cm' }).waitFor();
    expect(await readings.locator('.out-of-range').innerText()).toMatch(/^[-−]50,0 °C ngoài ngưỡng/);
    const history = page.getByRole('table', { name: 'Lịch sử sự kiện của bộ thiết bị' });
    expect(await history.locator('tbody tr .badge').allInnerTexts()).toEqual(['Đã kết nối / đã sửa', 'Bị rút ra']);
    expect(await page.locator('main').innerText()).not.toContain('{');
    expect(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth')).toBe(true);
    await docsScreenshot(page, join(IMAGES, 'dashboard-unit-phone.png'), { fullPage: true });
    // The overview is not theirs: sent back to their unit.
    await page.goto(`${central.httpUrl}/#/`);
    await page.getByRole('heading', { name: active.name.vi }).waitFor();
    await page.context().close();
  }, 30_000);

  it('serves the alert feed, JSON and RSS, each role seeing its own', async () => {
    const login = async (username: string) => ((await (await fetch(`${central.httpUrl}/api/v1/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password: PASSWORD }) })).json()) as { token: string }).token;
    const get = (path: string, token?: string) => fetch(`${central.httpUrl}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
    expect((await get('/api/v1/alerts')).status).toBe(401);
    const viewer = await login('so.gd');
    const all = (await (await get('/api/v1/alerts', viewer)).json()) as { alerts: Array<{ kind: string; unit: string; text: { vi: string } }> };
    // The silent unit's gateway: offline 10 days.
    expect(all.alerts).toContainEqual(expect.objectContaining({ kind: 'gateway-offline', unit: silent.id }));
    const rss = await get('/api/v1/alerts.rss?lang=vi', viewer);
    expect(rss.headers.get('content-type')).toBe('application/rss+xml; charset=utf-8');
    expect(await rss.text()).toContain(`${silent.id}: Gateway ${gw(silent)} ngoại tuyến`);
    const teacher = await login('co.lan');
    const own = (await (await get('/api/v1/alerts', teacher)).json()) as { alerts: Array<{ unit: string }> };
    expect(own.alerts.every((a) => a.unit === active.id)).toBe(true);
    expect((await get('/api/v1/live', teacher)).headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
  });

  it('had no console error and no CSP violation on any page', () => {
    expect(problems).toEqual([]);
  });
});
