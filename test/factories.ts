/**
 * Factories with sensible defaults: a parsed item as an importer would hand it over.
 */
import type { ParsedItem, ParsedReview, ParsedWork } from '../src/import/import.types.js';

let counter = 0;

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
