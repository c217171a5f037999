/**
 * axe-core on every page type, in the light and the dark theme: no serious or critical
 * violation, colour contrast included.
 *
 * The site's CSP (script-src 'self') refuses inline scripts, so axe is not added as a script
 * tag: its source is evaluated through the DevTools protocol (page.evaluate), which the page's
 * CSP does not govern, and the page keeps its real policy while it is checked.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeBrowser, newContext, openPageType, PAGE_TYPES, THEMES, useBrowserSite } from './harness.js';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

interface Violation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string; summary: string }[];
}

/** Rule id, impact and the first few offending elements of each violation. */
function describeViolations(violations: Violation[]): string {
  const shown = 4;
  return violations
    .map((v) => {
      const nodes = v.nodes.slice(0, shown).map((n) => `    at ${n.target}\n      ${n.summary.replace(/\n\s*/g, ' ')}`);
      if (v.nodes.length > shown) nodes.push(`    … and ${v.nodes.length - shown} more`);
      return `  ${v.id} (${v.impact}): ${v.help}\n${nodes.join('\n')}`;
    })
    .join('\n');
}

describeBrowser('accessibility (axe-core)', () => {
  const site = useBrowserSite();

  for (const theme of THEMES) {
    describe(`${theme} theme`, () => {
      let context: BrowserContext;
      beforeAll(async () => {
        context = await newContext(site, { colorScheme: theme });
      });
      afterAll(async () => {
        await context?.close();
      });

      for (const type of PAGE_TYPES) {
        it(`${type} page has no serious or critical violations`, async () => {
          const page = await context.newPage();
          try {
            await openPageType(page, site, type);
            await page.evaluate(axeSource);
            const violations = await page.evaluate(async () => {
              type AxeNode = { target: unknown[]; impact: string | null; failureSummary?: string };
              type AxeResult = { id: string; impact: string | null; help: string; nodes: AxeNode[] };
              const g = globalThis as unknown as { axe: { run: (ctx: unknown, options: object) => Promise<{ violations: AxeResult[] }> }; document: unknown };
              const result = await g.axe.run(g.document, { resultTypes: ['violations'] });
              return result.violations.map((v) => ({
                id: v.id,
                impact: v.impact,
                help: v.help,
                nodes: v.nodes.map((n) => ({ target: n.target.map(String).join(' '), summary: n.failureSummary ?? '' })),
              }));
            });
            const serious = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
            expect(serious.length, `axe on the ${type} page (${site.urls[type]}, ${theme} theme):\n${describeViolations(serious)}\n`).toBe(0);
          } finally {
            await page.close();
          }
        });
      }
    });
  }
});
