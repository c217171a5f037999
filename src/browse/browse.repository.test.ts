import { expect, it } from 'vitest';
import { forEachDatabase } from '../../test/databases.js';
import { makeItem } from '../../test/factories.js';
import type { Db } from '../db/connection.js';
import { importParsedItem } from '../import/import.service.js';
import type { WorkKind } from '../import/import.types.js';
import { rankWorks } from './browse.repository.js';
import { PRIOR_WEIGHT, kindPrior, weightedRating } from './browse.service.js';

/** `count` reviews of one work, each by a different critic, all `rating` out of 100. */
async function scoreWork(db: Db, title: string, kind: WorkKind | null, ratings: number[], extra: { year?: number; studios?: string[] } = {}) {
  for (const [i, rating] of ratings.entries()) {
    await importParsedItem(db, makeItem({ title, kind, year: extra.year ?? 2019, studios: extra.studios ?? [] }, { score: { value: rating, max: 100 } }), {
      author: `Critic ${i + 1}`,
    });
  }
}

/** A catalogue with a spread of scores, as a real site has. */
async function seedRanking(db: Db) {
  await scoreWork(db, 'Crowd Favourite', 'anime_series', Array(12).fill(90), { studios: ['Bones'] });
  await scoreWork(db, 'Solid Pick', 'anime_series', Array(8).fill(80));
  await scoreWork(db, 'Lonely Gem', 'anime_series', [100], { studios: ['Bones'] });
  for (const title of ['Middling One', 'Middling Two', 'Middling Three']) await scoreWork(db, title, 'anime_series', [50, 60]);
  // Alone in its kind: a prior made of its kind's mean alone would be its own score.
  await scoreWork(db, 'Lone Special', 'special', [100]);
  await scoreWork(db, 'Kindless', null, [70, 70]);
  await importParsedItem(db, makeItem({ title: 'Unscored', kind: 'anime_series' }, { score: null }), { author: 'Critic 1' });
}

const rank = async (db: Db, filter = {}) => (await rankWorks(db.kysely, { filter, priorWeight: PRIOR_WEIGHT, limit: 50, offset: 0 })).rows;

it('weights a mean by its number of scores', () => {
  // The worked example of the formats reference: R = 50, v = 3, m = 10, C = 68 → ≈ 63.8.
  expect(weightedRating(150, 3, 68, 10)).toBeCloseTo(63.85, 2);
  // One perfect score against twenty scores averaging 80, with C = 65 and m = 5.
  expect(weightedRating(100, 1, 65)).toBeCloseTo(70.83, 2);
  expect(weightedRating(1600, 20, 65)).toBe(77);
  // No scores of its own: the prior.
  expect(weightedRating(0, 0, 65)).toBe(65);
});

forEachDatabase((fresh) => {
  it('does not put a single 5-star review above works with many high scores', async () => {
    const { db } = await fresh();
    await seedRanking(db);
    const titles = (await rank(db)).map((r) => r.title);
    expect(titles[0]).toBe('Crowd Favourite');
    expect(titles.indexOf('Lonely Gem')).toBeGreaterThan(titles.indexOf('Crowd Favourite'));
    expect(titles.indexOf('Lone Special')).toBeGreaterThan(titles.indexOf('Crowd Favourite'));
    expect(titles).not.toContain('Unscored');
    expect(titles).toHaveLength(8);
  });

  it('computes the weighted score with kind priors pulled towards the site’s mean', async () => {
    const { db } = await fresh();
    await seedRanking(db);
    const rows = await rank(db);
    const series = { sum: 12 * 90 + 8 * 80 + 100 + 3 * 110, count: 12 + 8 + 1 + 6 };
    const special = { sum: 100, count: 1 };
    const kindless = { sum: 140, count: 2 };
    const siteMean = (series.sum + special.sum + kindless.sum) / (series.count + special.count + kindless.count);
    const byTitle = new Map(rows.map((r) => [r.title, r.weighted]));
    expect(byTitle.get('Crowd Favourite')).toBeCloseTo(weightedRating(1080, 12, kindPrior(series.sum, series.count, siteMean)), 9);
    expect(byTitle.get('Lone Special')).toBeCloseTo(weightedRating(100, 1, kindPrior(special.sum, special.count, siteMean)), 9);
    // A work without a kind has the site's mean as its prior.
    expect(byTitle.get('Kindless')).toBeCloseTo(weightedRating(140, 2, siteMean), 9);
    // Best first.
    const scores = rows.map((r) => r.weighted);
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
  });

  it('narrows the ranking with a filter without changing the priors, and says whether more follow', async () => {
    const { db } = await fresh();
    await seedRanking(db);
    const all = new Map((await rank(db)).map((r) => [r.title, r.weighted]));
    const bones = await rank(db, { studioId: (await db.kysely.selectFrom('studios').select('id').where('slug', '=', 'bones').executeTakeFirstOrThrow()).id });
    expect(bones.map((r) => r.title)).toEqual(['Crowd Favourite', 'Lonely Gem']);
    expect(bones[1]!.weighted).toBe(all.get('Lonely Gem'));
    expect((await rank(db, { kind: 'special' })).map((r) => r.title)).toEqual(['Lone Special']);

    const page = await rankWorks(db.kysely, { filter: { kind: 'anime_series' }, priorWeight: PRIOR_WEIGHT, limit: 2, offset: 2 });
    expect(page.rows).toHaveLength(2);
    expect(page.hasMore).toBe(true);
    const last = await rankWorks(db.kysely, { filter: { kind: 'anime_series' }, priorWeight: PRIOR_WEIGHT, limit: 2, offset: 4 });
    expect(last.rows).toHaveLength(2);
    expect(last.hasMore).toBe(false);
  });
});
