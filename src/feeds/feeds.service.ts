/**
 * Feeds of the latest published reviews: site-wide, per author and per work, in Atom 1.0,
 * JSON Feed 1.1 and RSS 2.0. A feed costs a lookup of its author or work, one joined query
 * for the reviews and one for their works' tags; the app-wide ETag answers readers that
 * poll with a 304.
 *
 * Feed readers run no script, so nothing can be hidden there: each spoiler passage becomes a
 * link to the review page instead.
 */
import { createHash } from 'node:crypto';
import type { Site } from '../site/site.context.js';
import { absoluteUrl } from '../site/site.context.js';
import { renderWithoutSpoilers, plainExcerpt } from '../site/markdown.js';
import { formatNumber, ratingToStars, scoreAsWritten } from '../site/components.js';
import { urls, type FeedFormat } from '../shared/urls.js';
import { notFound } from '../shared/errors.js';
import { findAuthorBySlug } from '../authors/authors.service.js';
import { findWorkBySlug } from '../works/works.repository.js';
import { listPublishedReviews, listTagNamesOfWorks, type ReviewListQuery, type ReviewView } from '../reviews/reviews.repository.js';
import { atomFeed, escapeHtml, jsonFeed, rssFeed, type FeedEntry, type FeedMeta } from './feeds.xml.js';

export interface Feed {
  contentType: string;
  body: string;
}

export const FEED_LENGTH = 50;

/** The site's pages are written in English (`<html lang="en">`); feeds say the same. */
const LANGUAGE = 'en';

const CONTENT_TYPES: Record<FeedFormat, string> = {
  atom: 'application/atom+xml; charset=utf-8',
  json: 'application/feed+json; charset=utf-8',
  rss: 'application/rss+xml; charset=utf-8',
};

const SPOILER_NOTE = 'Contains spoilers — read on the site';

export async function siteFeed(site: Site, format: FeedFormat): Promise<Feed> {
  return buildFeed(site, format, {}, {
    title: site.name,
    description: `The latest reviews on ${site.name}.`,
    home: urls.home(),
    self: urls.feed(format),
  });
}

export async function authorFeed(site: Site, slug: string, format: FeedFormat): Promise<Feed> {
  const author = await findAuthorBySlug(site.db.kysely, slug);
  if (!author) throw notFound(`The author "${slug}"`);
  return buildFeed(site, format, { authorId: author.id }, {
    title: `${site.name}: reviews by ${author.name}`,
    description: `The latest reviews by ${author.name} on ${site.name}.`,
    home: urls.author(author.slug),
    self: urls.authorFeed(author.slug, format),
  });
}

export async function workFeed(site: Site, slug: string, format: FeedFormat): Promise<Feed> {
  const work = await findWorkBySlug(site.db.kysely, slug);
  if (!work) throw notFound(`The work "${slug}"`);
  return buildFeed(site, format, { workId: work.id }, {
    title: `${site.name}: reviews of ${work.title}`,
    description: `The latest reviews of ${work.title} on ${site.name}.`,
    home: urls.work(work.slug),
    self: urls.workFeed(work.slug, format),
  });
}

async function buildFeed(
  site: Site,
  format: FeedFormat,
  filter: Pick<ReviewListQuery, 'authorId' | 'workId'>,
  about: { title: string; description: string; home: string; self: string },
): Promise<Feed> {
  const db = site.db.kysely;
  const reviews = await listPublishedReviews(db, { ...filter, limit: FEED_LENGTH });
  const tags = await listTagNamesOfWorks(db, reviews.map((r) => r.workId));
  const meta: FeedMeta = {
    title: about.title,
    description: about.description,
    homeUrl: absoluteUrl(site, about.home),
    selfUrl: absoluteUrl(site, about.self),
    language: LANGUAGE,
    publisher: { name: site.name, url: absoluteUrl(site, urls.home()) },
  };
  const entries = reviews.map((r) => feedEntry(site, r, tags.get(r.workId) ?? []));
  const body = format === 'atom' ? atomFeed(meta, entries) : format === 'rss' ? rssFeed(meta, entries) : jsonFeed(meta, entries);
  return { contentType: CONTENT_TYPES[format], body };
}

/** A review's title wherever it has no headline of its own. */
function entryTitle(r: Pick<ReviewView, 'headline' | 'workTitle' | 'authorName'>): string {
  return r.headline || `${r.workTitle} — review by ${r.authorName}`;
}

function feedEntry(site: Site, r: ReviewView, tags: string[]): FeedEntry {
  const url = absoluteUrl(site, urls.review(r.id));
  const work = { title: r.workTitle, url: absoluteUrl(site, urls.work(r.workSlug)) };
  const author = { name: r.authorName, url: absoluteUrl(site, urls.author(r.authorSlug)) };
  const published = r.publishedAt ?? r.createdAt;
  // A review back-dated on import can have been written after its publication date.
  const updated = r.updatedAt > published ? r.updatedAt : published;
  return {
    url,
    title: entryTitle(r),
    author,
    published,
    updated,
    contentHtml: contentHtml(site, r, url, work, author),
    summary: plainExcerpt(r.summary || r.body),
    work,
    tags,
    review: { score: r.scoreValue, best: r.scoreMax, rating: r.rating },
  };
}

function contentHtml(site: Site, r: ReviewView, url: string, work: { title: string; url: string }, author: { name: string; url: string }): string {
  const written = scoreAsWritten(r);
  let score = '<p><strong>Score: none</strong> (not scored)</p>';
  if (written !== null && r.rating !== null) {
    const stars = ratingToStars(r.rating);
    const full = Math.floor(stars);
    const half = stars - full >= 0.5;
    const shown = '★'.repeat(full) + (half ? '½' : '') + '☆'.repeat(5 - full - (half ? 1 : 0));
    score = `<p><strong>Score: ${escapeHtml(written)}</strong> <span title="${formatNumber(stars)} out of 5 stars">${shown}</span></p>`;
  }
  const about = `<p>A review of <a href="${escapeHtml(work.url)}">${escapeHtml(work.title)}</a> by <a href="${escapeHtml(author.url)}">${escapeHtml(author.name)}</a>.</p>`;
  return `${score}\n${about}\n${bodyHtml(site, r.body, url)}`;
}

/**
 * Rendering Markdown is most of what a feed costs (measured: ~50 ms of ~60 ms for fifty long
 * reviews), and the same reviews are in the site, author and work feeds at every poll. The
 * recent renderings are kept, keyed by a digest of everything the HTML depends on, so an edit
 * can never be served stale and instances need not agree.
 */
const rendered = new Map<string, string>();
const RENDERED_MAX = 1_000;

function bodyHtml(site: Site, body: string, reviewUrl: string): string {
  const key = createHash('sha1').update(site.publicUrl).update('\0').update(reviewUrl).update('\0').update(body).digest('base64');
  let html = rendered.get(key);
  if (html === undefined) {
    const note = `<em><a href="${escapeHtml(reviewUrl)}">${SPOILER_NOTE}</a></em>`;
    // Readers resolve relative links against the feed or not at all: make the site's own absolute.
    html = renderWithoutSpoilers(body, note).replace(/(href|src)="\/(?!\/)/g, `$1="${site.publicUrl}/`);
    if (rendered.size >= RENDERED_MAX) rendered.delete(rendered.keys().next().value!);
  } else {
    rendered.delete(key);
  }
  rendered.set(key, html);
  return html;
}
