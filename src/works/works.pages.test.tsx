import { expect, it } from 'vitest';
import { forEachDatabase } from '../../test/databases.js';
import { PUBLIC_URL, seedCatalog, startSite, type Page } from '../../test/site.js';
import { makeItem } from '../../test/factories.js';
import { importParsedItem } from '../import/import.service.js';

const head = (page: Page) => page.doc.querySelector('head')!.toString();
const meta = (page: Page, property: string) => page.doc.querySelectorAll(`meta[property="${property}"]`).map((m) => m.getAttribute('content'));
const infobox = (page: Page) => {
  const box = page.doc.querySelector('.infobox')!;
  const rows: Record<string, { text: string; links: [string, string | undefined][] }> = {};
  box.querySelectorAll('dt').forEach((dt) => {
    const dd = dt.nextElementSibling!;
    rows[dt.text] = { text: dd.text, links: dd.querySelectorAll('a').map((a) => [a.text, a.getAttribute('href')]) };
  });
  return rows;
};

forEachDatabase((fresh) => {
  it('shows the work: title, alternative titles, kind, year, tags and an info box whose names are links', async () => {
    const { db } = await fresh();
    const { hero } = await seedCatalog(db);
    const { get } = await startSite(db);
    const page = await get(`/works/${hero.work.slug}`);
    expect(page.status).toBe(200);
    expect(page.doc.querySelector('h1')?.text).toBe('Hero ≠ Mask');
    expect(page.doc.querySelector('.alt-titles')?.text).toContain('ヒーロー ≠ マスク');
    expect(page.doc.querySelector('.alt-titles dt')?.text).toBe('Original title');
    expect(page.doc.querySelector('.work-header .eyebrow')?.text).toBe('Anime series · 2018');
    expect(page.doc.querySelector('.work-header .eyebrow a')?.getAttribute('href')).toBe('/years/2018');
    expect(page.doc.querySelectorAll('.tag-list a').map((a) => [a.text, a.getAttribute('href')])).toEqual([['Thriller', '/tags/thriller']]);

    const box = infobox(page);
    expect(box['Kind']?.text).toBe('Anime series');
    expect(box['Year']?.links).toEqual([['2018', '/years/2018']]);
    expect(box['Director']?.links).toEqual([['Hiroyasu Aoki', '/people/hiroyasu-aoki']]);
    expect(box['Writer']?.links).toEqual([['Hiroyasu Aoki', '/people/hiroyasu-aoki']]);
    expect(box['Music']?.links).toEqual([['Hisaki Kato', '/people/hisaki-kato']]);
    expect(box['Studio']?.links).toEqual([['Pierrot', '/studios/pierrot']]);
    expect(box['Where to watch']?.links).toEqual([['Netflix', '/platforms/netflix']]);
  });

  it('shows the mean score on five stars with its counts, and a distribution chart with a text alternative', async () => {
    const { db } = await fresh();
    const { hero } = await seedCatalog(db);
    const { get } = await startSite(db);
    const page = await get(`/works/${hero.work.slug}`);
    // 2.5/5 and 8/10: ratings 50 and 80, a mean of 65, which is 3.25 stars (shown as 3.5 stars and "3.3").
    const summary = page.doc.querySelector('.work-score')!;
    expect(summary.querySelector('.stars')?.getAttribute('aria-label')).toBe('3.5 out of 5 stars');
    expect(summary.text).toContain('3.3 out of 5');
    expect(summary.text).toContain('from 2 scores and 2 reviews');

    const chart = page.doc.querySelector('figure.score-chart')!;
    const svg = chart.querySelector('svg')!;
    expect(svg.getAttribute('aria-hidden')).toBe('true');
    expect(svg.getAttribute('viewBox')).toBe('0 0 220 110');
    expect(svg.querySelectorAll('rect.bar')).toHaveLength(2);
    expect(chart.querySelector('figcaption')?.text).toContain('2 scores');
    const rows = chart.querySelectorAll('table tbody tr').map((tr) => [tr.querySelector('th')!.text, tr.querySelector('td')!.text]);
    expect(rows).toEqual([
      ['0.5 stars', '0'],
      ['1 star', '0'],
      ['1.5 stars', '0'],
      ['2 stars', '0'],
      ['2.5 stars', '1'],
      ['3 stars', '0'],
      ['3.5 stars', '0'],
      ['4 stars', '1'],
      ['4.5 stars', '0'],
      ['5 stars', '0'],
    ]);
    // The Content-Security-Policy refuses inline styles: nothing may rely on them.
    expect(page.body).not.toMatch(/\sstyle=/);
  });

  it('lists the work’s published reviews newest first, spoiler-free, without drafts', async () => {
    const { db } = await fresh();
    const { hero, second } = await seedCatalog(db);
    await importParsedItem(db, makeItem({ title: 'Hero ≠ Mask', year: 2018 }, { status: 'draft', headline: 'Unfinished draft', publishedAt: null }), {
      author: 'Drafty',
    });
    const { get } = await startSite(db);
    const page = await get(`/works/${hero.work.slug}`);
    expect(page.doc.querySelectorAll('.review-card-title a').map((a) => [a.text, a.getAttribute('href')])).toEqual([
      ['Better than they say', `/reviews/${second.review.id}`],
      ['Cliché after cliché', `/reviews/${hero.review.id}`],
    ]);
    expect(page.text).not.toContain('Unfinished draft');
    expect(page.text).toContain('Gunfights are awesome.');
    expect(page.body).not.toContain('James survives');
    expect(page.body).not.toContain('Sarah was the mole');
    expect(page.doc.querySelector('.review-card .badge')?.text).toBe('Contains spoilers');
    expect(page.doc.querySelector('.pagination')).toBeNull();
  });

  it('describes the work to search engines: JSON-LD TVSeries with credits, ids and the aggregate rating, OpenGraph and feeds', async () => {
    const { db } = await fresh();
    const { hero } = await seedCatalog(db);
    const { get } = await startSite(db);
    const page = await get(`/works/${hero.work.slug}`);
    const [data] = page.jsonLd;
    expect(page.jsonLd).toHaveLength(1);
    expect(data).toMatchObject({
      '@context': 'https://schema.org',
      '@type': 'TVSeries',
      name: 'Hero ≠ Mask',
      alternateName: 'ヒーロー ≠ マスク',
      url: `${PUBLIC_URL}/works/${hero.work.slug}`,
      genre: 'Thriller',
      startDate: '2018',
      director: { '@type': 'Person', name: 'Hiroyasu Aoki' },
      author: { '@type': 'Person', name: 'Hiroyasu Aoki' },
      musicBy: { '@type': 'Person', name: 'Hisaki Kato' },
      productionCompany: { '@type': 'Organization', name: 'Pierrot' },
      aggregateRating: { '@type': 'AggregateRating', ratingValue: 3.25, bestRating: 5, worstRating: 0.5, ratingCount: 2, reviewCount: 2 },
    });
    expect(meta(page, 'og:type')).toEqual(['video.tv_show']);
    expect(meta(page, 'video:director')).toEqual([`${PUBLIC_URL}/people/hiroyasu-aoki`]);
    expect(page.doc.querySelector('meta[name=description]')?.getAttribute('content')).toContain('Rated 3.3 out of 5 from 2 scores');
    const feeds = page.doc.querySelectorAll('link[rel=alternate]').map((l) => l.getAttribute('href'));
    expect(feeds.slice(0, 3)).toEqual([`/works/${hero.work.slug}/feed.atom`, `/works/${hero.work.slug}/feed.json`, `/works/${hero.work.slug}/feed.rss`]);
    expect(head(page)).not.toContain('James survives');
    expect(head(page)).not.toContain('Sarah was the mole');
  });

  it('marks a film up as a Movie, links external ids with sameAs, and uses the synopsis as description', async () => {
    const { db } = await fresh();
    const item = await importParsedItem(
      db,
      makeItem(
        {
          title: 'Paprika',
          kind: 'anime_film',
          year: 2006,
          synopsis: 'A research psychologist enters people’s dreams.\n\nThen the machine is stolen.',
          altTitles: [
            { title: 'パプリカ', type: 'original' },
            { title: 'Papurika', type: 'romaji' },
          ],
          credits: [
            { role: 'original_creator', name: 'Yasutaka Tsutsui' },
            { role: 'director', name: 'Satoshi Kon' },
          ],
          externalIds: { mal: '1943', anilist: '1943', imdb: 'tt0851578', tmdb: '4977' },
        },
        { score: { value: 9, max: 10 }, body: 'Dreamy.' },
      ),
      { author: 'Aiko Tanaka' },
    );
    const { get } = await startSite(db);
    const page = await get(`/works/${item.work.slug}`);
    expect(page.status).toBe(200);
    const data = page.jsonLd[0]!;
    expect(data['@type']).toBe('Movie');
    expect(data['datePublished']).toBe('2006');
    expect(data['alternateName']).toEqual(['パプリカ', 'Papurika']);
    expect(data['creator']).toMatchObject({ '@type': 'Person', name: 'Yasutaka Tsutsui' });
    expect(data['sameAs']).toEqual(['https://anilist.co/anime/1943', 'https://www.imdb.com/title/tt0851578/', 'https://myanimelist.net/anime/1943']);
    expect(data['aggregateRating']).toMatchObject({ ratingValue: 4.5, ratingCount: 1, reviewCount: 1 });
    expect(meta(page, 'og:type')).toEqual(['video.movie']);
    expect(page.doc.querySelector('meta[name=description]')?.getAttribute('content')).toBe('A research psychologist enters people’s dreams. Then the machine is stolen.');
    expect(page.doc.querySelectorAll('.synopsis p').map((p) => p.text)).toEqual(['A research psychologist enters people’s dreams.', 'Then the machine is stolen.']);
    expect(page.doc.querySelectorAll('.alt-titles dt').map((dt) => dt.text)).toEqual(['Original title', 'Romanised title']);
    expect(infobox(page)['Elsewhere']?.links.map(([label]) => label)).toEqual(['AniList', 'IMDb', 'MyAnimeList']);
    expect(infobox(page)['Original creator']?.links).toEqual([['Yasutaka Tsutsui', '/people/yasutaka-tsutsui']]);
  });

  it('leaves out the aggregate rating and the chart when nothing is scored', async () => {
    const { db } = await fresh();
    const { devilman } = await seedCatalog(db);
    const { get } = await startSite(db);
    const page = await get(`/works/${devilman.work.slug}`);
    expect(page.status).toBe(200);
    expect(page.jsonLd[0]!['aggregateRating']).toBeUndefined();
    expect(page.doc.querySelector('.score-chart')).toBeNull();
    expect(page.doc.querySelector('.work-score')?.text).toContain('No scores yet');
    expect(page.doc.querySelectorAll('.review-card-title a').map((a) => a.text)).toEqual(['Review by Aiko Tanaka']);
  });

  it('pages through many reviews, twenty at a time, and answers 404 past the last page', async () => {
    const { db } = await fresh();
    let slug = '';
    for (let i = 1; i <= 23; i++) {
      const day = String(i).padStart(2, '0');
      const result = await importParsedItem(
        db,
        makeItem({ title: 'Popular Show', year: 2020 }, { headline: `Review number ${i}`, publishedAt: `2024-01-${day}T10:00:00.000Z` }),
        { author: `Reviewer ${i}` },
      );
      slug = result.work.slug;
    }
    const { get } = await startSite(db);
    const first = await get(`/works/${slug}`);
    const headlines = first.doc.querySelectorAll('.review-card-title a').map((a) => a.text);
    expect(headlines).toHaveLength(20);
    expect(headlines[0]).toBe('Review number 23');
    expect(headlines[19]).toBe('Review number 4');
    expect(first.doc.querySelector('.pagination a[rel=next]')?.getAttribute('href')).toBe(`/works/${slug}?page=2`);
    expect(first.doc.querySelector('.pagination a[rel=prev]')).toBeNull();

    const second = await get(`/works/${slug}?page=2`);
    expect(second.status).toBe(200);
    expect(second.doc.querySelectorAll('.review-card-title a').map((a) => a.text)).toEqual(['Review number 3', 'Review number 2', 'Review number 1']);
    expect(second.doc.querySelector('.pagination a[rel=prev]')?.getAttribute('href')).toBe(`/works/${slug}`);
    expect(second.doc.querySelector('.pagination a[rel=next]')).toBeNull();
    expect(second.doc.querySelector('link[rel=canonical]')?.getAttribute('href')).toBe(`${PUBLIC_URL}/works/${slug}?page=2`);

    expect((await get(`/works/${slug}?page=3`)).status).toBe(404);
    expect((await get(`/works/${slug}?page=0`)).status).toBe(404);
    expect((await get(`/works/${slug}?page=abc`)).status).toBe(404);
  });

  it('escapes hostile titles and names everywhere, including inside JSON-LD', async () => {
    const { db } = await fresh();
    const item = await importParsedItem(
      db,
      makeItem(
        {
          title: '<script>alert(1)</script>',
          tags: ['<b>bold</b>'],
          credits: [{ role: 'director', name: '"><img src=x onerror=alert(1)>' }],
          synopsis: '<img src=x onerror=alert(1)> [x](javascript:alert(1))',
        },
        { headline: '</script><script>alert(2)</script>' },
      ),
      { author: 'Mallory <i>' },
    );
    const { get } = await startSite(db);
    const page = await get(`/works/${item.work.slug}`);
    expect(page.status).toBe(200);
    expect(page.body).not.toContain('<script>alert');
    expect(page.body).not.toContain('<img src=x');
    expect(page.body).not.toContain('<b>bold');
    expect(page.body).not.toContain('href="javascript:');
    expect(page.doc.querySelector('h1')?.text).toBe('<script>alert(1)</script>');
    expect(page.jsonLd[0]!['name']).toBe('<script>alert(1)</script>');
    expect(page.doc.querySelectorAll('script').every((s) => s.getAttribute('type') === 'application/ld+json')).toBe(true);
  });

  it('answers 404 for an unknown work', async () => {
    const { db } = await fresh();
    await seedCatalog(db);
    const { get } = await startSite(db);
    const page = await get('/works/no-such-work');
    expect(page.status).toBe(404);
    expect(page.doc.querySelector('h1')?.text).toBe('Page not found');
  });
});
