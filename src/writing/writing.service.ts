/**
 * What the author's pages read: their reviews (drafts too), what they deleted in the last 30
 * days, a review's edit history, and the works a new one may duplicate. Writing itself goes
 * through `reviews/authoring.service.ts` and `works/works.authoring.ts`, the same rules the API
 * uses.
 */
import type { Db } from '../db/connection.js';
import type { UserRow } from '../accounts/accounts.repository.js';
import { DELETED_REVIEW_KEEP_MS, type Clock } from '../accounts/accounts.service.js';
import { can } from '../accounts/permissions.js';
import { forbidden, notFound } from '../shared/errors.js';
import type { ParsedWork } from '../import/import.types.js';
import { findReviewForUser } from '../reviews/authoring.service.js';
import * as reviews from '../reviews/reviews.repository.js';
import { findWorksByTitleKey, loadWorkDetails } from '../works/works.repository.js';
import { titleKey } from '../import/prepare.js';

const systemClock: Clock = () => new Date();

/** The review and its work, when `user` may change it (their own, or anyone's for editors and admins). */
export async function reviewForEditing(db: Db, user: UserRow, id: number) {
  const review = await findReviewForUser(db, user, id);
  if (!review) throw notFound(`Review ${id}`);
  if (!can(user, 'review.edit', review.authorId)) throw forbidden('This review is not yours to change.');
  const work = (await loadWorkDetails(db.kysely, [review.workId]))[0];
  if (!work) throw notFound(`Review ${id}`);
  return { review, work };
}

export function listOwnReviews(db: Db, user: UserRow) {
  return user.authorId === null ? Promise.resolve([]) : reviews.listReviewsOfAuthor(db.kysely, user.authorId);
}

export async function listOwnDeletedReviews(db: Db, user: UserRow, clock: Clock = systemClock) {
  if (user.authorId === null) return [];
  const since = new Date(clock().getTime() - DELETED_REVIEW_KEEP_MS).toISOString();
  const rows = await reviews.listDeletedReviewsOfAuthor(db.kysely, user.authorId, since);
  return rows.map((r) => ({ reviewId: r.reviewId, deletedAt: r.deletedAt, workTitle: r.workTitle, headline: (JSON.parse(r.snapshot) as { review: { headline: string | null } }).review.headline }));
}

/** A review's earlier versions, newest first, for whoever may edit it. */
export async function reviewHistory(db: Db, user: UserRow, id: number) {
  const { review, work } = await reviewForEditing(db, user, id);
  const revisions = await reviews.listRevisionsWithEditors(db.kysely, id);
  return { review, work, revisions: revisions.map((r) => ({ ...r, previous: JSON.parse(r.previous) as Record<string, unknown> })) };
}

export interface LikelyDuplicate {
  slug: string;
  title: string;
  year: number | null;
  kind: string | null;
}

/** Works with the same title (any of their titles, folded) and, when both have one, the same year. */
export async function likelyDuplicates(db: Db, work: Pick<ParsedWork, 'title' | 'year'>): Promise<LikelyDuplicate[]> {
  const found = await findWorksByTitleKey(db.kysely, titleKey(work.title));
  const close = found.filter((w) => work.year === null || w.year === null || w.year === work.year);
  const details = await loadWorkDetails(db.kysely, close.map((w) => w.id));
  return details.map((d) => ({ slug: d.slug, title: d.title, year: d.year, kind: d.kind }));
}
