/**
 * The work page: what the work is, what the site's reviewers made of it (mean score and the
 * spread of scores), and their reviews, newest first.
 */
import type { VNode } from 'preact';
import type { Site } from '../site/site.context.js';
import { absoluteUrl } from '../site/site.context.js';
import { Layout, type FeedLink, type PageHead } from '../site/layout.js';
import { formatNumber, kindLabel, meanRating, Pagination, queryString, ReviewCard, Stars } from '../site/components.js';
import { reviewCardData } from '../site/home.pages.js';
import { plainExcerpt } from '../site/markdown.js';
import { InfoBox } from '../site/infobox.js';
import { ScoreChart } from '../site/chart.js';
import { ogTypeOf, workJsonLd } from '../site/jsonld.js';
import { notFound } from '../shared/errors.js';
import { urls } from '../shared/urls.js';
import { findWorkIdBySlug, loadWorkDetail, type WorkDetail } from './works.repository.js';
import { listPublishedReviewsOfWork, type ReviewListing } from '../reviews/reviews.repository.js';

export const REVIEWS_PER_PAGE = 20;

const ALT_TITLE_LABELS: Record<string, string> = {
  original: 'Original title',
  romaji: 'Romanised title',
  english: 'English title',
  other: 'Also known as',
};

/** The work's own feeds (the latest reviews of it), in the three formats. */
export function workFeeds(site: Site, work: { slug: string; title: string }): FeedLink[] {
  return [
    { title: `${site.name}: reviews of ${work.title} (Atom)`, href: urls.workFeed(work.slug, 'atom'), type: 'application/atom+xml' },
    { title: `${site.name}: reviews of ${work.title} (JSON Feed)`, href: urls.workFeed(work.slug, 'json'), type: 'application/feed+json' },
    { title: `${site.name}: reviews of ${work.title} (RSS)`, href: urls.workFeed(work.slug, 'rss'), type: 'application/rss+xml' },
  ];
}

/** "Hero ≠ Mask (2018)". */
export const workTitleWithYear = (work: { title: string; year: number | null }): string => (work.year === null ? work.title : `${work.title} (${work.year})`);

/** `?page=N` as a page number, or undefined for anything that is not one. */
function parsePage(value: string | undefined): number | undefined {
  if (value === undefined || value === '') return 1;
  return /^[1-9]\d{0,6}$/.test(value) ? Number(value) : undefined;
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** A spoiler-free sentence about the work for search results and link previews. */
export function workDescription(site: Site, work: WorkDetail): string {
  if (work.synopsis) {
    const synopsis = plainExcerpt(work.synopsis, 200);
    if (synopsis) return synopsis;
  }
  const director = work.credits.find((c) => c.role === 'director');
  const facts = [
    `${kindLabel(work.kind)}${work.year === null ? '' : ` (${work.year})`}`,
    director ? ` directed by ${director.name}` : '',
    work.studios[0] ? `, from ${work.studios[0].name}` : '',
  ].join('');
  const mean = meanRating(work);
  const verdict =
    mean === null
      ? `${plural(work.reviewCount, 'review', 'reviews')} on ${site.name}.`
      : `Rated ${formatNumber(mean / 20, 1)} out of 5 from ${plural(work.ratingCount, 'score', 'scores')} on ${site.name}.`;
  return `${work.title}: ${facts}. ${verdict}`;
}

function workHead(site: Site, work: WorkDetail, page: number): PageHead {
  const director = work.credits.filter((c) => c.role === 'director');
  const path = urls.work(work.slug) + (page > 1 ? queryString({ page }) : '');
  return {
    title: workTitleWithYear(work) + (page > 1 ? ` — reviews, page ${page}` : ''),
    description: workDescription(site, work),
    path,
    ogType: ogTypeOf(work.kind),
    og: [
      ...director.map((d): [string, string] => ['video:director', absoluteUrl(site, urls.person(d.slug))]),
      ...work.credits.filter((c) => c.role === 'writer').map((w): [string, string] => ['video:writer', absoluteUrl(site, urls.person(w.slug))]),
      ...(work.year === null ? [] : [['video:release_date', String(work.year)] as [string, string]]),
      ...work.tags.map((t): [string, string] => ['video:tag', t.name]),
    ],
    feeds: workFeeds(site, work),
    jsonLd: [workJsonLd(site, work, { aggregateRating: true, context: true })],
  };
}

function AltTitles({ work }: { work: WorkDetail }) {
  const titles = work.altTitles.filter((t) => t.title !== work.title);
  if (titles.length === 0) return null;
  return (
    <dl class="alt-titles">
      {titles.map((t) => (
        <>
          <dt>{ALT_TITLE_LABELS[t.type] ?? 'Also known as'}</dt>
          <dd>{t.title}</dd>
        </>
      ))}
    </dl>
  );
}

function ScoreSummary({ work }: { work: WorkDetail }) {
  const mean = meanRating(work);
  if (mean === null) {
    return (
      <p class="work-score">
        <span class="score score-none">No scores yet</span>
        {work.reviewCount > 0 && <span class="muted"> · {plural(work.reviewCount, 'review', 'reviews')}</span>}
      </p>
    );
  }
  return (
    <p class="work-score">
      <span class="score">
        <Stars rating={mean} size="large" /> <span class="score-text">{formatNumber(mean / 20, 1)} out of 5</span>
      </span>{' '}
      <span class="muted">
        from {plural(work.ratingCount, 'score', 'scores')} and {plural(work.reviewCount, 'review', 'reviews')}
      </span>
    </p>
  );
}

export async function workPage(site: Site, slug: string, query: Record<string, string | undefined>): Promise<VNode> {
  const page = parsePage(query.page);
  const id = await findWorkIdBySlug(site.db.kysely, slug);
  if (id === undefined || page === undefined) throw notFound(`The work "${slug}"${page === undefined ? ' (that page of it)' : ''}`);
  const [work, reviews] = await Promise.all([
    loadWorkDetail(site.db.kysely, id),
    listPublishedReviewsOfWork(site.db.kysely, id, REVIEWS_PER_PAGE, (page - 1) * REVIEWS_PER_PAGE),
  ]);
  if (!work) throw notFound(`The work "${slug}"`);
  if (page > 1 && reviews.length === 0) throw notFound(`Page ${page} of the reviews of "${work.title}"`);
  return workPageView(site, work, reviews, page);
}

/**
 * The page itself, from what `workPage` loaded: nothing but the arguments (and the site's
 * settings) goes into it, which lets site/stored-pages.ts store it and tell its builds apart.
 */
export function workPageView(site: Site, work: WorkDetail, reviews: ReviewListing[], page: number): VNode {
  const pages = Math.max(1, Math.ceil(work.reviewCount / REVIEWS_PER_PAGE));
  const pageHref = (n: number) => urls.work(work.slug) + (n > 1 ? queryString({ page: n }) : '');

  return (
    <Layout site={site} head={workHead(site, work, page)}>
      <div class="two-columns work-page">
        <div>
          <header class="work-header">
            <p class="eyebrow">
              {kindLabel(work.kind)}
              {work.year !== null && (
                <>
                  {' · '}
                  <a href={urls.year(work.year)}>{work.year}</a>
                </>
              )}
            </p>
            <h1>{work.title}</h1>
            <AltTitles work={work} />
            <ScoreSummary work={work} />
          </header>
          {work.synopsis && (
            <section class="synopsis" aria-label="Synopsis">
              {work.synopsis
                .split(/\n\s*\n/)
                .map((p) => p.trim())
                .filter(Boolean)
                .map((p) => (
                  <p class="lede">{p}</p>
                ))}
            </section>
          )}
          {work.tags.length > 0 && (
            <ul class="tag-list" aria-label="Tags">
              {work.tags.map((t) => (
                <li>
                  <a href={urls.tag(t.slug)} rel="tag">
                    {t.name}
                  </a>
                </li>
              ))}
            </ul>
          )}

          <section aria-labelledby="reviews-heading">
            <h2 id="reviews-heading">
              Reviews{' '}
              <span class="muted">
                ({work.reviewCount}){pages > 1 && ` · page ${page} of ${pages}`}
              </span>
            </h2>
            {reviews.length === 0 ? (
              <p class="muted">No reviews yet.</p>
            ) : (
              <ul class="card-list">
                {reviews.map((r) => (
                  <li>
                    <ReviewCard review={reviewCardData(r)} showWork={false} />
                  </li>
                ))}
              </ul>
            )}
            <Pagination
              label="Pages of reviews"
              previous={page > 1 ? pageHref(page - 1) : null}
              next={page < pages ? pageHref(page + 1) : null}
            />
            <p class="feed-links muted">
              Follow new reviews of this work: <a href={urls.workFeed(work.slug, 'atom')}>Atom</a> ·{' '}
              <a href={urls.workFeed(work.slug, 'json')}>JSON Feed</a> · <a href={urls.workFeed(work.slug, 'rss')}>RSS</a>
            </p>
          </section>
        </div>

        <aside class="side-column" aria-label="About the work">
          <InfoBox work={work} />
          {work.ratingCount > 0 && (
            <section class="score-distribution" aria-labelledby="distribution-heading">
              <h2 id="distribution-heading">Scores</h2>
              <ScoreChart histogram={work.ratingHistogram} />
            </section>
          )}
        </aside>
      </div>
    </Layout>
  );
}
