/**
 * Every query on list entries: an author's record of a work apart from any review (status,
 * progress, dates, times watched, their own tags). Writes run inside import transactions through
 * compiled statements (db/compiled.ts).
 */
import type { Kysely, Selectable, Transaction } from 'kysely';
import { compiled, compiledRows, inChunks, type WriteContext } from '../db/compiled.js';
import type { Database, ListEntriesTable } from '../db/schema.js';

type Executor = Kysely<Database> | Transaction<Database>;

export type ListEntryRow = Selectable<ListEntriesTable>;

/** The columns a write sets, in the order the compiled statements bind them. */
export type ListEntryWrite = Pick<ListEntryRow, 'status' | 'progress' | 'startedOn' | 'finishedOn' | 'timesWatched' | 'tags' | 'updatedAt'>;

const values = (e: ListEntryWrite) => [e.status, e.progress, e.startedOn, e.finishedOn, e.timesWatched, e.tags, e.updatedAt];
const placeholders: ListEntryWrite = { status: null, progress: 0, startedOn: '', finishedOn: '', timesWatched: 0, tags: '', updatedAt: '' };

const entryOf = compiled<ListEntryRow, [authorId: number, workId: number]>((db) =>
  db.selectFrom('listEntries').selectAll().where('authorId', '=', 0).where('workId', '=', 0),
);

export function findListEntryIn(w: WriteContext, authorId: number, workId: number): Promise<ListEntryRow | undefined> {
  return entryOf.first(w, authorId, workId);
}

const entryInsert = compiled<{ id: number }, unknown[]>((db) =>
  db
    .insertInto('listEntries')
    .values({ ...placeholders, authorId: 0, workId: 0, createdAt: '' })
    .returning('id'),
);

export async function insertListEntryIn(w: WriteContext, v: ListEntryWrite & { authorId: number; workId: number; createdAt: string }): Promise<number> {
  return (await entryInsert.first(w, ...values(v), v.authorId, v.workId, v.createdAt))!.id;
}

const entryRows = compiledRows((db, n) =>
  db
    .insertInto('listEntries')
    .values(Array.from({ length: n }, () => ({ ...placeholders, authorId: 0, workId: 0, createdAt: '' })))
    .returning(['id', 'workId']),
);

/** Inserts list entries of works that have none yet (one each); their ids by work id. */
export async function insertEntriesOfNewWorksIn(w: WriteContext, rows: (ListEntryWrite & { authorId: number; workId: number; createdAt: string })[]): Promise<Map<number, number>> {
  const inserted = await inChunks(rows, (chunk) =>
    entryRows(chunk.length).all(w, ...chunk.flatMap((v) => [...values(v), v.authorId, v.workId, v.createdAt])) as Promise<{ id: number; workId: number }[]>,
  );
  return new Map(inserted.map((r) => [r.workId, r.id]));
}

const entryUpdate = compiled<never, unknown[]>((db) => db.updateTable('listEntries').set(placeholders).where('id', '=', 0));

export async function updateListEntryIn(w: WriteContext, id: number, v: ListEntryWrite): Promise<void> {
  await entryUpdate.all(w, ...values(v), id);
}

export async function findListEntryById(db: Executor, id: number): Promise<ListEntryRow | undefined> {
  return db.selectFrom('listEntries').selectAll().where('id', '=', id).executeTakeFirst() as Promise<ListEntryRow | undefined>;
}

export async function updateListEntry(db: Executor, id: number, v: ListEntryWrite): Promise<void> {
  await db.updateTable('listEntries').set(v).where('id', '=', id).execute();
}

export async function deleteListEntry(db: Executor, id: number): Promise<void> {
  await db.deleteFrom('listEntries').where('id', '=', id).execute();
}

export async function countListEntriesOfWork(db: Executor, workId: number): Promise<number> {
  const row = await db.selectFrom('listEntries').select((eb) => eb.fn.countAll<number>().as('n')).where('workId', '=', workId).executeTakeFirstOrThrow();
  return Number(row.n);
}
