/**
 * Every query about stored pages (site/stored-pages.ts): finding a current one, finding the
 * works whose pages are not stored, and storing a work's pages.
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../db/schema.js';
import { prepared } from '../db/prepared.js';

type Executor = Kysely<Database> | Transaction<Database>;

/** A stored page: its validator and its gzip-compressed bytes. */
export interface StoredPage {
  etag: string;
  gzip: Buffer;
}

// The hot paths: one row each, when it is current (rendered by this build, under the work's
// present stamp; see the migration 2026-12-02T0900-stored-pages).
const currentWorkPage = prepared<StoredPage, [slug: string, build: string]>((db) =>
  db
    .selectFrom('works')
    .innerJoin('storedPages', (join) =>
      join.on('storedPages.kind', '=', sql.lit('work')).onRef('storedPages.subjectId', '=', 'works.id').onRef('storedPages.stamp', '=', 'works.pageStamp'),
    )
    .select(['storedPages.etag', 'storedPages.gzip'])
    .where('works.slug', '=', '')
    .where('storedPages.build', '=', ''),
);

const currentReviewPage = prepared<StoredPage, [id: number, build: string]>((db) =>
  db
    .selectFrom('storedPages')
    .innerJoin('works', (join) => join.onRef('works.id', '=', 'storedPages.workId').onRef('works.pageStamp', '=', 'storedPages.stamp'))
    .select(['storedPages.etag', 'storedPages.gzip'])
    .where('storedPages.kind', '=', sql.lit('review'))
    .where('storedPages.subjectId', '=', 0)
    .where('storedPages.build', '=', ''),
);

export async function findCurrentWorkPage(db: Kysely<Database>, slug: string, build: string): Promise<StoredPage | undefined> {
  return (await currentWorkPage(db, slug, build))[0];
}

export async function findCurrentReviewPage(db: Kysely<Database>, id: number, build: string): Promise<StoredPage | undefined> {
  return (await currentReviewPage(db, id, build))[0];
}

/** Up to `limit` ids of works, from `afterId` up, whose pages are not all stored under their present stamp. */
export async function listWorksWithStalePages(db: Executor, afterId: number, limit: number): Promise<number[]> {
  const rows = await db
    .selectFrom('works')
    .select('id')
    // The partial index works_pages_stale's own condition, written the same way so that it is used.
    .where(sql<boolean>`(pages_stamp is null or pages_stamp <> page_stamp)`)
    .where('id', '>', afterId)
    .orderBy('id')
    .limit(limit)
    .execute();
  return rows.map((r) => r.id);
}

/** The works' present stamps and slugs: the first read of a transaction that stores their pages. */
export async function readWorkStamps(trx: Transaction<Database>, ids: number[]): Promise<{ id: number; slug: string; pageStamp: number }[]> {
  return trx.selectFrom('works').select(['id', 'slug', 'pageStamp']).where('id', 'in', ids).orderBy('id').execute();
}

/** The reviews of these works that have a page: published, with a date. */
function reviewsWithPages(trx: Transaction<Database>, workIds: number[]) {
  return trx.selectFrom('reviews').where('workId', 'in', workIds).where('status', '=', 'published').where('publishedAt', 'is not', null);
}

/** The published reviews of these works (the pages a review has), in id order. */
export async function listPublishedReviewIds(trx: Transaction<Database>, workIds: number[]): Promise<{ id: number; workId: number }[]> {
  return reviewsWithPages(trx, workIds).select(['id', 'workId']).orderBy('id').execute();
}

export interface PageToStore extends StoredPage {
  kind: 'work' | 'review';
  subjectId: number;
}

/** Adds (or replaces) some of a work's pages, rendered under `stamp` by `build`. */
export async function addStoredPages(trx: Transaction<Database>, workId: number, stamp: number, build: string, pages: PageToStore[]): Promise<void> {
  for (let i = 0; i < pages.length; i += 100) {
    await trx
      .insertInto('storedPages')
      .values(pages.slice(i, i + 100).map((p) => ({ kind: p.kind, subjectId: p.subjectId, workId, stamp, build, etag: p.etag, gzip: p.gzip })))
      .onConflict((oc) => oc.columns(['kind', 'subjectId']).doUpdateSet((eb) => ({ workId, stamp, build, etag: eb.ref('excluded.etag'), gzip: eb.ref('excluded.gzip') })))
      .execute();
  }
}

/**
 * Replaces a work's stored pages by these (rendered under `stamp` by `build`); pages of reviews
 * no longer published go with the rest. With `complete`, these are all its pages, and the work
 * is marked stored under that stamp.
 */
export async function replaceStoredPages(
  trx: Transaction<Database>,
  workId: number,
  stamp: number,
  build: string,
  pages: PageToStore[],
  options: { complete: boolean } = { complete: true },
): Promise<void> {
  await trx.deleteFrom('storedPages').where('workId', '=', workId).execute();
  await addStoredPages(trx, workId, stamp, build, pages);
  if (options.complete) await trx.updateTable('works').set({ pagesStamp: stamp }).where('id', '=', workId).execute();
}

/**
 * Marks the work's pages stored under `stamp` when all of them are there, from `build` under
 * that stamp: its page and one per published review. Returns whether it did.
 */
export async function markPagesStoredIfComplete(trx: Transaction<Database>, workId: number, stamp: number, build: string): Promise<boolean> {
  const current = await trx
    .selectFrom('storedPages')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('workId', '=', workId)
    .where('stamp', '=', stamp)
    .where('build', '=', build)
    .executeTakeFirstOrThrow();
  const published = await reviewsWithPages(trx, [workId])
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  if (Number(current.n) !== Number(published.n) + 1) return false;
  await trx.updateTable('works').set({ pagesStamp: stamp }).where('id', '=', workId).execute();
  return true;
}

/** Forgets every stored page (another build's): every work's pages are to be stored again. */
export async function forgetStoredPages(db: Kysely<Database>): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx.deleteFrom('storedPages').execute();
    await trx.updateTable('works').set({ pagesStamp: null }).where('pagesStamp', 'is not', null).execute();
  });
}
