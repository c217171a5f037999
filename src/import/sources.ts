/**
 * Which importer reads a file, and opening it as a stream of source entries. `--format auto`
 * looks at names and first bytes: a MyAnimeList export is XML with a `<myanimelist>` root
 * (gzipped as downloaded), a blog is an RSS/Atom feed or a WordPress export, a Letterboxd export
 * is a ZIP or CSVs with its headers, a ZIP of Markdown files is Kansou's Markdown export (or any
 * folder of reviews zipped), an AniList list is JSON holding a MediaListCollection, and
 * anything else that is JSON is a Kansou backup.
 */
import { createReadStream, statSync } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import { Transform, type Readable } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import { AppError } from '../shared/errors.js';
import { decodeText } from './files.js';
import type { SourceEntry } from './import.types.js';

export const LIST_FORMATS = ['mal', 'letterboxd', 'anilist', 'blog', 'csv', 'markdown'] as const;
export type ListFormat = (typeof LIST_FORMATS)[number];
export type ImportFormat = 'text' | 'json' | ListFormat;

/** Largest AniList file read: the API pages a list far below this. */
const MAX_JSON_BYTES = 256 * 1024 * 1024;

async function head(path: string, bytes = 4096): Promise<Buffer> {
  const file = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(bytes);
    const { bytesRead } = await file.read(buffer, 0, bytes, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await file.close();
  }
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** Enough of a file's start to recognise it: gunzipped when it is gzip, decoded leniently (a head may cut a character). */
function headText(bytes: Buffer): string {
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = gunzipSync(bytes, { finishFlush: 2 /* Z_SYNC_FLUSH: a head is a cut-off stream */ });
    } catch {
      return '';
    }
  }
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder('utf-16le').decode(bytes.subarray(2));
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder('utf-16be').decode(bytes.subarray(2));
  return new TextDecoder('utf-8').decode(bytes);
}

async function formatOf(path: string): Promise<ImportFormat> {
  if (!isFile(path)) return 'text';
  const name = path.toLowerCase();
  if (name.endsWith('.zip')) return zipFormat(path);
  const bytes = await head(path, 65536);
  const text = headText(bytes).replace(/^\uFEFF/, '');
  if (name.endsWith('.json')) return /"MediaListCollection"\s*:/.test(text) ? 'anilist' : 'json';
  if (/<myanimelist[\s>]/.test(text)) return 'mal';
  if (/<(rss|feed)[\s>]/.test(text)) return 'blog';
  if (name.endsWith('.csv')) return /^Date,Name,Year(,|\r?\n|$)/.test(text) ? 'letterboxd' : 'csv';
  if (/\.(xml|gz|rss|atom)$/.test(name)) {
    throw new AppError('unsupported_format', `${path}: not a MyAnimeList export, a WordPress export or an RSS/Atom feed (its root element is not one Kansou reads).`);
  }
  return 'text';
}

/**
 * A Letterboxd export holds its CSVs at the top; Kansou's Markdown export holds `.md` files. The
 * first entries of the archive's directory decide, none of them read.
 */
async function zipFormat(path: string): Promise<ImportFormat> {
  const [{ zipMembers }, { isReviewFileName }] = await Promise.all([import('./zip.js'), import('./markdown/markdown.parse.js')]);
  let seen = 0;
  for await (const member of zipMembers(path)) {
    if (/(^|\/)(reviews|ratings|diary|watched)\.csv$/i.test(member.name)) return 'letterboxd';
    if (isReviewFileName(member.name)) return 'markdown';
    if (++seen >= 200) break;
  }
  throw new AppError('unsupported_format', `${path}: neither a Letterboxd export (reviews.csv, ratings.csv…) nor a ZIP of Markdown reviews (.md files).`);
}

/** The format of the files of one import; files of different formats are imported one format at a time. */
export async function detectFormat(paths: string[]): Promise<ImportFormat> {
  const formats = new Set<ImportFormat>();
  for (const path of paths) formats.add(await formatOf(path));
  if (formats.size > 1) {
    throw new AppError('invalid_input', `These files are of different formats (${[...formats].join(', ')}): import them one format at a time, or name one with --format.`);
  }
  return [...formats][0] ?? 'text';
}

export interface OpenedSource {
  entries: AsyncIterable<SourceEntry>;
  bytesTotal: number | null;
  bytesRead: () => number;
}

/**
 * The file's bytes, counted as the parser reads them (for the progress bar). Counted in a
 * pass-through rather than with a 'data' listener, which would start the file flowing before
 * the parser is there and lose what it read meanwhile.
 */
function counted(path: string): { stream: Readable; read: () => number } {
  let read = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      read += chunk.length;
      callback(null, chunk);
    },
  });
  const file = createReadStream(path);
  file.on('error', (error) => counter.destroy(error));
  counter.on('close', () => file.destroy());
  file.pipe(counter);
  return { stream: counter, read: () => read };
}

function one(format: ListFormat, paths: string[]): string {
  if (paths.length !== 1) throw new AppError('invalid_input', `A ${format} import reads one file; got ${paths.length}.`);
  return paths[0]!;
}

/** Opens the files of a list, feed or CSV import as its entries. */
export async function openListSource(format: ListFormat, paths: string[]): Promise<OpenedSource> {
  for (const path of paths) if (!isFile(path)) throw new AppError('invalid_input', `${path}: no such file.`);
  const size = paths.reduce((sum, p) => sum + statSync(p).size, 0);
  switch (format) {
    case 'mal': {
      const { parseMalExport } = await import('./mal/mal.parse.js');
      const input = counted(one(format, paths));
      return { entries: parseMalExport(input.stream), bytesTotal: size, bytesRead: input.read };
    }
    case 'blog': {
      const { parseBlog } = await import('./blog/blog.parse.js');
      const path = one(format, paths);
      const input = counted(path);
      return { entries: parseBlog(input.stream, path), bytesTotal: size, bytesRead: input.read };
    }
    case 'csv': {
      const { parseCsvImport } = await import('./csv/csv.parse.js');
      const path = one(format, paths);
      const input = counted(path);
      return { entries: parseCsvImport(input.stream, path), bytesTotal: size, bytesRead: input.read };
    }
    case 'anilist': {
      const { parseAniList } = await import('./anilist/anilist.parse.js');
      const path = one(format, paths);
      if (size > MAX_JSON_BYTES) throw new AppError('invalid_input', `${path}: ${size} bytes is more than an AniList list can be (${MAX_JSON_BYTES} at most).`);
      let text: string;
      try {
        text = decodeText(await readFile(path));
      } catch (error) {
        throw new AppError('invalid_input', `${path}: ${(error as Error).message}.`);
      }
      const entries = parseAniList(text, path);
      return { entries: (async function* () { yield* entries; })(), bytesTotal: size, bytesRead: () => size };
    }
    case 'markdown': {
      const { parseMarkdownArchive } = await import('./markdown/markdown.parse.js');
      return { entries: parseMarkdownArchive(one(format, paths)), bytesTotal: null, bytesRead: () => 0 };
    }
    case 'letterboxd': {
      const { parseLetterboxd } = await import('./letterboxd/letterboxd.parse.js');
      return { entries: parseLetterboxd(paths), bytesTotal: null, bytesRead: () => 0 };
    }
  }
}
