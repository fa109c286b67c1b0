// Shared steps of the browser journeys.
import fs from 'node:fs';
import path from 'node:path';
import { expect, type Page } from '@playwright/test';
import { DEV_PASSWORD, screenshotsDir } from './server';

fs.mkdirSync(screenshotsDir, { recursive: true });

export async function shot(page: Page, name: string) {
  await page.waitForTimeout(150); // let transitions settle
  await page.screenshot({ path: path.join(screenshotsDir, `${name}.png`) });
}

/** Signs in through the SPA's Sign-in button and the dev OpenID Provider's login form. */
export async function signIn(page: Page, url: string, email: string, screenshot?: string) {
  await page.goto(url);
  const button = page.getByRole('link', { name: 'Sign in' });
  await expect(button).toBeVisible();
  if (screenshot) await shot(page, screenshot);
  await button.click();
  await page.locator('#username').fill(email);
  await page.locator('#password').fill(DEV_PASSWORD);
  await page.getByRole('button', { name: 'Login' }).click();
  await expect(page.getByTestId('current-user')).toBeVisible();
}

/** Presses Tab until the focused element matches, as a keyboard user would. */
export async function tabTo(page: Page, test: (el: { tag: string; text: string; name: string | null }) => boolean, max = 60) {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    const el = await page.evaluate(() => {
      const a = document.activeElement as HTMLElement | null;
      return { tag: a?.tagName ?? '', text: (a?.textContent ?? '').trim(), name: a?.getAttribute('aria-label') ?? null };
    });
    if (test(el)) return;
  }
  throw new Error('tabTo: target never got the focus');
}

/** Records, in the page, when a key is pressed and when the review pane shows another item. */
export async function armSwitchTimer(page: Page) {
  await page.evaluate(() => {
    const w = window as unknown as { __t0?: number; __t1?: number; __armed?: boolean };
    if (w.__armed) return;
    w.__armed = true;
    window.addEventListener('keydown', () => (w.__t0 = performance.now()), true);
    const root = document.querySelector('.review')!;
    new MutationObserver(() => {
      requestAnimationFrame(() => (w.__t1 = performance.now()));
    }).observe(root, { attributes: true, attributeFilter: ['data-item-id'] });
  });
}

export async function timedSwitch(page: Page, key: string): Promise<number> {
  const before = await page.locator('.review').getAttribute('data-item-id');
  await page.evaluate(() => {
    (window as unknown as { __t1?: number }).__t1 = undefined;
  });
  await page.keyboard.press(key);
  await expect(page.locator('.review')).not.toHaveAttribute('data-item-id', before ?? '');
  await page.waitForFunction(() => (window as unknown as { __t1?: number }).__t1 !== undefined);
  return page.evaluate(() => {
    const w = window as unknown as { __t0: number; __t1: number };
    return w.__t1 - w.__t0;
  });
}

export function writeMetrics(name: string, data: unknown) {
  const file = path.join(screenshotsDir, 'metrics.json');
  let all: Record<string, unknown> = {};
  try {
    all = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    /* first write */
  }
  all[name] = data;
  fs.writeFileSync(file, JSON.stringify(all, null, 2));
}
