/**
 * The one place where imported items are written. Every importer (plain text now; lists and
 * feeds later) hands over `ParsedItem`s. Each item lands whole or not at all: alone in its own
 * transaction, or, for batches, in a savepoint of a shared transaction, so a bad item never
 * stops or half-writes the ones around it while a batch pays for one commit instead of many.
 */
import type { Transaction } from 'kysely';
import type { Db } from '../db/connection.js';
import type { Database } from '../db/schema.js';
import { findOrCreateAuthor } from '../authors/authors.service.js';
import { saveReviewOfWork } from '../reviews/reviews.service.js';
import { searchIndexFor, type SearchIndex } from '../search/search.js';
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

const isoNow = () => new Date().toISOString();

async function writeItem(trx: Transaction<Database>, search: SearchIndex, item: ParsedItem, options: ImportOptions): Promise<ItemResult> {
  const now = (options.now ?? isoNow)();
  const work = await upsertWork(trx, search, item.work, now);
  const author = await findOrCreateAuthor(trx, options.author, now);
  const review = await saveReviewOfWork(trx, search, { workId: work.workId, authorId: author.id, review: item.review, now });
  return {
    work: { slug: work.slug, action: work.action, reason: work.reason },
    review: { id: review.reviewId, action: review.action },
  };
}

/** Writes one item in its own transaction. */
export async function importParsedItem(db: Db, item: ParsedItem, options: ImportOptions): Promise<ItemResult> {
  const search = searchIndexFor(db);
  return db.kysely.transaction().execute((trx) => writeItem(trx, search, item, options));
}

/**
 * Writes items in one transaction, each inside a savepoint: an item that fails is rolled back
 * alone and returned as its error. Nothing is durable until the whole call returns.
 */
export async function importParsedItems(db: Db, items: ParsedItem[], options: ImportOptions): Promise<(ItemResult | Error)[]> {
  const search = searchIndexFor(db);
  const trx = await db.kysely.startTransaction().execute();
  const results: (ItemResult | Error)[] = [];
  try {
    for (const [i, item] of items.entries()) {
      const name = `item_${i}`;
      const savepoint = await trx.savepoint(name).execute();
      try {
        results.push(await writeItem(savepoint, search, item, options));
        await savepoint.releaseSavepoint(name).execute();
      } catch (error) {
        await savepoint.rollbackToSavepoint(name).execute();
        results.push(error instanceof Error ? error : new Error(String(error)));
      }
    }
    await trx.commit().execute();
  } catch (error) {
    await trx.rollback().execute();
    throw error;
  }
  return results;
}
