/**
 * Indexes for the public site's read paths. Frozen once shipped, like every migration.
 */
import { sql, type Kysely } from 'kysely';

function isPostgres(db: Kysely<unknown>): boolean {
  return db.getExecutor().adapter.constructor.name.toLowerCase().includes('postgres');
}

export async function up(db: Kysely<unknown>): Promise<void> {
  // Rankings take each kind's mean over scored works and order works by a weighted score of
  // their count and sum: one covering index serves both without reading the works' rows.
  await db.schema.createIndex('works_kind_rating').on('works').columns(['kind', 'rating_count', 'rating_sum']).execute();
  // Sitemap parts list published reviews by id with their dates; without this every review row
  // (body included) is read to learn its status and date.
  // Led by id, so that no query filtering on status alone mistakes it for a way to find reviews.
  await db.schema.createIndex('reviews_id_status').on('reviews').columns(['id', 'status', 'updated_at']).execute();
  if (isPostgres(db)) {
    // Title prefix search compares folded titles byte-wise (collate "C"), which the default
    // collation's index cannot serve.
    await sql`create index work_titles_key_c on work_titles (title_key collate "C")`.execute(db);
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  if (isPostgres(db)) await sql`drop index work_titles_key_c`.execute(db);
  await db.schema.dropIndex('reviews_id_status').execute();
  await db.schema.dropIndex('works_kind_rating').execute();
}
