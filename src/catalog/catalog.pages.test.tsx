import { expect, it } from 'vitest';
import type { HTMLElement } from 'node-html-parser';
import { forEachDatabase } from '../../test/databases.js';
import { makeItem } from '../../test/factories.js';
import { PUBLIC_URL, seedCatalog, startSite, type Page } from '../../test/site.js';
import type { Db } from '../db/connection.js';
import { importParsedItem, importParsedItems } from '../import/import.service.js';

const cardTitles = (page: Page) => page.doc.querySelectorAll('.work-card-title a').map((a) => a.text);
const canonical = (page: Page) => page.doc.querySelector('link[rel=canonical]')?.getAttribute('href');

/** One h1, and no heading more than one level below the one before it. */
function expectHeadingsInOrder(doc: HTMLElement) {
  const levels = doc.querySelectorAll('h1, h2, h3, h4, h5, h6').map((h) => Number(h.tagName.slice(1)));
  expect(levels[0]).toBe(1);
  expect(levels.filter((l) => l === 1)).toHaveLength(1);
  for (let i = 1; i < levels.length; i++) expect(levels[i]!).toBeLessThanOrEqual(levels[i - 1]! + 1);
}

/** Three works of one studio whose year, title and score orders all differ. */
async function seedStudio(db: Db) {
  const works = [
    { title: 'Alpha Zero', year: 2010, score: { value: 2, max: 5 } },
    { title: 'beta Waves', year: 2020, score: { value: 5, max: 5 } },
    { title: 'Gamma Ray', year: 2015, score: { value: 3.5, max: 5 } },
    { title: 'Delta Unscored', year: null, score: null },
  ];
  for (const w of works) {
    await importParsedItem(db, makeItem({ title: w.title, year: w.year, studios: ['Studio Trigger'] }, { score: w.score }), { author: 'Aiko Tanaka' });
  }
}

forEachDatabase((fresh) => {
  it('shows a person with every role they had on each work', async () => {
    const { db } = await fresh();
    await seedCatalog(db);
    const { get } = await startSite(db);
    const page = await get('/people/hiroyasu-aoki');
    expect(page.status).toBe(200);
    expect(page.doc.querySelector('h1')?.text).toBe('Hiroyasu Aoki');
    const card = page.doc.querySelectorAll('.work-card').find((c) => c.querySelector('.work-card-title')?.text === 'Hero ≠ Mask');
    expect(card?.querySelector('.work-card-meta')?.text).toContain('Director, Writer');
    expect(page.doc.querySelector('.role-filter')?.text).toContain('Director (1 work)');
    expect(page.doc.querySelector('.role-filter')?.text).toContain('Writer (1 work)');
    expect(page.doc.querySelector('title')?.text).toBe('Hiroyasu Aoki · Test Reviews');
    expect(page.doc.querySelector('meta[name=description]')?.getAttribute('content')).toBe(
      'Works of Hiroyasu Aoki (director, writer) reviewed on Test Reviews, with their scores.',
    );
    expect(canonical(page)).toBe(`${PUBLIC_URL}/people/hiroyasu-aoki`);
    expect(page.jsonLd).toContainEqual(expect.objectContaining({ '@type': 'Person', name: 'Hiroyasu Aoki' }));
    expectHeadingsInOrder(page.doc);

    const music = await get('/people/hisaki-kato');
    expect(music.doc.querySelector('.work-card-meta')?.text).toContain('Music');
    expect(music.doc.querySelector('.work-card-meta')?.text).not.toContain('Director');
  });

  it('narrows a person’s works to one role, and ignores a role that does not exist', async () => {
    const { db } = await fresh();
    await seedCatalog(db);
    await importParsedItem(db, makeItem({ title: 'Another Show', year: 2021, credits: [{ role: 'music', name: 'Hiroyasu Aoki' }] }), { author: 'Ben Critic' });
    const { get } = await startSite(db);
    expect(cardTitles(await get('/people/hiroyasu-aoki'))).toEqual(['Another Show', 'Hero ≠ Mask']);
    const director = await get('/people/hiroyasu-aoki?role=director');
    expect(cardTitles(director)).toEqual(['Hero ≠ Mask']);
    expect(canonical(director)).toBe(`${PUBLIC_URL}/people/hiroyasu-aoki?role=director`);
    expect(director.doc.querySelector('.role-filter a[aria-current=page]')?.text).toBe('Director (1 work)');
    // The sort form keeps the role.
    expect(director.doc.querySelector('form.sort-form input[name=role]')?.getAttribute('value')).toBe('director');
    expect(cardTitles(await get('/people/hiroyasu-aoki?role=astronaut'))).toEqual(['Another Show', 'Hero ≠ Mask']);
  });

  it('sorts a studio’s works by year, title or score, and falls back to the default for an unknown order', async () => {
    const { db } = await fresh();
    await seedStudio(db);
    const { get } = await startSite(db);
    const newest = await get('/studios/studio-trigger');
    expect(newest.status).toBe(200);
    expect(newest.doc.querySelector('h1')?.text).toBe('Studio Trigger');
    expect(cardTitles(newest)).toEqual(['beta Waves', 'Gamma Ray', 'Alpha Zero', 'Delta Unscored']);
    expect(cardTitles(await get('/studios/studio-trigger?sort=year-asc'))).toEqual(['Alpha Zero', 'Gamma Ray', 'beta Waves', 'Delta Unscored']);
    expect(cardTitles(await get('/studios/studio-trigger?sort=title'))).toEqual(['Alpha Zero', 'beta Waves', 'Delta Unscored', 'Gamma Ray']);
    const byScore = await get('/studios/studio-trigger?sort=score');
    expect(cardTitles(byScore)).toEqual(['beta Waves', 'Gamma Ray', 'Alpha Zero', 'Delta Unscored']);
    expect(canonical(byScore)).toBe(`${PUBLIC_URL}/studios/studio-trigger?sort=score`);
    expect(byScore.doc.querySelector('#listing-sort option[selected]')?.getAttribute('value')).toBe('score');
    expect(byScore.doc.querySelector('label[for=listing-sort]')?.text).toContain('Sort by');

    const unknown = await get('/studios/studio-trigger?sort=popularity');
    expect(unknown.status).toBe(200);
    expect(cardTitles(unknown)).toEqual(cardTitles(newest));
    expect(canonical(unknown)).toBe(`${PUBLIC_URL}/studios/studio-trigger`);
    expectHeadingsInOrder(newest.doc);
  });

  it('lists a platform’s and a tag’s works', async () => {
    const { db } = await fresh();
    await seedCatalog(db);
    const { get } = await startSite(db);
    const netflix = await get('/platforms/netflix?sort=title');
    expect(netflix.doc.querySelector('h1')?.text).toBe('Netflix');
    expect(netflix.doc.querySelector('title')?.text).toBe('Works on Netflix · Test Reviews');
    expect(cardTitles(netflix)).toEqual(['Devilman Crybaby', 'Hero ≠ Mask']);
    expect(netflix.doc.querySelector('meta[name=description]')?.getAttribute('content')).toBe(
      '2 works available on Netflix reviewed on Test Reviews, with their scores.',
    );
    const thriller = await get('/tags/thriller');
    expect(thriller.doc.querySelector('h1')?.text).toBe('Thriller');
    expect(cardTitles(thriller)).toEqual(['Hero ≠ Mask']);
    expect(thriller.text).toContain('3.25 out of 5 (2 scores)');
  });

  it('lists the works of a year, and answers 404 for a year that is not one or has no works', async () => {
    const { db } = await fresh();
    await seedCatalog(db);
    const { get } = await startSite(db);
    const page = await get('/years/2018');
    expect(page.status).toBe(200);
    expect(page.doc.querySelector('h1')?.text).toBe('2018');
    expect(page.doc.querySelector('title')?.text).toBe('Works from 2018 · Test Reviews');
    expect(cardTitles(page)).toEqual(['Devilman Crybaby', 'Hero ≠ Mask']);
    expect(cardTitles(await get('/years/2018?sort=score'))).toEqual(['Hero ≠ Mask', 'Devilman Crybaby']);
    // The only other year with works, not the years in between.
    expect(page.doc.querySelectorAll('.year-nav a').map((a) => a.getAttribute('href'))).toEqual(['/years/1997']);
    expectHeadingsInOrder(page.doc);
    for (const year of ['abc', '1200', '20180', '2018.5', '2030']) {
      const missing = await get(`/years/${year}`);
      expect(missing.status, year).toBe(404);
      expect(missing.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(missing.doc.querySelector('h1')?.text).toBe('Page not found');
    }
  });

  it('answers 404 with the site’s error page for unknown people, studios, platforms and tags', async () => {
    const { db } = await fresh();
    await seedCatalog(db);
    const { get } = await startSite(db);
    for (const path of ['/people/nobody', '/studios/nobody', '/platforms/nobody', '/tags/nobody']) {
      const page = await get(path);
      expect(page.status, path).toBe(404);
      expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(page.doc.querySelector('h1')?.text).toBe('Page not found');
    }
  });

  it('pages through long listings, 50 works a page', async () => {
    const { db } = await fresh();
    const items = Array.from({ length: 51 }, (_, i) => makeItem({ title: `Show ${String(i + 1).padStart(2, '0')}`, year: 2000, tags: ['Long'] }));
    await importParsedItems(db, items, { author: 'Aiko Tanaka' });
    const { get } = await startSite(db);
    const first = await get('/tags/long?sort=title');
    expect(cardTitles(first)).toHaveLength(50);
    expect(first.text).toContain('51 works');
    expect(first.doc.querySelector('a[rel=next]')?.getAttribute('href')).toBe('/tags/long?sort=title&page=2');
    expect(first.doc.querySelector('a[rel=prev]')).toBeNull();
    const second = await get('/tags/long?sort=title&page=2');
    expect(cardTitles(second)).toEqual(['Show 51']);
    expect(canonical(second)).toBe(`${PUBLIC_URL}/tags/long?sort=title&page=2`);
    expect(second.doc.querySelector('title')?.text).toBe('Works tagged Long (page 2) · Test Reviews');
    expect(second.doc.querySelector('a[rel=prev]')?.getAttribute('href')).toBe('/tags/long?sort=title');
    expect((await get('/tags/long?page=3')).status).toBe(404);
    expect((await get('/tags/long?page=99999999')).status).toBe(404);
    // Not a page number: the first page.
    expect(cardTitles(await get('/tags/long?sort=title&page=first'))).toEqual(cardTitles(first));
  });

  it('shows names and titles as text, never as markup', async () => {
    const { db } = await fresh();
    await importParsedItem(
      db,
      makeItem({ title: '<script>alert(1)</script>', year: 2019, studios: ['<b>Bold</b> Studio'], credits: [{ role: 'director', name: '<img src=x onerror=alert(2)>' }] }),
      { author: 'Aiko Tanaka' },
    );
    const { get } = await startSite(db);
    const studio = await db.kysely.selectFrom('studios').select('slug').executeTakeFirstOrThrow();
    const person = await db.kysely.selectFrom('people').select('slug').executeTakeFirstOrThrow();
    const studioPage = await get(`/studios/${studio.slug}`);
    expect(studioPage.status).toBe(200);
    expect(studioPage.doc.querySelector('h1')?.text).toBe('<b>Bold</b> Studio');
    expect(cardTitles(studioPage)).toEqual(['<script>alert(1)</script>']);
    expect(studioPage.body).not.toContain('<script>alert(1)');
    expect(studioPage.body).not.toContain('<b>Bold');
    const personPage = await get(`/people/${person.slug}`);
    expect(personPage.doc.querySelector('h1')?.text).toBe('<img src=x onerror=alert(2)>');
    expect(personPage.body).not.toContain('<img src=x');
    expect(personPage.doc.querySelectorAll('script:not([type="application/ld+json"])')).toHaveLength(0);
  });
});
