/**
 * The one place where imported items are written. Every importer (review files, lists, blogs)
 * hands over `SourceItem`s (a review file's `ParsedItem` is one). Each item lands whole or not at all: items are written
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
import type { ParsedItem, SourceItem } from './import.types.js';
import type { ReviewRow } from '../db/schema.js';
import { saveListEntry } from '../lists/lists.service.js';
import type { ListEntryRow } from '../lists/lists.repository.js';
import { saveReviewSourceIn } from '../reviews/reviews.repository.js';
import { cleanName } from '../shared/text.js';
import type { PreparedItem } from './prepare.js';

export interface ItemResult {
  work: { slug: string; action: 'created' | 'matched' | 'updated'; reason: string };
  review: { id: number; action: 'created' | 'updated' | 'unchanged' };
}

/** What writing a `SourceItem` did, with what undoing it must put back. */
export interface SourceItemResult {
  work: { id: number; slug: string; action: 'created' | 'matched' | 'updated'; reason: string; uncertain: boolean };
  review: { id: number; action: 'created' | 'updated' | 'unchanged'; previous?: ReviewRow } | null;
  entry: { id: number; action: 'created' | 'updated' | 'unchanged'; previous?: ListEntryRow } | null;
}

export interface ImportOptions {
  /** Display name of the author the reviews are filed under (unless an item names its own). */
  author: string;
  now?: () => string;
  /** A review without words only changes the score of one that has words (list imports). */
  keepText?: boolean;
}

export interface BatchOptions {
  /** `prepareItem(item)` of each item, by position, when worked out beforehand (import/prepare.ts). */
  prepared?: (PreparedItem | undefined)[];
  /** Lookups to reuse from earlier batches of the same import (see WriteMemo). */
  memo?: WriteMemo;
  /** Runs last in the batch's transaction, with every item's outcome (an import run records its report there). */
  beforeCommit?: (w: WriteContext, results: (SourceItemResult | Error)[]) => Promise<void>;
}

const isoNow = () => new Date().toISOString();

const savepoint = compiled<never, []>((db) => ({ compile: () => sql`savepoint import_item`.compile(db) as never }));
const release = compiled<never, []>((db) => ({ compile: () => sql`release savepoint import_item`.compile(db) as never }));
const rollbackTo = compiled<never, []>((db) => ({ compile: () => sql`rollback to savepoint import_item`.compile(db) as never }));

/** The path (and query) of an old address: what a request for it carries here. */
function pathOf(url: string): string | undefined {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? `${parsed.pathname}${parsed.search}` : undefined;
  } catch {
    return undefined;
  }
}

async function writeItem(
  w: WriteContext,
  item: SourceItem,
  prepared: PreparedItem | undefined,
  options: ImportOptions,
): Promise<SourceItemResult> {
  const now = (options.now ?? isoNow)();
  const work = await upsertWork(w, item.work, now, prepared?.work);
  const author = await findOrCreateName(w, 'authors', item.author ? cleanName(item.author) : options.author, now);
  let review: SourceItemResult['review'] = null;
  if (item.review) {
    const saved = await saveReviewOfWork(w, {
      workId: work.workId,
      workTitle: work.title,
      newWork: work.action === 'created',
      authorId: author.id,
      review: item.review,
      now,
      prepared: prepared?.review,
      keepText: options.keepText,
    });
    review = { id: saved.reviewId, action: saved.action, ...(saved.previous && { previous: saved.previous }) };
    const path = item.sourceUrl ? pathOf(item.sourceUrl) : undefined;
    if (item.sourceUrl && path) await saveReviewSourceIn(w, saved.reviewId, item.sourceUrl, path);
  }
  let entry: SourceItemResult['entry'] = null;
  if (item.entry) {
    const saved = await saveListEntry(w, { authorId: author.id, workId: work.workId, newWork: work.action === 'created', entry: item.entry, now });
    entry = { id: saved.entryId, action: saved.action, ...(saved.previous && { previous: saved.previous }) };
  }
  return {
    work: { id: work.workId, slug: work.slug, action: work.action, reason: work.reason, uncertain: work.uncertain },
    review,
    entry,
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
  const results = await importSourceItems(db, items, options, batch);
  return results.map((r) =>
    r instanceof Error ? r : { work: { slug: r.work.slug, action: r.work.action, reason: r.work.reason }, review: { id: r.review!.id, action: r.review!.action } },
  );
}

/**
 * `importParsedItems` for any importer's items: reviews (or none), list entries, old addresses,
 * an author per item.
 */
export async function importSourceItems(db: Db, items: SourceItem[], options: ImportOptions, batch: BatchOptions = {}): Promise<(SourceItemResult | Error)[]> {
  const search = searchIndexFor(db);
  const memo = batch.memo ?? new WriteMemo();
  const results: (SourceItemResult | Error)[] = [];
  try {
    await db.kysely.transaction().execute(async (trx) => {
      const w: WriteContext = { trx, dialect: db.dialect, sqlite: db.sqlite, memo, searchWrites: [] };
      const changedWorks = new Set<number>();
      for (const [i, item] of items.entries()) {
        await savepoint.all(w);
        const queued = w.searchWrites.length;
        let written: SourceItemResult;
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
        results.push(written);
        if (written.review && written.review.action !== 'unchanged') changedWorks.add(written.work.id);
      }
      // After the savepoints (see SearchIndex.writeIn), and only what the items kept.
      await search.writeIn(w, w.searchWrites);
      // Recomputed from the reviews as they now stand: a rolled-back item left nothing to count.
      for (const workId of changedWorks) await refreshWorkAggregatesIn(w, workId);
      await batch.beforeCommit?.(w, results);
    });
  } catch (error) {
    memo.rolledBack();
    throw error;
  }
  memo.committed();
  return results;
}
