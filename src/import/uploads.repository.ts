/**
 * Every query of the browser's import page: review files uploaded and waiting for the author
 * to confirm them (`uploads`, a day at most). Nothing of
 * an upload lives in the process: any server instance can show or confirm it.
 */
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../db/schema.js';

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
