/**
 * The department's dashboard in a real browser, for its tests: a fresh browser profile whose
 * console errors, page errors and CSP violations are collected, and the log-in form.
 */
import type { Browser, Page } from 'playwright-core';

/** A fresh profile on `url`; every console error, page error and CSP violation goes into `problems`. */
export async function watchedPage(browser: Browser, url: string, problems: string[], viewport = { width: 1280, height: 900 }): Promise<Page> {
  const context = await browser.newContext({ viewport, acceptDownloads: true });
  // Fail on the step that hangs, well before the test's own timeout.
  context.setDefaultTimeout(8000);
  const page = await context.newPage();
  // Runs in the page (given as text: the tests are compiled without the DOM's types).
  await page.addInitScript("document.addEventListener('securitypolicyviolation', (e) => console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI))");
  page.on('console', (m) => {
    // A refusal the page provoked and handles (401, 403, 429) is logged by Chromium as a failed resource.
    if (m.type() === 'error' && !/status of (401|403|429)/.test(m.text())) problems.push(`${page.url()}: ${m.text()}`);
  });
  page.on('pageerror', (err) => problems.push(`${page.url()}: ${err.message}`));
  await page.goto(url);
  return page;
}

/** Logs in with the dashboard's form, one attempt at a time: waits for the central's answer. */
export async function logIn(page: Page, username: string, password: string): Promise<void> {
  await page.getByLabel(/Tên đăng nhập|Username/).fill(username);
  await page.getByLabel(/Mật khẩu|Password/).fill(password);
  await Promise.all([page.waitForResponse((r) => r.url().endsWith('/api/v1/login')), page.locator('form.login button[type=submit]').click()]);
}
