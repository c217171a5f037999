/**
 * Writing a review in Chromium, as an author does: picking the work from the suggestions,
 * marking a spoiler with the toolbar button, watching the live preview, publishing, finding the
 * spoiler hidden on the review page, editing it, and filling the form from a pasted review.
 * Then axe-core on the form in both themes, and no console errors throughout.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { FastifyInstance } from 'fastify';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestDatabase } from '../databases.js';
import { seedCatalog } from '../site.js';
import type { AddressInfo } from 'node:net';
import { buildApp } from '../../src/server/app.js';
import { findChromium, launchChromium } from './chromium.js';
import { describeBrowser } from './harness.js';
import * as accounts from '../../src/accounts/accounts.service.js';
import { cookieNames, cookiePolicyFor } from '../../src/accounts/auth.http.js';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const pasted = readFileSync(new URL('../fixtures/reviews/mob-psycho-100.txt', import.meta.url), 'utf8');

describeBrowser('writing a review', () => {
  let app: FastifyInstance;
  let browser: Browser;
  let baseUrl: string;
  let drop: () => Promise<void>;
  let session: string;
  const errors: string[] = [];

  beforeAll(async () => {
    const test = await createTestDatabase('sqlite');
    drop = test.drop;
    await seedCatalog(test.db);
    const email = 'writer@example.org';
    await accounts.createUser(test.db.kysely, { email, name: 'Wren Writer', role: 'author', password: 'a long enough passphrase' }, { userId: null });
    session = (await accounts.signIn(test.db.kysely, { email, password: 'a long enough passphrase', ip: '127.0.0.1' })).session;
    // Served over plain http, as in development: the cookies are not Secure then.
    app = await buildApp({ db: test.db, logLevel: 'silent', site: { name: 'Kansou Reviews', publicUrl: 'http://127.0.0.1' } });
    await app.listen({ host: '127.0.0.1', port: 0 });
    baseUrl = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    browser = await launchChromium(findChromium()!);
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await drop?.();
  });

  async function signedInContext(colorScheme: 'light' | 'dark' = 'light'): Promise<BrowserContext> {
    const context = await browser.newContext({ baseURL: baseUrl, viewport: { width: 1280, height: 900 }, colorScheme });
    context.setDefaultTimeout(5_000);
    const name = cookieNames(cookiePolicyFor(baseUrl)).session;
    await context.addCookies([{ name, value: session, url: baseUrl, httpOnly: true, sameSite: 'Lax' }]);
    return context;
  }

  function watch(page: Page) {
    page.on('console', (m) => m.type() === 'error' && errors.push(`${page.url()}: ${m.text()}`));
    page.on('pageerror', (e) => errors.push(`${page.url()}: ${e.message}`));
  }

  it('writes, previews and publishes a review with a spoiler, then edits it', async () => {
    const context = await signedInContext();
    const page = await context.newPage();
    watch(page);
    try {
      await page.goto('/write/new');
      expect(await page.locator('h1').textContent()).toBe('Write a review');

      // The work box suggests works as one types.
      await page.locator('#f-work').pressSequentially('Perfect', { delay: 20 });
      await expect.poll(() => page.locator('#work-suggestions option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value))).toContain('perfect-blue');
      await page.locator('#f-work').fill('perfect-blue');

      await page.locator('#f-score').fill('4.5');
      await page.locator('#f-headline').fill('A dream inside a dream');
      const body = page.locator('#f-body');
      await body.fill('Kon’s first film still cuts deep. The twist: Rumi was the killer.');
      // Select "Rumi was the killer" and mark it with the toolbar button.
      await body.evaluate((el) => {
        const t = el as HTMLTextAreaElement;
        const start = t.value.indexOf('Rumi');
        t.setSelectionRange(start, t.value.length - 1);
      });
      await page.getByRole('button', { name: 'Mark as spoiler' }).click();
      expect(await body.inputValue()).toBe('Kon’s first film still cuts deep. The twist: ||Rumi was the killer||.');

      // The live preview renders the body as the page will.
      await expect.poll(() => page.locator('.live-preview .prose').innerHTML()).toContain('spoiler');

      await page.getByRole('button', { name: 'Publish' }).click();
      await page.waitForURL(/\/reviews\/\d+$/);
      expect(await page.locator('h1').textContent()).toBe('A dream inside a dream');
      expect(await page.getByText('4.5 out of 5').first().isVisible()).toBe(true);
      // The spoiler is hidden until revealed.
      const secret = page.getByText('Rumi was the killer');
      expect(await secret.isVisible()).toBe(false);
      await page.locator('.spoiler-inline label').first().click();
      expect(await secret.isVisible()).toBe(true);

      // Editing: the form holds what was published; the change shows on the page.
      const id = page.url().split('/').pop();
      await page.goto(`/write/${id}`);
      expect(await page.locator('#f-headline').inputValue()).toBe('A dream inside a dream');
      await page.locator('#f-headline').fill('A nightmare inside a dream');
      await page.getByRole('button', { name: 'Update' }).click();
      await page.waitForURL(new RegExp(`/reviews/${id}$`));
      expect(await page.locator('h1').textContent()).toBe('A nightmare inside a dream');
      await page.goto(`/write/${id}/history`);
      expect(await page.getByText('A dream inside a dream').count()).toBeGreaterThan(0);
    } finally {
      await context.close();
    }
  });

  it('fills the form from a pasted review, and publishes it as a new work', async () => {
    const context = await signedInContext();
    const page = await context.newPage();
    watch(page);
    try {
      await page.goto('/write/new');
      await page.locator('#f-paste').fill(pasted);
      await page.getByRole('button', { name: 'Fill in the form' }).click();
      await page.waitForURL('**/write/paste');
      expect(await page.locator('#f-title').inputValue()).toBe('Mob Psycho 100');
      expect(await page.locator('#f-director').inputValue()).toBe('Yuzuru Tachikawa');
      expect(await page.locator('#f-score').inputValue()).toBe('4.5');
      await page.getByRole('button', { name: 'Publish' }).click();
      await page.waitForURL(/\/reviews\/\d+$/);
      expect(await page.locator('h1').textContent()).toContain('Mob Psycho 100');
      expect(await page.getByRole('link', { name: 'Yuzuru Tachikawa' }).count()).toBeGreaterThan(0);
    } finally {
      await context.close();
    }
  });

  for (const theme of ['light', 'dark'] as const) {
    it(`has no serious or critical axe violations on the form and the list (${theme})`, async () => {
      const context = await signedInContext(theme);
      const page = await context.newPage();
      watch(page);
      try {
        for (const url of ['/write/new', '/write']) {
          await page.goto(url);
          await page.evaluate(axeSource);
          const violations = await page.evaluate(async () => {
            const g = globalThis as unknown as { axe: { run: (ctx: unknown, o: object) => Promise<{ violations: { id: string; impact: string | null; nodes: { target: unknown[] }[] }[] }> }; document: unknown };
            const r = await g.axe.run(g.document, { resultTypes: ['violations'] });
            return r.violations.map((v) => ({ id: v.id, impact: v.impact, targets: v.nodes.slice(0, 3).map((n) => JSON.stringify(n.target)) }));
          });
          const serious = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
          expect(serious, `${url} (${theme}): ${JSON.stringify(serious)}`).toEqual([]);
        }
      } finally {
        await context.close();
      }
    });
  }

  it('logged no console errors', () => {
    expect(errors).toEqual([]);
  });
});
