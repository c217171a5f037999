import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { expect, it } from 'vitest';
import type { Db } from '../db/connection.js';
import { importParsedItem } from '../import/import.service.js';
import type { Site } from '../site/site.context.js';
import { forEachDatabase } from '../../test/databases.js';
import { makeItem } from '../../test/factories.js';
import { PUBLIC_URL, seedCatalog, startSite } from '../../test/site.js';
import { sitemapPart, sitemapXml } from './sitemap.js';

const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', parseTagValue: false, isArray: (name) => name === 'url' || name === 'sitemap' });

interface Entry {
  loc: string;
  lastmod?: string;
}

function urlset(body: string): Entry[] {
  expect(XMLValidator.validate(body)).toBe(true);
  const doc = xml.parse(body) as { urlset?: { '@xmlns': string; url?: Entry[] } };
  expect(doc.urlset?.['@xmlns']).toBe('http://www.sitemaps.org/schemas/sitemap/0.9');
  return doc.urlset?.url ?? [];
}

function siteOn(db: Db): Site {
  return { db, name: 'Test Reviews', publicUrl: PUBLIC_URL, stylesheet: '/assets/site.css', icon: '/assets/icon.svg' };
}

forEachDatabase((fresh) => {
  async function seeded() {
    const { db } = await fresh();
    const seed = await seedCatalog(db);
    // A draft, by an author with nothing published: neither may be listed.
    const draft = await importParsedItem(db, makeItem({ title: 'Unreleased Thoughts' }, { status: 'draft', publishedAt: null }), { author: 'Quiet Drafter' });
    return { db, seed, draft, ...(await startSite(db)) };
  }

  it('lists every public page with absolute URLs', async () => {
    const { seed, draft, get } = await seeded();
    const page = await get('/sitemap.xml');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('application/xml; charset=utf-8');
    const entries = urlset(page.body);
    const locs = entries.map((e) => e.loc);
    for (const loc of locs) expect(loc.startsWith(`${PUBLIC_URL}/`)).toBe(true);
    expect(new Set(locs).size).toBe(locs.length);

    for (const { review, work } of [seed.hero, seed.second, seed.devilman, seed.film]) {
      expect(locs).toContain(`${PUBLIC_URL}/reviews/${review.id}`);
      expect(locs).toContain(`${PUBLIC_URL}/works/${work.slug}`);
    }
    for (const path of ['/', '/browse', '/authors/aiko-tanaka', '/authors/ben-critic', '/people/hiroyasu-aoki', '/people/satoshi-kon', '/studios/pierrot', '/platforms/netflix', '/tags/thriller']) {
      expect(locs).toContain(`${PUBLIC_URL}${path}`);
    }
    expect(locs).not.toContain(`${PUBLIC_URL}/reviews/${draft.review.id}`);
    expect(locs).not.toContain(`${PUBLIC_URL}/authors/quiet-drafter`);
    // The draft's work has a page of its own (its details are public), without reviews.
    expect(locs).toContain(`${PUBLIC_URL}/works/${draft.work.slug}`);

    const byLoc = new Map(entries.map((e) => [e.loc, e.lastmod]));
    expect(byLoc.get(`${PUBLIC_URL}/reviews/${seed.hero.review.id}`)).toBe('2024-03-02T10:00:00.000Z');
    // A work changes when its newest review does.
    expect(byLoc.get(`${PUBLIC_URL}/works/${seed.hero.work.slug}`)).toBe('2024-03-05T10:00:00.000Z');
    expect(byLoc.get(`${PUBLIC_URL}/`)).toBe('2024-03-05T10:00:00.000Z');
  });

  it('becomes an index of parts past the limit, and the parts together list the same pages', async () => {
    const { db } = await seeded();
    const site = siteOn(db);
    const whole = urlset(await sitemapXml(site)).map((e) => e.loc);
    expect(urlset(await sitemapXml(site, { batch: 2 })).map((e) => e.loc)).toEqual(whole);

    const limit = 3;
    const index = await sitemapXml(site, { limit });
    expect(XMLValidator.validate(index)).toBe(true);
    const sitemaps = (xml.parse(index) as { sitemapindex: { '@xmlns': string; sitemap: Entry[] } }).sitemapindex.sitemap;
    expect(sitemaps.length).toBeGreaterThan(1);
    const fromParts: string[] = [];
    for (const { loc } of sitemaps) {
      const match = new RegExp(`^${PUBLIC_URL}/sitemaps/(\\d+)\\.xml$`).exec(loc);
      expect(match).not.toBeNull();
      const part = urlset(await sitemapPart(site, match![1]!, { limit, batch: 2 }));
      expect(part.length).toBeLessThanOrEqual(limit);
      fromParts.push(...part.map((e) => e.loc));
    }
    expect(fromParts.sort()).toEqual([...whole].sort());

    for (const missing of ['0', 'abc', '1e3', '9999', '999999999']) {
      await expect(sitemapPart(site, missing, { limit })).rejects.toMatchObject({ code: 'not_found' });
    }
  });

  it('is a valid empty list on an empty site', async () => {
    const { db } = await fresh();
    const { get } = await startSite(db);
    const locs = urlset((await get('/sitemap.xml')).body).map((e) => e.loc);
    expect(locs).toEqual([`${PUBLIC_URL}/`, `${PUBLIC_URL}/browse`]);
  });

  it('serves robots.txt naming the sitemap', async () => {
    const { db } = await fresh();
    const { get } = await startSite(db);
    const page = await get('/robots.txt');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/plain; charset=utf-8');
    const lines = page.body.split('\n');
    expect(lines).toContain('User-agent: *');
    expect(lines).toContain('Disallow: /search');
    expect(lines).toContain('Disallow: /api/');
    expect(lines).toContain(`Sitemap: ${PUBLIC_URL}/sitemap.xml`);
  });
});
