/**
 * Spoilers on the review page, as a reader meets them: both forms (the inline `||…||` reveal
 * and the `::: spoiler` block) are invisible until asked for, and can be revealed with the
 * keyboard alone and without JavaScript.
 */
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BLOCK_SPOILER_TEXT, INLINE_SPOILER_TEXT } from './catalog.js';
import { describeBrowser, newContext, openPageType, useBrowserSite } from './harness.js';

type Target = 'inline' | 'block';

/** Tabs from the top of the page until the control of the spoiler is focused; fails after 80 stops. */
async function tabTo(page: Page, target: Target): Promise<void> {
  const selector = target === 'inline' ? 'input.spoiler-toggle' : 'details.spoiler > summary';
  for (let i = 0; i < 80; i++) {
    await page.keyboard.press('Tab');
    const there = await page.evaluate((s) => {
      const g = globalThis as unknown as { document: { activeElement: { matches(sel: string): boolean } | null } };
      return g.document.activeElement?.matches(s) ?? false;
    }, selector);
    if (there) return;
  }
  throw new Error(`Tab never reached the ${target} spoiler control (${selector})`);
}

describeBrowser('spoilers on the review page', () => {
  const site = useBrowserSite();

  for (const javaScript of [true, false]) {
    describe(`JavaScript ${javaScript ? 'on' : 'off'}`, () => {
      let context: BrowserContext;
      let page: Page;
      beforeAll(async () => {
        context = await newContext(site, { javaScriptEnabled: javaScript });
      });
      afterAll(async () => {
        await context?.close();
      });

      const open = async () => {
        page = await context.newPage();
        await openPageType(page, site, 'review');
      };
      const inline = () => page.getByText(INLINE_SPOILER_TEXT);
      const block = () => page.getByText(BLOCK_SPOILER_TEXT);

      describe('hidden until revealed', () => {
        it('neither spoiler text is visible when the page loads, and each has a visible control', async () => {
          await open();
          expect(await inline().count(), 'the inline spoiler text is in the page').toBe(1);
          expect(await block().count(), 'the block spoiler text is in the page').toBe(1);
          expect(await inline().isVisible(), 'inline spoiler visible before reveal').toBe(false);
          expect(await block().isVisible(), 'block spoiler visible before reveal').toBe(false);
          expect(await page.locator('.spoiler-inline label').first().isVisible(), 'inline reveal control').toBe(true);
          expect(await page.locator('details.spoiler > summary').first().isVisible(), 'block reveal control').toBe(true);
          // The words around the spoilers are there to read.
          expect(await page.getByText('The third episode turns on one moment').isVisible()).toBe(true);
          await page.close();
        });
      });

      describe('revealed with the keyboard alone', () => {
        it('inline: Tab to the control, Space shows the passage', async () => {
          await open();
          await tabTo(page, 'inline');
          await page.keyboard.press('Space');
          expect(await inline().isVisible(), 'inline spoiler after Space').toBe(true);
          expect(await block().isVisible(), 'the block stays hidden when the inline one is revealed').toBe(false);
          await page.close();
        });

        it('block: Tab to the summary, Enter opens it', async () => {
          await open();
          await tabTo(page, 'block');
          await page.keyboard.press('Enter');
          expect(await block().isVisible(), 'block spoiler after Enter').toBe(true);
          expect(await inline().isVisible(), 'the inline one stays hidden when the block is revealed').toBe(false);
          await page.close();
        });

        it('block: Space opens it too', async () => {
          await open();
          await tabTo(page, 'block');
          await page.keyboard.press('Space');
          expect(await block().isVisible(), 'block spoiler after Space').toBe(true);
          await page.close();
        });
      });

      it('revealed with a click on either control', async () => {
        await open();
        await page.locator('.spoiler-inline label').first().click();
        expect(await inline().isVisible(), 'inline spoiler after a click').toBe(true);
        await page.locator('details.spoiler > summary').first().click();
        expect(await block().isVisible(), 'block spoiler after a click').toBe(true);
        await page.close();
      });
    });
  }
});
