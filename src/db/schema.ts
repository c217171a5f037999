/**
 * Table types for Kysely. Column names are snake_case in SQL; the `CamelCasePlugin`
 * maps them to camelCase here and everywhere in TypeScript. Timestamps are ISO 8601
 * UTC strings (`2026-11-27T20:55:46.000Z`) on both databases, so exports are
 * byte-identical whichever database produced them.
 */
import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';

type Id = Generated<number>;

export interface WorksTable {
  id: Id;
  slug: string;
  title: string;
  kind: string | null;
  year: number | null;
  synopsis: string | null;
  createdAt: string;
  updatedAt: string;
  /** Aggregates over published, scored reviews; rewritten in the same transaction as every review write. */
  reviewCount: ColumnType<number, number | undefined, number>;
  ratingCount: ColumnType<number, number | undefined, number>;
  ratingSum: ColumnType<number, number | undefined, number>;
  /** JSON array of 10 counts: ratings in (0,10], (10,20] … (90,100] — half-star buckets. */
  ratingHistogram: ColumnType<string, string | undefined, string>;
}

export interface WorkTitlesTable {
  workId: number;
  position: number;
  title: string;
  type: string;
  /** Folded (case, accent, width) form, used for matching and search. */
  titleKey: string;
}

export interface WorkExternalIdsTable {
  workId: number;
  source: string;
  externalId: string;
}

/** people, studios, platforms and tags share one shape. */
export interface NamedTable {
  id: Id;
  slug: string;
  name: string;
  /** Folded name: one record per name whatever its case, spacing or Unicode form. */
  nameKey: string;
  createdAt: string;
}

export interface CreditsTable {
  workId: number;
  personId: number;
  role: string;
  position: number;
}

export interface WorkLinkTable {
  workId: number;
  position: number;
}

export interface AuthorsTable {
  id: Id;
  slug: string;
  name: string;
  nameKey: string;
  bio: string | null;
  createdAt: string;
}

export interface ReviewsTable {
  id: Id;
  workId: number;
  authorId: number;
  status: 'draft' | 'published';
  headline: string | null;
  summary: string | null;
  body: string;
  scoreValue: number | null;
  scoreMax: number | null;
  scoreText: string | null;
  /** 0–100 integer derived from the score, for sorting and averages. */
  rating: number | null;
  /** 0 or 1 (an integer on both databases: better-sqlite3 binds no booleans). */
  hasSpoilers: number;
  publishedAt: string | null;
  createdAt: string;
  updatedAt: string;
}

/** A review body rendered when written (derived data; see reviews/reviews.render.ts). */
export interface ReviewRendersTable {
  reviewId: number;
  /** The renderer version that made the row; an older one is rendered again. */
  renderer: number;
  /** The first TEXT_START_LENGTH characters of bodyText: all a listing's excerpt needs. */
  textStart: string;
  /** The body as the review page shows it, spoilers behind reveal controls. */
  bodyHtml: string;
  /** The body as plain text with each spoiler passage replaced by "[spoiler]": excerpts are cut from it. */
  bodyText: string;
}

export interface Database {
  works: WorksTable;
  workTitles: WorkTitlesTable;
  workExternalIds: WorkExternalIdsTable;
  people: NamedTable;
  studios: NamedTable;
  platforms: NamedTable;
  tags: NamedTable;
  credits: CreditsTable;
  workStudios: WorkLinkTable & { studioId: number };
  workPlatforms: WorkLinkTable & { platformId: number };
  workTags: WorkLinkTable & { tagId: number };
  authors: AuthorsTable;
  reviews: ReviewsTable;
  reviewRenders: ReviewRendersTable;
}

export type WorkRow = Selectable<WorksTable>;
export type ReviewRow = Selectable<ReviewsTable>;
export type NewReview = Insertable<ReviewsTable>;
export type NamedEntity = 'people' | 'studios' | 'platforms' | 'tags' | 'authors';
