import { expect, it } from 'vitest';
import type { HTMLElement } from 'node-html-parser';
import { forEachDatabase } from '../../test/databases.js';
import { makeItem } from '../../test/factories.js';
import { PUBLIC_URL, seedCatalog, startSite, type Page } from '../../test/site.js';
import { importParsedItem, importParsedItems, importSourceItems } from '../import/import.service.js';
import type { ListStatus, SourceItem } from '../import/import.types.js';
import { ratingToStars } from '../site/components.js';
import { authorStats, findAuthorProfile } from './authors.repository.js';

const headlines = (page: Page) => page.doc.querySelectorAll('.review-card-title a').map((a) => a.text);
/** The histogram as [label, count] rows, best score first. */
const histogram = (page: Page) =>
  page.doc.querySelectorAll('table.histogram tbody tr').map((tr) => [tr.querySelector('th')!.text, Number(tr.querySelector('.histogram-count')!.text)] as const);

function expectHeadingsInOrder(doc: HTMLElement) {
  const levels = doc.querySelectorAll('h1, h2, h3, h4, h5, h6').map((h) => Number(h.tagName.slice(1)));
  expect(levels[0]).toBe(1);
  expect(levels.filter((l) => l === 1)).toHaveLength(1);
  for (let i = 1; i < levels.length; i++) expect(levels[i]!).toBeLessThanOrEqual(levels[i - 1]! + 1);
}

forEachDatabase((fresh) => {
  it('shows an author’s reviews newest first, their count, average and score histogram', async () => {
    const { db } = await fresh();
    await seedCatalog(db);
    const { get } = await startSite(db);
    const page = await get('/authors/ben-critic');
    expect(page.status).toBe(200);
    expect(page.doc.querySelector('h1')?.text).toBe('Ben Critic');
    expect(headlines(page)).toEqual(['Better than they say', 'A nightmare in mirrors']);
    expect(page.doc.querySelector('.stat-reviews')?.text).toBe('2');
    // 8/10 and 95/100: (80 + 95) / 2 = 87.5 → 4.375 stars.
    expect(page.doc.querySelector('.stat-average')?.text).toContain('4.38 out of 5');
    expect(histogram(page)).toEqual([
      ['5 stars', 1],
      ['4.5 stars', 0],
      ['4 stars', 1],
      ['3.5 stars', 0],
      ['3 stars', 0],
      ['2.5 stars', 0],
      ['2 stars', 0],
      ['1.5 stars', 0],
      ['1 star', 0],
      ['0.5 stars', 0],
    ]);
    expect(page.doc.querySelector('table.histogram caption')?.text).toBe('Scores given, by stars');
    expect(page.body).not.toMatch(/style=/);
    // The author is the page: cards do not repeat the name.
    expect(page.doc.querySelectorAll('.review-card a[href="/authors/ben-critic"]')).toHaveLength(0);
    expect(page.doc.querySelector('link[rel=canonical]')?.getAttribute('href')).toBe(`${PUBLIC_URL}/authors/ben-critic`);
    expect(page.doc.querySelector('meta[name=description]')?.getAttribute('content')).toBe(
      '2 reviews of anime, series and films by Ben Critic on Test Reviews, with an average score of 4.38 out of 5.',
    );
    expect(page.jsonLd).toContainEqual(expect.objectContaining({ '@type': 'ProfilePage' }));
    expectHeadingsInOrder(page.doc);
  });

  it('advertises the author’s feeds in the head', async () => {
    const { db } = await fresh();
    await seedCatalog(db);
    const { get } = await startSite(db);
    const page = await get('/authors/aiko-tanaka');
    const feeds = page.doc.querySelectorAll('link[rel=alternate]').map((l) => [l.getAttribute('type'), l.getAttribute('href')]);
    expect(feeds.slice(0, 3)).toEqual([
      ['application/atom+xml', '/authors/aiko-tanaka/feed.atom'],
      ['application/feed+json', '/authors/aiko-tanaka/feed.json'],
      ['application/rss+xml', '/authors/aiko-tanaka/feed.rss'],
    ]);
  });

  it('counts unscored reviews but averages only the scored ones, and leaves drafts and spoilers out', async () => {
    const { db } = await fresh();
    await seedCatalog(db);
    await importParsedItem(db, makeItem({ title: 'Unfinished' }, { status: 'draft', headline: 'Draft thoughts', score: { value: 1, max: 5 } }), {
      author: 'Aiko Tanaka',
    });
    const { get } = await startSite(db);
    const page = await get('/authors/aiko-tanaka');
    expect(headlines(page)).toEqual(['Devilman Crybaby', 'Cliché after cliché']);
    expect(page.doc.querySelector('.stat-reviews')?.text).toBe('2');
    expect(page.doc.querySelector('.stat-scored')?.text).toBe('1');
    expect(page.doc.querySelector('.stat-average')?.text).toContain('2.5 out of 5');
    expect(histogram(page).filter(([, n]) => n > 0)).toEqual([['2.5 stars', 1]]);
    expect(page.text).not.toContain('Draft thoughts');
    expect(page.text).toContain('Gunfights are awesome.');
    expect(page.body).not.toContain('James survives');
    expect(page.body).not.toContain('Sarah was the mole');
  });

  it('puts each score in the half-star bucket its stars show', async () => {
    const { db } = await fresh();
    const ratings = [0, 4, 5, 14, 15, 25, 95, 100];
    await importParsedItems(
      db,
      ratings.map((r) => makeItem({}, { score: { value: r, max: 100 } })),
      { author: 'Bucket Tester' },
    );
    const author = (await findAuthorProfile(db.kysely, 'bucket-tester'))!;
    const stats = await authorStats(db.kysely, author.id);
    // ½★ for 0 to 14 (no score shows fewer than half a star), 1★ for 15, 1½★ for 25, 5★ for 95 and 100.
    expect(stats.histogram).toEqual([4, 1, 1, 0, 0, 0, 0, 0, 0, 2]);
    const shown = Array.from({ length: 10 }, () => 0);
    for (const r of ratings) shown[ratingToStars(r) * 2 - 1]!++;
    expect(stats.histogram).toEqual(shown);
    expect(stats).toMatchObject({ reviewCount: 8, ratingCount: 8, ratingSum: ratings.reduce((a, b) => a + b, 0) });
  });

  it('pages through an author’s reviews', async () => {
    const { db } = await fresh();
    const items = Array.from({ length: 21 }, (_, i) =>
      makeItem({ title: `Show ${i + 1}` }, { headline: `Review ${i + 1}`, publishedAt: new Date(Date.UTC(2024, 0, i + 1)).toISOString() }),
    );
    await importParsedItems(db, items, { author: 'Prolific Writer' });
    const { get } = await startSite(db);
    const first = await get('/authors/prolific-writer');
    expect(headlines(first)).toHaveLength(20);
    expect(headlines(first)[0]).toBe('Review 21');
    expect(first.doc.querySelector('a[rel=next]')?.getAttribute('href')).toBe('/authors/prolific-writer?page=2');
    const second = await get('/authors/prolific-writer?page=2');
    expect(headlines(second)).toEqual(['Review 1']);
    expect(second.doc.querySelector('link[rel=canonical]')?.getAttribute('href')).toBe(`${PUBLIC_URL}/authors/prolific-writer?page=2`);
    expect(second.doc.querySelector('.stat-reviews')?.text).toBe('21');
    expect((await get('/authors/prolific-writer?page=3')).status).toBe(404);
  });

  it('answers 404 with the site’s error page for an unknown author', async () => {
    const { db } = await fresh();
    await seedCatalog(db);
    const { get } = await startSite(db);
    const page = await get('/authors/nobody');
    expect(page.status).toBe(404);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.doc.querySelector('h1')?.text).toBe('Page not found');
  });

  it('shows names and headlines as text, never as markup', async () => {
    const { db } = await fresh();
    await importParsedItem(db, makeItem({ title: '<script>alert(1)</script>' }, { headline: '<img src=x onerror=alert(2)>' }), { author: '<b>Eve</b>' });
    const { slug } = await db.kysely.selectFrom('authors').select('slug').executeTakeFirstOrThrow();
    const { get } = await startSite(db);
    const page = await get(`/authors/${slug}`);
    expect(page.status).toBe(200);
    expect(page.doc.querySelector('h1')?.text).toBe('<b>Eve</b>');
    expect(headlines(page)).toEqual(['<img src=x onerror=alert(2)>']);
    expect(page.doc.querySelector('.review-card-meta a')?.text).toBe('<script>alert(1)</script>');
    expect(page.body).not.toContain('<b>Eve');
    expect(page.body).not.toContain('<img src=x');
    expect(page.body).not.toContain('<script>alert');
  });

  it('shows how many works the author has on their list, per status, once they have a list', async () => {
    const { db } = await fresh();
    await seedCatalog(db);
    const { get } = await startSite(db);
    expect((await get('/authors/ben-critic')).doc.querySelector('.list-counts')).toBeNull();

    const entry = (title: string, status: ListStatus | null): SourceItem => ({
      work: { title, altTitles: [], kind: 'anime_series', year: 2020, synopsis: null, credits: [], studios: [], platforms: [], tags: [], externalIds: {} },
      review: null,
      entry: { status, progress: null, startedOn: null, finishedOn: null, timesWatched: null, tags: [] },
      warnings: [],
    });
    const items = [entry('Listed One', 'completed'), entry('Listed Two', 'completed'), entry('Listed Three', 'plan_to_watch'), entry('Listed Four', null)];
    await importSourceItems(db, items, { author: 'Ben Critic' });
    const page = await get('/authors/ben-critic');
    const counts = page.doc.querySelectorAll('.list-counts > div').map((d) => [d.querySelector('dt')!.text, d.querySelector('dd')!.text]);
    expect(counts).toEqual([
      ['Completed', '2'],
      ['Plan to watch', '1'],
      ['No status', '1'],
    ]);
    expect(page.doc.querySelector('#list-heading')?.text).toBe('On their list');
    expectHeadingsInOrder(page.doc);
    // Entries are not reviews: the review count stays what it was.
    expect(page.doc.querySelector('.stat-reviews')?.text).toBe('2');
  });
});
