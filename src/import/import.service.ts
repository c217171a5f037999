/**
 * The one place where imported items are written. Every importer (plain text now; lists and
 * feeds later) hands over `ParsedItem`s. Each item lands whole or not at all: items are written
 * in one transaction, each inside a savepoint, so a bad item never stops or half-writes the
 * ones around it while a batch pays for one commit instead of many.
 *
 * Writing goes through compiled statements (db/compiled.ts); lookups that repeat from item to
 * item (the author, people, studios, platforms, tags) are remembered in a `WriteMemo`, which
 * forgets what a rolled-back item had created. Search documents are written once the items are
 * done (FTS5 flushes its pending index data at every savepoint), and the works' aggregates are
 * recomputed once for every work whose review changed, both just before the commit and only
 * for the items that were kept: a batch still lands all or nothing per item.
 */
import { sql } from 'kysely';
import { compiled, WriteMemo, type WriteContext } from '../db/compiled.js';
import type { Db } from '../db/connection.js';
import { saveReviewOfWork } from '../reviews/reviews.service.js';
import { searchIndexFor } from '../search/search.js';
import { refreshWorkAggregatesIn } from '../works/works.repository.js';
import { findOrCreateName, upsertWork } from '../works/works.service.js';
import type { ParsedItem } from './import.types.js';
import type { PreparedItem } from './prepare.js';

export interface ItemResult {
  work: { slug: string; action: 'created' | 'matched' | 'updated'; reason: string };
  review: { id: number; action: 'created' | 'updated' | 'unchanged' };
}

export interface ImportOptions {
  /** Display name of the author the reviews are filed under. */
  author: string;
  now?: () => string;
}

export interface BatchOptions {
  /** `prepareItem(item)` of each item, by position, when worked out beforehand (import/prepare.ts). */
  prepared?: (PreparedItem | undefined)[];
  /** Lookups to reuse from earlier batches of the same import (see WriteMemo). */
  memo?: WriteMemo;
}

const isoNow = () => new Date().toISOString();

const savepoint = compiled<never, []>((db) => ({ compile: () => sql`savepoint import_item`.compile(db) as never }));
const release = compiled<never, []>((db) => ({ compile: () => sql`release savepoint import_item`.compile(db) as never }));
const rollbackTo = compiled<never, []>((db) => ({ compile: () => sql`rollback to savepoint import_item`.compile(db) as never }));

async function writeItem(
  w: WriteContext,
  item: ParsedItem,
  prepared: PreparedItem | undefined,
  options: ImportOptions,
): Promise<{ result: ItemResult; workId: number }> {
  const now = (options.now ?? isoNow)();
  const work = await upsertWork(w, item.work, now, prepared?.work);
  const author = await findOrCreateName(w, 'authors', options.author, now);
  const review = await saveReviewOfWork(w, {
    workId: work.workId,
    workTitle: work.title,
    newWork: work.action === 'created',
    authorId: author.id,
    review: item.review,
    now,
    prepared: prepared?.review,
  });
  return {
    workId: work.workId,
    result: {
      work: { slug: work.slug, action: work.action, reason: work.reason },
      review: { id: review.reviewId, action: review.action },
    },
  };
}

/** Writes one item in its own transaction; throws what made it fail (nothing is written then). */
export async function importParsedItem(db: Db, item: ParsedItem, options: ImportOptions): Promise<ItemResult> {
  const [result] = await importParsedItems(db, [item], options);
  if (result instanceof Error) throw result;
  return result!;
}

/**
 * Writes items in one transaction, each inside a savepoint: an item that fails is rolled back
 * alone and returned as its error. Nothing is durable until the whole call returns.
 */
export async function importParsedItems(db: Db, items: ParsedItem[], options: ImportOptions, batch: BatchOptions = {}): Promise<(ItemResult | Error)[]> {
  const search = searchIndexFor(db);
  const memo = batch.memo ?? new WriteMemo();
  const results: (ItemResult | Error)[] = [];
  try {
    await db.kysely.transaction().execute(async (trx) => {
      const w: WriteContext = { trx, dialect: db.dialect, sqlite: db.sqlite, memo, searchWrites: [] };
      const changedWorks = new Set<number>();
      for (const [i, item] of items.entries()) {
        await savepoint.all(w);
        const queued = w.searchWrites.length;
        let written: { result: ItemResult; workId: number };
        try {
          written = await writeItem(w, item, batch.prepared?.[i], options);
        } catch (error) {
          await rollbackTo.all(w);
          await release.all(w);
          memo.itemUndone();
          w.searchWrites.length = queued;
          results.push(error instanceof Error ? error : new Error(String(error)));
          continue;
        }
        await release.all(w);
        memo.itemKept();
        results.push(written.result);
        if (written.result.review.action !== 'unchanged') changedWorks.add(written.workId);
      }
      // After the savepoints (see SearchIndex.writeIn), and only what the items kept.
      await search.writeIn(w, w.searchWrites);
      // Recomputed from the reviews as they now stand: a rolled-back item left nothing to count.
      for (const workId of changedWorks) await refreshWorkAggregatesIn(w, workId);
    });
  } catch (error) {
    memo.rolledBack();
    throw error;
  }
  memo.committed();
  return results;
}
