/**
 * The review page: one published review in full, spoilers behind reveal controls, with the
 * facts of the work beside it. Everything outside the body (title, description, OpenGraph,
 * structured data) is spoiler-free.
 */
import type { VNode } from 'preact';
import type { Site } from '../site/site.context.js';
import { absoluteUrl } from '../site/site.context.js';
import { Layout, type FeedLink, type PageHead } from '../site/layout.js';
import { DateText, formatDate, Score, scoreAsWritten } from '../site/components.js';
import { bodyExcerpt, plainExcerpt, renderReviewBody } from '../site/markdown.js';
import { InfoBox } from '../site/infobox.js';
import { reviewJsonLd, reviewName } from '../site/jsonld.js';
import { notFound } from '../shared/errors.js';
import { urls } from '../shared/urls.js';
import { loadWorkDetail, type WorkDetail } from '../works/works.repository.js';
import { workFeeds, workTitleWithYear } from '../works/works.pages.js';
import { findRenderedReview, type RenderedReviewView, type ReviewView } from './reviews.repository.js';
import { withoutSpoilers } from './spoilers.js';

/** Ids are positive integers that fit the databases' integer column (PostgreSQL would refuse more). */
const MAX_ID = 2_147_483_647;

/** A review id from an address, or undefined for anything that is not one (`0042`, `1e3`, too large). */
export function parseReviewId(id: string): number | undefined {
  if (!/^[1-9]\d{0,9}$/.test(id)) return undefined;
  const n = Number(id);
  return n <= MAX_ID ? n : undefined;
}

function authorFeeds(site: Site, review: ReviewView): FeedLink[] {
  return [
    { title: `${site.name}: reviews by ${review.authorName} (Atom)`, href: urls.authorFeed(review.authorSlug, 'atom'), type: 'application/atom+xml' },
    { title: `${site.name}: reviews by ${review.authorName} (JSON Feed)`, href: urls.authorFeed(review.authorSlug, 'json'), type: 'application/feed+json' },
    { title: `${site.name}: reviews by ${review.authorName} (RSS)`, href: urls.authorFeed(review.authorSlug, 'rss'), type: 'application/rss+xml' },
  ];
}

/**
 * What a search result or a link preview shows: the author's TL;DR, or else the start of the
 * body without its spoilers; the score as written goes first, since OpenGraph has no field for it.
 */
export function reviewDescription(review: ReviewView & { bodyText?: string | null }, work: { title: string; year: number | null }): string {
  const score = scoreAsWritten(review);
  const text = (review.summary ? plainExcerpt(review.summary, 200) : '') || bodyExcerpt(review, 200);
  const lead = `${review.authorName} on ${workTitleWithYear(work)}${score ? `: ${score}` : ''}.`;
  return text ? `${lead} ${text}` : lead;
}

function reviewHead(site: Site, review: RenderedReviewView, work: WorkDetail): PageHead {
  const og: [string, string][] = [];
  if (review.publishedAt) og.push(['article:published_time', review.publishedAt]);
  og.push(['article:modified_time', review.updatedAt]);
  og.push(['article:author', absoluteUrl(site, urls.author(review.authorSlug))]);
  og.push(['article:section', 'Reviews']);
  for (const tag of work.tags) og.push(['article:tag', tag.name]);
  return {
    title: `${reviewName(review, work.title)} — ${workTitleWithYear(work)} review`,
    description: reviewDescription(review, work),
    path: urls.review(review.id),
    ogType: 'article',
    og,
    feeds: [...workFeeds(site, work), ...authorFeeds(site, review)],
    jsonLd: [reviewJsonLd(site, review, work)],
  };
}

/** True when the review was changed after it was published (on another day, or later the same day). */
const wasUpdated = (review: Pick<ReviewView, 'publishedAt' | 'updatedAt'>) => review.publishedAt !== null && review.updatedAt > review.publishedAt && formatDate(review.updatedAt) !== formatDate(review.publishedAt);

export async function reviewPage(site: Site, id: string): Promise<VNode> {
  const reviewId = parseReviewId(id);
  const review = reviewId === undefined ? undefined : await findRenderedReview(site.db.kysely, reviewId);
  // A draft is as absent as a deleted review: its address must not reveal that it exists.
  if (!review || review.status !== 'published') throw notFound(`The review ${id}`);
  const work = await loadWorkDetail(site.db.kysely, review.workId);
  if (!work) throw notFound(`The review ${id}`);
  return reviewPageView(site, review, work);
}

/**
 * The page itself, from what `reviewPage` loaded: nothing but the arguments (and the site's
 * settings) goes into it, which lets site/stored-pages.ts store it and tell its builds apart.
 */
export function reviewPageView(site: Site, review: RenderedReviewView, work: WorkDetail): VNode {
  return (
    <Layout site={site} head={reviewHead(site, review, work)}>
      <ReviewArticle review={review} work={work} />
    </Layout>
  );
}

/** What the review article shows of a review: a saved one, or the author's unsaved preview. */
export type ArticleReview = Pick<
  RenderedReviewView,
  'headline' | 'authorSlug' | 'authorName' | 'publishedAt' | 'updatedAt' | 'scoreValue' | 'scoreMax' | 'rating' | 'summary' | 'hasSpoilers' | 'body' | 'bodyHtml'
>;

/** The review in full beside the work's info box: the review page, and the preview of one being written. */
export function ReviewArticle({ review, work }: { review: ArticleReview; work: WorkDetail }) {
  return (
    <div class="two-columns review-page">
    <article class="review" aria-labelledby="review-title">
      <header class="review-header">
        <p class="eyebrow">
          Review of <a href={urls.work(work.slug)}>{work.title}</a>
          {work.year !== null && <> ({work.year})</>}
        </p>
        <h1 id="review-title">{reviewName(review, work.title)}</h1>
        <p class="byline">
          By <a href={urls.author(review.authorSlug)} rel="author">{review.authorName}</a>
          {review.publishedAt && (
            <>
              {' · '}
              <DateText iso={review.publishedAt} />
            </>
          )}
          {wasUpdated(review) && (
            <>
              {' · updated '}
              <DateText iso={review.updatedAt} />
            </>
          )}
        </p>
        <p class="review-score">
          <Score review={review} size="large" />
        </p>
        {/* A TL;DR has no reveal control: a spoiler marked in it is left out. */}
        {review.summary && (
          <p class="lede review-summary">
            <strong>TL;DR:</strong> {withoutSpoilers(review.summary, '[spoiler]')}
          </p>
        )}
        {Boolean(review.hasSpoilers) && (
          <p class="spoiler-notice" role="note">
            <strong>Contains spoilers.</strong> They stay hidden until you choose to show them.
          </p>
        )}
      </header>
      <div class="prose" dangerouslySetInnerHTML={{ __html: review.bodyHtml ?? renderReviewBody(review.body) }} />
      <footer class="review-footer muted">
        More from <a href={urls.author(review.authorSlug)}>{review.authorName}</a> (
        <a href={urls.authorFeed(review.authorSlug, 'atom')}>feed</a>) · All reviews of{' '}
        <a href={urls.work(work.slug)}>{work.title}</a> (<a href={urls.workFeed(work.slug, 'atom')}>feed</a>)
      </footer>
    </article>
    <aside class="side-column" aria-label="About the work">
      <InfoBox work={work} heading={work.title} linkTitle summary />
    </aside>
  </div>
  );
}
