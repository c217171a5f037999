/**
 * The queries of export and restore: whole tables read in id order, page by page, and the
 * batch writes a restore makes.
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database, NamedEntity, ReviewRow } from '../db/schema.js';
import type { ListEntryRow } from '../lists/lists.repository.js';
import { REVIEW_FIELD_COLUMNS } from '../reviews/reviews.repository.js';

type Executor = Kysely<Database> | Transaction<Database>;

export async function pageNamed(db: Executor, table: NamedEntity, afterId: number, limit: number) {
  if (table === 'authors') {
    return db.selectFrom('authors').select(['id', 'slug', 'name', 'bio', 'createdAt']).where('id', '>', afterId).orderBy('id').limit(limit).execute();
  }
  return db.selectFrom(table).select(['id', 'slug', 'name', 'createdAt']).where('id', '>', afterId).orderBy('id').limit(limit).execute();
}

export async function pageReviews(db: Executor, afterId: number, limit: number) {
  return db
    .selectFrom('reviews')
    .innerJoin('works', 'works.id', 'reviews.workId')
    .innerJoin('authors', 'authors.id', 'reviews.authorId')
    .select([
      'reviews.id',
      'works.slug as work',
      'authors.slug as author',
      ...REVIEW_FIELD_COLUMNS,
      'reviews.createdAt',
      'reviews.updatedAt',
    ])
    .where('reviews.id', '>', afterId)
    .orderBy('reviews.id')
    .limit(limit)
    .execute();
}

/**
 * The old addresses of the given reviews, each review's in address order. Sorted here, by code
 * unit, not by `order by url`: PostgreSQL orders text by the database's collation, which need
 * not agree with SQLite's byte order, and the export must be the same on both.
 */
export async function findReviewSources(db: Executor, reviewIds: number[]): Promise<Map<number, { url: string; path: string }[]>> {
  const found = new Map<number, { url: string; path: string }[]>();
  for (let i = 0; i < reviewIds.length; i += 500) {
    const rows = await db.selectFrom('reviewSources').select(['reviewId', 'url', 'path']).where('reviewId', 'in', reviewIds.slice(i, i + 500)).execute();
    for (const { reviewId, url, path } of rows) {
      const list = found.get(reviewId);
      if (list) list.push({ url, path });
      else found.set(reviewId, [{ url, path }]);
    }
  }
  for (const list of found.values()) list.sort((a, b) => (a.url < b.url ? -1 : a.url > b.url ? 1 : 0));
  return found;
}

/**
 * Makes `sources` the old addresses of each review. An address names one review (the column is
 * unique): one the file gives to this review moves here from any other, as an import would do.
 */
export async function replaceReviewSources(db: Executor, reviews: { reviewId: number; sources: { url: string; path: string }[] }[]): Promise<void> {
  const ids = reviews.map((r) => r.reviewId);
  for (let i = 0; i < ids.length; i += 500) await db.deleteFrom('reviewSources').where('reviewId', 'in', ids.slice(i, i + 500)).execute();
  // One row per address, the last review naming it winning: PostgreSQL refuses an upsert
  // statement that touches the same row twice.
  const rows = [...new Map(reviews.flatMap((r) => r.sources.map((s) => [s.url, { reviewId: r.reviewId, url: s.url, path: s.path }] as const))).values()];
  for (let i = 0; i < rows.length; i += 300) {
    await db
      .insertInto('reviewSources')
      .values(rows.slice(i, i + 300))
      .onConflict((oc) => oc.column('url').doUpdateSet((eb) => ({ reviewId: eb.ref('excluded.reviewId'), path: eb.ref('excluded.path') })))
      .execute();
  }
}

/** What was merged into each of these works (`work_redirects`), in slug order (sorted here, as sources are). */
export async function findMergedWorks(db: Executor, workIds: number[]): Promise<Map<number, { slug: string; mergedAt: string }[]>> {
  const found = new Map<number, { slug: string; mergedAt: string }[]>();
  for (let i = 0; i < workIds.length; i += 500) {
    const rows = await db.selectFrom('workRedirects').select(['workId', 'oldSlug', 'createdAt']).where('workId', 'in', workIds.slice(i, i + 500)).execute();
    for (const r of rows) found.set(r.workId, [...(found.get(r.workId) ?? []), { slug: r.oldSlug, mergedAt: r.createdAt }]);
  }
  for (const list of found.values()) list.sort((a, b) => (a.slug < b.slug ? -1 : a.slug > b.slug ? 1 : 0));
  return found;
}

export type MergeableEntity = 'people' | 'studios' | 'platforms';

/** What was merged into each of these people (studios, platforms), in slug order. */
export async function findMergedNames(db: Executor, entity: MergeableEntity, ids: number[]): Promise<Map<number, { slug: string; name: string | null; mergedAt: string }[]>> {
  const found = new Map<number, { slug: string; name: string | null; mergedAt: string }[]>();
  for (let i = 0; i < ids.length; i += 500) {
    const rows = await db
      .selectFrom('nameRedirects')
      .select(['nameId', 'oldSlug', 'oldName', 'createdAt'])
      .where('entity', '=', entity)
      .where('nameId', 'in', ids.slice(i, i + 500))
      .execute();
    for (const r of rows) found.set(r.nameId, [...(found.get(r.nameId) ?? []), { slug: r.oldSlug, name: r.oldName, mergedAt: r.createdAt }]);
  }
  for (const list of found.values()) list.sort((a, b) => (a.slug < b.slug ? -1 : a.slug > b.slug ? 1 : 0));
  return found;
}

/**
 * Records that `merged` slugs lead to the work `workId`. An old slug that already leads
 * somewhere keeps leading there (a restore into a database that has its own merges), and one
 * that is a live work's slug is skipped: the live work answers that address.
 */
export async function restoreMergedWorks(db: Executor, workId: number, merged: { slug: string; mergedAt: string }[]): Promise<void> {
  if (merged.length === 0) return;
  const live = await findIdsBySlug(db, 'works', merged.map((m) => m.slug));
  const rows = merged.filter((m) => !live.has(m.slug)).map((m) => ({ oldSlug: m.slug, workId, createdAt: m.mergedAt }));
  if (rows.length) await db.insertInto('workRedirects').values(rows).onConflict((oc) => oc.column('oldSlug').doNothing()).execute();
}

/** `restoreMergedWorks` for people, studios and platforms; the merged-away names lead here too. */
export async function restoreMergedNames(
  db: Executor,
  entity: MergeableEntity,
  nameId: number,
  merged: { slug: string; name: string | null; nameKey: string | null; mergedAt: string }[],
): Promise<void> {
  if (merged.length === 0) return;
  const live = await findIdsBySlug(db, entity, merged.map((m) => m.slug));
  const rows = merged
    .filter((m) => !live.has(m.slug))
    .map((m) => ({ entity, oldSlug: m.slug, nameId, oldName: m.name, nameKey: m.nameKey, createdAt: m.mergedAt }));
  if (rows.length) await db.insertInto('nameRedirects').values(rows).onConflict((oc) => oc.columns(['entity', 'oldSlug']).doNothing()).execute();
}

export async function pageListEntries(db: Executor, afterId: number, limit: number) {
  return db
    .selectFrom('listEntries')
    .innerJoin('works', 'works.id', 'listEntries.workId')
    .innerJoin('authors', 'authors.id', 'listEntries.authorId')
    .select([
      'listEntries.id',
      'works.slug as work',
      'authors.slug as author',
      'listEntries.status',
      'listEntries.progress',
      'listEntries.startedOn',
      'listEntries.finishedOn',
      'listEntries.timesWatched',
      'listEntries.tags',
      'listEntries.createdAt',
      'listEntries.updatedAt',
    ])
    .where('listEntries.id', '>', afterId)
    .orderBy('listEntries.id')
    .limit(limit)
    .execute();
}

/** List entries already present for these (author, work) pairs, by `authorId/workId`. */
export async function findListEntriesByKey(db: Executor, keys: { authorId: number; workId: number }[]): Promise<Map<string, ListEntryRow>> {
  const found = new Map<string, ListEntryRow>();
  for (let i = 0; i < keys.length; i += 300) {
    // Each term is one probe of the unique (author_id, work_id) index.
    const chunk = keys.slice(i, i + 300);
    const rows = await db
      .selectFrom('listEntries')
      .selectAll()
      .where((eb) => eb.or(chunk.map((k) => eb.and([eb('authorId', '=', k.authorId), eb('workId', '=', k.workId)]))))
      .execute();
    for (const r of rows) found.set(`${r.authorId}/${r.workId}`, r);
  }
  return found;
}

export async function findIdsBySlug(db: Executor, table: NamedEntity | 'works', slugs: string[]): Promise<Map<string, number>> {
  const map = new Map<string, number>();
  for (let i = 0; i < slugs.length; i += 500) {
    const rows = await db.selectFrom(table).select(['id', 'slug']).where('slug', 'in', slugs.slice(i, i + 500)).execute();
    for (const r of rows) map.set(r.slug, r.id);
  }
  return map;
}

export async function findTakenIds(db: Executor, table: NamedEntity | 'works' | 'reviews' | 'listEntries', ids: number[]): Promise<Set<number>> {
  const taken = new Set<number>();
  for (let i = 0; i < ids.length; i += 500) {
    const rows = await db.selectFrom(table).select('id').where('id', 'in', ids.slice(i, i + 500)).execute();
    for (const r of rows) taken.add(r.id);
  }
  return taken;
}

export async function findReviewsByIds(db: Executor, ids: number[]): Promise<Map<number, ReviewRow>> {
  const found = new Map<number, ReviewRow>();
  for (let i = 0; i < ids.length; i += 500) {
    for (const r of await db.selectFrom('reviews').selectAll().where('id', 'in', ids.slice(i, i + 500)).execute()) found.set(r.id, r);
  }
  return found;
}

/** Reviews already present under the natural key (author, work, creation time). */
export async function findReviewsByNaturalKey(db: Executor, keys: { authorId: number; workId: number; createdAt: string }[]) {
  const found = new Map<string, ReviewRow>();
  for (let i = 0; i < keys.length; i += 300) {
    // Each term can use the (work_id, …) index, so this stays a handful of index probes.
    const chunk = keys.slice(i, i + 300);
    const rows = await db
      .selectFrom('reviews')
      .selectAll()
      .where((eb) => eb.or(chunk.map((k) => eb.and([eb('authorId', '=', k.authorId), eb('workId', '=', k.workId), eb('createdAt', '=', k.createdAt)]))))
      .execute();
    for (const r of rows) found.set(`${r.authorId}/${r.workId}/${r.createdAt}`, r);
  }
  return found;
}

/**
 * After rows were written with explicit ids, PostgreSQL's identity sequences must move past
 * them, or the next ordinary insert would collide. SQLite's AUTOINCREMENT follows by itself.
 */
export async function syncIdentity(db: Executor, dialect: 'sqlite' | 'postgres', tables: string[]): Promise<void> {
  if (dialect !== 'postgres') return;
  for (const table of tables) {
    await sql`select setval(pg_get_serial_sequence(${table}, 'id'), coalesce((select max(id) from ${sql.table(table)}), 0) + 1, false)`.execute(db);
  }
}

/**
 * PostgreSQL plans from statistics its autovacuum gathers only later: right after a restore the
 * tables look empty to the planner, and the search and listing queries get plans made for
 * empty tables. Analysing everything once (a sample of each table) gives them real ones, as
 * after any bulk load. SQLite plans from its indexes alone and needs nothing here.
 */
export async function analyzeRestored(db: Executor, dialect: 'sqlite' | 'postgres'): Promise<void> {
  if (dialect === 'postgres') await sql`analyze`.execute(db);
}
