/**
 * The initial schema. Frozen: never edit a migration that has shipped, append a new one.
 * Migrations import nothing from the application; the little that differs between
 * SQLite and PostgreSQL (identity columns, the full-text index) is decided here.
 */
import { sql, type Kysely, type CreateTableBuilder } from 'kysely';

type Dialect = 'sqlite' | 'postgres';

function dialectOf(db: Kysely<unknown>): Dialect {
  return db.getExecutor().adapter.constructor.name.toLowerCase().includes('postgres') ? 'postgres' : 'sqlite';
}

function withId<T extends string>(d: Dialect, t: CreateTableBuilder<T, never>): CreateTableBuilder<T, 'id'> {
  // AUTOINCREMENT on SQLite so a deleted review's id (and so its URL) is never reused.
  return d === 'postgres'
    ? t.addColumn('id', 'integer', (c) => c.primaryKey().generatedByDefaultAsIdentity())
    : t.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement());
}

export async function up(db: Kysely<unknown>): Promise<void> {
  const d = dialectOf(db);

  await withId(d, db.schema.createTable('works'))
    .addColumn('slug', 'text', (c) => c.notNull().unique())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('kind', 'text')
    .addColumn('year', 'integer')
    .addColumn('synopsis', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('review_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('rating_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('rating_sum', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('rating_histogram', 'text', (c) => c.notNull().defaultTo('[0,0,0,0,0,0,0,0,0,0]'))
    .execute();

  await db.schema
    .createTable('work_titles')
    .addColumn('work_id', 'integer', (c) => c.notNull().references('works.id').onDelete('cascade'))
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('title_key', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('work_titles_pk', ['work_id', 'position'])
    .execute();
  await db.schema.createIndex('work_titles_key').on('work_titles').column('title_key').execute();
  await db.schema.createIndex('works_year').on('works').column('year').execute();

  await db.schema
    .createTable('work_external_ids')
    .addColumn('work_id', 'integer', (c) => c.notNull().references('works.id').onDelete('cascade'))
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('external_id', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('work_external_ids_pk', ['source', 'external_id'])
    .execute();
  await db.schema.createIndex('work_external_ids_work').on('work_external_ids').column('work_id').execute();

  for (const table of ['people', 'studios', 'platforms', 'tags', 'authors']) {
    let t = withId(d, db.schema.createTable(table))
      .addColumn('slug', 'text', (c) => c.notNull().unique())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('name_key', 'text', (c) => c.notNull().unique());
    if (table === 'authors') t = t.addColumn('bio', 'text');
    await t.addColumn('created_at', 'text', (c) => c.notNull()).execute();
  }

  await db.schema
    .createTable('credits')
    .addColumn('work_id', 'integer', (c) => c.notNull().references('works.id').onDelete('cascade'))
    .addColumn('person_id', 'integer', (c) => c.notNull().references('people.id'))
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('credits_pk', ['work_id', 'role', 'person_id'])
    .execute();
  await db.schema.createIndex('credits_person').on('credits').column('person_id').execute();

  for (const [table, column, target] of [
    ['work_studios', 'studio_id', 'studios'],
    ['work_platforms', 'platform_id', 'platforms'],
    ['work_tags', 'tag_id', 'tags'],
  ] as const) {
    await db.schema
      .createTable(table)
      .addColumn('work_id', 'integer', (c) => c.notNull().references('works.id').onDelete('cascade'))
      .addColumn(column, 'integer', (c) => c.notNull().references(`${target}.id`))
      .addColumn('position', 'integer', (c) => c.notNull())
      .addPrimaryKeyConstraint(`${table}_pk`, ['work_id', column])
      .execute();
    await db.schema.createIndex(`${table}_${column}`).on(table).column(column).execute();
  }

  // float4 would turn 7.3 into 7.300000190734863 on PostgreSQL; both databases get a double.
  const real = d === 'postgres' ? 'double precision' : 'real';
  await withId(d, db.schema.createTable('reviews'))
    .addColumn('work_id', 'integer', (c) => c.notNull().references('works.id'))
    .addColumn('author_id', 'integer', (c) => c.notNull().references('authors.id'))
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('headline', 'text')
    .addColumn('summary', 'text')
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('score_value', real)
    .addColumn('score_max', real)
    .addColumn('score_text', 'text')
    .addColumn('rating', 'integer')
    .addColumn('has_spoilers', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('published_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addCheckConstraint('reviews_status', sql`status in ('draft', 'published')`)
    .addCheckConstraint('reviews_rating', sql`rating is null or (rating >= 0 and rating <= 100)`)
    .execute();
  await db.schema.createIndex('reviews_work').on('reviews').columns(['work_id', 'published_at']).execute();
  // One review per author and work is how imports find the review a file made.
  await db.schema.createIndex('reviews_work_author').on('reviews').columns(['work_id', 'author_id']).execute();
  await db.schema.createIndex('reviews_author').on('reviews').columns(['author_id', 'published_at']).execute();
  await db.schema.createIndex('reviews_published').on('reviews').columns(['published_at', 'id']).execute();

  // Full text: one folded document per work and per review, indexed natively.
  if (d === 'sqlite') {
    // Documents are folded by the application (case, accents, width) before they get here,
    // so the tokenizer only needs to split; remove_diacritics stays on as a second line of defence.
    for (const table of ['works_search', 'reviews_search']) {
      await sql`create virtual table ${sql.table(table)} using fts5(document, tokenize = 'unicode61 remove_diacritics 2')`.execute(db);
    }
  } else {
    for (const [table, key, target] of [
      ['works_search', 'work_id', 'works'],
      ['reviews_search', 'review_id', 'reviews'],
    ] as const) {
      await db.schema
        .createTable(table)
        .addColumn(key, 'integer', (c) => c.primaryKey().references(`${target}.id`).onDelete('cascade'))
        .addColumn('document', 'text', (c) => c.notNull())
        .addColumn('tsv', sql`tsvector`, (c) => c.generatedAlwaysAs(sql`to_tsvector('simple', document)`).stored())
        .execute();
      await sql`create index ${sql.id(`${table}_tsv`)} on ${sql.table(table)} using gin (tsv)`.execute(db);
    }
  }
}

export async function down(): Promise<void> {
  throw new Error('The initial migration cannot be undone; restore a backup instead.');
}
