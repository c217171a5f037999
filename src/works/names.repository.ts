/**
 * People, studios, platforms and tags: the same shape (slug, name, folded key), one set of queries.
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database, NamedEntity } from '../db/schema.js';
import { makeSlug, uniqueSlug } from '../shared/slug.js';
import { cleanName, nameKey } from '../shared/text.js';

type Executor = Kysely<Database> | Transaction<Database>;

export interface Named {
  id: number;
  slug: string;
  name: string;
}

/** Names that can be merged: a merged-away one's folded name leads to its survivor. */
export const MERGEABLE = new Set<NamedEntity>(['people', 'studios', 'platforms']);

/**
 * The record whose folded name is `key`, or, for people, studios and platforms, the survivor of
 * a merged-away record of that name (so the old spelling does not make the duplicate again).
 */
export async function findNamedByKey(db: Executor, table: NamedEntity, key: string): Promise<Named | undefined> {
  const own = await db.selectFrom(table).select(['id', 'slug', 'name']).where('nameKey', '=', key).executeTakeFirst();
  if (own || !MERGEABLE.has(table)) return own;
  const survivors = db.selectFrom('nameRedirects').select('nameId').where('entity', '=', table as 'people').where('nameKey', '=', key);
  return db.selectFrom(table).select(['id', 'slug', 'name']).where('id', 'in', survivors).executeTakeFirst();
}

export async function findNamedById(db: Executor, table: NamedEntity, id: number): Promise<Named | undefined> {
  return db.selectFrom(table).select(['id', 'slug', 'name']).where('id', '=', id).executeTakeFirst();
}

export async function findNamedBySlug(db: Executor, table: NamedEntity, slug: string): Promise<Named | undefined> {
  return db.selectFrom(table).select(['id', 'slug', 'name']).where('slug', '=', slug).executeTakeFirst();
}

/**
 * The record for `name`, created when no record has the same folded key.
 * `slugHint` lets a restore keep the slug it had.
 */
export async function findOrCreateNamed(
  db: Executor,
  table: NamedEntity,
  rawName: string,
  now: string,
  wanted?: { slug?: string; id?: number },
): Promise<Named> {
  const name = cleanName(rawName);
  const key = nameKey(name) || name.toLowerCase();
  const existing = await findNamedByKey(db, table, key);
  if (existing) return existing;
  const slug = await uniqueSlug(wanted?.slug ?? makeSlug(name, table === 'people' ? 'person' : table.slice(0, -1)), async (s) =>
    Boolean(await db.selectFrom(table).select('id').where('slug', '=', s).executeTakeFirst()),
  );
  const values = { slug, name, nameKey: key, createdAt: now, ...(wanted?.id !== undefined ? { id: wanted.id } : {}) };
  const { id } = await db.insertInto(table).values(values).returning('id').executeTakeFirstOrThrow();
  return { id, slug, name };
}

/** Where each kind of name is used: a name none of these refer to has nothing to show. */
const USES: Record<NamedEntity, { table: keyof Database; column: string }[]> = {
  people: [{ table: 'credits', column: 'personId' }],
  studios: [{ table: 'workStudios', column: 'studioId' }],
  platforms: [{ table: 'workPlatforms', column: 'platformId' }],
  tags: [{ table: 'workTags', column: 'tagId' }],
  authors: [
    { table: 'reviews', column: 'authorId' },
    { table: 'listEntries', column: 'authorId' },
    { table: 'imports', column: 'authorId' },
  ],
};

/**
 * Deletes the people, studios, platforms, tags and authors created at or after `since` that
 * nothing uses any more: what an undone import had brought. Older names are left alone, used
 * or not. Returns how many went.
 */
export async function deleteUnusedNamesSince(db: Executor, since: string): Promise<number> {
  let deleted = 0;
  for (const [table, uses] of Object.entries(USES) as [NamedEntity, (typeof USES)[NamedEntity]][]) {
    const result = await db
      .deleteFrom(table)
      .where('createdAt', '>=', since)
      .where(
        sql<boolean>`${sql.join(
          uses.map((u) => sql`not exists (select 1 from ${sql.table(u.table)} where ${sql.ref(`${u.table}.${u.column}`)} = ${sql.ref(`${table}.id`)})`),
          sql` and `,
        )}`,
      )
      .executeTakeFirst();
    deleted += Number(result.numDeletedRows);
  }
  return deleted;
}

/** Gives a record a new name (its slug stays). */
export async function renameNamed(db: Executor, table: NamedEntity, id: number, name: string, key: string): Promise<void> {
  await db.updateTable(table).set({ name, nameKey: key }).where('id', '=', id).execute();
}

export async function deleteNamed(db: Executor, table: NamedEntity, id: number): Promise<void> {
  await db.deleteFrom(table).where('id', '=', id).execute();
}

/** The works naming a person, studio or platform. */
export async function worksNaming(db: Executor, table: 'people' | 'studios' | 'platforms', id: number): Promise<number[]> {
  const rows =
    table === 'people'
      ? await db.selectFrom('credits').select('workId').where('personId', '=', id).distinct().execute()
      : table === 'studios'
        ? await db.selectFrom('workStudios').select('workId').where('studioId', '=', id).distinct().execute()
        : await db.selectFrom('workPlatforms').select('workId').where('platformId', '=', id).distinct().execute();
  return rows.map((r) => r.workId);
}

// ---- merging a duplicate person, studio or platform into another (works/merge.service.ts)

const LINKS = {
  people: { table: 'credits', column: 'person_id', key: 'work_id, role' },
  studios: { table: 'work_studios', column: 'studio_id', key: 'work_id' },
  platforms: { table: 'work_platforms', column: 'platform_id', key: 'work_id' },
} as const;

/**
 * Moves every credit (studio, platform link) of `fromId` to `toId`; one the survivor already has
 * on the same work (and role) is dropped. Returns the works touched.
 */
export async function moveNameLinks(db: Executor, table: 'people' | 'studios' | 'platforms', fromId: number, toId: number): Promise<number[]> {
  const works = await worksNaming(db, table, fromId);
  const { table: links, column, key } = LINKS[table];
  const t = sql.table(links);
  const same = key
    .split(', ')
    .map((c) => `s.${c} = d.${c}`)
    .join(' and ');
  await sql`delete from ${t} as d where d.${sql.raw(column)} = ${fromId}
      and exists (select 1 from ${t} s where s.${sql.raw(column)} = ${toId} and ${sql.raw(same)})`.execute(db);
  await sql`update ${t} set ${sql.raw(column)} = ${toId} where ${sql.raw(column)} = ${fromId}`.execute(db);
  return works;
}

/**
 * Records that the old slug of a merged-away name leads to `toId`, and points every older slug
 * that led to the merged-away one (`fromId`) there too, so that no chain forms.
 */
export async function recordNameRedirect(
  db: Executor,
  entity: 'people' | 'studios' | 'platforms',
  from: { slug: string; name: string; id: number },
  toId: number,
  now: string,
): Promise<void> {
  const name = cleanName(from.name);
  const key = nameKey(name) || name.toLowerCase();
  await db.updateTable('nameRedirects').set({ nameId: toId }).where('entity', '=', entity).where('nameId', '=', from.id).execute();
  await db
    .insertInto('nameRedirects')
    .values({ entity, oldSlug: from.slug, nameId: toId, oldName: from.name, nameKey: key, createdAt: now })
    .onConflict((oc) => oc.columns(['entity', 'oldSlug']).doUpdateSet({ nameId: toId, oldName: from.name, nameKey: key, createdAt: now }))
    .execute();
}

/** The slug a person's (studio's, platform's) old slug now leads to. */
export async function findNameRedirect(db: Executor, entity: 'people' | 'studios' | 'platforms', oldSlug: string): Promise<string | undefined> {
  const row = await db.selectFrom('nameRedirects').select('nameId').where('entity', '=', entity).where('oldSlug', '=', oldSlug).executeTakeFirst();
  return row ? (await findNamedById(db, entity, row.nameId))?.slug : undefined;
}
