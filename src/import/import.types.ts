/**
 * What every importer produces for one source item (a file, a list entry, a blog post):
 * a description of the work and the review, before anything touches the database.
 * The import service turns it into rows, all-or-nothing per item.
 */

export const WORK_KINDS = ['anime_series', 'anime_film', 'ova', 'ona', 'special', 'series', 'film', 'other'] as const;
export type WorkKind = (typeof WORK_KINDS)[number];

/** Canonical credit roles. Labels people write ("Screenplay", "Composer"…) map onto these. */
export const CREDIT_ROLES = [
  'director',
  'writer',
  'music',
  'original_creator',
  'character_design',
  'animation_director',
  'producer',
  'cast',
] as const;
export type CreditRole = (typeof CREDIT_ROLES)[number];

export type AltTitleType = 'original' | 'romaji' | 'english' | 'other';

export interface ParsedAltTitle {
  title: string;
  type: AltTitleType;
}

/** A score exactly as the reviewer wrote it: `value` out of `max` (5, 10, 100…). */
export interface Score {
  value: number;
  max: number;
}

export interface ParsedWork {
  title: string;
  altTitles: ParsedAltTitle[];
  kind: WorkKind | null;
  year: number | null;
  synopsis: string | null;
  credits: { role: CreditRole; name: string }[];
  studios: string[];
  platforms: string[];
  tags: string[];
  /** e.g. { mal: "37521", anilist: "101348", imdb: "tt1234567", tmdb: "12345" } */
  externalIds: Record<string, string>;
}

export interface ParsedReview {
  headline: string | null;
  /** Optional TL;DR shown under the headline. */
  summary: string | null;
  score: Score | null;
  /** The score as it appeared in the source ("2.5 out of 5", "★★★½"), for the record. */
  scoreText: string | null;
  /** 0–100, derived from score; null when there is no score. */
  rating: number | null;
  /** Markdown; spoiler passages in the canonical `||…||` / `::: spoiler` form. */
  body: string;
  hasSpoilers: boolean;
  /** ISO 8601 date or date-time when the source gives one. */
  publishedAt: string | null;
  status: 'draft' | 'published';
}

export interface ParsedItem {
  work: ParsedWork;
  review: ParsedReview;
  /** Human-readable notes about what was guessed, ignored or dropped. */
  warnings: string[];
}

/** Where an author is with a work, as list sites record it (MyAnimeList, AniList, Letterboxd's diary). */
import type { ListStatus } from '../db/schema.js';
export { LIST_STATUSES, type ListStatus } from '../db/schema.js';

export interface ParsedListEntry {
  status: ListStatus | null;
  /** Episodes watched. */
  progress: number | null;
  /** YYYY-MM-DD, or null when the source has none (MAL's `0000-00-00`). */
  startedOn: string | null;
  finishedOn: string | null;
  /** How many times the author watched it through (MAL `my_times_watched`, AniList `repeat`). */
  timesWatched: number | null;
  /** The author's own tags for the entry (not the work's genres). */
  tags: string[];
}

/**
 * What a list or feed importer produces for one entry. A plain-text `ParsedItem` is one too.
 * `review` is null for an entry with neither a score nor text (a plan-to-watch, say); a score
 * without text is a review with an empty body. `work.episodes` is the episode count when known.
 */
export interface SourceItem {
  work: ParsedWork & { episodes?: number | null };
  review: ParsedReview | null;
  entry?: ParsedListEntry | null;
  /** The address the review had on its old site (blog imports), so old links can redirect. */
  sourceUrl?: string | null;
  /** Who wrote it, when the source says (a blog post's author); otherwise the import's author. */
  author?: string | null;
  warnings: string[];
}

/**
 * One entry of a source, as a list importer yields it. `ref` says where it is in the source, for
 * the report ("anime 37521 (Cowboy Bebop)", "reviews.csv line 12"). An entry is either an item
 * to write, one skipped on purpose (with the reason), or one that cannot be read (with the
 * problem and where it is). Problems with the file as a whole (not XML, a manga list given as
 * anime, a truncated archive) are thrown as an `AppError` instead.
 */
export type SourceEntry = { ref: string; item: SourceItem } | { ref: string; skip: string } | { ref: string; error: string };
