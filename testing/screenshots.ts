import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Page } from 'playwright-core';

/**
 * Saves a screenshot for the docs only when STEMLAB_UPDATE_SCREENSHOTS=1: a plain test run must
 * not rewrite files in the repo (every run changed the PNGs' bytes and dirtied the checkout).
 */
export async function docsScreenshot(page: Page, path: string, options: Parameters<Page['screenshot']>[0] = {}): Promise<void> {
  if (process.env.STEMLAB_UPDATE_SCREENSHOTS !== '1') return;
  mkdirSync(dirname(path), { recursive: true });
  await page.screenshot({ ...options, path });
}
