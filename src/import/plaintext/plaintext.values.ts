/**
 * Reading the value half of "Label: value": name lists, years, dates, kinds, external ids.
 * Each function takes what a person typed and returns the clean value or null; none of them guess.
 */
import { cleanName } from '../../shared/text.js';
import type { WorkKind } from '../import.types.js';
import type { ExternalIdKey } from './plaintext.labels.js';

// Bounded so a text full of "[" is not scanned to its end from every bracket.
const MARKDOWN_LINK = /\[([^\]\n]{0,200})\]\([^)\n]{0,500}\)/gu;

/** `[Netflix](https://…)` → `Netflix`. */
function linkTexts(text: string): string {
  return text.includes('](') ? text.replace(MARKDOWN_LINK, '$1') : text;
}

/** Pairs people wrap titles and names in. Japanese 【】 is left alone: it is part of titles such as 【推しの子】. */
const WRAPPERS: [string, string][] = [
  ['**', '**'],
  ['__', '__'],
  ['*', '*'],
  ['_', '_'],
  ['"', '"'],
  ['“', '”'],
  ["'", "'"],
  ['‘', '’'],
  ['«', '»'],
  ['「', '」'],
  ['『', '』'],
];

/** Removes wrappers around the whole text, not pairs that merely start and end it ("*Hero* and *Mask*"). */
export function unwrap(text: string): string {
  let value = text.trim();
  for (let changed = true; changed; ) {
    changed = false;
    for (const [open, close] of WRAPPERS) {
      const inner = value.slice(open.length, value.length - close.length);
      if (value.length > open.length + close.length && value.startsWith(open) && value.endsWith(close) && !inner.includes(open)) {
        value = inner.trim();
        changed = true;
        break;
      }
    }
  }
  return value;
}

/** `[Netflix](https://…)` → `Netflix`, wrappers removed, whitespace collapsed. */
export function cleanValue(text: string): string {
  return cleanName(unwrap(linkTexts(text)));
}

export type ListKind = 'people' | 'companies' | 'tags' | 'titles';

const SEPARATORS: Record<Exclude<ListKind, 'titles'>, RegExp> = {
  // "Crunchyroll, Hulu", "A & B", "A / B", "A and B", Oxford comma included. "Aoki, Hiroyasu" is
  // rarer than a comma between two people, so a comma always separates.
  people: /\s*[,;、]\s*(?:(?:and|&)\s+)?|\s+(?:&|and|\+|\/)\s+/iu,
  // Companies and services are also written "Netflix/Hulu".
  companies: /\s*[,;、/]\s*(?:(?:and|&)\s+)?|\s+(?:&|and|\+)\s+/iu,
  tags: /\s*[,;|/、]\s*/u,
};
// Titles hold commas ("Yes, Prime Minister"): commas only separate when nothing stronger does.
const STRONG_TITLE_SEPARATORS = /\s*[;|]\s*/u;
const TITLE_SEPARATORS = /\s*,\s*/u;

function separatorFor(value: string, kind: ListKind): RegExp {
  if (kind !== 'titles') return SEPARATORS[kind];
  return STRONG_TITLE_SEPARATORS.test(value) ? STRONG_TITLE_SEPARATORS : TITLE_SEPARATORS;
}

/** Splits a list value and cleans each item; empty items are dropped. */
export function splitList(value: string, kind: ListKind): string[] {
  // Links first: their URLs hold slashes that are not separators. Whitespace collapsed first, so the
  // separators' `\s*`/`\s+` never backtrack over a long run of spaces.
  const text = cleanName(linkTexts(value));
  return text
    .split(separatorFor(text, kind))
    .map(cleanValue)
    .filter((item) => item !== '');
}

/** "the manga by Hajime Isayama" → "Hajime Isayama" (after a "Based on" label). */
const SOURCE_BY = /^(?:(?:the|a|an)\s+)?[\p{L} -]{1,40}?\s+by\s+(\S.*)$/iu;

export function creatorFromSource(value: string): string | null {
  return SOURCE_BY.exec(value)?.[1] ?? null;
}

const YEAR = /(?<!\d)(1[89]\d\d|20\d\d)(?!\d)/u;

export function extractYear(value: string): number | null {
  const match = YEAR.exec(value);
  return match ? Number(match[1]) : null;
}

// ---------------------------------------------------------------------------------------------
// Dates

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?))?$/u;
const SLASHED_YMD = /^(\d{4})[/.](\d{1,2})[/.](\d{1,2})$/u;
const MONTH_DAY_YEAR = /^(\p{L}+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})$/iu;
const DAY_MONTH_YEAR = /^(\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?(\p{L}+)\.?,?\s+(\d{4})$/iu;
const MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];

function monthNumber(word: string): number | null {
  const lower = word.toLowerCase();
  const index = lower.length >= 3 ? MONTHS.findIndex((month) => month.startsWith(lower)) : -1;
  return index === -1 ? null : index + 1;
}

function isoDay(year: number, month: number, day: number): string | null {
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return null;
  return date.toISOString().slice(0, 10);
}

/**
 * ISO dates and date-times as given; "March 5, 2024", "5 March 2024" and "2024/03/05" as ISO dates.
 * "05/03/2024" is day-first in some countries and month-first in others, so it is refused.
 */
export function parseDate(value: string): string | null {
  const iso = ISO_DATE.exec(value);
  if (iso) {
    const day = isoDay(Number(iso[1]), Number(iso[2]), Number(iso[3]));
    return day && (iso[4] ? `${day}T${iso[4]}` : day);
  }
  const slashed = SLASHED_YMD.exec(value);
  if (slashed) return isoDay(Number(slashed[1]), Number(slashed[2]), Number(slashed[3]));
  const monthFirst = MONTH_DAY_YEAR.exec(value);
  const dayFirst = monthFirst ? null : DAY_MONTH_YEAR.exec(value);
  const [monthWord, day, year] = monthFirst
    ? [monthFirst[1], monthFirst[2], monthFirst[3]]
    : dayFirst
      ? [dayFirst[2], dayFirst[1], dayFirst[3]]
      : [];
  const month = monthWord ? monthNumber(monthWord) : null;
  return month ? isoDay(Number(year), month, Number(day)) : null;
}

// ---------------------------------------------------------------------------------------------
// External ids

/** An id alone, or the page URL people paste instead. */
const ID_PATTERNS: Record<ExternalIdKey, RegExp> = {
  mal: /^(\d+)$|myanimelist\.net\/anime\/(\d+)/u,
  anilist: /^(\d+)$|anilist\.co\/anime\/(\d+)/u,
  imdb: /^(tt\d{5,})$|imdb\.com\/title\/(tt\d{5,})/u,
  tmdb: /^(\d+)$|themoviedb\.org\/(?:movie|tv)\/(\d+)/u,
};

export function extractExternalId(key: ExternalIdKey, value: string): string | null {
  const match = ID_PATTERNS[key].exec(value.trim());
  return match ? (match[1] ?? match[2] ?? null) : null;
}

// ---------------------------------------------------------------------------------------------
// Kinds

/** What a "Type:" value means: [kind when the work is anime, kind otherwise]. */
const KIND_GROUPS: [[WorkKind, WorkKind], string[]][] = [
  [['anime_series', 'series'], ['tv', 'tv series', 'tv show', 'series', 'show', 'television', 'television series', 'miniseries', 'mini series', 'limited series', 'season']],
  [['anime_series', 'anime_series'], ['anime', 'anime series', 'tv anime', 'anime tv', 'anime tv series']],
  [['anime_film', 'film'], ['movie', 'film', 'feature', 'feature film', 'theatrical', 'theatrical film', 'animated film', 'animated movie']],
  [['anime_film', 'anime_film'], ['anime film', 'anime movie']],
  [['ova', 'ova'], ['ova', 'oav', 'oad', 'ova series']],
  [['ona', 'ona'], ['ona', 'web anime', 'net animation']],
  [['ona', 'series'], ['web series', 'web']],
  [['special', 'special'], ['special', 'specials', 'tv special']],
  [
    ['series', 'series'],
    ['live action series', 'live action', 'live action tv', 'live action tv series', 'live action show', 'drama', 'tv drama', 'k drama', 'kdrama', 'j drama', 'jdrama', 'c drama', 'sitcom', 'documentary series'],
  ],
  [['film', 'film'], ['live action film', 'live action movie', 'documentary', 'short film']],
  [['other', 'other'], ['other', 'music video']],
];

const KINDS: ReadonlyMap<string, [WorkKind, WorkKind]> = new Map(
  KIND_GROUPS.flatMap(([kinds, words]) => words.map((word) => [word, kinds] as const)),
);

/** "TV (12 episodes)", "Live-action series", "anime_film" → the table's spelling. */
function kindKey(value: string): string {
  return value
    .toLowerCase()
    .replace(/[,(].*$/su, '')
    .replace(/[-_\s]+/gu, ' ')
    .trim();
}

export function kindFromType(value: string): { ifAnime: WorkKind; otherwise: WorkKind } | null {
  const kinds = KINDS.get(kindKey(value));
  return kinds ? { ifAnime: kinds[0], otherwise: kinds[1] } : null;
}
