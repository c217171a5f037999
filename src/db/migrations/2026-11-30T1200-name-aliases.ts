/**
 * A merged-away person's, studio's or platform's name (`old_name`) and folded name
 * (`name_key`), kept beside its old slug in `name_redirects`: a later import or form that
 * writes the old spelling finds the survivor instead of bringing the duplicate back, and a
 * backup carries the name. Null for merges made before these columns existed.
 * Frozen once shipped, like every migration.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('name_redirects').addColumn('old_name', 'text').execute();
  await db.schema.alterTable('name_redirects').addColumn('name_key', 'text').execute();
  await db.schema.createIndex('name_redirects_key').on('name_redirects').columns(['entity', 'name_key']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('name_redirects_key').execute();
  await db.schema.alterTable('name_redirects').dropColumn('name_key').execute();
  await db.schema.alterTable('name_redirects').dropColumn('old_name').execute();
}
