/**
 * Listings of works by what they share: a person (with the roles they had), a studio, a
 * platform, a tag, a year or a kind. One query description (`WorkListQuery`) covers every
 * listing, so a new combination of filters or a new page needs no new query function.
 */
import { sql, type Kysely, type RawBuilder, type SqlBool, type Transaction } from 'kysely';
import type { Database, NamedEntity } from '../db/schema.js';
import { nameKey } from '../shared/text.js';

type Executor = Kysely<Database> | Transaction<Database>;

/** Conditions on a work; all given conditions must hold. */
export interface WorkFilter {
  personId?: number;
  /** Only with `personId`: the person had this role. */
  role?: string;
  studioId?: number;
  platformId?: number;
  tagId?: number;
  year?: number;
  kind?: string;
}

export const WORK_SORTS = ['year', 'year-asc', 'title', 'score'] as const;
export type WorkSort = (typeof WORK_SORTS)[number];

export interface WorkListQuery {
  filter: WorkFilter;
  sort: WorkSort;
  limit: number;
  offset: number;
}

export interface ListedWork {
  id: number;
  slug: string;
  title: string;
  kind: string | null;
  year: number | null;
  reviewCount: number;
  ratingCount: number;
  ratingSum: number;
}

/**
 * The filter as one SQL condition on the `works` table. Link tables are reached through
 * `works.id in (…)` on their indexed foreign key, so each filter is an index lookup, and the
 * condition can be added to any query that selects from `works` (the rankings use it too).
 */
export function workFilterSql(f: WorkFilter): RawBuilder<SqlBool> {
  const parts: RawBuilder<unknown>[] = [];
  if (f.personId !== undefined) {
    const role = f.role === undefined ? sql`` : sql` and role = ${f.role}`;
    parts.push(sql`works.id in (select work_id from credits where person_id = ${f.personId}${role})`);
  }
  if (f.studioId !== undefined) parts.push(sql`works.id in (select work_id from work_studios where studio_id = ${f.studioId})`);
  if (f.platformId !== undefined) parts.push(sql`works.id in (select work_id from work_platforms where platform_id = ${f.platformId})`);
  if (f.tagId !== undefined) parts.push(sql`works.id in (select work_id from work_tags where tag_id = ${f.tagId})`);
  if (f.year !== undefined) parts.push(sql`works.year = ${f.year}`);
  if (f.kind !== undefined) parts.push(sql`works.kind = ${f.kind}`);
  return parts.length ? sql<SqlBool>`(${sql.join(parts, sql` and `)})` : sql<SqlBool>`1 = 1`;
}

// Unknown years and unscored works go last whatever the direction: they are the least
// informative entries of a listing. Titles compare case-insensitively on both databases.
const title = sql`lower(works.title)`;
const mean = sql`works.rating_sum * 1.0 / nullif(works.rating_count, 0)`;
const ORDER: Record<WorkSort, RawBuilder<unknown>> = {
  year: sql`case when works.year is null then 1 else 0 end, works.year desc, ${title}, works.id`,
  'year-asc': sql`case when works.year is null then 1 else 0 end, works.year, ${title}, works.id`,
  title: sql`${title}, works.id`,
  score: sql`case when works.rating_count = 0 then 1 else 0 end, ${mean} desc, works.rating_count desc, ${title}, works.id`,
};

/**
 * One page of works matching the filter, and how many match in all (a window count, so the
 * page and the total come from one statement). `total` is 0 when the page is past the end.
 */
export async function listWorks(db: Executor, q: WorkListQuery): Promise<{ works: ListedWork[]; total: number }> {
  const rows = await db
    .selectFrom('works')
    .select(['id', 'slug', 'title', 'kind', 'year', 'reviewCount', 'ratingCount', 'ratingSum', sql<number>`count(*) over ()`.as('total')])
    .where(workFilterSql(q.filter))
    .orderBy(ORDER[q.sort])
    .limit(q.limit)
    .offset(q.offset)
    .execute();
  return { works: rows.map(({ total: _total, ...work }) => work), total: Number(rows[0]?.total ?? 0) };
}

/** The roles `personId` had on each of `workIds`, in credit order. */
export async function rolesOnWorks(db: Executor, personId: number, workIds: number[]): Promise<Map<number, string[]>> {
  const roles = new Map<number, string[]>();
  if (workIds.length === 0) return roles;
  const rows = await db
    .selectFrom('credits')
    .select(['workId', 'role'])
    .where('personId', '=', personId)
    .where('workId', 'in', workIds)
    .orderBy('workId')
    .orderBy('position')
    .execute();
  for (const r of rows) roles.set(r.workId, [...(roles.get(r.workId) ?? []), r.role]);
  return roles;
}

/** How many works a person has each role on, most frequent first. */
export async function roleCounts(db: Executor, personId: number): Promise<{ role: string; works: number }[]> {
  const rows = await db
    .selectFrom('credits')
    .select(['role', sql<number>`count(distinct work_id)`.as('works')])
    .where('personId', '=', personId)
    .groupBy('role')
    .orderBy(sql`count(distinct work_id)`, 'desc')
    .orderBy('role')
    .execute();
  return rows.map((r) => ({ role: r.role, works: Number(r.works) }));
}

export interface NameOption {
  id: number;
  slug: string;
  name: string;
}

/**
 * Up to `limit` + 1 names of a table in folded alphabetical order (the unique index on
 * `name_key` serves it without a sort): a caller offering them in a <select> learns from the
 * extra row that the list is too long to offer whole.
 */
export async function listNames(db: Executor, table: Exclude<NamedEntity, 'authors'>, limit: number): Promise<NameOption[]> {
  return db.selectFrom(table).select(['id', 'slug', 'name']).orderBy('nameKey').limit(limit + 1).execute();
}

/** A studio, platform or tag named by its slug or, failing that, by its name as typed. */
export async function findNamedBySlugOrName(db: Executor, table: Exclude<NamedEntity, 'authors'>, value: string): Promise<NameOption | undefined> {
  const key = nameKey(value);
  return db
    .selectFrom(table)
    .select(['id', 'slug', 'name'])
    .where((eb) => eb.or([eb('slug', '=', value), eb('nameKey', '=', key)]))
    .orderBy(sql`case when slug = ${value} then 0 else 1 end`)
    .limit(1)
    .executeTakeFirst();
}

/** The nearest years before and after `year` that have works (index lookups on `works.year`). */
export async function adjacentYears(db: Executor, year: number): Promise<{ previous: number | null; next: number | null }> {
  const { rows } = await sql<{ previous: number | null; next: number | null }>`select
      (select max(year) from works where year < ${year}) as previous,
      (select min(year) from works where year > ${year}) as next`.execute(db);
  return { previous: rows[0]?.previous ?? null, next: rows[0]?.next ?? null };
}
