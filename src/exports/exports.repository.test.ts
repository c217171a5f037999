import { expect, it } from 'vitest';
import { forEachDatabase } from '../../test/databases.js';
import { importParsedItem } from '../import/import.service.js';
import { exportItems, findAuthorByName, listCounts, listExportAuthors } from './exports.repository.js';
import { collect, insertEntry, insertWork, makeItem, seedRichReview, workId } from './fixtures/seed.js';

const as = (author: string) => ({ author });

forEachDatabase((fresh) => {
  it('gives back every field of a review, its work, its list entry and its old address', async () => {
    const { db } = await fresh();
    const expected = await seedRichReview(db);
    const items = await collect(exportItems(db, {}));
    expect(items).toEqual([expected]);
    // Spelled out, so a field that went missing on both sides would still show.
    const [item] = items;
    expect(item!.work).toMatchObject({ episodes: 12, year: 2018, kind: 'anime_series', externalIds: { mal: '37521', kitsu: '40001' } });
    expect(item!.review).toMatchObject({ score: { value: 3.5, max: 5 }, scoreText: '★★★½', rating: 70, hasSpoilers: true, status: 'published' });
    expect(item!.entry).toEqual({ status: 'completed', progress: 12, startedOn: '2024-01-01', finishedOn: '2024-02-01', timesWatched: 2, tags: ['rewatch', 'favourite'] });
    expect(item!.sourceUrl).toBe('https://blog.example/2024/hero-mask');
  });

  it('exports drafts and reviews without a score or an entry, then list entries that have no review', async () => {
    const { db } = await fresh();
    const draft = await importParsedItem(db, makeItem({ title: 'Draft Work' }, { status: 'draft', publishedAt: null, score: null }), as('Aiko Tanaka'));
    const planned = await insertWork(db, 'planned', 'Planned', { episodes: 24 });
    const dropped = await insertWork(db, 'dropped', 'Dropped');
    await insertEntry(db, 'Aiko Tanaka', planned, { status: 'plan_to_watch', tags: [] });
    await insertEntry(db, 'Aiko Tanaka', dropped, { status: 'dropped', progress: 3, timesWatched: null });
    // Someone else's entry for the reviewed work is not the review's entry: it comes on its own.
    await insertEntry(db, 'Ben Ito', await workId(db, draft.work.slug), { status: 'watching' });

    const items = await collect(exportItems(db, {}));
    expect(items.map((i) => [i.workSlug, i.author, i.review?.status ?? null, i.entry?.status ?? null])).toEqual([
      ['draft-work', 'Aiko Tanaka', 'draft', null],
      ['planned', 'Aiko Tanaka', null, 'plan_to_watch'],
      ['dropped', 'Aiko Tanaka', null, 'dropped'],
      ['draft-work', 'Ben Ito', null, 'watching'],
    ]);
    expect(items[0]).toMatchObject({ reviewId: draft.review.id, entry: null, sourceUrl: null });
    expect(items[0]!.review).toMatchObject({ score: null, scoreText: null, rating: null, publishedAt: null });
    expect(items[1]).toMatchObject({ reviewId: null, review: null, sourceUrl: null, work: { title: 'Planned', episodes: 24, credits: [] } });
    expect(items[2]!.entry).toEqual({ status: 'dropped', progress: 3, startedOn: null, finishedOn: null, timesWatched: null, tags: [] });
  });

  it("exports one author's reviews and entries, found by the folded name", async () => {
    const { db } = await fresh();
    await importParsedItem(db, makeItem({ title: 'Shared' }), as('Aiko Tanaka'));
    await importParsedItem(db, makeItem({ title: 'Shared' }), as('Ben Ito'));
    await importParsedItem(db, makeItem({ title: 'Only Ben' }), as('Ben Ito'));
    await insertEntry(db, 'Ben Ito', await insertWork(db, 'later', 'Later'), { status: 'plan_to_watch' });

    const ben = await collect(exportItems(db, { author: '  BEN  itō ' }));
    expect(ben.map((i) => [i.workSlug, i.author])).toEqual([
      ['shared', 'Ben Ito'],
      ['only-ben', 'Ben Ito'],
      ['later', 'Ben Ito'],
    ]);
    expect((await collect(exportItems(db, { author: 'aiko tanaka' }))).map((i) => i.workSlug)).toEqual(['shared']);
    expect(await collect(exportItems(db, { author: 'Nobody' }))).toEqual([]);
    expect(await findAuthorByName(db, 'BEN ITO')).toMatchObject({ name: 'Ben Ito', slug: 'ben-ito' });
    expect((await listExportAuthors(db)).map((a) => a.name)).toEqual(['Aiko Tanaka', 'Ben Ito']);
    expect(await listExportAuthors(db, { author: 'nobody' })).toEqual([]);
  });

  it('reads page after page by id, every item once, in order', async () => {
    const { db } = await fresh();
    const reviewIds: number[] = [];
    for (let n = 1; n <= 7; n++) {
      const author = n % 2 ? 'Aiko Tanaka' : 'Ben Ito';
      reviewIds.push((await importParsedItem(db, makeItem({ title: `Paged ${n}`, studios: [`Studio ${n}`] }), as(author))).review.id);
    }
    // Two reviews of one work on the same page share one load of its details.
    await importParsedItem(db, makeItem({ title: 'Paged 1' }), as('Chie Mori'));
    for (let n = 1; n <= 5; n++) await insertEntry(db, n % 2 ? 'Aiko Tanaka' : 'Ben Ito', await insertWork(db, `entry-${n}`, `Entry ${n}`));

    for (const pageSize of [1, 2, 3, 500]) {
      const items = await collect(exportItems(db, { pageSize }));
      expect(items.map((i) => i.reviewId).slice(0, 8)).toEqual([...reviewIds, reviewIds.at(-1)! + 1]);
      expect(items.slice(8).map((i) => i.workSlug)).toEqual(['entry-1', 'entry-2', 'entry-3', 'entry-4', 'entry-5']);
      expect(items.map((i) => i.work.studios[0] ?? null).slice(0, 8)).toEqual([...Array.from({ length: 7 }, (_, i) => `Studio ${i + 1}`), 'Studio 1']);
    }
    const aiko = await collect(exportItems(db, { author: 'Aiko Tanaka', pageSize: 2 }));
    expect(aiko.map((i) => i.workSlug)).toEqual(['paged-1', 'paged-3', 'paged-5', 'paged-7', 'entry-1', 'entry-3', 'entry-5']);
    await expect(collect(exportItems(db, { pageSize: 0 }))).rejects.toThrow(RangeError);
  });

  it('counts list entries in all and per status, for one author or all', async () => {
    const { db } = await fresh();
    const statuses = ['watching', 'completed', 'completed', 'on_hold', 'dropped', 'plan_to_watch', 'plan_to_watch', 'plan_to_watch', null] as const;
    for (const [n, status] of statuses.entries()) await insertEntry(db, 'Aiko Tanaka', await insertWork(db, `w-${n}`, `W ${n}`), { status });
    await insertEntry(db, 'Ben Ito', await insertWork(db, 'ben', 'Ben'), { status: 'completed' });

    expect(await listCounts(db, { author: 'aiko tanaka' })).toEqual({ total: 9, watching: 1, completed: 2, on_hold: 1, dropped: 1, plan_to_watch: 3 });
    expect(await listCounts(db, {})).toEqual({ total: 10, watching: 1, completed: 3, on_hold: 1, dropped: 1, plan_to_watch: 3 });
    expect(await listCounts(db, { author: 'Nobody' })).toEqual({ total: 0, watching: 0, completed: 0, on_hold: 0, dropped: 0, plan_to_watch: 0 });
  });
});
