/**
 * Queries about authors for their public page: who they are, what their published reviews
 * add up to, and what their list (imported from MyAnimeList, AniList, Letterboxd) holds.
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database, ListStatus } from '../db/schema.js';

type Executor = Kysely<Database> | Transaction<Database>;

export interface AuthorProfile {
  id: number;
  slug: string;
  name: string;
  bio: string | null;
}

export async function findAuthorProfile(db: Executor, slug: string): Promise<AuthorProfile | undefined> {
  return db.selectFrom('authors').select(['id', 'slug', 'name', 'bio']).where('slug', '=', slug).executeTakeFirst();
}

export interface AuthorStats {
  /** Published reviews, scored or not. */
  reviewCount: number;
  ratingCount: number;
  ratingSum: number;
  /**
   * Scored reviews per half star: index 0 is ½★, index 9 is 5★. Buckets follow the stars
   * the reviews show (components.tsx#ratingToStars), so the chart agrees with the cards.
   */
  histogram: number[];
}

/**
 * Counts, sum and the half-star histogram of an author's published reviews in one grouped
 * statement over the author's reviews (the `reviews_author` index finds them). The bucket is
 * integer arithmetic, `(rating + 5) / 10`, because `round()` of a half differs between
 * SQLite and PostgreSQL.
 */
export async function authorStats(db: Executor, authorId: number): Promise<AuthorStats> {
  const halfStars = sql<number | null>`(rating + 5) / 10`;
  const rows = await db
    .selectFrom('reviews')
    .select([halfStars.as('halfStars'), sql<number>`count(*)`.as('reviews'), sql<number>`coalesce(sum(rating), 0)`.as('ratingSum')])
    .where('authorId', '=', authorId)
    .where('status', '=', 'published')
    .groupBy(halfStars)
    .execute();
  const stats: AuthorStats = { reviewCount: 0, ratingCount: 0, ratingSum: 0, histogram: Array.from({ length: 10 }, () => 0) };
  for (const r of rows) {
    const reviews = Number(r.reviews);
    stats.reviewCount += reviews;
    if (r.halfStars === null) continue;
    stats.ratingCount += reviews;
    stats.ratingSum += Number(r.ratingSum);
    // A rating under 5 still shows half a star.
    const bucket = Math.min(10, Math.max(1, Number(r.halfStars))) - 1;
    stats.histogram[bucket]! += reviews;
  }
  return stats;
}

/** How many works the author has on their list, per status; `none` counts entries without one. */
export async function authorListCounts(db: Executor, authorId: number): Promise<Map<ListStatus | 'none', number>> {
  const rows = await db
    .selectFrom('listEntries')
    .select(['status', sql<number>`count(*)`.as('entries')])
    .where('authorId', '=', authorId)
    .groupBy('status')
    .execute();
  return new Map(rows.map((r) => [r.status ?? 'none', Number(r.entries)]));
}
