/**
 * The queries of the author's pages over what writing keeps beside the reviews: their earlier
 * versions (`review_revisions`) and the reviews deleted in the last 30 days (`deleted_reviews`).
 */
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../db/schema.js';

type Executor = Kysely<Database> | Transaction<Database>;

/** A review's revisions, newest first, with the name of who made each edit. */
export function listRevisionsWithEditors(db: Executor, reviewId: number) {
  return db
    .selectFrom('reviewRevisions')
    .leftJoin('users', 'users.id', 'reviewRevisions.editedBy')
    .select(['reviewRevisions.id', 'reviewRevisions.editedAt', 'reviewRevisions.previous', 'users.name as editedBy'])
    .where('reviewRevisions.reviewId', '=', reviewId)
    .orderBy('reviewRevisions.id', 'desc')
    .execute();
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
