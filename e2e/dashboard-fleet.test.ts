/**
 * The department's dashboard in headless Chromium against a central that has lived a seeded
 * quarter of part of the fleet (8 robot clubs and 4 lab centres of the registry, 2 kits each:
 * timetable, Tết, breakdowns, repairs, outages) through the fleet simulator's real MQTT clients,
 * on the simulator's clock (the central's ingest and API share it, so "now" is the quarter's end):
 *
 *  - each role logs in and sees only what it may (the page and the API);
 *  - the status cards equal the simulator's truth (unitStatusOf applied to what the plan says);
 *    a gateway taken offline in the simulator shows offline within seconds, without reloading;
 *  - the trends' chart figures (their tables) equal the simulator's trend truth, exactly;
 *  - the district summary equals the truth per district, and a district lists its units;
 *  - a latched e-stop shows as a banner live, and goes at the reset; recent sessions show their purpose tags;
 *  - the report downloaded from the page equals the API's, byte for byte;
 *  - the language switch changes every label (no Vietnamese left in English, no English in Vietnamese);
 *  - nothing is wider than a phone's screen; no console error, no CSP violation.
 *
 * STEMLAB_UPDATE_SCREENSHOTS=1 saves the main views to docs/screenshots/ (docs/dashboard.md shows them). The seed
 * is printed; STEMLAB_FLEET_SEED replays one.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { connectAsync } from 'mqtt';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FLEET, startCentral, type Central } from '@stemlab/broker';
import { createLogger } from '@stemlab/edge-agent';
import { topics } from '@stemlab/protocol';
import { planFleet, quarterSpan, SimClock, trendTruth, type FleetPlan, type TrendTruth } from '@stemlab/simulators/fleet';
import { unitStatusOf, type UnitStatusKind } from '../broker/src/api/unit-status.ts';
import { createUser } from '../broker/src/api/users.ts';
import { openCentralState } from '../broker/src/central-state/state.ts';
import { fleetSpecs, playFleet, registryUnits } from '../cli/fleet/fleet.ts';
import type { MqttTwin } from '../cli/fleet/twin.ts';
import { assertAvailable, shouldRun } from '../testing/requirements.ts';
import { chromium, CHROMIUM, CHROMIUM_ARGS } from '../testing/services.ts';
import { OPEN_ANONYMOUS } from '../testing/anonymous-rights.ts';
import { docsScreenshot } from '../testing/screenshots.ts';
import { logIn as logInAs, watchedPage } from '../testing/dashboard-page.ts';

const QUARTER = '2026Q1';
const seed = Number(process.env.STEMLAB_FLEET_SEED ?? 16_2026);
const PASSWORD = 'dashboard fleet password';
const SHOTS = join(import.meta.dirname, '../docs/screenshots');
const STATUSES: UnitStatusKind[] = ['in-use', 'active', 'idle', 'silent', 'never-installed'];
const VIETNAMESE = /[àáạảãâầấậẩẫăằắặẳẵèéẹẻẽêềếệểễìíịỉĩòóọỏõôồốộổỗơờớợởỡùúụủũưừứựửữỳýỵỷỹđ]/i;
const districtOf = (unit: string) => FLEET.find((u) => u.id === unit)?.district ?? 'q1';

/** Each registry unit's status by the one definition, from what the plan says happened by `now`. */
function statusTruth(plan: FleetPlan, now: number): Map<string, UnitStatusKind> {
  const out = new Map<string, UnitStatusKind>(FLEET.map((u) => [u.id, 'never-installed']));
  for (const g of plan.gateways) {
    const online = g.online.some((o) => o.from <= now && (o.to > now || o.to >= plan.to));
    const lastSeen = online ? now : Math.max(...g.online.filter((o) => o.from <= now).map((o) => Math.min(o.to, now)));
    const used = g.happenings.filter((h) => (h.kind === 'session.start' || h.kind === 'session.end') && h.t <= now).map((h) => h.t);
    const open = g.happenings.filter((h) => h.kind === 'session.start' && h.t <= now && h.t >= now - 12 * 3_600_000 && !g.happenings.some((e) => e.kind === 'session.end' && e.session === h.session && e.t <= now)).length;
    out.set(g.spec.unit, unitStatusOf({ online, lastSeen, lastUsed: used.length ? Math.max(...used) : null, openSessions: open }, now));
  }
  return out;
}

/** Every sheet's name and cell values. */
async function workbookCells(file: Buffer): Promise<unknown> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(file as unknown as ArrayBuffer);
  return wb.worksheets.map((ws) => [ws.name, JSON.stringify(ws.getSheetValues())]);
}

const browserOk = chromium();

describe.runIf(shouldRun('the dashboard with a simulated fleet in headless Chromium', browserOk))('the dashboard with a simulated quarter of the fleet, in headless Chromium', () => {
  let dir: string;
  let central: Central;
  let clock: SimClock;
  let plan: FleetPlan;
  let truth: TrendTruth;
  let twins: MqttTwin[] = [];
  let browser: Browser;
  const problems: string[] = [];
  const token: Record<string, string> = {};

  beforeAll(async () => {
    console.log(`dashboard fleet: seed ${seed} (STEMLAB_FLEET_SEED=${seed} replays it)`);
    dir = mkdtempSync(join(tmpdir(), 'stemlab-dashboard-'));
    const span = quarterSpan(QUARTER);
    clock = new SimClock(span.from);
    central = await startCentral({
      dataDir: join(dir, 'central'), mqtt: { host: '127.0.0.1', port: 0 }, log: createLogger('silent'), security: OPEN_ANONYMOUS,
      reports: { archive: false }, ingest: { now: clock.now }, http: { host: '127.0.0.1', port: 0, now: clock.now },
    });
    plan = planFleet({ quarter: QUARTER, seed, gateways: fleetSpecs({ robotUnits: 8, labs: 4, robotsPerUnit: 2, benchesPerLab: 2 }), activity: 0.3, longOutageDays: 2, shortOutages: 1 });
    twins = (await playFleet({ plan, clock, mqttUrl: central.mqttUrl, ledger: central.ledger })).twins;
    await central.ingest.drain();
    truth = trendTruth(plan, districtOf);
    const db = await openCentralState(undefined, join(dir, 'central'));
    try {
      await createUser(db, { username: 'admin', password: PASSWORD, role: 'admin' }, 'setup');
      await createUser(db, { username: 'so.gd', password: PASSWORD, role: 'viewer' }, 'setup');
      await createUser(db, { username: 'co.lan', password: PASSWORD, role: 'teacher', unit: plan.gateways[0]!.spec.unit }, 'setup');
      await createUser(db, { username: 'thay.binh', password: PASSWORD, role: 'technician', unit: plan.gateways[1]!.spec.unit }, 'setup');
    } finally {
      await db.close();
    }
    for (const username of ['admin', 'so.gd', 'co.lan', 'thay.binh']) {
      const res = await fetch(`${central.httpUrl}/api/v1/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password: PASSWORD }) });
      token[username] = ((await res.json()) as { token: string }).token;
    }
    // The registry lists the simulated equipment (as an admin would), so a kit never used is known.
    for (const u of registryUnits(plan)) {
      const res = await fetch(`${central.httpUrl}/api/v1/units/${u.id}`, { method: 'PATCH', headers: { authorization: `Bearer ${token.admin}`, 'content-type': 'application/json' }, body: JSON.stringify({ equipment: u.equipment }) });
      expect(res.status).toBe(200);
    }
    const { chromium: pw } = createRequire(import.meta.url)('playwright-core') as typeof import('playwright-core');
    browser = await pw.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    for (const twin of twins) await twin.close();
    await central?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

    const newPage = (viewport?: { width: number; height: number }) => watchedPage(browser, `${central.httpUrl}/`, problems, viewport);

    const logIn = (page: Page, username: string) => logInAs(page, username, PASSWORD);

  const api = (path: string, who: string) => fetch(`${central.httpUrl}${path}`, { headers: { authorization: `Bearer ${token[who]}` } });
  const navLinks = async (page: Page) => (await page.locator('#nav a:visible').allInnerTexts()).map((s) => s.trim());
  const wideness = (page: Page) => page.evaluate('document.documentElement.scrollWidth <= window.innerWidth');

  it('counts each status as the simulation had it, and shows a gateway taken offline within seconds, without reloading', async () => {
    assertAvailable('Chromium and playwright-core', browserOk);
    const statuses = statusTruth(plan, clock.now());
    const page = await newPage();
    await logIn(page, 'so.gd');
    await page.getByRole('heading', { name: 'Tổng quan thiết bị các đơn vị' }).waitFor();
    const counts = Object.fromEntries(await Promise.all(STATUSES.map(async (s) => [s, Number(await page.locator(`.status-card[data-status="${s}"] .stat-value`).innerText())])));
    expect(counts).toEqual(Object.fromEntries(STATUSES.map((s) => [s, [...statuses.values()].filter((x) => x === s).length])));
    expect(counts['never-installed']).toBe(FLEET.length - 12);
    await page.getByText('Cập nhật trực tiếp').waitFor();
    await docsScreenshot(page, join(SHOTS, 'overview.png'));

    // The simulator takes a gateway's network away (no goodbye: the broker sends its will).
    const twin = twins.find((t) => t.spec.unit === plan.gateways[2]!.spec.unit)!;
    const row = page.locator(`tr[data-unit="${twin.spec.unit}"]`);
    expect(await row.locator('.ok').innerText()).toBe('1 / 1');
    const navigations: string[] = [];
    page.on('framenavigated', (f) => navigations.push(f.url()));
    const t0 = Date.now();
    await twin.apply({ t: clock.now(), kind: 'link', up: false, clean: false });
    await expect.poll(() => row.locator('.off').count(), { timeout: 8000 }).toBe(1);
    console.log(`dashboard fleet: gateway offline shown ${Date.now() - t0} ms after the simulator cut it`);
    expect(await row.locator('.off').innerText()).toBe('0 / 1');
    expect(navigations).toEqual([]);
    await twin.apply({ t: clock.now(), kind: 'link', up: true, clean: false });
    await expect.poll(() => row.locator('.ok').count(), { timeout: 8000 }).toBe(1);
    await page.context().close();
  }, 60_000);

  it('lets each role see only what it may, on the page and at the API', async () => {
    assertAvailable('Chromium and playwright-core', browserOk);
    const own = { 'co.lan': plan.gateways[0]!.spec.unit, 'thay.binh': plan.gateways[1]!.spec.unit };
    for (const [who, links] of [['admin', ['Tổng quan', 'Bản đồ', 'Xu hướng', 'Báo cáo quý', 'Quản trị']], ['so.gd', ['Tổng quan', 'Bản đồ', 'Xu hướng', 'Báo cáo quý']]] as const) {
      const page = await newPage();
      await logIn(page, who);
      await page.getByRole('heading', { name: 'Tổng quan thiết bị các đơn vị' }).waitFor();
      expect(await navLinks(page), who).toEqual(links);
      await page.context().close();
    }
    for (const [who, unit] of Object.entries(own)) {
      const page = await newPage({ width: 375, height: 740 });
      await logIn(page, who);
      const name = FLEET.find((u) => u.id === unit)!.name.vi;
      await page.getByRole('heading', { name }).waitFor();
      expect(await navLinks(page), who).toEqual(['Đơn vị của tôi']);
      for (const route of ['#/trends', '#/map', '#/reports', '#/admin']) {
        await page.goto(`${central.httpUrl}/${route}`);
        await page.getByRole('heading', { name: 'Không có quyền truy cập' }).waitFor();
      }
      // Another unit's page: refused by the API, said on the page.
      await page.goto(`${central.httpUrl}/#/unit/${plan.gateways[5]!.spec.unit}`);
      await page.getByRole('heading', { name: 'Không có quyền truy cập' }).waitFor();
      for (const path of [`/api/v1/trends?quarter=${QUARTER}`, `/api/v1/reports/quarterly?quarter=${QUARTER}`, `/api/v1/units/${plan.gateways[5]!.spec.unit}`]) expect((await api(path, who)).status, `${who} ${path}`).toBe(403);
      const units = (await (await api('/api/v1/units', who)).json()) as { units: Array<{ id: string }> };
      expect(units.units.map((u) => u.id)).toEqual([unit]);
      await page.context().close();
    }
    expect((await api('/api/v1/users', 'so.gd')).status).toBe(403);
    expect((await api('/api/v1/users', 'admin')).status).toBe(200);
  }, 60_000);

  it("draws the trends whose figures equal the simulation's truth", async () => {
    assertAvailable('Chromium and playwright-core', browserOk);
    const page = await newPage();
    await logIn(page, 'so.gd');
    await page.getByRole('link', { name: 'Xu hướng' }).click();
    await page.getByRole('heading', { name: 'Xu hướng sử dụng thiết bị' }).waitFor();
    await page.getByLabel('Quý', { exact: true }).selectOption(QUARTER);
    await Promise.all([page.waitForResponse((r) => r.url().includes(`/api/v1/trends?quarter=${QUARTER}`)), page.getByRole('button', { name: 'Xem xu hướng' }).click()]);
    await page.locator('#chart-categories canvas').first().waitFor();
    // The chart's figures: one row per week, one column per kind of equipment (robots, then lab).
    const matrix = (id: string, attr: string) =>
      page.locator(`#${id} table.figures tbody tr`).evaluateAll((rows, a) => rows.map((r) => [...r.querySelectorAll(`[${a}]`)].map((c) => Number(c.getAttribute(a)))), attr);
    const categories = await matrix('chart-categories', 'data-ms');
    expect(categories.length).toBe(truth.weeks.length);
    expect(categories).toEqual(truth.weeks.map((_, i) => [truth.categories.robots![i], truth.categories.lab![i]]));
    expect((await matrix('chart-faults', 'data-n')).map((r) => r[0])).toEqual(truth.faultsPerWeek);
    // Each unit's quarter, and the one unit's chart (the most used unit, first).
    const perUnit = await page.locator('table.per-unit tbody tr').evaluateAll((rows) => rows.map((r) => [r.querySelector('a')!.getAttribute('href')!.replace('#/unit/', ''), Number(r.querySelector('[data-ms]')!.getAttribute('data-ms'))] as const));
    const sum = (xs: number[]) => xs.reduce((a, x) => a + x, 0);
    for (const [unit, ms] of perUnit) expect(ms, unit).toBe(sum(truth.units[unit] ?? []));
    const top = perUnit[0]![0];
    expect((await matrix('chart-unit', 'data-ms')).map((r) => r[0])).toEqual(truth.units[top]);
    const total = Number(await page.locator('.stat[data-ms]').getAttribute('data-ms'));
    expect(total).toBe(sum(Object.values(truth.categories).flat()));
    expect(Number(await page.locator('.stat[data-faults]').getAttribute('data-faults'))).toBe(truth.faults);
    expect(Number(await page.locator('.stat[data-repairs]').getAttribute('data-repairs'))).toBe(truth.repairs);
    // The most used kit by the truth heads the list.
    const best = Object.entries(truth.kits).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]!;
    expect(Number(await page.locator('table.kits').first().locator('tbody tr').first().locator('[data-ms]').getAttribute('data-ms'))).toBe(best[1]);
    expect(await wideness(page)).toBe(true);
    // The charts, not the long tables below them.
    await docsScreenshot(page, join(SHOTS, 'trends.png'), { clip: { x: 0, y: 0, width: 1280, height: 1900 }, fullPage: true });
    await page.context().close();
  }, 60_000);

  it('colours the district map, sums each district as the truth has it, and lists a district\'s units', async () => {
    assertAvailable('Chromium and playwright-core', browserOk);
    const statuses = statusTruth(plan, clock.now());
    const page = await newPage();
    await logIn(page, 'so.gd');
    await page.getByRole('link', { name: 'Bản đồ' }).click();
    await page.getByRole('heading', { name: 'Bản đồ các quận, huyện' }).waitFor();
    expect(await page.locator('svg.district-map a[data-district]').count()).toBe(22);
    const rows = await page.locator('table.district-summary tbody tr').evaluateAll((trs) =>
      trs.map((tr) => [tr.querySelector('a')!.getAttribute('href')!.replace('#/map/', ''), Object.fromEntries([...tr.querySelectorAll('[data-status]')].map((c) => [c.getAttribute('data-status'), Number(c.getAttribute('data-n'))]))] as const),
    );
    const expected = (district: string) => Object.fromEntries(STATUSES.map((s) => [s, FLEET.filter((u) => u.district === district && statuses.get(u.id) === s).length]));
    expect(rows.length).toBe(new Set(FLEET.map((u) => u.district)).size);
    for (const [district, counts] of rows) expect(counts, district).toEqual(expected(district));
    // Click through: a district's shape lists its units.
    const district = districtOf(plan.gateways[0]!.spec.unit);
    // By keyboard: the shapes are links (a shape's box may hold a neighbour's cells, so no click at its centre).
    await page.locator(`svg.district-map a[data-district="${district}"]`).focus();
    await page.keyboard.press('Enter');
    const section = page.locator(`section[data-district="${district}"]`);
    await section.waitFor();
    expect(await section.locator('tbody tr').count()).toBe(FLEET.filter((u) => u.district === district).length);
    await docsScreenshot(page, join(SHOTS, 'map.png'), { clip: { x: 0, y: 0, width: 1280, height: 1000 }, fullPage: true });
    // Coloured by use: this quarter's kit-hours (the API's clock is at the quarter's end: 2026Q2 has none).
    await page.getByLabel('Tô màu theo').selectOption('use');
    await page.locator('table.district-summary [data-ms]').first().waitFor();
    await page.context().close();
  }, 60_000);

  it('shows a latched e-stop as a banner, live, and its reset; the recent sessions with their tags; complete data', async () => {
    assertAvailable('Chromium and playwright-core', browserOk);
    const g = plan.gateways[0]!;
    const page = await newPage();
    await logIn(page, 'co.lan');
    const name = FLEET.find((u) => u.id === g.spec.unit)!.name.vi;
    await page.getByRole('heading', { name }).waitFor();
    // The latest kit session of the plan heads the list, with its lesson and class.
    const last = g.happenings.filter((h) => h.kind === 'session.end' && h.device.component === null).sort((a, b) => (a.kind === 'session.end' && b.kind === 'session.end' ? b.endedAt - a.endedAt : 0))[0];
    if (last?.kind !== 'session.end') throw new Error('the plan has no session');
    const first = page.locator('table.sessions tbody tr').first();
    expect(await first.locator('td').nth(1).innerText()).toBe(last.device.kit);
    if (last.purpose.classId) expect(await first.innerText()).toContain(`Lớp ${last.purpose.classId}`);
    if (last.purpose.lessonId) expect(await first.innerText()).toContain(`Bài học ${last.purpose.lessonId}`);
    expect(await page.locator('[data-share]').getAttribute('data-share')).toBe('1');

    // The gateway's retained state says its e-stop latched (as the agent publishes it: e2e/estop-central.test.ts).
    const client = await connectAsync(central.mqttUrl, { clientId: 'estop-test', reconnectPeriod: 0 });
    const state = (latched: boolean) => JSON.stringify({ status: 'online', bdSeq: 99, at: clock.now(), clock: { synced: true, bootId: 'estop-test', uptimeMs: 1000 }, estop: { latched, at: clock.now(), source: latched ? 'console' : 'teacher' } });
    await client.publishAsync(topics.gatewayState(g.spec.unit, g.spec.gateway), state(true), { qos: 1, retain: true });
    const banner = page.locator('.estop-banner[role=alert]');
    await banner.waitFor({ timeout: 8000 });
    expect(await banner.innerText()).toContain(`DỪNG KHẨN CẤP đang bật tại gateway ${g.spec.gateway}`);
    await docsScreenshot(page, join(SHOTS, 'unit-estop.png'));
    // The alert feed and the department's overview say so too: its alerts, the e-stop count, the unit's badge.
    const alerts = (await (await api('/api/v1/alerts', 'so.gd')).json()) as { alerts: Array<{ kind: string; unit: string }> };
    expect(alerts.alerts).toContainEqual(expect.objectContaining({ kind: 'estop-latched', unit: g.spec.unit }));
    const overview = await newPage();
    await logIn(overview, 'so.gd');
    await overview.locator(`.alerts li[data-kind="estop-latched"] a[href="#/unit/${g.spec.unit}"]`).waitFor();
    expect(await overview.locator('.estop-card').getAttribute('data-estops')).toBe('1');
    expect(await overview.locator(`tr[data-unit="${g.spec.unit}"] .badge.estop`).innerText()).toBe('Dừng khẩn cấp');
    await overview.context().close();
    await client.publishAsync(topics.gatewayState(g.spec.unit, g.spec.gateway), state(false), { qos: 1, retain: true });
    await banner.waitFor({ state: 'detached', timeout: 8000 });
    await client.endAsync();
    await page.context().close();
  }, 60_000);

  it("downloads the report from the page equal to the API's; links its rows to the units", async () => {
    assertAvailable('Chromium and playwright-core', browserOk);
    const page = await newPage();
    await logIn(page, 'so.gd');
    await page.getByRole('link', { name: 'Báo cáo quý' }).click();
    await page.getByRole('heading', { name: 'Báo cáo sử dụng thiết bị theo quý' }).waitFor();
    await page.getByLabel('Quý', { exact: true }).selectOption(QUARTER);
    await Promise.all([page.waitForResponse((r) => r.url().includes(`quarter=${QUARTER}&format=json`)), page.getByRole('button', { name: 'Xem báo cáo' }).click()]);
    await page.locator('table.report-units tbody tr').first().waitFor();
    for (const format of ['csv', 'xlsx'] as const) {
      const [file] = await Promise.all([page.waitForEvent('download'), page.getByRole('group', { name: 'Tải về:' }).getByRole('button', { name: format === 'csv' ? 'CSV' : 'Excel (XLSX)' }).click()]);
      expect(file.suggestedFilename()).toBe(`stemlab-${QUARTER}-vi.${format}`);
      const fromApi = Buffer.from(await (await api(`/api/v1/reports/quarterly?quarter=${QUARTER}&format=${format}&lang=vi`, 'so.gd')).arrayBuffer());
      const fromPage = readFileSync((await file.path())!);
      // CSV byte for byte; a workbook by its sheets' cells (the zip stamps each file with the time it was written).
      if (format === 'csv') expect(fromPage.equals(fromApi), format).toBe(true);
      else expect(await workbookCells(fromPage)).toEqual(await workbookCells(fromApi));
    }
    await docsScreenshot(page, join(SHOTS, 'report.png'));
    // A report row leads to its unit's page.
    const unit = plan.gateways[3]!.spec.unit;
    await page.locator(`table.report-units a[href="#/unit/${unit}"]`).click();
    await page.getByRole('heading', { name: FLEET.find((u) => u.id === unit)!.name.vi }).waitFor();
    await page.context().close();
  }, 60_000);

  it('switches every label to English and back; fits a phone', async () => {
    assertAvailable('Chromium and playwright-core', browserOk);
    const page = await newPage({ width: 375, height: 740 });
    await logIn(page, 'admin');
    await page.getByRole('heading', { name: 'Tổng quan thiết bị các đơn vị' }).waitFor();
    const views: Array<[string, string, string]> = [
      ['#/', 'Tổng quan thiết bị các đơn vị', "Units' equipment overview"],
      ['#/map', 'Bản đồ các quận, huyện', 'District map'],
      ['#/trends', 'Xu hướng sử dụng thiết bị', 'Equipment use over time'],
      [`#/unit/${plan.gateways[0]!.spec.unit}`, FLEET.find((u) => u.id === plan.gateways[0]!.spec.unit)!.name.vi, FLEET.find((u) => u.id === plan.gateways[0]!.spec.unit)!.name.en],
      ['#/reports', 'Báo cáo sử dụng thiết bị theo quý', 'Quarterly equipment use report'],
    ];
    // What the pages show that is a name, not a label: kept out of the language checks.
    const visibleText = () => page.evaluate("[...document.querySelectorAll('#nav, main')].map((e) => e.innerText).join('\\n')") as Promise<string>;
    for (const [route, vi, en] of views) {
      await page.goto(`${central.httpUrl}/${route}`);
      await page.getByRole('heading', { name: vi, exact: true }).waitFor();
      await page.locator('.loading').waitFor({ state: 'detached' });
      const text = await visibleText();
      for (const word of ['Status', 'Overview', 'Trends', 'Map', 'Hours', 'Never', 'Units', 'Download', 'Show', 'Week', 'Kits']) expect(text, `${route}: ${word}`).not.toMatch(new RegExp(`\\b${word}\\b`));
      expect(await wideness(page), route).toBe(true);
      await page.getByRole('button', { name: 'English', exact: true }).click();
      await page.getByRole('heading', { name: en, exact: true }).waitFor();
      await page.locator('.loading').waitFor({ state: 'detached' });
      const english = await visibleText();
      expect(english.match(VIETNAMESE)?.[0], `${route}: ${english.split('\n').find((l) => VIETNAMESE.test(l))}`).toBeUndefined();
      expect(await wideness(page), route).toBe(true);
      if (route === '#/') await docsScreenshot(page, join(SHOTS, 'overview-phone-en.png'));
      await page.getByRole('button', { name: 'Tiếng Việt', exact: true }).click();
      await page.getByRole('heading', { name: vi, exact: true }).waitFor();
    }
    await page.context().close();
  }, 90_000);

  it('had no console error and no CSP violation on any page', () => {
    expect(problems).toEqual([]);
  });
});
