/**
 * Reviews without any text (a score alone, as list imports bring them: no headline, summary or
 * body) leave the search index. Their documents held nothing but their work's title, so a
 * title search listed one wordless "review" per score under the work itself. From now on such
 * reviews are not indexed (`hasText` in reviews/reviews.service.ts); this takes out the
 * documents written before. Frozen once shipped, like every migration.
 */
import { sql, type Kysely } from 'kysely';

function isPostgres(db: Kysely<unknown>): boolean {
  return db.getExecutor().adapter.constructor.name.toLowerCase().includes('postgres');
}

const withoutText = sql`select id from reviews
  where trim(body) = '' and coalesce(trim(headline), '') = '' and coalesce(trim(summary), '') = ''`;

export async function up(db: Kysely<unknown>): Promise<void> {
  if (isPostgres(db)) await sql`delete from reviews_search where review_id in (${withoutText})`.execute(db);
  else await sql`delete from reviews_search where rowid in (${withoutText})`.execute(db);
}

export async function down(): Promise<void> {
  // Nothing to put back: the documents are derived, and a later write of each review would not index it again.
}
