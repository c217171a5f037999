/**
 * `works.lists_json`: everything a work page lists about a work (its alternative titles,
 * external ids, credits, studios, platforms and tags, each with its name and slug), stored as
 * JSON in the work's own row. The work page and the review page read one row instead of six
 * lists spread over six tables and four name tables.
 *
 * It is derived data. The database, not each writer, keeps it honest: a trigger on every table
 * it is made of sets it back to null whenever one of its rows changes (a credit added, a
 * person renamed, two studios merged), and a null means "read the lists themselves". The
 * server fills null ones again in the background (works/work-lists.ts). A partial index finds
 * them. Frozen once shipped, like every migration.
 */
import { sql, type Kysely } from 'kysely';

function isPostgres(db: Kysely<unknown>): boolean {
  return db.getExecutor().adapter.constructor.name.toLowerCase().includes('postgres');
}

/** The tables whose rows belong to one work (`work_id`). */
const LIST_TABLES = ['work_titles', 'work_external_ids', 'credits', 'work_studios', 'work_platforms', 'work_tags'] as const;

/** The named things a list shows by name and slug, and the table that links each to works. */
const NAME_TABLES = [
  { table: 'people', link: 'credits', key: 'person_id' },
  { table: 'studios', link: 'work_studios', key: 'studio_id' },
  { table: 'platforms', link: 'work_platforms', key: 'platform_id' },
  { table: 'tags', link: 'work_tags', key: 'tag_id' },
] as const;

/** Each event and the name its trigger carries (`credits_lists_inserted`…), on both databases. */
const EVENTS = { insert: 'inserted', update: 'updated', delete: 'deleted' } as const;

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('works').addColumn('lists_json', 'text').execute();
  await sql`create index works_lists_stale on works (id) where lists_json is null`.execute(db);
  if (isPostgres(db)) {
    // Statement-level triggers over transition tables: a bulk insert of 500 credits costs one
    // update, not 500 calls of a row trigger.
    await sql`create function work_lists_inserted() returns trigger language plpgsql as $$ begin
        update works set lists_json = null where lists_json is not null and id in (select work_id from new_rows);
        return null;
      end $$`.execute(db);
    await sql`create function work_lists_deleted() returns trigger language plpgsql as $$ begin
        update works set lists_json = null where lists_json is not null and id in (select work_id from old_rows);
        return null;
      end $$`.execute(db);
    await sql`create function work_lists_updated() returns trigger language plpgsql as $$ begin
        update works set lists_json = null where lists_json is not null
          and id in (select work_id from old_rows union select work_id from new_rows);
        return null;
      end $$`.execute(db);
    for (const table of LIST_TABLES) {
      await sql`create trigger ${sql.raw(`${table}_lists_inserted`)} after insert on ${sql.table(table)}
        referencing new table as new_rows for each statement execute function work_lists_inserted()`.execute(db);
      await sql`create trigger ${sql.raw(`${table}_lists_deleted`)} after delete on ${sql.table(table)}
        referencing old table as old_rows for each statement execute function work_lists_deleted()`.execute(db);
      await sql`create trigger ${sql.raw(`${table}_lists_updated`)} after update on ${sql.table(table)}
        referencing old table as old_rows new table as new_rows for each statement execute function work_lists_updated()`.execute(db);
    }
    for (const { table, link, key } of NAME_TABLES) {
      await sql`create function ${sql.raw(`${table}_renamed`)}() returns trigger language plpgsql as $$ begin
          update works set lists_json = null where lists_json is not null
            and id in (select l.work_id from ${sql.raw(link)} l join new_rows n on n.id = l.${sql.raw(key)}
                       join old_rows o on o.id = n.id where o.name is distinct from n.name or o.slug is distinct from n.slug);
          return null;
        end $$`.execute(db);
      await sql`create trigger ${sql.raw(`${table}_renamed`)} after update on ${sql.table(table)}
        referencing old table as old_rows new table as new_rows for each statement execute function ${sql.raw(`${table}_renamed`)}()`.execute(db);
    }
  } else {
    for (const table of LIST_TABLES) {
      for (const [event, name] of Object.entries(EVENTS)) {
        const rows = event === 'insert' ? ['new'] : event === 'delete' ? ['old'] : ['old', 'new'];
        const body = rows.map((r) => `update works set lists_json = null where id = ${r}.work_id and lists_json is not null;`).join(' ');
        await sql`create trigger ${sql.raw(`${table}_lists_${name}`)}
          after ${sql.raw(event)} on ${sql.table(table)} for each row begin ${sql.raw(body)} end`.execute(db);
      }
    }
    for (const { table, link, key } of NAME_TABLES) {
      await sql`create trigger ${sql.raw(`${table}_renamed`)} after update of name, slug on ${sql.table(table)} for each row
        when old.name is not new.name or old.slug is not new.slug begin
          update works set lists_json = null where lists_json is not null
            and id in (select work_id from ${sql.raw(link)} where ${sql.raw(key)} = new.id);
        end`.execute(db);
    }
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  const pg = isPostgres(db);
  for (const table of LIST_TABLES) {
    for (const name of Object.values(EVENTS)) {
      await sql`drop trigger ${sql.raw(`${table}_lists_${name}`)}${pg ? sql` on ${sql.table(table)}` : sql``}`.execute(db);
    }
  }
  for (const { table } of NAME_TABLES) {
    await sql`drop trigger ${sql.raw(`${table}_renamed`)}${pg ? sql` on ${sql.table(table)}` : sql``}`.execute(db);
    if (pg) await sql`drop function ${sql.raw(`${table}_renamed`)}()`.execute(db);
  }
  if (pg) for (const fn of ['work_lists_inserted', 'work_lists_deleted', 'work_lists_updated']) await sql`drop function ${sql.raw(fn)}()`.execute(db);
  await sql`drop index works_lists_stale`.execute(db);
  await db.schema.alterTable('works').dropColumn('lists_json').execute();
}
