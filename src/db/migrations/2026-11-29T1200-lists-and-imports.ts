/**
 * What moving in from other sites needs (MyAnimeList, Letterboxd, AniList, blogs):
 * - `works.episodes`: the episode count list sites carry;
 * - `list_entries`: one author's record of a work apart from any review — status, progress,
 *   dates, times watched, their own tags;
 * - `review_sources`: the address a review had on its old site, so old links can redirect;
 * - `imports` and `import_items`: every import run as job state in the database (progress, counts,
 *   status), its per-entry report (what was matched, created, updated, skipped or failed, and why)
 *   and what undoing it must put back.
 * Frozen once shipped, like every migration.
 */
import { sql, type Kysely } from 'kysely';

function isPostgres(db: Kysely<unknown>): boolean {
  return db.getExecutor().adapter.constructor.name.toLowerCase().includes('postgres');
}

export async function up(db: Kysely<unknown>): Promise<void> {
  const pg = isPostgres(db);
  const id = (t: ReturnType<Kysely<unknown>['schema']['createTable']>) =>
    pg
      ? t.addColumn('id', 'integer', (c) => c.primaryKey().generatedByDefaultAsIdentity())
      : t.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement());

  await db.schema.alterTable('works').addColumn('episodes', 'integer').execute();

  await id(db.schema.createTable('list_entries'))
    .addColumn('author_id', 'integer', (c) => c.notNull().references('authors.id'))
    .addColumn('work_id', 'integer', (c) => c.notNull().references('works.id').onDelete('cascade'))
    .addColumn('status', 'text')
    .addColumn('progress', 'integer')
    .addColumn('started_on', 'text')
    .addColumn('finished_on', 'text')
    .addColumn('times_watched', 'integer')
    .addColumn('tags', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addCheckConstraint(
      'list_entries_status',
      sql`status is null or status in ('watching', 'completed', 'on_hold', 'dropped', 'plan_to_watch')`,
    )
    .addUniqueConstraint('list_entries_author_work', ['author_id', 'work_id'])
    .execute();
  await db.schema.createIndex('list_entries_work').on('list_entries').column('work_id').execute();

  await db.schema
    .createTable('review_sources')
    .addColumn('review_id', 'integer', (c) => c.notNull().references('reviews.id').onDelete('cascade'))
    .addColumn('url', 'text', (c) => c.notNull().unique())
    // The URL's path (and query), which is what a request for the old address carries here.
    .addColumn('path', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('review_sources_path').on('review_sources').column('path').execute();
  await db.schema.createIndex('review_sources_review').on('review_sources').column('review_id').execute();

  await id(db.schema.createTable('imports'))
    .addColumn('format', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('author_id', 'integer', (c) => c.notNull().references('authors.id'))
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('started_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('finished_at', 'text')
    .addColumn('bytes_total', 'integer')
    .addColumn('bytes_read', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('entries', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('matched', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('updated', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('unchanged', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('skipped', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('failed', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('uncertain', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('error', 'text')
    .addColumn('undone_at', 'text')
    .addCheckConstraint('imports_status', sql`status in ('running', 'done', 'failed', 'undone')`)
    .execute();

  await db.schema
    .createTable('import_items')
    .addColumn('import_id', 'integer', (c) => c.notNull().references('imports.id').onDelete('cascade'))
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('ref', 'text', (c) => c.notNull())
    // created | updated | unchanged | skipped | failed: what happened to the entry as a whole.
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('work_id', 'integer')
    .addColumn('work_action', 'text')
    .addColumn('match_reason', 'text')
    .addColumn('uncertain', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('review_id', 'integer')
    .addColumn('review_action', 'text')
    .addColumn('entry_id', 'integer')
    .addColumn('entry_action', 'text')
    .addColumn('warnings', 'text', (c) => c.notNull().defaultTo('[]'))
    // JSON: the review's and the entry's fields before this import changed them, for undo.
    .addColumn('previous', 'text')
    .addPrimaryKeyConstraint('import_items_pk', ['import_id', 'position'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('import_items').execute();
  await db.schema.dropTable('imports').execute();
  await db.schema.dropTable('review_sources').execute();
  await db.schema.dropTable('list_entries').execute();
  await db.schema.alterTable('works').dropColumn('episodes').execute();
}
