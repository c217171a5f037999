/**
 * What a reader notices on every page type, in a real browser: nothing scrolls sideways on a
 * 320 px phone, the focused control shows where it is, the Content-Security-Policy breaks
 * nothing, no request leaves the site, and the home page stays light.
 */
import type { BrowserContext, Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PageType } from './catalog.js';
import { describeBrowser, newContext, openPageType, PAGE_TYPES, useBrowserSite } from './harness.js';

/** The DOM as seen from inside page.evaluate (the project's TypeScript has no DOM library). */
type Dom = any; // eslint-disable-line @typescript-eslint/no-explicit-any

describeBrowser('pages', () => {
  const site = useBrowserSite();

  describe('at 320 px wide', () => {
    let context: BrowserContext;
    beforeAll(async () => {
      context = await newContext(site, { viewport: { width: 320, height: 640 }, isMobile: true, hasTouch: true });
    });
    afterAll(async () => {
      await context?.close();
    });

    for (const type of PAGE_TYPES) {
      it(`${type} page does not scroll sideways`, async () => {
        const page = await context.newPage();
        try {
          await openPageType(page, site, type);
          const layout = await page.evaluate(() => {
            const { document } = globalThis as Dom;
            const root = document.documentElement;
            const width = root.clientWidth;
            // The outermost elements that stick out on the right: where to look.
            const wide: string[] = [];
            for (const el of document.body.querySelectorAll('*')) {
              const box = el.getBoundingClientRect();
              if (box.right <= width + 0.5 || box.width === 0) continue;
              const parent = el.parentElement?.getBoundingClientRect();
              if (parent && parent.right > width + 0.5) continue;
              const name = `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${el.className && typeof el.className === 'string' ? `.${el.className.trim().split(/\s+/).join('.')}` : ''}`;
              wide.push(`${name} reaches ${Math.round(box.right)}px: "${(el.textContent ?? '').trim().slice(0, 60)}"`);
            }
            return { scrollWidth: root.scrollWidth as number, clientWidth: width as number, wide: wide.slice(0, 6) };
          });
          expect(
            layout.scrollWidth,
            `${type} page (${site.urls[type]}) is ${layout.scrollWidth}px wide in a ${layout.clientWidth}px window:\n  ${layout.wide.join('\n  ')}\n`,
          ).toBeLessThanOrEqual(layout.clientWidth);
        } finally {
          await page.close();
        }
      });
    }
  });

  describe('keyboard focus is visible', () => {
    let context: BrowserContext;
    beforeAll(async () => {
      context = await newContext(site);
      // Records, as each element receives focus, whether it shows a focus outline (or ring).
      await context.addInitScript(() => {
        const w = globalThis as Dom;
        w.__focusStops = [];
        w.addEventListener('focusin', (event: Dom) => {
          const el = event.target;
          // A visually hidden checkbox (the inline spoiler) shows its focus on its label.
          const shown = el.matches('input.spoiler-toggle') && el.nextElementSibling ? el.nextElementSibling : el;
          const style = w.getComputedStyle(shown);
          const box = shown.getBoundingClientRect();
          const outlined = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2;
          const ringed = Boolean(style.boxShadow) && style.boxShadow !== 'none';
          const label = (el.textContent || el.getAttribute('aria-label') || el.getAttribute('name') || '').trim().slice(0, 40);
          w.__focusStops.push({
            name: `${el.tagName.toLowerCase()}${el.getAttribute('href') ? ` href=${el.getAttribute('href')}` : ''} "${label}"`,
            marked: outlined || ringed,
            onScreen: box.width > 0 && box.height > 0,
          });
        });
      });
    });
    afterAll(async () => {
      await context?.close();
    });

    for (const type of PAGE_TYPES) {
      it(`${type} page: every Tab stop shows an outline`, async () => {
        const page = await context.newPage();
        try {
          await openPageType(page, site, type);
          for (let i = 0; i < 25; i++) await page.keyboard.press('Tab');
          const stops = (await page.evaluate(() => (globalThis as Dom).__focusStops)) as { name: string; marked: boolean; onScreen: boolean }[];
          expect(stops.length, `${type} page: Tab reached nothing`).toBeGreaterThan(0);
          const unmarked = stops.filter((s) => !s.marked || !s.onScreen).map((s) => `${s.name}${s.onScreen ? '' : ' (not on screen)'}`);
          expect(unmarked, `${type} page (${site.urls[type]}): focus without a visible outline`).toEqual([]);
        } finally {
          await page.close();
        }
      });
    }
  });

  describe('the Content-Security-Policy holds and nothing loads from elsewhere', () => {
    let context: BrowserContext;
    beforeAll(async () => {
      context = await newContext(site);
      // Init scripts are not subject to the page's CSP; this one records every violation.
      await context.addInitScript(() => {
        const w = globalThis as Dom;
        w.__cspViolations = [];
        w.addEventListener('securitypolicyviolation', (e: Dom) => {
          w.__cspViolations.push(`${e.violatedDirective} blocked ${e.blockedURI || 'inline'} (${e.sourceFile ?? ''}:${e.lineNumber ?? ''})`);
        });
      });
    });
    afterAll(async () => {
      await context?.close();
    });

    for (const type of PAGE_TYPES) {
      it(`${type} page`, async () => {
        const page = await context.newPage();
        const problems: string[] = [];
        const foreign: string[] = [];
        page.on('console', (message) => {
          if (/content security policy|Content-Security-Policy/i.test(message.text())) problems.push(`console ${message.type()}: ${message.text()}`);
        });
        page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
        page.on('request', (request) => {
          const url = new URL(request.url());
          if ((url.protocol === 'http:' || url.protocol === 'https:') && url.origin !== site.baseUrl) foreign.push(request.url());
        });
        try {
          // 'load' has waited for the stylesheet and icon: all a page asks for.
          await openPageType(page, site, type);
          problems.push(...((await page.evaluate(() => (globalThis as Dom).__cspViolations)) as string[]));
          expect(problems, `${type} page (${site.urls[type]})`).toEqual([]);
          expect(foreign, `${type} page (${site.urls[type]}) requested other hosts`).toEqual([]);
        } finally {
          await page.close();
        }
      });
    }
  });

  it('the home page loads in under 100 KB, all of it from this site', async () => {
    const context = await newContext(site);
    const page = await context.newPage();
    const finished: Promise<{ url: string; bytes: number }>[] = [];
    const track = (request: Request) =>
      finished.push(request.sizes().then((s) => ({ url: request.url(), bytes: s.responseBodySize + s.responseHeadersSize })));
    page.on('requestfinished', track);
    page.on('requestfailed', (request) => finished.push(Promise.resolve({ url: `${request.url()} (failed)`, bytes: 0 })));
    try {
      await openPageType(page, site, 'home' satisfies PageType);
      await page.waitForLoadState('networkidle');
      const responses = await Promise.all(finished);
      const total = responses.reduce((sum, r) => sum + r.bytes, 0);
      const breakdown = responses.map((r) => `  ${r.bytes} B  ${r.url}`).join('\n');
      expect(responses.length, 'the page made requests').toBeGreaterThan(0);
      expect(responses.filter((r) => !r.url.startsWith(`${site.baseUrl}/`)).map((r) => r.url), 'requests to other hosts').toEqual([]);
      expect(total, `home page transfer, ${total} bytes:\n${breakdown}\n`).toBeLessThan(100 * 1024);
    } finally {
      await context.close();
    }
  });
});
