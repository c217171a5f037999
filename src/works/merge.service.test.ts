import { describe, expect, it } from 'vitest';
import { forEachDatabase } from '../../test/databases.js';
import { makeItem } from '../../test/factories.js';
import type { Db } from '../db/connection.js';
import type { Role } from '../db/schema.js';
import { importParsedItem } from '../import/import.service.js';
import { createUser } from '../accounts/accounts.service.js';
import { deleteReview, restoreReview } from '../reviews/authoring.service.js';
import { queryTerms, searchIndexFor } from '../search/search.js';
import { findNamedBySlug, findNameRedirect } from './names.repository.js';
import { findWorkBySlug, findWorkRedirect, loadWorkDetails } from './works.repository.js';
import { mergeNames, mergeWorks, previewWorkMerge } from './merge.service.js';
import { createName, createWork } from './works.authoring.js';

let k = 0;
const user = (db: Db, role: Role, name = `Member ${++k}`) =>
  createUser(db.kysely, { email: `${name.toLowerCase().replace(/\W+/g, '.')}.${++k}@example.org`, name, role, password: null }, { userId: null });

const NOW = '2025-01-10T10:00:00.000Z';

/** A duplicate and the work it duplicates, both reviewed by Aiko; the duplicate by Ben too. */
async function seed(db: Db) {
  const dup = await importParsedItem(
    db,
    makeItem(
      {
        title: 'Hero Mask TV',
        year: 2018,
        altTitles: [{ title: 'ヒーローマスク', type: 'original' }],
        credits: [
          { role: 'director', name: 'Hiroyasu Aoki' },
          { role: 'music', name: 'Hisaki Kato' },
        ],
        studios: ['Pierrot'],
        platforms: ['Netflix'],
        tags: ['Thriller'],
        externalIds: { mal: '111', anilist: '999' },
      },
      { score: { value: 4, max: 5 }, body: 'Aiko on the duplicate.' },
    ),
    { author: 'Aiko Tanaka', now: () => NOW },
  );
  const ben = await importParsedItem(db, makeItem({ title: 'Hero Mask TV', year: 2018 }, { score: { value: 2, max: 5 }, headline: 'Ben on the copy', body: 'Walrus gunfights.' }), {
    author: 'Ben Critic',
    now: () => NOW,
  });
  const keep = await importParsedItem(
    db,
    makeItem(
      {
        title: 'Hero ≠ Mask',
        year: 2018,
        credits: [
          { role: 'director', name: 'Hiroyasu Aoki' },
          { role: 'writer', name: 'Someone Else' },
        ],
        studios: ['Studio Kept'],
        externalIds: { mal: '222' },
      },
      { score: { value: 5, max: 5 }, body: 'Aiko on the one kept.' },
    ),
    { author: 'Aiko Tanaka', now: () => NOW },
  );
  expect(ben.work.slug).toBe(dup.work.slug);
  expect(keep.work.slug).not.toBe(dup.work.slug);
  return { dupSlug: dup.work.slug, aikoDup: dup.review.id, benDup: ben.review.id, keepSlug: keep.work.slug, aikoKeep: keep.review.id };
}

forEachDatabase((fresh) => {
  describe('merging works', () => {
    it('moves reviews, credits, links, titles, ids, entries and old addresses to the survivor', async () => {
      const { db } = await fresh();
      const s = await seed(db);
      const editor = await user(db, 'editor');
      const dupId = (await findWorkBySlug(db.kysely, s.dupSlug))!.id;
      const keepId = (await findWorkBySlug(db.kysely, s.keepSlug))!.id;
      await db.kysely.insertInto('reviewSources').values({ reviewId: s.aikoDup, url: 'https://blog.example.org/2019/dup/', path: '/2019/dup/' }).execute();
      await db.kysely.insertInto('reviewSources').values({ reviewId: s.benDup, url: 'https://blog.example.org/2019/ben/', path: '/2019/ben/' }).execute();
      const ann = (await db.kysely.selectFrom('authors').select('id').where('name', '=', 'Ben Critic').executeTakeFirstOrThrow()).id;
      const aiko = (await db.kysely.selectFrom('authors').select('id').where('name', '=', 'Aiko Tanaka').executeTakeFirstOrThrow()).id;
      // Ben's list entry moves; Aiko's entry of the duplicate goes (she has one of the survivor).
      const entry = (authorId: number, workId: number, status: 'completed' | 'dropped') =>
        db.kysely.insertInto('listEntries').values({ authorId, workId, status, progress: null, startedOn: null, finishedOn: null, timesWatched: null, createdAt: NOW, updatedAt: NOW }).execute();
      await entry(aiko, dupId, 'dropped');
      await entry(ann, dupId, 'completed');
      await entry(aiko, keepId, 'completed');
      const entries = await db.kysely.selectFrom('listEntries').select(['authorId', 'workId']).orderBy('id').execute();
      expect(entries.filter((e) => e.workId === dupId).length).toBe(2);

      const preview = await previewWorkMerge(db, editor, s.dupSlug, `/works/${s.keepSlug}`);
      expect(preview).toMatchObject({ reviews: 1, credits: 1, studios: 1, platforms: 1, tags: 1, listEntries: 1, listEntriesDropped: 1 });
      expect(preview.setAside.map((r) => r.id)).toEqual([s.aikoDup]);
      expect(await findWorkBySlug(db.kysely, s.dupSlug)).toBeDefined();

      const result = await mergeWorks(db, editor, s.dupSlug, s.keepSlug, NOW);
      expect(result.reviews).toBe(1);
      expect(result.setAside).toEqual([{ id: s.aikoDup, authorId: aiko, authorName: 'Aiko Tanaka', keptId: s.aikoKeep }]);
      expect(result.externalIdsDropped).toEqual([{ source: 'mal', externalId: '111' }]);
      expect(result.listEntriesDropped).toBe(1);

      expect(await findWorkBySlug(db.kysely, s.dupSlug)).toBeUndefined();
      const [work] = await loadWorkDetails(db.kysely, [keepId]);
      expect(work!.title).toBe('Hero ≠ Mask');
      expect(work!.credits).toEqual([
        { role: 'director', name: 'Hiroyasu Aoki', slug: 'hiroyasu-aoki' },
        { role: 'writer', name: 'Someone Else', slug: 'someone-else' },
        { role: 'music', name: 'Hisaki Kato', slug: 'hisaki-kato' },
      ]);
      expect(work!.studios.map((x) => x.name)).toEqual(['Studio Kept', 'Pierrot']);
      expect(work!.platforms.map((x) => x.name)).toEqual(['Netflix']);
      expect(work!.tags.map((x) => x.name)).toEqual(['Thriller']);
      expect(work!.altTitles).toEqual([
        { title: 'Hero Mask TV', type: 'other' },
        { title: 'ヒーローマスク', type: 'original' },
      ]);
      expect(work!.externalIds).toEqual({ mal: '222', anilist: '999' });
      // Aggregates right at once: Aiko's 5/5 and Ben's 2/5.
      expect(work!.reviewCount).toBe(2);
      expect(work!.ratingSum).toBe(140);

      const reviewsNow = await db.kysely.selectFrom('reviews').select(['id', 'workId']).orderBy('id').execute();
      expect(reviewsNow).toEqual([
        { id: s.benDup, workId: keepId },
        { id: s.aikoKeep, workId: keepId },
      ]);
      const aside = await db.kysely.selectFrom('deletedReviews').selectAll().execute();
      expect(aside.map((d) => [d.reviewId, d.workId, d.authorId])).toEqual([[s.aikoDup, keepId, aiko]]);
      expect(JSON.parse(aside[0]!.snapshot).review.body).toBe('Aiko on the duplicate.');
      // The old blog addresses lead to the review of the survivor by the same author.
      const sources = await db.kysely.selectFrom('reviewSources').select(['path', 'reviewId']).orderBy('path').execute();
      expect(sources).toEqual([
        { path: '/2019/ben/', reviewId: s.benDup },
        { path: '/2019/dup/', reviewId: s.aikoKeep },
      ]);
      const after = await db.kysely.selectFrom('listEntries').select(['authorId', 'workId']).where('workId', '=', keepId).orderBy('authorId').execute();
      expect(after.map((e) => e.authorId).sort()).toEqual([aiko, ann].sort());

      // Search: the survivor under the duplicate's title; the moved review under the survivor's.
      const search = searchIndexFor(db);
      expect((await search.query(db.kysely, 'works', queryTerms('Hero Mask TV'), 10, 0)).map((h) => h.id)).toEqual([keepId]);
      expect((await search.query(db.kysely, 'reviews', queryTerms('walrus'), 10, 0)).map((h) => h.id)).toEqual([s.benDup]);
      expect((await search.query(db.kysely, 'reviews', queryTerms('duplicate'), 10, 0)).map((h) => h.id)).toEqual([]);

      expect(await findWorkRedirect(db.kysely, s.dupSlug)).toBe(s.keepSlug);
      const audit = await db.kysely.selectFrom('auditEvents').selectAll().where('action', '=', 'work_merged').execute();
      expect(audit).toHaveLength(1);
      expect(audit[0]!.actorId).toBe(editor.id);
    });

    it('keeps the review set aside restorable by its author once they give up the other', async () => {
      const { db } = await fresh();
      const s = await seed(db);
      const editor = await user(db, 'editor');
      await mergeWorks(db, editor, s.dupSlug, s.keepSlug);
      await expect(restoreReview(db, editor, s.aikoDup)).rejects.toMatchObject({ code: 'conflict' });
      await deleteReview(db, editor, s.aikoKeep);
      await restoreReview(db, editor, s.aikoDup);
      const back = await db.kysely.selectFrom('reviews').select(['id', 'workId', 'body']).where('id', '=', s.aikoDup).executeTakeFirstOrThrow();
      expect(back.body).toBe('Aiko on the duplicate.');
      expect(back.workId).toBe((await findWorkBySlug(db.kysely, s.keepSlug))!.id);
      const [work] = await loadWorkDetails(db.kysely, [back.workId]);
      expect(work!.reviewCount).toBe(2);
      expect(work!.ratingSum).toBe(120);
    });

    it('collapses chains: A into B, then B into C, leads A to C', async () => {
      const { db } = await fresh();
      const editor = await user(db, 'admin');
      const slugs: string[] = [];
      for (const title of ['Alpha Show', 'Beta Show', 'Gamma Show']) slugs.push((await importParsedItem(db, makeItem({ title }), { author: `Fan of ${title}`, now: () => NOW })).work.slug);
      const [a, b, c] = slugs as [string, string, string];
      await mergeWorks(db, editor, a, b);
      expect(await findWorkBySlug(db.kysely, a)).toBeUndefined();
      expect(await findWorkRedirect(db.kysely, a)).toBe(b);
      // An old slug names its survivor: merging "into A" now means into B, which is the same work.
      await expect(mergeWorks(db, editor, b, a)).rejects.toMatchObject({ code: 'invalid_input' });
      await mergeWorks(db, editor, b, c);
      expect(await findWorkRedirect(db.kysely, a)).toBe(c);
      expect(await findWorkRedirect(db.kysely, b)).toBe(c);
      const rows = await db.kysely.selectFrom('workRedirects').select(['oldSlug', 'workId']).orderBy('oldSlug').execute();
      expect(new Set(rows.map((r) => r.workId)).size).toBe(1);
      const [work] = await loadWorkDetails(db.kysely, [(await findWorkBySlug(db.kysely, c))!.id]);
      expect(work!.reviewCount).toBe(3);
      expect(work!.altTitles.map((t) => t.title).sort()).toEqual(['Alpha Show', 'Beta Show']);
    });

    it('refuses an author, the same work, and a survivor that is not there', async () => {
      const { db } = await fresh();
      const s = await seed(db);
      const author = await user(db, 'author');
      await expect(mergeWorks(db, author, s.dupSlug, s.keepSlug)).rejects.toMatchObject({ code: 'forbidden' });
      await expect(previewWorkMerge(db, author, s.dupSlug, s.keepSlug)).rejects.toMatchObject({ code: 'forbidden' });
      const editor = await user(db, 'editor');
      await expect(mergeWorks(db, editor, s.dupSlug, s.dupSlug)).rejects.toMatchObject({ code: 'invalid_input', message: expect.stringMatching(/^into: /) });
      await expect(mergeWorks(db, editor, s.dupSlug, 'no-such-work')).rejects.toMatchObject({ code: 'invalid_input', message: expect.stringMatching(/^into: /) });
      await expect(mergeWorks(db, editor, 'no-such-work', s.keepSlug)).rejects.toMatchObject({ code: 'not_found' });
      expect(await findWorkBySlug(db.kysely, s.dupSlug)).toBeDefined();
    });
  });

  describe('merging people, studios and platforms', () => {
    it('moves credits to the survivor, drops exact duplicates, reindexes the works and redirects', async () => {
      const { db } = await fresh();
      const editor = await user(db, 'editor');
      const one = await importParsedItem(db, makeItem({ title: 'First Show', credits: [{ role: 'director', name: 'Kato Hisaki' }, { role: 'music', name: 'Hisaki Kato' }], studios: ['Pierrot'] }), { author: 'A', now: () => NOW });
      const two = await importParsedItem(db, makeItem({ title: 'Second Show', credits: [{ role: 'director', name: 'Kato Hisaki' }], studios: ['Studio Pierrot'] }), { author: 'A', now: () => NOW });
      const three = await importParsedItem(db, makeItem({ title: 'Third Show', credits: [{ role: 'music', name: 'Hisaki Kato' }], studios: ['Pierrot'] }), { author: 'A', now: () => NOW });

      const merged = await mergeNames(db, editor, 'people', 'kato-hisaki', 'hisaki-kato', NOW);
      expect(merged).toMatchObject({ from: { slug: 'kato-hisaki' }, into: { slug: 'hisaki-kato' }, works: 2 });
      expect(await findNamedBySlug(db.kysely, 'people', 'kato-hisaki')).toBeUndefined();
      const ids = await Promise.all([one, two, three].map(async (r) => (await findWorkBySlug(db.kysely, r.work.slug))!.id));
      const works = await loadWorkDetails(db.kysely, ids);
      expect(works.map((w) => w.credits.map((c) => `${c.role} ${c.slug}`))).toEqual([['director hisaki-kato', 'music hisaki-kato'], ['director hisaki-kato'], ['music hisaki-kato']]);
      // The work that credited the duplicate is found by the survivor's name only.
      const search = searchIndexFor(db);
      expect((await search.query(db.kysely, 'works', queryTerms('Hisaki Kato'), 10, 0)).map((h) => h.id).sort()).toEqual([...ids].sort());
      expect(await findNameRedirect(db.kysely, 'people', 'kato-hisaki')).toBe('hisaki-kato');

      // Studios on the same path; a work with both keeps one link.
      await mergeNames(db, editor, 'studios', 'studio-pierrot', 'pierrot');
      expect((await loadWorkDetails(db.kysely, [ids[1]!]))[0]!.studios.map((x) => x.slug)).toEqual(['pierrot']);
      expect(await findNameRedirect(db.kysely, 'studios', 'studio-pierrot')).toBe('pierrot');
      expect(await findNameRedirect(db.kysely, 'people', 'studio-pierrot')).toBeUndefined();

      // A chain collapses here too.
      await importParsedItem(db, makeItem({ title: 'Fourth Show', credits: [{ role: 'music', name: 'H Kato' }] }), { author: 'A', now: () => NOW });
      await mergeNames(db, editor, 'people', 'hisaki-kato', 'h-kato');
      expect(await findNameRedirect(db.kysely, 'people', 'kato-hisaki')).toBe('h-kato');
      expect((await db.kysely.selectFrom('auditEvents').select('action').where('action', '=', 'name_merged').execute()).length).toBe(3);
    });

    it('sends the merged-away spelling to the survivor from then on: imports, new works and new names', async () => {
      const { db } = await fresh();
      const editor = await user(db, 'editor');
      await importParsedItem(db, makeItem({ title: 'First Show', credits: [{ role: 'director', name: 'Kato Hisaki' }], studios: ['Studio Pierrot'] }), { author: 'A', now: () => NOW });
      await importParsedItem(db, makeItem({ title: 'Second Show', credits: [{ role: 'music', name: 'Hisaki Kato' }], studios: ['Pierrot'] }), { author: 'A', now: () => NOW });
      await mergeNames(db, editor, 'people', 'kato-hisaki', 'hisaki-kato', NOW);
      await mergeNames(db, editor, 'studios', 'studio-pierrot', 'pierrot', NOW);
      const people = async () => (await db.kysely.selectFrom('people').select('slug').orderBy('slug').execute()).map((p) => p.slug);
      const studios = async () => (await db.kysely.selectFrom('studios').select('slug').orderBy('slug').execute()).map((p) => p.slug);
      expect(await people()).toEqual(['hisaki-kato']);

      // A later import that writes the old spellings (folded: case and spacing aside).
      const later = await importParsedItem(db, makeItem({ title: 'Third Show', credits: [{ role: 'director', name: 'KATO  hisaki' }], studios: ['studio pierrot'] }), { author: 'A', now: () => NOW });
      const third = (await loadWorkDetails(db.kysely, [(await findWorkBySlug(db.kysely, later.work.slug))!.id]))[0]!;
      expect(third.credits.map((c) => `${c.role} ${c.slug}`)).toEqual(['director hisaki-kato']);
      expect(third.studios.map((x) => x.slug)).toEqual(['pierrot']);
      expect(await people()).toEqual(['hisaki-kato']);
      expect(await studios()).toEqual(['pierrot']);

      // A work added by hand, and the name on its own: the survivor again, or a conflict naming it.
      const slug = await createWork(db, editor, { title: 'Fourth Show', kind: 'film', year: 2020, credits: [{ role: 'writer', name: 'Kato Hisaki' }] }, NOW);
      const fourth = (await loadWorkDetails(db.kysely, [(await findWorkBySlug(db.kysely, slug))!.id]))[0]!;
      expect(fourth.credits.map((c) => `${c.role} ${c.slug}`)).toEqual(['writer hisaki-kato']);
      await expect(createName(db, editor, 'people', 'Kato Hisaki')).rejects.toMatchObject({ code: 'conflict', message: expect.stringContaining('hisaki-kato') });
      expect(await people()).toEqual(['hisaki-kato']);
    });

    it('refuses an author', async () => {
      const { db } = await fresh();
      await importParsedItem(db, makeItem({ title: 'Show', credits: [{ role: 'director', name: 'One' }, { role: 'writer', name: 'Two' }] }), { author: 'A', now: () => NOW });
      const author = await user(db, 'author');
      await expect(mergeNames(db, author, 'people', 'one', 'two')).rejects.toMatchObject({ code: 'forbidden' });
      expect(await findNamedBySlug(db.kysely, 'people', 'one')).toBeDefined();
    });
  });
});
