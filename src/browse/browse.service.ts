/**
 * Rankings: the weighted score of browse/browse.repository.ts with the site's prior weight.
 */
import type { Db } from '../db/connection.js';
import type { WorkFilter } from '../catalog/catalog.repository.js';
import { rankWorks, type RankedWorkRow } from './browse.repository.js';

/** Prior weight m: small, because a self-hosted site has tens of reviews per work, not thousands. */
export const PRIOR_WEIGHT = 5;

/**
 * The weighted score of a work with `count` scores summing to `sum`, given the prior; the
 * repository computes the same in SQL. Here for the tests and for anyone explaining a rank.
 */
export function weightedRating(sum: number, count: number, prior: number, m = PRIOR_WEIGHT): number {
  return (sum + m * prior) / (count + m);
}

/** The prior of a kind: its mean, pulled towards the site's mean as `weightedRating` pulls a work. */
export function kindPrior(kindSum: number, kindCount: number, siteMean: number, m = PRIOR_WEIGHT): number {
  return weightedRating(kindSum, kindCount, siteMean, m);
}

/**
 * How long the home page's "Top rated" may be reused. Ranking reads every scored work (tens of
 * milliseconds at 100,000 works), and a ranking a minute old is as good as a fresh one: pages
 * already tell caches they may keep them for a minute. This is derived data, recomputed from the
 * database by every instance, so several instances never need to agree on it.
 */
const TOP_RATED_SECONDS = 60;
const topRatedCache = new WeakMap<Db, { at: number; limit: number; rows: Promise<RankedWorkRow[]> }>();

export async function topRatedWorks(db: Db, limit: number, now = Date.now()): Promise<RankedWorkRow[]> {
  const cached = topRatedCache.get(db);
  if (cached && cached.limit === limit && now - cached.at < TOP_RATED_SECONDS * 1000) return cached.rows;
  const rows = rankWorks(db.kysely, { filter: {}, priorWeight: PRIOR_WEIGHT, limit, offset: 0 }).then((r) => r.rows);
  topRatedCache.set(db, { at: now, limit, rows });
  rows.catch(() => topRatedCache.delete(db));
  return rows;
}

/** A page of the rankings, and whether another follows. */
export function rankedWorks(db: Db, filter: WorkFilter, limit: number, offset: number): Promise<{ rows: RankedWorkRow[]; hasMore: boolean }> {
  return rankWorks(db.kysely, { filter, priorWeight: PRIOR_WEIGHT, limit, offset });
}
