/**
 * The start of each review's rendered plain text (`text_start`, and the renderer that made it)
 * copied into the review's own row: listings (a work's reviews, an author's, the home page)
 * show it as the excerpt, and reading it from `review_renders` cost a second random row read
 * per card, in a table whose rows (HTML and text together) fill a page each.
 *
 * `review_renders` stays the source: triggers copy its `text_start` and `renderer` on every
 * insert and update, and clear them when the rendering is dropped (its body changed), so no
 * writer has to remember. Bulk writers that know the rendering when they insert the review
 * write the copy with it, and the trigger then leaves the row alone (a second write of each
 * review row cost PostgreSQL ~7 % of a Letterboxd import). Frozen once shipped, like every migration.
 */
import { sql, type Kysely } from 'kysely';

function isPostgres(db: Kysely<unknown>): boolean {
  return db.getExecutor().adapter.constructor.name.toLowerCase().includes('postgres');
}

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('reviews').addColumn('text_start', 'text').execute();
  await db.schema.alterTable('reviews').addColumn('text_renderer', 'integer').execute();
  await sql`update reviews set text_start = rr.text_start, text_renderer = rr.renderer from review_renders rr where rr.review_id = reviews.id`.execute(db);
  if (isPostgres(db)) {
    // Statement triggers over transition tables: a batch of renderings is one update.
    await sql`create function review_excerpts_written() returns trigger language plpgsql as $$ begin
        update reviews r set text_start = n.text_start, text_renderer = n.renderer from new_rows n
          where r.id = n.review_id and (r.text_start is distinct from n.text_start or r.text_renderer is distinct from n.renderer);
        return null;
      end $$`.execute(db);
    await sql`create function review_excerpts_dropped() returns trigger language plpgsql as $$ begin
        update reviews r set text_start = null, text_renderer = null from old_rows o where r.id = o.review_id;
        return null;
      end $$`.execute(db);
    await sql`create trigger review_renders_inserted after insert on review_renders
      referencing new table as new_rows for each statement execute function review_excerpts_written()`.execute(db);
    await sql`create trigger review_renders_updated after update on review_renders
      referencing new table as new_rows for each statement execute function review_excerpts_written()`.execute(db);
    await sql`create trigger review_renders_deleted after delete on review_renders
      referencing old table as old_rows for each statement execute function review_excerpts_dropped()`.execute(db);
  } else {
    for (const [event, name] of [['insert', 'review_renders_inserted'], ['update', 'review_renders_updated']] as const) {
      await sql`create trigger ${sql.raw(name)} after ${sql.raw(event)} on review_renders for each row begin
          update reviews set text_start = new.text_start, text_renderer = new.renderer
            where id = new.review_id and (text_start is not new.text_start or text_renderer is not new.renderer);
        end`.execute(db);
    }
    await sql`create trigger review_renders_deleted after delete on review_renders for each row begin
        update reviews set text_start = null, text_renderer = null where id = old.review_id;
      end`.execute(db);
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  const pg = isPostgres(db);
  for (const name of ['review_renders_inserted', 'review_renders_updated', 'review_renders_deleted']) {
    await sql`drop trigger ${sql.raw(name)}${pg ? sql` on review_renders` : sql``}`.execute(db);
  }
  if (pg) for (const fn of ['review_excerpts_written', 'review_excerpts_dropped']) await sql`drop function ${sql.raw(fn)}()`.execute(db);
  await db.schema.alterTable('reviews').dropColumn('text_renderer').execute();
  await db.schema.alterTable('reviews').dropColumn('text_start').execute();
}
