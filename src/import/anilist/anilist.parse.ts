/**
 * An AniList anime list as its GraphQL API returns it, saved to a file: the answer to
 * `MediaListCollection(userName: …, type: ANIME)` asking for `user { mediaListOptions { scoreFormat } }`
 * and, per entry, `status score progress repeat notes private startedAt completedAt updatedAt
 * createdAt` and `media { id idMal type format episodes title synonyms startDate genres studios
 * staff }`. Fields left out of the query are simply missing from the import.
 * Pure: text in, one SourceEntry per list entry out.
 */
import { ratingFromScore } from '../../reviews/score.js';
import { AppError } from '../../shared/errors.js';
import { cleanName, fold } from '../../shared/text.js';
import type {
  CreditRole,
  ListStatus,
  ParsedAltTitle,
  ParsedListEntry,
  ParsedReview,
  ParsedWork,
  SourceEntry,
  WorkKind,
} from '../import.types.js';
import { markSpoilers } from '../plaintext/plaintext.spoilers.js';
import { readScore, resolveScoreFormat, type ScoreFormat } from './anilist.scores.js';

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
const asArray = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const asText = (value: unknown): string | null => (typeof value === 'string' && value.trim() !== '' ? cleanName(value) : null);
const asNumber = (value: unknown): number | null => (typeof value === 'number' && Number.isFinite(value) ? value : null);
const asId = (value: unknown): number | null => {
  const n = asNumber(value);
  return n !== null && Number.isInteger(n) && n > 0 ? n : null;
};

const STATUSES: Readonly<Record<string, ListStatus>> = {
  CURRENT: 'watching',
  // A rewatch in progress: the author is watching it again.
  REPEATING: 'watching',
  COMPLETED: 'completed',
  PAUSED: 'on_hold',
  DROPPED: 'dropped',
  PLANNING: 'plan_to_watch',
};

/**
 * AniList's `MediaFormat` for anime. Music videos have no kind of their own in Kansou. Manga
 * formats never get here: manga entries are skipped.
 */
const KINDS: Readonly<Record<string, WorkKind>> = {
  TV: 'anime_series',
  TV_SHORT: 'anime_series',
  MOVIE: 'anime_film',
  OVA: 'ova',
  ONA: 'ona',
  SPECIAL: 'special',
  MUSIC: 'other',
};

const MANGA_FORMATS: ReadonlySet<string> = new Set(['MANGA', 'NOVEL', 'ONE_SHOT']);

/**
 * Staff roles are free text with a scope ("Director (eps 1-12)"). The scope goes and the rest must
 * match exactly, so "Episode Director" and "Art Director" are not the director.
 */
const ROLES: Readonly<Record<string, CreditRole>> = {
  director: 'director',
  'chief director': 'director',
  script: 'writer',
  screenplay: 'writer',
  'series composition': 'writer',
  music: 'music',
  'original creator': 'original_creator',
};
const ROLE_SCOPE = /\s*\([^()]*\)$/u;

/** What a scored entry needs to know about the whole file. */
interface Context {
  format: ScoreFormat | null;
  formatWarning: string | null;
}

/** An entry as found, with the custom lists it is on. */
interface Found {
  entry: unknown;
  list: string;
  position: number;
  customLists: string[];
}

/**
 * Reads an AniList list saved from the API: `{ data: { MediaListCollection } }` as the API answers,
 * or the `MediaListCollection` object alone. Each entry is yielded once even when it is on several
 * lists (a status list and custom lists); the custom lists become the entry's tags. Manga
 * entries are skipped; a file that is a manga list, not AniList JSON or not JSON at all is an
 * AppError naming the problem.
 */
export function* parseAniList(text: string, source: string): Generator<SourceEntry> {
  const collection = findCollection(parseJson(text, source), source);
  const found = collectEntries(collection);
  const anime = found.filter((f) => !isManga(f.entry));
  if (anime.length === 0 && found.length > 0) {
    throw new AppError('unsupported_format', `${source}: this is an AniList manga list; Kansou imports anime lists (query MediaListCollection with type: ANIME)`);
  }

  const user = isObject(collection.user) ? collection.user : {};
  const options = isObject(user.mediaListOptions) ? user.mediaListOptions : {};
  const scores = anime.map((f) => (isObject(f.entry) ? asNumber(f.entry.score) : null)).filter((s): s is number => s !== null && s > 0);
  const resolved = resolveScoreFormat(options.scoreFormat, scores);
  const context: Context = { format: resolved.format, formatWarning: resolved.warning };

  for (const f of found) yield readEntry(f, context);
}

// ---------------------------------------------------------------------------------------------
// The file

function parseJson(text: string, source: string): unknown {
  const json = text.startsWith('\uFEFF') ? text.slice(1) : text;
  if (json.trim() === '') throw new AppError('invalid_input', `${source}: the file is empty`);
  try {
    return JSON.parse(json);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new AppError('invalid_input', `${source}: not valid JSON${jsonErrorPlace(json, message)}: ${message}`, { cause: error });
  }
}

/** " at line 3, column 14" from V8's "… at position 52", when the message gives no line itself. */
function jsonErrorPlace(text: string, message: string): string {
  const position = /\bposition (\d+)/u.exec(message);
  if (!position || /\bline \d+/u.test(message)) return '';
  const before = text.slice(0, Number(position[1]));
  const line = before.split('\n').length;
  const column = before.length - before.lastIndexOf('\n');
  return ` at line ${line}, column ${column}`;
}

function findCollection(value: unknown, source: string): Json {
  if (!isObject(value)) {
    throw new AppError('unsupported_format', `${source}: not an AniList list: the JSON is ${Array.isArray(value) ? 'an array' : typeof value}, not an object`);
  }
  const data = isObject(value.data) ? value.data : value;
  const collection = 'MediaListCollection' in data ? data.MediaListCollection : Array.isArray(value.lists) ? value : undefined;
  if (isObject(collection) && Array.isArray(collection.lists)) return collection;

  const errors = asArray(value.errors).map((e) => (isObject(e) ? asText(e.message) : null)).filter(Boolean);
  if (errors.length > 0) {
    throw new AppError('invalid_input', `${source}: this is an error AniList answered ("${errors.join('"; "')}"), not a list`);
  }
  if ('MediaListCollection' in data) {
    throw new AppError('invalid_input', `${source}: MediaListCollection has no "lists" array (was the list private, or the user not found?)`);
  }
  throw new AppError('unsupported_format', `${source}: not an AniList list: expected { "data": { "MediaListCollection": { "lists": […] } } }`);
}

function listName(list: Json, index: number): string {
  return asText(list.name) ?? `list ${index + 1}`;
}

/** Custom lists an entry is on, as the entry itself says (`customLists` as a map or as an array). */
function entryCustomLists(entry: Json): string[] {
  const { customLists } = entry;
  if (Array.isArray(customLists)) {
    return customLists.filter((c): c is Json => isObject(c) && c.enabled === true).flatMap((c) => asText(c.name) ?? []);
  }
  if (isObject(customLists)) return Object.keys(customLists).filter((name) => customLists[name] === true);
  return [];
}

/** The list entry's own id, else its media's: the same entry on two lists has both the same. */
function entryKey(entry: unknown): string | null {
  if (!isObject(entry)) return null;
  const own = asId(entry.id);
  if (own !== null) return `entry ${own}`;
  const media = isObject(entry.media) ? asId(entry.media.id) : null;
  return media === null ? null : `media ${media}`;
}

function collectEntries(collection: Json): Found[] {
  const found: Found[] = [];
  const byKey = new Map<string, Found>();
  const addList = (found: Found, name: string) => {
    if (!found.customLists.some((existing) => fold(existing) === fold(name))) found.customLists.push(name);
  };
  asArray(collection.lists).forEach((list, listIndex) => {
    if (!isObject(list)) return;
    const name = listName(list, listIndex);
    const custom = list.isCustomList === true;
    asArray(list.entries).forEach((entry, position) => {
      const key = entryKey(entry);
      const seen = key === null ? undefined : byKey.get(key);
      if (seen) {
        if (custom) addList(seen, name);
        return;
      }
      const f: Found = { entry, list: name, position: position + 1, customLists: [] };
      if (custom) addList(f, name);
      if (isObject(entry)) for (const n of entryCustomLists(entry)) addList(f, n);
      found.push(f);
      if (key !== null) byKey.set(key, f);
    });
  });
  return found;
}

function isManga(entry: unknown): boolean {
  const media = isObject(entry) && isObject(entry.media) ? entry.media : null;
  if (!media) return false;
  if (typeof media.type === 'string') return media.type === 'MANGA';
  return typeof media.format === 'string' && MANGA_FORMATS.has(media.format);
}

// ---------------------------------------------------------------------------------------------
// One entry

function readEntry(found: Found, context: Context): SourceEntry {
  const where = `list "${found.list}" entry ${found.position}`;
  const { entry } = found;
  if (!isObject(entry)) return { ref: where, error: 'not an entry object' };
  const media = entry.media;
  if (!isObject(media)) return { ref: where, error: 'the entry has no media (add media { id … } to the query)' };
  const id = asId(media.id);
  if (id === null) return { ref: where, error: 'the entry\'s media has no id' };

  const titles = isObject(media.title) ? media.title : {};
  const english = asText(titles.english);
  const romaji = asText(titles.romaji);
  const native = asText(titles.native);
  const title = english ?? romaji ?? native;
  const manga = isManga(entry);
  const kindWord = manga ? 'manga' : 'anime';
  const ref = title ? `${kindWord} ${id} (${title})` : `${kindWord} ${id}`;
  if (manga) return { ref, skip: 'a manga entry; Kansou imports anime' };
  if (!title) return { ref, error: 'the media has no title (add title { romaji english native } to the query)' };

  const warnings: string[] = [];
  const work = readWork(media, id, { title, english, romaji, native }, warnings);
  const listEntry = readListEntry(entry, found.customLists, warnings);
  const review = readReview(entry, context, warnings);
  return { ref, item: { work, review, entry: listEntry, warnings } };
}

function readWork(
  media: Json,
  id: number,
  titles: { title: string; english: string | null; romaji: string | null; native: string | null },
  warnings: string[],
): ParsedWork & { episodes: number | null } {
  const altTitles: ParsedAltTitle[] = [];
  const addTitle = (title: string | null, type: ParsedAltTitle['type']) => {
    if (title && fold(title) !== fold(titles.title) && !altTitles.some((a) => fold(a.title) === fold(title))) altTitles.push({ title, type });
  };
  addTitle(titles.english, 'english');
  addTitle(titles.romaji, 'romaji');
  addTitle(titles.native, 'original');
  for (const synonym of asArray(media.synonyms)) addTitle(asText(synonym), 'other');

  const format = asText(media.format);
  const kind = format === null ? null : (KINDS[format] ?? null);
  if (format !== null && kind === null) warnings.push(`format ${format} is not one Kansou knows; imported without a kind`);

  const startDate = isObject(media.startDate) ? media.startDate : {};
  const idMal = asId(media.idMal);
  const externalIds: Record<string, string> = { anilist: String(id) };
  if (idMal !== null) externalIds.mal = String(idMal);
  const episodes = asId(media.episodes);

  return {
    title: titles.title,
    altTitles,
    kind,
    year: asId(startDate.year),
    synopsis: null,
    credits: readCredits(media),
    studios: readStudios(media),
    platforms: readPlatforms(media),
    tags: uniqueNames(asArray(media.genres).map(asText)),
    externalIds,
    episodes,
  };
}

function uniqueNames(names: (string | null)[]): string[] {
  const out: string[] = [];
  for (const name of names) if (name && !out.some((n) => fold(n) === fold(name))) out.push(name);
  return out;
}

function readCredits(media: Json): ParsedWork['credits'] {
  const staff = isObject(media.staff) ? media.staff : {};
  const credits: ParsedWork['credits'] = [];
  for (const edge of asArray(staff.edges)) {
    if (!isObject(edge) || typeof edge.role !== 'string') continue;
    const role = ROLES[edge.role.replace(ROLE_SCOPE, '').trim().toLowerCase()];
    const node = isObject(edge.node) ? edge.node : {};
    const name = asText(isObject(node.name) ? node.name.full : null);
    if (role && name && !credits.some((c) => c.role === role && fold(c.name) === fold(name))) credits.push({ role, name });
  }
  return credits;
}

/** The main studios (`isMain`); the other edges are producers and distributors. */
function readStudios(media: Json): string[] {
  const studios = isObject(media.studios) ? media.studios : {};
  const edges = asArray(studios.edges).filter(isObject);
  const names = edges.filter((e) => e.isMain !== false).map((e) => (isObject(e.node) ? asText(e.node.name) : null));
  return uniqueNames(names);
}

/** Where to watch it, when the query asked for `externalLinks`: the streaming ones. */
function readPlatforms(media: Json): string[] {
  const links = asArray(media.externalLinks).filter(isObject);
  return uniqueNames(links.filter((l) => l.type === 'STREAMING').map((l) => asText(l.site)));
}

function readListEntry(entry: Json, customLists: string[], warnings: string[]): ParsedListEntry {
  const statusText = asText(entry.status);
  const status = statusText === null ? null : (STATUSES[statusText] ?? null);
  if (statusText !== null && status === null) warnings.push(`status ${statusText} is not one Kansou knows; imported without a status`);
  const progress = asNumber(entry.progress);
  const repeat = asNumber(entry.repeat);
  return {
    status,
    progress: progress !== null && progress >= 0 ? Math.trunc(progress) : null,
    startedOn: readFuzzyDate(entry.startedAt, 'started', warnings),
    finishedOn: readFuzzyDate(entry.completedAt, 'completed', warnings),
    timesWatched: repeat !== null && repeat >= 0 ? Math.trunc(repeat) : null,
    tags: customLists,
  };
}

const pad = (n: number) => String(n).padStart(2, '0');

/** A FuzzyDate is a date only when all three parts are there: "2019" alone is not a day. */
function readFuzzyDate(value: unknown, what: string, warnings: string[]): string | null {
  if (!isObject(value)) return null;
  const year = asId(value.year);
  const month = asId(value.month);
  const day = asId(value.day);
  if (year === null && month === null && day === null) return null;
  const shown = `${year ?? '????'}-${month === null ? '??' : pad(month)}-${day === null ? '??' : pad(day)}`;
  if (year === null || month === null || day === null) {
    warnings.push(`the ${what} date ${shown} is incomplete; imported without it`);
    return null;
  }
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) {
    warnings.push(`the ${what} date ${shown} does not exist; imported without it`);
    return null;
  }
  return `${String(year).padStart(4, '0')}-${pad(month)}-${pad(day)}`;
}

/** Unix seconds as an ISO date-time; AniList leaves 0 or null where it has none. */
function readTimestamp(value: unknown): string | null {
  const seconds = asNumber(value);
  if (seconds === null || seconds <= 0) return null;
  const date = new Date(seconds * 1000);
  return Number.isNaN(date.getTime()) ? null : date.toISOString().replace('.000Z', 'Z');
}

function readReview(entry: Json, context: Context, warnings: string[]): ParsedReview | null {
  const raw = asNumber(entry.score);
  let score: { value: number; max: number } | null = null;
  let scoreText: string | null = null;
  if (raw !== null && raw !== 0) {
    if (context.formatWarning) warnings.push(context.formatWarning);
    const read = context.format === null ? null : readScore(raw, context.format);
    if (read && 'problem' in read) warnings.push(read.problem);
    else if (read) {
      score = read.score;
      scoreText = read.scoreText;
      if (read.warning) warnings.push(read.warning);
    }
  }
  const notes = typeof entry.notes === 'string' ? entry.notes.replace(/\r\n?/gu, '\n').trim() : '';
  if (!score && notes === '') return null;

  const spoilers = markSpoilers(notes === '' ? [] : notes.split(/\n[ \t]*\n+/u));
  warnings.push(...spoilers.warnings);
  const isPrivate = entry.private === true;
  if (isPrivate) warnings.push('private on AniList: the review was imported as a draft');
  return {
    headline: null,
    summary: null,
    score,
    scoreText,
    rating: score ? ratingFromScore(score) : null,
    body: spoilers.body,
    hasSpoilers: spoilers.hasSpoilers,
    // When the entry (and so its score and notes) last changed; AniList keeps no date for the score itself.
    publishedAt: readTimestamp(entry.updatedAt) ?? readTimestamp(entry.createdAt),
    status: isPrivate ? 'draft' : 'published',
  };
}
