/**
 * `kansou import` for review files: read and parse each file, then write the parsed ones in
 * batches (each file all or nothing, see import.service.ts), so one bad file never stops or
 * half-writes the others.
 *
 * With more than one batch of files, reading, parsing and rendering (import/prepare.ts) run on a
 * worker thread, a few batches ahead of the main thread, which writes; when the worker falls
 * behind, the main thread prepares some files itself (import/units.ts). Preparing takes about
 * as long as writing, so the second core halves the time.
 */
import { WriteMemo } from '../db/compiled.js';
import type { Db } from '../db/connection.js';
import { cleanName } from '../shared/text.js';
import { importParsedItems, type ItemResult } from './import.service.js';
import type { ParsedItem } from './import.types.js';
import { prepareFile, type PreparedFile } from './prepare.js';
import { PreparedUnits } from './units.js';

/** One entry of the dry-run JSON document (docs/import.md) and of the import report. */
export interface FileReport {
  source: string;
  ok: boolean;
  error: string | null;
  warnings: string[];
  work: Omit<ParsedItem['work'], 'synopsis' | 'externalIds'> | null;
  review: Pick<ParsedItem['review'], 'headline' | 'score' | 'rating' | 'body' | 'hasSpoilers'> | null;
  /** What was written; absent in a dry run and for failed files. */
  result?: ItemResult;
}

export interface TextImportOptions {
  /** Read and parse on a worker thread: by default when there is more than one batch of files. */
  worker?: boolean;
}

/** Files written per transaction: large enough to spread the cost of a commit, small enough to report steadily. */
const BATCH = 100;
/** Files the worker prepares at a time: the main thread, when it would wait, prepares the last of a batch's units itself. */
const UNIT = 10;
/** Batches the worker may read ahead of the writing. */
const AHEAD = 3;

function failed(source: string, error: string, warnings: string[] = []): FileReport {
  return { source, ok: false, error, warnings, work: null, review: null };
}

function reportOf(file: PreparedFile): FileReport {
  if (file.error !== undefined) return failed(file.path, file.error);
  const { work, review } = file.item;
  return {
    source: file.path,
    ok: true,
    error: null,
    warnings: file.item.warnings,
    work: {
      title: work.title,
      altTitles: work.altTitles,
      kind: work.kind,
      year: work.year,
      credits: work.credits,
      studios: work.studios,
      platforms: work.platforms,
      tags: work.tags,
    },
    review: { headline: review.headline, score: review.score, rating: review.rating, body: review.body, hasSpoilers: review.hasSpoilers },
  };
}

/** Reads and parses one file; a file that is not a review gives a failed report, not an exception. */
export function readReviewFile(path: string): { report: FileReport; item: ParsedItem | null } {
  const file = prepareFile(path);
  return { report: reportOf(file), item: file.error === undefined ? file.item : null };
}

/**
 * Imports the files in order (a dry run when `db` is null) and hands each report to `onReport`
 * once it is durable. Entries marked missing are reported as such.
 */
export async function importTextFiles(
  db: Db | null,
  files: { path: string; missing: boolean }[],
  author: string,
  onReport: (report: FileReport) => void = () => {},
  options: TextImportOptions = {},
): Promise<FileReport[]> {
  const batches: { files: { path: string; missing: boolean }[]; units: [number, number] }[] = [];
  const units: string[][] = [];
  for (let start = 0; start < files.length; start += BATCH) {
    const batch = files.slice(start, start + BATCH);
    const paths = batch.filter((f) => !f.missing).map((f) => f.path);
    const first = units.length;
    for (let u = 0; u < paths.length; u += UNIT) units.push(paths.slice(u, u + UNIT));
    batches.push({ files: batch, units: [first, units.length] });
  }
  const prepared = new PreparedUnits(units, options.worker ?? batches.length > 1);
  const memo = new WriteMemo();
  const reports: FileReport[] = [];
  try {
    for (const [i, { files: batchFiles, units: range }] of batches.entries()) {
      prepared.allow(batches[Math.min(batches.length - 1, i + AHEAD)]!.units[1]);
      const ready = await prepared.take(...range);
      let next = 0;
      const batch = batchFiles.map((f) => {
        if (f.missing) return { report: failed(f.path, 'no such file or folder'), file: undefined };
        const file = ready[next++]!;
        return { report: reportOf(file), file: file.error === undefined ? file : undefined };
      });
      const toWrite = batch.filter((b): b is { report: FileReport; file: Extract<PreparedFile, { item: ParsedItem }> } => b.file !== undefined);
      if (db && toWrite.length) {
        const results = await importParsedItems(
          db,
          toWrite.map((b) => b.file.item),
          { author: cleanName(author) },
          { prepared: toWrite.map((b) => b.file.prepared), memo, bulk: true },
        );
        results.forEach((result, k) => {
          const entry = toWrite[k]!;
          if (result instanceof Error) entry.report = failed(entry.report.source, `not saved: ${result.message}`, entry.report.warnings);
          else entry.report.result = result;
        });
      }
      for (const { report } of batch) {
        reports.push(report);
        onReport(report);
      }
    }
  } finally {
    await prepared.close();
  }
  return reports;
}

/** One file, on its own. */
export async function importTextFile(db: Db | null, path: string, author: string): Promise<FileReport> {
  const [report] = await importTextFiles(db, [{ path, missing: false }], author);
  return report!;
}
