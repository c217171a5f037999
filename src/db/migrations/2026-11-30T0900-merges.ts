/**
 * Merging duplicates: the slug a merged-away work, person, studio or platform had, and where
 * it went, so that its old addresses answer 301 with the survivor's.
 * - `work_redirects`: old work slug → the surviving work (gone with the work if it is deleted);
 * - `name_redirects`: (entity, old slug) → the surviving person, studio or platform (no foreign
 *   key: one table for three; a lookup joins the entity, so a deleted survivor answers 404).
 * Merging into a work or name that was itself merged away is never stored: chains are collapsed
 * when they form, so every row points at a live record.
 * Frozen once shipped, like every migration.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('work_redirects')
    .addColumn('old_slug', 'text', (c) => c.primaryKey())
    .addColumn('work_id', 'integer', (c) => c.notNull().references('works.id').onDelete('cascade'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  // Collapsing a chain rewrites every row pointing at the work merged away.
  await db.schema.createIndex('work_redirects_work').on('work_redirects').column('work_id').execute();

  await db.schema
    .createTable('name_redirects')
    .addColumn('entity', 'text', (c) => c.notNull())
    .addColumn('old_slug', 'text', (c) => c.notNull())
    .addColumn('name_id', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('name_redirects_pk', ['entity', 'old_slug'])
    .addCheckConstraint('name_redirects_entity', sql`entity in ('people', 'studios', 'platforms')`)
    .execute();
  await db.schema.createIndex('name_redirects_target').on('name_redirects').columns(['entity', 'name_id']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('name_redirects').execute();
  await db.schema.dropTable('work_redirects').execute();
}
