/**
 * Signing in and out in a real browser: the sign-in form, the account page, the sign-out
 * button (cookies, redirects and the Content-Security-Policy as Chromium applies them), and
 * axe-core on the sign-in and account pages in both themes.
 *
 * The shared harness's server does not hand out its database, so this file starts its own
 * (the same `serveSite`, on its own SQLite test database with one user in it).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { FastifyInstance } from 'fastify';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../../src/accounts/accounts.service.js';
import { createTestDatabase } from '../databases.js';
import { serveSite } from './catalog.js';
import { chromiumCandidate, findChromium, launchChromium } from './chromium.js';
import { describeBrowser, THEMES } from './harness.js';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

const EMAIL = 'aiko@example.org';
const PASSWORD = 'a long enough secret';
const NAME = 'Aiko Tanaka';
const ADMIN_EMAIL = 'admin@example.org';

/** The serious and critical axe violations of the open page, as text (empty when none). */
async function seriousViolations(page: Page): Promise<string[]> {
  await page.evaluate(axeSource);
  return page.evaluate(async () => {
    type AxeNode = { target: unknown[] };
    type AxeResult = { id: string; impact: string | null; help: string; nodes: AxeNode[] };
    const g = globalThis as unknown as { axe: { run: (ctx: unknown, options: object) => Promise<{ violations: AxeResult[] }> }; document: unknown };
    const result = await g.axe.run(g.document, { resultTypes: ['violations'] });
    return result.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.slice(0, 4).map((n) => n.target.map(String).join(' ')).join(', ')}`);
  });
}

async function signIn(page: Page, password = PASSWORD, email = EMAIL) {
  await page.goto('/login');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.locator('main').getByRole('button', { name: 'Sign in' }).click();
}

describeBrowser('accounts', () => {
  let app: FastifyInstance | undefined;
  let drop: (() => Promise<void>) | undefined;
  let browser: Browser;
  let baseUrl: string;

  beforeAll(async () => {
    const chromiumPath = findChromium();
    if (!chromiumPath) throw new Error(`Chromium is required here but there is none at ${chromiumCandidate()}: install Debian's chromium package or set CHROMIUM_PATH.`);
    const test = await createTestDatabase('sqlite');
    drop = test.drop;
    await createUser(test.db.kysely, { email: EMAIL, name: NAME, role: 'author', password: PASSWORD }, { userId: null });
    await createUser(test.db.kysely, { email: ADMIN_EMAIL, name: 'Ada Admin', role: 'admin', password: PASSWORD }, { userId: null });
    const served = await serveSite(test.db);
    app = served.app;
    baseUrl = served.baseUrl;
    browser = await launchChromium(chromiumPath);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await drop?.();
  });

  const newContext = async (options: Parameters<Browser['newContext']>[0] = {}): Promise<BrowserContext> => {
    const context = await browser.newContext({ baseURL: baseUrl, viewport: { width: 1280, height: 900 }, ...options });
    context.setDefaultTimeout(5_000);
    return context;
  };

  it('signs in from the header link, shows the account, and signs out with the button', async () => {
    const context = await newContext();
    const page = await context.newPage();
    const refused: string[] = [];
    page.on('console', (m) => {
      // The wrong password's 401 is logged too; only refusals by the page's policy count here.
      if (m.type() === 'error' && /Content Security Policy|Refused to/i.test(m.text())) refused.push(m.text());
    });
    try {
      await page.goto('/');
      await page.locator('.site-header').getByRole('link', { name: 'Sign in' }).click();
      await page.waitForURL('**/login');
      expect(await page.locator('h1').textContent()).toBe('Sign in');

      // A wrong password: the message, the email kept, the password empty.
      await signIn(page, 'not the password');
      await expect.poll(() => page.locator('[role="alert"]').textContent()).toContain('Wrong email or password.');
      expect(await page.getByLabel('Email').inputValue()).toBe(EMAIL);
      expect(await page.getByLabel('Password').inputValue()).toBe('');

      await signIn(page);
      await page.waitForURL('**/account');
      expect(await page.locator('h1').textContent()).toBe('Your account');
      expect(await page.locator('.account-name').textContent()).toBe(NAME);
      const cookies = await context.cookies();
      const session = cookies.find((c) => c.name.endsWith('kansou_session'));
      expect(session?.httpOnly).toBe(true);
      expect(session?.sameSite).toBe('Lax');

      await page.locator('main').getByRole('button', { name: 'Sign out' }).first().click();
      await page.waitForURL((url) => url.pathname === '/');
      expect((await context.cookies()).some((c) => c.name.endsWith('kansou_session'))).toBe(false);
      await page.goto('/account');
      expect(new URL(page.url()).pathname).toBe('/login');
      expect(refused, `refused by the Content-Security-Policy:\n${refused.join('\n')}`).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('nothing scrolls sideways on a 320 px phone, header included', async () => {
    const context = await newContext({ viewport: { width: 320, height: 640 }, isMobile: true, hasTouch: true });
    const page = await context.newPage();
    const width = () =>
      page.evaluate(() => {
        const root = (globalThis as unknown as { document: { documentElement: { scrollWidth: number; clientWidth: number } } }).document.documentElement;
        return { scroll: root.scrollWidth, client: root.clientWidth };
      });
    try {
      await page.goto('/login');
      let w = await width();
      expect(w.scroll, 'sign-in page').toBeLessThanOrEqual(w.client);
      await signIn(page);
      await page.waitForURL('**/account');
      w = await width();
      expect(w.scroll, 'account page').toBeLessThanOrEqual(w.client);
    } finally {
      await context.close();
    }
  });

  for (const theme of THEMES) {
    describe(`${theme} theme`, () => {
      it('the sign-in, account and admin pages have no serious or critical axe violations', async () => {
        const context = await newContext({ colorScheme: theme });
        const page = await context.newPage();
        try {
          await page.goto('/login');
          expect(await seriousViolations(page), 'sign-in page').toEqual([]);
          // With an error shown next to the fields too.
          await page.getByLabel('Email').fill(EMAIL);
          await page.locator('main').getByRole('button', { name: 'Sign in' }).click();
          await page.waitForSelector('.field-error');
          expect(await seriousViolations(page), 'sign-in page with an error').toEqual([]);

          await signIn(page);
          await page.waitForURL('**/account');
          expect(await seriousViolations(page), 'account page').toEqual([]);

          // Keyboard focus on a field is visible (an outline, in the focus colour).
          await page.getByLabel('Display name').focus();
          await page.keyboard.press('Shift+Tab');
          await page.keyboard.press('Tab');
          const outline = await page.getByLabel('Display name').evaluate((el) => {
            const style = (globalThis as unknown as { getComputedStyle: (e: unknown) => { outlineStyle: string; outlineWidth: string } }).getComputedStyle(el);
            return { style: style.outlineStyle, width: parseFloat(style.outlineWidth) };
          });
          expect(outline.style).not.toBe('none');
          expect(outline.width).toBeGreaterThanOrEqual(2);

          // The admin pages: the users table with its forms, and the audit log.
          await page.locator('main').getByRole('button', { name: 'Sign out' }).first().click();
          await page.waitForURL((url) => url.pathname === '/');
          await signIn(page, PASSWORD, ADMIN_EMAIL);
          await page.waitForURL('**/account');
          for (const path of ['/admin/users', '/admin/audit']) {
            await page.goto(path);
            expect(await page.locator('h1').count(), path).toBe(1);
            expect(await seriousViolations(page), path).toEqual([]);
          }
        } finally {
          await context.close();
        }
      });
    });
  }
});
