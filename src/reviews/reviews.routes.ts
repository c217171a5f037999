/**
 * Review endpoints of the API: listings (by work, by author, by search) and one review by id.
 * Only published reviews are public.
 */
import type { Db } from '../db/connection.js';
import type { ReviewJson, ReviewSummaryJson } from '../api/api.schemas.js';
import { decodeCursor, encodeCursor } from '../api/cursor.js';
import { findAuthorBySlug } from '../authors/authors.service.js';
import { notFound } from '../shared/errors.js';
import { urls } from '../shared/urls.js';
import { queryTerms, searchIndexFor } from '../search/search.js';
import { findWorkBySlug } from '../works/works.repository.js';
import * as reviews from './reviews.repository.js';

export function presentReviewSummary(r: reviews.ReviewView): ReviewSummaryJson {
  return {
    id: r.id,
    url: urls.review(r.id),
    work: r.workSlug,
    workTitle: r.workTitle,
    author: { name: r.authorName, slug: r.authorSlug, url: urls.author(r.authorSlug) },
    headline: r.headline,
    summary: r.summary,
    score: r.scoreValue !== null && r.scoreMax !== null ? { value: r.scoreValue, max: r.scoreMax } : null,
    scoreText: r.scoreText,
    rating: r.rating,
    hasSpoilers: r.hasSpoilers === 1,
    publishedAt: r.publishedAt,
    updatedAt: r.updatedAt,
  };
}

/** One published review as the API answers it, with the facts of its ETag (see api.routes.ts). */
export interface ReviewAnswer {
  /** The answer: JSON text made by the database, or the object to serialise. */
  body: string | ReviewJson;
  /** Everything the answer shows besides the review's own fields (whose edits move updatedAt). */
  facts: (string | number)[];
}

const REVIEW_PATH = urls.review(0).slice(0, -1);
const AUTHOR_PATH = urls.author('');

/**
 * A published review for `GET /api/v1/reviews/ID`, or undefined when there is none. On SQLite the
 * JSON is written by the database itself (`findPublishedReviewJson`); on PostgreSQL it is
 * the presented review with its body.
 */
export async function publishedReviewAnswer(db: Db, id: number): Promise<ReviewAnswer | undefined> {
  if (db.sqlite) {
    const found = reviews.findPublishedReviewJson(db.sqlite, id, { review: REVIEW_PATH, author: AUTHOR_PATH });
    if (!found) return undefined;
    return { body: found.json, facts: ['review-v2', id, found.updatedAt, found.workSlug, found.workTitle, found.authorSlug, found.authorName] };
  }
  const review = await reviews.findReviewViewForRead(db, id);
  if (!review || review.status !== 'published') return undefined;
  const json = presentReviewSummary(review) as ReviewJson;
  json.body = review.body;
  return { body: json, facts: ['review-v2', id, review.updatedAt, review.workSlug, review.workTitle, review.authorSlug, review.authorName] };
}

export async function listReviews(db: Db, query: { q?: string; work?: string; author?: string; limit?: number; cursor?: string }) {
  const limit = query.limit ?? 20;
  if (query.q !== undefined) {
    const [offset] = query.cursor ? decodeCursor<[number]>(query.cursor, ['number']) : [0];
    const hits = await searchIndexFor(db).query(db.kysely, 'reviews', queryTerms(query.q), limit + 1, offset);
    const items = (await reviews.findReviewViews(db.kysely, hits.slice(0, limit).map((h) => h.id)))
      .filter((r) => r.status === 'published')
      .map(presentReviewSummary);
    return { items, next: hits.length > limit ? encodeCursor([offset + limit]) : null };
  }
  let workId: number | undefined;
  let authorId: number | undefined;
  if (query.work !== undefined) {
    workId = (await findWorkBySlug(db.kysely, query.work))?.id;
    if (workId === undefined) throw notFound(`The work "${query.work}"`);
  }
  if (query.author !== undefined) {
    authorId = (await findAuthorBySlug(db.kysely, query.author))?.id;
    if (authorId === undefined) throw notFound(`The author "${query.author}"`);
  }
  const after = query.cursor ? decodeCursor<[string, number]>(query.cursor, ['string', 'number']) : undefined;
  const rows = await reviews.listPublishedReviews(db.kysely, {
    workId,
    authorId,
    after: after && { publishedAt: after[0], id: after[1] },
    limit: limit + 1,
  });
  const items = rows.slice(0, limit).map(presentReviewSummary);
  const last = rows[limit - 1];
  return { items, next: rows.length > limit && last ? encodeCursor([last.publishedAt ?? '', last.id]) : null };
}
