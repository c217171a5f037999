/**
 * Rankings: the weighted score of browse/browse.repository.ts with the site's prior weight.
 */
import type { Db } from '../db/connection.js';
import { kindMeans, topWeightedWorks, type RankedWorkRow } from './browse.repository.js';

/** Prior weight m: small, because a self-hosted site has tens of reviews per work, not thousands. */
export const PRIOR_WEIGHT = 5;

export async function topRatedWorks(db: Db, limit: number): Promise<RankedWorkRow[]> {
  const means = await kindMeans(db.kysely);
  return topWeightedWorks(db.kysely, means, PRIOR_WEIGHT, limit);
}
