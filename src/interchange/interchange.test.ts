import { sql } from 'kysely';
import { readFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { describe, expect, inject, it } from 'vitest';
import { createTestDatabase, forEachDatabase } from '../../test/databases.js';
import { heroMask, makeItem } from '../../test/factories.js';
import { exportText } from '../../test/export.js';
import type { Db } from '../db/connection.js';
import { importParsedItem, importSourceItems } from '../import/import.service.js';
import type { ParsedListEntry } from '../import/import.types.js';
import { importJson } from './interchange.import.js';
import { createUser } from '../accounts/accounts.service.js';
import { mergeNames, mergeWorks } from '../works/merge.service.js';
import { findNameRedirect } from '../works/names.repository.js';
import { findWorkRedirect } from '../works/works.repository.js';

/** Feeds text in small pieces, so records are split across chunk boundaries. */
const chunked = (text: string, size = 97) => Readable.from(Array.from({ length: Math.ceil(text.length / size) }, (_, i) => text.slice(i * size, (i + 1) * size)));

async function seed(db: Db) {
  const clock = (t: string) => ({ author: 'Aiko Tanaka', now: () => t });
  await importParsedItem(
    db,
    makeItem(
      heroMask({ tags: ['Action', 'Thriller'] }),
      { score: { value: 2.5, max: 5 }, headline: 'Cliché after cliché', body: 'Line one "quoted" \\ back\n\n||a spoiler||\n\n日本語 ✓' },
    ),
    clock('2024-03-02T10:15:00.000Z'),
  );
  await importParsedItem(db, makeItem({ title: 'Devilman Crybaby', year: 2018, credits: [{ role: 'writer', name: 'Ichirō Ōkouchi' }] }, { score: { value: 9, max: 10 }, body: 'Yuasa at his wildest.' }), clock('2024-03-03T10:15:00.000Z'));
  await importParsedItem(db, makeItem({ title: 'Devilman Crybaby', year: 2018 }, { score: { value: 73, max: 100 }, status: 'draft', publishedAt: null, body: 'Draft: *unfinished*.' }), {
    author: 'Second Critic',
    now: () => '2024-03-04T10:15:00.000Z',
  });
}

/** Episode counts, list entries and old addresses, as the list and blog importers leave them. */
async function seedLists(db: Db) {
  const entry = (e: Partial<ParsedListEntry>): ParsedListEntry => ({ status: null, progress: null, startedOn: null, finishedOn: null, timesWatched: null, tags: [], ...e });
  const work = (title: string, year: number, episodes?: number) => ({ ...makeItem({ title, year }).work, ...(episodes !== undefined && { episodes }) });
  const results = await importSourceItems(
    db,
    [
      {
        ...makeItem({ title: 'Mob Psycho 100', year: 2016 }, { score: { value: 8, max: 10 }, body: 'Bones at full tilt.' }),
        work: work('Mob Psycho 100', 2016, 12),
        sourceUrl: 'https://old.example.org/2016/09/mob-psycho-100?ref=feed',
        entry: entry({ status: 'completed', progress: 12, startedOn: '2016-07-11', finishedOn: '2016-09-27', timesWatched: 2, tags: ['rewatch', 'Shōnen ≠ "shallow"'] }),
      },
      { work: work('Ping Pong the Animation', 2014, 11), review: null, entry: entry({ status: 'plan_to_watch' }), warnings: [] },
      { work: work('Devilman Crybaby', 2018), review: null, author: 'Second Critic', entry: entry({ progress: 3 }), warnings: [] },
      { work: work('Hero ≠ Mask', 2018), review: null, entry: entry({ status: 'watching', progress: 5, startedOn: '2024-02-29' }), warnings: [] },
    ],
    { author: 'Aiko Tanaka', now: () => '2024-03-05T10:15:00.000Z' },
  );
  const first = results[0];
  if (!first || first instanceof Error || !first.review) throw first ?? new Error('the first item wrote no review');
  // A second old address (the blog's short link), written after the first but sorting before it.
  await db.kysely.insertInto('reviewSources').values({ reviewId: first.review.id, url: 'http://old.example.org/?p=412', path: '/?p=412' }).execute();
}

const count = async (db: Db, table: 'reviews' | 'listEntries' | 'reviewSources' | 'workRedirects' | 'nameRedirects') =>
  Number((await db.kysely.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

forEachDatabase((fresh, dialect) => {
  it('export → import into an empty database → export gives identical bytes', async () => {
    const { db: source } = await fresh();
    await seed(source);
    const first = await exportText(source);
    const document = JSON.parse(first);
    expect(document.format).toBe('kansou');
    expect(document.works.map((w: { title: string }) => w.title)).toEqual(['Hero ≠ Mask', 'Devilman Crybaby']);
    expect(document.reviews).toHaveLength(3);
    expect(document.people.map((p: { name: string }) => p.name)).toEqual(['Hiroyasu Aoki', 'Hisaki Kato', 'Ichirō Ōkouchi']);

    const { db: target } = await fresh();
    const report = await importJson(target, chunked(first));
    expect(report.failures).toEqual([]);
    expect(report.counts.reviews).toEqual({ created: 3, updated: 0, unchanged: 0, failed: 0 });
    expect(await exportText(target)).toBe(first);
  });

  it('importing the same document again changes nothing', async () => {
    const { db: source } = await fresh();
    await seed(source);
    const text = await exportText(source);
    const { db: target } = await fresh();
    await importJson(target, chunked(text));
    const again = await importJson(target, chunked(text));
    expect(again.counts.works).toEqual({ created: 0, updated: 0, unchanged: 2, failed: 0 });
    expect(again.counts.reviews).toEqual({ created: 0, updated: 0, unchanged: 3, failed: 0 });
    expect(await exportText(target)).toBe(text);
  });

  it('restores aggregates, search and new ids after a restore', async () => {
    const { db: source } = await fresh();
    await seed(source);
    const { db: target } = await fresh();
    await importJson(target, chunked(await exportText(source)));
    const work = await target.kysely.selectFrom('works').selectAll().where('title', '=', 'Devilman Crybaby').executeTakeFirstOrThrow();
    // The draft does not count.
    expect(work.reviewCount).toBe(1);
    expect(work.ratingSum).toBe(90);
    // New rows after a restore get fresh ids (PostgreSQL's sequences were moved past the restored ids).
    const result = await importParsedItem(target, makeItem({ title: 'Another' }), { author: 'Aiko Tanaka' });
    expect(result.review.id).toBe(4);
  });

  it.runIf(dialect === 'postgres')('leaves PostgreSQL with statistics of what it restored, so its first plans are not made for empty tables', async () => {
    const { db: source } = await fresh();
    await seed(source);
    const { db: target } = await fresh();
    await importJson(target, chunked(await exportText(source)));
    const { rows } = await sql<{ relname: string; analysed: boolean }>`
      select relname, last_analyze is not null as analysed from pg_stat_user_tables where relname in ('works', 'reviews', 'reviews_search')`.execute(target.kysely);
    expect(rows.map((r) => [r.relname, r.analysed]).sort()).toEqual([['reviews', true], ['reviews_search', true], ['works', true]]);
  });

  it('reports a bad record by section and position and writes the others', async () => {
    const { db: source } = await fresh();
    await seed(source);
    const document = JSON.parse(await exportText(source));
    document.reviews[1].score = { value: 'nine', max: 10 };
    document.reviews[2].work = 'no-such-work';
    const { db: target } = await fresh();
    const report = await importJson(target, Readable.from([JSON.stringify(document, null, 2)]));
    expect(report.failures).toEqual([
      { section: 'reviews', item: 2, message: expect.stringContaining('/score/value') },
      { section: 'reviews', item: 3, message: '/work: work "no-such-work" is neither in the file nor in the database' },
    ]);
    expect(report.counts.reviews.created).toBe(1);
    const count = await target.kysely.selectFrom('reviews').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(1);
  });

  it('refuses a document that is not a Kansou export, or is cut short, and writes nothing', async () => {
    const { db } = await fresh();
    await expect(importJson(db, Readable.from(['{"format":"other","version":1,"works":[]}']))).rejects.toThrow(/not a Kansou export/);
    await expect(importJson(db, Readable.from(['[1,2]']))).rejects.toThrow(/line 1: the document must be a JSON object/);
    await expect(importJson(db, Readable.from(['{"format":"kansou","version":1,"authors":[{"id":1,']))).rejects.toThrow(/ends too early/);
    await expect(importJson(db, Readable.from(['{"format":"kansou","version":4,"authors":[]}']))).rejects.toThrow(/unsupported export version 4 \(this Kansou reads versions 1 to 3\)/);
    await expect(importJson(db, Readable.from(['{"format":"kansou","version":1,"listEntries":[{}]}']))).rejects.toThrow('section "listEntries" is not part of a version 1 document');
    const count = await db.kysely.selectFrom('authors').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(0);
  });
});

describe('export format', () => {
  it('is documented by the JSON Schema in docs/', async () => {
    const { readFile } = await import('node:fs/promises');
    const { InterchangeDocument } = await import('./interchange.schema.js');
    const published = JSON.parse(await readFile(new URL('../../docs/interchange.schema.json', import.meta.url), 'utf8'));
    delete published.$schema;
    // `npm run docs:schema` rewrites the file when the schema changes.
    expect(published).toEqual(JSON.parse(JSON.stringify(InterchangeDocument)));
  });
});

describe('on both databases', () => {
  it.skipIf(!inject('postgresUrl'))('the same writes give the same export on SQLite and PostgreSQL', async () => {
    const texts: string[] = [];
    for (const dialect of ['sqlite', 'postgres'] as const) {
      const t = await createTestDatabase(dialect);
      try {
        await seed(t.db);
        await seedLists(t.db);
        texts.push(await exportText(t.db));
      } finally {
        await t.drop();
      }
    }
    expect(texts[1]).toBe(texts[0]);
  });
});

forEachDatabase((fresh) => {
  it('a restored work shows the same score summary as the original', async () => {
    const { db: source } = await fresh();
    await seed(source);
    const summary = (db: Db) =>
      db.kysely.selectFrom('works').select(['slug', 'reviewCount', 'ratingCount', 'ratingSum', 'ratingHistogram']).orderBy('slug').execute();
    const expected = await summary(source);
    expect(expected.find((w) => w.slug === 'devilman-crybaby')).toMatchObject({ reviewCount: 1, ratingCount: 1, ratingSum: 90 });
    const { db: target } = await fresh();
    await importJson(target, chunked(await exportText(source)));
    expect(await summary(target)).toEqual(expected);
  });
});

forEachDatabase((fresh) => {
  it('list entries, old addresses and episode counts survive export → restore → export byte for byte', async () => {
    const { db: source } = await fresh();
    await seed(source);
    await seedLists(source);
    const first = await exportText(source);
    const document = JSON.parse(first);
    expect(document.version).toBe(3);
    expect(document.works.map((w: { slug: string; episodes: number | null }) => [w.slug, w.episodes])).toEqual([
      ['hero-not-equal-mask', null],
      ['devilman-crybaby', null],
      ['mob-psycho-100', 12],
      ['ping-pong-the-animation', 11],
    ]);
    const mob = document.reviews.find((r: { work: string }) => r.work === 'mob-psycho-100');
    expect(mob.sources).toEqual([
      { url: 'http://old.example.org/?p=412', path: '/?p=412' },
      { url: 'https://old.example.org/2016/09/mob-psycho-100?ref=feed', path: '/2016/09/mob-psycho-100?ref=feed' },
    ]);
    expect(document.reviews.filter((r: { sources: unknown[] }) => r.sources.length === 0)).toHaveLength(3);
    expect(document.listEntries).toHaveLength(4);
    expect(document.listEntries[0]).toEqual({
      id: 1,
      work: 'mob-psycho-100',
      author: 'aiko-tanaka',
      status: 'completed',
      progress: 12,
      startedOn: '2016-07-11',
      finishedOn: '2016-09-27',
      timesWatched: 2,
      tags: ['rewatch', 'Shōnen ≠ "shallow"'],
      createdAt: '2024-03-05T10:15:00.000Z',
      updatedAt: '2024-03-05T10:15:00.000Z',
    });
    expect(document.listEntries[2]).toMatchObject({ work: 'devilman-crybaby', author: 'second-critic', status: null, progress: 3, tags: [] });
    // The last section closes the document: nothing may follow it.
    expect(first.endsWith(']\n}\n')).toBe(true);

    const { db: target } = await fresh();
    const report = await importJson(target, chunked(first));
    expect(report.failures).toEqual([]);
    expect(report.counts.listEntries).toEqual({ created: 4, updated: 0, unchanged: 0, failed: 0 });
    expect(await exportText(target)).toBe(first);
    expect(await count(target, 'reviewSources')).toBe(2);

    const again = await importJson(target, chunked(first));
    expect(again.counts.listEntries).toEqual({ created: 0, updated: 0, unchanged: 4, failed: 0 });
    expect(again.counts.reviews).toEqual({ created: 0, updated: 0, unchanged: 4, failed: 0 });
    expect(again.counts.works).toEqual({ created: 0, updated: 0, unchanged: 4, failed: 0 });
    expect(await exportText(target)).toBe(first);

    // A new entry after a restore gets a fresh id (PostgreSQL's sequence was moved past the restored ones).
    const [added] = await importSourceItems(
      target,
      [{ work: makeItem({ title: 'Tatami Galaxy', year: 2010 }).work, review: null, entry: { status: 'dropped', progress: 4, startedOn: null, finishedOn: null, timesWatched: null, tags: [] }, warnings: [] }],
      { author: 'Aiko Tanaka' },
    );
    expect(added).not.toBeInstanceOf(Error);
    expect((added as { entry: { id: number } }).entry.id).toBe(5);
  });

  it('keeps what was merged: old addresses and old spellings lead to the survivors after a restore, byte for byte', async () => {
    const { db: source } = await fresh();
    await seed(source);
    // Duplicates, merged by an editor: a work and a person, each by another name.
    await importParsedItem(source, makeItem({ title: 'Hero Mask TV', year: 2018, credits: [{ role: 'music', name: 'Kato Hisaki' }] }), { author: 'Aiko Tanaka', now: () => '2024-03-06T10:15:00.000Z' });
    const editor = await createUser(source.kysely, { email: 'editor@example.org', name: 'Editor', role: 'editor', password: null }, { userId: null });
    await mergeNames(source, editor, 'people', 'kato-hisaki', 'hisaki-kato', '2024-03-07T10:15:00.000Z');
    await mergeWorks(source, editor, 'hero-mask-tv', 'hero-not-equal-mask', '2024-03-08T10:15:00.000Z');
    const first = await exportText(source);
    const document = JSON.parse(first);
    expect(document.works.find((w: { slug: string }) => w.slug === 'hero-not-equal-mask').mergedFrom).toEqual([{ slug: 'hero-mask-tv', mergedAt: '2024-03-08T10:15:00.000Z' }]);
    expect(document.people.find((p: { slug: string }) => p.slug === 'hisaki-kato').mergedFrom).toEqual([{ slug: 'kato-hisaki', name: 'Kato Hisaki', mergedAt: '2024-03-07T10:15:00.000Z' }]);
    expect(document.studios[0].mergedFrom).toEqual([]);

    const { db: target } = await fresh();
    expect((await importJson(target, chunked(first))).failures).toEqual([]);
    expect(await exportText(target)).toBe(first);
    expect(await findWorkRedirect(target.kysely, 'hero-mask-tv')).toBe('hero-not-equal-mask');
    expect(await findNameRedirect(target.kysely, 'people', 'kato-hisaki')).toBe('hisaki-kato');
    // The old spelling finds the survivor in the restored catalog too.
    await importParsedItem(target, makeItem({ title: 'Another Show', year: 2020, credits: [{ role: 'music', name: 'Kato Hisaki' }] }), { author: 'Aiko Tanaka' });
    expect((await target.kysely.selectFrom('people').select('slug').where('slug', 'like', '%kato%').execute()).map((p) => p.slug)).toEqual(['hisaki-kato']);
    // Restoring the same file again changes nothing.
    const again = await importJson(target, chunked(first));
    expect(again.counts.works).toMatchObject({ created: 0, updated: 0 });
    expect(await count(target, 'workRedirects')).toBe(1);
    expect(await count(target, 'nameRedirects')).toBe(1);

    // A version 2 document (before merges were kept) is still read, and says nothing of them.
    const v2 = { ...document, version: 2 };
    for (const section of ['people', 'studios', 'platforms', 'works']) v2[section] = v2[section].map(({ mergedFrom: _, ...rest }: { mergedFrom: unknown }) => rest);
    const { db: older } = await fresh();
    expect((await importJson(older, Readable.from([JSON.stringify(v2, null, 2)]))).failures).toEqual([]);
    expect(await count(older, 'workRedirects')).toBe(0);
    expect(JSON.parse(await exportText(older)).works).toHaveLength(document.works.length);
  });

  it('brings list entries, old addresses and episode counts back to what the file says', async () => {
    const { db: source } = await fresh();
    await seed(source);
    await seedLists(source);
    const text = await exportText(source);
    const { db: target } = await fresh();
    await importJson(target, chunked(text));
    await target.kysely.updateTable('works').set({ episodes: 99 }).where('slug', '=', 'mob-psycho-100').execute();
    await target.kysely.updateTable('listEntries').set({ progress: 1, tags: '["other"]' }).where('id', '=', 1).execute();
    await target.kysely.deleteFrom('reviewSources').where('path', '=', '/?p=412').execute();
    await target.kysely.insertInto('reviewSources').values({ reviewId: 1, url: 'https://elsewhere.example/x', path: '/x' }).execute();
    const report = await importJson(target, chunked(text));
    expect(report.counts.works).toMatchObject({ updated: 1, unchanged: 3 });
    expect(report.counts.listEntries).toMatchObject({ updated: 1, unchanged: 3 });
    // Review 1 had an address it should not; the Mob Psycho review lacked one.
    expect(report.counts.reviews).toMatchObject({ updated: 2, unchanged: 2 });
    expect(await exportText(target)).toBe(text);
  });

  it('reports a bad list entry or review address by section, position and field, and writes nothing of it', async () => {
    const { db: source } = await fresh();
    await seed(source);
    await seedLists(source);
    const document = JSON.parse(await exportText(source));
    document.listEntries[0].status = 'finished';
    document.listEntries[1].startedOn = '2024-02-30';
    document.listEntries[3].work = 'no-such-work';
    const mob = document.reviews.findIndex((r: { work: string }) => r.work === 'mob-psycho-100');
    document.reviews[mob].sources[1].url = 'ftp://old.example.org/mob';
    const { db: target } = await fresh();
    const report = await importJson(target, Readable.from([JSON.stringify(document, null, 2)]));
    expect(report.failures).toEqual([
      { section: 'reviews', item: mob + 1, message: '/sources/1/url: must match pattern "^https?://"' },
      { section: 'listEntries', item: 1, message: '/status: must be one of "watching", "completed", "on_hold", "dropped", "plan_to_watch", null' },
      { section: 'listEntries', item: 2, message: '/startedOn: must be a date that exists, written YYYY-MM-DD' },
      { section: 'listEntries', item: 4, message: '/work: work "no-such-work" is neither in the file nor in the database' },
    ]);
    expect(report.counts.listEntries).toEqual({ created: 1, updated: 0, unchanged: 0, failed: 3 });
    expect(report.counts.reviews).toEqual({ created: 3, updated: 0, unchanged: 0, failed: 1 });
    // Neither the review nor its good address; only the one good entry.
    expect(await count(target, 'reviews')).toBe(3);
    expect(await count(target, 'reviewSources')).toBe(0);
    const entries = await target.kysely
      .selectFrom('listEntries')
      .innerJoin('works', 'works.id', 'listEntries.workId')
      .select(['works.slug', 'listEntries.progress'])
      .execute();
    expect(entries).toEqual([{ slug: 'devilman-crybaby', progress: 3 }]);
  });

  it('restores a version 1 backup, made before list entries, old addresses and episode counts', async () => {
    const old = await readFile(new URL('../../test/fixtures/interchange/version-1.json', import.meta.url), 'utf8');
    const { db } = await fresh();
    const report = await importJson(db, chunked(old));
    expect(report.failures).toEqual([]);
    expect(report.counts.works.created).toBe(2);
    expect(report.counts.reviews.created).toBe(3);
    const v1 = JSON.parse(old);
    const restored = await exportText(db);
    // The same records, in the current version's shape: what versions 2 and 3 added is empty.
    const merged = (r: object) => ({ ...r, mergedFrom: [] });
    expect(JSON.parse(restored)).toEqual({
      ...v1,
      version: 3,
      people: v1.people.map(merged),
      studios: v1.studios.map(merged),
      platforms: v1.platforms.map(merged),
      works: v1.works.map((w: object) => ({ ...w, episodes: null, mergedFrom: [] })),
      reviews: v1.reviews.map((r: object) => ({ ...r, sources: [] })),
      listEntries: [],
    });
    // Byte for byte, the old records are the new ones less the new fields.
    const dropNew = (line: string) => line.replace(',"episodes":null', '').replace(',"sources":[]', '').replace(',"mergedFrom":[]', '');
    const recordLines = (text: string) => text.split('\n').filter((l) => l.startsWith('    {'));
    expect(recordLines(restored).map(dropNew)).toEqual(recordLines(old));

    // Restored again over data it knows nothing of, it leaves that data alone.
    await db.kysely.updateTable('works').set({ episodes: 12 }).where('slug', '=', 'hero-not-equal-mask').execute();
    await db.kysely.insertInto('reviewSources').values({ reviewId: 1, url: 'https://old.example.org/hero', path: '/hero' }).execute();
    const again = await importJson(db, chunked(old));
    expect(again.counts.works).toEqual({ created: 0, updated: 0, unchanged: 2, failed: 0 });
    expect(again.counts.reviews).toEqual({ created: 0, updated: 0, unchanged: 3, failed: 0 });
    const after = JSON.parse(await exportText(db));
    expect(after.works[0].episodes).toBe(12);
    expect(after.reviews[0].sources).toEqual([{ url: 'https://old.example.org/hero', path: '/hero' }]);
  });
});
