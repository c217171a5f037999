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

export async function topRatedWorks(db: Db, limit: number): Promise<RankedWorkRow[]> {
  return (await rankWorks(db.kysely, { filter: {}, priorWeight: PRIOR_WEIGHT, limit, offset: 0 })).rows;
}

/** A page of the rankings, and whether another follows. */
export function rankedWorks(db: Db, filter: WorkFilter, limit: number, offset: number): Promise<{ rows: RankedWorkRow[]; hasMore: boolean }> {
  return rankWorks(db.kysely, { filter, priorWeight: PRIOR_WEIGHT, limit, offset });
}
