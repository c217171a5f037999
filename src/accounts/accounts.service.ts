/**
 * Accounts: creating users, passwords, signing in and out, sessions, API tokens, invites,
 * the sign-up setting and the audit log. The site's forms, the API and the `kansou user`
 * command all come through here, so the rules are the same everywhere.
 */
import type { Kysely } from 'kysely';
import type { Database, Role, TokenScope } from '../db/schema.js';
import { AppError, forbidden, invalidInput, notFound } from '../shared/errors.js';
import { cleanName, nameKey } from '../shared/text.js';
import { findNamedByKey, findOrCreateNamed, renameNamed } from '../works/names.repository.js';
import * as repo from './accounts.repository.js';
import type { UserRow } from './accounts.repository.js';
import pLimit from 'p-limit';
import { decoyHash, hashPassword, passwordProblem, verifyPassword } from './passwords.js';
import { hashSecret, newSecret } from './secrets.js';
import { ROLES, SIGNUP_MODES, type SignupMode } from './permissions.js';

export { ROLES, SIGNUP_MODES, type SignupMode };

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** A session ends a week after its last use, and a month after sign-in whatever happens. */
export const SESSION_IDLE_MS = 7 * DAY;
export const SESSION_MAX_MS = 30 * DAY;
/** Last use is written at most this often, so reading pages does not write on every request. */
const SESSION_TOUCH_MS = 5 * MINUTE;

/** Failed sign-ins allowed per window before the next attempt is refused without checking the password. */
export const LOGIN_LIMITS = {
  ip: { max: 10, windowMs: MINUTE },
  account: { max: 25, windowMs: HOUR },
};

export const INVITE_DAYS = 7;
export const TOKEN_PREFIX = 'kansou_';

export type Clock = () => Date;
const systemClock: Clock = () => new Date();

export interface Actor {
  /** The user doing it; null for the command line run by the operator. */
  userId: number | null;
  ip?: string | null;
}

export interface PublicUser {
  id: number;
  email: string;
  name: string;
  role: Role;
  authorId: number | null;
  reviewScale: number;
  disabled: boolean;
  createdAt: string;
}

export function publicUser(u: UserRow): PublicUser {
  return {
    id: u.id,
    email: u.email,
    name: u.name,
    role: u.role,
    authorId: u.authorId,
    reviewScale: u.reviewScale,
    disabled: u.disabledAt !== null,
    createdAt: u.createdAt,
  };
}

// ---- input rules, shared by the forms, the API and the command line

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/u;

export function normaliseEmail(raw: string): string {
  const email = raw.trim().toLowerCase();
  if (!EMAIL.test(email) || email.length > 254) throw invalidInput(`email: "${raw.slice(0, 80)}" is not an email address`);
  return email;
}

export function checkDisplayName(raw: string): string {
  const name = cleanName(raw);
  if (!name) throw invalidInput('name: a display name is required');
  if ([...name].length > 100) throw invalidInput('name: at most 100 characters');
  if (!nameKey(name)) throw invalidInput('name: must contain at least one letter or digit');
  return name;
}

export function checkRole(raw: string): Role {
  if (!(ROLES as readonly string[]).includes(raw)) throw invalidInput(`role: must be one of ${ROLES.join(', ')} (got "${raw.slice(0, 40)}")`);
  return raw as Role;
}

export function checkNewPassword(password: string, email?: string): void {
  const problem = passwordProblem(password, email);
  if (problem) throw invalidInput(`password: ${problem}`);
}

// ---- users

export interface NewUser {
  email: string;
  name: string;
  role: Role;
  /** null: the account exists but cannot sign in until a password is set. */
  password: string | null;
  /**
   * When an author of that name already exists without an account, the new account writes as
   * them (the operator at the command line claiming their imported reviews). Sign-up through
   * the site never does: a name in use there is refused.
   */
  claimAuthor?: boolean;
}

export async function createUser(db: Kysely<Database>, input: NewUser, actor: Actor, clock: Clock = systemClock): Promise<UserRow> {
  const email = normaliseEmail(input.email);
  const name = checkDisplayName(input.name);
  const role = checkRole(input.role);
  if (input.password !== null) checkNewPassword(input.password, email);
  const passwordHash = input.password === null ? null : await hashPassword(input.password);
  const now = clock().toISOString();
  return db.transaction().execute(async (trx) => {
    if (await repo.findUserByEmail(trx, email)) throw new AppError('conflict', `email: an account with ${email} already exists`);
    const existing = await findNamedByKey(trx, 'authors', nameKey(name));
    if (existing && (!input.claimAuthor || (await repo.findUserByAuthor(trx, existing.id)))) {
      throw new AppError('conflict', `name: "${name}" is already the name of an author here; choose another`);
    }
    const author = existing ?? (await findOrCreateNamed(trx, 'authors', name, now));
    const id = await repo.insertUser(trx, { email, name, role, passwordHash, authorId: author.id, now });
    await repo.insertAuditEvent(trx, { action: 'user_created', actorId: actor.userId, ip: actor.ip, subject: describeUser(id, email), detail: { role } }, now);
    return (await repo.findUserById(trx, id))!;
  });
}

const describeUser = (id: number, email: string) => `user ${id} (${email})`;

export async function userByEmail(db: Kysely<Database>, rawEmail: string): Promise<UserRow> {
  const email = normaliseEmail(rawEmail);
  const user = await repo.findUserByEmail(db, email);
  if (!user) throw notFound(`An account with ${email}`);
  return user;
}

export async function userById(db: Kysely<Database>, id: number): Promise<UserRow> {
  const user = await repo.findUserById(db, id);
  if (!user) throw notFound(`User ${id}`);
  return user;
}

export function listUsers(db: Kysely<Database>): Promise<UserRow[]> {
  return repo.listUsers(db);
}

/** Sets a new password and signs the user out everywhere (except `keepSession`, the one making the change). */
export async function setPassword(
  db: Kysely<Database>,
  userId: number,
  password: string,
  actor: Actor,
  options: { keepSession?: string } = {},
  clock: Clock = systemClock,
): Promise<void> {
  const user = await userById(db, userId);
  checkNewPassword(password, user.email);
  const passwordHash = await hashPassword(password);
  const now = clock().toISOString();
  await db.transaction().execute(async (trx) => {
    await repo.updateUser(trx, userId, { passwordHash, updatedAt: now });
    const ended = await repo.deleteSessionsOfUser(trx, userId, options.keepSession ? hashSecret(options.keepSession) : undefined);
    await repo.insertAuditEvent(trx, { action: 'password_changed', actorId: actor.userId, ip: actor.ip, subject: describeUser(userId, user.email), detail: { sessionsEnded: ended } }, now);
  });
}

async function refuseLosingLastAdmin(db: Kysely<Database>, user: UserRow): Promise<void> {
  if (user.role === 'admin' && user.disabledAt === null && (await repo.countActiveAdmins(db)) <= 1) {
    throw new AppError('conflict', `${user.email} is the only admin; make another admin first`);
  }
}

export async function setRole(db: Kysely<Database>, userId: number, rawRole: string, actor: Actor, clock: Clock = systemClock): Promise<UserRow> {
  const role = checkRole(rawRole);
  const user = await userById(db, userId);
  if (user.role === role) return user;
  if (actor.userId === userId) throw forbidden('You cannot change your own role.');
  await refuseLosingLastAdmin(db, user);
  const now = clock().toISOString();
  await db.transaction().execute(async (trx) => {
    await repo.updateUser(trx, userId, { role, updatedAt: now });
    await repo.insertAuditEvent(trx, { action: 'role_changed', actorId: actor.userId, ip: actor.ip, subject: describeUser(userId, user.email), detail: { from: user.role, to: role } }, now);
  });
  return userById(db, userId);
}

/** A disabled account cannot sign in, and its sessions and tokens stop working at once. */
export async function setDisabled(db: Kysely<Database>, userId: number, disabled: boolean, actor: Actor, clock: Clock = systemClock): Promise<UserRow> {
  const user = await userById(db, userId);
  if ((user.disabledAt !== null) === disabled) return user;
  if (disabled) {
    if (actor.userId === userId) throw forbidden('You cannot disable your own account.');
    await refuseLosingLastAdmin(db, user);
  }
  const now = clock().toISOString();
  await db.transaction().execute(async (trx) => {
    await repo.updateUser(trx, userId, { disabledAt: disabled ? now : null, updatedAt: now });
    if (disabled) await repo.deleteSessionsOfUser(trx, userId);
    await repo.insertAuditEvent(trx, { action: disabled ? 'user_disabled' : 'user_enabled', actorId: actor.userId, ip: actor.ip, subject: describeUser(userId, user.email) }, now);
  });
  return userById(db, userId);
}

export interface ProfilePatch {
  name?: string;
  reviewScale?: number;
}

/** What a user may change about themselves: their display name and default scale (never their role). */
export async function updateProfile(db: Kysely<Database>, userId: number, patch: ProfilePatch, clock: Clock = systemClock): Promise<UserRow> {
  const user = await userById(db, userId);
  const set: { name?: string; reviewScale?: number } = {};
  if (patch.name !== undefined) set.name = checkDisplayName(patch.name);
  if (patch.reviewScale !== undefined) {
    if (![5, 10, 100].includes(patch.reviewScale)) throw invalidInput('reviewScale: must be 5, 10 or 100');
    set.reviewScale = patch.reviewScale;
  }
  if (Object.keys(set).length === 0) return user;
  const now = clock().toISOString();
  await db.transaction().execute(async (trx) => {
    if (set.name !== undefined && set.name !== user.name && user.authorId !== null) {
      // The author page carries the display name: rename the author too, unless the name is someone else's.
      const holder = await findNamedByKey(trx, 'authors', nameKey(set.name));
      if (holder && holder.id !== user.authorId) throw new AppError('conflict', `name: "${set.name}" is already the name of an author here; choose another`);
      await renameNamed(trx, 'authors', user.authorId, set.name, nameKey(set.name));
    }
    await repo.updateUser(trx, userId, { ...set, updatedAt: now });
  });
  return userById(db, userId);
}

// ---- throttling

function windowStart(now: Date, windowMs: number): { start: string; retryAfter: number } {
  const start = Math.floor(now.getTime() / windowMs) * windowMs;
  return { start: new Date(start).toISOString(), retryAfter: Math.max(1, Math.ceil((start + windowMs - now.getTime()) / 1000)) };
}

export interface Limit {
  max: number;
  windowMs: number;
}

/**
 * Counts one use of `key` against `limit` (fixed windows kept in the database, so every
 * instance sees the same count); the state after counting it.
 */
export async function countUse(db: Kysely<Database>, key: string, limit: Limit, clock: Clock = systemClock) {
  const w = windowStart(clock(), limit.windowMs);
  const count = await repo.incrementThrottle(db, key, w.start);
  return { allowed: count <= limit.max, remaining: Math.max(0, limit.max - count), resetSeconds: w.retryAfter };
}

const tooMany = (retryAfter: number) =>
  new AppError('too_many_requests', `Too many failed sign-ins; try again in ${retryAfter} seconds.`, { retryAfter });

// ---- signing in

export interface SignInInput {
  email: string;
  password: string;
  ip: string;
  userAgent?: string | null;
  /** The device cookie this browser holds, if any. */
  device?: string | null;
  /** The session cookie this browser holds, if any: it is ended, so signing in always starts a new session. */
  previousSession?: string | null;
}

export interface SignedIn {
  user: UserRow;
  session: string;
  csrfToken: string;
  expiresAt: string;
  /** The device cookie to set (a new one when the browser had none for this account). */
  device: string;
}

const WRONG = 'Wrong email or password.';

/**
 * Passwords of browsers that have not signed in to the account before (an attacker's guesses,
 * or a first sign-in) are checked one at a time per process, and at most this many wait: a
 * flood of guesses takes one thread of the hashing pool, not the CPU the owner's sign-in needs.
 */
const untrustedChecks = pLimit(1);
const UNTRUSTED_QUEUE = 20;

/**
 * Counts the attempt against the limits first (an atomic increment, so concurrent guesses
 * cannot all slip past a check made before any of them is counted) and only then checks the
 * password: a refused guess costs a database write, not a hash. A sign-in that succeeds gives
 * its count back. A browser that signed in to the account before is not held by the account's
 * limit (only by its address's), so guessing cannot lock the owner out.
 */
export async function signIn(db: Kysely<Database>, input: SignInInput, clock: Clock = systemClock): Promise<SignedIn> {
  const now = clock();
  const email = input.email.trim().toLowerCase().slice(0, 254);
  const ipKey = `login:ip:${input.ip}`;
  const accountKey = `login:account:${email}`;
  const ipWindow = windowStart(now, LOGIN_LIMITS.ip.windowMs);
  const accountWindow = windowStart(now, LOGIN_LIMITS.account.windowMs);

  const ipCount = await repo.incrementThrottle(db, ipKey, ipWindow.start);
  if (ipCount > LOGIN_LIMITS.ip.max) throw tooMany(ipWindow.retryAfter);
  const user = email ? await repo.findUserByEmail(db, email) : undefined;
  const trusted = Boolean(user && input.device && (await repo.isLoginDeviceOf(db, hashSecret(input.device), user.id)));
  let accountCount = 0;
  if (!trusted) {
    accountCount = await repo.incrementThrottle(db, accountKey, accountWindow.start);
    if (accountCount > LOGIN_LIMITS.account.max) throw tooMany(accountWindow.retryAfter);
  }

  const usable = user && user.passwordHash && user.disabledAt === null ? user : undefined;
  const stored = usable?.passwordHash ?? (await decoyHash());
  const password = input.password.slice(0, 1024);
  let check: { ok: boolean; outdated: boolean };
  if (trusted) check = await verifyPassword(password, stored);
  else {
    if (untrustedChecks.pendingCount >= UNTRUSTED_QUEUE) {
      throw new AppError('too_many_requests', 'Too many sign-ins are being checked right now; try again in a few seconds.', { retryAfter: 5 });
    }
    check = await untrustedChecks(() => verifyPassword(password, stored));
  }
  const iso = now.toISOString();
  if (!usable || !check.ok) {
    const locked = ipCount === LOGIN_LIMITS.ip.max ? 'address' : accountCount === LOGIN_LIMITS.account.max ? 'account' : undefined;
    await repo.insertAuditEvent(
      db,
      {
        action: 'sign_in_failed',
        actorId: user?.id ?? null,
        ip: input.ip,
        subject: email.slice(0, 254),
        detail: { reason: !user ? 'no such account' : user.disabledAt ? 'disabled' : !user.passwordHash ? 'no password set' : 'wrong password', ...(locked ? { locked } : {}) },
      },
      iso,
    );
    throw new AppError('unauthorized', WRONG);
  }
  // Only failures count against the limits.
  await repo.decrementThrottle(db, ipKey, ipWindow.start);
  if (!trusted) await repo.decrementThrottle(db, accountKey, accountWindow.start);

  const session = newSecret();
  const csrfToken = newSecret();
  const device = trusted ? input.device! : newSecret();
  const expiresAt = new Date(now.getTime() + SESSION_MAX_MS).toISOString();
  const passwordHash = check.outdated ? await hashPassword(input.password) : undefined;
  await db.transaction().execute(async (trx) => {
    if (passwordHash) await repo.updateUser(trx, usable.id, { passwordHash, updatedAt: iso });
    if (input.previousSession) await repo.deleteSession(trx, hashSecret(input.previousSession));
    await repo.insertSession(trx, {
      tokenHash: hashSecret(session),
      userId: usable.id,
      csrfToken,
      createdAt: iso,
      lastSeenAt: iso,
      expiresAt,
      ip: input.ip,
      userAgent: input.userAgent?.slice(0, 300) ?? null,
    });
    if (!trusted) await repo.insertLoginDevice(trx, hashSecret(device), usable.id, iso);
    await repo.insertAuditEvent(trx, { action: 'sign_in', actorId: usable.id, ip: input.ip, subject: describeUser(usable.id, usable.email), detail: passwordHash ? { hashUpgraded: true } : {} }, iso);
  });
  return { user: usable, session, csrfToken, expiresAt, device };
}

export interface CurrentSession {
  user: UserRow;
  csrfToken: string;
  /** The session cookie's value (to end it, or to keep it when changing the password). */
  token: string;
}

/** The signed-in user of a session cookie; undefined when it is unknown, expired or idle too long. */
export async function resolveSession(db: Kysely<Database>, token: string, clock: Clock = systemClock): Promise<CurrentSession | undefined> {
  if (!token || token.length > 100) return undefined;
  const tokenHash = hashSecret(token);
  const row = await repo.findSessionWithUser(db, tokenHash);
  if (!row) return undefined;
  const now = clock().getTime();
  const lastSeen = Date.parse(row.lastSeenAt);
  if (Date.parse(row.expiresAt) <= now || lastSeen + SESSION_IDLE_MS <= now) {
    await repo.deleteSession(db, tokenHash);
    return undefined;
  }
  if (now - lastSeen > SESSION_TOUCH_MS) await repo.touchSession(db, tokenHash, new Date(now).toISOString());
  const { tokenHash: _t, csrfToken, sessionCreatedAt: _c, lastSeenAt: _l, expiresAt: _e, ...user } = row;
  return { user, csrfToken, token };
}

export async function signOut(db: Kysely<Database>, token: string, actor: Actor, clock: Clock = systemClock): Promise<void> {
  const current = await resolveSession(db, token, clock);
  await repo.deleteSession(db, hashSecret(token));
  if (current) await repo.insertAuditEvent(db, { action: 'sign_out', actorId: current.user.id, ip: actor.ip, subject: describeUser(current.user.id, current.user.email) }, clock().toISOString());
}

/** Ends every session of the user but `keep` (the one asking). */
export async function signOutEverywhere(db: Kysely<Database>, userId: number, actor: Actor, keep?: string, clock: Clock = systemClock): Promise<number> {
  const ended = await repo.deleteSessionsOfUser(db, userId, keep ? hashSecret(keep) : undefined);
  await repo.insertAuditEvent(db, { action: 'signed_out_everywhere', actorId: actor.userId, ip: actor.ip, subject: `user ${userId}`, detail: { sessionsEnded: ended } }, clock().toISOString());
  return ended;
}

export function listSessions(db: Kysely<Database>, userId: number) {
  return repo.listSessionsOfUser(db, userId);
}

/**
 * What a page may show to name one of the user's sessions: derived from the stored hash, so
 * neither the cookie nor the database key ever reaches a page.
 */
export function sessionReference(tokenHash: string): string {
  return hashSecret(`session reference ${tokenHash}`).slice(0, 32);
}

/**
 * Ends one of the user's own sessions, named by `sessionReference` (never `keep`, the one
 * asking: signing out does that). False when no such session of theirs is left.
 */
export async function endSession(db: Kysely<Database>, userId: number, reference: string, actor: Actor, keep: string, clock: Clock = systemClock): Promise<boolean> {
  const kept = hashSecret(keep);
  const found = (await repo.listSessionsOfUser(db, userId)).find((s) => s.tokenHash !== kept && sessionReference(s.tokenHash) === reference);
  if (!found) return false;
  await repo.deleteSession(db, found.tokenHash);
  await repo.insertAuditEvent(
    db,
    { action: 'session_ended', actorId: actor.userId, ip: actor.ip, subject: `user ${userId}`, detail: { ip: found.ip, userAgent: found.userAgent, signedInAt: found.createdAt } },
    clock().toISOString(),
  );
  return true;
}

// ---- API tokens

export async function createApiToken(
  db: Kysely<Database>,
  userId: number,
  input: { name: string; scope: string },
  actor: Actor,
  clock: Clock = systemClock,
): Promise<{ id: number; token: string; scope: TokenScope; name: string }> {
  const user = await userById(db, userId);
  if (user.disabledAt) throw new AppError('conflict', `${user.email} is disabled`);
  if (input.scope !== 'read' && input.scope !== 'write') throw invalidInput(`scope: must be read or write (got "${String(input.scope).slice(0, 20)}")`);
  const name = cleanName(input.name ?? '') || 'API token';
  if ([...name].length > 100) throw invalidInput('name: at most 100 characters');
  const token = newSecret(TOKEN_PREFIX);
  const now = clock().toISOString();
  const id = await db.transaction().execute(async (trx) => {
    const id = await repo.insertApiToken(trx, { userId, name, tokenHash: hashSecret(token), scope: input.scope as TokenScope, now });
    await repo.insertAuditEvent(trx, { action: 'token_created', actorId: actor.userId, ip: actor.ip, subject: describeUser(userId, user.email), detail: { tokenId: id, scope: input.scope } }, now);
    return id;
  });
  return { id, token, scope: input.scope, name };
}

export async function revokeApiToken(db: Kysely<Database>, userId: number, tokenId: number, actor: Actor, clock: Clock = systemClock): Promise<void> {
  const now = clock().toISOString();
  if (!(await repo.revokeApiToken(db, userId, tokenId, now))) throw notFound(`API token ${tokenId}`);
  await repo.insertAuditEvent(db, { action: 'token_revoked', actorId: actor.userId, ip: actor.ip, subject: `user ${userId}`, detail: { tokenId } }, now);
}

export function listApiTokens(db: Kysely<Database>, userId: number) {
  return repo.listApiTokensOfUser(db, userId);
}

export interface TokenUser {
  user: UserRow;
  scope: TokenScope;
  tokenId: number;
}

export async function resolveApiToken(db: Kysely<Database>, token: string, clock: Clock = systemClock): Promise<TokenUser | undefined> {
  if (!token.startsWith(TOKEN_PREFIX) || token.length > 100) return undefined;
  const row = await repo.findApiTokenWithUser(db, hashSecret(token));
  if (!row) return undefined;
  const now = clock();
  if (!row.lastUsedAt || now.getTime() - Date.parse(row.lastUsedAt) > SESSION_TOUCH_MS) await repo.touchApiToken(db, row.tokenId, now.toISOString());
  const { tokenId, scope, lastUsedAt: _l, ...user } = row;
  return { user, scope, tokenId };
}

// ---- invites, the setup link and the sign-up setting

export async function createInvite(db: Kysely<Database>, rawRole: string, actor: Actor, clock: Clock = systemClock): Promise<{ token: string; expiresAt: string }> {
  const role = checkRole(rawRole);
  const now = clock();
  const token = newSecret();
  const expiresAt = new Date(now.getTime() + INVITE_DAYS * DAY).toISOString();
  await db.transaction().execute(async (trx) => {
    await repo.insertInvite(trx, { tokenHash: hashSecret(token), role, createdBy: actor.userId, now: now.toISOString(), expiresAt });
    await repo.insertAuditEvent(trx, { action: 'invite_created', actorId: actor.userId, ip: actor.ip, detail: { role, expiresAt } }, now.toISOString());
  });
  return { token, expiresAt };
}

/** The role an invite link gives, or undefined when it is unknown, used or expired. */
export async function inviteRole(db: Kysely<Database>, token: string, clock: Clock = systemClock): Promise<Role | undefined> {
  if (!token || token.length > 100) return undefined;
  return (await repo.findUsableInvite(db, hashSecret(token), clock().toISOString()))?.role;
}

/** Creates the account an invite (or the setup link) is for; the invite is used up. */
export async function acceptInvite(
  db: Kysely<Database>,
  token: string,
  input: { email: string; name: string; password: string },
  ip: string | null,
  clock: Clock = systemClock,
): Promise<UserRow> {
  const role = await inviteRole(db, token, clock);
  if (!role) throw new AppError('not_found', 'This invitation link is unknown, already used or expired.');
  const user = await createUser(db, { ...input, role, claimAuthor: false }, { userId: null, ip }, clock);
  if (!(await repo.useInvite(db, hashSecret(token), user.id, clock().toISOString()))) {
    // Someone used the link in the meantime: the link was for one account.
    await repo.deleteUser(db, user.id);
    throw new AppError('conflict', 'This invitation link has just been used.');
  }
  return user;
}

/**
 * When no admin can sign in, a one-time link to create the first admin account (the server
 * prints it on start); undefined when there is an admin. A new link replaces the old one.
 */
export async function setupLink(db: Kysely<Database>, clock: Clock = systemClock): Promise<string | undefined> {
  if ((await repo.countActiveAdmins(db)) > 0) return undefined;
  const now = clock();
  const token = newSecret();
  await db.transaction().execute(async (trx) => {
    await repo.deleteUnusedSetupInvites(trx);
    await repo.insertInvite(trx, { tokenHash: hashSecret(token), role: 'admin', createdBy: null, now: now.toISOString(), expiresAt: new Date(now.getTime() + DAY).toISOString() });
  });
  return token;
}

export async function signupMode(db: Kysely<Database>): Promise<SignupMode> {
  const value = await repo.findSetting(db, 'signup');
  return (SIGNUP_MODES as readonly string[]).includes(value ?? '') ? (value as SignupMode) : 'closed';
}

export async function setSignupMode(db: Kysely<Database>, mode: string, actor: Actor, clock: Clock = systemClock): Promise<void> {
  if (!(SIGNUP_MODES as readonly string[]).includes(mode)) throw invalidInput(`signup: must be one of ${SIGNUP_MODES.join(', ')}`);
  const now = clock().toISOString();
  await db.transaction().execute(async (trx) => {
    await repo.saveSetting(trx, 'signup', mode);
    await repo.insertAuditEvent(trx, { action: 'signup_mode_changed', actorId: actor.userId, ip: actor.ip, detail: { mode } }, now);
  });
}

/** Open sign-up makes authors: people come here to write. */
export async function signUp(db: Kysely<Database>, input: { email: string; name: string; password: string }, ip: string | null, clock: Clock = systemClock): Promise<UserRow> {
  if ((await signupMode(db)) !== 'open') throw forbidden('Sign-up is closed on this site; ask an admin for an invitation.');
  return createUser(db, { ...input, role: 'author', claimAuthor: false }, { userId: null, ip }, clock);
}

// ---- audit log and housekeeping

export function recordAudit(db: Kysely<Database>, event: repo.AuditEvent, clock: Clock = systemClock): Promise<void> {
  return repo.insertAuditEvent(db, event, clock().toISOString());
}

export function auditLog(db: Kysely<Database>, q: { beforeId?: number; limit?: number; action?: string }) {
  return repo.listAuditEvents(db, { ...q, limit: Math.min(q.limit ?? 100, 500) });
}

/** A deleted review can be restored for this long. */
export const DELETED_REVIEW_KEEP_MS = 30 * DAY;

/** Drops expired sessions, invites and idempotency keys, throttle windows long past, and reviews deleted over 30 days ago. */
export function pruneExpired(db: Kysely<Database>, clock: Clock = systemClock) {
  const now = clock().getTime();
  return repo.deleteExpired(db, new Date(now).toISOString(), {
    throttles: new Date(now - 2 * HOUR).toISOString(),
    idempotency: new Date(now - DAY).toISOString(),
    idleSessions: new Date(now - SESSION_IDLE_MS).toISOString(),
    deletedReviews: new Date(now - DELETED_REVIEW_KEEP_MS).toISOString(),
  });
}
