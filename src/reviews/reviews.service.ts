/**
 * Rules about reviews: one review per author and work for imports (re-importing a file
 * updates the review it made), the derived rating, and the work aggregates and search
 * document that must change in the same transaction as the review.
 */
import type { Kysely, Transaction } from 'kysely';
import type { Database, NewReview, ReviewRow } from '../db/schema.js';
import type { ParsedReview } from '../import/import.types.js';
import { searchDocument, type SearchIndex } from '../search/search.js';
import { refreshWorkAggregates } from '../works/works.repository.js';
import { formatScore, isValidScore, ratingFromScore } from './score.js';
import { invalidInput } from '../shared/errors.js';
import { withoutSpoilers } from './spoilers.js';
import * as reviews from './reviews.repository.js';
import { renderReview } from './reviews.render.js';
import type { Db } from '../db/connection.js';
import type { WriteContext } from '../db/compiled.js';
import { prepareReview } from '../import/prepare.js';
import type { ReviewRender } from './reviews.render.js';

export interface ReviewSave {
  reviewId: number;
  action: 'created' | 'updated' | 'unchanged';
  /** The review as it was before an update (for undoing an import). */
  previous?: ReviewRow;
}

type ReviewFields = Omit<reviews.ReviewWrite, 'updatedAt'>;
type Executor = Kysely<Database> | Transaction<Database>;

function fieldsFrom(review: ParsedReview, existing: ReviewRow | undefined, now: string, keepText: boolean): ReviewFields {
  const rating = review.score ? ratingFromScore(review.score) : null;
  // A score without words (a list entry's rating) must not wipe out words written elsewhere.
  const kept = keepText && review.body.trim() === '' && existing && existing.body.trim() !== '' ? existing : undefined;
  const publishedAt =
    review.publishedAt ?? (review.status === 'published' ? (existing?.publishedAt ?? now) : (existing?.publishedAt ?? null));
  return {
    status: kept ? kept.status : review.status,
    headline: kept ? kept.headline : review.headline,
    summary: kept ? kept.summary : review.summary,
    body: kept ? kept.body : review.body,
    scoreValue: review.score?.value ?? null,
    scoreMax: review.score?.max ?? null,
    scoreText: review.scoreText,
    rating,
    hasSpoilers: kept ? kept.hasSpoilers : review.hasSpoilers ? 1 : 0,
    publishedAt: kept ? kept.publishedAt : publishedAt,
  };
}

function sameFields(a: ReviewFields, b: ReviewRow): boolean {
  return (Object.keys(a) as (keyof ReviewFields)[]).every((k) => a[k] === b[k]);
}

/** What an import can work out about a review before writing it (off the writing thread: import/prepare.ts). */
export interface PreparedReview {
  /** `renderReview(body)`. */
  render: ReviewRender;
  /** The body's part of the search document: `searchDocument([withoutSpoilers(body, ' ')])`. */
  bodyDocument: string;
}

/**
 * Creates the author's review of the work, or brings their existing one up to date, with its
 * rendering, through compiled statements (db/compiled.ts); its search document is queued in
 * `w.searchWrites`. The work's
 * aggregates are left to the caller, once for a whole batch (`refreshWorkAggregates` with the
 * ids of the works whose review was created or updated), before the transaction commits.
 * `newWork`: the work was created in this transaction, so the author has no review of it yet.
 * `prepared` must have been made from `input.review.body`; it is made here when absent.
 * `keepText`: a review with an empty body only changes the score of an existing review that
 * has words (list imports carry scores without text).
 */
export async function saveReviewOfWork(
  w: WriteContext,
  input: { workId: number; workTitle: string; newWork: boolean; authorId: number; review: ParsedReview; now: string; prepared?: PreparedReview; keepText?: boolean },
): Promise<ReviewSave> {
  if (input.review.score && !isValidScore(input.review.score)) {
    throw invalidInput(`The score ${formatScore(input.review.score)} is not valid: it must be between 0 and a scale of 4, 5, 10, 20 or 100.`);
  }
  const existing = input.newWork ? undefined : await reviews.findReviewByAuthorAndWorkIn(w, input.authorId, input.workId);
  const fields = fieldsFrom(input.review, existing, input.now, input.keepText ?? false);
  let reviewId: number;
  if (existing) {
    if (sameFields(fields, existing)) return { reviewId: existing.id, action: 'unchanged' };
    reviewId = existing.id;
    await reviews.updateReviewIn(w, reviewId, { ...fields, updatedAt: input.now });
  } else {
    reviewId = await reviews.insertReviewIn(w, {
      ...fields,
      workId: input.workId,
      authorId: input.authorId,
      createdAt: input.now,
      updatedAt: input.now,
    });
  }
  const prepared = input.prepared && fields.body === input.review.body ? input.prepared : prepareReview(fields.body);
  await reviews.saveReviewRenderIn(w, reviewId, prepared.render);
  const document = fields.status === 'published' ? reviewSearchDocumentOf(fields, input.workTitle, prepared.bodyDocument) : null;
  if (document !== null || existing) w.searchWrites.push({ entity: 'reviews', id: reviewId, document, isNew: !existing });
  return existing ? { reviewId, action: 'updated', previous: existing } : { reviewId, action: 'created' };
}

/**
 * `saveReviewOfWork` for reviews of works created in this transaction (`newWork`), many at
 * once: there is no review to compare with, so each is inserted, with its rendering, in
 * multi-row statements, and its search document queued. Scores must have been checked
 * (`isValidScore`). Returns the review ids by work id.
 */
export async function createReviewsOfNewWorksIn(
  w: WriteContext,
  inputs: { workId: number; workTitle: string; authorId: number; review: ParsedReview; now: string; prepared?: PreparedReview; keepText?: boolean }[],
): Promise<Map<number, number>> {
  const fields = inputs.map((i) => fieldsFrom(i.review, undefined, i.now, i.keepText ?? false));
  const prepareds = inputs.map((i, k) => i.prepared ?? prepareReview(fields[k]!.body));
  const ids = await reviews.insertReviewsOfNewWorksIn(
    w,
    inputs.map((i, k) => ({ ...fields[k]!, workId: i.workId, authorId: i.authorId, createdAt: i.now, updatedAt: i.now, textStart: prepareds[k]!.render.textStart })),
  );
  const renders: { reviewId: number; render: ReviewRender }[] = [];
  for (const [k, input] of inputs.entries()) {
    const reviewId = ids.get(input.workId);
    if (reviewId === undefined) throw new Error(`the review of work ${input.workId} came back without an id`);
    const f = fields[k]!;
    const prepared = prepareds[k]!;
    renders.push({ reviewId, render: prepared.render });
    const document = f.status === 'published' ? reviewSearchDocumentOf(f, input.workTitle, prepared.bodyDocument) : null;
    if (document !== null) w.searchWrites.push({ entity: 'reviews', id: reviewId, document, isNew: true });
  }
  await reviews.insertReviewRendersIn(w, renders);
  return ids;
}

/**
 * `reviewSearchDocument` from the body's part folded beforehand. Folding works word by word
 * (case, accents, width, punctuation as spaces), so folding each part and joining the non-empty
 * results with spaces gives the same text as folding the parts joined.
 */
function reviewSearchDocumentOf(review: ReviewText, workTitle: string, bodyDocument: string): string | null {
  if (!hasText(review)) return null;
  return [review.headline, review.summary, workTitle]
    .map((part) => (part ? searchDocument([part]) : ''))
    .concat(bodyDocument)
    .filter(Boolean)
    .join(' ');
}

/** What every review write must be followed by, inside the same transaction. */
export async function afterReviewWrite(trx: Transaction<Database>, search: SearchIndex, reviewId: number, workId: number): Promise<void> {
  await refreshWorkAggregates(trx, [workId]);
  const view = await reviews.findReviewView(trx, reviewId);
  if (view) await reviews.saveReviewRender(trx, reviewId, renderReview(view.body));
  if (view) await indexReviews(trx, search, [view]);
  else await search.remove(trx, 'reviews', reviewId);
}

type ReviewText = { headline: string | null; summary: string | null; body: string };

/**
 * Whether a review has any text: a headline, a summary or a body. A score alone (a list
 * entry's rating) has none, and search leaves it out: it finds reviews by what they say, and
 * such a review would only repeat its work's title, which finds the work.
 */
function hasText(review: ReviewText): boolean {
  return [review.headline, review.summary, review.body].some((part) => part !== null && part.trim() !== '');
}

/**
 * What search indexes of a review, or null for a review without text (`hasText`). Spoiler
 * passages are left out: a match must never give them away.
 */
export function reviewSearchDocument(review: ReviewText & { workTitle: string }): string | null {
  if (!hasText(review)) return null;
  return searchDocument([review.headline, review.summary, review.workTitle, withoutSpoilers(review.body, ' ')]);
}

/**
 * Sets the search documents of reviews that were written: a published review with text is
 * indexed (its document replaced), any other taken out. `isNew`: inserted just now, so
 * nothing is indexed under its id to take out.
 */
export async function indexReviews(
  trx: Executor,
  search: SearchIndex,
  written: (ReviewText & { id: number; status: string; workTitle: string; isNew?: boolean })[],
): Promise<void> {
  const documents: { id: number; document: string }[] = [];
  for (const review of written) {
    const document = review.status === 'published' ? reviewSearchDocument(review) : null;
    if (document !== null) documents.push({ id: review.id, document });
    else if (!review.isNew) await search.remove(trx, 'reviews', review.id);
  }
  if (documents.length) await search.put(trx, 'reviews', documents);
}

/** How many review ids `renderPendingReviews` looks through at a time. */
const RENDER_SCAN_WINDOW = 5000;

/**
 * Renders every review that has no rendering of the current renderer (after a restore, or an
 * upgrade that changed the renderer), a batch per transaction, in id order. Safe to run from
 * several processes at once: each batch locks its bodies, and a rendering is the same whoever
 * makes it. `pause` runs between batches (the server yields to requests there).
 */
export async function renderPendingReviews(
  db: Db,
  options: { batchSize?: number; pause?: () => Promise<void>; onProgress?: (rendered: number) => void; signal?: AbortSignal } = {},
): Promise<number> {
  const batchSize = options.batchSize ?? 100;
  // Reviews written after this start are rendered as they are written. The search walks ids a
  // window at a time: finding nothing to do in a million reviews is a second of work on SQLite,
  // which must not hold up a server's requests in one piece.
  const last = await reviews.lastReviewId(db.kysely);
  let after = 0;
  let rendered = 0;
  while (after < last && !options.signal?.aborted) {
    const upTo = Math.min(after + RENDER_SCAN_WINDOW, last);
    const ids = await reviews.listReviewsToRender(db.kysely, after, upTo, batchSize);
    if (ids.length === 0) {
      after = upTo;
      await options.pause?.();
      continue;
    }
    await db.kysely.transaction().execute(async (trx) => {
      for (const { id, body } of await reviews.lockReviewBodies(trx, ids, db.dialect)) {
        await reviews.saveReviewRender(trx, id, renderReview(body));
      }
    });
    rendered += ids.length;
    after = ids[ids.length - 1]!;
    options.onProgress?.(rendered);
    await options.pause?.();
  }
  return rendered;
}
