/**
 * Reads Kansou's own CSV (docs/csv.md; written by csv.export.ts): one row per work, with the
 * author's review and list entry for it. Rows are read and yielded one at a time, so a file of
 * any size takes the memory of one row.
 *
 * A problem with the file as a whole (not text, no header, unknown columns) is an `AppError`
 * naming the file; a bad row is an error entry naming the line and the column, and the rows
 * after it carry on.
 */
import { basename } from 'node:path';
import type { Readable } from 'node:stream';
import { formatScore, isValidScore, ratingFromScore } from '../../reviews/score.js';
import { withoutSpoilers } from '../../reviews/spoilers.js';
import { AppError } from '../../shared/errors.js';
import { isCalendarDay } from '../../shared/dates.js';
import {
  LIST_STATUSES,
  WORK_KINDS,
  type ListStatus,
  type ParsedListEntry,
  type ParsedReview,
  type Score,
  type SourceEntry,
  type SourceItem,
  type WorkKind,
} from '../import.types.js';
import { CREDIT_COLUMNS, CSV_COLUMNS, ID_COLUMNS, parseAltTitle, restoreFormula, splitValues, type CsvColumn } from './csv.columns.js';
import { decodeChunks, readCsvRows } from './csv.read.js';

const KNOWN: ReadonlySet<string> = new Set(CSV_COLUMNS);
const DATE_TIME = /^(\d{4}-\d{2}-\d{2})[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?$/i;
const MAX_COUNT = 1_000_000;

/** A cell that cannot be read: the column and what is wrong with its value. */
class CellError extends Error {
  constructor(
    readonly column: CsvColumn,
    problem: string,
  ) {
    super(problem);
  }
}

type Row = Partial<Record<CsvColumn, string>>;

function quoted(value: string): string {
  return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}…` : value);
}


/** Reads the columns of one row; each reader throws a `CellError` naming its column. */
class RowReader {
  constructor(private readonly row: Row) {}

  text(column: CsvColumn): string | null {
    const value = this.row[column]?.trim();
    return value ? value : null;
  }

  list(column: CsvColumn): string[] {
    return splitValues(this.row[column] ?? '');
  }

  count(column: CsvColumn): number | null {
    const value = this.text(column);
    if (value === null) return null;
    if (!/^\d+$/.test(value) || Number(value) > MAX_COUNT) throw new CellError(column, `${quoted(value)} is not a whole number`);
    return Number(value);
  }

  year(): number | null {
    const value = this.text('year');
    if (value === null) return null;
    if (!/^\d{4}$/.test(value)) throw new CellError('year', `${quoted(value)} is not a year (four digits)`);
    return Number(value);
  }

  day(column: CsvColumn): string | null {
    const value = this.text(column);
    if (value === null) return null;
    if (!isCalendarDay(value)) throw new CellError(column, `${quoted(value)} is not a date (YYYY-MM-DD)`);
    return value;
  }

  dateTime(column: CsvColumn): string | null {
    const value = this.text(column);
    if (value === null) return null;
    const day = DATE_TIME.exec(value)?.[1] ?? value;
    if (!isCalendarDay(day) || Number.isNaN(Date.parse(value))) throw new CellError(column, `${quoted(value)} is not a date (YYYY-MM-DD, or an ISO 8601 date and time)`);
    return value;
  }

  oneOf<T extends string>(column: CsvColumn, allowed: readonly T[]): T | null {
    const value = this.text(column);
    if (value === null) return null;
    if (!(allowed as readonly string[]).includes(value)) throw new CellError(column, `${quoted(value)} is not one of ${allowed.join(', ')}`);
    return value as T;
  }

  score(): Score | null {
    const value = this.text('score');
    if (value === null) return null;
    const scale = this.text('scale');
    if (!/^\d+(?:\.\d+)?$/.test(value)) throw new CellError('score', `${quoted(value)} is not a number`);
    if (scale === null) throw new CellError('scale', `the score ${value} has no scale (5, 10, 100…): a score without one cannot be read`);
    if (!/^\d+$/.test(scale)) throw new CellError('scale', `${quoted(scale)} is not a whole number`);
    const score = { value: Number(value), max: Number(scale) };
    if (!isValidScore(score)) throw new CellError('score', `${value} out of ${scale} is not a score Kansou keeps (the scale is 4, 5, 10, 20 or 100, the score between 0 and the scale)`);
    return score;
  }

  url(column: CsvColumn): string | null {
    const value = this.text(column);
    if (value === null) return null;
    let ok = false;
    try {
      ok = ['http:', 'https:'].includes(new URL(value).protocol);
    } catch {
      ok = false;
    }
    if (!ok) throw new CellError(column, `${quoted(value)} is not a web address (http or https)`);
    return value;
  }
}

function readItem(row: Row): SourceItem {
  const r = new RowReader(row);
  const title = r.text('title');
  if (title === null) throw new CellError('title', 'the title is empty');

  const credits: SourceItem['work']['credits'] = [];
  for (const [column, role] of Object.entries(CREDIT_COLUMNS) as [CsvColumn, (typeof CREDIT_COLUMNS)[keyof typeof CREDIT_COLUMNS]][]) {
    for (const name of r.list(column)) credits.push({ role, name });
  }
  const externalIds: Record<string, string> = {};
  for (const [column, key] of Object.entries(ID_COLUMNS) as [CsvColumn, string][]) {
    const id = r.text(column);
    if (id !== null) externalIds[key] = id;
  }

  const work: SourceItem['work'] = {
    title,
    altTitles: r.list('alt_titles').map(parseAltTitle),
    kind: r.oneOf<WorkKind>('kind', WORK_KINDS),
    year: r.year(),
    synopsis: null,
    credits,
    studios: r.list('studio'),
    platforms: r.list('platform'),
    tags: r.list('tags'),
    externalIds,
    episodes: r.count('episodes'),
  };

  const score = r.score();
  // The review is Markdown, taken exactly as written: no trimming, so a round trip is exact.
  const body = row.review ?? '';
  const hasReview = score !== null || body.trim() !== '' || ['headline', 'summary', 'date'].some((c) => r.text(c as CsvColumn) !== null);
  const review: ParsedReview | null = hasReview
    ? {
        headline: r.text('headline'),
        summary: r.text('summary'),
        score,
        scoreText: score ? formatScore(score) : null,
        rating: score ? ratingFromScore(score) : null,
        body,
        hasSpoilers: withoutSpoilers(body) !== body,
        publishedAt: r.dateTime('date'),
        status: 'published',
      }
    : null;

  const entryColumns: CsvColumn[] = ['status', 'progress', 'started', 'finished', 'times_watched', 'list_tags'];
  const entry: ParsedListEntry | null = entryColumns.some((c) => r.text(c) !== null)
    ? {
        status: r.oneOf<ListStatus>('status', LIST_STATUSES),
        progress: r.count('progress'),
        startedOn: r.day('started'),
        finishedOn: r.day('finished'),
        timesWatched: r.count('times_watched'),
        tags: r.list('list_tags'),
      }
    : null;

  return { work, review, entry, sourceUrl: r.url('source_url'), warnings: [] };
}

/** The columns of the header row, by position; unknown or repeated columns fail the file. */
function readHeader(cells: string[], file: string): CsvColumn[] {
  const names = cells.map((c) => c.trim().toLowerCase());
  const unknown = names.filter((n) => !KNOWN.has(n));
  if (unknown.length > 0) {
    const list = unknown.map((n) => (n ? `"${n}"` : '(an empty header cell)')).join(', ');
    throw new AppError(
      'invalid_input',
      `${file}: unknown column${unknown.length > 1 ? 's' : ''} ${list} in the header row. The columns Kansou reads are: ${CSV_COLUMNS.join(', ')} (see docs/csv.md).`,
    );
  }
  const repeated = names.filter((n, i) => names.indexOf(n) !== i);
  if (repeated.length > 0) throw new AppError('invalid_input', `${file}: the column "${repeated[0]}" appears twice in the header row.`);
  if (!names.includes('title')) throw new AppError('invalid_input', `${file}: the header row has no "title" column, and every row needs a title.`);
  return names as CsvColumn[];
}

/**
 * The entries of a Kansou CSV file, one per row, in file order. `name` is the file's name, used
 * in references (`works.csv line 12 (Mushishi, 2005)`) and errors.
 */
export async function* parseCsvImport(input: Readable, name: string): AsyncGenerator<SourceEntry> {
  const file = basename(name);
  let columns: CsvColumn[] | undefined;
  for await (const { cells, line } of readCsvRows(decodeChunks(input, name), name)) {
    if (!columns) {
      columns = readHeader(cells, name);
      continue;
    }
    // A row of empty cells is what spreadsheets leave below the data: not an entry.
    if (cells.every((c) => c.trim() === '')) continue;

    const row: Row = {};
    columns.forEach((column, i) => (row[column] = restoreFormula(cells[i] ?? '')));
    const title = row.title?.trim();
    const year = row.year?.trim();
    const ref = `${file} line ${line}${title ? ` (${year ? `${title}, ${year}` : title})` : ''}`;

    const extra = cells.slice(columns.length).filter((c) => c.trim() !== '');
    if (extra.length > 0) {
      yield { ref, error: `${file} line ${line}: the row has ${cells.length} cells, but the header names ${columns.length} columns` };
      continue;
    }
    try {
      yield { ref, item: readItem(row) };
    } catch (error) {
      if (!(error instanceof CellError)) throw error;
      yield { ref, error: `${file} line ${line}, column ${error.column}: ${error.message}` };
    }
  }
  if (!columns) throw new AppError('invalid_input', `${name}: the file is empty; a Kansou CSV starts with a header row naming its columns.`);
}
