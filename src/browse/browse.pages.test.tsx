import { expect, it } from 'vitest';
import type { HTMLElement } from 'node-html-parser';
import { forEachDatabase } from '../../test/databases.js';
import { makeItem } from '../../test/factories.js';
import { PUBLIC_URL, seedCatalog, startSite, type Page } from '../../test/site.js';
import { importParsedItem, importParsedItems } from '../import/import.service.js';

const ranked = (page: Page) => page.doc.querySelectorAll('table.rankings tbody th a').map((a) => a.text);
const canonical = (page: Page) => page.doc.querySelector('link[rel=canonical]')?.getAttribute('href');

function expectHeadingsInOrder(doc: HTMLElement) {
  const levels = doc.querySelectorAll('h1, h2, h3, h4, h5, h6').map((h) => Number(h.tagName.slice(1)));
  expect(levels[0]).toBe(1);
  expect(levels.filter((l) => l === 1)).toHaveLength(1);
  for (let i = 1; i < levels.length; i++) expect(levels[i]!).toBeLessThanOrEqual(levels[i - 1]! + 1);
}

forEachDatabase((fresh) => {
  it('ranks scored works with rank, kind, year, weighted score and mean, and says how', async () => {
    const { db } = await fresh();
    await seedCatalog(db);
    const { get } = await startSite(db);
    const page = await get('/browse');
    expect(page.status).toBe(200);
    expect(page.doc.querySelector('h1')?.text).toBe('Rankings');
    expect(page.text).toContain('works with few scores are pulled towards the average');
    const rows = page.doc.querySelectorAll('table.rankings tbody tr').map((tr) => tr.querySelectorAll('td, th').map((c) => c.text.replace(/\s+/g, ' ').trim()));
    // Devilman Crybaby has no score, so no rank.
    expect(rows.map((r) => r.slice(0, 4))).toEqual([
      ['1', 'Perfect Blue', 'Anime film', '1997'],
      ['2', 'Hero ≠ Mask', 'Anime series', '2018'],
    ]);
    expect(rows[0]![5]).toBe('4.75 from 1 score');
    expect(rows[1]![5]).toBe('3.25 from 2 scores');
    expect(rows[0]![4]).toMatch(/^★+½?☆* \d(\.\d+)?$/);
    expect(page.doc.querySelector('.table-scroll > table.rankings')).not.toBeNull();
    expect(canonical(page)).toBe(`${PUBLIC_URL}/browse`);
    expect(page.doc.querySelector('title')?.text).toBe('Rankings · Test Reviews');
    expectHeadingsInOrder(page.doc);
  });

  it('does not rank a single 5-star review above works with many high scores', async () => {
    const { db } = await fresh();
    await seedCatalog(db);
    for (let i = 0; i < 10; i++) {
      await importParsedItem(db, makeItem({ title: 'Crowd Favourite', year: 2016 }, { score: { value: 4.5, max: 5 } }), { author: `Critic ${i}` });
    }
    for (let i = 0; i < 3; i++) {
      await importParsedItem(db, makeItem({ title: `So-so ${i}`, year: 2016 }, { score: { value: 2.5, max: 5 } }), { author: 'Critic 0' });
    }
    await importParsedItem(db, makeItem({ title: 'One Hit', year: 2016 }, { score: { value: 5, max: 5 } }), { author: 'Critic 0' });
    const { get } = await startSite(db);
    const titles = ranked(await get('/browse'));
    expect(titles[0]).toBe('Crowd Favourite');
    expect(titles.indexOf('One Hit')).toBeGreaterThan(0);
  });

  it('narrows the list by kind, year, studio, platform and tag with a plain form', async () => {
    const { db } = await fresh();
    await seedCatalog(db);
    const { get } = await startSite(db);
    const page = await get('/browse');
    const form = page.doc.querySelector('form.filters')!;
    expect(form.getAttribute('method')).toBe('get');
    expect(form.getAttribute('action')).toBe('/browse');
    const controls = form.querySelectorAll('select, input');
    expect(controls.map((c) => c.getAttribute('name'))).toEqual(['kind', 'year', 'studio', 'platform', 'tag']);
    for (const control of controls) expect(form.querySelector(`label[for="${control.id}"]`), control.id).not.toBeNull();
    expect(form.querySelectorAll('#filter-studio option').map((o) => o.text)).toEqual(['Any studio', 'Madhouse', 'Pierrot', 'Science SARU']);

    expect(ranked(await get('/browse?kind=anime_film'))).toEqual(['Perfect Blue']);
    expect(ranked(await get('/browse?year=2018'))).toEqual(['Hero ≠ Mask']);
    expect(ranked(await get('/browse?studio=madhouse'))).toEqual(['Perfect Blue']);
    expect(ranked(await get('/browse?platform=netflix'))).toEqual(['Hero ≠ Mask']);
    expect(ranked(await get('/browse?tag=thriller'))).toEqual(['Hero ≠ Mask']);
    // A name typed rather than chosen finds the same studio.
    expect(ranked(await get('/browse?studio=PIERROT'))).toEqual(['Hero ≠ Mask']);

    const none = await get('/browse?kind=anime_film&year=2018');
    expect(ranked(none)).toEqual([]);
    expect(none.text).toContain('No scored works match these filters.');

    const both = await get('/browse?kind=anime_series&studio=Pierrot&page=1');
    expect(ranked(both)).toEqual(['Hero ≠ Mask']);
    expect(both.doc.querySelector('#filter-kind option[selected]')?.getAttribute('value')).toBe('anime_series');
    expect(both.doc.querySelector('#filter-studio option[selected]')?.getAttribute('value')).toBe('pierrot');
    expect(canonical(both)).toBe(`${PUBLIC_URL}/browse?kind=anime_series&studio=pierrot`);
    expect(both.doc.querySelector('title')?.text).toBe('Rankings: Anime series, Pierrot · Test Reviews');
  });

  it('leaves out a filter it does not understand instead of failing', async () => {
    const { db } = await fresh();
    await seedCatalog(db);
    const { get } = await startSite(db);
    for (const query of ['kind=cartoon', 'year=soon', 'year=99999', 'studio=Nowhere', 'tag=', 'page=-1']) {
      const page = await get(`/browse?${query}`);
      expect(page.status, query).toBe(200);
      expect(ranked(page), query).toEqual(['Perfect Blue', 'Hero ≠ Mask']);
      expect(canonical(page), query).toBe(`${PUBLIC_URL}/browse`);
    }
    expect((await get('/browse?studio=Nowhere')).text).toContain('No studio matches “Nowhere”; that filter was left out.');
  });

  it('pages through the rankings with filters kept', async () => {
    const { db } = await fresh();
    const items = Array.from({ length: 51 }, (_, i) => makeItem({ title: `Film ${i + 1}`, kind: 'film', year: 2001 }, { score: { value: (i % 10) + 1, max: 10 } }));
    await importParsedItems(db, items, { author: 'Aiko Tanaka' });
    const { get } = await startSite(db);
    const first = await get('/browse?kind=film');
    expect(ranked(first)).toHaveLength(50);
    expect(first.doc.querySelector('a[rel=next]')?.getAttribute('href')).toBe('/browse?kind=film&page=2');
    const second = await get('/browse?kind=film&page=2');
    expect(second.doc.querySelector('table.rankings tbody td.rank')?.text).toBe('51');
    expect(canonical(second)).toBe(`${PUBLIC_URL}/browse?kind=film&page=2`);
    expect((await get('/browse?kind=film&page=3')).status).toBe(404);
  });

  it('shows titles as text, never as markup', async () => {
    const { db } = await fresh();
    await importParsedItem(db, makeItem({ title: '<script>alert(1)</script>', tags: ['<i>Evil</i>'] }), { author: 'Aiko Tanaka' });
    const { get } = await startSite(db);
    const page = await get('/browse');
    expect(ranked(page)).toEqual(['<script>alert(1)</script>']);
    expect(page.doc.querySelectorAll('#filter-tag option').map((o) => o.text)).toEqual(['Any tag', '<i>Evil</i>']);
    expect(page.body).not.toContain('<script>alert');
    expect(page.body).not.toContain('<i>Evil');
  });
});
