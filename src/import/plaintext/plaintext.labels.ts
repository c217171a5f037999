/**
 * The "Key: Value" lines of an info block ("Director: Hiroyasu Aoki", "**Studio:** Pierrot",
 * "Available on – Crunchyroll, Hulu") and the one table that says which field each label fills.
 * Front-matter keys go through the same table, so a new label works in both places.
 */
import type { AltTitleType, CreditRole } from '../import.types.js';

export type FieldSpec =
  | { field: 'title'; medium?: Medium }
  | { field: 'altTitle'; type: AltTitleType }
  | { field: 'kind' }
  | { field: 'year' }
  | { field: 'credit'; role: CreditRole }
  | { field: 'studios' }
  | { field: 'platforms' }
  | { field: 'tags' }
  | { field: 'score' }
  | { field: 'verdict' }
  | { field: 'summary' }
  | { field: 'headline' }
  | { field: 'synopsis' }
  | { field: 'date' }
  | { field: 'externalId'; key: ExternalIdKey }
  | { field: 'spoilers' };

export type ExternalIdKey = 'mal' | 'anilist' | 'imdb' | 'tmdb';

/** What a label says about the kind of work: "Anime Year of Release" means it is anime. */
export type Medium = 'anime' | 'film' | 'series';

const credit = (role: CreditRole) => ({ field: 'credit', role }) as const;
const alt = (type: AltTitleType) => ({ field: 'altTitle', type }) as const;

/** Labels as people write them, lower-cased, "(s)" removed. Add a label here and both plain text and front matter accept it. */
const LABEL_GROUPS: [FieldSpec, string[]][] = [
  [{ field: 'title' }, ['title', 'name', 'work']],
  [{ field: 'title', medium: 'anime' }, ['anime']],
  [{ field: 'title', medium: 'film' }, ['film', 'movie']],
  [alt('english'), ['english title', 'english', 'english name', 'title english', 'title en']],
  [
    alt('original'),
    ['original title', 'japanese title', 'japanese', 'native title', 'original name', 'title japanese', 'title native', 'korean title', 'chinese title'],
  ],
  [alt('romaji'), ['romaji', 'romaji title', 'romanized title', 'romanised title', 'title romaji']],
  [
    alt('other'),
    ['alternative title', 'alternative titles', 'alternate title', 'alternate titles', 'alt title', 'alt titles', 'also known as', 'aka', 'a.k.a', 'other titles', 'synonyms'],
  ],
  [{ field: 'kind' }, ['type', 'format', 'kind', 'media', 'media type', 'medium']],
  [
    { field: 'year' },
    ['year', 'released', 'release', 'release year', 'year of release', 'release date', 'aired', 'premiered', 'first aired', 'air date', 'original release'],
  ],
  [credit('director'), ['director', 'directors', 'directed by', 'direction', 'series director', 'chief director']],
  [
    credit('writer'),
    ['writer', 'writers', 'written by', 'screenplay', 'screenplay by', 'script', 'scripts', 'script by', 'series composition', 'scriptwriter', 'screenwriter', 'teleplay'],
  ],
  [
    credit('music'),
    ['music', 'music by', 'composer', 'composers', 'composed by', 'soundtrack', 'soundtrack by', 'score by', 'original score', 'music composer'],
  ],
  [
    credit('original_creator'),
    ['original creator', 'creator', 'creators', 'created by', 'original story', 'original story by', 'original work', 'original author', 'original manga', 'mangaka', 'based on', 'based on by'],
  ],
  [credit('character_design'), ['character design', 'character designs', 'character designer', 'character design by']],
  [credit('animation_director'), ['animation director', 'chief animation director']],
  [credit('producer'), ['producer', 'producers', 'produced by', 'executive producer']],
  [credit('cast'), ['cast', 'starring', 'voice cast', 'voices']],
  [
    { field: 'studios' },
    ['studio', 'studios', 'animation studio', 'animation studios', 'animated by', 'animation by', 'animation production', 'production studio', 'production company', 'production companies'],
  ],
  [
    { field: 'platforms' },
    ['watch it on', 'watch on', 'watched on', 'where to watch', 'available on', 'available at', 'streaming on', 'stream it on', 'stream on', 'streaming', 'now streaming on', 'platform', 'platforms', 'watch', 'streaming service'],
  ],
  [{ field: 'tags' }, ['genre', 'genres', 'tags', 'tag', 'themes', 'theme', 'keywords']],
  [
    { field: 'score' },
    ['final score', 'score', 'my score', 'rating', 'my rating', 'final rating', 'overall', 'overall score', 'overall rating', 'grade', 'final grade', 'stars'],
  ],
  [{ field: 'verdict' }, ['verdict', 'final verdict', 'the verdict']],
  [{ field: 'summary' }, ['tl;dr', 'tldr', 'tl dr', 'summary', 'in short', 'bottom line', 'in a nutshell']],
  [{ field: 'headline' }, ['headline', 'review title', 'review headline']],
  [{ field: 'synopsis' }, ['synopsis', 'premise', 'plot summary']],
  [{ field: 'date' }, ['date', 'published', 'published on', 'posted', 'posted on', 'review date', 'reviewed on', 'date reviewed']],
  [{ field: 'externalId', key: 'mal' }, ['mal', 'mal id', 'myanimelist', 'myanimelist id']],
  [{ field: 'externalId', key: 'anilist' }, ['anilist', 'anilist id']],
  [{ field: 'externalId', key: 'imdb' }, ['imdb', 'imdb id']],
  [{ field: 'externalId', key: 'tmdb' }, ['tmdb', 'tmdb id']],
  [{ field: 'spoilers' }, ['spoilers', 'contains spoilers']],
];

const LABELS: ReadonlyMap<string, FieldSpec> = new Map(
  LABEL_GROUPS.flatMap(([spec, labels]) => labels.map((label) => [label, spec] as const)),
);

/** "Anime Studio", "Film Director": a medium word in front of a known label. */
const MEDIUM_PREFIXES: ReadonlyMap<string, Medium> = new Map([
  ['anime', 'anime'],
  ['film', 'film'],
  ['movie', 'film'],
  ['tv', 'series'],
  ['series', 'series'],
]);

/** "Based on the light novel by", "Based on the manga by" all mean the original creator. */
const BASED_ON_BY = /^based on (?:the |a |an )?[\p{L} -]{1,30} by$/u;

/** Most labels are plain words ("Director", "Watch It On") and need no clean-up beyond lower case. */
const PLAIN_LABEL = /^[A-Za-z]+(?: [A-Za-z]+)*$/;

export function normalizeLabel(label: string): string {
  const key = PLAIN_LABEL.test(label)
    ? label.toLowerCase()
    : label
        .normalize('NFKC')
        .toLowerCase()
        .replace(/\(s\)|[*_]/gu, '')
        .replace(/[\s-]+/gu, ' ')
        .replace(/[?:.\s]+$/u, '')
        .trim();
  return key.startsWith('based on ') && BASED_ON_BY.test(key) ? 'based on by' : key;
}

export interface LabelMatch {
  spec: FieldSpec;
  medium: Medium | null;
}

/** Looks a normalized label up, also as "<medium> <label>". */
export function lookupLabel(key: string): LabelMatch | null {
  const spec = LABELS.get(key);
  if (spec) return { spec, medium: spec.field === 'title' ? (spec.medium ?? null) : null };
  const space = key.indexOf(' ');
  const medium = space > 0 ? MEDIUM_PREFIXES.get(key.slice(0, space)) : undefined;
  const rest = medium ? LABELS.get(key.slice(space + 1)) : undefined;
  return medium && rest ? { spec: rest, medium } : null;
}

export interface LabelLine {
  /** The label as written, without emphasis. */
  label: string;
  key: string;
  value: string;
}

const MAX_LABEL_LENGTH = 40;
/** "Based on the light novel series by" is the longest label people write. */
const MAX_LABEL_WORDS = 7;
const BULLET = /^(?:[-*+•]\s+)/u;
const LABEL_SHAPE = /^\p{L}[\p{L}\p{N} ;&/().'’?-]*$/u;
const EDGE_EMPHASIS = /^[*_]+|[*_]+$/gu;
/** The closing half of `**Director:** X`, left at the start of the value. */
const CLOSING_EMPHASIS = /^[*_]+(?=\s|$)/u;
const BY_LABEL = /^(.{2,40}?\sby)\s+(?=\S)/u;

/**
 * Where the label ends: the first `:`, `：`, `–` or `—`, or a hyphen that is spaced
 * ("Released - 2018") or directly follows a known label ("Director- X"). Other hyphens are
 * part of the label or of a name ("Kaguya-sama", "Jean-Luc"), so the scan goes on past them.
 */
function findSeparator(text: string): { at: number; length: number } | null {
  const limit = Math.min(text.length, MAX_LABEL_LENGTH + 6);
  for (let i = 1; i < limit; i++) {
    const ch = text[i];
    if (ch === ':' || ch === '：' || ch === '–' || ch === '—') return { at: i, length: 1 };
    if (ch !== '-') continue;
    if (text[i - 1] === ' ' && text[i + 1] === ' ') return { at: i, length: 1 };
    if (lookupLabel(normalizeLabel(text.slice(0, i)))) return { at: i, length: 1 };
  }
  return null;
}

function cleanLabel(raw: string): string {
  if (!raw.includes('*') && !raw.includes('_')) return raw.trim();
  return raw.replace(EDGE_EMPHASIS, '').trim().replace(EDGE_EMPHASIS, '').trim();
}

function isLabelShaped(label: string): boolean {
  return label.length <= MAX_LABEL_LENGTH && LABEL_SHAPE.test(label) && label.split(' ').length <= MAX_LABEL_WORDS;
}

/**
 * Splits "Label: value" (with optional list bullet and Markdown emphasis: `**Director:** X`,
 * `_Studio_ – X`). Also "Directed by X", where the label itself ends in "by" and needs no
 * separator. Returns null for lines that do not have that shape; whether the label is known is
 * for the caller to ask.
 */
export function parseLabelLine(line: string): LabelLine | null {
  const text = line.trim().replace(BULLET, '');
  const sep = findSeparator(text);
  if (sep) {
    const label = cleanLabel(text.slice(0, sep.at));
    const value = text.slice(sep.at + sep.length).trim().replace(CLOSING_EMPHASIS, '').trim();
    // "https://…" has the shape of a label line and is not one.
    if (!isLabelShaped(label) || value.startsWith('//')) return null;
    return { label, key: normalizeLabel(label), value };
  }
  const by = BY_LABEL.exec(text);
  if (!by?.[1]) return null;
  const label = cleanLabel(by[1]);
  const key = normalizeLabel(label);
  return isLabelShaped(label) && lookupLabel(key) ? { label, key, value: text.slice(by[0].length).trim() } : null;
}
