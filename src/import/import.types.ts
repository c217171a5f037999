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
