import { Readable } from 'node:stream';
import { describe, expect, inject, it } from 'vitest';
import { createTestDatabase, forEachDatabase } from '../../test/databases.js';
import { makeItem } from '../../test/factories.js';
import { exportText } from '../../test/export.js';
import type { Db } from '../db/connection.js';
import { importParsedItem } from '../import/import.service.js';
import { importJson } from './interchange.import.js';

/** Feeds text in small pieces, so records are split across chunk boundaries. */
const chunked = (text: string, size = 97) => Readable.from(Array.from({ length: Math.ceil(text.length / size) }, (_, i) => text.slice(i * size, (i + 1) * size)));

async function seed(db: Db) {
  const clock = (t: string) => ({ author: 'Aiko Tanaka', now: () => t });
  await importParsedItem(
    db,
    makeItem(
      {
        title: 'Hero ≠ Mask',
        year: 2018,
        altTitles: [{ title: 'ヒーローマスク', type: 'original' }],
        credits: [
          { role: 'director', name: 'Hiroyasu Aoki' },
          { role: 'writer', name: 'Hiroyasu Aoki' },
          { role: 'music', name: 'Hisaki Kato' },
        ],
        studios: ['Pierrot'],
        platforms: ['Netflix'],
        tags: ['Action', 'Thriller'],
        externalIds: { mal: '37521' },
      },
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

forEachDatabase((fresh) => {
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
      { section: 'reviews', item: 3, message: 'work "no-such-work" is neither in the file nor in the database' },
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
