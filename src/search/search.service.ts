/**
 * The search page's one call: works, people, studios and reviews matching a query, with
 * facet counts, ranked. The plan (bounded candidates ranked here, see search.ts) is the same
 * on both databases, so both give the same answers.
 */
import { sql, type Kysely } from 'kysely';
import type { Db } from '../db/connection.js';
import type { Database } from '../db/schema.js';
import { KIND_LABELS } from '../site/components.js';
import { plainExcerpt } from '../site/markdown.js';
import { findReviewViews } from '../reviews/reviews.repository.js';
import { foldWords } from '../shared/text.js';
import { runMatches, snippet } from './highlight.js';
import { idList, parseQuery, searchIndexFor, type ParsedQuery } from './search.js';

/** How many candidates are ranked. Larger finds older matches of common words, and costs linearly. */
export const LIMITS = {
  works: 100,
  /** With a filter, more of the newest matches are scanned, as fewer of them pass. */
  worksFiltered: 2000,
  reviews: 200,
  reviewsFiltered: 5000,
  titleHits: 50,
  /**
   * Below this many matches, PostgreSQL reads every match through the GIN index and sorts them
   * (a few ms at 3,000); above it, matches are dense enough that walking ids from the newest
   * finds the candidates within a few thousand rows.
   */
  fewMatches: 3000,
  shownWorks: 20,
  shownReviews: 20,
  shownNames: 12,
  facetValues: 8,
} as const;

export interface SearchFilters {
  kind?: string;
  /** A year, or a decade (its first year) when `decade` is set. */
  year?: number;
  decade?: boolean;
  /** Slugs. */
  studio?: string;
  platform?: string;
  /** Stars, 1–5: a work's mean score or a review's own score. */
  min?: number;
  max?: number;
}

export interface SearchRequest {
  q: string;
  filters: SearchFilters;
}

const YEAR = /^(\d{4})(s?)$/;
const SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/** The page's query parameters, validated: anything unusable is dropped rather than refused. */
export function parseSearchParams(query: Record<string, string | undefined>): SearchRequest {
  const one = (v: unknown): string => (typeof v === 'string' ? v : Array.isArray(v) && typeof v[0] === 'string' ? v[0] : '').trim();
  const filters: SearchFilters = {};
  const kind = one(query.kind);
  if (kind in KIND_LABELS) filters.kind = kind;
  const year = YEAR.exec(one(query.year));
  if (year) {
    filters.year = Number(year[1]);
    if (year[2]) {
      filters.decade = true;
      filters.year -= filters.year % 10;
    }
  }
  for (const key of ['studio', 'platform'] as const) {
    const slug = one(query[key]).slice(0, 200);
    if (SLUG.test(slug)) filters[key] = slug;
  }
  for (const key of ['min', 'max'] as const) {
    const n = Number(one(query[key]));
    if (one(query[key]) && Number.isInteger(n) && n >= 1 && n <= 5) filters[key] = n;
  }
  if (filters.min && filters.max && filters.min > filters.max) delete filters.max;
  return { q: one(query.q).slice(0, 500), filters };
}

export function hasFilters(f: SearchFilters): boolean {
  return Boolean(f.kind || f.year || f.studio || f.platform || f.min || f.max);
}

export interface WorkResult {
  id: number;
  slug: string;
  title: string;
  kind: string | null;
  year: number | null;
  ratingCount: number;
  ratingSum: number;
  reviewCount: number;
  /** Other titles of the work that match. */
  matchedTitles: string[];
  /** Credits and studios that match, e.g. the writer `okouchi` found the work through. */
  matchedNames: { label: string; name: string; href: 'person' | 'studio'; slug: string }[];
}

export interface NameResult {
  name: string;
  slug: string;
}

export interface ReviewResult {
  id: number;
  headline: string | null;
  workSlug: string;
  workTitle: string;
  authorSlug: string;
  authorName: string;
  publishedAt: string | null;
  scoreValue: number | null;
  scoreMax: number | null;
  rating: number | null;
  hasSpoilers: number;
  /** Spoiler-free plain text around the matched words. */
  snippet: string;
}

export interface FacetValue {
  value: string;
  label: string;
  count: number;
}

export interface Facets {
  kind: FacetValue[];
  year: FacetValue[];
  studio: FacetValue[];
  platform: FacetValue[];
  min: FacetValue[];
}

export interface SearchResults {
  request: SearchRequest;
  query: ParsedQuery;
  works: WorkResult[];
  people: NameResult[];
  studios: NameResult[];
  reviews: ReviewResult[];
  facets: Facets;
  /** Names of filtered-by studio and platform, for the page's summary. */
  filterNames: { studio?: string; platform?: string };
  /** Whether a candidate bound was reached: counts are then counts among the newest matches. */
  bounded: boolean;
}

type Db_ = Kysely<Database>;

interface WorkFacts {
  id: number;
  kind: string | null;
  year: number | null;
  ratingCount: number;
  ratingSum: number;
}

/** SQL conditions on `w` (works) and, for reviews, `r`, from the filters. Ids are resolved already. */
function filterSql(f: SearchFilters, ids: { studio?: number; platform?: number }, review: boolean) {
  const parts = [sql`1 = 1`];
  if (f.kind) parts.push(sql`w.kind = ${f.kind}`);
  if (f.year && f.decade) parts.push(sql`w.year >= ${f.year} and w.year <= ${f.year + 9}`);
  else if (f.year) parts.push(sql`w.year = ${f.year}`);
  if (ids.studio !== undefined) parts.push(sql`exists (select 1 from work_studios ws where ws.work_id = w.id and ws.studio_id = ${ids.studio})`);
  if (ids.platform !== undefined) parts.push(sql`exists (select 1 from work_platforms wp where wp.work_id = w.id and wp.platform_id = ${ids.platform})`);
  // Half stars round to the nearest: "4 stars and up" is a rating of 75 or more (components.ts ratingToStars).
  if (f.min) parts.push(review ? sql`r.rating >= ${f.min * 20 - 5}` : sql`w.rating_count > 0 and w.rating_sum >= ${f.min * 20 - 5} * w.rating_count`);
  if (f.max) parts.push(review ? sql`r.rating < ${f.max * 20 + 5}` : sql`w.rating_count > 0 and w.rating_sum < ${f.max * 20 + 5} * w.rating_count`);
  return sql.join(parts, sql` and `);
}

const K1 = 1.2;
const B = 0.75;

/**
 * BM25's term part over one folded document: each query word's frequency, saturated and
 * normalised by the document's length against the candidates' average. Every candidate holds
 * every word, so the inverse document frequency would only weigh words against each other;
 * it is left out rather than paid for with a count over the whole index.
 */
function termScore(tf: number[], length: number, avgLength: number): number {
  const norm = K1 * (1 - B + (B * length) / Math.max(1, avgLength));
  return tf.reduce((sum, f) => sum + (f * (K1 + 1)) / (f + norm), 0);
}

const SPACE = 0x20;

/**
 * How often each of `words` is a word of `doc` (folded words joined by single spaces; the last
 * of `words` may be a word's start when `prefixLast`), and how many words `doc` has. Found by
 * searching the text rather than splitting it: splitting two hundred candidates into words
 * cost more than the rest of the ranking.
 */
export function termCounts(doc: string, words: string[], prefixLast: boolean): { tf: number[]; length: number } {
  let length = 1;
  for (let i = doc.indexOf(' '); i !== -1; i = doc.indexOf(' ', i + 1)) length++;
  const tf = words.map((word, i) => {
    const prefix = prefixLast && i === words.length - 1;
    let count = 0;
    for (let at = doc.indexOf(word); at !== -1; at = doc.indexOf(word, at + 1)) {
      const end = at + word.length;
      if ((at === 0 || doc.charCodeAt(at - 1) === SPACE) && (prefix || end === doc.length || doc.charCodeAt(end) === SPACE)) count++;
    }
    return count;
  });
  return { tf, length };
}

function rankDocuments<T extends { id: number }>(items: T[], docs: Map<number, string>, query: ParsedQuery, prefix: boolean, boost: (item: T) => number): (T & { score: number })[] {
  const counts = new Map(items.map((i) => [i.id, termCounts(docs.get(i.id) ?? '', query.words, prefix && query.prefix)]));
  const avg = items.length ? [...counts.values()].reduce((s, c) => s + c.length, 0) / items.length : 1;
  return items
    .map((item) => {
      const { tf, length } = counts.get(item.id)!;
      return { ...item, score: termScore(tf, length, avg) + boost(item) };
    })
    .sort((a, b) => b.score - a.score || b.id - a.id);
}

const wordsOf = (text: string) => foldWords(text).split(' ').filter(Boolean);

/** How well a title matches: the whole title, its start, or all the words anywhere in it. */
function titleBoost(titleKeys: string[], query: ParsedQuery): number {
  const phrase = query.words.join(' ');
  let best = 0;
  for (const key of titleKeys) {
    if (key === phrase) return 10;
    if (key.startsWith(phrase)) best = Math.max(best, 6);
    const words = key.split(' ');
    const last = query.words.length - 1;
    const all = query.words.every((w, i) => words.some((k) => k === w || (query.prefix && i === last && k.startsWith(w))));
    if (all) best = Math.max(best, 4);
  }
  return best;
}

export async function searchSite(db: Db, request: SearchRequest): Promise<SearchResults> {
  const query = parseQuery(request.q);
  const k = db.kysely;
  const index = searchIndexFor(db);
  const f = request.filters;
  const empty: SearchResults = {
    request,
    query,
    works: [],
    people: [],
    studios: [],
    reviews: [],
    facets: { kind: [], year: [], studio: [], platform: [], min: [] },
    filterNames: {},
    bounded: false,
  };
  if (query.words.length === 0) return empty;

  const [studioRow, platformRow] = await Promise.all([
    f.studio ? k.selectFrom('studios').select(['id', 'name']).where('slug', '=', f.studio).executeTakeFirst() : undefined,
    f.platform ? k.selectFrom('platforms').select(['id', 'name']).where('slug', '=', f.platform).executeTakeFirst() : undefined,
  ]);
  // A filter naming nothing that exists matches nothing.
  if ((f.studio && !studioRow) || (f.platform && !platformRow)) return { ...empty, filterNames: { studio: f.studio, platform: f.platform } };
  const ids = { studio: studioRow?.id, platform: platformRow?.id };
  const filtered = hasFilters(f);
  const workWhere = filterSql(f, ids, false);
  const reviewWhere = filterSql(f, ids, true);
  const phrase = query.words.join(' ');

  const workLimit = filtered ? LIMITS.worksFiltered : LIMITS.works;
  const reviewLimit = filtered ? LIMITS.reviewsFiltered : LIMITS.reviews;
  const titleRange = db.dialect === 'postgres' ? sql`wt.title_key collate "C" >= ${phrase} and wt.title_key collate "C" < ${`${phrase}\u{10ffff}`}` : sql`wt.title_key >= ${phrase} and wt.title_key < ${`${phrase}\u{10ffff}`}`;

  const [fewWorks, fewReviews] = await Promise.all([
    index.hasFewMatches(k, 'works', query, true, LIMITS.fewMatches),
    index.hasFewMatches(k, 'reviews', query, false, LIMITS.fewMatches),
  ]);
  const [workCandidates, titleHits, reviewCandidates, people, studios] = await Promise.all([
    sql<WorkFacts & { document: string }>`
      select w.id, w.kind, w.year, w.rating_count, w.rating_sum, c.document
      from (${index.newest('works', query, { limit: workLimit, prefix: true, document: true, few: fewWorks })}) c
      join works w on w.id = c.id where ${workWhere} order by w.id desc limit ${LIMITS.works}`.execute(k),
    sql<WorkFacts>`
      select distinct w.id, w.kind, w.year, w.rating_count, w.rating_sum
      from work_titles wt join works w on w.id = wt.work_id where ${titleRange} and ${workWhere} limit ${LIMITS.titleHits}`.execute(k),
    sql<WorkFacts & { reviewId: number; headline: string | null; reviewRating: number | null }>`
      select c.id as review_id, r.headline, r.rating as review_rating, w.id, w.kind, w.year, w.rating_count, w.rating_sum
      from (${index.newest('reviews', query, { limit: reviewLimit, prefix: false, few: fewReviews })}) c
      join reviews r on r.id = c.id join works w on w.id = r.work_id
      where r.status = 'published' and ${reviewWhere} order by c.id desc limit ${LIMITS.reviews}`.execute(k),
    matchNames(k, 'people', query),
    matchNames(k, 'studios', query),
  ]);

  // Works: bounded FTS candidates plus title hits, ranked by their documents and titles.
  const workFacts = new Map<number, WorkFacts & { document?: string }>();
  for (const w of [...titleHits.rows, ...workCandidates.rows]) if (!workFacts.has(w.id)) workFacts.set(w.id, w);
  const missingDocs = [...workFacts.values()].filter((w) => w.document === undefined).map((w) => w.id);
  const [extraDocs, titleRows] = await Promise.all([
    index.documents(k, 'works', missingDocs),
    workFacts.size ? sql<{ workId: number; titleKey: string }>`select work_id, title_key from work_titles where work_id in ${idList(db.dialect, [...workFacts.keys()])}`.execute(k).then((r) => r.rows) : [],
  ]);
  const titlesOf = new Map<number, string[]>();
  for (const t of titleRows) titlesOf.set(t.workId, [...(titlesOf.get(t.workId) ?? []), t.titleKey]);
  const workDocs = new Map([...workFacts.values()].map((w) => [w.id, w.document ?? extraDocs.get(w.id) ?? ''] as const));
  const rankedWorks = rankDocuments([...workFacts.values()], workDocs, query, true, (w) => titleBoost(titlesOf.get(w.id) ?? [], query) + Math.log1p(w.ratingCount) * 0.2);

  // Reviews: the bounded candidates' documents, ranked; a matching headline counts extra.
  const reviewItems = reviewCandidates.rows.map((r) => ({ ...r, workId: r.id, id: r.reviewId }));
  const reviewDocs = await index.documents(k, 'reviews', reviewItems.map((r) => r.id));
  const rankedReviews = rankDocuments(reviewItems, reviewDocs, query, false, (r) => {
    if (!r.headline) return 0;
    const headline = wordsOf(r.headline);
    return query.words.filter((w) => headline.includes(w)).length;
  });

  const shownWorks = rankedWorks.slice(0, LIMITS.shownWorks);
  const shownReviewIds = rankedReviews.slice(0, LIMITS.shownReviews).map((r) => r.id);
  const facetWorkIds = [...new Set([...workFacts.keys(), ...reviewItems.map((r) => r.workId)])];
  const [works, views, links] = await Promise.all([
    loadWorkResults(db, shownWorks.map((w) => w.id), query),
    findReviewViews(k, shownReviewIds),
    loadLinks(db, facetWorkIds),
  ]);

  const reviews: ReviewResult[] = views.map((v) => ({
    id: v.id,
    headline: v.headline,
    workSlug: v.workSlug,
    workTitle: v.workTitle,
    authorSlug: v.authorSlug,
    authorName: v.authorName,
    publishedAt: v.publishedAt,
    scoreValue: v.scoreValue,
    scoreMax: v.scoreMax,
    rating: v.rating,
    hasSpoilers: v.hasSpoilers,
    // plainExcerpt drops spoiler passages before anything else; the snippet only cuts that text.
    snippet: snippet(plainExcerpt(v.body, Number.MAX_SAFE_INTEGER), query, 260),
  }));

  // Facets count results (works and reviews) by their work's facts, over the candidates.
  const items: { work: WorkFacts; rating: number | null }[] = [
    ...[...workFacts.values()].map((w) => ({ work: w, rating: w.ratingCount ? w.ratingSum / w.ratingCount : null })),
    ...reviewItems.map((r) => ({ work: { ...r, id: r.workId }, rating: r.reviewRating })),
  ];
  const facets = countFacets(items, links, f);

  return {
    request,
    query,
    works,
    people,
    studios,
    reviews,
    facets,
    filterNames: { studio: studioRow?.name, platform: platformRow?.name },
    bounded: workCandidates.rows.length >= LIMITS.works || reviewCandidates.rows.length >= LIMITS.reviews,
  };
}

/**
 * People or studios whose folded name holds every query word as one of its words. A scan of
 * the name keys: 30,000 people take a few milliseconds, less than keeping another index in
 * step with every import.
 */
async function matchNames(k: Db_, table: 'people' | 'studios', query: ParsedQuery): Promise<NameResult[]> {
  // The longest word is the most selective; the scan finds it anywhere, the check below at word starts.
  const longest = [...query.words].sort((a, b) => b.length - a.length)[0]!;
  const { rows } = await sql<NameResult & { nameKey: string }>`select name, slug, name_key from ${sql.table(table)}
    where name_key like ${`%${longest.replace(/[\\%_]/g, (c) => `\\${c}`)}%`} escape '\\' limit 500`.execute(k);
  const last = query.words.length - 1;
  return rows
    .filter((r) => {
      const words = r.nameKey.split(' ');
      // Whole words, except the last one while it is still being typed.
      return query.words.every((w, i) => words.some((n) => n === w || (query.prefix && i === last && n.startsWith(w))));
    })
    .sort((a, b) => a.nameKey.length - b.nameKey.length || (a.nameKey < b.nameKey ? -1 : 1))
    .slice(0, LIMITS.shownNames)
    .map(({ name, slug }) => ({ name, slug }));
}

async function loadWorkResults(db: Db, ids: number[], query: ParsedQuery): Promise<WorkResult[]> {
  if (ids.length === 0) return [];
  const k = db.kysely;
  const list = idList(db.dialect, ids);
  const [works, titles, credits, studios] = await Promise.all([
    sql<Omit<WorkResult, 'matchedTitles' | 'matchedNames'>>`select id, slug, title, kind, year, rating_count, rating_sum, review_count from works where id in ${list}`.execute(k),
    sql<{ workId: number; title: string }>`select work_id, title from work_titles where work_id in ${list} and position > 0 order by work_id, position`.execute(k),
    sql<{ workId: number; role: string; name: string; slug: string }>`select c.work_id, c.role, p.name, p.slug from credits c join people p on p.id = c.person_id where c.work_id in ${list} order by c.work_id, c.position`.execute(k),
    sql<{ workId: number; name: string; slug: string }>`select ws.work_id, s.name, s.slug from work_studios ws join studios s on s.id = ws.studio_id where ws.work_id in ${list} order by ws.work_id, ws.position`.execute(k),
  ]).then((results) => results.map((r) => r.rows) as [Omit<WorkResult, 'matchedTitles' | 'matchedNames'>[], { workId: number; title: string }[], { workId: number; role: string; name: string; slug: string }[], { workId: number; name: string; slug: string }[]]);
  const matches = (text: string) => [...text.matchAll(/[\p{L}\p{N}\p{M}]+/gu)].some((m) => runMatches(m[0], query, true));
  const byId = new Map(works.map((w) => [w.id, { ...w, matchedTitles: [] as string[], matchedNames: [] as WorkResult['matchedNames'] }]));
  for (const t of titles) if (matches(t.title)) byId.get(t.workId)?.matchedTitles.push(t.title);
  for (const c of credits) if (matches(c.name)) byId.get(c.workId)?.matchedNames.push({ label: c.role, name: c.name, href: 'person', slug: c.slug });
  for (const s of studios) if (matches(s.name)) byId.get(s.workId)?.matchedNames.push({ label: 'studio', name: s.name, href: 'studio', slug: s.slug });
  return ids.map((id) => byId.get(id)).filter((w): w is WorkResult => w !== undefined);
}

interface Links {
  studios: Map<number, { slug: string; name: string }[]>;
  platforms: Map<number, { slug: string; name: string }[]>;
}

async function loadLinks(db: Db, workIds: number[]): Promise<Links> {
  const links: Links = { studios: new Map(), platforms: new Map() };
  if (workIds.length === 0) return links;
  const list = idList(db.dialect, workIds);
  const [studios, platforms] = await Promise.all([
    sql<{ workId: number; slug: string; name: string }>`select ws.work_id, s.slug, s.name from work_studios ws join studios s on s.id = ws.studio_id where ws.work_id in ${list}`.execute(db.kysely),
    sql<{ workId: number; slug: string; name: string }>`select wp.work_id, p.slug, p.name from work_platforms wp join platforms p on p.id = wp.platform_id where wp.work_id in ${list}`.execute(db.kysely),
  ]);
  for (const [rows, map] of [
    [studios.rows, links.studios],
    [platforms.rows, links.platforms],
  ] as const) {
    for (const r of rows) map.set(r.workId, [...(map.get(r.workId) ?? []), { slug: r.slug, name: r.name }]);
  }
  return links;
}

function countFacets(items: { work: WorkFacts; rating: number | null }[], links: Links, f: SearchFilters): Facets {
  const counter = () => new Map<string, FacetValue>();
  const kind = counter();
  const year = counter();
  const studio = counter();
  const platform = counter();
  const bump = (map: Map<string, FacetValue>, value: string, label: string) => {
    const v = map.get(value);
    if (v) v.count++;
    else map.set(value, { value, label, count: 1 });
  };
  const min = [4, 3, 2, 1].map((stars) => ({ value: String(stars), label: `${stars}★ and up`, count: 0 }));
  for (const { work, rating } of items) {
    if (work.kind) bump(kind, work.kind, KIND_LABELS[work.kind as keyof typeof KIND_LABELS] ?? work.kind);
    // Decades first; within a chosen decade, its years.
    if (work.year !== null && f.decade) bump(year, String(work.year), String(work.year));
    else if (work.year !== null) bump(year, `${work.year - (work.year % 10)}s`, `${work.year - (work.year % 10)}s`);
    for (const s of links.studios.get(work.id) ?? []) bump(studio, s.slug, s.name);
    for (const p of links.platforms.get(work.id) ?? []) bump(platform, p.slug, p.name);
    if (rating !== null) for (const m of min) if (rating >= Number(m.value) * 20 - 5) m.count++;
  }
  const top = (map: Map<string, FacetValue>, n = Infinity) => [...map.values()].sort((a, b) => b.count - a.count || a.label.localeCompare(b.label)).slice(0, n);
  return {
    kind: top(kind),
    year: [...year.values()].sort((a, b) => b.value.localeCompare(a.value)),
    studio: top(studio, LIMITS.facetValues),
    platform: top(platform, LIMITS.facetValues),
    min: min.filter((m) => m.count > 0),
  };
}
