/**
 * Small pieces every page type shares: stars, scores as written, dates, review and work
 * cards, labels for kinds and roles, pagination.
 */
import type { ComponentChildren } from 'preact';
import type { CreditRole, WorkKind } from '../import/import.types.js';
import { urls } from '../shared/urls.js';

export const KIND_LABELS: Record<WorkKind, string> = {
  anime_series: 'Anime series',
  anime_film: 'Anime film',
  ova: 'OVA',
  ona: 'ONA',
  special: 'Special',
  series: 'Series',
  film: 'Film',
  other: 'Other',
};

export const ROLE_LABELS: Record<CreditRole, string> = {
  director: 'Director',
  writer: 'Writer',
  music: 'Music',
  original_creator: 'Original creator',
  character_design: 'Character design',
  animation_director: 'Animation director',
  producer: 'Producer',
  cast: 'Cast',
};

export const kindLabel = (kind: string | null): string => (kind ? (KIND_LABELS[kind as WorkKind] ?? kind) : 'Unknown kind');
export const roleLabel = (role: string): string => ROLE_LABELS[role as CreditRole] ?? role.replace(/_/g, ' ');

/** A 0–100 rating on the five-star scale, to the nearest half star (10 → 0.5★, 50 → 2.5★). */
export function ratingToStars(rating: number): number {
  return Math.max(0.5, Math.round(rating / 10) / 2);
}

/** "2.5", "4", "3.25": no trailing zeros. */
export function formatNumber(value: number, digits = 2): string {
  return String(Number(value.toFixed(digits)));
}

/** Five stars with halves, as text (★★½☆☆) with a spoken alternative. */
export function Stars({ rating, size }: { rating: number; size?: 'small' | 'large' }) {
  const stars = ratingToStars(rating);
  const full = Math.floor(stars);
  const half = stars - full >= 0.5;
  const empty = 5 - full - (half ? 1 : 0);
  return (
    <span class={size === 'large' ? 'stars stars-large' : 'stars'} role="img" aria-label={`${formatNumber(stars)} out of 5 stars`}>
      <span class="stars-on">{'★'.repeat(full) + (half ? '½' : '')}</span>
      <span class="stars-off">{'☆'.repeat(empty)}</span>
    </span>
  );
}

export interface ScoreLike {
  scoreValue: number | null;
  scoreMax: number | null;
  rating: number | null;
}

/** The score exactly as the reviewer gave it: "2.5 out of 5", "7 out of 10". */
export function scoreAsWritten(r: ScoreLike): string | null {
  if (r.scoreValue === null || r.scoreMax === null) return null;
  return `${formatNumber(r.scoreValue)} out of ${r.scoreMax}`;
}

/** Stars and the score as written side by side; "No score" for unscored reviews. */
export function Score({ review, size }: { review: ScoreLike; size?: 'small' | 'large' }) {
  const written = scoreAsWritten(review);
  if (review.rating === null || written === null) return <span class="score score-none">No score</span>;
  return (
    <span class="score">
      <Stars rating={review.rating} size={size} /> <span class="score-text">{written}</span>
    </span>
  );
}

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** "27 November 2026", in UTC: what Intl.DateTimeFormat('en-GB') gives, at a fiftieth of its cost. */
export function formatDate(iso: string): string {
  const date = new Date(iso);
  return `${date.getUTCDate()} ${MONTHS[date.getUTCMonth()]} ${date.getUTCFullYear()}`;
}

export function DateText({ iso }: { iso: string | null }) {
  if (!iso) return null;
  return <time datetime={iso}>{formatDate(iso)}</time>;
}

export interface ReviewCardData extends ScoreLike {
  id: number;
  headline: string | null;
  workSlug: string;
  workTitle: string;
  authorSlug: string;
  authorName: string;
  publishedAt: string | null;
  hasSpoilers: number | boolean;
  /** Spoiler-free plain text (see site/markdown.ts plainExcerpt). */
  excerpt: string;
}

/** A review in a listing: headline, work, author, score, date, spoiler-free excerpt. */
export function ReviewCard({ review, showWork = true, showAuthor = true }: { review: ReviewCardData; showWork?: boolean; showAuthor?: boolean }) {
  const title = review.headline ?? (showWork ? review.workTitle : `Review by ${review.authorName}`);
  return (
    <article class="review-card">
      <h3 class="review-card-title">
        <a href={urls.review(review.id)}>{title}</a>
      </h3>
      <p class="review-card-meta">
        {showWork && review.headline && (
          <>
            <a href={urls.work(review.workSlug)}>{review.workTitle}</a>
            {' · '}
          </>
        )}
        {showAuthor && (
          <>
            by <a href={urls.author(review.authorSlug)}>{review.authorName}</a>
            {' · '}
          </>
        )}
        <DateText iso={review.publishedAt} />
      </p>
      <p class="review-card-score">
        <Score review={review} />
        {Boolean(review.hasSpoilers) && <span class="badge">Contains spoilers</span>}
      </p>
      {review.excerpt && <p class="review-card-excerpt">{review.excerpt}</p>}
    </article>
  );
}

export interface WorkCardData {
  slug: string;
  title: string;
  kind: string | null;
  year: number | null;
  ratingCount: number;
  ratingSum: number;
  reviewCount?: number;
}

/** Mean rating of a work, 0–100, or null without scored reviews. */
export const meanRating = (w: { ratingCount: number; ratingSum: number }): number | null => (w.ratingCount ? w.ratingSum / w.ratingCount : null);

/** A work's mean score as stars, "3.6 out of 5" and its count; "No scores yet" without any. */
export function MeanScore({ work, digits = 2 }: { work: { ratingCount: number; ratingSum: number }; digits?: number }) {
  const mean = meanRating(work);
  if (mean === null) return <span class="score score-none">No scores yet</span>;
  return (
    <span class="score">
      <Stars rating={mean} /> <span class="score-text">{formatNumber(mean / 20, digits)} out of 5</span>{' '}
      <span class="muted">
        ({work.ratingCount} {work.ratingCount === 1 ? 'score' : 'scores'})
      </span>
    </span>
  );
}

/** A work in a listing: title, kind, year, mean score and count; `extra` adds e.g. a role. */
export function WorkCard({ work, extra }: { work: WorkCardData; extra?: ComponentChildren }) {
  return (
    <article class="work-card">
      <h3 class="work-card-title">
        <a href={urls.work(work.slug)}>{work.title}</a>
      </h3>
      <p class="work-card-meta">
        {kindLabel(work.kind)}
        {work.year !== null && (
          <>
            {' · '}
            <a href={urls.year(work.year)}>{work.year}</a>
          </>
        )}
        {extra && <> · {extra}</>}
      </p>
      <p class="work-card-score">
        <MeanScore work={work} />
      </p>
    </article>
  );
}

/** "Newer / Older" links for cursor or page-number listings. */
export function Pagination({ previous, next, label = 'Pages' }: { previous?: string | null; next?: string | null; label?: string }) {
  if (!previous && !next) return null;
  return (
    <nav class="pagination" aria-label={label}>
      {previous ? (
        <a href={previous} rel="prev">
          ← Previous
        </a>
      ) : (
        <span />
      )}
      {next && (
        <a href={next} rel="next">
          Next →
        </a>
      )}
    </nav>
  );
}

/** A query string from parameters, leaving out empty ones: `?kind=film&page=2`. */
export function queryString(params: Record<string, string | number | null | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== null && value !== undefined && value !== '') search.set(key, String(value));
  const s = search.toString();
  return s ? `?${s}` : '';
}
