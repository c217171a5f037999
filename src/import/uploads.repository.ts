/**
 * Every query of the browser's import page: review files uploaded and waiting for the author
 * to confirm them (`uploads`, a day at most), and the import runs a user may see. Nothing of
 * an upload lives in the process: any server instance can show or confirm it.
 */
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../db/schema.js';
import type { ImportRun } from './runs.repository.js';

type Executor = Kysely<Database> | Transaction<Database>;

/** An uploaded file: its text, or why it is not text (a binary file, an empty one). */
export interface UploadedText {
  name: string;
  text: string | null;
  error?: string;
}

export interface Upload {
  id: string;
  userId: number;
  files: UploadedText[];
  createdAt: string;
  expiresAt: string;
  confirmedAt: string | null;
  result: string | null;
}

export async function insertUpload(db: Executor, v: { id: string; userId: number; files: UploadedText[]; now: string; expiresAt: string }): Promise<void> {
  await db
    .insertInto('uploads')
    .values({ id: v.id, userId: v.userId, files: JSON.stringify(v.files), createdAt: v.now, expiresAt: v.expiresAt, confirmedAt: null, result: null })
    .execute();
}

/** The user's upload, unless it expired (another user's is not found either). */
export async function findUpload(db: Executor, id: string, userId: number, now: string): Promise<Upload | undefined> {
  const row = await db.selectFrom('uploads').selectAll().where('id', '=', id).where('userId', '=', userId).where('expiresAt', '>', now).executeTakeFirst();
  return row && { ...row, files: JSON.parse(row.files) as UploadedText[] };
}

/** Marks the upload confirmed; false when it was confirmed already (by another request, perhaps). */
export async function claimUpload(db: Executor, id: string, userId: number, now: string): Promise<boolean> {
  const result = await db
    .updateTable('uploads')
    .set({ confirmedAt: now })
    .where('id', '=', id)
    .where('userId', '=', userId)
    .where('confirmedAt', 'is', null)
    .where('expiresAt', '>', now)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Lets the upload be confirmed again, after an import that could not finish. */
export async function releaseUpload(db: Executor, id: string): Promise<void> {
  await db.updateTable('uploads').set({ confirmedAt: null }).where('id', '=', id).where('result', 'is', null).execute();
}

/** Keeps the per-file result of a confirmed upload and lets go of its texts. */
export async function saveUploadResult(db: Executor, id: string, result: string): Promise<void> {
  await db.updateTable('uploads').set({ result, files: '[]' }).where('id', '=', id).execute();
}

export async function deleteExpiredUploads(db: Executor, now: string): Promise<void> {
  await db.deleteFrom('uploads').where('expiresAt', '<=', now).execute();
}

/**
 * The run `runImport` has just started for an upload: it is the one of this author, source and
 * start time (the start time is the upload's own clock reading, so two uploads do not share it).
 */
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

/** Runs newest first: one author's, or everyone's (`authorId` undefined); `beforeId` pages. */
export async function listRuns(db: Executor, q: { authorId?: number; beforeId?: number; limit: number }): Promise<ImportRun[]> {
  let query = db.selectFrom('imports').innerJoin('authors', 'authors.id', 'imports.authorId').select(runColumns);
  if (q.authorId !== undefined) query = query.where('imports.authorId', '=', q.authorId);
  if (q.beforeId !== undefined) query = query.where('imports.id', '<', q.beforeId);
  return query.orderBy('imports.id', 'desc').limit(q.limit).execute();
}
