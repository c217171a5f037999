/**
 * The signed-in part of the site: sign-in and sign-out, the account page, invitations and
 * the setup link, sign-up, and the admin pages. Every answer is private (never cached); every
 * form is checked against cross-site requests.
 *
 * A form that fails comes back (with the status of what went wrong) showing the messages next
 * to the fields and what was typed, passwords excepted; a form that worked redirects (303).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import formbody from '@fastify/formbody';
import type { VNode } from 'preact';
import type { Role } from '../db/schema.js';
import type { Site } from '../site/site.context.js';
import { absoluteUrl } from '../site/site.context.js';
import { registerSecurityHeaders, sendPage } from '../site/http.js';
import { errorPage } from '../site/error.pages.js';
import { AppError, forbidden, invalidInput, unauthorized } from '../shared/errors.js';
import {
  acceptInvite,
  auditLog,
  countUse,
  createApiToken,
  createInvite,
  endSession,
  inviteRole,
  listApiTokens,
  listSessions,
  listUsers,
  revokeApiToken,
  sessionReference,
  setDisabled,
  setPassword,
  setRole,
  setSignupMode,
  signIn,
  signOut,
  signOutEverywhere,
  signUp,
  signupMode,
  updateProfile,
  type CurrentSession,
} from './accounts.service.js';
import { allowedOrigins, checkCsrf, clearSessionCookie, cookieNames, cookiePolicyFor, cookieValue, currentSession, formSession as checkedFormSession, setSignInCookies } from './auth.http.js';
import { can } from './permissions.js';
import { decoyHash, verifyPassword } from './passwords.js';
import { hashSecret } from './secrets.js';
import {
  accountPage,
  accountUrls,
  adminUsersPage,
  auditPage,
  formErrors,
  invitePage,
  inviteCreatedPage,
  loginPage,
  signupClosedPage,
  signupPage,
  tokenCreatedPage,
  type AccountData,
  type FieldErrors,
  type FormState,
} from './account.pages.js';

type Body = Record<string, unknown>;

/** Per page of the audit log. */
export const AUDIT_PAGE_SIZE = 100;
/** Password changes (right or wrong current password) per account and hour: a stolen session cannot guess the password. */
const PASSWORD_CHANGE_LIMIT = { max: 10, windowMs: 3_600_000 };
/** New accounts from one address per hour, through sign-up or invitations. */
const NEW_ACCOUNT_LIMIT = { max: 10, windowMs: 3_600_000 };

const ACCOUNT_NOTICES: Record<string, string> = {
  profile: 'Your profile is saved.',
  password: 'Your password is changed. You are signed out everywhere else.',
  'token-revoked': 'The token is revoked: it no longer works.',
  'session-ended': 'That session is signed out.',
  'session-gone': 'That session had already ended.',
  welcome: 'Welcome! Your account is ready.',
};

const ADMIN_NOTICES: Record<string, string> = {
  role: 'The role is changed.',
  disabled: 'The account is disabled and signed out everywhere.',
  enabled: 'The account is enabled again.',
  signup: 'The sign-up setting is saved.',
};

/** A form field as one string: the first value when it came several times, '' when missing. */
function field(body: Body, name: string): string {
  const value = body[name];
  const first = Array.isArray(value) ? value[0] : value;
  return typeof first === 'string' ? first : '';
}

/**
 * Where to go after signing in: a path on this site only. Not `//host` or `/\host` (which
 * browsers take as another host), nothing a browser would strip or rewrite (controls, spaces,
 * backslashes), printable ASCII only.
 */
export function safeNext(raw: unknown): string | undefined {
  if (typeof raw !== 'string' || raw.length > 2000) return undefined;
  if (!raw.startsWith('/') || raw.startsWith('//') || raw.startsWith('/\\')) return undefined;
  if (!/^[\x21-\x7e]*$/.test(raw) || raw.includes('\\')) return undefined;
  return raw;
}

const idOf = (raw: string | undefined): number | undefined => (raw && /^[1-9]\d{0,9}$/.test(raw) && Number(raw) <= 2_147_483_647 ? Number(raw) : undefined);

export async function accountRoutes(app: FastifyInstance, { site }: { site: Site }): Promise<void> {
  registerSecurityHeaders(app);
  await app.register(formbody);
  const db = site.db.kysely;
  const policy = cookiePolicyFor(site.publicUrl);
  const names = cookieNames(policy);

  const send = (reply: FastifyReply, page: VNode, status = 200) => sendPage(reply, page, status, { private: true });
  const redirect = (reply: FastifyReply, to: string) => reply.header('cache-control', 'private, no-store').redirect(to, 303);
  const notFoundPage = (request: FastifyRequest, reply: FastifyReply, message: string) =>
    send(reply, errorPage(site, 404, message, request.url.split('?')[0]!), 404);
  const bodyOf = (request: FastifyRequest): Body => (request.body && typeof request.body === 'object' ? (request.body as Body) : {});
  const actor = (request: FastifyRequest, session?: CurrentSession) => ({ userId: session?.user.id ?? null, ip: request.ip });

  /** For a page: the signed-in user, or (undefined) a redirect to the sign-in page, already sent. */
  async function pageSession(request: FastifyRequest, reply: FastifyReply): Promise<CurrentSession | undefined> {
    const session = await currentSession(db, request, policy);
    if (!session) void redirect(reply, accountUrls.login(request.url));
    return session;
  }

  async function adminPageSession(request: FastifyRequest, reply: FastifyReply): Promise<CurrentSession | undefined> {
    const session = await pageSession(request, reply);
    if (session && !can(session.user, 'site.admin')) throw forbidden('Only admins can see this page.');
    return session;
  }

  /** For a form: refused unless it came from this site (and, signed in, carries the session's CSRF token). */
  const formSession = (request: FastifyRequest) => checkedFormSession(db, request, site.publicUrl);

  /**
   * For the sign-in, invitation and sign-up forms: the Origin check only. They carry no CSRF
   * token (the visitor may have no session, or one they are replacing), and signing in through
   * them always starts a new session.
   */
  const checkOrigin = (request: FastifyRequest) => checkCsrf(request, allowedOrigins(site.publicUrl, request), undefined);

  async function requireFormSession(request: FastifyRequest, admin = false): Promise<CurrentSession> {
    const session = await formSession(request);
    if (!session) throw unauthorized('You are signed out (your session may have ended): sign in, then send the form again.');
    if (admin && !can(session.user, 'site.admin')) throw forbidden('Only admins can do this.');
    return session;
  }

  /** Signs the browser in (a new session, the old one ended) and sets its cookies. */
  async function startSession(request: FastifyRequest, reply: FastifyReply, email: string, password: string) {
    const signedIn = await signIn(db, {
      email,
      password,
      ip: request.ip,
      userAgent: request.headers['user-agent'] ?? null,
      device: cookieValue(request, names.device) ?? null,
      previousSession: cookieValue(request, names.session) ?? null,
    });
    setSignInCookies(reply, signedIn, policy);
    return signedIn;
  }

  // ---- signing in and out

  app.get('/login', async (request, reply) => {
    const next = safeNext((request.query as Record<string, unknown>).next);
    return send(reply, loginPage(site, { next }));
  });

  app.post('/login', async (request, reply) => {
    checkOrigin(request);
    const body = bodyOf(request);
    const email = field(body, 'email').slice(0, 254);
    const password = field(body, 'password');
    const next = safeNext(field(body, 'next'));
    const again = (errors: FieldErrors, status: number) => send(reply, loginPage(site, { state: { values: { email }, errors }, next }), status);
    const missing: FieldErrors = {};
    if (!email.trim()) missing.email = 'Enter your email address.';
    if (!password) missing.password = 'Enter your password.';
    if (Object.keys(missing).length) return again(missing, 400);
    try {
      await startSession(request, reply, email, password);
    } catch (error) {
      if (error instanceof AppError && (error.code === 'unauthorized' || error.code === 'too_many_requests')) {
        if (error.retryAfter !== undefined) reply.header('retry-after', String(error.retryAfter));
        return again({ form: error.message }, error.status);
      }
      throw error;
    }
    return redirect(reply, next ?? accountUrls.account());
  });

  app.post('/logout', async (request, reply) => {
    const session = await formSession(request);
    if (session) await signOut(db, session.token, actor(request, session));
    clearSessionCookie(reply, policy);
    return redirect(reply, '/');
  });

  // ---- the account page

  async function accountData(session: CurrentSession, extra: Partial<AccountData> = {}): Promise<AccountData> {
    const current = hashSecret(session.token);
    const [sessions, tokens] = await Promise.all([listSessions(db, session.user.id), listApiTokens(db, session.user.id)]);
    return {
      user: session.user,
      csrf: session.csrfToken,
      isAdmin: can(session.user, 'site.admin'),
      sessions: sessions
        .map((s) => ({
          current: s.tokenHash === current,
          reference: sessionReference(s.tokenHash),
          createdAt: s.createdAt,
          lastSeenAt: s.lastSeenAt,
          ip: s.ip,
          userAgent: s.userAgent,
        }))
        .sort((a, b) => Number(b.current) - Number(a.current)),
      tokens,
      ...extra,
    };
  }

  app.get('/account', async (request, reply) => {
    const session = await pageSession(request, reply);
    if (!session) return reply;
    const query = request.query as Record<string, string | undefined>;
    const ended = query.ended !== undefined && /^\d{1,6}$/.test(query.ended) ? Number(query.ended) : undefined;
    const notice =
      ended !== undefined ? `Signed out of ${ended === 1 ? 'one other session' : `${ended} other sessions`}.` : query.saved ? ACCOUNT_NOTICES[query.saved] : undefined;
    return send(reply, accountPage(site, await accountData(session, { notice })));
  });

  app.post('/account/profile', async (request, reply) => {
    const session = await requireFormSession(request);
    const body = bodyOf(request);
    const values = { name: field(body, 'name'), reviewScale: field(body, 'reviewScale') };
    try {
      await updateProfile(db, session.user.id, { name: values.name, reviewScale: Number(values.reviewScale) });
    } catch (error) {
      const shown = formErrors(error, ['name', 'reviewScale']);
      if (!shown) throw error;
      return send(reply, accountPage(site, await accountData(session, { profile: { values, errors: shown.errors } })), shown.status);
    }
    return redirect(reply, `${accountUrls.account()}?saved=profile`);
  });

  app.post('/account/password', async (request, reply) => {
    const session = await requireFormSession(request);
    const body = bodyOf(request);
    const current = field(body, 'currentPassword');
    const password = field(body, 'password');
    const again = async (errors: FieldErrors, status: number) =>
      send(reply, accountPage(site, await accountData(session, { password: { values: {}, errors } })), status);
    const missing: FieldErrors = {};
    if (!current) missing.currentPassword = 'Enter your current password.';
    if (!password) missing.password = 'Enter a new password.';
    if (Object.keys(missing).length) return again(missing, 400);
    const use = await countUse(db, `password:user:${session.user.id}`, PASSWORD_CHANGE_LIMIT);
    if (!use.allowed) {
      reply.header('retry-after', String(use.resetSeconds));
      return again({ form: `Too many attempts to change the password; try again in ${Math.ceil(use.resetSeconds / 60)} minutes.` }, 429);
    }
    const check = await verifyPassword(current.slice(0, 1024), session.user.passwordHash ?? (await decoyHash()));
    if (!check.ok || !session.user.passwordHash) return again({ currentPassword: 'This is not your current password.' }, 400);
    try {
      await setPassword(db, session.user.id, password, actor(request, session), { keepSession: session.token });
    } catch (error) {
      const shown = formErrors(error, ['password']);
      if (!shown) throw error;
      return again(shown.errors, shown.status);
    }
    return redirect(reply, `${accountUrls.account()}?saved=password`);
  });

  app.post('/account/sessions/end-others', async (request, reply) => {
    const session = await requireFormSession(request);
    const ended = await signOutEverywhere(db, session.user.id, actor(request, session), session.token);
    return redirect(reply, `${accountUrls.account()}?ended=${ended}`);
  });

  app.post('/account/sessions/end', async (request, reply) => {
    const session = await requireFormSession(request);
    const ended = await endSession(db, session.user.id, field(bodyOf(request), 'session'), actor(request, session), session.token);
    return redirect(reply, `${accountUrls.account()}?saved=${ended ? 'session-ended' : 'session-gone'}`);
  });

  app.post('/account/tokens', async (request, reply) => {
    const session = await requireFormSession(request);
    const body = bodyOf(request);
    const values = { name: field(body, 'name'), scope: field(body, 'scope') };
    try {
      const created = await createApiToken(db, session.user.id, values, actor(request, session));
      return send(reply, tokenCreatedPage(site, created));
    } catch (error) {
      const shown = formErrors(error, ['name', 'scope']);
      if (!shown) throw error;
      return send(reply, accountPage(site, await accountData(session, { token: { values, errors: shown.errors } })), shown.status);
    }
  });

  app.post('/account/tokens/:id/revoke', async (request, reply) => {
    const session = await requireFormSession(request);
    const id = idOf((request.params as { id?: string }).id);
    if (id === undefined) return notFoundPage(request, reply, 'There is no such API token.');
    await revokeApiToken(db, session.user.id, id, actor(request, session));
    return redirect(reply, `${accountUrls.account()}?saved=token-revoked`);
  });

  // ---- invitations (and the setup link) and sign-up

  const NEW_ACCOUNT_FIELDS = ['email', 'name', 'password'] as const;
  const newAccountValues = (body: Body) => ({ email: field(body, 'email'), name: field(body, 'name'), password: field(body, 'password') });
  const keptValues = (v: { email: string; name: string }): FormState['values'] => ({ email: v.email, name: v.name });
  const GONE = 'This invitation link is unknown, already used or expired. Ask an admin for a new one.';

  /** Counts a new account from the address; a message when there have been too many. */
  async function newAccountAllowed(request: FastifyRequest, reply: FastifyReply): Promise<FieldErrors | undefined> {
    const use = await countUse(db, `new-account:ip:${request.ip}`, NEW_ACCOUNT_LIMIT);
    if (use.allowed) return undefined;
    reply.header('retry-after', String(use.resetSeconds));
    return { form: `Too many new accounts from your address; try again in ${Math.ceil(use.resetSeconds / 60)} minutes.` };
  }

  app.get('/invite/:token', async (request, reply) => {
    const token = (request.params as { token: string }).token;
    const role = await inviteRole(db, token);
    if (!role) return notFoundPage(request, reply, GONE);
    return send(reply, invitePage(site, { token, role }));
  });

  app.post('/invite/:token', async (request, reply) => {
    checkOrigin(request);
    const token = (request.params as { token: string }).token;
    const role = await inviteRole(db, token);
    if (!role) return notFoundPage(request, reply, GONE);
    const values = newAccountValues(bodyOf(request));
    const limited = await newAccountAllowed(request, reply);
    if (limited) return send(reply, invitePage(site, { token, role, state: { values: keptValues(values), errors: limited } }), 429);
    try {
      await acceptInvite(db, token, values, request.ip);
    } catch (error) {
      if (error instanceof AppError && error.code === 'not_found') return notFoundPage(request, reply, GONE);
      const shown = formErrors(error, NEW_ACCOUNT_FIELDS);
      if (!shown) throw error;
      return send(reply, invitePage(site, { token, role, state: { values: keptValues(values), errors: shown.errors } }), shown.status);
    }
    await startSession(request, reply, values.email, values.password);
    return redirect(reply, `${accountUrls.account()}?saved=welcome`);
  });

  // Sign-up when it is not open answers 403 with a page saying so (and where to go instead):
  // the address exists and means something, it is just not open to this visitor; a 404 would
  // tell someone holding an invitation that they have the wrong site.
  app.get('/signup', async (_request, reply) => {
    const mode = await signupMode(db);
    if (mode !== 'open') return send(reply, signupClosedPage(site, mode), 403);
    return send(reply, signupPage(site, {}));
  });

  app.post('/signup', async (request, reply) => {
    checkOrigin(request);
    const mode = await signupMode(db);
    if (mode !== 'open') return send(reply, signupClosedPage(site, mode), 403);
    const values = newAccountValues(bodyOf(request));
    const limited = await newAccountAllowed(request, reply);
    if (limited) return send(reply, signupPage(site, { state: { values: keptValues(values), errors: limited } }), 429);
    try {
      await signUp(db, values, request.ip);
    } catch (error) {
      const shown = formErrors(error, NEW_ACCOUNT_FIELDS, ['forbidden']);
      if (!shown) throw error;
      return send(reply, signupPage(site, { state: { values: keptValues(values), errors: shown.errors } }), shown.status);
    }
    await startSession(request, reply, values.email, values.password);
    return redirect(reply, `${accountUrls.account()}?saved=welcome`);
  });

  // ---- admin: users, invitations, the sign-up setting

  async function usersPage(reply: FastifyReply, session: CurrentSession, extra: { notice?: string; errors?: FieldErrors; invite?: FormState } = {}, status = 200) {
    const [users, mode] = await Promise.all([listUsers(db), signupMode(db)]);
    return send(reply, adminUsersPage(site, { users, me: session.user.id, csrf: session.csrfToken, mode, ...extra }), status);
  }

  app.get('/admin/users', async (request, reply) => {
    const session = await adminPageSession(request, reply);
    if (!session) return reply;
    const done = (request.query as Record<string, string | undefined>).done;
    return usersPage(reply, session, { notice: done ? ADMIN_NOTICES[done] : undefined });
  });

  /** Runs an admin's change; a refusal (the last admin, one's own role…) comes back on the users page. */
  async function adminChange(request: FastifyRequest, reply: FastifyReply, change: (session: CurrentSession, id: number) => Promise<unknown>, done: string) {
    const session = await requireFormSession(request, true);
    const id = idOf((request.params as { id?: string }).id);
    if (id === undefined) return notFoundPage(request, reply, 'There is no such user.');
    try {
      await change(session, id);
    } catch (error) {
      const shown = formErrors(error, [], ['forbidden']);
      if (!shown) throw error;
      return usersPage(reply, session, { errors: shown.errors }, shown.status);
    }
    return redirect(reply, `${accountUrls.adminUsers()}?done=${done}`);
  }

  app.post('/admin/users/:id/role', (request, reply) =>
    adminChange(request, reply, (session, id) => setRole(db, id, field(bodyOf(request), 'role'), actor(request, session)), 'role'),
  );
  app.post('/admin/users/:id/disable', (request, reply) => adminChange(request, reply, (session, id) => setDisabled(db, id, true, actor(request, session)), 'disabled'));
  app.post('/admin/users/:id/enable', (request, reply) => adminChange(request, reply, (session, id) => setDisabled(db, id, false, actor(request, session)), 'enabled'));

  app.post('/admin/invites', async (request, reply) => {
    const session = await requireFormSession(request, true);
    const role = field(bodyOf(request), 'role');
    try {
      const invite = await createInvite(db, role, actor(request, session));
      return send(reply, inviteCreatedPage(site, { link: absoluteUrl(site, accountUrls.invite(invite.token)), role: role as Role, expiresAt: invite.expiresAt }));
    } catch (error) {
      const shown = formErrors(error, ['role']);
      if (!shown) throw error;
      return usersPage(reply, session, { invite: { values: { role }, errors: shown.errors } }, shown.status);
    }
  });

  app.post('/admin/settings/signup', async (request, reply) => {
    const session = await requireFormSession(request, true);
    try {
      await setSignupMode(db, field(bodyOf(request), 'signup'), actor(request, session));
    } catch (error) {
      const shown = formErrors(error, []);
      if (!shown) throw error;
      return usersPage(reply, session, { errors: shown.errors }, shown.status);
    }
    return redirect(reply, `${accountUrls.adminUsers()}?done=signup`);
  });

  // ---- admin: the audit log

  app.get('/admin/audit', async (request, reply) => {
    const session = await adminPageSession(request, reply);
    if (!session) return reply;
    const raw = (request.query as Record<string, string | undefined>).before;
    const before = raw === undefined ? undefined : idOf(raw);
    if (raw !== undefined && before === undefined) throw invalidInput('before: must be the id of an audit event (a positive whole number)');
    const events = await auditLog(db, { beforeId: before, limit: AUDIT_PAGE_SIZE });
    const last = events.at(-1);
    const next = events.length === AUDIT_PAGE_SIZE && last ? accountUrls.audit(last.id) : undefined;
    return send(reply, auditPage(site, { events, next, first: before === undefined, csrf: session.csrfToken }));
  });
}
