import { expect, it } from 'vitest';
import { forEachDatabase } from '../../test/databases.js';
import { makeItem } from '../../test/factories.js';
import { seedCatalog, startSite } from '../../test/site.js';
import { importParsedItem } from '../import/import.service.js';

const search = (q: string, extra = '') => `/search?q=${encodeURIComponent(q)}${extra}`;
const workTitles = (page: { doc: { querySelectorAll(s: string): { text: string }[] } }) => page.doc.querySelectorAll('.work-card-title a').map((a) => a.text);
const reviewTitles = (page: { doc: { querySelectorAll(s: string): { text: string }[] } }) => page.doc.querySelectorAll('.review-card-title a').map((a) => a.text);

forEachDatabase((fresh) => {
  it('finds a work through a credited person, whatever the accents, and lists the person', async () => {
    const { db } = await fresh();
    await seedCatalog(db);
    const { get } = await startSite(db);
    const page = await get(search('okouchi'));
    expect(page.status).toBe(200);
    expect(workTitles(page)).toEqual(['Devilman Crybaby']);
    expect(page.text).toContain('Writer: Ichirō Ōkouchi');
    const people = page.doc.querySelectorAll('#people-heading ~ ul a');
    expect(people.map((a) => a.text)).toEqual(['Ichirō Ōkouchi']);
    expect(people[0]!.getAttribute('href')).toBe('/people/ichiro-okouchi');
    expect(people[0]!.querySelector('mark')?.text).toBe('Ōkouchi');
    expect(page.doc.querySelector('title')?.text).toBe('Search: okouchi · Test Reviews');
    expect(page.doc.querySelector('meta[name=robots]')?.getAttribute('content')).toBe('noindex');
    expect(page.doc.querySelector('#site-search-q')?.getAttribute('value')).toBe('okouchi');
  });

  it('ignores symbols, case and width in titles', async () => {
    const { db } = await fresh();
    await seedCatalog(db);
    const { get } = await startSite(db);
    for (const q of ['hero mask', 'Hero ≠ Mask', 'ＨＥＲＯ', 'hero mas', 'ヒーロー']) {
      const page = await get(search(q));
      expect(page.status).toBe(200);
      expect(workTitles(page)[0], q).toBe('Hero ≠ Mask');
    }
    const wide = await get(search('ＨＥＲＯ'));
    expect(wide.doc.querySelector('.work-card-title mark')?.text).toBe('Hero');
    const studio = await get(search('science saru'));
    expect(studio.doc.querySelectorAll('#studios-heading ~ ul a').map((a) => a.getAttribute('href'))).toEqual(['/studios/science-saru']);
    expect(workTitles(studio)).toEqual(['Devilman Crybaby']);
  });

  it('finds reviews by their text, marks the matched words, and never shows a spoiler', async () => {
    const { db } = await fresh();
    await seedCatalog(db);
    const { get } = await startSite(db);
    const page = await get(search('gunfights'));
    expect(reviewTitles(page)).toEqual(['Cliché after cliché']);
    const marks = page.doc.querySelectorAll('.search-snippet mark').map((m) => m.text);
    expect(marks).toContain('Gunfights');
    expect(page.body).not.toContain('James survives');
    expect(page.body).not.toContain('Sarah was the mole');
    for (const q of ['sarah mole', 'james survives everything', 'twist']) {
      const spoiler = await get(search(q));
      expect(spoiler.status).toBe(200);
      expect(reviewTitles(spoiler), q).toEqual([]);
      expect(spoiler.body).not.toContain('Sarah was the mole');
      expect(spoiler.body).not.toContain('James survives');
    }
  });

  it('lists a review by what it says, never a score without words', async () => {
    const { db } = await fresh();
    const { get } = await startSite(db);
    const options = { author: 'Aiko Tanaka' };
    const work = { title: 'Quiet Harbour', year: 2019 };
    // A score alone, as a list brings it: the work is found, and no wordless "review" under it.
    await importParsedItem(db, makeItem(work, { body: '', score: { value: 8, max: 10 } }), options);
    let page = await get(search('quiet harbour'));
    expect(workTitles(page)).toEqual(['Quiet Harbour']);
    expect(reviewTitles(page)).toEqual([]);

    await importParsedItem(db, makeItem(work, { body: 'The harbour at night is the whole film.', score: { value: 8, max: 10 } }), options);
    page = await get(search('quiet harbour'));
    expect(reviewTitles(page)).toHaveLength(1);
    expect(page.doc.querySelectorAll('.search-snippet mark').map((m) => m.text)).toContain('harbour');

    // The words taken away again: the review leaves the results with them.
    await importParsedItem(db, makeItem(work, { body: '  ', score: { value: 7, max: 10 } }), options);
    page = await get(search('quiet harbour'));
    expect(workTitles(page)).toEqual(['Quiet Harbour']);
    expect(reviewTitles(page)).toEqual([]);
  });

  it('shows a snippet around the match in a long review, escaped', async () => {
    const { db } = await fresh();
    const filler = 'Nothing much happens in this paragraph at all. '.repeat(30);
    await importParsedItem(
      db,
      makeItem({ title: 'Lantern Harbor' }, { headline: 'A <b>bold</b> harbor', body: `${filler}\n\nThe <script>alert(1)</script> lighthouse keeper steals every scene.\n\n||The keeper dies.||\n\n${filler}` }),
      { author: 'Cara Writer', now: () => '2024-04-01T10:00:00.000Z' },
    );
    const { get } = await startSite(db);
    const page = await get(search('lighthouse keeper'));
    expect(reviewTitles(page)).toEqual(['A <b>bold</b> harbor']);
    const snippet = page.doc.querySelector('.search-snippet')!;
    expect(snippet.text.startsWith('…')).toBe(true);
    expect(snippet.querySelectorAll('mark').map((m) => m.text)).toEqual(['lighthouse', 'keeper']);
    expect(page.body).not.toContain('<script>alert');
    expect(page.body).toContain('&lt;script>alert(1)&lt;/script>');
    expect(page.body).not.toContain('keeper dies');
  });

  it('narrows works and reviews with facets, as links with counts and as a form', async () => {
    const { db } = await fresh();
    await seedCatalog(db);
    await importParsedItem(db, makeItem({ title: 'Mask of Glass', kind: 'film', year: 2018, studios: ['Madhouse'], platforms: ['Cinema'] }, { headline: 'Glass and mirrors', score: { value: 1, max: 5 } }), {
      author: 'Ben Critic',
      now: () => '2024-04-01T10:00:00.000Z',
    });
    const { get } = await startSite(db);
    const all = await get(search('mask'));
    expect(workTitles(all).sort()).toEqual(['Hero ≠ Mask', 'Mask of Glass']);
    const kindLink = all.doc.querySelectorAll('.search-facets a').find((a) => a.text.startsWith('Film'));
    expect(kindLink?.text).toContain('(');
    const films = await get(kindLink!.getAttribute('href')!);
    expect(workTitles(films)).toEqual(['Mask of Glass']);
    expect(films.text).toContain('Only: Film');
    expect(films.doc.querySelector('#search-kind option[selected]')?.getAttribute('value')).toBe('film');

    expect(workTitles(await get(search('mask', '&studio=pierrot')))).toEqual(['Hero ≠ Mask']);
    expect(workTitles(await get(search('mask', '&platform=cinema')))).toEqual(['Mask of Glass']);
    expect(workTitles(await get(search('mask', '&year=2010s')))).toHaveLength(2);
    expect(workTitles(await get(search('mask', '&year=1990s')))).toEqual([]);
    // A review's own score: Aiko's 2.5 of 5 stays, Ben's 8 of 10 goes with max=3.
    const low = await get(search('hero', '&max=3'));
    expect(reviewTitles(low)).toEqual(['Cliché after cliché']);
    const high = await get(search('hero', '&min=4'));
    expect(reviewTitles(high)).toEqual(['Better than they say']);
    const none = await get(search('mask', '&studio=no-such-studio'));
    expect(none.status).toBe(200);
    expect(none.text).toContain('Nothing found');
    expect(none.doc.querySelectorAll('.search-none a').map((a) => a.getAttribute('href'))).toContain('/search?q=mask');
  });

  it('answers hostile queries with a page, not an error', async () => {
    const { db } = await fresh();
    await seedCatalog(db);
    const { get } = await startSite(db);
    for (const q of ['"', '*', 'NEAR(', 'AND', "')", 'hero" OR "x', 'a'.repeat(5000), 'x\u0000y\u0007z', '\\', '%_', ':*', '!&|', 'hero -mask', '^hero', 'NOT hero']) {
      const page = await get(search(q));
      expect(page.status, JSON.stringify(q.slice(0, 20))).toBe(200);
    }
    const odd = await get(`/search?q=hero&q=mask&kind=nonsense&year=abc&min=9&studio=%3Cscript%3E`);
    expect(odd.status).toBe(200);
    expect(workTitles(odd)).toEqual(['Hero ≠ Mask']);
  });

  it('says so when nothing matches, and greets an empty query with the box', async () => {
    const { db } = await fresh();
    await seedCatalog(db);
    const { get } = await startSite(db);
    const empty = await get('/search');
    expect(empty.status).toBe(200);
    expect(empty.doc.querySelector('title')?.text).toBe('Search · Test Reviews');
    expect(empty.doc.querySelector('form.search-form input[name=q]')).toBeTruthy();
    expect(empty.doc.querySelector('label[for=search-q]')).toBeTruthy();
    expect(empty.doc.querySelector('meta[name=robots]')?.getAttribute('content')).toBe('noindex');
    const none = await get(search('zzyzx quolp'));
    expect(none.status).toBe(200);
    expect(none.text).toContain('Nothing found for “zzyzx quolp”');
    expect(none.doc.querySelectorAll('.search-none a').map((a) => a.getAttribute('href'))).toContain('/search?q=zzyzx');
  });
});
