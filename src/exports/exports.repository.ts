/**
 * The queries of the exports (CSV, MyAnimeList XML, Markdown): every review and every list entry,
 * read back as the `SourceItem`s the importers produce, page by page in id order so that memory
 * stays flat however many reviews there are.
 */
import { sql, type Kysely } from 'kysely';
import type { Db } from '../db/connection.js';
import { LIST_STATUSES, type Database, type ListStatus, type ReviewRow } from '../db/schema.js';
import type { AltTitleType, CreditRole, ParsedListEntry, ParsedReview, ParsedWork, SourceItem, WorkKind } from '../import/import.types.js';
import { cleanName, nameKey } from '../shared/text.js';
import { loadWorkDetails, type WorkDetail } from '../works/works.repository.js';
import { REVIEW_FIELD_COLUMNS } from '../reviews/reviews.repository.js';

/** Rows per query: a page of reviews, their works' details and their old addresses. */
const PAGE = 500;

export interface ExportOptions {
  /** Only this author's reviews and list entries (matched on the folded name). */
  author?: string;
  /** Rows per page (tests use a small one to cross page boundaries). */
  pageSize?: number;
}

/** A `SourceItem` as the exports read it back, with what the writers need to name files. */
export type ExportItem = SourceItem & {
  /** The review's id; null for a list entry without a review. */
  reviewId: number | null;
  workSlug: string;
  authorSlug: string;
};

export interface ExportAuthor {
  id: number;
  slug: string;
  name: string;
}

/** The author whose folded name is `name`'s, as an import would have filed it. */
export async function findAuthorByName(db: Db, name: string): Promise<ExportAuthor | undefined> {
  const clean = cleanName(name);
  // The same key an import gives a new author (works.service#findOrCreateName).
  const key = nameKey(clean) || clean.toLowerCase();
  return db.kysely.selectFrom('authors').select(['id', 'slug', 'name']).where('nameKey', '=', key).executeTakeFirst();
}

/**
 * The authors who have a review or a list entry (a review, with `reviewsOnly`), or only
 * `options.author` when given and known: the Markdown export files reviews by author when there
 * is more than one, and the MyAnimeList export names its one user.
 */
export async function listExportAuthors(db: Db, options: { author?: string; reviewsOnly?: boolean } = {}): Promise<ExportAuthor[]> {
  if (options.author !== undefined) {
    const author = await findAuthorByName(db, options.author);
    return author ? [author] : [];
  }
  return db.kysely
    .selectFrom('authors')
    .select(['id', 'slug', 'name'])
    .where((eb) => {
      const reviews = eb.exists(eb.selectFrom('reviews').select(sql.lit(1).as('one')).whereRef('reviews.authorId', '=', 'authors.id'));
      const entries = eb.exists(eb.selectFrom('listEntries').select(sql.lit(1).as('one')).whereRef('listEntries.authorId', '=', 'authors.id'));
      return options.reviewsOnly ? reviews : eb.or([reviews, entries]);
    })
    .orderBy('id')
    .execute();
}

/** `undefined`: no filter; `null`: the author asked for does not exist, so nothing matches. */
async function authorFilter(db: Db, author: string | undefined): Promise<number | null | undefined> {
  if (author === undefined) return undefined;
  return (await findAuthorByName(db, author))?.id ?? null;
}

function pageSizeOf(options: ExportOptions): number {
  const size = options.pageSize ?? PAGE;
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`pageSize must be a positive integer, got ${size}`);
  return size;
}

/**
 * Every review (drafts too) and then every list entry that has no review of the same author and
 * work, as `SourceItem`s: the work with its details, the review, the author's list entry for the
 * work, the review's old address and the author's name. Reviews come in id order, then entries
 * in id order. Each page is a few queries (the rows, the details of their works in one batch,
 * their old addresses), and nothing is kept between pages but the last id.
 */
export async function* exportItems(db: Db, options: ExportOptions): AsyncGenerator<ExportItem> {
  const authorId = await authorFilter(db, options.author);
  if (authorId === null) return;
  const limit = pageSizeOf(options);
  const k = db.kysely;

  for (let afterId = 0; ; ) {
    const rows = await pageReviews(k, authorId, afterId, limit);
    if (rows.length === 0) break;
    const [works, sources] = await Promise.all([
      loadWorkMap(k, rows.map((r) => r.workId)),
      loadSourceUrls(k, rows.map((r) => r.id)),
    ]);
    for (const row of rows) {
      const work = works.get(row.workId);
      // The foreign key keeps the work; a work deleted between the two queries is skipped.
      if (!work) continue;
      yield {
        reviewId: row.id,
        workSlug: work.slug,
        authorSlug: row.authorSlug,
        author: row.authorName,
        work: toParsedWork(work),
        review: toParsedReview(row),
        entry: row.entryId === null ? null : toParsedEntry(row),
        sourceUrl: sources.get(row.id) ?? null,
        warnings: [],
      };
    }
    afterId = rows[rows.length - 1]!.id;
    if (rows.length < limit) break;
  }

  for (let afterId = 0; ; ) {
    const rows = await pageEntriesWithoutReview(k, authorId, afterId, limit);
    if (rows.length === 0) break;
    const works = await loadWorkMap(k, rows.map((r) => r.workId));
    for (const row of rows) {
      const work = works.get(row.workId);
      if (!work) continue;
      yield {
        reviewId: null,
        workSlug: work.slug,
        authorSlug: row.authorSlug,
        author: row.authorName,
        work: toParsedWork(work),
        review: null,
        entry: toParsedEntry(row),
        sourceUrl: null,
        warnings: [],
      };
    }
    afterId = rows[rows.length - 1]!.entryId;
    if (rows.length < limit) break;
  }
}

export interface ListCounts {
  total: number;
  watching: number;
  completed: number;
  on_hold: number;
  dropped: number;
  plan_to_watch: number;
}

/**
 * How many list entries there are, in all and per status (the MyAnimeList export's header). An
 * entry without a status counts in the total only.
 */
export async function listCounts(db: Db, options: { author?: string }): Promise<ListCounts> {
  const counts: ListCounts = { total: 0, watching: 0, completed: 0, on_hold: 0, dropped: 0, plan_to_watch: 0 };
  const authorId = await authorFilter(db, options.author);
  if (authorId === null) return counts;
  let query = db.kysely
    .selectFrom('listEntries')
    .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
    .groupBy('status');
  if (authorId !== undefined) query = query.where('authorId', '=', authorId);
  for (const { status, n } of await query.execute()) {
    counts.total += Number(n);
    if (status !== null && (LIST_STATUSES as readonly string[]).includes(status)) counts[status] += Number(n);
  }
  return counts;
}

// ── Pages ──────────────────────────────────────────────────────────────────────────────────

const entryColumns = [
  'listEntries.status as entryStatus',
  'listEntries.progress',
  'listEntries.startedOn',
  'listEntries.finishedOn',
  'listEntries.timesWatched',
  'listEntries.tags as entryTags',
] as const;

interface EntryColumns {
  entryStatus: ListStatus | null;
  progress: number | null;
  startedOn: string | null;
  finishedOn: string | null;
  timesWatched: number | null;
  entryTags: string | null;
}

function pageReviews(k: Kysely<Database>, authorId: number | undefined, afterId: number, limit: number) {
  let query = k
    .selectFrom('reviews')
    .innerJoin('authors', 'authors.id', 'reviews.authorId')
    // One entry per author and work (a unique constraint), so the join never repeats a review.
    .leftJoin('listEntries', (join) =>
      join.onRef('listEntries.authorId', '=', 'reviews.authorId').onRef('listEntries.workId', '=', 'reviews.workId'),
    )
    .select([
      'reviews.id',
      'reviews.workId',
      ...REVIEW_FIELD_COLUMNS,
      'authors.name as authorName',
      'authors.slug as authorSlug',
      'listEntries.id as entryId',
      ...entryColumns,
    ])
    .where('reviews.id', '>', afterId)
    .orderBy('reviews.id')
    .limit(limit);
  if (authorId !== undefined) {
    // `+author_id`: without statistics SQLite would otherwise pick the (author_id, published_at)
    // index and sort all of the author's reviews again for every page; walking the primary key
    // from the last id keeps each page as cheap as the first. PostgreSQL, given the same
    // expression, walks the primary key too.
    query = query.where(sql<number>`+${sql.ref('reviews.authorId')}`, '=', authorId);
  }
  return query.execute() as Promise<ReviewPageRow[]>;
}

type ReviewPageRow = Pick<
  ReviewRow,
  'id' | 'workId' | 'status' | 'headline' | 'summary' | 'body' | 'scoreValue' | 'scoreMax' | 'scoreText' | 'rating' | 'hasSpoilers' | 'publishedAt'
> & { authorName: string; authorSlug: string; entryId: number | null } & EntryColumns;

function pageEntriesWithoutReview(k: Kysely<Database>, authorId: number | undefined, afterId: number, limit: number) {
  let query = k
    .selectFrom('listEntries')
    .innerJoin('authors', 'authors.id', 'listEntries.authorId')
    .select(['listEntries.id as entryId', 'listEntries.workId', 'authors.name as authorName', 'authors.slug as authorSlug', ...entryColumns])
    .where('listEntries.id', '>', afterId)
    // The (work_id, author_id) index of reviews answers this per entry.
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('reviews')
            .select(sql.lit(1).as('one'))
            .whereRef('reviews.workId', '=', 'listEntries.workId')
            .whereRef('reviews.authorId', '=', 'listEntries.authorId'),
        ),
      ),
    )
    .orderBy('listEntries.id')
    .limit(limit);
  if (authorId !== undefined) query = query.where(sql<number>`+${sql.ref('listEntries.authorId')}`, '=', authorId);
  return query.execute() as Promise<({ entryId: number; workId: number; authorName: string; authorSlug: string } & EntryColumns)[]>;
}

async function loadWorkMap(k: Kysely<Database>, workIds: number[]): Promise<Map<number, WorkDetail>> {
  const details = await loadWorkDetails(k, [...new Set(workIds)]);
  return new Map(details.map((w) => [w.id, w]));
}

/** One old address per review: the first in address order, should a review have several. */
async function loadSourceUrls(k: Kysely<Database>, reviewIds: number[]): Promise<Map<number, string>> {
  const rows = await k
    .selectFrom('reviewSources')
    .select(['reviewId', 'url'])
    .where('reviewId', 'in', reviewIds)
    .orderBy('reviewId')
    .orderBy('url')
    .execute();
  const urls = new Map<number, string>();
  for (const { reviewId, url } of rows) if (!urls.has(reviewId)) urls.set(reviewId, url);
  return urls;
}

// ── Rows to items ──────────────────────────────────────────────────────────────────────────

function toParsedWork(w: WorkDetail): ParsedWork & { episodes: number | null } {
  return {
    title: w.title,
    altTitles: w.altTitles.map((t) => ({ title: t.title, type: t.type as AltTitleType })),
    kind: w.kind as WorkKind | null,
    year: w.year,
    episodes: w.episodes,
    synopsis: w.synopsis,
    credits: w.credits.map((c) => ({ role: c.role as CreditRole, name: c.name })),
    studios: w.studios.map((s) => s.name),
    platforms: w.platforms.map((p) => p.name),
    tags: w.tags.map((t) => t.name),
    externalIds: { ...w.externalIds },
  };
}

function toParsedReview(r: ReviewPageRow): ParsedReview {
  return {
    headline: r.headline,
    summary: r.summary,
    score: r.scoreValue !== null && r.scoreMax !== null ? { value: r.scoreValue, max: r.scoreMax } : null,
    scoreText: r.scoreText,
    rating: r.rating,
    body: r.body,
    hasSpoilers: r.hasSpoilers === 1,
    publishedAt: r.publishedAt,
    status: r.status,
  };
}

function toParsedEntry(r: EntryColumns): ParsedListEntry {
  return {
    status: r.entryStatus,
    progress: r.progress,
    startedOn: r.startedOn,
    finishedOn: r.finishedOn,
    timesWatched: r.timesWatched,
    tags: parseTags(r.entryTags),
  };
}

/** The entry's JSON array of tags; anything else (never written by Kansou) reads as none. */
function parseTags(json: string | null): string[] {
  if (!json) return [];
  try {
    const value: unknown = JSON.parse(json);
    return Array.isArray(value) ? value.filter((t): t is string => typeof t === 'string') : [];
  } catch {
    return [];
  }
}
