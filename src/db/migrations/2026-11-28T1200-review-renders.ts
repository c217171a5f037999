/**
 * Review bodies rendered once, when they are written, instead of on every page view.
 * A row is derived data: the body's HTML and its spoiler-free plain text (and that text's start,
 * for listings), made by renderer
 * version `renderer`. A missing or older row is rendered again (on view, and by the background
 * pass), so dropping the table loses nothing. Frozen once shipped, like every migration.
 */
import { sql, type Kysely } from 'kysely';

function isPostgres(db: Kysely<unknown>): boolean {
  return db.getExecutor().adapter.constructor.name.toLowerCase().includes('postgres');
}

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('review_renders')
    .addColumn('review_id', 'integer', (c) => c.primaryKey().references('reviews.id').onDelete('cascade'))
    .addColumn('renderer', 'integer', (c) => c.notNull())
    // The start of body_text, first in the row: listings read their excerpts from it alone.
    .addColumn('text_start', 'text', (c) => c.notNull())
    .addColumn('body_text', 'text', (c) => c.notNull())
    .addColumn('body_html', 'text', (c) => c.notNull())
    .execute();
  // Whatever writes a body (an import, a restore, a future editor), its old rendering goes with
  // the old text: the database keeps that true, not each writer.
  if (isPostgres(db)) {
    await sql`create function review_body_changed() returns trigger language plpgsql as $$
      begin
        delete from review_renders where review_id = new.id;
        return null;
      end $$`.execute(db);
    await sql`create trigger reviews_body_changed after update of body on reviews for each row
      when (old.body is distinct from new.body) execute function review_body_changed()`.execute(db);
  } else {
    await sql`create trigger reviews_body_changed after update of body on reviews for each row
      when old.body is not new.body begin delete from review_renders where review_id = new.id; end`.execute(db);
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop trigger reviews_body_changed${isPostgres(db) ? sql` on reviews` : sql``}`.execute(db);
  if (isPostgres(db)) await sql`drop function review_body_changed()`.execute(db);
  await db.schema.dropTable('review_renders').execute();
}
