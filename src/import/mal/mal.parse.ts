/**
 * MyAnimeList anime-list export (the XML file from "Export My List", usually downloaded as
 * `.xml.gz`), read as a stream of source entries: one `<anime>` in, one entry out.
 *
 * What maps to what, and why:
 * - The work is what the export knows of it: its MyAnimeList id, title, type and episode count.
 *   The export has no year, synopsis, staff or studios, so those stay empty rather than guessed.
 * - `my_score` (whole number 0–10, 0 meaning "not scored") becomes a score out of 10. An entry
 *   becomes a review only when it has a score or comments: a bare list entry is not a review.
 *   The review is dated by the finish date, else the start date, the closest the export comes
 *   to "when I wrote this".
 * - Status, progress, dates, rewatch count and the author's tags become the list entry, which
 *   every anime gets. `0000-00-00` is MyAnimeList's "no date"; a date with an unknown day or
 *   month (`2019-05-00`) is dropped with a warning rather than rounded to a day nobody chose.
 * - Both layouts seen in the wild are read (1.1.0, and the 2008 one with `my_dvd`), statuses as
 *   text or as the integers of MyAnimeList's old API, and unknown elements are ignored.
 *
 * The file is untrusted: it is parsed as a stream (bounded memory however long the list), its
 * uncompressed size is capped, and a DOCTYPE that declares entities or points at an external
 * DTD is refused outright, since nothing in a real export needs one. Problems with the file as a
 * whole (not XML, a manga list, a truncated download) are thrown as `AppError`s naming the
 * problem and, where the parser knows it, the line and column; a single unreadable `<anime>`
 * becomes an error entry and the rest of the file is still read.
 */
import { Readable, pipeline } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { SaxesParser } from 'saxes';
import { ratingFromScore } from '../../reviews/score.js';
import { AppError } from '../../shared/errors.js';
import type { ListStatus, ParsedListEntry, ParsedReview, SourceEntry, WorkKind } from '../import.types.js';

/** Far above any real anime list (a 10,000-entry export is a few MiB), far below what would hurt the server. */
export const MAL_DEFAULT_MAX_BYTES = 256 * 1024 * 1024;

export interface MalParseOptions {
  /** Largest uncompressed size read, in bytes; larger files are refused. */
  maxBytes?: number;
}

const MAL_MAX_SCORE = 10;

/** Refs quote the title; a runaway title should not make a runaway report line. */
const REF_TITLE_LENGTH = 80;

const STATUSES: Record<string, ListStatus> = {
  watching: 'watching',
  '1': 'watching',
  completed: 'completed',
  '2': 'completed',
  onhold: 'on_hold',
  '3': 'on_hold',
  dropped: 'dropped',
  '4': 'dropped',
  plantowatch: 'plan_to_watch',
  '6': 'plan_to_watch',
};

const KINDS: Record<string, WorkKind> = {
  tv: 'anime_series',
  movie: 'anime_film',
  ova: 'ova',
  ona: 'ona',
  special: 'special',
  'tv special': 'special',
};

/** MyAnimeList types that exist but have no kind of their own here (music videos, promos, commercials). */
const OTHER_TYPES: ReadonlySet<string> = new Set(['music', 'pv', 'cm']);

function invalid(message: string, options?: { cause?: unknown }): AppError {
  return new AppError('invalid_input', message, options);
}

function mangaList(): AppError {
  return new AppError(
    'unsupported_format',
    'This is a MyAnimeList manga list; Kansou imports anime lists. Export your anime list from MyAnimeList instead.',
  );
}

function formatBytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${Math.round((bytes / (1024 * 1024)) * 10) / 10} MiB` : `${bytes} bytes`;
}

// ---------------------------------------------------------------------------------------------
// Bytes: gunzip when gzipped, cap the size, decode to text.

async function* bufferChunks(input: Readable): AsyncGenerator<Buffer> {
  for await (const chunk of input as AsyncIterable<Buffer | string | Uint8Array>) {
    yield typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
  }
}

function isZlibError(error: unknown): error is Error & { code: string } {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('Z_');
}

/** The gunzipped bytes; zlib's terse errors become ones a user can act on. */
async function* gunzip(chunks: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  const unzip = createGunzip();
  // Errors surface through the iteration below; the callback only keeps pipeline from throwing.
  pipeline(Readable.from(chunks), unzip, () => {});
  try {
    for await (const chunk of unzip as AsyncIterable<Buffer>) yield chunk;
  } catch (error) {
    if (!isZlibError(error)) throw error;
    if (error.code === 'Z_BUF_ERROR') {
      throw invalid('The gzip file is truncated: it ends before the compressed data does. Download the export again.', { cause: error });
    }
    throw invalid(`The gzip file is damaged (${error.message}). Download the export again.`, { cause: error });
  } finally {
    unzip.destroy();
  }
}

/** The file's bytes, gunzipped when it starts with gzip's magic number, capped at `maxBytes`. */
async function* fileBytes(input: Readable, maxBytes: number): AsyncGenerator<Buffer> {
  const chunks = bufferChunks(input);
  // Peek at the first two bytes without losing them.
  let head = Buffer.alloc(0);
  while (head.length < 2) {
    const next = await chunks.next();
    if (next.done) break;
    head = Buffer.concat([head, next.value]);
  }
  const gzipped = head[0] === 0x1f && head[1] === 0x8b;
  const whole = (async function* () {
    try {
      if (head.length > 0) yield head;
      yield* chunks;
    } finally {
      await chunks.return(undefined);
    }
  })();
  let total = 0;
  for await (const chunk of gzipped ? gunzip(whole) : whole) {
    total += chunk.length;
    if (total > maxBytes) {
      throw invalid(
        `The export is larger than ${formatBytes(maxBytes)}${gzipped ? ' once uncompressed' : ''}, far more than any anime list: ` +
          'the file is refused (it may be damaged or a compression bomb).',
      );
    }
    yield chunk;
  }
  if (total === 0) throw invalid('The file is empty: a MyAnimeList export holds a <myanimelist> XML document.');
}

/** UTF-8 (as MyAnimeList writes it, BOM or not) or UTF-16 with a BOM (a re-saved file); binary is refused. */
async function* fileText(bytes: AsyncIterable<Buffer>): AsyncGenerator<string> {
  let decoder: TextDecoder | null = null;
  let utf8 = true;
  let offset = 0;
  for await (const chunk of bytes) {
    if (!decoder) {
      const le = chunk[0] === 0xff && chunk[1] === 0xfe;
      const be = chunk[0] === 0xfe && chunk[1] === 0xff;
      utf8 = !le && !be;
      decoder = new TextDecoder(le ? 'utf-16le' : be ? 'utf-16be' : 'utf-8', { fatal: true });
    }
    if (utf8) {
      const nul = chunk.indexOf(0);
      if (nul !== -1) {
        throw invalid(`The file contains NUL bytes (the first at byte ${offset + nul}): it is binary or damaged, not a MyAnimeList XML export.`);
      }
    }
    let text: string;
    try {
      text = decoder.decode(chunk, { stream: true });
    } catch (error) {
      const encoding = utf8 ? 'UTF-8' : 'UTF-16';
      throw invalid(`The file is not valid ${encoding} text (after byte ${offset}): it is binary or damaged, not a MyAnimeList XML export.`, {
        cause: error,
      });
    }
    offset += chunk.length;
    if (text) yield text;
  }
  if (decoder) {
    let rest: string;
    try {
      rest = decoder.decode();
    } catch (error) {
      throw invalid('The file ends in the middle of a character: it is truncated or damaged.', { cause: error });
    }
    if (rest) yield rest;
  }
}

// ---------------------------------------------------------------------------------------------
// XML: one reader per document, fed text, collecting the entries each chunk completes.

const SAXES_POSITION = /^(\d+):(\d+): (.*)$/su;

/**
 * saxes says "12:4: unclosed tag: anime."; say where in words a user reads, with 1-based columns.
 * `lastClosed` is the element saxes was closing when a closing tag did not match it.
 */
function malformedXml(error: Error, lastClosed: string | null): AppError {
  const match = SAXES_POSITION.exec(error.message);
  const where = match ? `line ${match[1]}, column ${Number(match[2]) + 1}` : null;
  const raw = (match ? match[3] : error.message) ?? error.message;
  const what = raw.replace(/\.$/u, '');
  let reason = what;
  const unclosed = /^unclosed tag: (.+)$/u.exec(what);
  if (unclosed) reason = `the file ends before <${unclosed[1]}> is closed (is it cut short?)`;
  else if (what === 'document must contain a root element') reason = 'there is no XML element in the file';
  else if (what === 'disallowed character') reason = 'a character XML does not allow (the file may be damaged)';
  else if (what === 'undefined entity') reason = 'an entity (&name;) that XML does not define';
  else if (what === 'unexpected close tag' && lastClosed) reason = `a closing tag that does not match the open <${lastClosed}>`;
  return invalid(`The file is not well-formed XML${where ? ` at ${where}` : ''}: ${reason}.`, { cause: error });
}

/** A DOCTYPE is harmless only when it declares nothing and points nowhere; MyAnimeList writes none. */
function checkDoctype(doctype: string): void {
  if (/<!ENTITY/iu.test(doctype)) {
    throw invalid(
      'The file declares XML entities in a DOCTYPE, which Kansou refuses: a MyAnimeList export has none, ' +
        'and entities are how "billion laughs" and external-entity attacks work.',
    );
  }
  if (/\b(?:SYSTEM|PUBLIC)\b/u.test(doctype)) {
    throw invalid('The file points at an external DTD in its DOCTYPE, which Kansou refuses: a MyAnimeList export has none.');
  }
}

interface AnimeDraft {
  /** Line of the `<anime>` tag, for entries without an id. */
  line: number;
  fields: Map<string, string>;
}

class ExportReader {
  private readonly parser = new SaxesParser({ position: true });
  private readonly ready: SourceEntry[] = [];
  private depth = 0;
  private started = false;
  private section: 'myinfo' | 'anime' | null = null;
  private anime: AnimeDraft | null = null;
  private field: string | null = null;
  private fieldText = '';
  private readonly myinfo = new Map<string, string>();
  private lastClosed: string | null = null;

  constructor() {
    this.parser.on('doctype', checkDoctype);
    this.parser.on('opentag', (tag) => this.open(tag));
    this.parser.on('closetag', (tag) => this.close(tag));
    this.parser.on('text', (text) => this.append(text));
    this.parser.on('cdata', (text) => this.append(text));
  }

  write(text: string): void {
    if (!this.started) {
      const start = text.trimStart();
      if (!start) return;
      this.started = true;
      if (!start.startsWith('<')) {
        const shown = (start.split(/\r?\n/u, 1)[0] ?? '').slice(0, 40).replace(/[^\x20-\x7e]/gu, '?');
        throw new AppError(
          'unsupported_format',
          `This is not an XML file (it starts with "${shown}"): a MyAnimeList export is the XML file from "Export My List", gzipped or not.`,
        );
      }
    }
    this.feed(text);
  }

  end(): void {
    this.feed(null);
  }

  /** The entries completed so far, handed over once. */
  take(): SourceEntry[] {
    return this.ready.splice(0, this.ready.length);
  }

  private feed(text: string | null): void {
    try {
      if (text === null) this.parser.close();
      else this.parser.write(text);
    } catch (error) {
      if (error instanceof AppError) throw error;
      throw malformedXml(error as Error, this.lastClosed);
    }
  }

  private open(tag: { name: string }): void {
    const level = this.depth;
    this.depth += 1;
    const name = tag.name;
    if (level === 0) {
      if (name !== 'myanimelist') {
        throw new AppError('unsupported_format', `The root element is <${name}>, not <myanimelist>: this is not a MyAnimeList export.`);
      }
      return;
    }
    if (level === 1) {
      if (name === 'manga') throw mangaList();
      if (name === 'anime') {
        this.section = 'anime';
        this.anime = { line: this.parser.line, fields: new Map() };
      } else if (name === 'myinfo') {
        this.section = 'myinfo';
      }
      return;
    }
    if (level === 2 && this.section) {
      this.field = name;
      this.fieldText = '';
    }
  }

  private append(text: string): void {
    if (this.field !== null) this.fieldText += text;
  }

  private close(tag: { name: string }): void {
    this.lastClosed = tag.name;
    this.depth -= 1;
    const level = this.depth;
    if (level === 2 && this.field !== null) {
      const value = this.fieldText;
      if (this.section === 'anime') this.anime?.fields.set(this.field, value);
      else if (this.section === 'myinfo') this.myinfo.set(this.field, value);
      this.field = null;
      this.fieldText = '';
      if (this.section === 'myinfo' && this.myinfo.get('user_export_type')?.trim() === '2') throw mangaList();
      return;
    }
    if (level === 1) {
      if (this.section === 'anime' && this.anime) this.ready.push(readAnime(this.anime));
      this.section = null;
      this.anime = null;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// One <anime>: fields → entry.

class EntryError extends Error {}

function readText(fields: Map<string, string>, name: string): string {
  return fields.get(name)?.trim() ?? '';
}

function readCount(fields: Map<string, string>, name: string, warnings: string[]): number | null {
  const raw = readText(fields, name);
  if (raw === '') return null;
  const value = /^\d{1,9}$/u.test(raw) ? Number(raw) : NaN;
  if (Number.isNaN(value)) {
    warnings.push(`${name} "${raw}" is not a whole number; left empty.`);
    return null;
  }
  return value;
}

/** YYYY-MM-DD, or null for MyAnimeList's `0000-00-00` and for anything that is not a whole, real date. */
function readDate(fields: Map<string, string>, name: string, warnings: string[]): string | null {
  const raw = readText(fields, name);
  if (raw === '' || raw === '0000-00-00') return null;
  const match = /^(\d{4})-(\d{2})-(\d{2})$/u.exec(raw);
  if (!match) {
    warnings.push(`${name} "${raw}" is not a YYYY-MM-DD date; left empty.`);
    return null;
  }
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (year === 0 || month === 0 || day === 0) {
    warnings.push(`${name} ${raw} is a partial date (00 stands for an unknown day, month or year); left empty.`);
    return null;
  }
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) {
    warnings.push(`${name} ${raw} is not a real date; left empty.`);
    return null;
  }
  return raw;
}

function readStatus(fields: Map<string, string>, warnings: string[]): ListStatus | null {
  const raw = readText(fields, 'my_status');
  if (raw === '') {
    warnings.push('no my_status; imported without a list status.');
    return null;
  }
  const status = STATUSES[raw.toLowerCase().replace(/[\s_-]+/gu, '')];
  if (!status) {
    warnings.push(`my_status "${raw}" is not a MyAnimeList anime status; imported without a list status.`);
    return null;
  }
  return status;
}

function readKind(fields: Map<string, string>, warnings: string[]): WorkKind | null {
  const raw = readText(fields, 'series_type');
  const key = raw.toLowerCase().replace(/\s+/gu, ' ');
  if (key === '' || key === 'unknown') return null;
  const kind = KINDS[key];
  if (kind) return kind;
  if (OTHER_TYPES.has(key)) {
    warnings.push(`series_type ${raw} has no matching kind; imported as other.`);
    return 'other';
  }
  warnings.push(`series_type "${raw}" is not a type Kansou knows; the kind is left empty.`);
  return null;
}

function readScore(fields: Map<string, string>): number {
  const raw = readText(fields, 'my_score');
  if (raw === '') return 0;
  const value = /^\d{1,3}$/u.test(raw) ? Number(raw) : NaN;
  if (Number.isNaN(value) || value > MAL_MAX_SCORE) {
    throw new EntryError(`my_score "${raw}" is not a whole number from 0 to ${MAL_MAX_SCORE}.`);
  }
  return value;
}

function readTags(fields: Map<string, string>): string[] {
  const tags = readText(fields, 'my_tags')
    .split(',')
    .map((tag) => tag.trim())
    .filter((tag) => tag !== '');
  return [...new Set(tags)];
}

/** The MyAnimeList id without leading zeros, or null when the text is not one. */
function malId(raw: string): string | null {
  return /^\d{1,12}$/u.test(raw) && Number(raw) > 0 ? String(Number(raw)) : null;
}

function refFor(id: string | null, title: string, line: number): string {
  const shown = title.length > REF_TITLE_LENGTH ? `${title.slice(0, REF_TITLE_LENGTH - 1)}…` : title;
  const where = id ? `anime ${id}` : `anime at line ${line}`;
  return shown ? `${where} (${shown})` : where;
}

function readAnime({ line, fields }: AnimeDraft): SourceEntry {
  const rawId = readText(fields, 'series_animedb_id');
  const id = malId(rawId);
  const title = readText(fields, 'series_title').replace(/\s+/gu, ' ');
  const ref = refFor(id, title, line);
  try {
    if (rawId === '') throw new EntryError('no series_animedb_id (the MyAnimeList id).');
    if (!id) throw new EntryError(`series_animedb_id "${rawId}" is not a MyAnimeList id.`);
    if (title === '') throw new EntryError('no series_title.');
    const score = readScore(fields);

    const warnings: string[] = [];
    const kind = readKind(fields, warnings);
    const episodes = readCount(fields, 'series_episodes', warnings);
    const entry: ParsedListEntry = {
      status: readStatus(fields, warnings),
      progress: readCount(fields, 'my_watched_episodes', warnings),
      startedOn: readDate(fields, 'my_start_date', warnings),
      finishedOn: readDate(fields, 'my_finish_date', warnings),
      timesWatched: readCount(fields, 'my_times_watched', warnings),
      tags: readTags(fields),
    };

    const comments = readText(fields, 'my_comments');
    let review: ParsedReview | null = null;
    if (score > 0 || comments !== '') {
      const scored = score > 0 ? { value: score, max: MAL_MAX_SCORE } : null;
      review = {
        headline: null,
        summary: null,
        score: scored,
        scoreText: scored ? `${score}/${MAL_MAX_SCORE}` : null,
        rating: scored ? ratingFromScore(scored) : null,
        body: comments,
        hasSpoilers: false,
        publishedAt: entry.finishedOn ?? entry.startedOn ?? null,
        status: 'published',
      };
    }

    return {
      ref,
      item: {
        work: {
          title,
          altTitles: [],
          kind,
          year: null,
          synopsis: null,
          credits: [],
          studios: [],
          platforms: [],
          tags: [],
          externalIds: { mal: id },
          // MyAnimeList writes 0 for "not known yet" (an airing series).
          episodes: episodes === 0 ? null : episodes,
        },
        review,
        entry,
        warnings,
      },
    };
  } catch (error) {
    if (error instanceof EntryError) return { ref, error: error.message };
    throw error;
  }
}

// ---------------------------------------------------------------------------------------------

/**
 * Reads a MyAnimeList anime-list export (`.xml` or `.xml.gz`, told apart by the bytes, not the
 * name) entry by entry, in bounded memory. Throws `AppError` for a file that cannot be read as a
 * whole (not XML, malformed, a manga list, truncated or oversized gzip, a DOCTYPE with entities);
 * an `<anime>` missing its id or title, or with an impossible score, is yielded as an error entry.
 */
export async function* parseMalExport(input: Readable, options: MalParseOptions = {}): AsyncGenerator<SourceEntry> {
  const maxBytes = options.maxBytes ?? MAL_DEFAULT_MAX_BYTES;
  const reader = new ExportReader();
  try {
    for await (const text of fileText(fileBytes(input, maxBytes))) {
      reader.write(text);
      yield* reader.take();
    }
    reader.end();
    yield* reader.take();
  } finally {
    // Stopping early (a refused file, a caller that has seen enough) must not leave the file open
    // behind a gunzip that is still waiting for bytes.
    input.destroy();
  }
}
