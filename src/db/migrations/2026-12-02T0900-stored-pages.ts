/**
 * `stored_pages`: the pages of a work (its page, with its first page of reviews) and of its
 * published reviews, rendered ahead and stored compressed, so that the site's two busiest
 * pages are one row read instead of a render (see site/stored-pages.ts).
 *
 * It is derived data, and the database keeps it honest. Everything such a page shows belongs
 * to one work: the work's own row, its titles, ids, credits, studios, platforms and tags, the
 * names and slugs of the people, studios, platforms and tags they link to, its reviews, and
 * their authors' names and slugs. Every write to one of those moves the work past its stored
 * pages:
 *
 * - On PostgreSQL the writes raise `works.page_stamp` (statement triggers over transition
 *   tables, and a BEFORE trigger on works itself), and a stored page counts only while it
 *   carries the work's present stamp. A page is stored with the stamp read in the same snapshot
 *   as its data, so a page rendered while another transaction changed the work carries the
 *   old stamp and is never served: snapshot isolation alone would not tell the renderer that
 *   its inputs changed.
 * - On SQLite the writes delete the work's stored pages instead (row triggers). That suffices
 *   there: SQLite has one writer at a time, and a transaction that read before another
 *   connection's commit cannot write afterwards (SQLITE_BUSY_SNAPSHOT), so pages are stored
 *   only from data still current when they commit. Deleting costs an index probe when nothing
 *   is stored, as during a first import, where raising a stamp would rewrite the work's row.
 *
 * The writes that do not move a work past its pages are the two that fill derived data in: its
 * stored lists, and the mark that its pages are stored. Each runs alone in its transaction
 * (works/work-lists.ts, site/stored-pages.ts); nothing else may write them.
 *
 * `works.pages_stamp` is the stamp under which all of a work's pages were last stored, and a
 * partial index finds the works where it is not the present one (null on SQLite, where the
 * triggers clear it). Frozen once shipped, like every migration.
 */
import { sql, type Kysely } from 'kysely';

function isPostgres(db: Kysely<unknown>): boolean {
  return db.getExecutor().adapter.constructor.name.toLowerCase().includes('postgres');
}

/** Tables whose rows belong to one work (`work_id`): its lists and its reviews. */
const WORK_TABLES = ['work_titles', 'work_external_ids', 'credits', 'work_studios', 'work_platforms', 'work_tags', 'reviews'] as const;

/** Names the pages show by name and slug, and the table that links each to works. */
const NAME_TABLES = [
  { table: 'people', link: 'credits', key: 'person_id' },
  { table: 'studios', link: 'work_studios', key: 'studio_id' },
  { table: 'platforms', link: 'work_platforms', key: 'platform_id' },
  { table: 'tags', link: 'work_tags', key: 'tag_id' },
  { table: 'authors', link: 'reviews', key: 'author_id' },
] as const;

const EVENTS = { insert: 'inserted', update: 'updated', delete: 'deleted' } as const;

/** SQLite: what a change to work `id` does: its stored pages go, and the mark that it had them. */
const sqliteStale = (id: string) =>
  `delete from stored_pages where work_id = ${id}; update works set pages_stamp = null where id = ${id} and pages_stamp is not null;`;

export async function up(db: Kysely<unknown>): Promise<void> {
  const pg = isPostgres(db);
  await db.schema.alterTable('works').addColumn('page_stamp', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.alterTable('works').addColumn('pages_stamp', 'integer').execute();
  await sql`create index works_pages_stale on works (id) where pages_stamp is null or pages_stamp <> page_stamp`.execute(db);
  await db.schema
    .createTable('stored_pages')
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('subject_id', 'integer', (c) => c.notNull())
    .addColumn('work_id', 'integer', (c) => c.notNull().references('works.id').onDelete('cascade'))
    .addColumn('stamp', 'integer', (c) => c.notNull())
    .addColumn('build', 'text', (c) => c.notNull())
    .addColumn('etag', 'text', (c) => c.notNull())
    .addColumn('gzip', pg ? 'bytea' : 'blob', (c) => c.notNull())
    .addPrimaryKeyConstraint('stored_pages_pk', ['kind', 'subject_id'])
    .execute();
  await db.schema.createIndex('stored_pages_work').on('stored_pages').column('work_id').execute();

  if (pg) {
    // The work's own row: any update but storing its lists, marking its pages stored, or a
    // raise of the stamp itself.
    await sql`create function work_page_own_row() returns trigger language plpgsql as $$ begin
        if new.page_stamp = old.page_stamp and new.pages_stamp is not distinct from old.pages_stamp
           and not (old.lists_json is null and new.lists_json is not null) then
          new.page_stamp := old.page_stamp + 1;
        end if;
        return new;
      end $$`.execute(db);
    await sql`create trigger works_page_stamp before update on works for each row execute function work_page_own_row()`.execute(db);
    // A work whose row this transaction itself wrote (not in a savepoint: `age(xmin) = 0` holds
    // for the top-level transaction's own row versions only) needs no raise: either the
    // transaction made the work, and nothing outside can have rendered it, or it updated the
    // row, and the BEFORE trigger raised the stamp then. A bulk import writes its new works and
    // all their rows this way, and raising each work's stamp again, once per table it writes,
    // had cost PostgreSQL a tenth to a fifth of a list import.
    await sql`create function work_page_rows_inserted() returns trigger language plpgsql as $$ begin
        update works set page_stamp = page_stamp + 1 where id in (select work_id from new_rows) and age(xmin) <> 0;
        return null;
      end $$`.execute(db);
    await sql`create function work_page_rows_deleted() returns trigger language plpgsql as $$ begin
        update works set page_stamp = page_stamp + 1 where id in (select work_id from old_rows) and age(xmin) <> 0;
        return null;
      end $$`.execute(db);
    await sql`create function work_page_rows_updated() returns trigger language plpgsql as $$ begin
        update works set page_stamp = page_stamp + 1
          where id in (select work_id from old_rows union select work_id from new_rows) and age(xmin) <> 0;
        return null;
      end $$`.execute(db);
    for (const table of WORK_TABLES) {
      await sql`create trigger ${sql.raw(`${table}_page_inserted`)} after insert on ${sql.table(table)}
        referencing new table as new_rows for each statement execute function work_page_rows_inserted()`.execute(db);
      await sql`create trigger ${sql.raw(`${table}_page_deleted`)} after delete on ${sql.table(table)}
        referencing old table as old_rows for each statement execute function work_page_rows_deleted()`.execute(db);
      await sql`create trigger ${sql.raw(`${table}_page_updated`)} after update on ${sql.table(table)}
        referencing old table as old_rows new table as new_rows for each statement execute function work_page_rows_updated()`.execute(db);
    }
    for (const { table, link, key } of NAME_TABLES) {
      await sql`create function ${sql.raw(`${table}_page_renamed`)}() returns trigger language plpgsql as $$ begin
          update works set page_stamp = page_stamp + 1
            where id in (select l.work_id from ${sql.raw(link)} l join new_rows n on n.id = l.${sql.raw(key)}
                         join old_rows o on o.id = n.id where o.name is distinct from n.name or o.slug is distinct from n.slug);
          return null;
        end $$`.execute(db);
      await sql`create trigger ${sql.raw(`${table}_page_renamed`)} after update on ${sql.table(table)}
        referencing old table as old_rows new table as new_rows for each statement execute function ${sql.raw(`${table}_page_renamed`)}()`.execute(db);
    }
  } else {
    // The work's own row: any update but storing its lists or marking its pages stored.
    await sql`create trigger works_page_own_row after update on works for each row
      when old.pages_stamp is new.pages_stamp and not (old.lists_json is null and new.lists_json is not null)
      begin ${sql.raw(sqliteStale('new.id'))} end`.execute(db);
    for (const table of WORK_TABLES) {
      for (const [event, name] of Object.entries(EVENTS)) {
        const rows = event === 'insert' ? ['new'] : event === 'delete' ? ['old'] : ['old', 'new'];
        const body = rows.map((r) => sqliteStale(`${r}.work_id`)).join(' ');
        await sql`create trigger ${sql.raw(`${table}_page_${name}`)}
          after ${sql.raw(event)} on ${sql.table(table)} for each row begin ${sql.raw(body)} end`.execute(db);
      }
    }
    for (const { table, link, key } of NAME_TABLES) {
      await sql`create trigger ${sql.raw(`${table}_page_renamed`)} after update of name, slug on ${sql.table(table)} for each row
        when old.name is not new.name or old.slug is not new.slug begin
          delete from stored_pages where work_id in (select work_id from ${sql.raw(link)} where ${sql.raw(key)} = new.id);
          update works set pages_stamp = null where pages_stamp is not null
            and id in (select work_id from ${sql.raw(link)} where ${sql.raw(key)} = new.id);
        end`.execute(db);
    }
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  const pg = isPostgres(db);
  const on = (table: string) => (pg ? sql` on ${sql.table(table)}` : sql``);
  for (const table of WORK_TABLES) {
    for (const name of Object.values(EVENTS)) await sql`drop trigger ${sql.raw(`${table}_page_${name}`)}${on(table)}`.execute(db);
  }
  for (const { table } of NAME_TABLES) {
    await sql`drop trigger ${sql.raw(`${table}_page_renamed`)}${on(table)}`.execute(db);
    if (pg) await sql`drop function ${sql.raw(`${table}_page_renamed`)}()`.execute(db);
  }
  if (pg) {
    await sql`drop trigger works_page_stamp on works`.execute(db);
    for (const fn of ['work_page_own_row', 'work_page_rows_inserted', 'work_page_rows_deleted', 'work_page_rows_updated']) await sql`drop function ${sql.raw(fn)}()`.execute(db);
  } else {
    await sql`drop trigger works_page_own_row`.execute(db);
  }
  await db.schema.dropTable('stored_pages').execute();
  await sql`drop index works_pages_stale`.execute(db);
  await db.schema.alterTable('works').dropColumn('pages_stamp').execute();
  await db.schema.alterTable('works').dropColumn('page_stamp').execute();
}
