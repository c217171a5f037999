/**
 * Screenshots of every page type, for people to look at: light and dark, desktop (1280 px)
 * and phone (375 px) widths, full-page PNGs.
 *
 *     npx tsx scripts/screenshots.ts [--out DIR]
 *
 * Seeds a temporary SQLite database with a small realistic catalogue, serves the real
 * application on 127.0.0.1, drives the system's Chromium (CHROMIUM_PATH, else
 * /usr/bin/chromium) and writes DIR/<page>-<theme>-<width>.png (DIR defaults to a
 * `kansou-screenshots` folder in the OS temp directory). Nothing is left behind but the PNGs.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { openDatabase } from '../src/db/connection.js';
import { extraScreenshotUrls, pageUrls, seedShowcase, serveSite } from '../test/browser/catalog.js';
import { chromiumCandidate, findChromium, launchChromium } from '../test/browser/chromium.js';

const THEMES = ['light', 'dark'] as const;
const WIDTHS = [1280, 375] as const;

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { out: { type: 'string', short: 'o' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help) {
    console.log('Usage: npx tsx scripts/screenshots.ts [--out DIR]');
    return 0;
  }
  const executable = findChromium();
  if (!executable) {
    console.error(`No Chromium at ${chromiumCandidate()}: install it (Debian: apt-get install chromium) or set CHROMIUM_PATH.`);
    return 1;
  }
  const out = resolve(values.out ?? join(tmpdir(), 'kansou-screenshots'));
  mkdirSync(out, { recursive: true });

  const dataDir = mkdtempSync(join(tmpdir(), 'kansou-shots-db-'));
  const db = await openDatabase(join(dataDir, 'kansou.db'));
  const { app, baseUrl } = await serveSite(db).catch(async (error: unknown) => {
    await db.close();
    throw error;
  });
  const browser = await launchChromium(executable);
  let failures = 0;
  try {
    const extras = await seedShowcase(db);
    const pages: Record<string, string> = { ...(await pageUrls(db, extras)), ...(await extraScreenshotUrls(extras)) };
    for (const theme of THEMES) {
      for (const width of WIDTHS) {
        const context = await browser.newContext({ baseURL: baseUrl, colorScheme: theme, viewport: { width, height: width > 600 ? 900 : 740 }, isMobile: width < 600 });
        const page = await context.newPage();
        for (const [name, path] of Object.entries(pages)) {
          const response = await page.goto(path, { waitUntil: 'load' });
          const status = response?.status() ?? 0;
          const expected = name === 'not found' ? 404 : 200;
          if (status !== expected) {
            failures++;
            console.warn(`  ${path} answered ${status} (expected ${expected})`);
          }
          const file = join(out, `${name.replace(/\s+/g, '-')}-${theme}-${width}.png`);
          await page.screenshot({ path: file, fullPage: true });
          console.log(file);
        }
        await context.close();
      }
    }
  } finally {
    await browser.close();
    await app.close();
    await db.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
  console.log(`\nScreenshots in ${out}${failures ? ` (${failures} pages answered an unexpected status)` : ''}`);
  return failures ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
