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
import { searchIndexFor } from '../search/search.js';
import { refreshWorkAggregates, refreshWorkAggregatesIn } from '../works/works.repository.js';
import { createNewWorksIn, findCertainlyNewWorks, findOrCreateName, upsertWork, type DescribedAndPrepared } from '../works/works.service.js';
import { createReviewsOfNewWorksIn, saveReviewOfWork } from '../reviews/reviews.service.js';
import { createEntriesOfNewWorksIn, saveListEntry } from '../lists/lists.service.js';
import { isValidScore } from '../reviews/score.js';
import { prepareWork } from './prepare.js';
import type { ParsedItem, SourceItem } from './import.types.js';
import type { ReviewRow } from '../db/schema.js';
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
  /**
   * Write the items that certainly make new works (see `writeNewWorksAtOnce`) with multi-row
   * statements before the others: list imports and review files, where most items of a first
   * import are new.
   */
  bulk?: boolean;
}

/** The multi-row writing of a batch failed: the batch is written again item by item. */
class BulkWriteFailed extends Error {}

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
  prepared: Partial<PreparedItem> | undefined,
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
 * The items of a batch that certainly make a new work (none of their ids, titles or slug is
 * known, nor shared within the batch: `findCertainlyNewWorks`), written as `writeItem` would
 * write each (the work, the author's review and list entry, the works' aggregates) but with one
 * multi-row statement per table: a first import of a long list or of a folder of reviews is
 * mostly such items, and on PostgreSQL each statement is a round trip. Items with an invalid score or an old address are
 * left to `writeItem`, which reports or records them. Their results, by index.
 */
async function writeNewWorksAtOnce(
  w: WriteContext,
  items: SourceItem[],
  described: DescribedAndPrepared[],
  prepared: BatchOptions['prepared'],
  options: ImportOptions,
): Promise<Map<number, SourceItemResult>> {
  const now = (options.now ?? isoNow)();
  const certain = await findCertainlyNewWorks(w, described);
  const picked = items.flatMap((item, i) => (certain[i] && !item.sourceUrl && (!item.review?.score || isValidScore(item.review.score)) ? [i] : []));
  if (picked.length < 2) return new Map();
  const created = await createNewWorksIn(
    w,
    picked.map((i) => described[i]!),
    now,
  );
  const authorIds: number[] = [];
  for (const i of picked) {
    const named = items[i]!.author;
    authorIds.push((await findOrCreateName(w, 'authors', named ? cleanName(named) : options.author, now)).id);
  }
  const reviewInputs = picked.flatMap((i, k) => {
    const review = items[i]!.review;
    return review ? [{ workId: created[k]!.workId, workTitle: created[k]!.title, authorId: authorIds[k]!, review, now, prepared: prepared?.[i]?.review, keepText: options.keepText }] : [];
  });
  const reviewIds = await createReviewsOfNewWorksIn(w, reviewInputs);
  const entryIds = await createEntriesOfNewWorksIn(
    w,
    picked.flatMap((i, k) => {
      const entry = items[i]!.entry;
      return entry ? [{ authorId: authorIds[k]!, workId: created[k]!.workId, entry, now }] : [];
    }),
  );
  await refreshWorkAggregates(w.trx, reviewInputs.map((r) => r.workId));
  w.memo.itemKept();
  const results = new Map<number, SourceItemResult>();
  for (const [k, i] of picked.entries()) {
    const work = created[k]!;
    const item = items[i]!;
    results.set(i, {
      work: { id: work.workId, slug: work.slug, action: work.action, reason: work.reason, uncertain: work.uncertain },
      review: item.review ? { id: reviewIds.get(work.workId)!, action: 'created' } : null,
      entry: item.entry ? { id: entryIds.get(work.workId)!, action: 'created' } : null,
    });
  }
  return results;
}

/**
 * `importParsedItems` for any importer's items: reviews (or none), list entries, old addresses,
 * an author per item. With `batch.bulk`, the items that make new works are written at once;
 * should that fail (a slug taken meanwhile by another process, say), the batch is written
 * again item by item, and each item that cannot be written is reported as usual.
 */
export async function importSourceItems(db: Db, items: SourceItem[], options: ImportOptions, batch: BatchOptions = {}): Promise<(SourceItemResult | Error)[]> {
  if (!batch.bulk) return writeItems(db, items, options, batch);
  try {
    return await writeItems(db, items, options, batch);
  } catch (error) {
    if (!(error instanceof BulkWriteFailed)) throw error;
    return writeItems(db, items, options, { ...batch, bulk: false });
  }
}

async function writeItems(db: Db, items: SourceItem[], options: ImportOptions, batch: BatchOptions): Promise<(SourceItemResult | Error)[]> {
  const search = searchIndexFor(db);
  const memo = batch.memo ?? new WriteMemo();
  const results: (SourceItemResult | Error)[] = [];
  try {
    await db.kysely.transaction().execute(async (trx) => {
      const w: WriteContext = { trx, dialect: db.dialect, sqlite: db.sqlite, memo, searchWrites: [] };
      const changedWorks = new Set<number>();
      let atOnce = new Map<number, SourceItemResult>();
      // Worked out once: the items left to `writeItem` below use the same.
      const described = batch.bulk ? items.map((item, i) => ({ parsed: item.work, prepared: batch.prepared?.[i]?.work ?? prepareWork(item.work) })) : undefined;
      if (described) {
        try {
          atOnce = await writeNewWorksAtOnce(w, items, described, batch.prepared, options);
        } catch (error) {
          throw new BulkWriteFailed(`writing new works at once failed: ${(error as Error).message}`, { cause: error });
        }
      }
      for (const [i, item] of items.entries()) {
        const done = atOnce.get(i);
        if (done) {
          results.push(done);
          continue;
        }
        await savepoint.all(w);
        const queued = w.searchWrites.length;
        let written: SourceItemResult;
        try {
          written = await writeItem(w, item, described ? { ...batch.prepared?.[i], work: described[i]!.prepared } : batch.prepared?.[i], options);
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
