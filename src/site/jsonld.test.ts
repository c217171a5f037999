import { describe, expect, it } from 'vitest';
import type { WorkDetail } from '../works/works.repository.js';
import type { Site } from './site.context.js';
import {
  aggregateRatingJsonLd,
  externalLinks,
  ogTypeOf,
  ratingOutOfFive,
  reviewJsonLd,
  schemaTypeOf,
  workJsonLd,
  worstRatingFor,
  type ReviewForJsonLd,
} from './jsonld.js';

const site = { name: 'Example Reviews', publicUrl: 'https://reviews.example.org' } as Site;

function work(overrides: Partial<WorkDetail> = {}): WorkDetail {
  return {
    id: 1,
    slug: 'devilman-crybaby',
    title: 'Devilman Crybaby',
    altTitles: [{ title: 'DEVILMAN crybaby', type: 'english' }],
    kind: 'ona',
    year: 2018,
    episodes: 10,
    synopsis: null,
    credits: [
      { role: 'director', name: 'Masaaki Yuasa', slug: 'masaaki-yuasa' },
      { role: 'writer', name: 'Ichirō Ōkouchi', slug: 'ichiro-okouchi' },
      { role: 'original_creator', name: 'Go Nagai', slug: 'go-nagai' },
      { role: 'music', name: 'Kensuke Ushio', slug: 'kensuke-ushio' },
      { role: 'cast', name: 'Kōki Uchiyama', slug: 'koki-uchiyama' },
    ],
    studios: [{ name: 'Science SARU', slug: 'science-saru' }],
    platforms: [{ name: 'Netflix', slug: 'netflix' }],
    tags: [
      { name: 'Action', slug: 'action' },
      { name: 'Horror', slug: 'horror' },
    ],
    externalIds: { mal: '35120', anilist: '98460' },
    reviewCount: 3,
    ratingCount: 2,
    ratingSum: 143,
    ratingHistogram: [0, 0, 0, 0, 0, 0, 1, 1, 0, 0],
    createdAt: '2024-01-01T00:00:00.000Z',
    updatedAt: '2024-01-01T00:00:00.000Z',
    ...overrides,
  };
}

function review(overrides: Partial<ReviewForJsonLd> = {}): ReviewForJsonLd {
  return {
    id: 42,
    headline: 'Stylish, loud, and uneven',
    summary: null,
    body: 'Loud. ||Akira dies.|| Beautiful.\n\n::: spoiler Ending\nThe world ends.\n:::\n\nSee it.',
    scoreValue: 2.5,
    scoreMax: 5,
    publishedAt: '2024-03-02T10:15:00.000Z',
    updatedAt: '2024-03-02T10:15:00.000Z',
    authorName: 'Aiko Tanaka',
    authorSlug: 'aiko-tanaka',
    ...overrides,
  };
}

describe('types', () => {
  it('maps kinds to schema.org and OpenGraph types', () => {
    for (const kind of ['anime_series', 'series', 'ona', 'ova', 'special']) {
      expect(schemaTypeOf(kind)).toBe('TVSeries');
      expect(ogTypeOf(kind)).toBe('video.tv_show');
    }
    for (const kind of ['anime_film', 'film']) {
      expect(schemaTypeOf(kind)).toBe('Movie');
      expect(ogTypeOf(kind)).toBe('video.movie');
    }
    expect(schemaTypeOf('other')).toBe('CreativeWork');
    expect(schemaTypeOf(null)).toBe('CreativeWork');
    expect(ogTypeOf(null)).toBe('video.other');
  });
});

describe('externalLinks', () => {
  it('builds addresses for MyAnimeList, AniList and IMDb, and none for TMDB or odd values', () => {
    expect(externalLinks({ mal: '35120', anilist: '98460', imdb: 'tt7207776', tmdb: '73223', wikidata: 'Q123' }).map((l) => l.url)).toEqual([
      'https://myanimelist.net/anime/35120',
      'https://anilist.co/anime/98460',
      'https://www.imdb.com/title/tt7207776/',
    ]);
    expect(externalLinks({ mal: 'javascript:alert(1)', imdb: '12345', anilist: '../x' })).toEqual([]);
  });
});

describe('ratings', () => {
  it('turns 0–100 ratings into stars out of five to two decimals', () => {
    expect(ratingOutOfFive(71.5)).toBe(3.58);
    expect(ratingOutOfFive(100)).toBe(5);
    expect(ratingOutOfFive(143 / 2)).toBe(3.58);
  });

  it('picks the lowest score of each scale, never above the score given', () => {
    expect(worstRatingFor(5, 2.5)).toBe(0.5);
    expect(worstRatingFor(4, 3)).toBe(0.5);
    expect(worstRatingFor(10, 8)).toBe(1);
    expect(worstRatingFor(20, 15)).toBe(1);
    expect(worstRatingFor(100, 95)).toBe(1);
    expect(worstRatingFor(10, 0)).toBe(0);
    expect(worstRatingFor(5, 0)).toBe(0);
  });

  it('builds the aggregate rating from the work’s columns', () => {
    expect(aggregateRatingJsonLd(work())).toEqual({ '@type': 'AggregateRating', ratingValue: 3.58, bestRating: 5, worstRating: 0.5, ratingCount: 2, reviewCount: 3 });
  });
});

describe('workJsonLd', () => {
  it('describes a series with its people, studio, genres and sameAs', () => {
    const data = workJsonLd(site, work(), { aggregateRating: true, context: true });
    expect(data).toEqual({
      '@context': 'https://schema.org',
      '@type': 'TVSeries',
      name: 'Devilman Crybaby',
      alternateName: 'DEVILMAN crybaby',
      url: 'https://reviews.example.org/works/devilman-crybaby',
      startDate: '2018',
      genre: ['Action', 'Horror'],
      director: { '@type': 'Person', name: 'Masaaki Yuasa', url: 'https://reviews.example.org/people/masaaki-yuasa' },
      author: { '@type': 'Person', name: 'Ichirō Ōkouchi', url: 'https://reviews.example.org/people/ichiro-okouchi' },
      creator: { '@type': 'Person', name: 'Go Nagai', url: 'https://reviews.example.org/people/go-nagai' },
      musicBy: { '@type': 'Person', name: 'Kensuke Ushio', url: 'https://reviews.example.org/people/kensuke-ushio' },
      productionCompany: { '@type': 'Organization', name: 'Science SARU', url: 'https://reviews.example.org/studios/science-saru' },
      sameAs: ['https://myanimelist.net/anime/35120', 'https://anilist.co/anime/98460'],
      aggregateRating: { '@type': 'AggregateRating', ratingValue: 3.58, bestRating: 5, worstRating: 0.5, ratingCount: 2, reviewCount: 3 },
    });
  });

  it('gives a film a datePublished instead of a startDate, and lists several directors', () => {
    const data = workJsonLd(
      site,
      work({
        kind: 'film',
        credits: [
          { role: 'director', name: 'A', slug: 'a' },
          { role: 'director', name: 'B', slug: 'b' },
        ],
      }),
    );
    expect(data['@type']).toBe('Movie');
    expect(data['datePublished']).toBe('2018');
    expect(data['startDate']).toBeUndefined();
    expect(data['director']).toEqual([
      { '@type': 'Person', name: 'A', url: 'https://reviews.example.org/people/a' },
      { '@type': 'Person', name: 'B', url: 'https://reviews.example.org/people/b' },
    ]);
    expect(data['@context']).toBeUndefined();
    expect(data['aggregateRating']).toBeUndefined();
  });

  it('leaves out what is unknown, and the aggregate rating when nothing is scored', () => {
    const data = workJsonLd(
      site,
      work({ kind: null, year: null, altTitles: [], credits: [], studios: [], tags: [], externalIds: {}, ratingCount: 0, ratingSum: 0 }),
      { aggregateRating: true },
    );
    expect(data).toEqual({ '@type': 'CreativeWork', name: 'Devilman Crybaby', url: 'https://reviews.example.org/works/devilman-crybaby' });
  });
});

describe('reviewJsonLd', () => {
  it('follows the FORMATS.md example, with spoiler-free text only', () => {
    const data = reviewJsonLd(site, review(), work());
    expect(data).toMatchObject({
      '@context': 'https://schema.org',
      '@type': 'Review',
      name: 'Stylish, loud, and uneven',
      url: 'https://reviews.example.org/reviews/42',
      datePublished: '2024-03-02T10:15:00.000Z',
      inLanguage: 'en',
      author: { '@type': 'Person', name: 'Aiko Tanaka', url: 'https://reviews.example.org/authors/aiko-tanaka' },
      publisher: { '@type': 'Organization', name: 'Example Reviews' },
      reviewRating: { '@type': 'Rating', ratingValue: 2.5, bestRating: 5, worstRating: 0.5 },
      itemReviewed: { '@type': 'TVSeries', name: 'Devilman Crybaby' },
    });
    expect(data['reviewBody']).toContain('Loud.');
    expect(data['reviewBody']).toContain('See it.');
    expect(JSON.stringify(data)).not.toContain('Akira dies');
    expect(JSON.stringify(data)).not.toContain('The world ends');
    expect((data['itemReviewed'] as Record<string, unknown>)['aggregateRating']).toBeUndefined();
    expect(data['dateModified']).toBeUndefined();
  });

  it('has no reviewRating for an unscored review, and names an untitled one after its work', () => {
    const data = reviewJsonLd(site, review({ scoreValue: null, scoreMax: null, headline: null, updatedAt: '2024-04-01T00:00:00.000Z' }), work());
    expect(data['reviewRating']).toBeUndefined();
    expect(data['name']).toBe('Review of Devilman Crybaby');
    expect(data['dateModified']).toBe('2024-04-01T00:00:00.000Z');
  });

  it('keeps a summary’s spoilers out too', () => {
    const data = reviewJsonLd(site, review({ summary: 'Great, until ||Ryo’s secret||.' }), work());
    expect(data['abstract']).toContain('Great, until');
    expect(JSON.stringify(data)).not.toContain('Ryo');
  });
});
