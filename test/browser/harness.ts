/**
 * Vitest glue for the browser tests: one server (the real app on a seeded SQLite test
 * database) and one Chromium per test file, started in beforeAll and stopped in afterAll.
 *
 * Without Chromium the tests are skipped with a message, since a clone may lack it; in CI
 * (CI=true or KANSOU_REQUIRE_BROWSER=1) a missing browser fails the run instead.
 */
import type { FastifyInstance } from 'fastify';
import type { Browser, BrowserContext, BrowserContextOptions, Page, Response } from 'playwright-core';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { createTestDatabase } from '../databases.js';
import { seedCatalog } from '../site.js';
import { pageUrls, seedBrowserExtras, serveSite, type PageType } from './catalog.js';
import { chromiumCandidate, findChromium, launchChromium } from './chromium.js';

export const PAGE_TYPES: PageType[] = ['home', 'work', 'review', 'person', 'studio', 'platform', 'tag', 'year', 'author', 'browse', 'search', 'not found'];
export const THEMES = ['light', 'dark'] as const;

const chromiumPath = findChromium();
const required = process.env.CI === 'true' || process.env.KANSOU_REQUIRE_BROWSER === '1';
const skip = !chromiumPath && !required;

/**
 * `describe` for browser tests: skipped (saying why) when there is no Chromium, except in CI,
 * where the suite runs and fails on the missing browser.
 */
export function describeBrowser(name: string, body: () => void): void {
  if (skip) {
    console.warn(
      `\nBrowser tests skipped (${name}): no Chromium at ${chromiumCandidate()}. ` +
        `Install it (Debian: apt-get install chromium) or set CHROMIUM_PATH.\n`,
    );
  }
  describe.skipIf(skip)(`browser: ${name}`, body);
}

export interface BrowserSite {
  browser: Browser;
  baseUrl: string;
  /** One address per page type (see catalog.ts). */
  urls: Record<PageType, string>;
  extras: Awaited<ReturnType<typeof seedBrowserExtras>>;
}

/** Starts the server and the browser for the enclosing describe block; the fields fill in beforeAll. */
export function useBrowserSite(): BrowserSite {
  const site = {} as BrowserSite;
  let app: FastifyInstance | undefined;
  let drop: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    if (!chromiumPath) {
      throw new Error(
        `Chromium is required here (CI=true or KANSOU_REQUIRE_BROWSER=1) but there is none at ${chromiumCandidate()}: ` +
          `install Debian's chromium package or set CHROMIUM_PATH.`,
      );
    }
    const test = await createTestDatabase('sqlite');
    drop = test.drop;
    await seedCatalog(test.db);
    site.extras = await seedBrowserExtras(test.db);
    site.urls = await pageUrls(test.db, site.extras);
    const served = await serveSite(test.db);
    app = served.app;
    site.baseUrl = served.baseUrl;
    site.browser = await launchChromium(chromiumPath);
  }, 60_000);
  afterAll(async () => {
    await site.browser?.close();
    await app?.close();
    await drop?.();
  });
  return site;
}

/** A new browser context on the site (viewport, theme, JavaScript…), closed by the caller. */
export async function newContext(site: BrowserSite, options: BrowserContextOptions = {}): Promise<BrowserContext> {
  const context = await site.browser.newContext({ baseURL: site.baseUrl, viewport: { width: 1280, height: 900 }, ...options });
  // A missing element fails its test in seconds, not at the test's timeout.
  context.setDefaultTimeout(5_000);
  return context;
}

/** Loads a page type and checks its status: 404 for `not found`, 200 for every other type. */
export async function openPageType(page: Page, site: BrowserSite, type: PageType): Promise<Response> {
  const response = await page.goto(site.urls[type], { waitUntil: 'load' });
  if (!response) throw new Error(`no response for ${site.urls[type]}`);
  const expected = type === 'not found' ? 404 : 200;
  expect(response.status(), `${type} page ${site.urls[type]} answered ${response.status()}${response.status() === 404 ? ' (not written yet?)' : ''}`).toBe(expected);
  return response;
}
