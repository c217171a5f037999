/**
 * Queries for rankings: works ordered by a weighted (Bayesian) score.
 *
 * WR = (v / (v + m)) · R + (m / (v + m)) · C, on the 0–100 scale: R is the work's mean
 * rating, v its number of scores, m the prior weight (how many scores a work needs before
 * its own mean counts as much as the prior) and C the mean of all scores of works of the
 * same kind. One 5-star review cannot top the chart: with m = 5 and C = 65 it ranks at
 * (1·100 + 5·65) / 6 ≈ 70.8, below a work with twenty scores averaging 80 (≈ 77).
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/schema.js';

// Parameters are untyped in PostgreSQL's eyes; a cast keeps `65.3` from being read as an integer.
const real = (value: number) => sql<number>`cast(${value} as double precision)`;

export interface RankedWorkRow {
  id: number;
  slug: string;
  title: string;
  kind: string | null;
  year: number | null;
  ratingCount: number;
  ratingSum: number;
  reviewCount: number;
  weighted: number;
}

/** Mean rating of each kind's scored reviews (the prior C), and of all of them under `null`. */
export async function kindMeans(db: Kysely<Database>): Promise<Map<string | null, number>> {
  const rows = await db
    .selectFrom('works')
    .select(['kind', sql<number>`sum(rating_sum)`.as('sum'), sql<number>`sum(rating_count)`.as('count')])
    .where('ratingCount', '>', 0)
    .groupBy('kind')
    .execute();
  const means = new Map<string | null, number>();
  let sum = 0;
  let count = 0;
  for (const r of rows) {
    means.set(r.kind, Number(r.sum) / Number(r.count));
    sum += Number(r.sum);
    count += Number(r.count);
  }
  means.set(null, count ? sum / count : 0);
  return means;
}

/** The best works by weighted score; `m` is the prior weight, `means` from `kindMeans`. */
export async function topWeightedWorks(db: Kysely<Database>, means: Map<string | null, number>, m: number, limit: number, offset = 0): Promise<RankedWorkRow[]> {
  const overall = means.get(null) ?? 0;
  const prior = sql<number>`case ${sql.join(
    [...means].filter(([kind]) => kind !== null).map(([kind, mean]) => sql`when kind = ${kind} then ${real(mean)}`),
    sql` `,
  )} else ${real(overall)} end`;
  const weighted = sql<number>`(rating_sum + ${real(m)} * ${means.size > 1 ? prior : real(overall)}) / (rating_count + ${real(m)})`;
  return db
    .selectFrom('works')
    .select(['id', 'slug', 'title', 'kind', 'year', 'ratingCount', 'ratingSum', 'reviewCount', weighted.as('weighted')])
    .where('ratingCount', '>', 0)
    .orderBy(weighted, 'desc')
    .orderBy('id')
    .limit(limit)
    .offset(offset)
    .execute();
}
