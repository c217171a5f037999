/**
 * A ZIP of Markdown files with front matter, as `kansou export --format markdown` writes it
 * (docs/export.md), read as a stream of source entries: one review file in, one entry out.
 *
 * Each file goes through the plain-text parser, as a file in a folder would. What the export
 * writes for people and other tools rather than for that parser is read here too, so that
 * export → import gives back the reviews whole: `author` (a site with several authors), the
 * review's old address (`source_url`), the work's `episodes`, and the author's `list` entry.
 * Files that are not Markdown or text (a static site's images, say) are skipped and named.
 */
import { AppError } from '../../shared/errors.js';
import { isCalendarDay } from '../../shared/dates.js';
import { LIST_STATUSES, type ListStatus } from '../../db/schema.js';
import { decodeText, UnreadableFileError } from '../files.js';
import type { ParsedListEntry, SourceEntry, SourceItem } from '../import.types.js';
import { splitFrontMatter } from '../plaintext/plaintext.frontmatter.js';
import { PlainTextParseError } from '../plaintext/plaintext.errors.js';
import { parsePlainText } from '../plaintext/plaintext.parser.js';
import { zipMembers, type ZipLimits } from '../zip.js';

/** A review file is small; a site's archive can hold a file per review of a million. */
export const MARKDOWN_ZIP_LIMITS: ZipLimits = {
  maxEntries: 2_000_000,
  maxEntryBytes: 16 * 1024 * 1024,
  maxTotalBytes: 8 * 1024 * 1024 * 1024,
};

const REVIEW_FILE = /\.(md|markdown|txt|text)$/i;
/** The keys the export writes that the plain-text parser leaves to this reader. */
const EXTRA_KEYS = ['author', 'source_url', 'episodes', 'list'] as const;

export function isReviewFileName(name: string): boolean {
  return REVIEW_FILE.test(name) && !name.split('/').some((part) => part.startsWith('.'));
}

/** The entries of the archive at `path`, in the archive's order. */
export async function* parseMarkdownArchive(path: string, limits: ZipLimits = MARKDOWN_ZIP_LIMITS): AsyncGenerator<SourceEntry> {
  let files = 0;
  for await (const member of zipMembers(path, limits)) {
    const ref = member.name;
    if (!isReviewFileName(ref)) {
      yield { ref, skip: 'not a Markdown or text file' };
      continue;
    }
    files++;
    const chunks: Buffer[] = [];
    for await (const chunk of member.read()) chunks.push(chunk);
    yield readReviewFile(ref, Buffer.concat(chunks));
  }
  if (files === 0) throw new AppError('invalid_input', `${path}: the archive holds no Markdown (.md) or text files: it is not a Markdown export.`);
}

/** One file of the archive as an entry; a file that is not a review is an error entry naming it. */
export function readReviewFile(ref: string, bytes: Uint8Array): SourceEntry {
  try {
    if (bytes.length === 0) throw new UnreadableFileError('empty file');
    const text = decodeText(bytes);
    const parsed = parsePlainText(text, { filename: ref });
    const { frontMatter } = splitFrontMatter(text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n'), ref);
    return { ref, item: withExtras(parsed, frontMatter ?? {}) };
  } catch (error) {
    if (error instanceof UnreadableFileError) return { ref, error: `${ref}: ${error.message}` };
    if (error instanceof PlainTextParseError) return { ref, error: error.message };
    throw error;
  }
}

function withExtras(parsed: ReturnType<typeof parsePlainText>, data: Record<string, unknown>): SourceItem {
  const warnings = parsed.warnings.filter((w) => !EXTRA_KEYS.some((key) => w === `front matter: ignored unknown key "${key}"`));
  const item: SourceItem = { ...parsed, warnings };
  const text = (key: string): string | null => {
    const value = data[key];
    if (value === undefined || value === null || value === '') return null;
    if (typeof value === 'string') return value.trim() || null;
    warnings.push(`front matter: ignored "${key}", which is not text`);
    return null;
  };

  const author = text('author');
  if (author) item.author = author;
  const sourceUrl = text('source_url');
  if (sourceUrl) {
    if (/^https?:\/\/[^/\s]+/i.test(sourceUrl)) item.sourceUrl = sourceUrl;
    else warnings.push(`front matter: ignored "source_url", which is not an http(s) address`);
  }
  const episodes = wholeNumber(data.episodes);
  if (episodes !== undefined) {
    if (episodes === null) warnings.push('front matter: ignored "episodes", which is not a whole number');
    else item.work = { ...item.work, episodes };
  }
  if (data.list !== undefined && data.list !== null) {
    const entry = listEntry(data.list, warnings);
    if (entry) item.entry = entry;
  }
  return item;
}

/** undefined when absent, null when present but not a whole number ≥ 0. */
function wholeNumber(value: unknown): number | null | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const n = typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : value;
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0 ? n : null;
}

function listEntry(value: unknown, warnings: string[]): ParsedListEntry | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    warnings.push('front matter: ignored "list", which is not "key: value" pairs');
    return null;
  }
  const data = value as Record<string, unknown>;
  const status = typeof data.status === 'string' && (LIST_STATUSES as readonly string[]).includes(data.status) ? (data.status as ListStatus) : null;
  if (data.status !== undefined && status === null) warnings.push(`front matter: ignored the list status "${String(data.status)}" (one of ${LIST_STATUSES.join(', ')})`);
  const day = (key: string): string | null => {
    const v = data[key];
    if (v === undefined || v === null || v === '') return null;
    if (typeof v === 'string' && isCalendarDay(v)) return v;
    warnings.push(`front matter: ignored list "${key}", which is not a date (YYYY-MM-DD)`);
    return null;
  };
  const count = (key: string): number | null => {
    const n = wholeNumber(data[key]);
    if (n === null) warnings.push(`front matter: ignored list "${key}", which is not a whole number`);
    return n ?? null;
  };
  const tags = Array.isArray(data.tags) ? data.tags.filter((t): t is string => typeof t === 'string' && t.trim() !== '').map((t) => t.trim()) : [];
  return {
    status,
    progress: count('progress'),
    startedOn: day('started_on'),
    finishedOn: day('finished_on'),
    timesWatched: count('times_watched'),
    tags,
  };
}
