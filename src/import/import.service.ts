/**
 * The one place where imported items are written. Every importer (plain text now; lists and
 * feeds later) hands over `ParsedItem`s; each is written in its own transaction, so an item
 * lands whole or not at all, and a bad item never stops the ones after it.
 */
import type { Db } from '../db/connection.js';
import { findOrCreateAuthor } from '../authors/authors.service.js';
import { saveReviewOfWork } from '../reviews/reviews.service.js';
import { searchIndexFor } from '../search/search.js';
import { upsertWork } from '../works/works.service.js';
import type { ParsedItem } from './import.types.js';

export interface ItemResult {
  work: { slug: string; action: 'created' | 'matched' | 'updated'; reason: string };
  review: { id: number; action: 'created' | 'updated' | 'unchanged' };
}

export interface ImportOptions {
  /** Display name of the author the reviews are filed under. */
  author: string;
  now?: () => string;
}

export async function importParsedItem(db: Db, item: ParsedItem, options: ImportOptions): Promise<ItemResult> {
  const search = searchIndexFor(db);
  const now = (options.now ?? (() => new Date().toISOString()))();
  return db.kysely.transaction().execute(async (trx) => {
    const work = await upsertWork(trx, search, item.work, now);
    const author = await findOrCreateAuthor(trx, options.author, now);
    const review = await saveReviewOfWork(trx, search, { workId: work.workId, authorId: author.id, review: item.review, now });
    return {
      work: { slug: work.slug, action: work.action, reason: work.reason },
      review: { id: review.reviewId, action: review.action },
    };
  });
}
