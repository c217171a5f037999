/**
 * Writing reviews as a signed-in user (the API, and the site's review form): create, edit,
 * delete and restore. The rules are the same whoever asks:
 * - the author of a new review is always the user's own author; one review per author and work
 *   (a second is a conflict naming the first);
 * - scores are given on 5 (whole or half points), 10 (one decimal) or 100 (whole points), and
 *   stored as written with their words ("4.5 out of 5") and the derived 0–100 rating;
 * - every edit that changes something keeps the fields as they were in `review_revisions`;
 * - a deleted review is kept whole in `deleted_reviews` and can be put back, with the same id,
 *   for 30 days (`DELETED_REVIEW_KEEP_MS`);
 * - a moderator's write on someone else's review is recorded in the audit log.
 * Writes go through `saveReviewOfWork` and `afterReviewWrite`, so aggregates, renderings and the
 * search index change in the same transaction exactly as for an import.
 */
import { sql } from 'kysely';
import { WriteMemo, type WriteContext } from '../db/compiled.js';
import type { Db } from '../db/connection.js';
import type { ReviewRow } from '../db/schema.js';
import type { ParsedReview, Score } from '../import/import.types.js';
import { searchIndexFor } from '../search/search.js';
import { AppError, forbidden, invalidInput, notFound } from '../shared/errors.js';
import { cleanName } from '../shared/text.js';
import { can } from '../accounts/permissions.js';
import { DELETED_REVIEW_KEEP_MS, recordAudit } from '../accounts/accounts.service.js';
import type { UserRow } from '../accounts/accounts.repository.js';
import { findOrCreateName } from '../works/works.service.js';
import { findWorkById, findWorkBySlug, insertWorkLinksIn, loadWorkDetails, refreshWorkAggregates, updateWork } from '../works/works.repository.js';
import { afterReviewWrite, saveReviewOfWork } from './reviews.service.js';
import * as reviews from './reviews.repository.js';
import { formatScore, ratingFromScore } from './score.js';
import { withoutSpoilers } from './spoilers.js';

/** The scales a review can be scored on. */
export const REVIEW_SCALES = [5, 10, 100] as const;

export const REVIEW_LIMITS = { headline: 300, summary: 1000, body: 200_000, tags: 30, tag: 100 } as const;

export interface ReviewInput {
  /** Slug of the work reviewed. */
  work: string;
  score?: Score | null;
  headline?: string | null;
  summary?: string | null;
  body: string;
  status?: 'draft' | 'published';
  /** Tags added to the work (never removed from it: other reviews may have brought them). */
  tags?: string[];
  /** Defaults to whether the body holds spoiler markup. */
  hasSpoilers?: boolean;
}

export type ReviewPatch = Partial<Omit<ReviewInput, 'work'>>;

/** The review's own fields, as a revision keeps them. */
const REVISION_FIELDS = ['status', 'headline', 'summary', 'body', 'scoreValue', 'scoreMax', 'scoreText', 'rating', 'hasSpoilers', 'publishedAt', 'updatedAt'] as const;

const isoNow = () => new Date().toISOString();

const nearlyInteger = (x: number) => Math.abs(x - Math.round(x)) < 1e-9;

/** A score as the form and the API accept it; the message names the field. */
export function checkScore(score: Score | null | undefined): Score | null {
  if (score === null || score === undefined) return null;
  const { value, max } = score;
  if (!(REVIEW_SCALES as readonly number[]).includes(max)) throw invalidInput(`score.max: must be 5, 10 or 100 (got ${String(max).slice(0, 20)})`);
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > max) throw invalidInput(`score.value: must be between 0 and ${max}`);
  if (max === 5 && !nearlyInteger(value * 2)) throw invalidInput('score.value: on the 5-point scale, whole or half points (3.5, 4)');
  if (max === 10 && !nearlyInteger(value * 10)) throw invalidInput('score.value: on the 10-point scale, at most one decimal (7.5)');
  if (max === 100 && !nearlyInteger(value)) throw invalidInput('score.value: on the 100-point scale, whole points');
  // 7.3 stays 7.3, not 7.300000000000001.
  return { value: max === 5 ? Math.round(value * 2) / 2 : max === 10 ? Math.round(value * 10) / 10 : Math.round(value), max };
}

function checkText(field: 'headline' | 'summary', value: string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  const text = value.trim();
  if ([...text].length > REVIEW_LIMITS[field]) throw invalidInput(`${field}: at most ${REVIEW_LIMITS[field]} characters`);
  return text === '' ? null : value;
}

function checkBody(body: string): string {
  if (body.trim() === '') throw invalidInput('body: the review needs some words');
  if (body.length > REVIEW_LIMITS.body) throw invalidInput(`body: at most ${REVIEW_LIMITS.body} characters`);
  return body;
}

function checkTags(tags: string[] | undefined): string[] {
  if (!tags) return [];
  if (tags.length > REVIEW_LIMITS.tags) throw invalidInput(`tags: at most ${REVIEW_LIMITS.tags} tags`);
  return tags.map((t, i) => {
    const name = cleanName(t);
    if (!name) throw invalidInput(`tags.${i}: a tag cannot be empty`);
    if ([...name].length > REVIEW_LIMITS.tag) throw invalidInput(`tags.${i}: at most ${REVIEW_LIMITS.tag} characters`);
    return name;
  });
}

const hasSpoilerMarkup = (body: string) => withoutSpoilers(body, '') !== body;

/** One write transaction with what `saveReviewOfWork` needs; queued search documents are written at the end. */
export async function inWriteTransaction<T>(db: Db, run: (w: WriteContext) => Promise<T>): Promise<T> {
  const search = searchIndexFor(db);
  return db.kysely.transaction().execute(async (trx) => {
    const w: WriteContext = { trx, dialect: db.dialect, sqlite: db.sqlite, memo: new WriteMemo(), searchWrites: [] };
    const result = await run(w);
    await search.writeIn(w, w.searchWrites);
    return result;
  });
}

/** On PostgreSQL, one writer at a time per author (so two requests cannot both create "the" review of a work). */
async function lockAuthor(w: WriteContext, authorId: number): Promise<void> {
  if (w.dialect === 'postgres') await sql`select pg_advisory_xact_lock(${0x4b53}, ${authorId})`.execute(w.trx);
}

/** Adds the tags the work lacks, after its own. */
async function addWorkTags(w: WriteContext, workId: number, tags: string[], now: string): Promise<void> {
  if (tags.length === 0) return;
  const [detail] = await loadWorkDetails(w.trx, [workId]);
  const known = new Set(detail?.tags.map((t) => t.slug));
  const links: { id: number; position: number }[] = [];
  for (const name of tags) {
    const tag = await findOrCreateName(w, 'tags', name, now);
    if (known.has(tag.slug)) continue;
    known.add(tag.slug);
    links.push({ id: tag.id, position: known.size - 1 });
  }
  if (links.length === 0) return;
  await insertWorkLinksIn(w, 'workTags', workId, links);
  await updateWork(w.trx, workId, { updatedAt: now });
}

function audit(w: WriteContext, user: UserRow, action: string, review: { id: number; authorId: number }, detail: Record<string, unknown> = {}) {
  // Only what acts on someone else's review: one's own writes are no moderation.
  if (review.authorId === user.authorId) return Promise.resolve();
  return recordAudit(w.trx, { action, actorId: user.id, subject: `review ${review.id}`, detail: { authorId: review.authorId, ...detail } });
}

/** Creates the user's review of a work; returns its id. */
export async function createReview(db: Db, user: UserRow, input: ReviewInput, now = isoNow()): Promise<number> {
  if (!can(user, 'review.create')) throw forbidden('Your role may not write reviews.');
  const authorId = user.authorId;
  if (authorId === null) throw forbidden('This account has no author to write as.');
  const score = checkScore(input.score);
  const body = checkBody(input.body);
  const review: ParsedReview = {
    headline: checkText('headline', input.headline),
    summary: checkText('summary', input.summary),
    score,
    scoreText: score ? formatScore(score) : null,
    rating: score ? ratingFromScore(score) : null,
    body,
    hasSpoilers: input.hasSpoilers ?? hasSpoilerMarkup(body),
    publishedAt: null,
    status: input.status ?? 'draft',
  };
  const tags = checkTags(input.tags);
  return inWriteTransaction(db, async (w) => {
    const work = await findWorkBySlug(w.trx, input.work);
    if (!work) throw invalidInput(`work: there is no work with the slug "${input.work.slice(0, 200)}"`);
    await lockAuthor(w, authorId);
    const existing = await reviews.findReviewByAuthorAndWork(w.trx, authorId, work.id);
    if (existing) {
      throw new AppError('conflict', `You have already reviewed this work: review ${existing.id}. Change it with PATCH /api/v1/reviews/${existing.id}.`);
    }
    const saved = await saveReviewOfWork(w, { workId: work.id, workTitle: work.title, newWork: false, authorId, review, now });
    await addWorkTags(w, work.id, tags, now);
    await refreshWorkAggregates(w.trx, [work.id]);
    return saved.reviewId;
  });
}

/** Changes the fields `patch` gives; keeps the review as it was in a revision when anything changed. */
export async function updateReview(db: Db, user: UserRow, id: number, patch: ReviewPatch, now = isoNow()): Promise<void> {
  if (!can(user, 'review.edit')) throw forbidden('Your role may not edit reviews.');
  const tags = checkTags(patch.tags);
  await inWriteTransaction(db, async (w) => {
    const row = await reviews.findReviewView(w.trx, id);
    if (!row) throw notFound(`The review ${id}`);
    if (!can(user, 'review.edit', row.authorId)) throw forbidden('This review is someone else’s: only editors and admins may change it.');
    await lockAuthor(w, row.authorId);
    const first = await reviews.findReviewByAuthorAndWork(w.trx, row.authorId, row.workId);
    if (first && first.id !== id) throw new AppError('conflict', `Review ${id} duplicates review ${first.id} of the same work by the same author; change that one.`);
    // A review an editor hid stays unpublished until they unhide it (editors may publish it themselves).
    if (patch.status === 'published' && !can(user, 'review.moderate')) {
      const hidden = await reviews.findModeration(w.trx, id);
      if (hidden) throw new AppError('conflict', `status: this review was hidden by an editor (“${hidden.reason}”); it cannot be published again until it is unhidden`);
    }
    const scoreGiven = patch.score !== undefined;
    const score = scoreGiven ? checkScore(patch.score) : row.scoreValue !== null && row.scoreMax !== null ? { value: row.scoreValue, max: row.scoreMax } : null;
    const body = patch.body !== undefined ? checkBody(patch.body) : row.body;
    const review: ParsedReview = {
      headline: patch.headline !== undefined ? checkText('headline', patch.headline) : row.headline,
      summary: patch.summary !== undefined ? checkText('summary', patch.summary) : row.summary,
      score,
      // An imported score keeps the words it was written with until the score changes.
      scoreText: scoreGiven ? (score ? formatScore(score) : null) : row.scoreText,
      rating: score ? ratingFromScore(score) : null,
      body,
      hasSpoilers: patch.hasSpoilers ?? (patch.body !== undefined ? hasSpoilerMarkup(body) : row.hasSpoilers === 1),
      publishedAt: null,
      status: patch.status ?? row.status,
    };
    const saved = await saveReviewOfWork(w, { workId: row.workId, workTitle: row.workTitle, newWork: false, authorId: row.authorId, review, now });
    if (saved.action === 'updated' && saved.previous) {
      const previous = Object.fromEntries(REVISION_FIELDS.map((f) => [f, saved.previous![f]]));
      await reviews.insertRevision(w.trx, { reviewId: id, editedAt: now, editedBy: user.id, previous: JSON.stringify(previous) });
    }
    await addWorkTags(w, row.workId, tags, now);
    await refreshWorkAggregates(w.trx, [row.workId]);
    if (saved.action === 'updated') await audit(w, user, 'review_edited', row, { fields: Object.keys(patch) });
  });
}

/** A review's earlier versions, newest first. */
export async function listRevisions(db: Db, reviewId: number) {
  const rows = await reviews.listRevisionsWithEditors(db.kysely, reviewId);
  return rows.map((r) => ({ id: r.id, editedAt: r.editedAt, editedBy: r.editedById, previous: JSON.parse(r.previous) as Partial<ReviewRow> }));
}

interface Snapshot {
  review: ReviewRow;
  revisions: { editedAt: string; editedBy: number | null; previous: string }[];
  sources: { url: string; path: string }[];
}

/** Deletes a review, keeping it whole (with its revisions and old addresses) for `restoreReview`. */
export async function deleteReview(db: Db, user: UserRow, id: number, now = isoNow()): Promise<void> {
  if (!can(user, 'review.edit')) throw forbidden('Your role may not delete reviews.');
  const search = searchIndexFor(db);
  await inWriteTransaction(db, async (w) => {
    const trx = w.trx;
    const review = await reviews.findReviewRow(trx, id);
    if (!review) throw notFound(`The review ${id}`);
    if (!can(user, 'review.edit', review.authorId)) throw forbidden('This review is someone else’s: only editors and admins may delete it.');
    const revisions = await reviews.listRevisionsInOrder(trx, id);
    const sources = await reviews.listReviewSources(trx, id);
    const snapshot: Snapshot = { review, revisions, sources };
    const values = { authorId: review.authorId, workId: review.workId, deletedAt: now, deletedBy: user.id, snapshot: JSON.stringify(snapshot) };
    await reviews.saveDeletedReview(trx, { reviewId: id, ...values });
    // Its rendering, revisions and old addresses go with it (foreign keys cascade).
    await reviews.deleteReview(trx, id);
    await afterReviewWrite(trx, search, id, review.workId);
    await audit(w, user, 'review_deleted', review);
  });
}

/** Puts a deleted review back with the same id, within 30 days of its deletion. */
export async function restoreReview(db: Db, user: UserRow, id: number, now = isoNow()): Promise<void> {
  if (!can(user, 'review.edit')) throw forbidden('Your role may not restore reviews.');
  const search = searchIndexFor(db);
  await inWriteTransaction(db, async (w) => {
    const trx = w.trx;
    const deleted = await reviews.findDeletedReview(trx, id);
    if (!deleted) throw notFound(`The deleted review ${id}`);
    if (!can(user, 'review.edit', deleted.authorId)) throw forbidden('This review is someone else’s: only editors and admins may restore it.');
    if (Date.parse(now) - Date.parse(deleted.deletedAt) > DELETED_REVIEW_KEEP_MS) throw notFound(`The deleted review ${id} (deleted over 30 days ago)`);
    if (!(await findWorkById(trx, deleted.workId))) throw new AppError('conflict', `The work of review ${id} has been deleted since; the review cannot come back.`);
    await lockAuthor(w, deleted.authorId);
    const other = await reviews.findReviewByAuthorAndWork(trx, deleted.authorId, deleted.workId);
    if (other) throw new AppError('conflict', `The author has written review ${other.id} of the same work since; delete or change that one instead.`);
    const snapshot = JSON.parse(deleted.snapshot) as Snapshot;
    await reviews.insertReview(trx, snapshot.review);
    await reviews.insertRevisions(trx, id, snapshot.revisions);
    for (const s of snapshot.sources) {
      await reviews.insertReviewSourceIfFree(trx, id, s);
    }
    await reviews.deleteDeletedReview(trx, id);
    // Aggregates, rendering and search document, as after any review write.
    await afterReviewWrite(trx, search, id, deleted.workId);
    await audit(w, user, 'review_restored', { id, authorId: deleted.authorId });
  });
}

/**
 * A review by id for the user: a published one for anyone, a draft only for whoever may edit
 * it. Undefined when they may not see it (the API answers 404 then, not 403: a draft's
 * existence is nobody else's business).
 */
export async function findReviewForUser(db: Db, user: UserRow | undefined, id: number): Promise<reviews.ReviewView | undefined> {
  const view = await reviews.findReviewView(db.kysely, id);
  if (!view) return undefined;
  if (view.status === 'published' || can(user, 'review.edit', view.authorId)) return view;
  return undefined;
}

/** The reason an editor hid a review, if they did. */
export function moderationOf(db: Db, reviewId: number) {
  return reviews.findModeration(db.kysely, reviewId);
}

/**
 * Hides a review from readers (editors and admins): it becomes a draft its author sees with the
 * reason, and cannot publish again until it is unhidden. Recorded in the audit log.
 */
export async function hideReview(db: Db, user: UserRow, id: number, rawReason: string, now = isoNow()): Promise<void> {
  if (!can(user, 'review.moderate')) throw forbidden('Only editors and admins may hide reviews.');
  const reason = rawReason.replace(/\s+/g, ' ').trim();
  if (!reason) throw invalidInput('reason: say why the review is hidden (its author will see it)');
  if ([...reason].length > 500) throw invalidInput('reason: at most 500 characters');
  const search = searchIndexFor(db);
  await inWriteTransaction(db, async (w) => {
    const row = await reviews.findReviewRow(w.trx, id);
    if (!row) throw notFound(`The review ${id}`);
    const earlier = await reviews.findModeration(w.trx, id);
    await reviews.saveModeration(w.trx, { reviewId: id, hiddenAt: now, hiddenBy: user.id, reason, previousStatus: earlier?.previousStatus ?? row.status });
    if (row.status !== 'draft') {
      await reviews.updateReview(w.trx, id, { status: 'draft', updatedAt: now });
      await afterReviewWrite(w.trx, search, id, row.workId);
    }
    await recordAudit(w.trx, { action: 'review_hidden', actorId: user.id, subject: `review ${id}`, detail: { authorId: row.authorId, reason } });
  });
}

/** Lifts a hide: the review gets back the status it had. */
export async function unhideReview(db: Db, user: UserRow, id: number, now = isoNow()): Promise<void> {
  if (!can(user, 'review.moderate')) throw forbidden('Only editors and admins may unhide reviews.');
  const search = searchIndexFor(db);
  await inWriteTransaction(db, async (w) => {
    const row = await reviews.findReviewRow(w.trx, id);
    const hidden = row && (await reviews.findModeration(w.trx, id));
    if (!row || !hidden) throw notFound(`A hidden review ${id}`);
    await reviews.deleteModeration(w.trx, id);
    if (hidden.previousStatus !== row.status) {
      await reviews.updateReview(w.trx, id, { status: hidden.previousStatus, updatedAt: now });
      await afterReviewWrite(w.trx, search, id, row.workId);
    }
    await recordAudit(w.trx, { action: 'review_unhidden', actorId: user.id, subject: `review ${id}`, detail: { authorId: row.authorId } });
  });
}
