/**
 * Every query about accounts: users, sessions, sign-in devices, API tokens, invites,
 * settings, throttle counters and the audit log.
 */
import { sql, type Kysely, type Selectable, type Transaction } from 'kysely';
import type { Database, Role, SessionsTable, TokenScope, UsersTable } from '../db/schema.js';

type Executor = Kysely<Database> | Transaction<Database>;

export type UserRow = Selectable<UsersTable>;

const USER_COLUMNS = ['id', 'email', 'name', 'role', 'passwordHash', 'authorId', 'reviewScale', 'disabledAt', 'createdAt', 'updatedAt'] as const;

// ---- users

export function findUserByEmail(db: Executor, email: string): Promise<UserRow | undefined> {
  return db.selectFrom('users').select(USER_COLUMNS).where('email', '=', email).executeTakeFirst();
}

export function findUserById(db: Executor, id: number): Promise<UserRow | undefined> {
  return db.selectFrom('users').select(USER_COLUMNS).where('id', '=', id).executeTakeFirst();
}

export function findUserByAuthor(db: Executor, authorId: number): Promise<UserRow | undefined> {
  return db.selectFrom('users').select(USER_COLUMNS).where('authorId', '=', authorId).executeTakeFirst();
}

export function listUsers(db: Executor): Promise<UserRow[]> {
  return db.selectFrom('users').select(USER_COLUMNS).orderBy('id').execute();
}

export async function countActiveAdmins(db: Executor): Promise<number> {
  const row = await db
    .selectFrom('users')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('role', '=', 'admin')
    .where('disabledAt', 'is', null)
    .where('passwordHash', 'is not', null)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function insertUser(
  db: Executor,
  v: { email: string; name: string; role: Role; passwordHash: string | null; authorId: number; now: string },
): Promise<number> {
  const row = await db
    .insertInto('users')
    .values({ email: v.email, name: v.name, role: v.role, passwordHash: v.passwordHash, authorId: v.authorId, createdAt: v.now, updatedAt: v.now })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function updateUser(
  db: Executor,
  id: number,
  patch: Partial<Pick<UserRow, 'name' | 'role' | 'passwordHash' | 'reviewScale' | 'disabledAt'>> & { updatedAt: string },
): Promise<void> {
  await db.updateTable('users').set(patch).where('id', '=', id).execute();
}

/** Only for taking back an account made a moment ago in a race it lost (an invitation used twice). */
export async function deleteUser(db: Executor, id: number): Promise<void> {
  await db.deleteFrom('users').where('id', '=', id).execute();
}

// ---- sessions

export async function insertSession(db: Executor, v: Selectable<SessionsTable>): Promise<void> {
  await db.insertInto('sessions').values(v).execute();
}

/** The session and its user, when the session exists and the user is not disabled. */
export function findSessionWithUser(db: Executor, tokenHash: string) {
  return db
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.userId')
    .select([
      'sessions.tokenHash',
      'sessions.csrfToken',
      'sessions.createdAt as sessionCreatedAt',
      'sessions.lastSeenAt',
      'sessions.expiresAt',
      ...USER_COLUMNS.map((c) => `users.${c}` as const),
    ])
    .where('sessions.tokenHash', '=', tokenHash)
    .where('users.disabledAt', 'is', null)
    .executeTakeFirst();
}

export async function touchSession(db: Executor, tokenHash: string, now: string): Promise<void> {
  await db.updateTable('sessions').set({ lastSeenAt: now }).where('tokenHash', '=', tokenHash).execute();
}

export async function deleteSession(db: Executor, tokenHash: string): Promise<void> {
  await db.deleteFrom('sessions').where('tokenHash', '=', tokenHash).execute();
}

export async function deleteSessionsOfUser(db: Executor, userId: number, except?: string): Promise<number> {
  let q = db.deleteFrom('sessions').where('userId', '=', userId);
  if (except) q = q.where('tokenHash', '!=', except);
  const result = await q.executeTakeFirst();
  return Number(result.numDeletedRows);
}

export function listSessionsOfUser(db: Executor, userId: number) {
  return db
    .selectFrom('sessions')
    .select(['tokenHash', 'createdAt', 'lastSeenAt', 'expiresAt', 'ip', 'userAgent'])
    .where('userId', '=', userId)
    .orderBy('lastSeenAt', 'desc')
    .execute();
}

// ---- devices that signed in before

export async function insertLoginDevice(db: Executor, tokenHash: string, userId: number, now: string): Promise<void> {
  await db.insertInto('loginDevices').values({ tokenHash, userId, createdAt: now }).onConflict((oc) => oc.column('tokenHash').doNothing()).execute();
}

export async function isLoginDeviceOf(db: Executor, tokenHash: string, userId: number): Promise<boolean> {
  const row = await db.selectFrom('loginDevices').select('userId').where('tokenHash', '=', tokenHash).where('userId', '=', userId).executeTakeFirst();
  return row !== undefined;
}

// ---- API tokens

export async function insertApiToken(
  db: Executor,
  v: { userId: number; name: string; tokenHash: string; scope: TokenScope; now: string },
): Promise<number> {
  const row = await db
    .insertInto('apiTokens')
    .values({ userId: v.userId, name: v.name, tokenHash: v.tokenHash, scope: v.scope, createdAt: v.now })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export function findApiTokenWithUser(db: Executor, tokenHash: string) {
  return db
    .selectFrom('apiTokens')
    .innerJoin('users', 'users.id', 'apiTokens.userId')
    .select(['apiTokens.id as tokenId', 'apiTokens.scope', 'apiTokens.lastUsedAt', ...USER_COLUMNS.map((c) => `users.${c}` as const)])
    .where('apiTokens.tokenHash', '=', tokenHash)
    .where('apiTokens.revokedAt', 'is', null)
    .where('users.disabledAt', 'is', null)
    .executeTakeFirst();
}

export async function touchApiToken(db: Executor, tokenId: number, now: string): Promise<void> {
  await db.updateTable('apiTokens').set({ lastUsedAt: now }).where('id', '=', tokenId).execute();
}

export function listApiTokensOfUser(db: Executor, userId: number) {
  return db
    .selectFrom('apiTokens')
    .select(['id', 'name', 'scope', 'createdAt', 'lastUsedAt'])
    .where('userId', '=', userId)
    .where('revokedAt', 'is', null)
    .orderBy('id')
    .execute();
}

/** Revokes the user's token; false when they have no such live token. */
export async function revokeApiToken(db: Executor, userId: number, tokenId: number, now: string): Promise<boolean> {
  const result = await db
    .updateTable('apiTokens')
    .set({ revokedAt: now })
    .where('id', '=', tokenId)
    .where('userId', '=', userId)
    .where('revokedAt', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

// ---- invites

export async function insertInvite(db: Executor, v: { tokenHash: string; role: Role; createdBy: number | null; now: string; expiresAt: string }): Promise<void> {
  await db.insertInto('invites').values({ tokenHash: v.tokenHash, role: v.role, createdBy: v.createdBy, createdAt: v.now, expiresAt: v.expiresAt }).execute();
}

export function findUsableInvite(db: Executor, tokenHash: string, now: string) {
  return db
    .selectFrom('invites')
    .select(['tokenHash', 'role', 'createdBy', 'expiresAt'])
    .where('tokenHash', '=', tokenHash)
    .where('usedAt', 'is', null)
    .where('expiresAt', '>', now)
    .executeTakeFirst();
}

/** Marks the invite used; false when someone used it first. */
export async function useInvite(db: Executor, tokenHash: string, userId: number, now: string): Promise<boolean> {
  const result = await db
    .updateTable('invites')
    .set({ usedAt: now, usedBy: userId })
    .where('tokenHash', '=', tokenHash)
    .where('usedAt', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Unused setup links (invites to be admin made by nobody) are replaced when the server makes a new one. */
export async function deleteUnusedSetupInvites(db: Executor): Promise<void> {
  await db.deleteFrom('invites').where('createdBy', 'is', null).where('usedAt', 'is', null).execute();
}

// ---- settings

export async function findSetting(db: Executor, key: string): Promise<string | undefined> {
  const row = await db.selectFrom('settings').select('value').where('key', '=', key).executeTakeFirst();
  return row?.value;
}

export async function saveSetting(db: Executor, key: string, value: string): Promise<void> {
  await db
    .insertInto('settings')
    .values({ key, value })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value }))
    .execute();
}

// ---- throttle counters (fixed windows)

/** Adds one to the counter of `key` in the window starting at `windowStart`; returns the new count. */
export async function incrementThrottle(db: Executor, key: string, windowStart: string): Promise<number> {
  const row = await db
    .insertInto('throttles')
    .values({ key, windowStart, count: 1 })
    .onConflict((oc) =>
      oc.column('key').doUpdateSet({
        count: sql`case when throttles.window_start = excluded.window_start then throttles.count + 1 else 1 end`,
        windowStart: sql`excluded.window_start`,
      }),
    )
    .returning('count')
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

/** Takes back one use of `key` in the window (a sign-in counted beforehand that succeeded). */
export async function decrementThrottle(db: Executor, key: string, windowStart: string): Promise<void> {
  await db.updateTable('throttles').set({ count: sql`count - 1` }).where('key', '=', key).where('windowStart', '=', windowStart).where('count', '>', 0).execute();
}

// ---- audit log

export interface AuditEvent {
  action: string;
  actorId?: number | null;
  subject?: string | null;
  ip?: string | null;
  detail?: Record<string, unknown>;
}

export async function insertAuditEvent(db: Executor, e: AuditEvent, now: string): Promise<void> {
  await db
    .insertInto('auditEvents')
    .values({ at: now, action: e.action, actorId: e.actorId ?? null, subject: e.subject ?? null, ip: e.ip ?? null, detail: JSON.stringify(e.detail ?? {}) })
    .execute();
}

export function listAuditEvents(db: Executor, q: { beforeId?: number; limit: number; action?: string }) {
  let query = db
    .selectFrom('auditEvents')
    .leftJoin('users', 'users.id', 'auditEvents.actorId')
    .select(['auditEvents.id', 'auditEvents.at', 'auditEvents.action', 'auditEvents.subject', 'auditEvents.ip', 'auditEvents.detail', 'users.email as actorEmail'])
    .orderBy('auditEvents.id', 'desc')
    .limit(q.limit);
  if (q.beforeId !== undefined) query = query.where('auditEvents.id', '<', q.beforeId);
  if (q.action) query = query.where('auditEvents.action', '=', q.action);
  return query.execute();
}

// ---- housekeeping

/** Removes what has expired; returns how many rows of each kind went. */
export async function deleteExpired(db: Executor, now: string, cutoffs: { throttles: string; idempotency: string; idleSessions: string; deletedReviews: string }) {
  const sessions = await db
    .deleteFrom('sessions')
    .where((eb) => eb.or([eb('expiresAt', '<=', now), eb('lastSeenAt', '<=', cutoffs.idleSessions)]))
    .executeTakeFirst();
  const throttles = await db.deleteFrom('throttles').where('windowStart', '<', cutoffs.throttles).executeTakeFirst();
  const idempotency = await db.deleteFrom('idempotencyKeys').where('createdAt', '<', cutoffs.idempotency).executeTakeFirst();
  const invites = await db.deleteFrom('invites').where('usedAt', 'is', null).where('expiresAt', '<=', now).executeTakeFirst();
  const deletedReviews = await db.deleteFrom('deletedReviews').where('deletedAt', '<', cutoffs.deletedReviews).executeTakeFirst();
  return {
    deletedReviews: Number(deletedReviews.numDeletedRows),
    sessions: Number(sessions.numDeletedRows),
    throttles: Number(throttles.numDeletedRows),
    idempotencyKeys: Number(idempotency.numDeletedRows),
    invites: Number(invites.numDeletedRows),
  };
}
