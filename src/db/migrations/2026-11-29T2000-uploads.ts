/**
 * `uploads`: review files sent from the browser's import page, kept between the per-file
 * report and the author's "Confirm import", so that confirming imports exactly what was shown
 * whichever server instance answers. A row belongs to one user, is confirmed at most once and
 * expires after a day. Frozen once shipped, like every migration.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('uploads')
    // A random 128-bit id (base64url): the confirm form's address, checked against user_id.
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    // JSON array of { name, text }: the files as uploaded, decoded.
    .addColumn('files', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('confirmed_at', 'text')
    // JSON: the per-file result of the import, once confirmed.
    .addColumn('result', 'text')
    .execute();
  await db.schema.createIndex('uploads_user').on('uploads').column('user_id').execute();
  await db.schema.createIndex('uploads_expires').on('uploads').column('expires_at').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('uploads').execute();
}
