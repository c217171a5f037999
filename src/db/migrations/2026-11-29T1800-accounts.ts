/**
 * Accounts, and the state that must agree across server instances:
 * - `users`: who can sign in, their role, their password hash, and the author they write as;
 * - `sessions`, `login_devices`, `api_tokens`, `invites`: secrets, stored only as SHA-256 hashes;
 * - `throttles`: fixed-window counters for sign-in throttling and API rate limits;
 * - `audit_events`: sign-ins, failures, role changes, moderation — what an admin reads;
 * - `settings`: site settings changed at run time (sign-up mode);
 * - `idempotency_keys`: the answer a POST gave, for a client that retries with the same key;
 * - `review_revisions`: a review's earlier versions, one row per edit;
 * - `deleted_reviews`: a deleted review whole, recoverable for 30 days;
 * - `review_moderation`: a review an editor hid, why, and the status it had (hidden is a draft
 *   its author cannot publish again until it is unhidden).
 * Frozen once shipped, like every migration.
 */
import { sql, type Kysely } from 'kysely';

function isPostgres(db: Kysely<unknown>): boolean {
  return db.getExecutor().adapter.constructor.name.toLowerCase().includes('postgres');
}

export async function up(db: Kysely<unknown>): Promise<void> {
  const pg = isPostgres(db);
  const id = (t: ReturnType<Kysely<unknown>['schema']['createTable']>) =>
    pg
      ? t.addColumn('id', 'integer', (c) => c.primaryKey().generatedByDefaultAsIdentity())
      : t.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement());

  await id(db.schema.createTable('users'))
    // Trimmed and lower-cased: one account per address whatever its case.
    .addColumn('email', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('password_hash', 'text')
    .addColumn('author_id', 'integer', (c) => c.references('authors.id').unique())
    // The scale the author scores on by default: 5 (half stars), 10 or 100.
    .addColumn('review_scale', 'integer', (c) => c.notNull().defaultTo(5))
    .addColumn('disabled_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addCheckConstraint('users_role', sql`role in ('admin', 'editor', 'author', 'reader')`)
    .addCheckConstraint('users_review_scale', sql`review_scale in (5, 10, 100)`)
    .execute();

  await db.schema
    .createTable('sessions')
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    // Sent back in every form of the signed-in user's pages; a form without it is refused.
    .addColumn('csrf_token', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('last_seen_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('ip', 'text')
    .addColumn('user_agent', 'text')
    .execute();
  await db.schema.createIndex('sessions_user').on('sessions').column('user_id').execute();

  // A browser that has signed in to an account before: the account's lock against guessing does
  // not shut it out (OWASP's "device cookie"), so an attack cannot lock the owner out.
  await db.schema
    .createTable('login_devices')
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  await id(db.schema.createTable('api_tokens'))
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('last_used_at', 'text')
    .addColumn('revoked_at', 'text')
    .addCheckConstraint('api_tokens_scope', sql`scope in ('read', 'write')`)
    .execute();
  await db.schema.createIndex('api_tokens_user').on('api_tokens').column('user_id').execute();

  await db.schema
    .createTable('invites')
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('role', 'text', (c) => c.notNull())
    // null for the setup link the server makes when there is no admin yet.
    .addColumn('created_by', 'integer', (c) => c.references('users.id'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('used_at', 'text')
    .addColumn('used_by', 'integer', (c) => c.references('users.id'))
    .addCheckConstraint('invites_role', sql`role in ('admin', 'editor', 'author', 'reader')`)
    .execute();

  await db.schema
    .createTable('throttles')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('window_start', 'text', (c) => c.notNull())
    .addColumn('count', 'integer', (c) => c.notNull())
    .execute();

  await id(db.schema.createTable('audit_events'))
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'integer', (c) => c.references('users.id'))
    .addColumn('action', 'text', (c) => c.notNull())
    // What the action was about, in words: "user 3 (ann@example.org)", "review 42".
    .addColumn('subject', 'text')
    .addColumn('ip', 'text')
    .addColumn('detail', 'text', (c) => c.notNull().defaultTo('{}'))
    .execute();
  await db.schema.createIndex('audit_events_at').on('audit_events').column('at').execute();

  await db.schema
    .createTable('settings')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('idempotency_keys')
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('key', 'text', (c) => c.notNull())
    // The method, path and body the key was first used with: the same key with another request is an error.
    .addColumn('request_hash', 'text', (c) => c.notNull())
    .addColumn('status', 'integer', (c) => c.notNull())
    .addColumn('response', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('idempotency_keys_pk', ['user_id', 'key'])
    .execute();

  await id(db.schema.createTable('review_revisions'))
    .addColumn('review_id', 'integer', (c) => c.notNull().references('reviews.id').onDelete('cascade'))
    .addColumn('edited_at', 'text', (c) => c.notNull())
    .addColumn('edited_by', 'integer', (c) => c.references('users.id'))
    // JSON: the review's own fields as they were before this edit.
    .addColumn('previous', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('review_revisions_review').on('review_revisions').column('review_id').execute();

  await db.schema
    .createTable('deleted_reviews')
    .addColumn('review_id', 'integer', (c) => c.primaryKey())
    .addColumn('author_id', 'integer', (c) => c.notNull())
    .addColumn('work_id', 'integer', (c) => c.notNull())
    .addColumn('deleted_at', 'text', (c) => c.notNull())
    .addColumn('deleted_by', 'integer', (c) => c.references('users.id'))
    // JSON: the review row, its tags and its revisions, enough to put it back as it was.
    .addColumn('snapshot', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('review_moderation')
    .addColumn('review_id', 'integer', (c) => c.primaryKey().references('reviews.id').onDelete('cascade'))
    .addColumn('hidden_at', 'text', (c) => c.notNull())
    .addColumn('hidden_by', 'integer', (c) => c.references('users.id'))
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('previous_status', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of [
    'review_moderation',
    'deleted_reviews',
    'review_revisions',
    'idempotency_keys',
    'settings',
    'audit_events',
    'throttles',
    'invites',
    'api_tokens',
    'login_devices',
    'sessions',
    'users',
  ]) {
    await db.schema.dropTable(table).execute();
  }
}
