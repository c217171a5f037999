/**
 * Every query about works: the row, its titles, external ids, credits, studios,
 * platforms and tags, and the aggregate columns the pages show.
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database, WorkRow } from '../db/schema.js';
import { prepared } from '../db/prepared.js';
import { MERGEABLE } from './names.repository.js';

type Executor = Kysely<Database> | Transaction<Database>;

export interface WorkDetail {
  id: number;
  slug: string;
  title: string;
  altTitles: { title: string; type: string }[];
  kind: string | null;
  year: number | null;
  synopsis: string | null;
  episodes: number | null;
  credits: { role: string; name: string; slug: string }[];
  studios: { name: string; slug: string }[];
  platforms: { name: string; slug: string }[];
  tags: { name: string; slug: string }[];
  externalIds: Record<string, string>;
  reviewCount: number;
  ratingCount: number;
  ratingSum: number;
  ratingHistogram: number[];
  createdAt: string;
  updatedAt: string;
}

export async function findWorkBySlug(db: Executor, slug: string): Promise<WorkRow | undefined> {
  return db.selectFrom('works').selectAll().where('slug', '=', slug).executeTakeFirst();
}

export async function findWorkById(db: Executor, id: number): Promise<WorkRow | undefined> {
  return db.selectFrom('works').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function isWorkSlugTaken(db: Executor, slug: string): Promise<boolean> {
  return Boolean(await db.selectFrom('works').select('id').where('slug', '=', slug).executeTakeFirst());
}

export async function findWorkIdByExternalId(db: Executor, source: string, externalId: string): Promise<number | undefined> {
  const row = await db
    .selectFrom('workExternalIds')
    .select('workId')
    .where('source', '=', source)
    .where('externalId', '=', externalId)
    .executeTakeFirst();
  return row?.workId;
}

/** Works having `titleKey` as their title or one of their alternative titles. */
export async function findWorksByTitleKey(db: Executor, titleKey: string): Promise<{ id: number; year: number | null; kind: string | null }[]> {
  return db
    .selectFrom('workTitles')
    .innerJoin('works', 'works.id', 'workTitles.workId')
    .select(['works.id', 'works.year', 'works.kind'])
    .where('workTitles.titleKey', '=', titleKey)
    .distinct()
    .orderBy('works.id')
    .execute();
}

export async function insertWork(
  db: Executor,
  values: { id?: number; slug: string; title: string; kind: string | null; year: number | null; synopsis: string | null; createdAt: string; updatedAt: string },
): Promise<number> {
  const { id } = await db.insertInto('works').values(values).returning('id').executeTakeFirstOrThrow();
  return id;
}

export async function updateWork(
  db: Executor,
  id: number,
  patch: Partial<Pick<WorkRow, 'title' | 'kind' | 'year' | 'synopsis' | 'episodes' | 'updatedAt'>>,
): Promise<void> {
  await db.updateTable('works').set(patch).where('id', '=', id).execute();
}

export async function insertTitles(db: Executor, workId: number, titles: { title: string; type: string; titleKey: string; position: number }[]) {
  if (titles.length) await db.insertInto('workTitles').values(titles.map((t) => ({ workId, ...t }))).execute();
}

export async function insertExternalIds(db: Executor, workId: number, ids: { source: string; externalId: string }[]) {
  if (ids.length) await db.insertInto('workExternalIds').values(ids.map((e) => ({ workId, ...e }))).execute();
}

export async function insertCredits(db: Executor, workId: number, credits: { personId: number; role: string; position: number }[]) {
  if (credits.length) await db.insertInto('credits').values(credits.map((c) => ({ workId, ...c }))).execute();
}

export async function insertWorkLinks(
  db: Executor,
  table: 'workStudios' | 'workPlatforms' | 'workTags',
  workId: number,
  ids: { id: number; position: number }[],
) {
  if (!ids.length) return;
  if (table === 'workStudios') await db.insertInto(table).values(ids.map((l) => ({ workId, studioId: l.id, position: l.position }))).execute();
  if (table === 'workPlatforms') await db.insertInto(table).values(ids.map((l) => ({ workId, platformId: l.id, position: l.position }))).execute();
  if (table === 'workTags') await db.insertInto(table).values(ids.map((l) => ({ workId, tagId: l.id, position: l.position }))).execute();
}

/**
 * Rewrites the aggregate columns of works from their published reviews, in one statement.
 * Called in the same transaction as every review write, so pages read a count, a sum and a
 * histogram without aggregating on each view. Recomputing (rather than adding and
 * subtracting) keeps the columns right even after an edit that moves a review between
 * works or states. Buckets are half stars: rating 0–10 → 0.5★, 11–20 → 1★ … 91–100 → 5★.
 */
export async function refreshWorkAggregates(db: Executor, workIds: number[]): Promise<void> {
  for (let i = 0; i < workIds.length; i += 500) {
    const chunk = workIds.slice(i, i + 500);
    // One pass over each work's reviews (a correlated subquery per column made four).
    await sql`update works set (review_count, rating_count, rating_sum, rating_histogram) = (
        ${aggregatesSelect} from reviews r where r.work_id = works.id and r.status = 'published')
      where id in (${sql.join(chunk)})`.execute(db);
  }
}

/** Whole works, in the order of `ids`, with everything a page or the API shows. */
export async function loadWorkDetails(db: Executor, ids: number[]): Promise<WorkDetail[]> {
  if (ids.length === 0) return [];
  const parts = await Promise.all([
    db.selectFrom('works').selectAll().where('id', 'in', ids).execute(),
    db.selectFrom('workTitles').selectAll().where('workId', 'in', ids).where('position', '>', 0).orderBy('workId').orderBy('position').execute(),
    db.selectFrom('workExternalIds').selectAll().where('workId', 'in', ids).orderBy('workId').orderBy('source').execute(),
    db
      .selectFrom('credits')
      .innerJoin('people', 'people.id', 'credits.personId')
      .select(['credits.workId', 'credits.role', 'people.name', 'people.slug'])
      .where('credits.workId', 'in', ids)
      .orderBy('credits.workId')
      .orderBy('credits.position')
      .execute(),
    db
      .selectFrom('workStudios')
      .innerJoin('studios', 'studios.id', 'workStudios.studioId')
      .select(['workStudios.workId', 'studios.name', 'studios.slug'])
      .where('workStudios.workId', 'in', ids)
      .orderBy('workStudios.workId')
      .orderBy('workStudios.position')
      .execute(),
    db
      .selectFrom('workPlatforms')
      .innerJoin('platforms', 'platforms.id', 'workPlatforms.platformId')
      .select(['workPlatforms.workId', 'platforms.name', 'platforms.slug'])
      .where('workPlatforms.workId', 'in', ids)
      .orderBy('workPlatforms.workId')
      .orderBy('workPlatforms.position')
      .execute(),
    db
      .selectFrom('workTags')
      .innerJoin('tags', 'tags.id', 'workTags.tagId')
      .select(['workTags.workId', 'tags.name', 'tags.slug'])
      .where('workTags.workId', 'in', ids)
      .orderBy('workTags.workId')
      .orderBy('workTags.position')
      .execute(),
  ]);
  return assembleWorkDetails(ids, ...parts);
}

// One work, for its page and the review page: its row, and everything listed about it in one
// UNION ALL (titles, ids, credits, studios, platforms, tags; a part number says which), both
// compiled once (see db/prepared.ts). Seven statements had cost ~74 µs a page, mostly in the
// per-statement overhead rather than the lookups.
const workById = prepared<WorkRow, [number]>((db) => db.selectFrom('works').selectAll().where('id', '=', 0));

const PART = { title: 1, externalId: 2, credit: 3, studio: 4, platform: 5, tag: 6 } as const;
type WorkListRow = { part: number; pos: number; a: string | null; b: string; c: string | null };

const workListsById = prepared<WorkListRow, number[]>((db) => ({
  compile: () =>
    sql<WorkListRow>`
      select ${sql.lit(PART.title)} as part, position as pos, type as a, title as b, cast(null as text) as c
        from work_titles where work_id = ${0} and position > 0
      union all
      select ${sql.lit(PART.externalId)}, 0, source, external_id, cast(null as text)
        from work_external_ids where work_id = ${0}
      union all
      select ${sql.lit(PART.credit)}, c.position, c.role, p.name, p.slug
        from credits c join people p on p.id = c.person_id where c.work_id = ${0}
      union all
      select ${sql.lit(PART.studio)}, ws.position, cast(null as text), s.name, s.slug
        from work_studios ws join studios s on s.id = ws.studio_id where ws.work_id = ${0}
      union all
      select ${sql.lit(PART.platform)}, wp.position, cast(null as text), p.name, p.slug
        from work_platforms wp join platforms p on p.id = wp.platform_id where wp.work_id = ${0}
      union all
      select ${sql.lit(PART.tag)}, wt.position, cast(null as text), t.name, t.slug
        from work_tags wt join tags t on t.id = wt.tag_id where wt.work_id = ${0}
      order by 1, 2, 3`.compile(db),
}));

/** A `workListsById` row as `works.lists_json` stores it: `[part, pos, a, b, c]`. */
type StoredListRow = [part: number, pos: number, a: string | null, b: string, c: string | null];

/** The lists of one work, read from the tables themselves, in the shape `works.lists_json` stores. */
async function readWorkLists(db: Executor, id: number): Promise<StoredListRow[]> {
  const rows = await workListsById(db, id, id, id, id, id, id);
  return rows.map((r) => [r.part, r.pos, r.a, r.b, r.c]);
}

/**
 * One whole work by id (outside transactions), as `loadWorkDetails` gives it. The lists come
 * from the row's `lists_json` when it is there (one row read), from the tables when a change
 * has cleared it.
 */
export async function loadWorkDetail(db: Kysely<Database>, id: number): Promise<WorkDetail | undefined> {
  const works = await workById(db, id);
  const stored = works[0]?.listsJson;
  let lists: StoredListRow[];
  if (stored) lists = JSON.parse(stored) as StoredListRow[];
  else if (works.length === 0) return undefined;
  else lists = await readWorkLists(db, id);
  const titles: WorkTitleRow[] = [];
  const externalIds: { workId: number; source: string; externalId: string }[] = [];
  const credits: (LinkedName & { role: string })[] = [];
  const studios: LinkedName[] = [];
  const platforms: LinkedName[] = [];
  const tags: LinkedName[] = [];
  for (const [part, pos, a, b, c] of lists) {
    if (part === PART.title) titles.push({ workId: id, position: pos, title: b, type: a!, titleKey: '' });
    else if (part === PART.externalId) externalIds.push({ workId: id, source: a!, externalId: b });
    else if (part === PART.credit) credits.push({ workId: id, role: a!, name: b, slug: c! });
    else if (part === PART.studio) studios.push({ workId: id, name: b, slug: c! });
    else if (part === PART.platform) platforms.push({ workId: id, name: b, slug: c! });
    else tags.push({ workId: id, name: b, slug: c! });
  }
  return assembleWorkDetails([id], works, titles, externalIds, credits, studios, platforms, tags)[0];
}

/** Up to `limit` ids of works whose `lists_json` a change has cleared, from `afterId` up. */
export async function listWorksWithoutStoredLists(db: Executor, afterId: number, limit: number): Promise<number[]> {
  const rows = await db.selectFrom('works').select('id').where('listsJson', 'is', null).where('id', '>', afterId).orderBy('id').limit(limit).execute();
  return rows.map((r) => r.id);
}

/**
 * Stores the lists of these works in `lists_json`, read inside `trx`. The caller's transaction
 * must fail rather than store lists another writer changed meanwhile (SQLite's snapshot does;
 * PostgreSQL needs repeatable read): a trigger that cleared the column after this read would
 * otherwise be undone.
 */
export async function storeWorkLists(trx: Transaction<Database>, ids: number[]): Promise<void> {
  for (const id of ids) {
    const json = JSON.stringify(await readWorkLists(trx, id));
    await trx.updateTable('works').set({ listsJson: json }).where('id', '=', id).where('listsJson', 'is', null).execute();
  }
}

interface LinkedName {
  workId: number;
  name: string;
  slug: string;
}
type WorkTitleRow = { workId: number; position: number; title: string; type: string; titleKey: string };

function assembleWorkDetails(
  ids: number[],
  works: WorkRow[],
  titles: WorkTitleRow[],
  externalIds: { workId: number; source: string; externalId: string }[],
  credits: (LinkedName & { role: string })[],
  studios: LinkedName[],
  platforms: LinkedName[],
  tags: LinkedName[],
): WorkDetail[] {
  const byId = new Map<number, WorkDetail>();
  for (const w of works) {
    byId.set(w.id, {
      id: w.id,
      slug: w.slug,
      title: w.title,
      altTitles: [],
      kind: w.kind,
      year: w.year,
      synopsis: w.synopsis,
      episodes: w.episodes,
      credits: [],
      studios: [],
      platforms: [],
      tags: [],
      externalIds: {},
      reviewCount: w.reviewCount,
      ratingCount: w.ratingCount,
      ratingSum: w.ratingSum,
      ratingHistogram: JSON.parse(w.ratingHistogram) as number[],
      createdAt: w.createdAt,
      updatedAt: w.updatedAt,
    });
  }
  for (const t of titles) byId.get(t.workId)?.altTitles.push({ title: t.title, type: t.type });
  for (const e of externalIds) {
    const work = byId.get(e.workId);
    if (work) work.externalIds[e.source] = e.externalId;
  }
  for (const c of credits) byId.get(c.workId)?.credits.push({ role: c.role, name: c.name, slug: c.slug });
  for (const s of studios) byId.get(s.workId)?.studios.push({ name: s.name, slug: s.slug });
  for (const p of platforms) byId.get(p.workId)?.platforms.push({ name: p.name, slug: p.slug });
  for (const t of tags) byId.get(t.workId)?.tags.push({ name: t.name, slug: t.slug });
  return ids.map((id) => byId.get(id)).filter((w): w is WorkDetail => w !== undefined);
}

/** Work ids in id order after `afterId`, for listings and exports. */
export async function listWorkIds(db: Executor, afterId: number, limit: number): Promise<number[]> {
  const rows = await db.selectFrom('works').select('id').where('id', '>', afterId).orderBy('id').limit(limit).execute();
  return rows.map((r) => r.id);
}

/** All titles and people names of a work, for its search document. */
export async function loadWorkSearchParts(db: Executor, workId: number): Promise<string[]> {
  const [titles, people, studios] = await Promise.all([
    db.selectFrom('workTitles').select('title').where('workId', '=', workId).execute(),
    db.selectFrom('credits').innerJoin('people', 'people.id', 'credits.personId').select('people.name').where('credits.workId', '=', workId).execute(),
    db.selectFrom('workStudios').innerJoin('studios', 'studios.id', 'workStudios.studioId').select('studios.name').where('workStudios.workId', '=', workId).execute(),
  ]);
  return [...titles.map((t) => t.title), ...people.map((p) => p.name), ...studios.map((s) => s.name)];
}

/** Removes a work's titles, ids, credits and links, before a restore writes them anew. */
export async function deleteWorkDetails(db: Executor, workId: number): Promise<void> {
  for (const table of ['workTitles', 'workExternalIds', 'credits', 'workStudios', 'workPlatforms', 'workTags'] as const) {
    await db.deleteFrom(table).where('workId', '=', workId).execute();
  }
}

// The work page's first query: compiled once, it is a unique-index point lookup.
const workIdBySlug = prepared<{ id: number }, [string]>((db) => db.selectFrom('works').select('id').where('slug', '=', ''));

/** The id of the work with `slug`, for pages that then load its details. */
export async function findWorkIdBySlug(db: Kysely<Database>, slug: string): Promise<number | undefined> {
  return (await workIdBySlug(db, slug))[0]?.id;
}

// ── Compiled statements for bulk writers (the review-file import) ────────────────────────
// Run inside a write transaction through db/compiled.ts: built and compiled once, not per file.

import { compiled, compiledRows, inChunks, type WriteContext } from '../db/compiled.js';
import type { NamedEntity } from '../db/schema.js';

/** A work as an import needs it to match, report and index a review. */
export interface WorkKey {
  id: number;
  slug: string;
  title: string;
  year: number | null;
}

const workKeysByTitleKey = compiled<WorkKey, [titleKey: string]>((db) =>
  db
    .selectFrom('workTitles')
    .innerJoin('works', 'works.id', 'workTitles.workId')
    .select(['works.id', 'works.slug', 'works.title', 'works.year'])
    .where('workTitles.titleKey', '=', '')
    .distinct()
    .orderBy('works.id'),
);

/** Works having `titleKey` as their title or one of their alternative titles, in id order. */
export function findWorkKeysByTitleKey(w: WriteContext, titleKey: string): Promise<WorkKey[]> {
  return workKeysByTitleKey.all(w, titleKey);
}

const workKeyByExternalId = compiled<WorkKey, [source: string, externalId: string]>((db) =>
  db
    .selectFrom('workExternalIds')
    .innerJoin('works', 'works.id', 'workExternalIds.workId')
    .select(['works.id', 'works.slug', 'works.title', 'works.year'])
    .where('workExternalIds.source', '=', '')
    .where('workExternalIds.externalId', '=', ''),
);

export function findWorkKeyByExternalId(w: WriteContext, source: string, externalId: string): Promise<WorkKey | undefined> {
  return workKeyByExternalId.first(w, source, externalId);
}

const workSlugTaken = compiled<{ id: number }, [slug: string]>((db) => db.selectFrom('works').select('id').where('slug', '=', ''));

export async function isWorkSlugTakenIn(w: WriteContext, slug: string): Promise<boolean> {
  return (await workSlugTaken.first(w, slug)) !== undefined;
}

const workInsert = compiled<{ id: number }, [string, string, string | null, number | null, string | null, number | null, string, string]>((db) =>
  db
    .insertInto('works')
    .values({ slug: '', title: '', kind: '', year: 0, synopsis: '', episodes: 0, createdAt: '', updatedAt: '' })
    .returning('id'),
);

export async function insertWorkIn(
  w: WriteContext,
  v: { slug: string; title: string; kind: string | null; year: number | null; synopsis: string | null; episodes: number | null; createdAt: string; updatedAt: string },
): Promise<number> {
  const row = await workInsert.first(w, v.slug, v.title, v.kind, v.year, v.synopsis, v.episodes, v.createdAt, v.updatedAt);
  return row!.id;
}

const externalIdsOfWork = compiled<{ source: string; externalId: string }, [workId: number]>((db) =>
  db.selectFrom('workExternalIds').select(['source', 'externalId']).where('workId', '=', 0),
);

export function findExternalIdsOfWorkIn(w: WriteContext, workId: number): Promise<{ source: string; externalId: string }[]> {
  return externalIdsOfWork.all(w, workId);
}

const titleRows = compiledRows((db, n) =>
  db.insertInto('workTitles').values(Array.from({ length: n }, () => ({ workId: 0, title: '', type: '', titleKey: '', position: 0 }))),
);

export async function insertTitlesIn(w: WriteContext, workId: number, titles: { title: string; type: string; titleKey: string; position: number }[]): Promise<void> {
  if (titles.length) await titleRows(titles.length).all(w, ...titles.flatMap((t) => [workId, t.title, t.type, t.titleKey, t.position]));
}

const externalIdRows = compiledRows((db, n) => db.insertInto('workExternalIds').values(Array.from({ length: n }, () => ({ workId: 0, source: '', externalId: '' }))));

export async function insertExternalIdsIn(w: WriteContext, workId: number, ids: { source: string; externalId: string }[]): Promise<void> {
  if (ids.length) await externalIdRows(ids.length).all(w, ...ids.flatMap((e) => [workId, e.source, e.externalId]));
}

const creditRows = compiledRows((db, n) => db.insertInto('credits').values(Array.from({ length: n }, () => ({ workId: 0, personId: 0, role: '', position: 0 }))));

export async function insertCreditsIn(w: WriteContext, workId: number, credits: { personId: number; role: string; position: number }[]): Promise<void> {
  if (credits.length) await creditRows(credits.length).all(w, ...credits.flatMap((c) => [workId, c.personId, c.role, c.position]));
}

const linkRows = {
  workStudios: compiledRows((db, n) => db.insertInto('workStudios').values(Array.from({ length: n }, () => ({ workId: 0, studioId: 0, position: 0 })))),
  workPlatforms: compiledRows((db, n) => db.insertInto('workPlatforms').values(Array.from({ length: n }, () => ({ workId: 0, platformId: 0, position: 0 })))),
  workTags: compiledRows((db, n) => db.insertInto('workTags').values(Array.from({ length: n }, () => ({ workId: 0, tagId: 0, position: 0 })))),
};

export async function insertWorkLinksIn(
  w: WriteContext,
  table: 'workStudios' | 'workPlatforms' | 'workTags',
  workId: number,
  links: { id: number; position: number }[],
): Promise<void> {
  if (links.length) await linkRows[table](links.length).all(w, ...links.flatMap((l) => [workId, l.id, l.position]));
}

const namedTables: NamedEntity[] = ['people', 'studios', 'platforms', 'tags', 'authors'];
const perNamedTable = <S>(make: (table: NamedEntity) => S) => Object.fromEntries(namedTables.map((t) => [t, make(t)])) as Record<NamedEntity, S>;

const namedByKey = perNamedTable((table) =>
  compiled<{ id: number; slug: string; name: string }, [key: string]>((db) => db.selectFrom(table).select(['id', 'slug', 'name']).where('nameKey', '=', '')),
);
const namedSlugTaken = perNamedTable((table) => compiled<{ id: number }, [slug: string]>((db) => db.selectFrom(table).select('id').where('slug', '=', '')));
const namedInsert = perNamedTable((table) =>
  compiled<{ id: number }, [slug: string, name: string, key: string, createdAt: string]>((db) =>
    db.insertInto(table).values({ slug: '', name: '', nameKey: '', createdAt: '' }).returning('id'),
  ),
);

// The survivor of a merged-away person, studio or platform of that folded name (names.repository.ts).
const survivorByKey = perNamedTable((table) =>
  compiled<{ id: number; slug: string; name: string }, [key: string]>((db) =>
    db
      .selectFrom(table)
      .select(['id', 'slug', 'name'])
      .where('id', 'in', db.selectFrom('nameRedirects').select('nameId').where('entity', '=', sql.lit(table as 'people')).where('nameKey', '=', '')),
  ),
);

/**
 * The person, studio, platform, tag or author whose folded name is `key`; for a person, studio
 * or platform, else the survivor of a merged-away one of that name (see `findNamedByKey`).
 */
export async function findNamedByKeyIn(w: WriteContext, table: NamedEntity, key: string): Promise<{ id: number; slug: string; name: string } | undefined> {
  const own = await namedByKey[table].first(w, key);
  if (own || !MERGEABLE.has(table)) return own;
  return survivorByKey[table].first(w, key);
}

export async function isNamedSlugTakenIn(w: WriteContext, table: NamedEntity, slug: string): Promise<boolean> {
  return (await namedSlugTaken[table].first(w, slug)) !== undefined;
}

export async function insertNamedIn(w: WriteContext, table: NamedEntity, v: { slug: string; name: string; nameKey: string; createdAt: string }): Promise<number> {
  return (await namedInsert[table].first(w, v.slug, v.name, v.nameKey, v.createdAt))!.id;
}

// What `refreshWorkAggregates` writes: the count, rating count, sum and half-star histogram
// of a work's published reviews (`r`), in one pass over them.
const histogramBucket = (k: number) =>
  sql<string>`cast(coalesce(sum(case when r.rating ${k === 0 ? sql`<= 10` : sql`> ${sql.lit(k * 10)} and r.rating <= ${sql.lit(k * 10 + 10)}`} then 1 else 0 end), 0) as text)`;
const aggregatesSelect = sql`select count(*), count(r.rating), coalesce(sum(r.rating), 0), '[' || ${sql.join(
  Array.from({ length: 10 }, (_, k) => histogramBucket(k)),
  sql` || ',' || `,
)} || ']'`;

const aggregatesOfWork = compiled<never, [workId: number, workId: number]>((db) => ({
  compile: () =>
    sql`update works set (review_count, rating_count, rating_sum, rating_histogram) = (
        ${aggregatesSelect} from reviews r where r.work_id = ${0} and r.status = 'published')
      where id = ${0}`.compile(db) as never,
}));

/** `refreshWorkAggregates` for one work, as a compiled statement. */
export async function refreshWorkAggregatesIn(w: WriteContext, workId: number): Promise<void> {
  await aggregatesOfWork.all(w, workId, workId);
}

/** Deletes a work with its titles, ids, credits, links and list entries (foreign keys cascade). */
export async function deleteWork(db: Executor, workId: number): Promise<void> {
  await db.deleteFrom('works').where('id', '=', workId).execute();
}

/** Of the given external ids (`source\0id`), title keys and slugs, those some work already has. */
export async function findTakenWorkKeysIn(
  w: WriteContext,
  keys: { externalIds: string[]; titleKeys: string[]; slugs: string[] },
): Promise<{ externalIds: Set<string>; titleKeys: Set<string>; slugs: Set<string> }> {
  // By source, so that each lookup walks the (source, external_id) key.
  const bySource = new Map<string, string[]>();
  for (const key of keys.externalIds) {
    const [source, id] = key.split('\u0000') as [string, string];
    bySource.set(source, [...(bySource.get(source) ?? []), id]);
  }
  const takenIds: string[] = [];
  for (const [source, ids] of bySource) {
    const rows = await inChunks(ids, (chunk) => w.trx.selectFrom('workExternalIds').select('externalId').where('source', '=', source).where('externalId', 'in', chunk).execute());
    takenIds.push(...rows.map((r) => `${source}\u0000${r.externalId}`));
  }
  const takenTitles = await inChunks(keys.titleKeys, async (chunk) =>
    (await w.trx.selectFrom('workTitles').select('titleKey').where('titleKey', 'in', chunk).execute()).map((r) => r.titleKey),
  );
  const takenSlugs = await inChunks(keys.slugs, async (chunk) => (await w.trx.selectFrom('works').select('slug').where('slug', 'in', chunk).execute()).map((r) => r.slug));
  return { externalIds: new Set(takenIds), titleKeys: new Set(takenTitles), slugs: new Set(takenSlugs) };
}

const workRows = compiledRows((db, n) =>
  db
    .insertInto('works')
    .values(Array.from({ length: n }, () => ({ slug: '', title: '', kind: '', year: 0, synopsis: '', episodes: 0, createdAt: '', updatedAt: '' })))
    .returning(['id', 'slug']),
);

export type WorkInsert = Parameters<typeof insertWorkIn>[1];

/** Inserts new works (slugs free and distinct); their ids by slug. */
export async function insertWorksIn(w: WriteContext, rows: WorkInsert[]): Promise<Map<string, number>> {
  const inserted = await inChunks(rows, (chunk) =>
    workRows(chunk.length).all(w, ...chunk.flatMap((v) => [v.slug, v.title, v.kind, v.year, v.synopsis, v.episodes, v.createdAt, v.updatedAt])) as Promise<{ id: number; slug: string }[]>,
  );
  return new Map(inserted.map((r) => [r.slug, r.id]));
}

/** Titles of several works at once (`insertTitlesIn` for a batch). */
export async function insertTitlesOfWorksIn(w: WriteContext, rows: { workId: number; title: string; type: string; titleKey: string; position: number }[]): Promise<void> {
  await inChunks(rows, (chunk) => titleRows(chunk.length).all(w, ...chunk.flatMap((t) => [t.workId, t.title, t.type, t.titleKey, t.position])));
}

/** External ids of several works at once (`insertExternalIdsIn` for a batch). */
export async function insertExternalIdsOfWorksIn(w: WriteContext, rows: { workId: number; source: string; externalId: string }[]): Promise<void> {
  await inChunks(rows, (chunk) => externalIdRows(chunk.length).all(w, ...chunk.flatMap((e) => [e.workId, e.source, e.externalId])));
}

/** Credits of several works at once (`insertCreditsIn` for a batch). */
export async function insertCreditsOfWorksIn(w: WriteContext, rows: { workId: number; personId: number; role: string; position: number }[]): Promise<void> {
  await inChunks(rows, (chunk) => creditRows(chunk.length).all(w, ...chunk.flatMap((c) => [c.workId, c.personId, c.role, c.position])));
}

/** Studios, platforms or tags of several works at once (`insertWorkLinksIn` for a batch). */
export async function insertWorkLinksOfWorksIn(
  w: WriteContext,
  table: 'workStudios' | 'workPlatforms' | 'workTags',
  rows: { workId: number; id: number; position: number }[],
): Promise<void> {
  await inChunks(rows, (chunk) => linkRows[table](chunk.length).all(w, ...chunk.flatMap((l) => [l.workId, l.id, l.position])));
}

// ── Merging a duplicate work into another (works/merge.service.ts) ───────────────────────
// Everything of the duplicate moves to the survivor in set-based statements; what would
// collide with the survivor's own (a credit, link, title, external id or list entry it already
// has) stays behind and goes when the duplicate's row is deleted.

/** Locks the works' rows (PostgreSQL) so that nothing is added to them while they merge. */
export async function lockWorks(db: Executor, ids: number[], dialect: 'sqlite' | 'postgres'): Promise<void> {
  // SQLite has one writer at a time: the transaction already holds it.
  if (dialect === 'postgres' && ids.length) await db.selectFrom('works').select('id').where('id', 'in', ids).orderBy('id').forUpdate().execute();
}

/** A work's titles with their keys and positions, main title (position 0) first. */
export function listWorkTitleRows(db: Executor, workId: number): Promise<{ position: number; title: string; type: string; titleKey: string }[]> {
  return db.selectFrom('workTitles').select(['position', 'title', 'type', 'titleKey']).where('workId', '=', workId).orderBy('position').execute();
}

/** How many credits, studios, platforms and tags of `fromId` `moveWorkLinks` would add to `toId`. */
export async function countMovableLinks(db: Executor, fromId: number, toId: number): Promise<{ credits: number; studios: number; platforms: number; tags: number }> {
  const count = async (table: 'credits' | 'work_studios' | 'work_platforms' | 'work_tags', same: string) => {
    const row = await sql<{ n: number | string }>`select count(*) as n from ${sql.table(table)} d where d.work_id = ${fromId}
        and not exists (select 1 from ${sql.table(table)} s where s.work_id = ${toId} and ${sql.raw(same)})`.execute(db);
    return Number(row.rows[0]?.n ?? 0);
  };
  return {
    credits: await count('credits', 's.person_id = d.person_id and s.role = d.role'),
    studios: await count('work_studios', 's.studio_id = d.studio_id'),
    platforms: await count('work_platforms', 's.platform_id = d.platform_id'),
    tags: await count('work_tags', 's.tag_id = d.tag_id'),
  };
}

/**
 * Adds the credits, studios, platforms and tags of `fromId` that `toId` lacks to `toId`, after
 * its own (positions continue from its last).
 */
export async function moveWorkLinks(db: Executor, fromId: number, toId: number): Promise<void> {
  const tables = [
    ['credits', 'person_id, role', 's.person_id = d.person_id and s.role = d.role'],
    ['work_studios', 'studio_id', 's.studio_id = d.studio_id'],
    ['work_platforms', 'platform_id', 's.platform_id = d.platform_id'],
    ['work_tags', 'tag_id', 's.tag_id = d.tag_id'],
  ] as const;
  for (const [table, columns, same] of tables) {
    const t = sql.table(table);
    const after = await sql<{ n: number | string | null }>`select max(position) as n from ${t} where work_id = ${toId}`.execute(db);
    const offset = after.rows[0]?.n === null || after.rows[0]?.n === undefined ? 0 : Number(after.rows[0].n) + 1;
    await sql`insert into ${t} (work_id, ${sql.raw(columns)}, position)
        select ${toId}, ${sql.raw(columns.split(', ').map((c) => `d.${c}`).join(', '))}, d.position + ${offset}
        from ${t} d where d.work_id = ${fromId}
          and not exists (select 1 from ${t} s where s.work_id = ${toId} and ${sql.raw(same)})`.execute(db);
  }
}

/**
 * Gives `toId` the external ids of `fromId` from sources it has no id from; returns the ids left
 * behind (a source both have: the survivor's id stays).
 */
export async function moveExternalIds(db: Executor, fromId: number, toId: number): Promise<{ source: string; externalId: string }[]> {
  const held = db.selectFrom('workExternalIds').select('source').where('workId', '=', toId);
  const conflicting = await db.selectFrom('workExternalIds').select(['source', 'externalId']).where('workId', '=', fromId).where('source', 'in', held).orderBy('source').execute();
  await db.updateTable('workExternalIds').set({ workId: toId }).where('workId', '=', fromId).where('source', 'not in', held).execute();
  return conflicting;
}

/** List entries of `fromId` whose author has none of `toId` (the ones `moveListEntries` moves), and the others. */
export async function countMovableListEntries(db: Executor, fromId: number, toId: number): Promise<{ moving: number; conflicting: number }> {
  const rows = await db
    .selectFrom('listEntries as d')
    .select((eb) => [
      eb.fn.countAll<number | string>().as('total'),
      eb.fn
        .count<number | string>('d.id')
        .filterWhere((f) => f.exists(f.selectFrom('listEntries as s').select('s.id').where('s.workId', '=', toId).whereRef('s.authorId', '=', 'd.authorId')))
        .as('conflicting'),
    ])
    .where('d.workId', '=', fromId)
    .executeTakeFirstOrThrow();
  const conflicting = Number(rows.conflicting);
  return { moving: Number(rows.total) - conflicting, conflicting };
}

/**
 * Moves list entries (one per author and work) from `fromId` to `toId`; an author's entry of
 * `fromId` when they have one of `toId` is deleted (the survivor's stays). Returns how many went.
 */
export async function moveListEntries(db: Executor, fromId: number, toId: number): Promise<number> {
  const theirs = db.selectFrom('listEntries').select('authorId').where('workId', '=', toId);
  const dropped = await db.deleteFrom('listEntries').where('workId', '=', fromId).where('authorId', 'in', theirs).executeTakeFirst();
  await db.updateTable('listEntries').set({ workId: toId }).where('workId', '=', fromId).execute();
  return Number(dropped.numDeletedRows);
}

/**
 * Records that `/works/OLD` now is the work `workId`, and points every older address of the
 * work merged away (`fromId`) there too, so that no chain forms.
 */
export async function recordWorkRedirect(db: Executor, oldSlug: string, fromId: number, workId: number, now: string): Promise<void> {
  await db.updateTable('workRedirects').set({ workId }).where('workId', '=', fromId).execute();
  await db
    .insertInto('workRedirects')
    .values({ oldSlug, workId, createdAt: now })
    .onConflict((oc) => oc.column('oldSlug').doUpdateSet({ workId, createdAt: now }))
    .execute();
}

/** The slug of the work an old work slug now leads to. */
export async function findWorkRedirect(db: Executor, oldSlug: string): Promise<string | undefined> {
  const row = await db.selectFrom('workRedirects').innerJoin('works', 'works.id', 'workRedirects.workId').select('works.slug').where('workRedirects.oldSlug', '=', oldSlug).executeTakeFirst();
  return row?.slug;
}

/** The old slugs leading to a work (merged into it). */
export async function listWorkRedirectsTo(db: Executor, workId: number): Promise<string[]> {
  return (await db.selectFrom('workRedirects').select('oldSlug').where('workId', '=', workId).orderBy('oldSlug').execute()).map((r) => r.oldSlug);
}
