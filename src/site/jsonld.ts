/**
 * schema.org objects for the work and review pages, written as JSON-LD by the layout.
 * Pure functions of what the page already loaded, so the structured data can never say more
 * than the page shows — and in particular never a spoiler: review text reaches this module
 * only through `plainExcerpt`, which drops spoiler passages.
 */
import type { WorkDetail } from '../works/works.repository.js';
import { urls } from '../shared/urls.js';
import { absoluteUrl, type Site } from './site.context.js';
import { bodyExcerpt, plainExcerpt } from './markdown.js';

type Json = Record<string, unknown>;

const SERIES_KINDS: ReadonlySet<string> = new Set(['anime_series', 'series', 'ona', 'ova', 'special']);
const FILM_KINDS: ReadonlySet<string> = new Set(['anime_film', 'film']);

export const isSeriesKind = (kind: string | null): boolean => kind !== null && SERIES_KINDS.has(kind);
export const isFilmKind = (kind: string | null): boolean => kind !== null && FILM_KINDS.has(kind);

/** `TVSeries` for series-like kinds, `Movie` for films, `CreativeWork` when we cannot tell. */
export function schemaTypeOf(kind: string | null): 'TVSeries' | 'Movie' | 'CreativeWork' {
  if (isSeriesKind(kind)) return 'TVSeries';
  if (isFilmKind(kind)) return 'Movie';
  return 'CreativeWork';
}

/** OpenGraph's matching type: a page about a series is `video.tv_show`, about a film `video.movie`. */
export function ogTypeOf(kind: string | null): 'video.tv_show' | 'video.movie' | 'video.other' {
  if (isSeriesKind(kind)) return 'video.tv_show';
  if (isFilmKind(kind)) return 'video.movie';
  return 'video.other';
}

export interface ExternalLink {
  source: string;
  label: string;
  url: string;
}

const EXTERNAL: Record<string, { label: string; url: (id: string) => string | null }> = {
  mal: { label: 'MyAnimeList', url: (id) => (/^\d+$/.test(id) ? `https://myanimelist.net/anime/${id}` : null) },
  anilist: { label: 'AniList', url: (id) => (/^\d+$/.test(id) ? `https://anilist.co/anime/${id}` : null) },
  imdb: { label: 'IMDb', url: (id) => (/^tt\d+$/.test(id) ? `https://www.imdb.com/title/${id}/` : null) },
  // A TMDB id means nothing without knowing whether it is a /movie/ or a /tv/ id, and the
  // catalogue does not record which: a guessed link could point at an unrelated title.
};

/**
 * Pages of the work on other sites, for `sameAs` and the info box. Ids are checked against
 * their source's shape, so an odd value in an import never becomes a link.
 */
export function externalLinks(externalIds: Record<string, string>): ExternalLink[] {
  const links: ExternalLink[] = [];
  for (const [source, id] of Object.entries(externalIds)) {
    const known = EXTERNAL[source];
    const url = known?.url(id.trim());
    if (known && url) links.push({ source, label: known.label, url });
  }
  return links;
}

/** A 0–100 rating as a number of stars out of 5, to two decimals. */
export const ratingOutOfFive = (rating: number): number => Math.round(rating * 5) / 100;

/**
 * The reviewer's lowest possible score on a scale: half a star on star scales (4 and 5
 * points, where "½" is the smallest mark given), 1 on 10-, 20- and 100-point scales. A score
 * below that (a 0/10) lowers it to 0, so the value always lies between worst and best.
 */
export function worstRatingFor(scoreMax: number, scoreValue: number): number {
  const worst = scoreMax <= 5 ? 0.5 : 1;
  return Math.min(worst, scoreValue);
}

const person = (site: Site, p: { name: string; slug: string }): Json => ({ '@type': 'Person', name: p.name, url: absoluteUrl(site, urls.person(p.slug)) });

/** One value or a list: schema.org accepts both, and one reads better when there is one. */
const oneOrMany = <T>(values: T[]): T | T[] | undefined => (values.length === 0 ? undefined : values.length === 1 ? values[0] : values);

/** Drops empty properties, so the output holds only what is known. */
function compact(object: Json): Json {
  return Object.fromEntries(Object.entries(object).filter(([, v]) => v !== undefined && v !== null && !(Array.isArray(v) && v.length === 0)));
}

export interface WorkJsonLdOptions {
  /** The work's `aggregateRating` (the work page); left out where the work is an `itemReviewed`. */
  aggregateRating?: boolean;
  /** `@context` is only for a top-level object. */
  context?: boolean;
}

/** The work as a TVSeries, Movie or CreativeWork. */
export function workJsonLd(site: Site, work: WorkDetail, options: WorkJsonLdOptions = {}): Json {
  const people = (role: string) => oneOrMany(work.credits.filter((c) => c.role === role).map((c) => person(site, c)));
  const type = schemaTypeOf(work.kind);
  const year = work.year === null ? undefined : String(work.year);
  return compact({
    '@context': options.context ? 'https://schema.org' : undefined,
    '@type': type,
    name: work.title,
    alternateName: oneOrMany(work.altTitles.map((t) => t.title).filter((t) => t !== work.title)),
    url: absoluteUrl(site, urls.work(work.slug)),
    description: work.synopsis ? plainExcerpt(work.synopsis, 500) : undefined,
    // A series has a start date; a film (and any creative work) a publication date.
    startDate: type === 'TVSeries' ? year : undefined,
    datePublished: type !== 'TVSeries' ? year : undefined,
    genre: oneOrMany(work.tags.map((t) => t.name)),
    director: people('director'),
    author: people('writer'),
    creator: people('original_creator'),
    musicBy: people('music'),
    // `productionCompany` is defined for Movie and TVSeries; other works name the studio as `producer`.
    [type === 'CreativeWork' ? 'producer' : 'productionCompany']: oneOrMany(
      work.studios.map((s) => ({ '@type': 'Organization', name: s.name, url: absoluteUrl(site, urls.studio(s.slug)) })),
    ),
    sameAs: oneOrMany(externalLinks(work.externalIds).map((l) => l.url)),
    aggregateRating: options.aggregateRating && work.ratingCount > 0 ? aggregateRatingJsonLd(work) : undefined,
  });
}

export function aggregateRatingJsonLd(work: Pick<WorkDetail, 'ratingCount' | 'ratingSum' | 'reviewCount'>): Json {
  return {
    '@type': 'AggregateRating',
    ratingValue: ratingOutOfFive(work.ratingSum / work.ratingCount),
    bestRating: 5,
    worstRating: 0.5,
    ratingCount: work.ratingCount,
    reviewCount: work.reviewCount,
  };
}

export interface ReviewForJsonLd {
  id: number;
  headline: string | null;
  body: string;
  /** The body's stored plain text (reviews/reviews.render.ts), when rendered. */
  bodyText?: string | null;
  summary: string | null;
  scoreValue: number | null;
  scoreMax: number | null;
  publishedAt: string | null;
  updatedAt: string;
  authorName: string;
  authorSlug: string;
}

/** The name a review goes by when its author gave it no headline. */
export const reviewName = (review: { headline: string | null }, workTitle: string): string => review.headline ?? `Review of ${workTitle}`;

/** Long enough for the whole of most reviews, short enough to keep the page's head small. */
const REVIEW_BODY_LENGTH = 5000;

/** The review (Google's "Review snippet"), with the work it reviews, per FORMATS.md §1.3. */
export function reviewJsonLd(site: Site, review: ReviewForJsonLd, work: WorkDetail): Json {
  const scored = review.scoreValue !== null && review.scoreMax !== null;
  return compact({
    '@context': 'https://schema.org',
    '@type': 'Review',
    name: reviewName(review, work.title),
    url: absoluteUrl(site, urls.review(review.id)),
    datePublished: review.publishedAt ?? undefined,
    dateModified: review.publishedAt && review.updatedAt > review.publishedAt ? review.updatedAt : undefined,
    inLanguage: 'en',
    author: { '@type': 'Person', name: review.authorName, url: absoluteUrl(site, urls.author(review.authorSlug)) },
    publisher: { '@type': 'Organization', name: site.name, url: absoluteUrl(site, urls.home()) },
    reviewRating: scored
      ? {
          '@type': 'Rating',
          ratingValue: review.scoreValue,
          bestRating: review.scoreMax,
          worstRating: worstRatingFor(review.scoreMax!, review.scoreValue!),
        }
      : undefined,
    // The summary is written by the author as a TL;DR; the body loses its spoiler passages.
    abstract: review.summary ? plainExcerpt(review.summary, 500) : undefined,
    reviewBody: bodyExcerpt(review, REVIEW_BODY_LENGTH) || undefined,
    itemReviewed: workJsonLd(site, work),
  });
}
