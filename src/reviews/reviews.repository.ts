/**
 * Every query about reviews.
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database, NewReview, ReviewRow } from '../db/schema.js';
import type { Database as SqliteHandle } from 'better-sqlite3';
import { prepared, sqliteRun, type SqliteRun } from '../db/prepared.js';
import { compiled, compiledRows, inChunks, type WriteContext } from '../db/compiled.js';
import type { Db, DialectName } from '../db/connection.js';
import { RENDERER, type ReviewRender } from './reviews.render.js';

type Executor = Kysely<Database> | Transaction<Database>;

/** A review as pages and the API see it: its row (less the derived excerpt columns) with its work's and author's names. */
export interface ReviewView extends Omit<ReviewRow, 'textStart' | 'textRenderer'> {
  workSlug: string;
  workTitle: string;
  authorSlug: string;
  authorName: string;
}

/** A review's own fields, as every query that reads reviews whole selects them (exports, backups, views). */
export const REVIEW_FIELD_COLUMNS = [
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
] as const;

const viewColumns = [
  'reviews.id',
  'reviews.workId',
  'reviews.authorId',
  ...REVIEW_FIELD_COLUMNS,
  'reviews.createdAt',
  'reviews.updatedAt',
  'works.slug as workSlug',
  'works.title as workTitle',
  'authors.slug as authorSlug',
  'authors.name as authorName',
] as const;

function views(db: Executor) {
  return db
    .selectFrom('reviews')
    .innerJoin('works', 'works.id', 'reviews.workId')
    .innerJoin('authors', 'authors.id', 'reviews.authorId')
    .select(viewColumns);
}

// The API's busiest query: compiled once (its one parameter is the id).
const reviewViewById = prepared<ReviewView, [number]>((db) => views(db).where('reviews.id', '=', 0));

export async function findReviewView(db: Executor, id: number): Promise<ReviewView | undefined> {
  if (db.isTransaction) return views(db).where('reviews.id', '=', id).executeTakeFirst();
  return (await reviewViewById(db, id))[0];
}

/** `findReviewView` for the read API: outside any transaction, so always the compiled statement. */
export async function findReviewViewForRead(db: Db, id: number): Promise<ReviewView | undefined> {
  return (await reviewViewById(db.kysely, id))[0];
}

/** A score or rating as JSON writes the number: 4, not SQLite's 4.0 for a real. */
const jsonNumber = (column: string) => `iif(${column} = cast(${column} as integer), cast(${column} as integer), ${column})`;

/**
 * One published review as the API answers it (`presentReviewSummary` with the body), written by
 * SQLite's `json_object` rather than built as objects and serialised in JavaScript: escaping a
 * long body in C, with no row, no presented object and no `JSON.stringify`, is the largest
 * share of the API's busiest route after the HTTP itself. The key order and values are those of
 * the presenter; a test compares the two on every review of a catalog of hostile strings.
 */
const PUBLISHED_REVIEW_JSON = `
  select r.updated_at, w.slug, w.title, a.slug, a.name, json_object(
    'id', r.id,
    'url', ? || r.id,
    'work', w.slug,
    'workTitle', w.title,
    'author', json_object('name', a.name, 'slug', a.slug, 'url', ? || a.slug),
    'headline', r.headline,
    'summary', r.summary,
    'score', case when r.score_value is not null and r.score_max is not null
      then json_object('value', ${jsonNumber('r.score_value')}, 'max', ${jsonNumber('r.score_max')}) end,
    'scoreText', r.score_text,
    'rating', r.rating,
    'hasSpoilers', json(iif(r.has_spoilers = 1, 'true', 'false')),
    'publishedAt', r.published_at,
    'updatedAt', r.updated_at,
    'body', r.body
  )
  from reviews r
  join works w on w.id = r.work_id
  join authors a on a.id = r.author_id
  where r.id = ? and r.status = 'published'`;

const publishedReviewJsonRuns = new WeakMap<SqliteHandle, SqliteRun>();

/** What the API's answer for one review is made of: its JSON text and the facts its ETag hashes. */
export interface ReviewJsonText {
  updatedAt: string;
  workSlug: string;
  workTitle: string;
  authorSlug: string;
  authorName: string;
  json: string;
}

/**
 * `PUBLISHED_REVIEW_JSON` on SQLite, synchronously (undefined for a review that is missing or not
 * published). `paths` are the public paths the URLs start with (shared/urls.ts).
 */
export function findPublishedReviewJson(sqlite: SqliteHandle, id: number, paths: { review: string; author: string }): ReviewJsonText | undefined {
  const { statement } = sqliteRun(publishedReviewJsonRuns, sqlite, PUBLISHED_REVIEW_JSON);
  const row = statement.get(paths.review, paths.author, id) as [string, string, string, string, string, string] | undefined;
  if (!row) return undefined;
  return { updatedAt: row[0], workSlug: row[1], workTitle: row[2], authorSlug: row[3], authorName: row[4], json: row[5] };
}

/** A review with its stored rendering, when one of the current renderer exists. */
export interface RenderedReviewView extends ReviewView {
  bodyHtml: string | null;
  bodyText: string | null;
}

function withRenders(db: Executor) {
  return db
    .selectFrom('reviews')
    .innerJoin('works', 'works.id', 'reviews.workId')
    .innerJoin('authors', 'authors.id', 'reviews.authorId')
    .leftJoin('reviewRenders', (join) => join.onRef('reviewRenders.reviewId', '=', 'reviews.id').on('reviewRenders.renderer', '=', sql.lit(RENDERER)));
}

// The review page's query: compiled once, like the API's.
const renderedReviewById = prepared<RenderedReviewView, [number]>((db) =>
  withRenders(db).select(viewColumns).select(['reviewRenders.bodyHtml', 'reviewRenders.bodyText']).where('reviews.id', '=', 0),
);

/** A review as a listing shows it: no body, only the start of its plain text when it is rendered. */
export interface ReviewListing extends Omit<ReviewView, 'body'> {
  /** The start of the stored plain text (reviews.render.ts), or null when the review is not rendered. */
  bodyText: string | null;
  /** The Markdown body, only when the review is not rendered (otherwise empty). */
  body: string;
}

function listings(db: Executor) {
  // The excerpt is the copy of the rendering's text start in the review's own row (see the
  // migration 2026-12-01T1000-review-excerpts): no second row read per card.
  const rendered = sql<boolean>`reviews.text_renderer = ${sql.lit(RENDERER)}`;
  return db
    .selectFrom('reviews')
    .innerJoin('works', 'works.id', 'reviews.workId')
    .innerJoin('authors', 'authors.id', 'reviews.authorId')
    .select(viewColumns.filter((c) => c !== 'reviews.body'))
    .select([
      sql<string | null>`case when ${rendered} then reviews.text_start end`.as('bodyText'),
      sql<string>`case when ${rendered} then '' else reviews.body end`.as('body'),
    ]);
}

export async function findRenderedReview(db: Kysely<Database>, id: number): Promise<RenderedReviewView | undefined> {
  return (await renderedReviewById(db, id))[0];
}

export async function saveReviewRender(db: Executor, reviewId: number, render: ReviewRender): Promise<void> {
  const values = { renderer: RENDERER, textStart: render.textStart, bodyText: render.bodyText, bodyHtml: render.bodyHtml };
  await db
    .insertInto('reviewRenders')
    .values({ reviewId, ...values })
    .onConflict((oc) => oc.column('reviewId').doUpdateSet(values))
    .execute();
}

/** Ids of reviews in (afterId, upToId] without a rendering of the current renderer, in id order. */
export async function listReviewsToRender(db: Executor, afterId: number, upToId: number, limit: number): Promise<number[]> {
  const rows = await db
    .selectFrom('reviews')
    .leftJoin('reviewRenders', 'reviewRenders.reviewId', 'reviews.id')
    .select('reviews.id')
    .where('reviews.id', '>', afterId)
    .where('reviews.id', '<=', upToId)
    .where((eb) => eb.or([eb('reviewRenders.reviewId', 'is', null), eb('reviewRenders.renderer', '<>', RENDERER)]))
    .orderBy('reviews.id')
    .limit(limit)
    .execute();
  return rows.map((r) => r.id);
}

export async function lastReviewId(db: Executor): Promise<number> {
  const row = await db.selectFrom('reviews').select((eb) => eb.fn.max('id').as('last')).executeTakeFirst();
  return Number(row?.last ?? 0);
}

/** The bodies of these reviews, locked against a concurrent edit until the transaction ends (PostgreSQL). */
export async function lockReviewBodies(trx: Transaction<Database>, ids: number[], dialect: DialectName): Promise<{ id: number; body: string }[]> {
  const query = trx.selectFrom('reviews').select(['id', 'body']).where('id', 'in', ids);
  // SQLite has no row locks: its one writer at a time already keeps the body from changing.
  return (dialect === 'postgres' ? query.forUpdate() : query).execute();
}

export async function findReviewViews(db: Executor, ids: number[]): Promise<ReviewView[]> {
  if (ids.length === 0) return [];
  const rows = await views(db).where('reviews.id', 'in', ids).execute();
  const byId = new Map(rows.map((r) => [r.id, r]));
  return ids.map((id) => byId.get(id)).filter((r): r is ReviewView => r !== undefined);
}

export async function findReviewByAuthorAndWork(db: Executor, authorId: number, workId: number): Promise<ReviewRow | undefined> {
  return db
    .selectFrom('reviews')
    .selectAll()
    .where('authorId', '=', authorId)
    .where('workId', '=', workId)
    .orderBy('id')
    .executeTakeFirst();
}

export async function insertReview(db: Executor, values: NewReview): Promise<number> {
  const { id } = await db.insertInto('reviews').values(values).returning('id').executeTakeFirstOrThrow();
  return id;
}

export async function updateReview(db: Executor, id: number, patch: Partial<NewReview>): Promise<void> {
  await db.updateTable('reviews').set(patch).where('id', '=', id).execute();
}

export interface ReviewListQuery {
  workId?: number;
  authorId?: number;
  /** Newest first; the cursor is the last item's (publishedAt, id). */
  after?: { publishedAt: string; id: number };
  limit: number;
}

/**
 * Published reviews, newest first, filtered; one query object for every listing.
 * `published_at is not null` says what is always true of a published review, and lets the
 * (published_at, id) index start at the newest date: PostgreSQL sorts NULLs (drafts) first in
 * descending order and otherwise walked past every draft (0.5 s at 50,000 drafts).
 */
export async function listPublishedReviews(db: Executor, q: ReviewListQuery): Promise<ReviewView[]> {
  let query = views(db).where('reviews.status', '=', 'published').where('reviews.publishedAt', 'is not', null);
  if (q.workId !== undefined) query = query.where('reviews.workId', '=', q.workId);
  if (q.authorId !== undefined) query = query.where('reviews.authorId', '=', q.authorId);
  if (q.after) {
    const { publishedAt, id } = q.after;
    query = query.where((eb) =>
      eb.or([eb('reviews.publishedAt', '<', publishedAt), eb.and([eb('reviews.publishedAt', '=', publishedAt), eb('reviews.id', '<', id)])]),
    );
  }
  return query.orderBy('reviews.publishedAt', 'desc').orderBy('reviews.id', 'desc').limit(q.limit).execute();
}

/**
 * One page of a work's published reviews, newest first. Compiled once (the work page is a hot
 * path); the (work_id, published_at) index finds the work's reviews already in date order.
 * Page numbers rather than a cursor: a work has tens of reviews, rarely thousands, so the
 * skipped rows cost little and readers get numbered pages.
 */
const publishedReviewsOfWork = prepared<ReviewListing, [workId: number, limit: number, offset: number]>((db) =>
  listings(db)
    .where('reviews.status', '=', sql.lit('published'))
    .where('reviews.workId', '=', 0)
    .where('reviews.publishedAt', 'is not', null)
    .orderBy('reviews.publishedAt', 'desc')
    .orderBy('reviews.id', 'desc')
    .limit(0)
    .offset(0),
);

export async function listPublishedReviewsOfWork(db: Kysely<Database>, workId: number, limit: number, offset: number): Promise<ReviewListing[]> {
  return publishedReviewsOfWork(db, workId, limit, offset);
}

/** The tag names of each work, in their order, for feed categories: one query for a whole feed. */
export async function listTagNamesOfWorks(db: Executor, workIds: number[]): Promise<Map<number, string[]>> {
  const byWork = new Map<number, string[]>();
  if (workIds.length === 0) return byWork;
  const rows = await db
    .selectFrom('workTags')
    .innerJoin('tags', 'tags.id', 'workTags.tagId')
    .select(['workTags.workId', 'tags.name'])
    .where('workTags.workId', 'in', [...new Set(workIds)])
    .orderBy('workTags.workId')
    .orderBy('workTags.position')
    .execute();
  for (const { workId, name } of rows) {
    const names = byWork.get(workId);
    if (names) names.push(name);
    else byWork.set(workId, [name]);
  }
  return byWork;
}

/**
 * Published reviews, newest first, by page number rather than cursor: for pages that show
 * "page 3 of 7" and link to any page. The offset is fine at one author's or work's scale.
 */
export async function listPublishedReviewsPage(
  db: Executor,
  q: { authorId?: number; workId?: number; limit: number; offset: number },
): Promise<ReviewListing[]> {
  // `is not null`: see listPublishedReviews.
  let query = listings(db).where('reviews.status', '=', 'published').where('reviews.publishedAt', 'is not', null);
  if (q.workId !== undefined) query = query.where('reviews.workId', '=', q.workId);
  if (q.authorId !== undefined) query = query.where('reviews.authorId', '=', q.authorId);
  return query.orderBy('reviews.publishedAt', 'desc').orderBy('reviews.id', 'desc').limit(q.limit).offset(q.offset).execute();
}

// ── Compiled statements for bulk writers (the review-file import) ────────────────────────
// Run inside a write transaction through db/compiled.ts: built and compiled once, not per file.

/** The columns an import writes (the compiled statements bind them in writeValues' order). */
export type ReviewWrite = Pick<
  ReviewRow,
  'status' | 'headline' | 'summary' | 'body' | 'scoreValue' | 'scoreMax' | 'scoreText' | 'rating' | 'hasSpoilers' | 'publishedAt' | 'updatedAt'
>;

const writeValues = (r: ReviewWrite) => [
  r.status,
  r.headline,
  r.summary,
  r.body,
  r.scoreValue,
  r.scoreMax,
  r.scoreText,
  r.rating,
  r.hasSpoilers,
  r.publishedAt,
  r.updatedAt,
];
const placeholders: ReviewWrite = {
  status: 'published',
  headline: '',
  summary: '',
  body: '',
  scoreValue: 0,
  scoreMax: 0,
  scoreText: '',
  rating: 0,
  hasSpoilers: 0,
  publishedAt: '',
  updatedAt: '',
};

const reviewsOfAuthorAndWork = compiled<ReviewRow, [authorId: number, workId: number]>((db) =>
  db.selectFrom('reviews').selectAll().where('authorId', '=', 0).where('workId', '=', 0).orderBy('id'),
);

/** The author's review of the work (the first, should there be several). */
export async function findReviewByAuthorAndWorkIn(w: WriteContext, authorId: number, workId: number): Promise<ReviewRow | undefined> {
  return reviewsOfAuthorAndWork.first(w, authorId, workId);
}

const reviewInsert = compiled<{ id: number }, unknown[]>((db) =>
  db
    .insertInto('reviews')
    .values({ ...placeholders, workId: 0, authorId: 0, createdAt: '' })
    .returning('id'),
);

export async function insertReviewIn(w: WriteContext, v: ReviewWrite & { workId: number; authorId: number; createdAt: string }): Promise<number> {
  return (await reviewInsert.first(w, ...writeValues(v), v.workId, v.authorId, v.createdAt))!.id;
}

const reviewRows = compiledRows((db, n) =>
  db
    .insertInto('reviews')
    .values(Array.from({ length: n }, () => ({ ...placeholders, workId: 0, authorId: 0, createdAt: '', textStart: '', textRenderer: 0 })))
    .returning(['id', 'workId']),
);

/**
 * Inserts reviews of works that have none yet (one each); their ids by work id. `textStart` is
 * the start of the rendering the caller writes next (`insertReviewRendersIn`), copied into the
 * row now so that the rendering's trigger finds nothing to update.
 */
export async function insertReviewsOfNewWorksIn(
  w: WriteContext,
  rows: (ReviewWrite & { workId: number; authorId: number; createdAt: string; textStart: string })[],
): Promise<Map<number, number>> {
  const inserted = await inChunks(rows, (chunk) =>
    reviewRows(chunk.length).all(w, ...chunk.flatMap((v) => [...writeValues(v), v.workId, v.authorId, v.createdAt, v.textStart, RENDERER])) as Promise<
      { id: number; workId: number }[]
    >,
  );
  return new Map(inserted.map((r) => [r.workId, r.id]));
}

const renderRows = compiledRows((db, n) =>
  db.insertInto('reviewRenders').values(Array.from({ length: n }, () => ({ reviewId: 0, renderer: 0, textStart: '', bodyText: '', bodyHtml: '' }))),
);

/** Renderings of reviews written just now, which have none yet (`saveReviewRenderIn` for a batch). */
export async function insertReviewRendersIn(w: WriteContext, rows: { reviewId: number; render: ReviewRender }[]): Promise<void> {
  await inChunks(rows, (chunk) => renderRows(chunk.length).all(w, ...chunk.flatMap((r) => [r.reviewId, RENDERER, r.render.textStart, r.render.bodyText, r.render.bodyHtml])));
}

const reviewUpdate = compiled<never, unknown[]>((db) => db.updateTable('reviews').set(placeholders).where('id', '=', 0));

export async function updateReviewIn(w: WriteContext, id: number, v: ReviewWrite): Promise<void> {
  await reviewUpdate.all(w, ...writeValues(v), id);
}

const renderUpsert = compiled<never, [reviewId: number, renderer: number, textStart: string, bodyText: string, bodyHtml: string]>((db) =>
  db
    .insertInto('reviewRenders')
    .values({ reviewId: 0, renderer: 0, textStart: '', bodyText: '', bodyHtml: '' })
    .onConflict((oc) =>
      oc.column('reviewId').doUpdateSet((eb) => ({
        renderer: eb.ref('excluded.renderer'),
        textStart: eb.ref('excluded.textStart'),
        bodyText: eb.ref('excluded.bodyText'),
        bodyHtml: eb.ref('excluded.bodyHtml'),
      })),
    ),
);

/** `saveReviewRender` as a compiled statement. */
export async function saveReviewRenderIn(w: WriteContext, reviewId: number, render: ReviewRender): Promise<void> {
  await renderUpsert.all(w, reviewId, RENDERER, render.textStart, render.bodyText, render.bodyHtml);
}

const sourceUpsert = compiled<never, [reviewId: number, url: string, path: string]>((db) =>
  db
    .insertInto('reviewSources')
    .values({ reviewId: 0, url: '', path: '' })
    .onConflict((oc) => oc.column('url').doUpdateSet((eb) => ({ reviewId: eb.ref('excluded.reviewId'), path: eb.ref('excluded.path') }))),
);

/** Records the address a review had on its old site; an address names one review, the last imported from it. */
export async function saveReviewSourceIn(w: WriteContext, reviewId: number, url: string, path: string): Promise<void> {
  await sourceUpsert.all(w, reviewId, url, path);
}

/** The review that had `path` (with its query, if any) as its address on its old site. */
export async function findReviewIdBySourcePath(db: Executor, path: string): Promise<number | undefined> {
  const row = await db.selectFrom('reviewSources').select('reviewId').where('path', '=', path).orderBy('reviewId', 'desc').executeTakeFirst();
  return row?.reviewId;
}

/** Deletes a review; its rendering and old addresses go with it (foreign keys cascade). */
export async function deleteReview(db: Executor, id: number): Promise<void> {
  await db.deleteFrom('reviews').where('id', '=', id).execute();
}

export async function countReviewsOfWork(db: Executor, workId: number): Promise<number> {
  const row = await db.selectFrom('reviews').select((eb) => eb.fn.countAll<number>().as('n')).where('workId', '=', workId).executeTakeFirstOrThrow();
  return Number(row.n);
}

/** A review's row by id, whatever its status. */
export function findReviewRow(db: Executor, id: number): Promise<ReviewRow | undefined> {
  return db.selectFrom('reviews').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Every review of an author, drafts too, most recently changed first: their own list of what they wrote. */
export function listReviewsOfAuthor(db: Executor, authorId: number) {
  return db
    .selectFrom('reviews')
    .innerJoin('works', 'works.id', 'reviews.workId')
    .select(['reviews.id', 'reviews.status', 'reviews.headline', 'reviews.scoreValue', 'reviews.scoreMax', 'reviews.rating', 'reviews.updatedAt', 'works.title as workTitle', 'works.slug as workSlug'])
    .where('reviews.authorId', '=', authorId)
    .orderBy('reviews.updatedAt', 'desc')
    .orderBy('reviews.id', 'desc')
    .execute();
}

// ---- a review's edit history, and reviews deleted in the last 30 days

export async function insertRevision(db: Executor, v: { reviewId: number; editedAt: string; editedBy: number | null; previous: string }): Promise<void> {
  await db.insertInto('reviewRevisions').values(v).execute();
}

/** A review's revisions in the order they were made (as a deleted review keeps them). */
export function listRevisionsInOrder(db: Executor, reviewId: number) {
  return db.selectFrom('reviewRevisions').select(['editedAt', 'editedBy', 'previous']).where('reviewId', '=', reviewId).orderBy('id').execute();
}

/** A review's revisions, newest first, with the name of who made each edit. */
export function listRevisionsWithEditors(db: Executor, reviewId: number) {
  return db
    .selectFrom('reviewRevisions')
    .leftJoin('users', 'users.id', 'reviewRevisions.editedBy')
    .select(['reviewRevisions.id', 'reviewRevisions.editedAt', 'reviewRevisions.editedBy as editedById', 'reviewRevisions.previous', 'users.name as editedBy'])
    .where('reviewRevisions.reviewId', '=', reviewId)
    .orderBy('reviewRevisions.id', 'desc')
    .execute();
}

export async function insertRevisions(db: Executor, reviewId: number, rows: { editedAt: string; editedBy: number | null; previous: string }[]): Promise<void> {
  if (rows.length) await db.insertInto('reviewRevisions').values(rows.map((r) => ({ reviewId, ...r }))).execute();
}

export function listReviewSources(db: Executor, reviewId: number): Promise<{ url: string; path: string }[]> {
  return db.selectFrom('reviewSources').select(['url', 'path']).where('reviewId', '=', reviewId).execute();
}

/** Gives a review an old address back, unless another review has taken it meanwhile. */
export async function insertReviewSourceIfFree(db: Executor, reviewId: number, source: { url: string; path: string }): Promise<void> {
  await db.insertInto('reviewSources').values({ reviewId, ...source }).onConflict((oc) => oc.column('url').doNothing()).execute();
}

export async function saveDeletedReview(
  db: Executor,
  v: { reviewId: number; authorId: number; workId: number; deletedAt: string; deletedBy: number | null; snapshot: string },
): Promise<void> {
  const { reviewId, ...rest } = v;
  await db.insertInto('deletedReviews').values(v).onConflict((oc) => oc.column('reviewId').doUpdateSet(rest)).execute();
}

export function findDeletedReview(db: Executor, reviewId: number) {
  return db.selectFrom('deletedReviews').selectAll().where('reviewId', '=', reviewId).executeTakeFirst();
}

export async function deleteDeletedReview(db: Executor, reviewId: number): Promise<void> {
  await db.deleteFrom('deletedReviews').where('reviewId', '=', reviewId).execute();
}

/** An author's reviews deleted since `since`, newest first, with their work's title. */
export function listDeletedReviewsOfAuthor(db: Executor, authorId: number, since: string) {
  return db
    .selectFrom('deletedReviews')
    .innerJoin('works', 'works.id', 'deletedReviews.workId')
    .select(['deletedReviews.reviewId', 'deletedReviews.deletedAt', 'deletedReviews.snapshot', 'works.title as workTitle'])
    .where('deletedReviews.authorId', '=', authorId)
    .where('deletedReviews.deletedAt', '>=', since)
    .orderBy('deletedReviews.deletedAt', 'desc')
    .execute();
}

// ---- moderation

export function findModeration(db: Executor, reviewId: number) {
  return db
    .selectFrom('reviewModeration')
    .leftJoin('users', 'users.id', 'reviewModeration.hiddenBy')
    .select(['reviewModeration.hiddenAt', 'reviewModeration.reason', 'reviewModeration.previousStatus', 'users.name as hiddenByName'])
    .where('reviewModeration.reviewId', '=', reviewId)
    .executeTakeFirst();
}

export async function saveModeration(db: Executor, v: { reviewId: number; hiddenAt: string; hiddenBy: number | null; reason: string; previousStatus: 'draft' | 'published' }): Promise<void> {
  const { reviewId, ...rest } = v;
  await db.insertInto('reviewModeration').values(v).onConflict((oc) => oc.column('reviewId').doUpdateSet(rest)).execute();
}

export async function deleteModeration(db: Executor, reviewId: number): Promise<void> {
  await db.deleteFrom('reviewModeration').where('reviewId', '=', reviewId).execute();
}

// ---- merging a duplicate work into another (works/merge.service.ts)

/** The reviews of `fromId` whose author also reviewed `toId` (one review per author and work), with that review's id. */
export function listReviewsConflictingOnMerge(db: Executor, fromId: number, toId: number) {
  return db
    .selectFrom('reviews as d')
    .innerJoin('reviews as s', (join) => join.onRef('s.authorId', '=', 'd.authorId').on('s.workId', '=', toId))
    .innerJoin('authors', 'authors.id', 'd.authorId')
    .select(['d.id', 'd.authorId', 'authors.name as authorName', 's.id as keptId'])
    .where('d.workId', '=', fromId)
    .orderBy('d.id')
    .execute();
}

/** Ids of a work's reviews (drafts too), in id order. */
export async function listReviewIdsOfWork(db: Executor, workId: number): Promise<number[]> {
  return (await db.selectFrom('reviews').select('id').where('workId', '=', workId).orderBy('id').execute()).map((r) => r.id);
}

/** Moves every review of `fromId` to `toId` (their ids, and so their addresses, stay). */
export async function moveReviewsToWork(db: Executor, fromId: number, toId: number): Promise<void> {
  await db.updateTable('reviews').set({ workId: toId }).where('workId', '=', fromId).execute();
}

/** Gives another review the old addresses of `fromReviewId`. */
export async function moveReviewSources(db: Executor, fromReviewId: number, toReviewId: number): Promise<void> {
  await db.updateTable('reviewSources').set({ reviewId: toReviewId }).where('reviewId', '=', fromReviewId).execute();
}

/** Authors with more than one review of a work: none, unless a write raced a merge. */
export async function findAuthorsWithSeveralReviews(db: Executor, workId: number): Promise<number[]> {
  const rows = await db.selectFrom('reviews').select('authorId').where('workId', '=', workId).groupBy('authorId').having((eb) => eb.fn.countAll(), '>', 1).execute();
  return rows.map((r) => r.authorId);
}
