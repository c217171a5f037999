/**
 * Factories with sensible defaults: a parsed item as an importer would hand it over.
 */
import type { ParsedItem, ParsedReview, ParsedWork } from '../src/import/import.types.js';

let counter = 0;

/** The work of the review Kansou was born from, as its info box describes it; `extra` adds to or replaces its fields. */
export function heroMask(extra: Partial<ParsedWork> = {}): Partial<ParsedWork> {
  return {
    title: 'Hero ≠ Mask',
    year: 2018,
    altTitles: [{ title: 'ヒーローマスク', type: 'original' }],
    credits: [
      { role: 'director', name: 'Hiroyasu Aoki' },
      { role: 'writer', name: 'Hiroyasu Aoki' },
      { role: 'music', name: 'Hisaki Kato' },
    ],
    studios: ['Pierrot'],
    platforms: ['Netflix'],
    tags: ['Thriller'],
    externalIds: { mal: '37521' },
    ...extra,
  };
}

export function makeItem(work: Partial<ParsedWork> = {}, review: Partial<ParsedReview> = {}): ParsedItem {
  counter++;
  const score = review.score === undefined ? { value: 4, max: 5 } : review.score;
  return {
    work: {
      title: `Work ${counter}`,
      altTitles: [],
      kind: 'anime_series',
      year: 2020,
      synopsis: null,
      credits: [],
      studios: [],
      platforms: [],
      tags: [],
      externalIds: {},
      ...work,
    },
    review: {
      headline: null,
      summary: null,
      scoreText: score ? `${score.value} out of ${score.max}` : null,
      body: `A review body, number ${counter}.`,
      hasSpoilers: false,
      publishedAt: '2024-05-01T10:00:00.000Z',
      status: 'published',
      ...review,
      score,
      rating: score ? Math.round((score.value / score.max) * 100) : null,
    },
    warnings: [],
  };
}
