/**
 * `kansou import` for review files: read, parse, and (unless it is a dry run) write each
 * file on its own, so one bad file never stops or half-writes the others.
 */
import type { Db } from '../db/connection.js';
import { cleanName } from '../shared/text.js';
import { readTextFile, UnreadableFileError } from './files.js';
import { importParsedItem, type ItemResult } from './import.service.js';
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

export async function parseFile(path: string): Promise<ParsedItem> {
  const text = await readTextFile(path);
  return parsePlainText(text, { filename: path });
}

export async function importTextFile(db: Db | null, path: string, author: string): Promise<FileReport> {
  let item: ParsedItem;
  try {
    item = await parseFile(path);
  } catch (error) {
    if (error instanceof UnreadableFileError || error instanceof PlainTextParseError) return failed(path, error.message);
    throw error;
  }
  const report: FileReport = {
    source: path,
    ok: true,
    error: null,
    warnings: item.warnings,
    work: {
      title: item.work.title,
      altTitles: item.work.altTitles,
      kind: item.work.kind,
      year: item.work.year,
      credits: item.work.credits,
      studios: item.work.studios,
      platforms: item.work.platforms,
      tags: item.work.tags,
    },
    review: {
      headline: item.review.headline,
      score: item.review.score,
      rating: item.review.rating,
      body: item.review.body,
      hasSpoilers: item.review.hasSpoilers,
    },
  };
  if (!db) return report;
  try {
    report.result = await importParsedItem(db, item, { author: cleanName(author) });
  } catch (error) {
    return { ...failed(path, `not saved: ${(error as Error).message}`), warnings: item.warnings };
  }
  return report;
}

function failed(source: string, error: string): FileReport {
  return { source, ok: false, error, warnings: [], work: null, review: null };
}
