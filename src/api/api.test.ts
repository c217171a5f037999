import { afterEach, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { forEachDatabase } from '../../test/databases.js';
import { makeItem } from '../../test/factories.js';
import type { Db } from '../db/connection.js';
import { importParsedItem } from '../import/import.service.js';
import { buildApp } from '../server/app.js';
import { findReviewViewForRead } from '../reviews/reviews.repository.js';
import { presentReviewSummary } from '../reviews/reviews.routes.js';

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

async function start(db: Db) {
  app = await buildApp({ db, logLevel: 'silent' });
  return app;
}

async function seed(db: Db) {
  const hero = await importParsedItem(
    db,
    makeItem(
      {
        title: 'Hero ≠ Mask',
        year: 2018,
        credits: [
          { role: 'director', name: 'Hiroyasu Aoki' },
          { role: 'music', name: 'Hisaki Kato' },
        ],
        studios: ['Pierrot'],
        platforms: ['Netflix'],
      },
      { score: { value: 2.5, max: 5 }, headline: 'Cliché after cliché', body: 'Gunfights are awesome.\n\n||James survives everything.||' , hasSpoilers: true},
    ),
    { author: 'Aiko Tanaka', now: () => '2024-03-02T10:00:00.000Z' },
  );
  await importParsedItem(db, makeItem({ title: 'Hero ≠ Mask', year: 2018 }, { score: { value: 8, max: 10 }, body: 'Better than they say.' }), {
    author: 'Ben Critic',
    now: () => '2024-03-05T10:00:00.000Z',
  });
  await importParsedItem(
    db,
    makeItem({ title: 'Devilman Crybaby', year: 2018, credits: [{ role: 'writer', name: 'Ichirō Ōkouchi' }] }, { score: null, body: 'Yuasa at his wildest.' }),
    { author: 'Aiko Tanaka', now: () => '2024-03-04T10:00:00.000Z' },
  );
  return hero;
}

forEachDatabase((fresh) => {
  it('serves a work with its credits, links and score summary', async () => {
    const { db } = await fresh();
    await seed(db);
    const res = await (await start(db)).inject('/api/v1/works/hero-not-equal-mask');
    expect(res.statusCode).toBe(200);
    const work = res.json();
    expect(work).toMatchObject({
      slug: 'hero-not-equal-mask',
      url: '/works/hero-not-equal-mask',
      title: 'Hero ≠ Mask',
      kind: 'anime_series',
      year: 2018,
      credits: [
        { role: 'director', name: 'Hiroyasu Aoki', slug: 'hiroyasu-aoki', url: '/people/hiroyasu-aoki' },
        { role: 'music', name: 'Hisaki Kato', slug: 'hisaki-kato', url: '/people/hisaki-kato' },
      ],
      studios: [{ name: 'Pierrot', slug: 'pierrot', url: '/studios/pierrot' }],
      platforms: [{ name: 'Netflix', slug: 'netflix', url: '/platforms/netflix' }],
      externalIds: {},
      altTitles: [],
    });
    // 2.5/5 = 50 and 8/10 = 80: mean 65, 3.25 stars; one review in the 2.5★ bucket and one in the 4★ bucket.
    expect(work.score).toMatchObject({ reviewCount: 2, ratingCount: 2, mean: 65, outOf5: 3.25 });
    expect(work.score.distribution.filter((b: { count: number }) => b.count > 0)).toEqual([
      { stars: 2.5, count: 1 },
      { stars: 4, count: 1 },
    ]);
  });

  it('serves one review with its body, and lists reviews of a work newest first with a cursor', async () => {
    const { db } = await fresh();
    const hero = await seed(db);
    const server = await start(db);
    const one = await server.inject(`/api/v1/reviews/${hero.review.id}`);
    expect(one.statusCode).toBe(200);
    expect(one.json()).toEqual({
      id: hero.review.id,
      url: `/reviews/${hero.review.id}`,
      work: 'hero-not-equal-mask',
      workTitle: 'Hero ≠ Mask',
      author: { name: 'Aiko Tanaka', slug: 'aiko-tanaka', url: '/authors/aiko-tanaka' },
      headline: 'Cliché after cliché',
      summary: null,
      score: { value: 2.5, max: 5 },
      scoreText: '2.5 out of 5',
      rating: 50,
      hasSpoilers: true,
      publishedAt: '2024-05-01T10:00:00.000Z',
      updatedAt: '2024-03-02T10:00:00.000Z',
      body: 'Gunfights are awesome.\n\n||James survives everything.||',
    });

    const first = await server.inject('/api/v1/reviews?work=hero-not-equal-mask&limit=1');
    expect(first.statusCode).toBe(200);
    const page1 = first.json();
    expect(page1.items).toHaveLength(1);
    expect(page1.items[0].body).toBeUndefined();
    expect(page1.next).toEqual(expect.any(String));
    const page2 = (await server.inject(`/api/v1/reviews?work=hero-not-equal-mask&limit=1&cursor=${page1.next}`)).json();
    expect(page2.items).toHaveLength(1);
    expect(page2.next).toBeNull();
    expect(new Set([page1.items[0].author.name, page2.items[0].author.name])).toEqual(new Set(['Aiko Tanaka', 'Ben Critic']));
  });

  it('answers each review exactly as the presenter shows it, whatever its text and score', async () => {
    const { db } = await fresh();
    // Text JSON must escape (quotes, backslashes, control characters, line separators),
    // text it must not (non-ASCII, emoji), and scores whole, halved, out of 100 and missing.
    const texts = ['"quoted" \\ back\\slash', 'tab\tline\nreturn\r\u0001\u001f', '\u2028\u2029 separators', 'ÉMOJI 😀 ≠ 宮崎 駿', '</script><b>x</b>', '\\u0000 typed as text'];
    const scores = [{ value: 4, max: 5 }, { value: 2.5, max: 5 }, { value: 86, max: 100 }, null, { value: 7, max: 10 }, { value: 0.5, max: 5 }];
    const ids: number[] = [];
    for (const [i, text] of texts.entries()) {
      const saved = await importParsedItem(
        db,
        makeItem({ title: `${text} work`, year: 2000 + i }, { headline: text, summary: i % 2 ? text : null, body: `${text}\n\n||${text}||`, hasSpoilers: i % 2 === 0, score: scores[i] ?? null }),
        { author: `${text} author`, now: () => `2024-03-0${i + 1}T10:00:00.000Z` },
      );
      ids.push(saved.review.id);
    }
    const server = await start(db);
    for (const id of ids) {
      const res = await server.inject(`/api/v1/reviews/${id}`);
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
      const view = (await findReviewViewForRead(db, id))!;
      const presented = { ...presentReviewSummary(view), body: view.body };
      // The same keys in the same order with the same values.
      expect(JSON.stringify(res.json())).toBe(JSON.stringify(presented));
      expect(res.json().body).toBe(view.body);
    }
  });

  it('searches works by folded title and person, and reviews by text without their spoilers', async () => {
    const { db } = await fresh();
    await seed(db);
    const server = await start(db);
    const titles = async (q: string) => (await server.inject(`/api/v1/works?q=${encodeURIComponent(q)}`)).json().items.map((w: { title: string }) => w.title);
    expect(await titles('hero mask')).toEqual(['Hero ≠ Mask']);
    expect(await titles('okouchi')).toEqual(['Devilman Crybaby']);
    expect(await titles('ＤＥＶＩＬＭＡＮ')).toEqual(['Devilman Crybaby']);
    expect(await titles('aoki')).toEqual(['Hero ≠ Mask']);
    expect(await titles('nothing-like-this')).toEqual([]);
    const reviews = async (q: string) => (await server.inject(`/api/v1/reviews?q=${encodeURIComponent(q)}`)).json().items.map((r: { author: { name: string } }) => r.author.name);
    expect(await reviews('gunfights')).toEqual(['Aiko Tanaka']);
    expect(await reviews('yuasa wildest')).toEqual(['Aiko Tanaka']);
    // The spoiler passage is not searchable.
    expect(await reviews('survives')).toEqual([]);
  });

  it('answers errors as JSON with the right status', async () => {
    const { db } = await fresh();
    await seed(db);
    const server = await start(db);
    const missing = await server.inject('/api/v1/works/no-such-work');
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toEqual({ error: { code: 'not_found', message: 'The work "no-such-work" was not found.' } });
    expect((await server.inject('/api/v1/reviews/999999')).statusCode).toBe(404);
    const badId = await server.inject('/api/v1/reviews/abc');
    expect(badId.statusCode).toBe(400);
    expect(badId.json().error.code).toBe('invalid_input');
    expect(badId.json().error.message).toMatch(/id/);
    const badLimit = await server.inject('/api/v1/works?limit=1000');
    expect(badLimit.statusCode).toBe(400);
    expect(badLimit.json().error.message).toMatch(/limit/);
    const badCursor = await server.inject('/api/v1/reviews?cursor=garbage');
    expect(badCursor.statusCode).toBe(400);
    expect(badCursor.json().error.code).toBe('invalid_cursor');
    const unknown = await server.inject('/api/v1/nothing');
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error.code).toBe('not_found');
  });

  it('gives a review a new ETag when its work or its author is renamed, and 304 for the current one', async () => {
    const { db } = await fresh();
    const hero = await seed(db);
    const server = await start(db);
    const url = `/api/v1/reviews/${hero.review.id}`;
    const etag = async () => {
      const res = await server.inject(url);
      expect(res.statusCode).toBe(200);
      expect(res.headers.etag).toMatch(/^W\/"[\w-]+"$/);
      return String(res.headers.etag);
    };
    const tags = [await etag()];
    expect(await etag()).toBe(tags[0]);
    await db.kysely.updateTable('works').set({ title: 'Hero not Mask' }).where('slug', '=', 'hero-not-equal-mask').execute();
    tags.push(await etag());
    await db.kysely.updateTable('works').set({ slug: 'hero-not-mask' }).where('slug', '=', 'hero-not-equal-mask').execute();
    tags.push(await etag());
    await db.kysely.updateTable('authors').set({ name: 'Aiko Tanaka-Mori' }).where('slug', '=', 'aiko-tanaka').execute();
    tags.push(await etag());
    await db.kysely.updateTable('authors').set({ slug: 'aiko-tanaka-mori' }).where('slug', '=', 'aiko-tanaka').execute();
    tags.push(await etag());
    expect(new Set(tags).size).toBe(tags.length);
    const current = await server.inject({ url, headers: { 'if-none-match': tags.at(-1)! } });
    expect(current.statusCode).toBe(304);
    expect(current.body).toBe('');
    expect(current.headers['x-content-type-options']).toBe('nosniff');
    expect((await server.inject({ url, headers: { 'if-none-match': tags[0]! } })).statusCode).toBe(200);
  });

  it('does not serve drafts', async () => {
    const { db } = await fresh();
    const draft = await importParsedItem(db, makeItem({}, { status: 'draft', publishedAt: null }), { author: 'Aiko Tanaka' });
    const server = await start(db);
    expect((await server.inject(`/api/v1/reviews/${draft.review.id}`)).statusCode).toBe(404);
    expect((await server.inject(`/api/v1/reviews?work=${draft.work.slug}`)).json().items).toEqual([]);
  });
});
