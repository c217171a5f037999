/**
 * Queries for rankings: works ordered by a weighted (Bayesian) score.
 *
 * WR = (v · R + m · C) / (v + m), on the 0–100 scale: R is the work's mean rating, v its
 * number of scores, m the prior weight (how many scores a work needs before its own mean
 * counts as much as the prior) and C the prior, the mean of the work's kind.
 *
 * The kind's mean is itself shrunk towards the mean of the whole site with the same weight:
 * C = (sum of the kind's ratings + m · site mean) / (number of them + m). Otherwise a kind
 * with a single scored work would have that work's own score as its prior, and a lone
 * 5-star special would rank at exactly 100, above everything.
 *
 * One 5-star review cannot top the chart: with m = 5 and C = 65 it ranks at
 * (1·100 + 5·65) / 6 ≈ 70.8, below a work with twenty scores averaging 80 (≈ 77).
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { workFilterSql, type WorkFilter } from '../catalog/catalog.repository.js';

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
  /** The weighted score, 0–100. */
  weighted: number;
}

export interface RankQuery {
  filter: WorkFilter;
  /** The prior weight m. */
  priorWeight: number;
  limit: number;
  offset: number;
}

/**
 * One page of scored works matching the filter, best first, in one statement, and whether
 * more follow. The priors are computed over every scored work (a filter narrows the list, not
 * what "average" means): one pass over `works`, grouped by kind, with the site's mean as a
 * window over those few groups so the grouped result is read once. A work without a kind
 * falls in the '' group, whose prior is the site's mean. The ranking is a second pass over
 * the works the filter lets through, and a top-N sort; no total is counted, because a count
 * over the whole ordered set would make the database sort every scored work instead.
 */
export async function rankWorks(db: Kysely<Database>, q: RankQuery): Promise<{ rows: RankedWorkRow[]; hasMore: boolean }> {
  const m = real(q.priorWeight);
  const { rows } = await sql<RankedWorkRow>`
    with priors as (
      select kind_key,
        case when kind_key = '' then site_mean else (rating_sum + ${m} * site_mean) / (rating_count + ${m}) end as mean
      from (
        select kind_key, cast(rating_sum as double precision) as rating_sum, rating_count,
          cast(sum(rating_sum) over () as double precision) / sum(rating_count) over () as site_mean
        from (
          select coalesce(kind, '') as kind_key, sum(rating_sum) as rating_sum, sum(rating_count) as rating_count
          from works where rating_count > 0 group by coalesce(kind, '')
        ) kinds
      ) totals
    )
    select works.id, works.slug, works.title, works.kind, works.year, works.rating_count, works.rating_sum, works.review_count,
      (works.rating_sum + ${m} * priors.mean) / (works.rating_count + ${m}) as weighted
    from works
    inner join priors on priors.kind_key = coalesce(works.kind, '')
    where works.rating_count > 0 and ${workFilterSql(q.filter)}
    order by weighted desc, works.rating_count desc, works.id
    limit ${q.limit + 1} offset ${q.offset}`.execute(db);
  return { rows: rows.slice(0, q.limit).map((row) => ({ ...row, weighted: Number(row.weighted) })), hasMore: rows.length > q.limit };
}
