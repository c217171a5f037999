/**
 * An import run: the entries of one source (a MyAnimeList export, a Letterboxd archive, a blog…)
 * written in batches, each entry all or nothing (import.service.ts), with the run's progress and
 * its per-entry report written in the same transaction as each batch. A source that turns out to
 * be broken part-way (a truncated archive) has what the run wrote undone, so a file lands whole
 * or leaves nothing behind. A finished run can be undone later, newest first.
 */
import { WriteMemo, type WriteContext } from '../db/compiled.js';
import type { Db } from '../db/connection.js';
import type { ReviewRow } from '../db/schema.js';
import * as lists from '../lists/lists.repository.js';
import * as reviews from '../reviews/reviews.repository.js';
import { renderReview } from '../reviews/reviews.render.js';
import { indexReviews } from '../reviews/reviews.service.js';
import { searchIndexFor } from '../search/search.js';
import { AppError } from '../shared/errors.js';
import { cleanName } from '../shared/text.js';
import * as works from '../works/works.repository.js';
import { findOrCreateName } from '../works/works.service.js';
import { deleteUnusedNamesSince } from '../works/names.repository.js';
import { importSourceItems, type SourceItemResult } from './import.service.js';
import type { SourceEntry, SourceItem } from './import.types.js';
import * as runs from './runs.repository.js';
import { HeapGovernor } from './memory.js';

export interface RunOptions {
  format: string;
  /** The file or files, as the user named them. */
  source: string;
  /** The author entries are filed under unless they name their own. */
  author: string;
  bytesTotal?: number | null;
  /** Bytes of the source read so far, for progress. */
  bytesRead?: () => number;
  onProgress?: (run: { entries: number; bytesRead: number; bytesTotal: number | null }) => void;
  /** Entries written per transaction. */
  batchSize?: number;
  /** Write the entries that make new works at once (see importSourceItems); on unless false. */
  bulk?: boolean;
  now?: () => string;
  /** Called with the run's id as soon as it is recorded, before any entry is read. */
  onStarted?: (id: number) => void;
}

export interface RunResult {
  id: number;
  status: 'done' | 'failed';
  counts: runs.RunCounts;
  /** Why the source could not be read to its end (its writes were undone). */
  error: string | null;
}

const isoNow = () => new Date().toISOString();

/** A run reports after every batch; one silent for this long has lost its process. */
export const STALLED_AFTER_MS = 10 * 60 * 1000;

/** Whether a run still marked running stopped reporting (its process died): it may be undone. */
export function isStalled(run: { status: string; updatedAt: string }, now: string): boolean {
  return run.status === 'running' && Date.parse(now) - Date.parse(run.updatedAt) > STALLED_AFTER_MS;
}
const zero = (): runs.RunCounts => ({ entries: 0, created: 0, matched: 0, updated: 0, unchanged: 0, skipped: 0, failed: 0, uncertain: 0 });

function add(total: runs.RunCounts, part: runs.RunCounts): void {
  for (const k of Object.keys(total) as (keyof runs.RunCounts)[]) total[k] += part[k];
}

/** The report row of one entry, and how it counts. */
function reportRow(
  importId: number,
  position: number,
  entry: SourceEntry,
  result: SourceItemResult | Error | undefined,
  warnings: string[],
): { row: runs.NewImportItem; counts: runs.RunCounts } {
  // Every row names every column: a multi-row insert on SQLite fills a missing one with null, not its default.
  const base = {
    importId,
    position,
    ref: entry.ref,
    warnings: JSON.stringify(warnings),
    workId: null,
    workAction: null,
    matchReason: null,
    uncertain: 0,
    reviewId: null,
    reviewAction: null,
    entryId: null,
    entryAction: null,
    previous: null,
  };
  const counts = zero();
  counts.entries = 1;
  if ('skip' in entry) {
    counts.skipped = 1;
    return { row: { ...base, outcome: 'skipped' as const, reason: entry.skip }, counts };
  }
  if ('error' in entry || result instanceof Error || !result) {
    counts.failed = 1;
    const reason = 'error' in entry ? entry.error : `not saved: ${result instanceof Error ? result.message : 'no result'}`;
    return { row: { ...base, outcome: 'failed' as const, reason }, counts };
  }
  const actions = [result.review?.action, result.entry?.action];
  const outcome: 'created' | 'updated' | 'unchanged' = actions.includes('created') ? 'created' : actions.includes('updated') ? 'updated' : 'unchanged';
  counts[outcome] = 1;
  if (result.work.action !== 'created') counts.matched = 1;
  if (result.work.uncertain) counts.uncertain = 1;
  const previous = result.review?.previous || result.entry?.previous ? JSON.stringify({ review: result.review?.previous, entry: result.entry?.previous }) : null;
  return {
    row: {
      ...base,
      outcome,
      reason: null,
      workId: result.work.id,
      workAction: result.work.action,
      matchReason: result.work.reason,
      uncertain: result.work.uncertain ? 1 : 0,
      reviewId: result.review?.id ?? null,
      reviewAction: result.review?.action ?? null,
      entryId: result.entry?.id ?? null,
      entryAction: result.entry?.action ?? null,
      previous,
    },
    counts,
  };
}

async function startRun(db: Db, options: RunOptions, now: string): Promise<number> {
  return db.kysely.transaction().execute(async (trx) => {
    const author = await findOrCreateName({ trx, dialect: db.dialect, memo: new WriteMemo(), searchWrites: [] }, 'authors', cleanName(options.author), now);
    return runs.insertImportRun(trx, { format: options.format, source: options.source, authorId: author.id, bytesTotal: options.bytesTotal ?? null, now });
  });
}

/** Imports `entries` as one run and returns its outcome; the report is kept (see `runs.listImportItems`). */
export async function runImport(db: Db, entries: AsyncIterable<SourceEntry>, options: RunOptions): Promise<RunResult> {
  const now = options.now ?? isoNow;
  const batchSize = options.batchSize ?? 1000;
  const id = await startRun(db, options, now());
  options.onStarted?.(id);
  const memo = new WriteMemo();
  const heap = new HeapGovernor();
  const total = zero();
  let position = 0;
  // PostgreSQL: the statistics are refreshed each time the run has doubled the works it started with.
  let analyzedAt = db.dialect === 'postgres' ? Math.max(await runs.estimatedWorks(db.kysely), 100) : Infinity;

  const writeBatch = async (batch: SourceEntry[]) => {
    const items = batch.flatMap((e) => ('item' in e ? [e.item] : []));
    const write = async (w: WriteContext, results: (SourceItemResult | Error)[]) => {
      const part = zero();
      const rows: runs.NewImportItem[] = [];
      let k = 0;
      for (const entry of batch) {
        const result = 'item' in entry ? results[k++] : undefined;
        const { row, counts } = reportRow(id, ++position, entry, result, 'item' in entry ? entry.item.warnings : []);
        rows.push(row);
        add(part, counts);
      }
      await runs.insertImportItems(w.trx, rows);
      await runs.addToImportRun(w.trx, id, part, options.bytesRead?.() ?? 0, now());
      add(total, part);
    };
    const first = position;
    try {
      await importSourceItems(db, items as SourceItem[], { author: cleanName(options.author), now, keepText: true }, { memo, beforeCommit: write, bulk: options.bulk ?? true });
    } catch (error) {
      position = first;
      throw error;
    }
    if (total.created >= analyzedAt) {
      await runs.analyzeImportedTables(db.kysely);
      analyzedAt = 2 * total.created;
    }
    heap.afterBatch();
    options.onProgress?.({ entries: total.entries, bytesRead: options.bytesRead?.() ?? 0, bytesTotal: options.bytesTotal ?? null });
  };

  let batch: SourceEntry[] = [];
  try {
    for await (const entry of entries) {
      batch.push(entry);
      if (batch.length >= batchSize) {
        await writeBatch(batch);
        batch = [];
      }
    }
    if (batch.length) await writeBatch(batch);
  } catch (error) {
    if (!(error instanceof AppError)) {
      await undoWrites(db, id).catch(() => undefined);
      await runs.finishImportRun(db.kysely, id, { status: 'failed', error: error instanceof Error ? error.message : String(error), now: now() });
      throw error;
    }
    // The source is broken part-way: take back what was written from it, then say why.
    await undoWrites(db, id);
    await runs.finishImportRun(db.kysely, id, { status: 'failed', error: error.message, now: now() });
    return { id, status: 'failed', counts: total, error: error.message };
  }
  await runs.finishImportRun(db.kysely, id, { status: 'done', now: now() });
  return { id, status: 'done', counts: total, error: null };
}

/**
 * Undoes a finished run: the reviews and list entries it created are deleted, those it changed
 * get their earlier values back, and the works, people, studios, platforms, tags and authors it
 * created go too when nothing else refers to them. Details it added to works that were already
 * there stay: another review may rely on them.
 * Runs are undone newest first where they touched the same reviews or entries.
 */
export async function undoImport(db: Db, id: number, now: () => string = isoNow): Promise<{ reviews: number; entries: number; works: number; names: number }> {
  const run = await runs.findImportRun(db.kysely, id);
  if (!run) throw new AppError('not_found', `Import #${id} was not found.`);
  if (run.undoneAt || run.status === 'undone') throw new AppError('conflict', `Import #${id} was already undone.`);
  if (run.status === 'running' && !isStalled(run, now())) throw new AppError('conflict', `Import #${id} is still running.`);
  const later = await runs.findLaterOverlappingRun(db.kysely, id);
  if (later !== undefined) throw new AppError('conflict', `Import #${later} changed reviews or list entries that import #${id} wrote; undo #${later} first.`);
  if (!(await runs.claimRunForUndo(db.kysely, id, now()))) throw new AppError('conflict', `Import #${id} is being undone already.`);
  try {
    return await undoWrites(db, id);
  } catch (error) {
    await runs.finishImportRun(db.kysely, id, { status: run.status, error: run.error, now: now() });
    throw error;
  }
}

/** Reverses what run `id` wrote, in one transaction. */
async function undoWrites(db: Db, id: number): Promise<{ reviews: number; entries: number; works: number; names: number }> {
  const search = searchIndexFor(db);
  const run = await runs.findImportRun(db.kysely, id);
  if (!run) throw new AppError('not_found', `Import #${id} was not found.`);
  const changes = await runs.listImportChanges(db.kysely, id);
  const counts = { reviews: 0, entries: 0, works: 0, names: 0 };
  await db.kysely.transaction().execute(async (trx) => {
    const touched = new Set<number>();
    const restored: number[] = [];
    const createdWorks: number[] = [];
    for (const c of changes) {
      const previous = c.previous ? (JSON.parse(c.previous) as { review?: ReviewRow; entry?: lists.ListEntryRow }) : {};
      if (c.reviewId !== null && c.reviewAction === 'created') {
        await search.remove(trx, 'reviews', c.reviewId);
        await reviews.deleteReview(trx, c.reviewId);
        counts.reviews++;
      } else if (c.reviewId !== null && c.reviewAction === 'updated' && previous.review) {
        const p = previous.review;
        await reviews.updateReview(trx, c.reviewId, {
          status: p.status,
          headline: p.headline,
          summary: p.summary,
          body: p.body,
          scoreValue: p.scoreValue,
          scoreMax: p.scoreMax,
          scoreText: p.scoreText,
          rating: p.rating,
          hasSpoilers: p.hasSpoilers,
          publishedAt: p.publishedAt,
          updatedAt: p.updatedAt,
        });
        restored.push(c.reviewId);
        counts.reviews++;
      }
      if (c.entryId !== null && c.entryAction === 'created') {
        await lists.deleteListEntry(trx, c.entryId);
        counts.entries++;
      } else if (c.entryId !== null && c.entryAction === 'updated' && previous.entry) {
        const { status, progress, startedOn, finishedOn, timesWatched, tags, updatedAt } = previous.entry;
        await lists.updateListEntry(trx, c.entryId, { status, progress, startedOn, finishedOn, timesWatched, tags, updatedAt });
        counts.entries++;
      }
      if (c.workId !== null) touched.add(c.workId);
      if (c.workId !== null && c.workAction === 'created') createdWorks.push(c.workId);
    }
    for (const workId of createdWorks) {
      if ((await reviews.countReviewsOfWork(trx, workId)) > 0 || (await lists.countListEntriesOfWork(trx, workId)) > 0) continue;
      await search.remove(trx, 'works', workId);
      await works.deleteWork(trx, workId);
      touched.delete(workId);
      counts.works++;
    }
    // The people, studios, tags and authors the run brought, unless something else uses them now.
    counts.names = await deleteUnusedNamesSince(trx, run.startedAt);
    await works.refreshWorkAggregates(trx, [...touched]);
    for (const view of await reviews.findReviewViews(trx, restored)) {
      await reviews.saveReviewRender(trx, view.id, renderReview(view.body));
      await indexReviews(trx, search, [view]);
    }
  });
  return counts;
}
