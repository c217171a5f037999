/**
 * The Markdown export: a ZIP of one Markdown file per review, each with YAML front matter that
 * the text importer reads back (`import/plaintext/plaintext.frontmatter.ts`) and that static site
 * generators (Hugo, Jekyll, Eleventy, Astro) read as a post: `title`, `date`, `draft`, `tags`,
 * `summary`, then the body as written, spoiler markup included.
 *
 * The archive is written to `<outPath>.partial` as it goes and renamed when complete, so a file
 * at `outPath` is always a whole archive.
 */
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { once } from 'node:events';
import { CREDIT_ROLES, type ParsedReview, type SourceItem } from '../import/import.types.js';
import { parseScore } from '../reviews/score.js';
import { makeSlug } from '../shared/slug.js';
import { ZipWriter } from './zip.writer.js';

export interface MarkdownZipOptions {
  /**
   * File reviews under a folder per author (`reviews/<author-slug>/<work-slug>.md`) rather than
   * in one folder (`reviews/<work-slug>.md`): for a database with several authors.
   */
  authorFolders?: boolean;
  /** Passed to the ZIP writer (tests). */
  forceZip64?: boolean;
}

type MarkdownItem = SourceItem & { workSlug: string; authorSlug?: string };

/**
 * Writes one Markdown file per review of `items` (list entries without a review have no file)
 * into a ZIP at `outPath`. Names are unique: a second review of the same work in the same
 * folder gets `-2`, and so on. Each file is written as soon as it is made, waiting for the disk
 * when it falls behind; what stays in memory until the end is each file's name and its record
 * in the archive's directory, some 150 bytes a file.
 */
export async function writeMarkdownZip(
  items: AsyncIterable<MarkdownItem>,
  outPath: string,
  options: MarkdownZipOptions = {},
): Promise<{ written: number }> {
  const partial = `${outPath}.partial`;
  const file = createWriteStream(partial);
  // An error (the folder does not exist, the disk is full) also destroys the stream, which the
  // writer checks at its next write; listening keeps it from being thrown as unhandled.
  file.on('error', () => undefined);
  const zip = new ZipWriter(file, { forceZip64: options.forceZip64 });
  const exportedAt = new Date();
  const names = new Set<string>();
  let written = 0;
  try {
    for await (const item of items) {
      if (!item.review) continue;
      const name = uniqueName(names, entryFolder(item, options), safeSlug(item.workSlug, 'review'));
      await zip.add(name, Buffer.from(reviewMarkdown(item), 'utf8'), dateOf(item.review) ?? exportedAt);
      written++;
    }
    await zip.finish();
    if (!file.closed) await once(file, 'close');
    await rename(partial, outPath);
  } catch (error) {
    if (!file.closed) {
      // Not `once(file, 'close')`: writes still queued fail with an 'error' before the close.
      const closed = new Promise<void>((resolve) => file.once('close', () => resolve()));
      file.destroy();
      await closed;
    }
    await rm(partial, { force: true });
    throw error;
  }
  return { written };
}

/** The folder of an item's file inside the archive. */
function entryFolder(item: MarkdownItem, options: MarkdownZipOptions): string {
  if (!options.authorFolders) return 'reviews';
  return `reviews/${safeSlug(item.authorSlug ?? makeSlug(item.author ?? '', 'author'), 'author')}`;
}

/** Stored slugs are already safe; anything else is made into one, so no name leaves its folder. */
function safeSlug(slug: string, fallback: string): string {
  return /^[a-z0-9]+(?:-[a-z0-9]+)*$/u.test(slug) ? slug : makeSlug(slug, fallback);
}

/** `folder/slug.md`, else `folder/slug-2.md`…; compared without case, for case-insensitive file systems. */
function uniqueName(names: Set<string>, folder: string, slug: string): string {
  for (let n = 1; ; n++) {
    const name = `${folder}/${n === 1 ? slug : `${slug}-${n}`}.md`;
    const key = name.toLowerCase();
    if (!names.has(key)) {
      names.add(key);
      return name;
    }
  }
}

function dateOf(review: ParsedReview): Date | null {
  if (!review.publishedAt) return null;
  const date = new Date(review.publishedAt);
  // ZIP timestamps (DOS dates) start in 1980.
  return Number.isNaN(date.getTime()) || date.getUTCFullYear() < 1980 ? null : date;
}

// ── One file ───────────────────────────────────────────────────────────────────────────────

/** The front-matter key of each alternative-title type, as the text importer's label table names them. */
const ALT_TITLE_KEYS: ReadonlyMap<string, string> = new Map([
  ['english', 'english_title'],
  ['romaji', 'romaji_title'],
  ['original', 'original_title'],
  ['other', 'alt_titles'],
]);

/** The external ids the text importer reads, under the keys it reads them from. */
const EXTERNAL_ID_KEYS: ReadonlyMap<string, string> = new Map([
  ['mal', 'mal_id'],
  ['anilist', 'anilist_id'],
  ['imdb', 'imdb_id'],
  ['tmdb', 'tmdb_id'],
]);

// As the importer tests it (plaintext.parser.ts#resolveKind): without /u, ASCII only.
const ANIME_WORD = /\banime\b/i;

/**
 * The kind as the importer reads it back. It reads a bare "series" or "film" as anime when the
 * review's text says "anime"; Kansou's `series` and `film` are the works that are not anime,
 * so for those reviews the kind is written in the importer's words for them.
 */
function kindText(kind: string, review: ParsedReview): string {
  if (kind !== 'series' && kind !== 'film') return kind;
  const mentionsAnime = [review.headline ?? '', review.summary ?? '', review.body].some((text) => ANIME_WORD.test(text));
  return mentionsAnime ? `live-action ${kind}` : kind;
}

/**
 * The score as the reviewer wrote it ("★★★½", "8.5/10") when that text reads back as the same
 * score, otherwise `value/max`. A score text with no score (a letter grade) is kept as written.
 */
function scoreText(review: ParsedReview): string | null {
  const { score } = review;
  if (!score) return review.scoreText;
  const read = review.scoreText ? parseScore(review.scoreText) : null;
  if (review.scoreText && read && 'score' in read && read.score.value === score.value && read.score.max === score.max) {
    return review.scoreText;
  }
  return `${score.value}/${score.max}`;
}

const ATX_HEADING = /^ {0,3}#{1,6}(?:\s|$)/u;
const SETEXT_UNDERLINE = /^ {0,3}=+\s*$/u;

/**
 * Whether the importer would take the body's first line for the title line: a heading at the
 * top of a review without a headline would become the headline. A `# Title` line in front is
 * taken instead (and dropped, being the title), so the body's own heading stays in the body.
 */
function startsWithHeading(body: string): boolean {
  const lines = body.replace(/^\s*\n/u, '').split('\n', 2);
  return ATX_HEADING.test(lines[0] ?? '') || ((lines[0] ?? '').trim() !== '' && SETEXT_UNDERLINE.test(lines[1] ?? ''));
}

/** The front matter of a review, in the order a person reads it. Empty values are left out. */
export function frontMatter(item: MarkdownItem): Record<string, unknown> {
  const { work, review, entry } = item;
  const data: Record<string, unknown> = {};
  const set = (key: string, value: unknown) => {
    if (value === null || value === undefined || value === '' || (Array.isArray(value) && value.length === 0)) return;
    if (typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length === 0) return;
    data[key] = value;
  };

  set('title', work.title);
  set('slug', item.workSlug);
  for (const [type, key] of ALT_TITLE_KEYS) {
    // A type the importer has no key for is an "other" title.
    const ofType = work.altTitles.filter((t) => (ALT_TITLE_KEYS.has(t.type) ? t.type === type : type === 'other'));
    set(key, ofType.map((t) => t.title));
  }
  if (work.kind && review) set('kind', kindText(work.kind, review));
  set('year', work.year);
  set('episodes', work.episodes);
  for (const role of CREDIT_ROLES) set(role, work.credits.filter((c) => c.role === role).map((c) => c.name));
  const otherCredits: Record<string, string[]> = {};
  for (const c of work.credits) if (!(CREDIT_ROLES as readonly string[]).includes(c.role)) (otherCredits[c.role] ??= []).push(c.name);
  set('other_credits', otherCredits);
  set('studios', work.studios);
  set('platforms', work.platforms);
  set('tags', work.tags);
  if (review) {
    set('score', scoreText(review));
    set('headline', review.headline);
    set('summary', review.summary);
    set('date', review.publishedAt);
    data.draft = review.status === 'draft';
    data.spoilers = review.hasSpoilers;
  }
  const otherIds: Record<string, string> = {};
  for (const [source, id] of Object.entries(work.externalIds)) {
    const key = EXTERNAL_ID_KEYS.get(source);
    if (key) set(key, id);
    else otherIds[source] = id;
  }
  set('external_ids', otherIds);
  set('synopsis', work.synopsis);
  set('author', item.author);
  set('source_url', item.sourceUrl);
  if (entry) {
    const list: Record<string, unknown> = {};
    const put = (key: string, value: unknown) => {
      if (value !== null && value !== undefined && !(Array.isArray(value) && value.length === 0)) list[key] = value;
    };
    put('status', entry.status);
    put('progress', entry.progress);
    put('started_on', entry.startedOn);
    put('finished_on', entry.finishedOn);
    put('times_watched', entry.timesWatched);
    put('tags', entry.tags);
    set('list', list);
  }
  return data;
}

// ── YAML ───────────────────────────────────────────────────────────────────────────────────
// The front matter is written by hand rather than by the yaml library, which took some 100 µs a
// file (most of an export's time). It needs little: every string is a JSON string, which is a
// YAML double-quoted scalar that every YAML reader (1.1 or 1.2) takes as text — a title such as
// `yes`, `2024-05-01` or `- [x]: #1` stays a string — and never spans lines, so no line of the
// front matter can be a `---` that ends it early. Lists of names are flow sequences of those.

/**
 * Characters JSON leaves as they are and YAML does not print (DEL and the C1 controls, U+FFFE and
 * U+FFFF), or that YAML 1.1 readers take as line breaks (U+2028, U+2029), and the byte-order mark.
 */
const NOT_YAML_PRINTABLE = /[\u007f-\u009f\u2028\u2029\ufeff\ufffe\uffff]/gu;

function yamlString(text: string): string {
  return JSON.stringify(text).replace(NOT_YAML_PRINTABLE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

const PLAIN_KEY = /^[a-z][a-z0-9_]*$/u;
/** Keys YAML 1.1 readers would take as a boolean or null (an external id's source could be one). */
const YAML_WORD = /^(?:y|n|yes|no|on|off|true|false|null)$/u;

function yamlKey(key: string): string {
  return PLAIN_KEY.test(key) && !YAML_WORD.test(key) ? key : yamlString(key);
}

function yamlScalar(value: unknown): string {
  if (typeof value === 'string') return yamlString(value);
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'boolean') return String(value);
  return 'null';
}

function yamlLines(data: Record<string, unknown>, indent: string): string[] {
  const lines: string[] = [];
  for (const [key, value] of Object.entries(data)) {
    if (Array.isArray(value)) lines.push(`${indent}${yamlKey(key)}: [${value.map(yamlScalar).join(', ')}]`);
    else if (value !== null && typeof value === 'object') lines.push(`${indent}${yamlKey(key)}:`, ...yamlLines(value as Record<string, unknown>, `${indent}  `));
    else lines.push(`${indent}${yamlKey(key)}: ${yamlScalar(value)}`);
  }
  return lines;
}

/** One review as a Markdown file: YAML front matter, then the body. */
export function reviewMarkdown(item: MarkdownItem): string {
  const yaml = yamlLines(frontMatter(item), '').join('\n');
  const body = item.review?.body ?? '';
  const titleLine = item.review && item.review.headline === null && startsWithHeading(body) ? `# ${item.work.title}\n\n` : '';
  const text = `${titleLine}${body}`;
  return `---\n${yaml}\n---\n\n${text}${text.endsWith('\n') || text === '' ? '' : '\n'}`;
}
