/**
 * Stored pages: each work's page (its first page of reviews) and each published review's page,
 * rendered ahead and kept gzip-compressed in `stored_pages`, so that a view of the site's two
 * busiest pages is one row read and a write of bytes. Rendered on view, a work page cost ~500 µs
 * of CPU (twenty review cards) and a review page ~190 µs, against a budget of 200 µs for
 * 5,000 views a second with room under load. Stored, both cost a row read, and a browser (which
 * accepts gzip) gets the stored bytes as they are, with no compression on view either.
 *
 * A stored page is served only while it is current, which the database decides:
 *
 * - everything on these pages belongs to one work, and triggers move the work past its stored
 *   pages whenever any of it changes (see the migration `2026-12-02T0900-stored-pages`), so a
 *   change shows at once: the page is rendered on view until it is stored again;
 * - each page records the build that rendered it: the format's version, the site's settings and
 *   assets, and the hash of sample pages rendered by the running program. A release that
 *   changes the pages' markup, or a new site name, makes every stored page another build's:
 *   never served, and forgotten by the first pass of the new build.
 *
 * The server stores what is missing in the background, within a minute of a change (as it does
 * works' lists); `kansou render` does it at once. A work's pages are rendered and stored in one
 * transaction whose first read fixes the snapshot they are rendered from: pages rendered from
 * data a concurrent writer changed are never served (PostgreSQL: the writer raised the work's
 * stamp past the one they carry; SQLite: the transaction cannot commit).
 */
import { hash } from 'node:crypto';
import { gunzipSync, gzipSync, constants as zlib } from 'node:zlib';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { negotiate } from '@fastify/accept-negotiator';
import { lostRace } from '../db/connection.js';
import { AppError } from '../shared/errors.js';
import type { Transaction } from 'kysely';
import type { Database } from '../db/schema.js';
import type { Site } from './site.context.js';
import { pageBytes, PUBLIC_CACHE } from './http.js';
import { findSetting, saveSetting } from '../accounts/accounts.repository.js';
import type { RenderedReviewView, ReviewListing } from '../reviews/reviews.repository.js';
import { RENDERER } from '../reviews/reviews.render.js';
import { parseReviewId, reviewPage, reviewPageView } from '../reviews/reviews.pages.js';
import type { WorkDetail } from '../works/works.repository.js';
import { workPage, workPageView } from '../works/works.pages.js';
import * as pages from './stored-pages.repository.js';

/** Raise when a change to the pages would not show in the sample pages below. */
const FORMAT = 'stored-pages-1';

/** The setting that names the build whose pages the database holds. */
const BUILD_SETTING = 'stored_pages_build';

/**
 * A sample work with every part a work page shows (alternative titles, synopsis, tags, credits
 * in each role, studios, platforms, ids, a score chart, review cards with and without a score,
 * a headline, spoilers or a stored excerpt), and a review with every part a review page shows.
 */
const SAMPLE_WORK: WorkDetail = {
  id: 1,
  slug: 'sample-work',
  title: 'Sample ≠ Work',
  altTitles: [
    { title: 'サンプル', type: 'original' },
    { title: 'Sanpuru', type: 'romaji' },
    { title: 'Sample Work', type: 'english' },
    { title: 'Sample', type: 'other' },
  ],
  kind: 'anime_series',
  year: 2018,
  synopsis: 'A first paragraph.\n\nA second one, with <angle brackets> & an ampersand.',
  episodes: 12,
  credits: [
    { role: 'director', name: 'A Director', slug: 'a-director' },
    { role: 'writer', name: 'A Writer', slug: 'a-writer' },
    { role: 'music', name: 'A Composer', slug: 'a-composer' },
    { role: 'original_creator', name: 'A Creator', slug: 'a-creator' },
  ],
  studios: [{ name: 'A Studio', slug: 'a-studio' }],
  platforms: [{ name: 'A Platform', slug: 'a-platform' }],
  tags: [{ name: 'A Tag', slug: 'a-tag' }],
  externalIds: { mal: '1', anilist: '2', tmdb: '3', imdb: 'tt4' },
  reviewCount: 45,
  ratingCount: 44,
  ratingSum: 2200,
  ratingHistogram: [1, 2, 3, 4, 5, 6, 7, 8, 4, 4],
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-02T00:00:00.000Z',
};

function sampleReview(id: number, fields: Partial<RenderedReviewView & ReviewListing>): RenderedReviewView & ReviewListing {
  return {
    id,
    workId: 1,
    authorId: id,
    status: 'published',
    headline: null,
    summary: null,
    body: '',
    scoreValue: null,
    scoreMax: null,
    scoreText: null,
    rating: null,
    hasSpoilers: 0,
    publishedAt: '2026-01-03T00:00:00.000Z',
    createdAt: '2026-01-03T00:00:00.000Z',
    updatedAt: '2026-01-03T00:00:00.000Z',
    workSlug: SAMPLE_WORK.slug,
    workTitle: SAMPLE_WORK.title,
    authorSlug: `author-${id}`,
    authorName: `Author ${id}`,
    bodyText: null,
    bodyHtml: null,
    ...fields,
  } as RenderedReviewView & ReviewListing;
}

const SAMPLE_REVIEWS = [
  sampleReview(1, { headline: 'A headline', summary: 'A summary.', scoreValue: 2.5, scoreMax: 5, scoreText: '2.5 out of 5', rating: 50, bodyText: 'A stored excerpt.' }),
  sampleReview(2, { body: 'A body in *Markdown*.\n\n||A spoiler.|| After it.', hasSpoilers: 1, scoreValue: 8, scoreMax: 10, scoreText: '8/10', rating: 80 }),
  sampleReview(3, { body: 'No score.', updatedAt: '2026-02-03T00:00:00.000Z' }),
];

const builds = new WeakMap<Site, string>();

/** What renders this site's pages: pages of another build are never served. */
export function storedPagesBuild(site: Site): string {
  let build = builds.get(site);
  if (build === undefined) {
    const samples = [workPageView(site, SAMPLE_WORK, SAMPLE_REVIEWS, 1), ...SAMPLE_REVIEWS.map((r) => reviewPageView(site, r, SAMPLE_WORK))];
    const facts = [FORMAT, RENDERER, site.name, site.publicUrl, site.stylesheet, site.icon, site.scripts ?? {}, samples.map((page) => pageBytes(page).etag)];
    build = `${FORMAT}:${hash('sha1', JSON.stringify(facts), 'base64url')}`;
    builds.set(site, build);
  }
  return build;
}

/** The work's stored page, when one is current. */
export function findStoredWorkPage(site: Site, slug: string): Promise<pages.StoredPage | undefined> {
  return pages.findCurrentWorkPage(site.db.kysely, slug, storedPagesBuild(site));
}

/** The review's stored page, when one is current (and the id is written as the site writes it). */
export async function findStoredReviewPage(site: Site, id: string): Promise<pages.StoredPage | undefined> {
  const reviewId = parseReviewId(id);
  return reviewId === undefined ? undefined : pages.findCurrentReviewPage(site.db.kysely, reviewId, storedPagesBuild(site));
}

/**
 * Sends a stored page as the page sent on view would be: the same headers and ETag, gzip as
 * stored to a client that accepts it, and inflated for one that does not.
 */
export function sendStoredPage(request: FastifyRequest, reply: FastifyReply, page: pages.StoredPage): FastifyReply {
  reply.type('text/html; charset=utf-8').header('cache-control', PUBLIC_CACHE).header('etag', page.etag).header('vary', 'accept-encoding');
  if (negotiate(request.headers['accept-encoding'] ?? '', ['gzip']) === 'gzip') return reply.header('content-encoding', 'gzip').send(page.gzip);
  return reply.send(gunzipSync(page.gzip));
}

const compress = (page: Parameters<typeof pageBytes>[0]) => {
  const { body, etag } = pageBytes(page);
  return { etag, gzip: gzipSync(body, { level: zlib.Z_BEST_COMPRESSION }) };
};

/** What the pages pass is told: how much to do per transaction, and when to stop or yield. */
export interface StorePagesOptions {
  /** Works per transaction. */
  batchSize?: number;
  /**
   * At most this many review pages of one work per transaction: a work with more stores the
   * rest in transactions of its own, so that a work with thousands of reviews never holds the
   * database (SQLite's one connection) for seconds.
   */
  reviewPagesPerTransaction?: number;
  /** Runs between transactions (the server yields to requests there). */
  pause?: () => Promise<void>;
  onProgress?: (stored: number) => void;
  signal?: AbortSignal;
}

/** Runs `body` in a transaction that fails rather than see another writer's later commit. */
function snapshotTransaction<T>(site: Site, body: (trx: Transaction<Database>, inTransaction: Site) => Promise<T>): Promise<T> {
  const { db } = site;
  const transaction = db.kysely.transaction();
  return (db.dialect === 'postgres' ? transaction.setIsolationLevel('repeatable read') : transaction).execute((trx) =>
    body(trx, { ...site, db: { ...db, kysely: trx } }),
  );
}

/**
 * Renders and stores the pages of every work whose pages are not current (its page and its
 * published reviews' pages), in id order; returns how many pages it stored. First forgets the
 * pages of another build. Each transaction's first read fixes the snapshot its pages are
 * rendered from; a work is marked stored only once all its pages are there under one stamp.
 */
export async function storePendingPages(site: Site, options: StorePagesOptions = {}): Promise<number> {
  const { db } = site;
  const build = storedPagesBuild(site);
  if ((await findSetting(db.kysely, BUILD_SETTING)) !== build) {
    await pages.forgetStoredPages(db.kysely);
    await saveSetting(db.kysely, BUILD_SETTING, build);
  }
  const batchSize = options.batchSize ?? 10;
  const perTransaction = options.reviewPagesPerTransaction ?? 200;
  const reviewPages = async (inTransaction: Site, ids: number[]): Promise<pages.PageToStore[]> => {
    const rendered: pages.PageToStore[] = [];
    for (const id of ids) {
      try {
        rendered.push({ kind: 'review', subjectId: id, ...compress(await reviewPage(inTransaction, String(id))) });
      } catch (error) {
        // Withdrawn or deleted since the work's reviews were listed (in an earlier transaction):
        // the work then lacks a page and is not marked stored, and the next pass redoes it.
        if (!(error instanceof AppError && error.code === 'not_found')) throw error;
      }
    }
    return rendered;
  };
  let after = 0;
  let stored = 0;
  const attempt = async (body: () => Promise<number>) => {
    try {
      stored += await body();
    } catch (error) {
      if (!lostRace(error)) throw error;
    }
    options.onProgress?.(stored);
    await options.pause?.();
  };
  while (!options.signal?.aborted) {
    const ids = await pages.listWorksWithStalePages(db.kysely, after, batchSize);
    if (ids.length === 0) break;
    after = ids[ids.length - 1]!;
    // Review pages of works with more than fit in one transaction, stored after the batch.
    const rest: { workId: number; reviewIds: number[] }[] = [];
    await attempt(() =>
      snapshotTransaction(site, async (trx, inTransaction) => {
        const works = await pages.readWorkStamps(trx, ids);
        const reviewsOf = new Map<number, number[]>();
        for (const { id, workId } of await pages.listPublishedReviewIds(trx, ids)) {
          const list = reviewsOf.get(workId);
          if (list) list.push(id);
          else reviewsOf.set(workId, [id]);
        }
        let n = 0;
        for (const work of works) {
          const reviewIds = reviewsOf.get(work.id) ?? [];
          const rendered = [{ kind: 'work' as const, subjectId: work.id, ...compress(await workPage(inTransaction, work.slug, {})) }, ...(await reviewPages(inTransaction, reviewIds.slice(0, perTransaction)))];
          const complete = reviewIds.length <= perTransaction;
          await pages.replaceStoredPages(trx, work.id, work.pageStamp, build, rendered, { complete });
          if (!complete) rest.push({ workId: work.id, reviewIds: reviewIds.slice(perTransaction) });
          n += rendered.length;
        }
        return n;
      }),
    );
    for (const { workId, reviewIds } of rest) {
      for (let i = 0; i < reviewIds.length && !options.signal?.aborted; i += perTransaction) {
        const last = i + perTransaction >= reviewIds.length;
        await attempt(() =>
          snapshotTransaction(site, async (trx, inTransaction) => {
            const [work] = await pages.readWorkStamps(trx, [workId]);
            if (!work) return 0;
            const rendered = await reviewPages(inTransaction, reviewIds.slice(i, i + perTransaction));
            await pages.addStoredPages(trx, workId, work.pageStamp, build, rendered);
            // Marked only when every page of the work is there under this stamp: a write
            // between these transactions left older pages (or none), and the next pass redoes it.
            if (last) await pages.markPagesStoredIfComplete(trx, workId, work.pageStamp, build);
            return rendered.length;
          }),
        );
      }
    }
  }
  return stored;
}
