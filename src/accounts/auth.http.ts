/**
 * Who is asking, for the HTTP layer: the site's session cookie (with CSRF checks on every
 * form), and the API's bearer tokens. Public pages never read the cookie, so they stay the
 * same for everyone and a shared cache may keep them.
 */
import { timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import '@fastify/cookie';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { AppError, forbidden, unauthorized } from '../shared/errors.js';
import { resolveApiToken, resolveSession, SESSION_MAX_MS, type CurrentSession, type SignedIn, type TokenUser } from './accounts.service.js';
import { can, type Action } from './permissions.js';
import type { UserRow } from './accounts.repository.js';
import { urls } from '../shared/urls.js';

/** Whether cookies are marked `Secure` (and take the `__Host-` prefix): when the site is served over HTTPS. */
export interface CookiePolicy {
  secure: boolean;
}

/** Cookies are `Secure` when the site's public address is https. */
export function cookiePolicyFor(publicUrl: string): CookiePolicy {
  return { secure: publicUrl.startsWith('https:') };
}

export function cookieNames(policy: CookiePolicy) {
  const prefix = policy.secure ? '__Host-' : '';
  return { session: `${prefix}kansou_session`, device: `${prefix}kansou_device` };
}

const DEVICE_MAX_AGE_S = 365 * 24 * 3600;

const cookieOptions = (policy: CookiePolicy, maxAge: number) =>
  ({ path: '/', maxAge, httpOnly: true, sameSite: 'lax', secure: policy.secure }) as const;

export function cookieValue(request: FastifyRequest, name: string): string | undefined {
  return request.cookies?.[name];
}

const sessions = new WeakMap<FastifyRequest, Promise<CurrentSession | undefined>>();

/** The signed-in user of the request's session cookie (looked up once per request). */
export function currentSession(db: Kysely<Database>, request: FastifyRequest, policy: CookiePolicy): Promise<CurrentSession | undefined> {
  let found = sessions.get(request);
  if (!found) {
    const token = cookieValue(request, cookieNames(policy).session);
    found = token ? resolveSession(db, token) : Promise.resolve(undefined);
    sessions.set(request, found);
  }
  return found;
}

export async function requireSession(db: Kysely<Database>, request: FastifyRequest, policy: CookiePolicy): Promise<CurrentSession> {
  const session = await currentSession(db, request, policy);
  if (!session) throw unauthorized();
  return session;
}

/** Sets the session and device cookies after signing in. */
export function setSignInCookies(reply: FastifyReply, signedIn: SignedIn, policy: CookiePolicy): void {
  const names = cookieNames(policy);
  reply.setCookie(names.session, signedIn.session, cookieOptions(policy, Math.floor(SESSION_MAX_MS / 1000)));
  reply.setCookie(names.device, signedIn.device, cookieOptions(policy, DEVICE_MAX_AGE_S));
}

export function clearSessionCookie(reply: FastifyReply, policy: CookiePolicy): void {
  reply.clearCookie(cookieNames(policy).session, cookieOptions(policy, 0));
}

/**
 * A state-changing form must come from this site: the browser's `Origin` (or, lacking it,
 * `Referer`) must be the site's own address, and a signed-in user's form must carry the
 * session's CSRF token. Either check alone stops a cross-site form; both guard against a
 * browser or proxy that drops one of the headers.
 */
export function checkCsrf(request: FastifyRequest, allowedOrigins: readonly string[], session?: CurrentSession): void {
  const origin = request.headers.origin ?? refererOrigin(request.headers.referer);
  if (!origin || !allowedOrigins.includes(origin)) {
    throw new AppError('csrf', 'This form was sent from another site (or without an Origin header) and was refused. Reload the page and try again.');
  }
  if (session) {
    const sent = (request.body as Record<string, unknown> | undefined)?._csrf;
    if (typeof sent !== 'string' || !sameSecret(sent, session.csrfToken)) {
      throw new AppError('csrf', 'This form has expired or was not sent from this site. Reload the page and try again.');
    }
  }
}

function refererOrigin(referer: string | undefined): string | undefined {
  if (!referer) return undefined;
  try {
    return new URL(referer).origin;
  } catch {
    return undefined;
  }
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The origins a form may come from: the public address, and the address the request came to. */
export function allowedOrigins(publicUrl: string, request: FastifyRequest): string[] {
  const own = new URL(publicUrl).origin;
  const host = request.headers.host;
  return host ? [own, `${request.protocol}://${host}`] : [own];
}

/**
 * For a signed-in page: the session, when its user may do `action` (if one is named; 403
 * otherwise). Signed out, a 303 to the sign-in page (and back here afterwards) is sent and the
 * answer is undefined.
 */
export async function pageSession(
  db: Kysely<Database>,
  request: FastifyRequest,
  reply: FastifyReply,
  publicUrl: string,
  need?: { action: Action; refusal: string },
): Promise<CurrentSession | undefined> {
  const session = await currentSession(db, request, cookiePolicyFor(publicUrl));
  if (!session) {
    void reply.header('cache-control', 'private, no-store').redirect(urls.login(request.url), 303);
    return undefined;
  }
  if (need && !can(session.user, need.action)) throw forbidden(need.refusal);
  return session;
}

/**
 * For a form sent to a signed-in page: refused unless it came from this site and carries the
 * session's CSRF token; refused (403) when its user may not do `action`. Undefined when signed
 * out: each form decides what to answer then (keep what was typed, or send to sign in).
 */
export async function formSession(
  db: Kysely<Database>,
  request: FastifyRequest,
  publicUrl: string,
  need?: { action: Action; refusal: string },
): Promise<CurrentSession | undefined> {
  const session = await currentSession(db, request, cookiePolicyFor(publicUrl));
  checkCsrf(request, allowedOrigins(publicUrl, request), session);
  if (session && need && !can(session.user, need.action)) throw forbidden(need.refusal);
  return session;
}

// ---- the API

const callers = new WeakMap<FastifyRequest, Promise<TokenUser | undefined>>();

/** The owner of the request's `Authorization: Bearer` token, if it carries a valid one. */
export function apiCaller(db: Kysely<Database>, request: FastifyRequest): Promise<TokenUser | undefined> {
  let found = callers.get(request);
  if (!found) {
    const header = request.headers.authorization;
    const match = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
    if (header && !match) found = Promise.reject(unauthorized('The Authorization header must be "Bearer <token>".'));
    else found = match ? resolveApiToken(db, match[1]!) : Promise.resolve(undefined);
    callers.set(request, found);
  }
  return found;
}

/**
 * The API caller allowed to do `action` (with a write-scoped token for anything that changes
 * data); 401 without a valid token, 403 when the token or its owner may not.
 */
export async function requireApiCaller(
  db: Kysely<Database>,
  request: FastifyRequest,
  need: { scope: 'read' | 'write'; action?: Action; ownerAuthorId?: number },
): Promise<UserRow> {
  const caller = await apiCaller(db, request);
  if (!caller) throw unauthorized('This needs an API token: send "Authorization: Bearer <token>".');
  if (need.scope === 'write' && caller.scope !== 'write') throw forbidden('This token is read-only; it cannot change anything.');
  if (need.action && !can(caller.user, need.action, need.ownerAuthorId)) throw forbidden();
  return caller.user;
}
