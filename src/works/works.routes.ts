/**
 * Work endpoints of the API: search and list, and one work by slug.
 */
import type { Db } from '../db/connection.js';
import type { WorkJson } from '../api/api.schemas.js';
import { decodeCursor, encodeCursor } from '../api/cursor.js';
import { notFound } from '../shared/errors.js';
import { urls } from '../shared/urls.js';
import { queryTerms, searchIndexFor } from '../search/search.js';
import * as works from './works.repository.js';

export function presentWork(w: works.WorkDetail): WorkJson {
  const link = (url: (slug: string) => string) => (x: { name: string; slug: string }) => ({ name: x.name, slug: x.slug, url: url(x.slug) });
  return {
    id: w.id,
    slug: w.slug,
    url: urls.work(w.slug),
    title: w.title,
    altTitles: w.altTitles,
    kind: w.kind,
    year: w.year,
    synopsis: w.synopsis,
    credits: w.credits.map((c) => ({ role: c.role, name: c.name, slug: c.slug, url: urls.person(c.slug) })),
    studios: w.studios.map(link(urls.studio)),
    platforms: w.platforms.map(link(urls.platform)),
    tags: w.tags.map(link(urls.tag)),
    externalIds: w.externalIds,
    score: {
      reviewCount: w.reviewCount,
      ratingCount: w.ratingCount,
      mean: w.ratingCount ? Math.round((w.ratingSum / w.ratingCount) * 10) / 10 : null,
      outOf5: w.ratingCount ? Math.round((w.ratingSum / w.ratingCount / 20) * 100) / 100 : null,
      distribution: w.ratingHistogram.map((count, i) => ({ stars: (i + 1) / 2, count })),
    },
    createdAt: w.createdAt,
    updatedAt: w.updatedAt,
  };
}

export async function getWork(db: Db, slug: string): Promise<WorkJson> {
  const id = await works.findWorkIdBySlug(db.kysely, slug);
  const detail = id === undefined ? undefined : await works.loadWorkDetail(db.kysely, id);
  if (!detail) throw notFound(`The work "${slug}"`);
  return presentWork(detail);
}

export async function listWorks(db: Db, query: { q?: string; limit?: number; cursor?: string }) {
  const limit = query.limit ?? 20;
  if (query.q !== undefined) {
    const [offset] = query.cursor ? decodeCursor<[number]>(query.cursor, ['number']) : [0];
    const hits = await searchIndexFor(db).query(db.kysely, 'works', queryTerms(query.q), limit + 1, offset);
    const items = (await works.loadWorkDetails(db.kysely, hits.slice(0, limit).map((h) => h.id))).map(presentWork);
    return { items, next: hits.length > limit ? encodeCursor([offset + limit]) : null };
  }
  const [afterId] = query.cursor ? decodeCursor<[number]>(query.cursor, ['number']) : [0];
  const ids = await works.listWorkIds(db.kysely, afterId, limit + 1);
  const items = (await works.loadWorkDetails(db.kysely, ids.slice(0, limit))).map(presentWork);
  return { items, next: ids.length > limit ? encodeCursor([ids[limit - 1]!]) : null };
}
