/**
 * `kansou import` for review files: read and parse each file, then write the parsed ones in
 * batches (each file all or nothing, see import.service.ts), so one bad file never stops or
 * half-writes the others.
 */
import type { Db } from '../db/connection.js';
import { cleanName } from '../shared/text.js';
import { readTextFile, UnreadableFileError } from './files.js';
import { importParsedItems, type ItemResult } from './import.service.js';
import type { ParsedItem } from './import.types.js';
import { parsePlainText, PlainTextParseError } from './plaintext/plaintext.parser.js';

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

/** Files written per transaction: large enough to spread the cost of a commit, small enough to report steadily. */
const BATCH = 100;

function failed(source: string, error: string, warnings: string[] = []): FileReport {
  return { source, ok: false, error, warnings, work: null, review: null };
}

/** Reads and parses one file; a file that is not a review gives a failed report, not an exception. */
export function readReviewFile(path: string): { report: FileReport; item: ParsedItem | null } {
  let item: ParsedItem;
  try {
    item = parsePlainText(readTextFile(path), { filename: path });
  } catch (error) {
    if (error instanceof UnreadableFileError || error instanceof PlainTextParseError) return { report: failed(path, error.message), item: null };
    throw error;
  }
  const { work, review } = item;
  return {
    item,
    report: {
      source: path,
      ok: true,
      error: null,
      warnings: item.warnings,
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
    },
  };
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
): Promise<FileReport[]> {
  const reports: FileReport[] = [];
  for (let start = 0; start < files.length; start += BATCH) {
    const batch = files.slice(start, start + BATCH).map((f) => (f.missing ? { report: failed(f.path, 'no such file or folder'), item: null } : readReviewFile(f.path)));
    const toWrite = batch.filter((b): b is { report: FileReport; item: ParsedItem } => b.item !== null);
    if (db && toWrite.length) {
      const results = await importParsedItems(db, toWrite.map((b) => b.item), { author: cleanName(author) });
      results.forEach((result, i) => {
        const entry = toWrite[i]!;
        if (result instanceof Error) entry.report = failed(entry.report.source, `not saved: ${result.message}`, entry.report.warnings);
        else entry.report.result = result;
      });
    }
    for (const { report } of batch) {
      reports.push(report);
      onReport(report);
    }
  }
  return reports;
}

/** One file, on its own. */
export async function importTextFile(db: Db | null, path: string, author: string): Promise<FileReport> {
  const [report] = await importTextFiles(db, [{ path, missing: false }], author);
  return report!;
}
