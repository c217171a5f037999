/**
 * The author page: who they are, what their scores add up to, and their published reviews,
 * newest first.
 */
import type { VNode } from 'preact';
import type { ListStatus } from '../db/schema.js';
import type { Site } from '../site/site.context.js';
import { absoluteUrl } from '../site/site.context.js';
import { Layout, type FeedLink } from '../site/layout.js';
import { ReviewCard, Stars, formatNumber } from '../site/components.js';
import { reviewCardData } from '../site/home.pages.js';
import { notFound } from '../shared/errors.js';
import { urls } from '../shared/urls.js';
import { listPublishedReviewsPage } from '../reviews/reviews.repository.js';
import { PageLinks, checkPage, listingPath, parsePage, type Query } from '../catalog/listing.js';
import { authorListCounts, authorStats, findAuthorProfile, type AuthorStats } from './authors.repository.js';

export const REVIEWS_PER_PAGE = 20;

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** "4.5 stars", "1 star": half stars as decimals, which every screen reader says well. */
const starsText = (halfStars: number) => `${formatNumber(halfStars / 2)} ${halfStars === 2 ? 'star' : 'stars'}`;

export function authorFeeds(site: Site, name: string, slug: string): FeedLink[] {
  return [
    { title: `${name} on ${site.name} (Atom)`, href: urls.authorFeed(slug, 'atom'), type: 'application/atom+xml' },
    { title: `${name} on ${site.name} (JSON Feed)`, href: urls.authorFeed(slug, 'json'), type: 'application/feed+json' },
    { title: `${name} on ${site.name} (RSS)`, href: urls.authorFeed(slug, 'rss'), type: 'application/rss+xml' },
  ];
}

/**
 * The scores an author gave, as a table (which is its own text alternative) with a bar per
 * row. Bars are SVG sized by attributes: the Content-Security-Policy allows no inline style.
 */
function ScoreHistogram({ stats }: { stats: AuthorStats }) {
  const most = Math.max(1, ...stats.histogram);
  const rows = stats.histogram.map((count, i) => ({ halfStars: i + 1, count })).reverse();
  return (
    <div class="table-scroll">
      <table class="histogram">
        <caption>Scores given, by stars</caption>
        <thead>
          <tr>
            <th scope="col">Score</th>
            <th scope="col">Reviews</th>
            <th scope="col">
              <span class="visually-hidden">Share of reviews</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr>
              <th scope="row">{starsText(r.halfStars)}</th>
              <td class="histogram-count">{r.count}</td>
              <td class="histogram-cell">
                <svg class="histogram-bar" viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true">
                  <rect class="bar" x="0" y="0" height="10" width={String(Math.round((r.count / most) * 1000) / 10)} />
                </svg>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

const LIST_LABELS: [ListStatus | 'none', string][] = [
  ['watching', 'Watching'],
  ['completed', 'Completed'],
  ['on_hold', 'On hold'],
  ['dropped', 'Dropped'],
  ['plan_to_watch', 'Plan to watch'],
  ['none', 'No status'],
];

/** Where the author is with the works on their list (brought from list sites), when they have one. */
function ListCounts({ counts }: { counts: Map<ListStatus | 'none', number> }) {
  const shown = LIST_LABELS.filter(([status]) => (counts.get(status) ?? 0) > 0);
  if (shown.length === 0) return null;
  return (
    <>
      <h3 id="list-heading">On their list</h3>
      <dl class="stat-list list-counts">
        {shown.map(([status, label]) => (
          <div>
            <dt>{label}</dt>
            <dd class={`list-${status}`}>{counts.get(status)}</dd>
          </div>
        ))}
      </dl>
    </>
  );
}

export async function authorPage(site: Site, slug: string, query: Query): Promise<VNode> {
  const author = await findAuthorProfile(site.db.kysely, slug);
  if (!author) throw notFound(`The author "${slug}"`);
  const page = parsePage(query.page);
  const [stats, list, reviews] = await Promise.all([
    authorStats(site.db.kysely, author.id),
    authorListCounts(site.db.kysely, author.id),
    listPublishedReviewsPage(site.db.kysely, { authorId: author.id, limit: REVIEWS_PER_PAGE, offset: (page - 1) * REVIEWS_PER_PAGE }),
  ]);
  const pages = checkPage(page, stats.reviewCount, REVIEWS_PER_PAGE);
  const base = urls.author(author.slug);
  const mean = stats.ratingCount ? stats.ratingSum / stats.ratingCount : null;
  const average = mean === null ? null : `${formatNumber(mean / 20)} out of 5`;
  const description =
    `${plural(stats.reviewCount, 'review')} of anime, series and films by ${author.name} on ${site.name}` +
    (average ? `, with an average score of ${average}.` : '.');

  return (
    <Layout
      site={site}
      head={{
        title: `${author.name}${page > 1 ? ` (page ${page})` : ''}`,
        description,
        path: listingPath(base, {}, page),
        ogType: 'profile',
        feeds: authorFeeds(site, author.name, author.slug),
        jsonLd: [
          {
            '@context': 'https://schema.org',
            '@type': 'ProfilePage',
            url: absoluteUrl(site, base),
            mainEntity: { '@type': 'Person', name: author.name, url: absoluteUrl(site, base), ...(author.bio ? { description: author.bio } : {}) },
          },
        ],
      }}
    >
      <p class="eyebrow">Reviewer</p>
      <h1>{author.name}</h1>
      {author.bio && <p class="lede author-bio">{author.bio}</p>}
      <p class="author-feeds">
        Follow: <a href={urls.authorFeed(author.slug, 'atom')}>Atom</a> · <a href={urls.authorFeed(author.slug, 'json')}>JSON Feed</a> ·{' '}
        <a href={urls.authorFeed(author.slug, 'rss')}>RSS</a>
      </p>

      <section aria-labelledby="stats-heading" class="author-stats">
        <h2 id="stats-heading">In numbers</h2>
        <dl class="stat-list">
          <div>
            <dt>Reviews</dt>
            <dd class="stat-reviews">{stats.reviewCount}</dd>
          </div>
          <div>
            <dt>Scored</dt>
            <dd class="stat-scored">{stats.ratingCount}</dd>
          </div>
          <div>
            <dt>Average score</dt>
            <dd class="stat-average">
              {mean === null ? (
                <span class="score score-none">No scores yet</span>
              ) : (
                <span class="score">
                  <Stars rating={mean} /> <span class="score-text">{average}</span>
                </span>
              )}
            </dd>
          </div>
        </dl>
        {stats.ratingCount > 0 && <ScoreHistogram stats={stats} />}
        <ListCounts counts={list} />
      </section>

      <section aria-labelledby="reviews-heading">
        <h2 id="reviews-heading">Reviews</h2>
        {reviews.length === 0 ? (
          <p class="muted">No published reviews yet.</p>
        ) : (
          <>
            <ul class="card-list">
              {reviews.map((r) => (
                <li>
                  <ReviewCard review={reviewCardData(r)} showAuthor={false} />
                </li>
              ))}
            </ul>
            <PageLinks base={base} params={{}} page={page} pages={pages} label="Pages of reviews" />
          </>
        )}
      </section>
    </Layout>
  );
}
