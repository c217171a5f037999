import { expect, it } from 'vitest';
import { forEachDatabase } from '../../test/databases.js';
import { makeItem } from '../../test/factories.js';
import type { Db } from '../db/connection.js';
import { importParsedItem, importParsedItems } from './import.service.js';
import { parseSearchParams, searchSite } from '../search/search.service.js';

const as = (author: string) => ({ author });
const count = async (db: Db, table: 'works' | 'reviews' | 'people' | 'studios' | 'authors') =>
  Number((await db.kysely.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
const work = (db: Db, slug: string) => db.kysely.selectFrom('works').selectAll().where('slug', '=', slug).executeTakeFirstOrThrow();
const work_ = (db: Db) => work(db, 'lantern-harbor');

forEachDatabase((fresh) => {
  it('makes one record per person, studio and author however the name is written', async () => {
    const { db } = await fresh();
    await importParsedItem(db, makeItem({ title: 'A', credits: [{ role: 'director', name: 'Hiroyasu Aoki' }], studios: ['Pierrot'] }), as('Aiko Tanaka'));
    await importParsedItem(
      db,
      makeItem({ title: 'B', credits: [{ role: 'writer', name: '  hiroyasu\u00a0AOKI ' }], studios: ['PIERROT', 'Ｐｉｅｒｒｏｔ'] }),
      as('aiko  tanaka'),
    );
    expect(await count(db, 'people')).toBe(1);
    expect(await count(db, 'studios')).toBe(1);
    expect(await count(db, 'authors')).toBe(1);
    const person = await db.kysely.selectFrom('people').selectAll().executeTakeFirstOrThrow();
    expect(person.name).toBe('Hiroyasu Aoki');
  });

  it('matches works by external id, then by title or alternative title and year; a remake is another work', async () => {
    const { db } = await fresh();
    const first = await importParsedItem(
      db,
      makeItem({ title: 'Hunter x Hunter', year: 2011, altTitles: [{ title: 'ハンター×ハンター', type: 'original' }], externalIds: { mal: '11061' } }),
      as('A'),
    );
    expect(first.work.action).toBe('created');
    const byId = await importParsedItem(db, makeItem({ title: 'HxH (2011)', year: 2011, externalIds: { mal: '11061' } }), as('B'));
    expect(byId.work).toMatchObject({ slug: first.work.slug, action: 'matched', reason: 'same mal id 11061' });
    const byAlt = await importParsedItem(db, makeItem({ title: 'ハンター×ハンター', year: 2011 }), as('C'));
    expect(byAlt.work.slug).toBe(first.work.slug);
    const byFoldedTitle = await importParsedItem(db, makeItem({ title: 'HUNTER × HUNTER', year: null }), as('D'));
    expect(byFoldedTitle.work.slug).toBe(first.work.slug);
    const remake = await importParsedItem(db, makeItem({ title: 'Hunter x Hunter', year: 1999 }), as('E'));
    expect(remake.work.action).toBe('created');
    expect(remake.work.slug).toBe('hunter-x-hunter-2');
    expect(await count(db, 'works')).toBe(2);
  });

  it('adds what a matched work lacks, and never removes what it has', async () => {
    const { db } = await fresh();
    const a = await importParsedItem(db, makeItem({ title: 'Mob Psycho 100', year: 2016, kind: null, studios: ['Bones'] }), as('A'));
    const b = await importParsedItem(
      db,
      makeItem({ title: 'Mob Psycho 100', year: 2016, kind: 'anime_series', studios: [], platforms: ['Crunchyroll'], credits: [{ role: 'director', name: 'Yuzuru Tachikawa' }] }),
      as('B'),
    );
    expect(b.work).toMatchObject({ slug: a.work.slug, action: 'updated' });
    const row = await work(db, a.work.slug);
    expect(row.kind).toBe('anime_series');
    const studios = await db.kysely.selectFrom('workStudios').selectAll().where('workId', '=', row.id).execute();
    expect(studios).toHaveLength(1);
    const platforms = await db.kysely.selectFrom('workPlatforms').selectAll().where('workId', '=', row.id).execute();
    expect(platforms).toHaveLength(1);
  });

  it('re-importing the same item changes nothing; a changed item updates its review', async () => {
    const { db } = await fresh();
    const item = makeItem({ title: 'Hero ≠ Mask', year: 2018 }, { body: 'First version.', score: { value: 2.5, max: 5 } });
    const first = await importParsedItem(db, item, { author: 'Aiko', now: () => '2024-01-01T00:00:00.000Z' });
    const again = await importParsedItem(db, item, { author: 'Aiko', now: () => '2024-02-01T00:00:00.000Z' });
    expect(again).toEqual({ work: { ...first.work, action: 'matched', reason: 'same title "Hero ≠ Mask" and year 2018' }, review: { id: first.review.id, action: 'unchanged' } });
    const review = await db.kysely.selectFrom('reviews').selectAll().executeTakeFirstOrThrow();
    expect(review.updatedAt).toBe('2024-01-01T00:00:00.000Z');

    const changed = makeItem({ title: 'Hero ≠ Mask', year: 2018 }, { body: 'Second version.', score: { value: 3, max: 5 } });
    const third = await importParsedItem(db, changed, { author: 'Aiko', now: () => '2024-03-01T00:00:00.000Z' });
    expect(third.review).toEqual({ id: first.review.id, action: 'updated' });
    expect(await count(db, 'reviews')).toBe(1);
    const updated = await db.kysely.selectFrom('reviews').selectAll().executeTakeFirstOrThrow();
    expect(updated).toMatchObject({ body: 'Second version.', rating: 60, updatedAt: '2024-03-01T00:00:00.000Z', createdAt: '2024-01-01T00:00:00.000Z' });
    expect((await work(db, first.work.slug)).ratingSum).toBe(60);
  });

  it('keeps the aggregates right as reviews are added, rescored and unpublished', async () => {
    const { db } = await fresh();
    const slug = (await importParsedItem(db, makeItem({ title: 'Devilman Crybaby' }, { score: { value: 5, max: 5 } }), as('A'))).work.slug;
    await importParsedItem(db, makeItem({ title: 'Devilman Crybaby' }, { score: { value: 1, max: 10 } }), as('B'));
    await importParsedItem(db, makeItem({ title: 'Devilman Crybaby' }, { score: null }), as('C'));
    let row = await work(db, slug);
    expect([row.reviewCount, row.ratingCount, row.ratingSum]).toEqual([3, 2, 110]);
    expect(JSON.parse(row.ratingHistogram)).toEqual([1, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
    await importParsedItem(db, makeItem({ title: 'Devilman Crybaby' }, { score: { value: 1, max: 10 }, status: 'draft', publishedAt: null }), as('B'));
    row = await work(db, slug);
    expect([row.reviewCount, row.ratingCount, row.ratingSum]).toEqual([2, 1, 100]);
    expect(JSON.parse(row.ratingHistogram)).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
  });

  it('writes nothing of an item that fails part-way', async () => {
    const { db } = await fresh();
    const bad = makeItem({ title: 'Broken', credits: [{ role: 'director', name: 'Someone New' }] }, { score: { value: 7, max: 5 } });
    // The score is refused after the work and its people were written: all of it must roll back.
    await expect(importParsedItem(db, bad, as('A'))).rejects.toThrow('The score 7 out of 5 is not valid');
    expect(await count(db, 'works')).toBe(0);
    expect(await count(db, 'people')).toBe(0);
    expect(await count(db, 'authors')).toBe(0);
  });

  it('in a batch, rolls back only the item that fails', async () => {
    const { db } = await fresh();
    const results = await importParsedItems(
      db,
      [
        makeItem({ title: 'First', studios: ['Bones'] }),
        makeItem({ title: 'Broken', studios: ['Only In Broken'] }, { score: { value: 12, max: 10 } }),
        makeItem({ title: 'Third', studios: ['Bones'] }),
      ],
      as('A'),
    );
    expect(results.map((r) => (r instanceof Error ? r.message : r.work.slug))).toEqual([
      'first',
      'The score 12 out of 10 is not valid: it must be between 0 and a scale of 4, 5, 10, 20 or 100.',
      'third',
    ]);
    const titles = await db.kysely.selectFrom('works').select('title').orderBy('id').execute();
    expect(titles).toEqual([{ title: 'First' }, { title: 'Third' }]);
    expect(await db.kysely.selectFrom('studios').select('name').execute()).toEqual([{ name: 'Bones' }]);
  });

  it('in a batch, forgets what a failed item created: a later item naming the same new person creates them', async () => {
    const { db } = await fresh();
    const director = { role: 'director' as const, name: 'Someone New' };
    const results = await importParsedItems(
      db,
      [
        makeItem({ title: 'Broken', credits: [director], studios: ['New Studio'] }, { score: { value: 12, max: 10 } }),
        makeItem({ title: 'Fine', credits: [director], studios: ['New Studio'] }),
      ],
      as('A New Author'),
    );
    expect(results.map((r) => (r instanceof Error ? 'failed' : r.review.action))).toEqual(['failed', 'created']);
    const credited = await db.kysely
      .selectFrom('credits')
      .innerJoin('people', 'people.id', 'credits.personId')
      .innerJoin('works', 'works.id', 'credits.workId')
      .select(['works.title', 'people.name'])
      .execute();
    expect(credited).toEqual([{ title: 'Fine', name: 'Someone New' }]);
    expect(await count(db, 'people')).toBe(1);
    expect(await count(db, 'studios')).toBe(1);
    expect(await count(db, 'authors')).toBe(1);
    const search = await searchSite(db, parseSearchParams({ q: 'broken' }));
    expect(search.works).toEqual([]);
  });

  it('in a batch, several items about one review: the last one stands, counted and indexed once', async () => {
    const { db } = await fresh();
    const work = { title: 'Lantern Harbor', year: 2001 };
    const results = await importParsedItems(
      db,
      [
        makeItem(work, { body: 'First thoughts about the zeppelin.', score: { value: 2, max: 5 } }),
        makeItem(work, { body: 'Second thoughts about the lighthouse.', score: { value: 4, max: 5 } }),
      ],
      as('Aiko'),
    );
    expect(results.map((r) => (r instanceof Error ? r.message : r.review.action))).toEqual(['created', 'updated']);
    const row = await work_(db);
    expect([row.reviewCount, row.ratingCount, row.ratingSum]).toEqual([1, 1, 80]);
    const found = async (q: string) => (await searchSite(db, parseSearchParams({ q }))).reviews.map((r) => r.workTitle);
    expect(await found('lighthouse')).toEqual(['Lantern Harbor']);
    expect(await found('zeppelin')).toEqual([]);

    await importParsedItems(db, [makeItem(work, { body: 'Second thoughts about the lighthouse.', score: { value: 4, max: 5 }, status: 'draft', publishedAt: null })], as('Aiko'));
    expect(await found('lighthouse')).toEqual([]);
    expect((await work_(db)).reviewCount).toBe(0);
  });
});

