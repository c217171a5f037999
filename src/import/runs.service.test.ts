import { sql } from 'kysely';
import { expect, it } from 'vitest';
import { forEachDatabase } from '../../test/databases.js';
import { makeItem } from '../../test/factories.js';
import type { Db } from '../db/connection.js';
import { buildApp } from '../server/app.js';
import { AppError } from '../shared/errors.js';
import { importParsedItem } from './import.service.js';
import type { SourceEntry, SourceItem } from './import.types.js';
import { findImportRun, listImportItems } from './runs.repository.js';
import { runImport, undoImport } from './runs.service.js';

const count = async (db: Db, table: 'works' | 'reviews' | 'listEntries' | 'authors') =>
  Number((await db.kysely.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

/** A list site's entry: a work known by its MAL id, a score out of 10, where the author is with it. */
function listItem(title: string, malId: string, score: number | null, extra: Partial<SourceItem> = {}): SourceItem {
  return {
    work: { title, altTitles: [], kind: 'anime_series', year: null, synopsis: null, credits: [], studios: [], platforms: [], tags: [], externalIds: { mal: malId }, episodes: 12 },
    review:
      score === null
        ? null
        : { headline: null, summary: null, score: { value: score, max: 10 }, scoreText: `${score}/10`, rating: score * 10, body: '', hasSpoilers: false, publishedAt: '2020-04-02', status: 'published' },
    entry: { status: 'completed', progress: 12, startedOn: '2020-01-01', finishedOn: '2020-04-02', timesWatched: 1, tags: ['rewatch later'] },
    warnings: [],
    ...extra,
  };
}

async function* from(entries: SourceEntry[], failAfter?: Error): AsyncGenerator<SourceEntry> {
  for (const entry of entries) yield entry;
  if (failAfter) throw failAfter;
}

const options = { format: 'mal', source: 'animelist.xml', author: 'Aiko Tanaka' };

forEachDatabase((fresh) => {
  it('writes entries, keeps a report of every one, and a second run changes nothing', async () => {
    const { db } = await fresh();
    const entries: SourceEntry[] = [
      { ref: 'anime 1 (Cowboy Bebop)', item: listItem('Cowboy Bebop', '1', 9) },
      { ref: 'anime 2 (Planned Show)', item: listItem('Planned Show', '2', null) },
      { ref: 'anime 3', error: 'series_title is missing' },
      { ref: 'manga 4', skip: 'a manga entry' },
    ];
    const first = await runImport(db, from(entries), { ...options, batchSize: 2 });
    expect(first).toMatchObject({ status: 'done', counts: { entries: 4, created: 2, skipped: 1, failed: 1, matched: 0 } });
    expect(await count(db, 'works')).toBe(2);
    expect(await count(db, 'reviews')).toBe(1);
    expect(await count(db, 'listEntries')).toBe(2);
    const entry = await db.kysely.selectFrom('listEntries').selectAll().orderBy('id').executeTakeFirstOrThrow();
    expect(entry).toMatchObject({ status: 'completed', progress: 12, startedOn: '2020-01-01', finishedOn: '2020-04-02', timesWatched: 1, tags: '["rewatch later"]' });
    const work = await db.kysely.selectFrom('works').selectAll().where('title', '=', 'Cowboy Bebop').executeTakeFirstOrThrow();
    expect(work.episodes).toBe(12);
    expect(work.ratingCount).toBe(1);

    const report = await listImportItems(db.kysely, first.id);
    expect(report.map((r) => [r.ref, r.outcome, r.reason])).toEqual([
      ['anime 1 (Cowboy Bebop)', 'created', null],
      ['anime 2 (Planned Show)', 'created', null],
      ['anime 3', 'failed', 'series_title is missing'],
      ['manga 4', 'skipped', 'a manga entry'],
    ]);

    const again = await runImport(db, from(entries), options);
    expect(again.counts).toMatchObject({ entries: 4, created: 0, updated: 0, unchanged: 2, matched: 2 });
    expect(await count(db, 'works')).toBe(2);
    expect(await count(db, 'reviews')).toBe(1);
    const run = await findImportRun(db.kysely, again.id);
    expect(run).toMatchObject({ status: 'done', author: 'Aiko Tanaka', entries: 4, unchanged: 2 });
  });

  it('a long first import keeps every new work\'s score summary right and, on PostgreSQL, its statistics fresh', async () => {
    const { db } = await fresh();
    // 450 new works with scores 1–9 out of 10: written at once, batch by batch.
    const entries: SourceEntry[] = Array.from({ length: 450 }, (_, i) => ({ ref: `anime ${i + 1}`, item: listItem(`Long List Show ${i + 1}`, String(i + 1), (i % 9) + 1) }));
    const run = await runImport(db, from(entries), { ...options, batchSize: 100 });
    expect(run).toMatchObject({ status: 'done', counts: { entries: 450, created: 450, failed: 0 } });
    const works = await db.kysely.selectFrom('works').select(['title', 'reviewCount', 'ratingCount', 'ratingSum', 'ratingHistogram']).orderBy('id').execute();
    expect(works).toHaveLength(450);
    expect(works[0]).toEqual({ title: 'Long List Show 1', reviewCount: 1, ratingCount: 1, ratingSum: 10, ratingHistogram: '[1,0,0,0,0,0,0,0,0,0]' });
    expect(works[448]).toEqual({ title: 'Long List Show 449', reviewCount: 1, ratingCount: 1, ratingSum: 80, ratingHistogram: '[0,0,0,0,0,0,0,1,0,0]' });
    if (db.dialect === 'postgres') {
      // Planned from statistics taken while the run grew the tables, not from those of empty ones.
      const { rows } = await sql<{ n: number }>`select analyze_count as n from pg_stat_user_tables where relname = 'work_titles'`.execute(db.kysely);
      expect(Number(rows[0]?.n)).toBeGreaterThanOrEqual(2);
    }
  });

  it('flags a match made without a year to compare, and never joins a work that holds another id from the same site', async () => {
    const { db } = await fresh();
    await importParsedItem(db, makeItem({ title: 'Monster', year: 2004 }), { author: 'Critic' });
    await importParsedItem(db, makeItem({ title: 'Hunter x Hunter', year: 1999, externalIds: { mal: '136' } }), { author: 'Critic' });
    const result = await runImport(
      db,
      from([
        { ref: 'anime 19 (Monster)', item: listItem('Monster', '19', 8) },
        { ref: 'anime 11061 (Hunter x Hunter)', item: listItem('Hunter x Hunter', '11061', 10) },
      ]),
      options,
    );
    const [monster, hxh] = await listImportItems(db.kysely, result.id);
    expect(monster).toMatchObject({ workAction: 'updated', uncertain: 1 });
    expect(monster!.matchReason).toContain('no year to compare');
    expect(hxh).toMatchObject({ workAction: 'created', uncertain: 0 });
    expect(result.counts.uncertain).toBe(1);
    expect(await count(db, 'works')).toBe(3);
  });

  it('a score from a list never wipes out the words of a review written elsewhere', async () => {
    const { db } = await fresh();
    await importParsedItem(db, makeItem({ title: 'Mushishi', year: 2005, externalIds: { mal: '457' } }, { body: 'Quiet, strange and kind.', score: { value: 4, max: 5 } }), {
      author: 'Aiko Tanaka',
    });
    await runImport(db, from([{ ref: 'anime 457 (Mushishi)', item: listItem('Mushishi', '457', 10) }]), options);
    const review = await db.kysely.selectFrom('reviews').selectAll().executeTakeFirstOrThrow();
    expect(review).toMatchObject({ body: 'Quiet, strange and kind.', scoreValue: 10, scoreMax: 10, rating: 100 });
    expect(await count(db, 'reviews')).toBe(1);
  });

  it('a source that breaks part-way leaves nothing behind and says why', async () => {
    const { db } = await fresh();
    await importParsedItem(db, makeItem({ title: 'Already Here', year: 2001 }), { author: 'Critic' });
    const entries = [1, 2, 3, 4, 5].map((n) => ({ ref: `anime ${n}`, item: listItem(`Show ${n}`, String(n), n) }));
    const broken = new AppError('invalid_input', 'animelist.xml.gz: the gzip stream ends early (truncated download?)');
    const result = await runImport(db, from(entries, broken), { ...options, batchSize: 2 });
    expect(result).toMatchObject({ status: 'failed', error: broken.message });
    expect(await count(db, 'works')).toBe(1);
    expect(await count(db, 'reviews')).toBe(1);
    expect(await count(db, 'listEntries')).toBe(0);
    expect(await findImportRun(db.kysely, result.id)).toMatchObject({ status: 'failed', error: broken.message });
  });

  it('undo takes back what a run wrote and restores what it changed, newest run first', async () => {
    const { db } = await fresh();
    const kept = await importParsedItem(db, makeItem({ title: 'Mushishi', year: 2005, externalIds: { mal: '457' } }, { body: 'Words.', score: { value: 3, max: 5 } }), {
      author: 'Aiko Tanaka',
    });
    const ratingBefore = (await db.kysely.selectFrom('works').select('ratingSum').where('slug', '=', kept.work.slug).executeTakeFirstOrThrow()).ratingSum;
    const a = await runImport(
      db,
      from([
        { ref: 'anime 457 (Mushishi)', item: listItem('Mushishi', '457', 10) },
        { ref: 'anime 1 (Cowboy Bebop)', item: listItem('Cowboy Bebop', '1', 9) },
      ]),
      options,
    );
    const b = await runImport(db, from([{ ref: 'anime 1 (Cowboy Bebop)', item: listItem('Cowboy Bebop', '1', 7) }]), options);
    await expect(undoImport(db, a.id)).rejects.toThrow(`Import #${b.id} changed reviews or list entries that import #${a.id} wrote; undo #${b.id} first.`);

    await undoImport(db, b.id);
    expect((await db.kysely.selectFrom('reviews').select('scoreValue').where('workId', '!=', 1).executeTakeFirstOrThrow()).scoreValue).toBe(9);
    await undoImport(db, a.id);
    expect(await count(db, 'works')).toBe(1);
    expect(await count(db, 'listEntries')).toBe(0);
    const review = await db.kysely.selectFrom('reviews').selectAll().executeTakeFirstOrThrow();
    expect(review).toMatchObject({ body: 'Words.', scoreValue: 3, scoreMax: 5 });
    const work = await db.kysely.selectFrom('works').selectAll().executeTakeFirstOrThrow();
    expect(work.ratingSum).toBe(ratingBefore);
    expect(await findImportRun(db.kysely, a.id)).toMatchObject({ status: 'undone' });
    await expect(undoImport(db, a.id)).rejects.toThrow(`Import #${a.id} was already undone.`);
  });

  it('undo takes back the people, studios and authors a run brought, and leaves those used elsewhere', async () => {
    const { db } = await fresh();
    await importParsedItem(db, makeItem({ title: 'Mushishi', year: 2005, credits: [{ role: 'director', name: 'Hiroshi Nagahama' }], studios: ['Artland'] }), {
      author: 'Aiko Tanaka',
      now: () => '2020-01-01T00:00:00.000Z',
    });
    const post = (title: string, director: string, studio: string): SourceItem => ({
      ...makeItem({ title, year: 2010, credits: [{ role: 'director', name: director }], studios: [studio] }, { body: `On ${title}.` }),
      author: 'Guest Writer',
    });
    const run = await runImport(
      db,
      from([
        { ref: 'post 1', item: post('Kaiba', 'Masaaki Yuasa', 'Madhouse') },
        { ref: 'post 2', item: post('The Tatami Galaxy', 'Hiroshi Nagahama', 'Artland') },
      ]),
      { ...options, format: 'blog' },
    );
    const names = async (table: 'people' | 'studios' | 'authors') => (await db.kysely.selectFrom(table).select('name').orderBy('name').execute()).map((r) => r.name);
    expect(await names('people')).toEqual(['Hiroshi Nagahama', 'Masaaki Yuasa']);
    expect(await names('authors')).toEqual(['Aiko Tanaka', 'Guest Writer']);

    const undone = await undoImport(db, run.id);
    expect(undone).toMatchObject({ reviews: 2, works: 2, names: 3 });
    expect(await names('people')).toEqual(['Hiroshi Nagahama']);
    expect(await names('studios')).toEqual(['Artland']);
    // The run's own author stays: the run, undone, still names who imported it.
    expect(await names('authors')).toEqual(['Aiko Tanaka']);
  });

  it('a run whose process died can be undone once it has been silent for a while, not before', async () => {
    const { db } = await fresh();
    const run = await runImport(db, from([{ ref: 'anime 1', item: listItem('Cowboy Bebop', '1', 9) }]), options);
    // As a process killed between two batches leaves it.
    const setUpdated = (at: string) => db.kysely.updateTable('imports').set({ status: 'running', finishedAt: null, updatedAt: at }).where('id', '=', run.id).execute();
    await setUpdated('2026-01-01T10:00:00.000Z');
    await expect(undoImport(db, run.id, () => '2026-01-01T10:05:00.000Z')).rejects.toThrow(`Import #${run.id} is still running.`);
    await undoImport(db, run.id, () => '2026-01-01T10:30:00.000Z');
    expect(await count(db, 'works')).toBe(0);
    expect(await findImportRun(db.kysely, run.id)).toMatchObject({ status: 'undone', undoneAt: '2026-01-01T10:30:00.000Z' });
  });

  it("sends a blog post's old address to the review it became", async () => {
    const { db } = await fresh();
    const post = makeItem({ title: 'Hero ≠ Mask', year: 2018 });
    await runImport(db, from([{ ref: 'post 1', item: { ...post, sourceUrl: 'https://oldblog.example.org/2019/05/hero-mask-review/', author: 'Blog Writer' } }]), {
      ...options,
      format: 'blog',
    });
    const review = await db.kysely.selectFrom('reviews').innerJoin('authors', 'authors.id', 'reviews.authorId').select(['reviews.id', 'authors.name']).executeTakeFirstOrThrow();
    expect(review.name).toBe('Blog Writer');
    const app = await buildApp({ db, logLevel: 'silent' });
    try {
      const moved = await app.inject({ url: '/2019/05/hero-mask-review/?utm_source=feed' });
      expect(moved.statusCode).toBe(301);
      expect(moved.headers.location).toBe(`/reviews/${review.id}`);
      expect((await app.inject({ url: '/2019/05/another-post/' })).statusCode).toBe(404);
    } finally {
      await app.close();
    }
  });
});
