/**
 * The queries of export and restore: whole tables read in id order, page by page, and the
 * batch writes a restore makes.
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database, NamedEntity, ReviewRow } from '../db/schema.js';

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
      'reviews.status',
      'reviews.headline',
      'reviews.summary',
      'reviews.body',
      'reviews.scoreValue',
      'reviews.scoreMax',
      'reviews.scoreText',
      'reviews.rating',
      'reviews.hasSpoilers',
      'reviews.publishedAt',
      'reviews.createdAt',
      'reviews.updatedAt',
    ])
    .where('reviews.id', '>', afterId)
    .orderBy('reviews.id')
    .limit(limit)
    .execute();
}

export async function findIdsBySlug(db: Executor, table: NamedEntity | 'works', slugs: string[]): Promise<Map<string, number>> {
  const map = new Map<string, number>();
  for (let i = 0; i < slugs.length; i += 500) {
    const rows = await db.selectFrom(table).select(['id', 'slug']).where('slug', 'in', slugs.slice(i, i + 500)).execute();
    for (const r of rows) map.set(r.slug, r.id);
  }
  return map;
}

export async function findTakenIds(db: Executor, table: NamedEntity | 'works' | 'reviews', ids: number[]): Promise<Set<number>> {
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
