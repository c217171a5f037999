/**
 * Every query on import runs and their reports. A run's row is its job state (status, bytes
 * read, counts), written in the same transaction as each batch of its entries, so whatever
 * reads it (the CLI, another server instance) sees the progress of what is durable.
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database, ImportItemsTable, ImportStatus } from '../db/schema.js';
import type { Insertable, Selectable } from 'kysely';

type Executor = Kysely<Database> | Transaction<Database>;

export type ImportRun = Selectable<Database['imports']> & { author: string };
export type ImportItemRow = Selectable<ImportItemsTable>;
export type NewImportItem = Insertable<ImportItemsTable>;

export interface RunCounts {
  entries: number;
  created: number;
  matched: number;
  updated: number;
  unchanged: number;
  skipped: number;
  failed: number;
  uncertain: number;
}

/** The tables an import grows, whose statistics its lookups are planned from (PostgreSQL). */
const GROWN_BY_IMPORTS = ['works', 'work_titles', 'work_external_ids', 'reviews', 'list_entries', 'authors', 'import_items'];

/** PostgreSQL's estimate of the rows in `works` (from its statistics; nothing is counted). */
export async function estimatedWorks(db: Executor): Promise<number> {
  const { rows } = await sql<{ n: number }>`select greatest(reltuples, 0)::float8 as n from pg_class where oid = 'works'::regclass`.execute(db);
  return rows[0]?.n ?? 0;
}

/**
 * Refreshes PostgreSQL's statistics of the tables an import grows. Autovacuum does it about
 * once a minute; until then a table that grew from nearly empty is planned as if it were still
 * small, and an import's batch lookups (`title_key in (…)`) become scans of the whole table.
 */
export async function analyzeImportedTables(db: Executor): Promise<void> {
  await sql`analyze ${sql.join(GROWN_BY_IMPORTS.map((t) => sql.table(t)))}`.execute(db);
}

export async function insertImportRun(
  db: Executor,
  v: { format: string; source: string; authorId: number; bytesTotal: number | null; now: string },
): Promise<number> {
  const row = await db
    .insertInto('imports')
    .values({ format: v.format, source: v.source, authorId: v.authorId, status: 'running', startedAt: v.now, updatedAt: v.now, bytesTotal: v.bytesTotal })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function insertImportItems(db: Executor, rows: NewImportItem[]): Promise<void> {
  // A few hundred rows at a time keeps every statement under both databases' parameter limits.
  for (let i = 0; i < rows.length; i += 500) await db.insertInto('importItems').values(rows.slice(i, i + 500)).execute();
}

/** Adds a batch's counts to the run and records how far it has read. */
export async function addToImportRun(db: Executor, id: number, add: RunCounts, bytesRead: number, now: string): Promise<void> {
  await db
    .updateTable('imports')
    .set((eb) => ({
      entries: eb('entries', '+', add.entries),
      created: eb('created', '+', add.created),
      matched: eb('matched', '+', add.matched),
      updated: eb('updated', '+', add.updated),
      unchanged: eb('unchanged', '+', add.unchanged),
      skipped: eb('skipped', '+', add.skipped),
      failed: eb('failed', '+', add.failed),
      uncertain: eb('uncertain', '+', add.uncertain),
      bytesRead,
      updatedAt: now,
    }))
    .where('id', '=', id)
    .execute();
}

export async function finishImportRun(db: Executor, id: number, v: { status: ImportStatus; error?: string | null; now: string }): Promise<void> {
  await db
    .updateTable('imports')
    .set({
      status: v.status,
      error: v.error ?? null,
      updatedAt: v.now,
      ...(v.status === 'undone' ? { undoneAt: v.now } : { finishedAt: v.now }),
    })
    .where('id', '=', id)
    .execute();
}

const runColumns = [
  'imports.id',
  'imports.format',
  'imports.source',
  'imports.authorId',
  'imports.status',
  'imports.startedAt',
  'imports.updatedAt',
  'imports.finishedAt',
  'imports.bytesTotal',
  'imports.bytesRead',
  'imports.entries',
  'imports.created',
  'imports.matched',
  'imports.updated',
  'imports.unchanged',
  'imports.skipped',
  'imports.failed',
  'imports.uncertain',
  'imports.error',
  'imports.undoneAt',
  'authors.name as author',
] as const;

export async function findImportRun(db: Executor, id: number): Promise<ImportRun | undefined> {
  return db.selectFrom('imports').innerJoin('authors', 'authors.id', 'imports.authorId').select(runColumns).where('imports.id', '=', id).executeTakeFirst();
}

/** The newest runs first. */
export async function listImportRuns(db: Executor, limit: number): Promise<ImportRun[]> {
  return db.selectFrom('imports').innerJoin('authors', 'authors.id', 'imports.authorId').select(runColumns).orderBy('imports.id', 'desc').limit(limit).execute();
}

/** A run's report entries in order, optionally only some outcomes (and/or the uncertain matches). */
/** Runs newest first: one author's, or everyone's (`authorId` undefined); `beforeId` pages. */
export async function listRuns(db: Executor, q: { authorId?: number; beforeId?: number; limit: number }): Promise<ImportRun[]> {
  let query = db.selectFrom('imports').innerJoin('authors', 'authors.id', 'imports.authorId').select(runColumns);
  if (q.authorId !== undefined) query = query.where('imports.authorId', '=', q.authorId);
  if (q.beforeId !== undefined) query = query.where('imports.id', '<', q.beforeId);
  return query.orderBy('imports.id', 'desc').limit(q.limit).execute();
}

export async function listImportItems(
  db: Executor,
  importId: number,
  options: { outcomes?: ImportItemRow['outcome'][]; uncertain?: boolean; afterPosition?: number; limit?: number } = {},
): Promise<ImportItemRow[]> {
  let q = db.selectFrom('importItems').selectAll().where('importId', '=', importId);
  const { outcomes, uncertain } = options;
  if (outcomes?.length || uncertain) {
    q = q.where((eb) => eb.or([...(outcomes?.length ? [eb('outcome', 'in', outcomes)] : []), ...(uncertain ? [eb('uncertain', '=', 1)] : [])]));
  }
  if (options.afterPosition !== undefined) q = q.where('position', '>', options.afterPosition);
  return q.orderBy('position').limit(options.limit ?? 1000).execute();
}

/** What a run changed and undoing it must reverse, last change first. */
export async function listImportChanges(db: Executor, importId: number): Promise<ImportItemRow[]> {
  return db
    .selectFrom('importItems')
    .selectAll()
    .where('importId', '=', importId)
    .where((eb) => eb.or([eb('workAction', '=', 'created'), eb('reviewAction', 'in', ['created', 'updated']), eb('entryAction', 'in', ['created', 'updated'])]))
    .orderBy('position', 'desc')
    .execute();
}

/**
 * A later run, not undone, that changed a review or list entry this run changed: undoing this
 * one first would put back values that run had replaced.
 */
export async function findLaterOverlappingRun(db: Executor, importId: number): Promise<number | undefined> {
  const row = await db
    .selectFrom('importItems as later')
    .innerJoin('imports', 'imports.id', 'later.importId')
    .select('later.importId')
    .where('later.importId', '>', importId)
    .where('imports.status', 'in', ['done', 'running', 'failed'])
    .where((eb) =>
      eb.or([
        eb.and([
          eb('later.reviewAction', 'in', ['created', 'updated']),
          eb(
            'later.reviewId',
            'in',
            eb.selectFrom('importItems').select('reviewId').where('importId', '=', importId).where('reviewAction', 'in', ['created', 'updated']),
          ),
        ]),
        eb.and([
          eb('later.entryAction', 'in', ['created', 'updated']),
          eb(
            'later.entryId',
            'in',
            eb.selectFrom('importItems').select('entryId').where('importId', '=', importId).where('entryAction', 'in', ['created', 'updated']),
          ),
        ]),
      ]),
    )
    .orderBy('later.importId')
    .limit(1)
    .executeTakeFirst();
  return row?.importId;
}

/** Takes the run for undoing, so that two undos of it cannot both proceed. */
export async function claimRunForUndo(db: Executor, id: number, now: string): Promise<boolean> {
  const result = await db
    .updateTable('imports')
    .set({ status: 'undone', undoneAt: now, updatedAt: now })
    .where('id', '=', id)
    .where('status', 'in', ['done', 'failed', 'running'])
    .where('undoneAt', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}
