/**
 * Reads a Letterboxd export: the ZIP archive as downloaded, or some of its CSV files. Each CSV
 * is recognised by its header row, not its name (people rename files); reviews, ratings,
 * diary and watched are read, the others (watchlist, likes, lists, profile, comments) are left
 * alone without complaint.
 *
 * Letterboxd's files each hold one side of the same films, so rows are gathered per film
 * (Name + Year: the URIs in the diary and reviews identify the log entry, not the film), and
 * one entry per film is yielded once every file is read. Only what is kept about each film is
 * held in memory, never the files' text.
 *
 * Per film: the rating (ratings.csv, the film's current rating; otherwise the newest rated
 * diary or review row) and the written reviews make one review. Several written reviews
 * (rewatches) are kept whole in one body, newest first, each under its date. Every film
 * Letterboxd lists was watched, so each gets a list entry "completed", with the latest watch
 * date, the number of diary rows and the author's tags.
 *
 * Ratings are 0.5 to 5 in half stars and kept exactly (4.5 stays 4.5 out of 5).
 */
import { createReadStream } from 'node:fs';
import { basename } from 'node:path';
import { formatScore, ratingFromScore } from '../../reviews/score.js';
import { AppError } from '../../shared/errors.js';
import { isCalendarDay } from '../../shared/dates.js';
import { decodeChunks, readCsvRows } from '../csv/csv.read.js';
import type { ParsedListEntry, ParsedReview, Score, SourceEntry, SourceItem } from '../import.types.js';
import { reviewTextToMarkdown } from './letterboxd.html.js';
import { DEFAULT_ZIP_LIMITS, looksLikeZip, readHead, zipMembers, type ZipLimits } from '../zip.js';

type FileKind = 'reviews' | 'ratings' | 'diary' | 'watched';

/** Which file names a film's reference when it appears in several. */
const RANK: Record<FileKind, number> = { reviews: 0, ratings: 1, diary: 2, watched: 3 };

/** The file names of the export's files read here: in an archive, one of these with a header we do not know is an error. */
const EXPECTED_NAMES = new Set(['reviews.csv', 'ratings.csv', 'diary.csv', 'watched.csv']);

/** Folders of the export holding files that are not the author's own record of films. */
const OTHER_FOLDERS = new Set(['lists', 'likes', 'deleted', 'orphaned', '__macosx']);

const HEADERS = [
  'Date,Name,Year,Letterboxd URI,Rating,Rewatch,Review,Tags,Watched Date (reviews.csv)',
  'Date,Name,Year,Letterboxd URI,Rating,Rewatch,Tags,Watched Date (diary.csv)',
  'Date,Name,Year,Letterboxd URI,Rating (ratings.csv)',
  'Date,Name,Year,Letterboxd URI (watched.csv)',
];

const STARS = 5;

interface Rated {
  score: Score;
  /** When it was given (the row's logged date, or its watch date), to find the newest. */
  when: string;
  date: string | null;
}

interface Written {
  body: string;
  date: string | null;
  watchedDate: string | null;
  score: Score | null;
  rewatch: boolean;
  line: number;
}

interface Film {
  name: string;
  year: number | null;
  ref: { rank: number; file: string; line: number; seq: number };
  written: Written[];
  /** From ratings.csv. */
  rating: Rated | null;
  /** The newest rated row of the diary or of reviews.csv, when ratings.csv has none. */
  logged: Rated | null;
  /** Log entries of the diary (by URI, so the same diary read twice counts once), and rows without one. */
  diaryUris: Set<string> | null;
  diaryRows: number;
  lastWatched: string | null;
  firstLogged: string | null;
  tags: string[];
}

/** A cell that cannot be read: its column and the problem. */
class RowError extends Error {
  constructor(
    readonly column: string,
    problem: string,
  ) {
    super(problem);
  }
}


const quoted = (value: string) => JSON.stringify(value.length > 40 ? `${value.slice(0, 37)}…` : value);
const later = (a: string | null, b: string | null) => (a === null ? b : b === null ? a : a >= b ? a : b);
const earlier = (a: string | null, b: string | null) => (a === null ? b : b === null ? a : a <= b ? a : b);

class Row {
  constructor(
    private readonly cells: string[],
    private readonly columns: Map<string, number>,
  ) {}

  get(column: string): string {
    const i = this.columns.get(column);
    return i === undefined ? '' : (this.cells[i] ?? '').trim();
  }

  name(): string {
    const name = this.get('Name');
    if (!name) throw new RowError('Name', 'the film has no name');
    return name;
  }

  year(): number | null {
    const year = this.get('Year');
    if (!year) return null;
    if (!/^\d{4}$/.test(year)) throw new RowError('Year', `${quoted(year)} is not a year`);
    return Number(year);
  }

  date(column: 'Date' | 'Watched Date'): string | null {
    const date = this.get(column);
    if (!date) return null;
    if (!isCalendarDay(date)) throw new RowError(column, `${quoted(date)} is not a date (YYYY-MM-DD)`);
    return date;
  }

  /** A Letterboxd rating, 0.5 to 5 in half stars, exactly as given; empty means unrated. */
  score(): Score | null {
    const text = this.get('Rating');
    if (!text) return null;
    const value = /^\d(?:\.\d+)?$/.test(text) ? Number(text) : NaN;
    if (!(value >= 0.5 && value <= STARS && Number.isInteger(value * 2))) {
      throw new RowError('Rating', `${quoted(text)} is not a Letterboxd rating (0.5 to 5, in half stars)`);
    }
    return { value, max: STARS };
  }

  tags(): string[] {
    return this.get('Tags')
      .split(',')
      .map((t) => t.trim())
      .filter((t) => t !== '');
  }
}

function classify(header: string[], path: string): FileKind | 'ignored' | null {
  const columns = new Set(header.map((h) => h.trim()));
  const first = header[0]?.trim() ?? '';
  if (first.startsWith('Letterboxd list export')) return 'ignored';
  // Likes, deleted and orphaned entries share the headers of the author's own files.
  if (/(^|[\\/])(likes|deleted|orphaned)[\\/]/i.test(path)) return 'ignored';
  if (columns.has('Name') && columns.has('Year')) {
    if (columns.has('Review') && columns.has('Rating')) return 'reviews';
    if (columns.has('Watched Date') && columns.has('Rating')) return 'diary';
    if (columns.has('Rating')) return 'ratings';
    // watched.csv and watchlist.csv have the same header: only the name tells them apart.
    return /watchlist/i.test(basename(path)) ? 'ignored' : 'watched';
  }
  if (columns.has('Username') || columns.has('Date Joined') || columns.has('Comment') || columns.has('Content')) return 'ignored';
  return null;
}

interface Source {
  /** For error messages: the path, or the archive's path and the member. */
  label: string;
  /** For references: the file's own name (`reviews.csv`). */
  file: string;
  /** Where it is, to tell a watchlist from the watched films and a liked film from a logged one. */
  path: string;
  inArchive: boolean;
}

class Gatherer {
  readonly films = new Map<string, Film>();
  private seq = 0;

  private film(name: string, year: number | null, kind: FileKind, file: string, line: number): Film {
    const key = `${name}\u0000${year ?? ''}`;
    const seq = this.seq++;
    let film = this.films.get(key);
    if (!film) {
      film = {
        name,
        year,
        ref: { rank: RANK[kind], file, line, seq },
        written: [],
        rating: null,
        logged: null,
        diaryUris: null,
        diaryRows: 0,
        lastWatched: null,
        firstLogged: null,
        tags: [],
      };
      this.films.set(key, film);
    } else if (RANK[kind] < film.ref.rank) {
      film.ref = { rank: RANK[kind], file, line, seq };
    }
    return film;
  }

  /** Reads one row into its film; throws a `RowError` for a row that cannot be read. */
  add(kind: FileKind, row: Row, file: string, line: number): void {
    const name = row.name();
    const year = row.year();
    const date = row.date('Date');
    if (kind === 'watched') {
      this.film(name, year, kind, file, line);
      return;
    }
    const score = row.score();
    if (kind === 'ratings') {
      const film = this.film(name, year, kind, file, line);
      // A film is rated once; should it appear twice, the newer rating is the current one.
      if (score && (!film.rating || (date ?? '') >= (film.rating.date ?? ''))) film.rating = { score, when: date ?? '', date };
      return;
    }
    const watchedDate = row.date('Watched Date');
    const rewatch = /^yes$/i.test(row.get('Rewatch'));
    const tags = row.tags();
    const text = kind === 'reviews' ? row.get('Review') : '';
    const body = text ? reviewTextToMarkdown(text) : '';

    const film = this.film(name, year, kind, file, line);
    film.lastWatched = later(film.lastWatched, watchedDate);
    film.firstLogged = earlier(film.firstLogged, date);
    for (const tag of tags) {
      const key = tag.toLowerCase();
      if (!film.tags.some((t) => t.toLowerCase() === key)) film.tags.push(tag);
    }
    if (score) {
      const when = watchedDate ?? date ?? '';
      if (!film.logged || when >= film.logged.when) film.logged = { score, when, date };
    }
    if (kind === 'diary') {
      const uri = row.get('Letterboxd URI');
      if (uri) (film.diaryUris ??= new Set()).add(uri);
      else film.diaryRows++;
    }
    if (body && !film.written.some((w) => w.body === body)) film.written.push({ body, date, watchedDate, score, rewatch, line });
  }
}

/** Newest first: by watch date, else logged date; undated last. */
function newestFirst(a: Written, b: Written): number {
  const ka = a.watchedDate ?? a.date ?? '';
  const kb = b.watchedDate ?? b.date ?? '';
  if (ka !== kb) return ka < kb ? 1 : -1;
  const da = a.date ?? '';
  const db = b.date ?? '';
  if (da !== db) return da < db ? 1 : -1;
  return b.line - a.line;
}

function combinedBody(written: Written[]): string {
  return written
    .map((w) => {
      const notes = [w.rewatch ? 'rewatch' : '', w.score ? formatScore(w.score) : ''].filter(Boolean);
      const heading = `## ${w.watchedDate ?? w.date ?? 'Undated'}${notes.length ? ` (${notes.join(', ')})` : ''}`;
      return `${heading}\n\n${w.body}`;
    })
    .join('\n\n');
}

function itemOf(film: Film): SourceItem {
  const warnings: string[] = [];
  const written = [...film.written].sort(newestFirst);
  const current = film.rating ?? film.logged;
  const score = current?.score ?? null;
  const newestReviewScore = written[0]?.score;
  if (film.rating && newestReviewScore && newestReviewScore.value !== film.rating.score.value) {
    warnings.push(
      `the review of ${written[0]!.watchedDate ?? written[0]!.date ?? 'an unknown date'} rated it ${formatScore(newestReviewScore)}; the film's current rating, ${formatScore(film.rating.score)}, is the score kept`,
    );
  }
  if (written.length > 1) {
    warnings.push(`${written.length} written reviews of this film (rewatches) are kept in one review, newest first, each under its date`);
  }
  const body = written.length === 0 ? '' : written.length === 1 ? written[0]!.body : combinedBody(written);
  // A review is published when it was first written; a bare rating when it was given.
  const publishedAt = written.length > 0 ? written.map((w) => w.date).reduce(earlier, null) : (current?.date ?? film.firstLogged);

  const review: ParsedReview | null =
    score || body
      ? {
          headline: null,
          summary: null,
          score,
          scoreText: score ? formatScore(score) : null,
          rating: score ? ratingFromScore(score) : null,
          body,
          hasSpoilers: false,
          publishedAt,
          status: 'published',
        }
      : null;
  const diaryCount = (film.diaryUris?.size ?? 0) + film.diaryRows;
  const entry: ParsedListEntry = {
    status: 'completed',
    progress: null,
    startedOn: null,
    finishedOn: film.lastWatched,
    timesWatched: diaryCount > 0 ? diaryCount : null,
    tags: film.tags,
  };
  return {
    work: {
      title: film.name,
      altTitles: [],
      kind: 'film',
      year: film.year,
      synopsis: null,
      credits: [],
      studios: [],
      platforms: [],
      tags: [],
      externalIds: {},
    },
    review,
    entry,
    warnings,
  };
}

const describe = (name: string, year: string) => (name ? ` (${year ? `${name}, ${year}` : name})` : '');

/**
 * Reads one CSV of the export into `gatherer`, yielding an error entry for each row that cannot
 * be read. Returns whether it was one of the files read (not ignored).
 */
async function* readExportCsv(bytes: AsyncIterable<Uint8Array>, source: Source, gatherer: Gatherer): AsyncGenerator<SourceEntry, boolean> {
  let kind: FileKind | undefined;
  let columns = new Map<string, number>();
  for await (const { cells, line } of readCsvRows(decodeChunks(bytes, source.label), source.label)) {
    if (kind === undefined) {
      const found = classify(cells, source.path);
      if (found === 'ignored') return false;
      if (found === null) {
        if (source.inArchive && !EXPECTED_NAMES.has(source.file.toLowerCase())) return false;
        throw new AppError(
          'invalid_input',
          `${source.label}: not a Letterboxd export file: its header row (${quoted(cells.join(','))}) is none of ${HEADERS.join('; ')}.`,
        );
      }
      kind = found;
      columns = new Map(cells.map((c, i) => [c.trim(), i]));
      continue;
    }
    const row = new Row(cells, columns);
    try {
      gatherer.add(kind, row, source.file, line);
    } catch (error) {
      if (!(error instanceof RowError)) throw error;
      const ref = `${source.file} line ${line}${describe(row.get('Name'), row.get('Year'))}`;
      yield { ref, error: `${source.file} line ${line}, column ${error.column}: ${error.message}` };
    }
  }
  if (kind === undefined && !source.inArchive) throw new AppError('invalid_input', `${source.label}: the file is empty; a Letterboxd export file starts with a header row.`);
  return kind !== undefined;
}

/** Which members of an archive may be the export's own files: CSVs at its top, or inside the one folder around it. */
function isExportCsv(name: string): boolean {
  const parts = name.split('/');
  const last = parts[parts.length - 1]!;
  if (!last.toLowerCase().endsWith('.csv') || last.startsWith('._')) return false;
  if (parts.length === 1) return true;
  return parts.length === 2 && !OTHER_FOLDERS.has(parts[0]!.toLowerCase());
}

/**
 * The entries of a Letterboxd export, one per film: `paths` are the export's ZIP archive, or
 * some of its CSV files. Rows that cannot be read are error entries naming the file, line and
 * column, yielded as they are found; the films come once everything is read. A file that cannot
 * be read as a whole (not a CSV, an unknown header, a damaged or hostile archive) is an
 * `AppError` naming it. `limits` bound what an archive may inflate to.
 */
export async function* parseLetterboxd(paths: string[], limits: Partial<ZipLimits> = {}): AsyncGenerator<SourceEntry> {
  const gatherer = new Gatherer();
  for (const path of paths) {
    const head = await readHead(path);
    if (looksLikeZip(head)) {
      let found = false;
      for await (const member of zipMembers(path, { ...DEFAULT_ZIP_LIMITS, ...limits })) {
        if (!isExportCsv(member.name)) continue;
        const file = basename(member.name);
        const source = { label: `${path}: ${member.name}`, file, path: member.name, inArchive: true };
        if (yield* readExportCsv(member.read(), source, gatherer)) found = true;
      }
      if (!found) throw new AppError('invalid_input', `${path}: no Letterboxd reviews, ratings, diary or watched films in this archive; is it a Letterboxd export?`);
    } else if (path.toLowerCase().endsWith('.zip')) {
      throw new AppError('invalid_input', `${path}: not a ZIP archive, though its name ends in .zip.`);
    } else {
      const source = { label: path, file: basename(path), path, inArchive: false };
      yield* readExportCsv(createReadStream(path), source, gatherer);
    }
  }
  // Last first, so that each film is let go as it is handed on and the memory shrinks as the import goes.
  const films = [...gatherer.films.values()].sort((a, b) => b.ref.rank - a.ref.rank || b.ref.seq - a.ref.seq);
  gatherer.films.clear();
  for (let film = films.pop(); film; film = films.pop()) {
    const { ref } = film;
    yield { ref: `${ref.file} line ${ref.line}${describe(film.name, film.year === null ? '' : String(film.year))}`, item: itemOf(film) };
  }
}
