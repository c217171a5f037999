import { copyFileSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { forEachDatabase } from '../../test/databases.js';
import type { Db } from '../db/connection.js';
import { renderReview } from '../reviews/reviews.render.js';
import { parseSearchParams, searchSite } from '../search/search.service.js';
import { importTextFiles, type FileReport } from './plaintext.import.js';

const fixtures = [new URL('./plaintext/fixtures/', import.meta.url).pathname, new URL('../../test/fixtures/reviews/', import.meta.url).pathname];

const DIRECTORS = ['Hiroyasu Aoki', 'Masaaki Yuasa', 'Naoko Yamada', 'Ichirō Ōkouchi', 'Sayo Yamamoto'];
const STUDIOS = ['Pierrot', 'Science SARU', 'Kyoto Animation'];

/**
 * A folder of review files: the parser's fixtures (good and bad ones), and enough blog-style
 * reviews for several batches, sharing directors and studios, two of them about the same work.
 */
const folders: string[] = [];
afterAll(() => {
  for (const dir of folders) rmSync(dir, { recursive: true, force: true });
});

function reviewFolder(count: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'kansou-text-import-'));
  folders.push(dir);
  for (const folder of fixtures) for (const name of readdirSync(folder)) copyFileSync(join(folder, name), join(dir, name));
  for (let i = 0; i < count; i++) {
    const title = i === count - 1 ? 'Lantern Harbor 0' : `Lantern Harbor ${i}`;
    const words = i === count - 1 ? 'The sequel file rewrites everything: zeppelin.' : `The lighthouse keeper number ${i} steals every scene, "quietly".`;
    const text = [
      `${title} (2001)`,
      '',
      words,
      '',
      `Then ||the keeper${i} dies|| and the town mourns.`,
      '',
      `Director: ${DIRECTORS[i % DIRECTORS.length]}`,
      `Studio: ${STUDIOS[i % STUDIOS.length]}`,
      `Final Score: ${(i % 9) / 2 + 1} out of 5`,
      '',
    ].join('\n');
    writeFileSync(join(dir, `review-${String(i).padStart(3, '0')}.txt`), text);
  }
  return dir;
}

const filesOf = (dir: string) =>
  readdirSync(dir)
    .sort()
    .map((name) => ({ path: join(dir, name), missing: false }));

const reviewsWithRenders = (db: Db) =>
  db.kysely
    .selectFrom('reviews')
    .innerJoin('works', 'works.id', 'reviews.workId')
    .leftJoin('reviewRenders', 'reviewRenders.reviewId', 'reviews.id')
    .select(['reviews.id', 'works.slug', 'reviews.body', 'reviews.rating', 'reviewRenders.bodyHtml', 'reviewRenders.bodyText', 'reviewRenders.textStart'])
    .orderBy('reviews.id')
    .execute();

const search = async (db: Db, q: string) => {
  const results = await searchSite(db, parseSearchParams({ q }));
  return { works: results.works.map((w) => w.slug).sort(), reviews: results.reviews.map((r) => r.workSlug).sort() };
};

forEachDatabase((fresh) => {
  it('imports a folder the same whether its files are read on a worker thread or on the main one', async () => {
    const dir = reviewFolder(230);
    const onWorker = await fresh();
    const inProcess = await fresh();
    const streamed: FileReport[] = [];
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.message);
    process.on('warning', onWarning);
    const a = await importTextFiles(onWorker.db, filesOf(dir), 'Aiko Tanaka', (r) => streamed.push(r), { worker: true }).finally(() => process.off('warning', onWarning));
    // The files were read on the worker: it would say so had it fallen back to this thread.
    expect(warnings.filter((w) => w.includes('main thread'))).toEqual([]);
    const b = await importTextFiles(inProcess.db, filesOf(dir), 'Aiko Tanaka', () => {}, { worker: false });

    expect(a).toEqual(b);
    expect(streamed).toEqual(a);
    expect(a.filter((r) => !r.ok).map((r) => r.error)).toEqual(['binary file (contains NUL bytes)', 'empty file', expect.stringContaining('malformed front matter')]);
    // The last generated file describes the first one's work again: same author, so it updates that review.
    expect(a.find((r) => r.source.endsWith('review-229.txt'))!.result).toEqual({
      work: expect.objectContaining({ slug: 'lantern-harbor-0', reason: 'same title "Lantern Harbor 0" and year 2001' }),
      review: { id: a.find((r) => r.result?.work.slug === 'lantern-harbor-0')!.result!.review.id, action: 'updated' },
    });

    for (const db of [onWorker.db, inProcess.db]) {
      const reviews = await reviewsWithRenders(db);
      // Every review is stored with the rendering of its own body, as its page shows it.
      for (const r of reviews) expect({ bodyHtml: r.bodyHtml, bodyText: r.bodyText, textStart: r.textStart }).toEqual(renderReview(r.body));
      // One record per director and studio, however many batches named them.
      const people = await db.kysely.selectFrom('people').select('name').orderBy('name').execute();
      expect(people.map((p) => p.name)).toEqual(expect.arrayContaining(DIRECTORS));
      expect(new Set(people.map((p) => p.name)).size).toBe(people.length);
      const credits = await db.kysely
        .selectFrom('credits')
        .innerJoin('works', 'works.id', 'credits.workId')
        .innerJoin('people', 'people.id', 'credits.personId')
        .select(['works.slug', 'people.name'])
        .where('works.slug', 'in', ['lantern-harbor-7', 'lantern-harbor-199'])
        .orderBy('works.slug')
        .execute();
      expect(credits).toEqual([
        { slug: 'lantern-harbor-199', name: DIRECTORS[199 % DIRECTORS.length] },
        { slug: 'lantern-harbor-7', name: DIRECTORS[7 % DIRECTORS.length] },
      ]);
      const work = await db.kysely.selectFrom('works').selectAll().where('slug', '=', 'lantern-harbor-0').executeTakeFirstOrThrow();
      expect([work.reviewCount, work.ratingCount]).toEqual([1, 1]);

      expect((await search(db, 'lighthouse keeper number 42')).reviews).toEqual(['lantern-harbor-42']);
      expect((await search(db, 'zeppelin')).reviews).toEqual(['lantern-harbor-0']);
      // The updated review is found by its new words only, and spoilers are never searchable.
      expect((await search(db, 'lighthouse keeper number 0')).reviews).toEqual([]);
      expect((await search(db, 'keeper42')).reviews).toEqual([]);
      expect((await search(db, 'Lantern Harbor 42')).works).toContain('lantern-harbor-42');
      expect((await search(db, 'okouchi')).works.length).toBeGreaterThan(0);
    }
    expect(await reviewsWithRenders(onWorker.db)).toEqual(await reviewsWithRenders(inProcess.db));

    // Importing the same folder again changes nothing, but for files that take turns writing
    // one review (two files of the folder about the same work: review-000 and review-229, and
    // some of the parser's fixtures).
    const again = await importTextFiles(onWorker.db, filesOf(dir), 'Aiko Tanaka', () => {}, { worker: true });
    const filesPerWork = new Map<string, number>();
    for (const r of a) if (r.result) filesPerWork.set(r.result.work.slug, (filesPerWork.get(r.result.work.slug) ?? 0) + 1);
    const changed = again.filter((r) => r.result && r.result.review.action !== 'unchanged');
    expect(changed.map((r) => r.source)).toContain(join(dir, 'review-229.txt'));
    for (const r of changed) expect([r.result!.review.action, filesPerWork.get(r.result!.work.slug)]).toEqual(['updated', 2]);
    expect(again.filter((r) => r.result).length).toBe(a.filter((r) => r.result).length);
  });

  it('reads files on a worker thread for a dry run too, and writes nothing', async () => {
    const dir = reviewFolder(120);
    const { db } = await fresh();
    const onWorker = await importTextFiles(null, filesOf(dir), 'Aiko Tanaka', () => {}, { worker: true });
    const inProcess = await importTextFiles(null, filesOf(dir), 'Aiko Tanaka', () => {}, { worker: false });
    expect(onWorker).toEqual(inProcess);
    expect(onWorker.filter((r) => !r.ok).map((r) => r.error)).toEqual(['binary file (contains NUL bytes)', 'empty file', expect.stringContaining('malformed front matter')]);
    expect(onWorker.every((r) => r.result === undefined)).toBe(true);
    expect(await db.kysely.selectFrom('works').select('id').execute()).toEqual([]);
  });
});
