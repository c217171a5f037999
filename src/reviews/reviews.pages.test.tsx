import { expect, it } from 'vitest';
import { forEachDatabase } from '../../test/databases.js';
import { PUBLIC_URL, seedCatalog, startSite, type Page } from '../../test/site.js';
import { makeItem } from '../../test/factories.js';
import { importParsedItem } from '../import/import.service.js';

const head = (page: Page) => page.doc.querySelector('head')!.toString();
const meta = (page: Page, property: string) => page.doc.querySelectorAll(`meta[property="${property}"]`).map((m) => m.getAttribute('content'));
const description = (page: Page) => page.doc.querySelector('meta[name=description]')?.getAttribute('content');

forEachDatabase((fresh) => {
  it('shows the review: headline, work link, author, date, score as stars and as written, summary, spoiler notice and body', async () => {
    const { db } = await fresh();
    const { hero } = await seedCatalog(db);
    const { get } = await startSite(db);
    const page = await get(`/reviews/${hero.review.id}`);
    expect(page.status).toBe(200);
    const review = page.doc.querySelector('article.review')!;
    expect(review.querySelector('h1')?.text).toBe('Cliché after cliché');
    expect(review.querySelector('.eyebrow a')?.getAttribute('href')).toBe(`/works/${hero.work.slug}`);
    expect(review.querySelector('.eyebrow a')?.text).toBe('Hero ≠ Mask');
    expect(review.querySelector('.byline a')?.getAttribute('href')).toBe('/authors/aiko-tanaka');
    expect(review.querySelector('.byline time')?.getAttribute('datetime')).toBe('2024-03-02T10:00:00.000Z');
    expect(review.querySelector('.byline')?.text).not.toContain('updated');
    expect(review.querySelector('.review-score .stars-large')?.getAttribute('aria-label')).toBe('2.5 out of 5 stars');
    expect(review.querySelector('.review-score .score-text')?.text).toBe('2.5 out of 5');
    expect(review.querySelector('.review-summary')?.text).toContain('Stylish gunfights, hollow characters.');
    expect(review.querySelector('.spoiler-notice')?.text).toContain('Contains spoilers');
    expect(review.querySelector('.prose em')?.text).toBe('awesome');
    expect(review.querySelector('.prose')?.text).toContain('Still worth a look.');
  });

  it('keeps block spoilers behind <details>, and out of the head, JSON-LD and description', async () => {
    const { db } = await fresh();
    const { hero } = await seedCatalog(db);
    const { get } = await startSite(db);
    const page = await get(`/reviews/${hero.review.id}`);
    const details = page.doc.querySelector('.prose details.spoiler')!;
    expect(details.hasAttribute('open')).toBe(false);
    expect(details.querySelector('summary')?.text).toContain('Spoiler: The twist');
    expect(details.querySelector('.spoiler-body')?.text).toContain('Sarah was the mole all along.');
    for (const secret of ['Sarah was the mole', 'James survives']) {
      expect(head(page)).not.toContain(secret);
      expect(JSON.stringify(page.jsonLd)).not.toContain(secret);
    }
    expect(page.body.split('Sarah was the mole')).toHaveLength(2);
  });

  it('keeps inline spoilers behind a checkbox reveal', async () => {
    const { db } = await fresh();
    const { hero } = await seedCatalog(db);
    const { get } = await startSite(db);
    const page = await get(`/reviews/${hero.review.id}`);
    const inline = page.doc.querySelector('.prose .spoiler-inline')!;
    expect(inline.querySelector('input.spoiler-toggle')?.getAttribute('type')).toBe('checkbox');
    expect(inline.querySelector('.spoiler-text')?.text).toBe('James survives everything.');
    expect(page.doc.querySelector('.prose')!.text).not.toContain('||');
  });

  it('describes the review to search engines: title, spoiler-free description, OpenGraph article and feeds', async () => {
    const { db } = await fresh();
    const { hero } = await seedCatalog(db);
    const { get } = await startSite(db);
    const page = await get(`/reviews/${hero.review.id}`);
    expect(page.doc.querySelector('title')?.text).toBe('Cliché after cliché — Hero ≠ Mask (2018) review · Test Reviews');
    expect(description(page)).toBe('Aiko Tanaka on Hero ≠ Mask (2018): 2.5 out of 5. Stylish gunfights, hollow characters.');
    expect(meta(page, 'og:type')).toEqual(['article']);
    expect(meta(page, 'article:published_time')).toEqual(['2024-03-02T10:00:00.000Z']);
    expect(meta(page, 'article:modified_time')).toEqual(['2024-03-02T10:00:00.000Z']);
    expect(meta(page, 'article:author')).toEqual([`${PUBLIC_URL}/authors/aiko-tanaka`]);
    expect(page.doc.querySelector('link[rel=canonical]')?.getAttribute('href')).toBe(`${PUBLIC_URL}/reviews/${hero.review.id}`);
    const feeds = page.doc.querySelectorAll('link[rel=alternate]').map((l) => l.getAttribute('href'));
    expect(feeds).toEqual(
      expect.arrayContaining([`/works/${hero.work.slug}/feed.atom`, `/works/${hero.work.slug}/feed.json`, `/works/${hero.work.slug}/feed.rss`, '/authors/aiko-tanaka/feed.atom', '/authors/aiko-tanaka/feed.json', '/authors/aiko-tanaka/feed.rss']),
    );
  });

  it('writes a JSON-LD Review with the rating on the reviewer’s scale and the work as itemReviewed', async () => {
    const { db } = await fresh();
    const { hero } = await seedCatalog(db);
    const { get } = await startSite(db);
    const page = await get(`/reviews/${hero.review.id}`);
    expect(page.jsonLd).toHaveLength(1);
    const data = page.jsonLd[0]!;
    expect(data).toMatchObject({
      '@context': 'https://schema.org',
      '@type': 'Review',
      name: 'Cliché after cliché',
      url: `${PUBLIC_URL}/reviews/${hero.review.id}`,
      datePublished: '2024-03-02T10:00:00.000Z',
      inLanguage: 'en',
      author: { '@type': 'Person', name: 'Aiko Tanaka', url: `${PUBLIC_URL}/authors/aiko-tanaka` },
      publisher: { '@type': 'Organization', name: 'Test Reviews' },
      reviewRating: { '@type': 'Rating', ratingValue: 2.5, bestRating: 5, worstRating: 0.5 },
      itemReviewed: { '@type': 'TVSeries', name: 'Hero ≠ Mask', director: { '@type': 'Person', name: 'Hiroyasu Aoki' } },
    });
    expect(data['reviewBody']).toContain('Gunfights are awesome.');
    expect((data['itemReviewed'] as Record<string, unknown>)['aggregateRating']).toBeUndefined();
    expect((data['itemReviewed'] as Record<string, unknown>)['@context']).toBeUndefined();
  });

  it('keeps other scales as written: 8 out of 10 and 95 out of 100, with a Movie as the reviewed item', async () => {
    const { db } = await fresh();
    const { second, film } = await seedCatalog(db);
    const { get } = await startSite(db);
    const ten = await get(`/reviews/${second.review.id}`);
    expect(ten.doc.querySelector('.review-score .score-text')?.text).toBe('8 out of 10');
    expect(ten.doc.querySelector('.review-score .stars')?.getAttribute('aria-label')).toBe('4 out of 5 stars');
    expect(ten.jsonLd[0]!['reviewRating']).toEqual({ '@type': 'Rating', ratingValue: 8, bestRating: 10, worstRating: 1 });
    const hundred = await get(`/reviews/${film.review.id}`);
    expect(hundred.jsonLd[0]!['reviewRating']).toEqual({ '@type': 'Rating', ratingValue: 95, bestRating: 100, worstRating: 1 });
    expect((hundred.jsonLd[0]!['itemReviewed'] as Record<string, unknown>)['@type']).toBe('Movie');
    expect(hundred.doc.querySelector('title')?.text).toBe('A nightmare in mirrors — Perfect Blue (1997) review · Test Reviews');
  });

  it('names an untitled, unscored review after its work and gives it no rating', async () => {
    const { db } = await fresh();
    const { devilman } = await seedCatalog(db);
    const { get } = await startSite(db);
    const page = await get(`/reviews/${devilman.review.id}`);
    expect(page.status).toBe(200);
    expect(page.doc.querySelector('h1')?.text).toBe('Review of Devilman Crybaby');
    expect(page.doc.querySelector('.review-score')?.text).toBe('No score');
    expect(page.doc.querySelector('.spoiler-notice')).toBeNull();
    expect(page.jsonLd[0]!['name']).toBe('Review of Devilman Crybaby');
    expect(page.jsonLd[0]!['reviewRating']).toBeUndefined();
    expect(description(page)).toBe('Aiko Tanaka on Devilman Crybaby (2018). Yuasa at his wildest.');
  });

  it('puts the work’s info box beside the review, every name a link', async () => {
    const { db } = await fresh();
    const { devilman } = await seedCatalog(db);
    const { get } = await startSite(db);
    const page = await get(`/reviews/${devilman.review.id}`);
    const box = page.doc.querySelector('aside .infobox')!;
    const links = box.querySelectorAll('a').map((a) => [a.text, a.getAttribute('href')]);
    expect(links).toEqual([
      ['Devilman Crybaby', `/works/${devilman.work.slug}`],
      ['2018', '/years/2018'],
      ['Masaaki Yuasa', '/people/masaaki-yuasa'],
      ['Ichirō Ōkouchi', '/people/ichiro-okouchi'],
      ['Science SARU', '/studios/science-saru'],
      ['Netflix', '/platforms/netflix'],
    ]);
    expect(box.querySelectorAll('dt').map((dt) => dt.text)).toEqual(['Title', 'Kind', 'Year', 'Director', 'Writer', 'Studio', 'Where to watch', 'Average']);
  });

  it('shows when a review was updated after it was published', async () => {
    const { db } = await fresh();
    const item = await importParsedItem(db, makeItem({ title: 'Mushishi', year: 2005 }, { publishedAt: '2024-01-01T10:00:00.000Z' }), {
      author: 'Aiko Tanaka',
      now: () => '2024-02-15T09:00:00.000Z',
    });
    const { get } = await startSite(db);
    const page = await get(`/reviews/${item.review.id}`);
    expect(page.doc.querySelector('.byline')?.text).toContain('updated 15 February 2024');
    expect(meta(page, 'article:modified_time')).toEqual(['2024-02-15T09:00:00.000Z']);
    expect(page.jsonLd[0]!['dateModified']).toBe('2024-02-15T09:00:00.000Z');
  });

  it('escapes hostile headlines and bodies: no script, no raw HTML, no javascript: link', async () => {
    const { db } = await fresh();
    const item = await importParsedItem(
      db,
      makeItem(
        { title: '<script>alert(1)</script>' },
        {
          headline: '</script><script>alert(2)</script>',
          summary: '<b onmouseover=alert(3)>hi</b>',
          body: 'Look: <img src=x onerror=alert(1)>\n\n[x](javascript:alert(1)) and [ok](https://example.org/)',
        },
      ),
      { author: '<i>Mallory</i>' },
    );
    const { get } = await startSite(db);
    const page = await get(`/reviews/${item.review.id}`);
    expect(page.status).toBe(200);
    expect(page.doc.querySelector('h1')?.text).toBe('</script><script>alert(2)</script>');
    expect(page.doc.querySelector('.eyebrow a')?.text).toBe('<script>alert(1)</script>');
    expect(page.body).not.toContain('<script>alert');
    expect(page.body).not.toContain('<img src=x');
    expect(page.body).not.toContain('<b onmouseover');
    expect(page.body).not.toContain('<i>Mallory');
    expect(page.body).not.toMatch(/href="javascript:/i);
    expect(page.doc.querySelector('.prose')?.text).toContain('<img src=x onerror=alert(1)>');
    expect(page.doc.querySelectorAll('.prose a').map((a) => a.getAttribute('href'))).toEqual(['https://example.org/']);
    expect(page.doc.querySelectorAll('script').every((s) => s.getAttribute('type') === 'application/ld+json')).toBe(true);
    expect(page.jsonLd[0]!['name']).toBe('</script><script>alert(2)</script>');
    expect(page.body).not.toMatch(/\sstyle=/);
  });

  it('answers 404 for drafts, unknown ids and ids that are not numbers', async () => {
    const { db } = await fresh();
    await seedCatalog(db);
    const draft = await importParsedItem(db, makeItem({ title: 'Secret Work' }, { status: 'draft', publishedAt: null, headline: 'Not yet' }), { author: 'Aiko Tanaka' });
    const { get } = await startSite(db);
    for (const id of [String(draft.review.id), '999999', 'abc', '1.5', '-1', '0', '01', '99999999999999999999']) {
      const page = await get(`/reviews/${id}`);
      expect(page.status, id).toBe(404);
      expect(page.body).not.toContain('Not yet');
    }
  });
});
