/**
 * People, studios, platforms and tags: the same shape (slug, name, folded key), one set of queries.
 */
import type { Kysely, Transaction } from 'kysely';
import type { Database, NamedEntity } from '../db/schema.js';
import { makeSlug, uniqueSlug } from '../shared/slug.js';
import { cleanName, nameKey } from '../shared/text.js';

type Executor = Kysely<Database> | Transaction<Database>;

export interface Named {
  id: number;
  slug: string;
  name: string;
}

export async function findNamedByKey(db: Executor, table: NamedEntity, key: string): Promise<Named | undefined> {
  return db.selectFrom(table).select(['id', 'slug', 'name']).where('nameKey', '=', key).executeTakeFirst();
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
