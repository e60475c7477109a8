import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { ROOT } from '../helpers/warden-harness.js';

export const CHROMIUM = '/usr/bin/chromium';
export const SHOTS = join(ROOT, 'test-results', 'screenshots');
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

const SIZES = [
  { width: 1280, height: 800 },
  { width: 800, height: 600 },
] as const;

/**
 * Screenshots of the page as it is, at 1280×800 and 800×600, light and dark, into
 * test-results/screenshots/NAME-WIDTH-THEME.png; the page is left at 1280×800, light. At
 * each size the page must not scroll sideways.
 */
export async function screens(page: Page, name: string): Promise<Array<{ shot: string; scrollWidth: number; width: number }>> {
  const taken: Array<{ shot: string; scrollWidth: number; width: number }> = [];
  for (const size of SIZES) {
    await page.setViewportSize(size);
    for (const colorScheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme });
      // Two frames: layout and the chart's redraw in the other theme's colours.
      await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
      const shot = `${name}-${size.width}-${colorScheme}`;
      await page.screenshot({ path: join(SHOTS, `${shot}.png`) });
      taken.push({ shot, scrollWidth: await page.evaluate(() => document.documentElement.scrollWidth), width: size.width });
    }
  }
  await page.setViewportSize(SIZES[0]);
  await page.emulateMedia({ colorScheme: 'light' });
  return taken;
}
