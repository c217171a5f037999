import { gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { forEachDatabase } from '../../test/databases.js';
import { heroMask, makeItem } from '../../test/factories.js';
import { PUBLIC_URL, startSite } from '../../test/site.js';
import type { Db } from '../db/connection.js';
import { createUser } from '../accounts/accounts.service.js';
import { importParsedItem } from '../import/import.service.js';
import { deleteReview, updateReview } from '../reviews/authoring.service.js';
import { findWorkBySlug } from '../works/works.repository.js';
import { createName, renameName, updateWork } from '../works/works.authoring.js';
import { mergeNames } from '../works/merge.service.js';
import { loadAssets } from './http.js';
import { createSite } from './site.context.js';
import { replaceStoredPages } from './stored-pages.repository.js';
import { storedPagesBuild, storePendingPages } from './stored-pages.js';

const NOW = '2025-02-01T10:00:00.000Z';
/** What stored pages are overwritten with, to tell a stored page from one rendered on view. */
const MARKER = '<!doctype html><title>stored marker</title>';

async function seed(db: Db) {
  const admin = await createUser(db.kysely, { email: 'admin@example.org', name: 'Admin', role: 'admin', password: null }, { userId: null });
  const hero = await importParsedItem(db, makeItem(heroMask(), { score: { value: 2.5, max: 5 }, headline: 'Cliché after cliché', body: 'Stylish, and hollow.' }), {
    author: 'Aiko Tanaka',
    now: () => NOW,
  });
  // A second work that shares nothing with the first: a change to one must leave the other's pages stored.
  const other = await importParsedItem(db, makeItem({ title: 'Other Work', credits: [{ role: 'director', name: 'Someone Else' }] }, { body: 'Fine.' }), {
    author: 'Ben Critic',
    now: () => NOW,
  });
  return { admin, slug: hero.work.slug, reviewId: hero.review.id, otherSlug: other.work.slug, otherReviewId: other.review.id };
}

/** The site the test application serves, for storing its pages. */
const siteOf = (db: Db, name = 'Test Reviews') => createSite(db, { name, publicUrl: PUBLIC_URL }, loadAssets());

/** Overwrites every stored page with the marker: a view that shows it was served from the store. */
async function markStoredPages(db: Db) {
  await db.kysely.updateTable('storedPages').set({ gzip: gzipSync(MARKER) }).execute();
}

async function storedCount(db: Db): Promise<number> {
  return (await db.kysely.selectFrom('storedPages').select('kind').execute()).length;
}

describe('stored pages', () => {
  forEachDatabase((fresh, dialect) => {
    it('are the pages rendered on view, byte for byte, sent compressed to a client that accepts it', async () => {
      const { db } = await fresh();
      const { slug, reviewId, otherSlug } = await seed(db);
      const { app, get } = await startSite(db);
      const onView = { work: await get(`/works/${slug}`), review: await get(`/reviews/${reviewId}`) };
      expect(onView.work.text).toContain('Cliché after cliché');
      expect(onView.review.text).toContain('Stylish, and hollow.');

      // Two works, each with its page and one review's.
      expect(await storePendingPages(siteOf(db))).toBe(4);
      expect(await storePendingPages(siteOf(db))).toBe(0);
      for (const [path, before] of [[`/works/${slug}`, onView.work], [`/reviews/${reviewId}`, onView.review]] as const) {
        const stored = await get(path);
        expect(stored.body, path).toBe(before.body);
        for (const header of ['etag', 'cache-control', 'content-type', 'content-security-policy', 'x-content-type-options']) {
          expect(stored.headers[header], `${path} ${header}`).toBe(before.headers[header]);
        }
        expect(stored.headers.vary).toBe('accept-encoding');
        const gzipped = await app.inject({ method: 'GET', url: path, headers: { 'accept-encoding': 'gzip, deflate, br, zstd' } });
        expect(gzipped.headers['content-encoding']).toBe('gzip');
        expect(gunzipSync(gzipped.rawPayload).toString('utf8')).toBe(before.body);
        const brOnly = await app.inject({ method: 'GET', url: path, headers: { 'accept-encoding': 'br' } });
        expect(brOnly.headers['content-encoding']).toBe('br');
        expect((await get(path, { 'if-none-match': String(before.headers.etag) })).status).toBe(304);
      }

      await markStoredPages(db);
      expect((await get(`/works/${slug}`)).body).toBe(MARKER);
      expect((await get(`/reviews/${reviewId}`)).body).toBe(MARKER);
      expect((await get(`/works/${otherSlug}`)).body).toBe(MARKER);
      // Only a work's first page is stored; an id the site never writes is not looked up.
      expect((await get(`/works/${slug}?page=2`)).status).toBe(404);
      expect((await get(`/reviews/0${reviewId}`)).status).toBe(404);
    });

    it('are never served after a change to anything they show, and are stored again later', async () => {
      const { db } = await fresh();
      const { admin, slug, reviewId, otherSlug, otherReviewId } = await seed(db);
      const { get } = await startSite(db);
      // What each change shows on the work page, and whether the review page shows it too.
      const changes: [string, () => Promise<unknown>, string, boolean?][] = [
        ['a review added', () => importParsedItem(db, makeItem({ title: 'Hero ≠ Mask', year: 2018 }, { body: 'Loved it.', headline: 'A new voice' }), { author: 'Carla Reader', now: () => NOW }), 'A new voice'],
        ['a review edited', () => updateReview(db, admin, reviewId, { headline: 'Clichés, but stylish' }), 'Clichés, but stylish', true],
        ['a review body changed in the database', () => db.kysely.updateTable('reviews').set({ body: 'Rewritten by hand.' }).where('id', '=', reviewId).execute(), 'Rewritten by hand.', true],
        ['its author renamed in the database', () => db.kysely.updateTable('authors').set({ name: 'Aiko Tanaka-Sato' }).where('slug', '=', 'aiko-tanaka').execute(), 'Aiko Tanaka-Sato', true],
        ['a person renamed', () => renameName(db, admin, 'people', 'hiroyasu-aoki', 'Hiroyasu Aoki-Sensei'), 'Hiroyasu Aoki-Sensei', true],
        ['a platform renamed', () => renameName(db, admin, 'platforms', 'netflix', 'Netflix Japan'), 'Netflix Japan', true],
        ['a tag renamed in the database', () => db.kysely.updateTable('tags').set({ name: 'Psychological thriller' }).where('slug', '=', 'thriller').execute(), 'Psychological thriller'],
        ['tags changed', () => updateWork(db, admin, slug, { tags: ['Mystery', 'Police'] }), 'Police'],
        ['a credit added', () => updateWork(db, admin, slug, { credits: [{ role: 'director', name: 'Hiroyasu Aoki-Sensei' }, { role: 'music', name: 'New Composer' }] }), 'New Composer'],
        ['the title edited', () => updateWork(db, admin, slug, { title: 'Hero ≠ Mask (TV)' }), 'Hero ≠ Mask (TV)', true],
        ['a studio merged into another', async () => { await createName(db, admin, 'studios', 'Kept Studio'); await mergeNames(db, admin, 'studios', 'pierrot', 'kept-studio'); }, 'Kept Studio', true],
      ];
      for (const [what, change, shown, onReviewPage] of changes) {
        await storePendingPages(siteOf(db));
        await markStoredPages(db);
        expect((await get(`/works/${slug}`)).body, `${what}: stored before`).toBe(MARKER);
        await change();
        for (const path of [`/works/${slug}`, `/reviews/${reviewId}`]) {
          const page = await get(path);
          expect(page.status, `${what}: ${path}`).toBe(200);
          expect(page.body, `${what}: ${path} is not the stored page`).not.toBe(MARKER);
          if (path.startsWith('/works/') || onReviewPage) expect(page.text, `${what}: ${path}`).toContain(shown);
        }
        // The other work's pages are still current and still served.
        expect((await get(`/works/${otherSlug}`)).body, `${what}: the other work`).toBe(MARKER);
        expect((await get(`/reviews/${otherReviewId}`)).body, `${what}: the other work's review`).toBe(MARKER);
        // Stored again, they are the pages as rendered now.
        const rendered = (await get(`/works/${slug}`)).body;
        expect(await storePendingPages(siteOf(db)), `${what}: stored again`).toBeGreaterThan(1);
        expect((await get(`/works/${slug}`)).body, what).toBe(rendered);
      }

      // A deleted review's page is gone with it, not served from the store.
      await storePendingPages(siteOf(db));
      await markStoredPages(db);
      await deleteReview(db, admin, reviewId);
      expect((await get(`/reviews/${reviewId}`)).status).toBe(404);
      expect((await get(`/works/${slug}`)).body).not.toBe(MARKER);
      await storePendingPages(siteOf(db));
      expect((await get(`/reviews/${reviewId}`)).status).toBe(404);
      expect((await db.kysely.selectFrom('storedPages').select('subjectId').where('kind', '=', 'review').execute()).map((r) => r.subjectId)).not.toContain(reviewId);
    });

    it('of another build (another site name, another release) are never served, and are forgotten', async () => {
      const { db } = await fresh();
      const { slug } = await seed(db);
      const { get } = await startSite(db);
      expect(storedPagesBuild(siteOf(db))).toBe(storedPagesBuild(siteOf(db)));
      expect(storedPagesBuild(siteOf(db, 'Another Site'))).not.toBe(storedPagesBuild(siteOf(db)));
      expect(await storePendingPages(siteOf(db, 'Another Site'))).toBe(4);
      await markStoredPages(db);
      const page = await get(`/works/${slug}`);
      expect(page.body).not.toBe(MARKER);
      expect(page.doc.querySelector('title')!.text).toContain('Test Reviews');
      // This build's pass forgets the other build's pages and stores its own.
      expect(await storePendingPages(siteOf(db))).toBe(4);
      expect(await storedCount(db)).toBe(4);
      expect((await get(`/works/${slug}`)).body).toBe(page.body);
    });

    it('of a work with more reviews than one transaction takes are stored over several, and a change between them is caught', async () => {
      const { db } = await fresh();
      const { slug, reviewId } = await seed(db);
      const second = await importParsedItem(db, makeItem({ title: 'Hero ≠ Mask', year: 2018 }, { body: 'A second look.', headline: 'Second look' }), { author: 'Carla Reader', now: () => NOW });
      const third = await importParsedItem(db, makeItem({ title: 'Hero ≠ Mask', year: 2018 }, { body: 'A third look.', headline: 'Third look' }), { author: 'Dan Viewer', now: () => NOW });
      const { get } = await startSite(db);
      const hero = (await findWorkBySlug(db.kysely, slug))!;
      const storedOf = async (workId: number) =>
        (await db.kysely.selectFrom('storedPages').select(['kind', 'subjectId']).where('workId', '=', workId).orderBy('kind').orderBy('subjectId').execute()).map((p) => `${p.kind} ${p.subjectId}`);

      // One review page a transaction: the work page and one review page, then one more each.
      expect(await storePendingPages(siteOf(db), { reviewPagesPerTransaction: 1 })).toBe(6);
      expect(await storedOf(hero.id)).toEqual(['review ' + reviewId, 'review ' + second.review.id, 'review ' + third.review.id, 'work ' + hero.id].sort());
      expect(await storePendingPages(siteOf(db), { reviewPagesPerTransaction: 1 })).toBe(0);

      // A change lands between the transactions of one work: the work is not marked stored, and
      // the next pass stores its pages again, as they are now.
      await db.kysely.updateTable('works').set({ synopsis: 'Changed first.' }).where('id', '=', hero.id).execute();
      let changed = false;
      const changeOnce = async () => {
        if (changed) return;
        changed = true;
        await db.kysely.updateTable('authors').set({ name: 'Renamed Between' }).where('slug', '=', 'dan-viewer').execute();
      };
      await storePendingPages(siteOf(db), { reviewPagesPerTransaction: 1, pause: changeOnce });
      expect(changed).toBe(true);
      const after = (await findWorkBySlug(db.kysely, slug))!;
      expect(after.pagesStamp === null || after.pagesStamp !== after.pageStamp, 'still due').toBe(true);
      expect((await get(`/reviews/${third.review.id}`)).text).toContain('Renamed Between');
      expect(await storePendingPages(siteOf(db), { reviewPagesPerTransaction: 1 })).toBe(4);
      await markStoredPages(db);
      expect((await get(`/reviews/${third.review.id}`)).body).toBe(MARKER);
      const done = (await findWorkBySlug(db.kysely, slug))!;
      expect(done.pagesStamp).toBe(done.pageStamp);

      // A review withdrawn between them has no page to render: the pass goes on, and the next
      // one stores the work's pages as they are now.
      await db.kysely.updateTable('works').set({ synopsis: 'Changed again.' }).where('id', '=', hero.id).execute();
      let withdrawn = false;
      const withdrawOnce = async () => {
        if (withdrawn) return;
        withdrawn = true;
        await db.kysely.updateTable('reviews').set({ status: 'draft' }).where('id', '=', third.review.id).execute();
      };
      await storePendingPages(siteOf(db), { reviewPagesPerTransaction: 1, pause: withdrawOnce });
      expect(withdrawn).toBe(true);
      expect(await storePendingPages(siteOf(db), { reviewPagesPerTransaction: 1 })).toBe(3);
      expect((await get(`/reviews/${third.review.id}`)).status).toBe(404);
      expect(await storedOf(hero.id)).toEqual(['review ' + reviewId, 'review ' + second.review.id, 'work ' + hero.id].sort());
    });

    it.skipIf(dialect !== 'postgres')('rendered before a concurrent change carry an old stamp and are never served (PostgreSQL)', async () => {
      const { db } = await fresh();
      const { admin, slug, reviewId } = await seed(db);
      const { get } = await startSite(db);
      const site = siteOf(db);
      await storePendingPages(site);
      const work = (await findWorkBySlug(db.kysely, slug))!;
      // The pages a slow renderer made from what it read before this edit committed.
      await updateReview(db, admin, reviewId, { headline: 'Edited meanwhile' });
      expect((await findWorkBySlug(db.kysely, slug))!.pageStamp).toBeGreaterThan(work.pageStamp);
      await db.kysely.transaction().execute((trx) =>
        replaceStoredPages(trx, work.id, work.pageStamp, storedPagesBuild(site), [
          { kind: 'work', subjectId: work.id, etag: 'W/"old"', gzip: gzipSync(MARKER) },
          { kind: 'review', subjectId: reviewId, etag: 'W/"old"', gzip: gzipSync(MARKER) },
        ]),
      );
      for (const path of [`/works/${slug}`, `/reviews/${reviewId}`]) {
        const page = await get(path);
        expect(page.body, path).not.toBe(MARKER);
        expect(page.text, path).toContain('Edited meanwhile');
      }
      // And the work is still due to have its pages stored.
      expect(await storePendingPages(site)).toBe(2);
      expect((await get(`/works/${slug}`)).text).toContain('Edited meanwhile');
    });
  });
});
