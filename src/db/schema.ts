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
  /** Episode count as list sites give it; null when unknown (or not a series). */
  episodes: ColumnType<number | null, number | null | undefined, number | null>;
  createdAt: string;
  updatedAt: string;
  /** Aggregates over published, scored reviews; rewritten in the same transaction as every review write. */
  reviewCount: ColumnType<number, number | undefined, number>;
  ratingCount: ColumnType<number, number | undefined, number>;
  ratingSum: ColumnType<number, number | undefined, number>;
  /** JSON array of 10 counts: ratings in (0,10], (10,20] … (90,100] — half-star buckets. */
  ratingHistogram: ColumnType<string, string | undefined, string>;
  /**
   * The work's lists (titles, external ids, credits, studios, platforms, tags) as JSON, for its
   * pages; derived, null when a trigger saw one of them change (works/work-lists.ts fills it).
   */
  listsJson: ColumnType<string | null, string | null | undefined, string | null>;
  /**
   * Raised on PostgreSQL by triggers whenever something the work's pages show changes; a
   * stored page counts only while it carries the same stamp (site/stored-pages.ts). Always 0
   * on SQLite, where the triggers delete the stored pages instead.
   */
  pageStamp: ColumnType<number, number | undefined, number>;
  /** The stamp under which all of the work's pages were last stored; null when never, or cleared (SQLite). */
  pagesStamp: ColumnType<number | null, number | null | undefined, number | null>;
}

/** A page rendered ahead and stored compressed (site/stored-pages.ts); derived data. */
export interface StoredPagesTable {
  kind: 'work' | 'review';
  /** The work's or the review's id. */
  subjectId: number;
  /** The work everything on the page belongs to. */
  workId: number;
  /** The work's `page_stamp` the page was rendered under. */
  stamp: number;
  /** The program and settings that rendered it: another build's page counts as missing. */
  build: string;
  etag: string;
  /** The whole HTML document, gzip-compressed. */
  gzip: Buffer;
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
  /**
   * `review_renders.text_start` and `renderer`, copied here by triggers (listings read their
   * excerpts from the row they read anyway); null while the review has no rendering.
   */
  textStart: ColumnType<string | null, string | null | undefined, string | null>;
  textRenderer: ColumnType<number | null, number | null | undefined, number | null>;
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

export const LIST_STATUSES = ['watching', 'completed', 'on_hold', 'dropped', 'plan_to_watch'] as const;
export type ListStatus = (typeof LIST_STATUSES)[number];

/** One author's record of a work apart from any review: where they are with it. */
export interface ListEntriesTable {
  id: Id;
  authorId: number;
  workId: number;
  status: ListStatus | null;
  /** Episodes watched. */
  progress: number | null;
  /** YYYY-MM-DD. */
  startedOn: string | null;
  finishedOn: string | null;
  timesWatched: number | null;
  /** JSON array of the author's own tags for the entry. */
  tags: ColumnType<string, string | undefined, string>;
  createdAt: string;
  updatedAt: string;
}

/** The address a review had on its old site (a blog import); requests for its path redirect. */
export interface ReviewSourcesTable {
  reviewId: number;
  url: string;
  path: string;
}

export type ImportStatus = 'running' | 'done' | 'failed' | 'undone';

/** One import run: job state (so any instance can show its progress) and its totals. */
export interface ImportsTable {
  id: Id;
  format: string;
  /** The file or files imported, as the user named them. */
  source: string;
  authorId: number;
  status: ImportStatus;
  startedAt: string;
  updatedAt: string;
  finishedAt: string | null;
  bytesTotal: number | null;
  bytesRead: ColumnType<number, number | undefined, number>;
  entries: ColumnType<number, number | undefined, number>;
  created: ColumnType<number, number | undefined, number>;
  matched: ColumnType<number, number | undefined, number>;
  updated: ColumnType<number, number | undefined, number>;
  unchanged: ColumnType<number, number | undefined, number>;
  skipped: ColumnType<number, number | undefined, number>;
  failed: ColumnType<number, number | undefined, number>;
  uncertain: ColumnType<number, number | undefined, number>;
  error: string | null;
  undoneAt: string | null;
}

/** One entry of an import's report, and what undoing the import must put back. */
export interface ImportItemsTable {
  importId: number;
  position: number;
  /** Where the entry is in the source: "anime 37521 (Cowboy Bebop)", "reviews.csv line 12". */
  ref: string;
  outcome: 'created' | 'updated' | 'unchanged' | 'skipped' | 'failed';
  reason: string | null;
  workId: number | null;
  workAction: 'created' | 'matched' | 'updated' | null;
  matchReason: string | null;
  /** 1 when the work was matched on weak evidence (no year to compare, several candidates…). */
  uncertain: ColumnType<number, number | undefined, number>;
  reviewId: number | null;
  reviewAction: 'created' | 'updated' | 'unchanged' | null;
  entryId: number | null;
  entryAction: 'created' | 'updated' | 'unchanged' | null;
  /** JSON array of strings. */
  warnings: ColumnType<string, string | undefined, string>;
  /** JSON `{ review?, entry? }`: their fields before this import changed them. */
  previous: string | null;
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
  storedPages: StoredPagesTable;
  listEntries: ListEntriesTable;
  reviewSources: ReviewSourcesTable;
  imports: ImportsTable;
  importItems: ImportItemsTable;
  users: UsersTable;
  sessions: SessionsTable;
  loginDevices: LoginDevicesTable;
  apiTokens: ApiTokensTable;
  invites: InvitesTable;
  throttles: ThrottlesTable;
  auditEvents: AuditEventsTable;
  settings: SettingsTable;
  idempotencyKeys: IdempotencyKeysTable;
  reviewRevisions: ReviewRevisionsTable;
  deletedReviews: DeletedReviewsTable;
  reviewModeration: ReviewModerationTable;
  uploads: UploadsTable;
  workRedirects: WorkRedirectsTable;
  nameRedirects: NameRedirectsTable;
}

/** The slug of a work merged into another: `/works/OLD…` answers 301 with the survivor's address. */
export interface WorkRedirectsTable {
  oldSlug: string;
  /** The surviving work (chains are collapsed: always a live work). */
  workId: number;
  createdAt: string;
}

/** The slug of a person, studio or platform merged into another of its kind. */
export interface NameRedirectsTable {
  entity: 'people' | 'studios' | 'platforms';
  oldSlug: string;
  /** The survivor's id in the `entity` table. */
  nameId: number;
  /** The merged-away record's name, and its folded form: the old spelling finds the survivor (null for older merges). */
  oldName: string | null;
  nameKey: string | null;
  createdAt: string;
}

/** Review files uploaded in the browser, kept until the author confirms the import (a day at most). */
export interface UploadsTable {
  /** Random, base64url; only its owner may use it. */
  id: string;
  userId: number;
  /** JSON array of `{ name, text }`. */
  files: string;
  createdAt: string;
  expiresAt: string;
  confirmedAt: string | null;
  /** JSON: the per-file result, once confirmed. */
  result: string | null;
}

/** A review an editor or admin hid: it is a draft its author cannot publish until it is unhidden. */
export interface ReviewModerationTable {
  reviewId: number;
  hiddenAt: string;
  hiddenBy: number | null;
  reason: string;
  previousStatus: 'draft' | 'published';
}

export type Role = 'admin' | 'editor' | 'author' | 'reader';
export type TokenScope = 'read' | 'write';

export interface UsersTable {
  id: Id;
  /** Trimmed and lower-cased. */
  email: string;
  name: string;
  role: Role;
  /** `scrypt$N$r$p$salt$hash`; null for an account that has never set one. */
  passwordHash: string | null;
  /** The author this account writes as. */
  authorId: number | null;
  reviewScale: ColumnType<number, number | undefined, number>;
  disabledAt: string | null;
  createdAt: string;
  updatedAt: string;
}

/** Secrets (session, device, token, invite) are stored as the hex SHA-256 of the secret. */
export interface SessionsTable {
  tokenHash: string;
  userId: number;
  csrfToken: string;
  createdAt: string;
  lastSeenAt: string;
  expiresAt: string;
  ip: string | null;
  userAgent: string | null;
}

export interface LoginDevicesTable {
  tokenHash: string;
  userId: number;
  createdAt: string;
}

export interface ApiTokensTable {
  id: Id;
  userId: number;
  name: string;
  tokenHash: string;
  scope: TokenScope;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export interface InvitesTable {
  tokenHash: string;
  role: Role;
  createdBy: number | null;
  createdAt: string;
  expiresAt: string;
  usedAt: string | null;
  usedBy: number | null;
}

export interface ThrottlesTable {
  key: string;
  windowStart: string;
  count: number;
}

export interface AuditEventsTable {
  id: Id;
  at: string;
  actorId: number | null;
  action: string;
  subject: string | null;
  ip: string | null;
  /** JSON object. */
  detail: ColumnType<string, string | undefined, string>;
}

export interface SettingsTable {
  key: string;
  value: string;
}

export interface IdempotencyKeysTable {
  userId: number;
  key: string;
  requestHash: string;
  status: number;
  response: string;
  createdAt: string;
}

export interface ReviewRevisionsTable {
  id: Id;
  reviewId: number;
  editedAt: string;
  editedBy: number | null;
  /** JSON: the review's own fields before the edit. */
  previous: string;
}

export interface DeletedReviewsTable {
  reviewId: number;
  authorId: number;
  workId: number;
  deletedAt: string;
  deletedBy: number | null;
  snapshot: string;
}

export type WorkRow = Selectable<WorksTable>;
export type ReviewRow = Selectable<ReviewsTable>;
export type NewReview = Insertable<ReviewsTable>;
export type NamedEntity = 'people' | 'studios' | 'platforms' | 'tags' | 'authors';
