import type { FastifyInstance } from 'fastify';
import { parse, type HTMLElement } from 'node-html-parser';
import { expect, it } from 'vitest';
import { awayFromWindowEdge } from '../../test/clock.js';
import { forEachDatabase } from '../../test/databases.js';
import { PUBLIC_URL, startSite } from '../../test/site.js';
import type { Db } from '../db/connection.js';
import type { Role } from '../db/schema.js';
import { createUser, resolveApiToken, sessionReference, setupLink, signupMode } from './accounts.service.js';
import { userById, userByEmail } from './accounts.service.js';

const SESSION = '__Host-kansou_session';
const PASSWORD = 'correct horse battery';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | number | undefined>;
  body: string;
  doc: HTMLElement;
  text: string;
  location?: string;
  cookies: { name: string; value: string; httpOnly?: boolean; sameSite?: string; secure?: boolean; path?: string; maxAge?: number }[];
}

/**
 * A browser of the site through app.inject: keeps its cookies, sends the site's Origin on
 * forms (unless told otherwise) and the page's CSRF token when it has one.
 */
class Browser {
  jar = new Map<string, string>();
  constructor(
    readonly app: FastifyInstance,
    readonly ip = '203.0.113.10',
  ) {}

  private async send(method: 'GET' | 'POST', url: string, payload?: Record<string, string>, headers: Record<string, string> = {}): Promise<Answer> {
    const cookie = [...this.jar].map(([k, v]) => `${k}=${v}`).join('; ');
    const response = await this.app.inject({
      method,
      url,
      remoteAddress: this.ip,
      headers: { ...(cookie ? { cookie } : {}), ...(payload ? { 'content-type': 'application/x-www-form-urlencoded' } : {}), ...headers },
      ...(payload ? { payload: new URLSearchParams(payload).toString() } : {}),
    });
    const cookies = response.cookies as Answer['cookies'];
    for (const c of cookies) {
      if (c.maxAge === 0 || c.value === '') this.jar.delete(c.name);
      else this.jar.set(c.name, c.value);
    }
    const doc = parse(response.body);
    const text = (doc.querySelector('body')?.structuredText ?? '').replace(/\s+/g, ' ').trim();
    return { status: response.statusCode, headers: response.headers, body: response.body, doc, text, location: response.headers.location as string | undefined, cookies };
  }

  get(url: string) {
    return this.send('GET', url);
  }

  /** A form sent from the site's pages (Origin set) unless `origin` says otherwise (null: no Origin). */
  post(url: string, form: Record<string, string>, origin: string | null = PUBLIC_URL) {
    return this.send('POST', url, form, origin === null ? {} : { origin });
  }

  async signIn(email: string, password = PASSWORD, next?: string) {
    return this.post('/login', { email, password, ...(next ? { next } : {}) });
  }

  /** The CSRF token of the account page's forms. */
  async csrf(): Promise<string> {
    const page = await this.get('/account');
    const token = page.doc.querySelector('input[name="_csrf"]')?.getAttribute('value');
    if (!token) throw new Error(`no CSRF token on /account (status ${page.status})`);
    return token;
  }

  /** A signed-in form, with the session's CSRF token. */
  async postForm(url: string, form: Record<string, string> = {}) {
    return this.post(url, { _csrf: await this.csrf(), ...form });
  }

  get session() {
    return this.jar.get(SESSION);
  }
}

async function user(db: Db, email: string, name: string, role: Role = 'author', password: string | null = PASSWORD) {
  return createUser(db.kysely, { email, name, role, password }, { userId: null });
}

async function site(db: Db) {
  const { app } = await startSite(db);
  return { app, browser: (ip?: string) => new Browser(app, ip) };
}

const fieldError = (page: Answer, id: string) => {
  const input = page.doc.querySelector(`#${id}`);
  const describedBy = input?.getAttribute('aria-describedby') ?? '';
  const error = describedBy
    .split(' ')
    .map((ref) => page.doc.querySelector(`#${ref}`))
    .find((el) => el?.classNames.includes('field-error'));
  return { invalid: input?.getAttribute('aria-invalid') === 'true', message: error?.text.trim() };
};

const privateNoStore = (page: Answer) => expect(page.headers['cache-control']).toBe('private, no-store');

forEachDatabase((fresh) => {
  it('signs in with an HttpOnly, SameSite=Lax session cookie, and the account page shows who is signed in', async () => {
    const { db } = await fresh();
    await user(db, 'aiko@example.org', 'Aiko Tanaka');
    const { browser } = await site(db);
    const b = browser();

    const form = await b.get('/login');
    expect(form.status).toBe(200);
    privateNoStore(form);
    expect(form.doc.querySelector('meta[name="robots"]')?.getAttribute('content')).toBe('noindex');
    expect(form.doc.querySelector('label[for="login-email"]')?.text).toBe('Email');
    expect(form.doc.querySelector('#login-email')?.getAttribute('autocomplete')).toBe('email');
    expect(form.doc.querySelector('#login-password')?.getAttribute('autocomplete')).toBe('current-password');
    expect(form.doc.querySelector('main form')?.getAttribute('action')).toBe('/login');

    const signedIn = await b.signIn('Aiko@Example.org');
    expect(signedIn.status).toBe(303);
    expect(signedIn.location).toBe('/account');
    const cookie = signedIn.cookies.find((c) => c.name === SESSION)!;
    expect(cookie.httpOnly).toBe(true);
    expect(cookie.sameSite).toBe('Lax');
    expect(cookie.secure).toBe(true);
    expect(cookie.path).toBe('/');

    const account = await b.get('/account');
    expect(account.status).toBe(200);
    privateNoStore(account);
    expect(account.doc.querySelector('meta[name="robots"]')?.getAttribute('content')).toBe('noindex');
    expect(account.doc.querySelector('h1')?.text).toBe('Your account');
    expect(account.text).toContain('Signed in as Aiko Tanaka (aiko@example.org)');
    // Headings in order: one h1, then h2s and an h3 below them.
    const levels = account.doc.querySelectorAll('h1, h2, h3').map((h) => Number(h.tagName.slice(1)));
    expect(levels.filter((l) => l === 1)).toHaveLength(1);
    for (let i = 1; i < levels.length; i++) expect(levels[i]!).toBeLessThanOrEqual(levels[i - 1]! + 1);
    // Every form of a signed-in user carries the CSRF token.
    const forms = account.doc.querySelectorAll('form[method="post"]');
    expect(forms.length).toBeGreaterThanOrEqual(4);
    for (const f of forms) expect(f.querySelector('input[name="_csrf"]')?.getAttribute('value')).toBeTruthy();
    // No inline script or style.
    expect(account.doc.querySelectorAll('script:not([src]):not([type="application/ld+json"]), style, [style]')).toHaveLength(0);
  });

  it('sends a signed-out visitor to the sign-in page and back to where they were going (only on this site)', async () => {
    const { db } = await fresh();
    await user(db, 'aiko@example.org', 'Aiko Tanaka');
    const { browser } = await site(db);
    const b = browser();
    const away = await b.get('/account');
    expect(away.status).toBe(303);
    expect(away.location).toBe('/login?next=%2Faccount');

    const form = await b.get('/login?next=/account');
    expect(form.doc.querySelector('input[name="next"]')?.getAttribute('value')).toBe('/account');
    expect((await b.signIn('aiko@example.org', PASSWORD, '/authors/aiko-tanaka?page=2')).location).toBe('/authors/aiko-tanaka?page=2');
    for (const hostile of ['//evil.example/', '/\\evil.example', 'https://evil.example/', '/\t/evil.example', 'javascript:alert(1)']) {
      expect((await browser().signIn('aiko@example.org', PASSWORD, hostile)).location, hostile).toBe('/account');
    }
  });

  it('answers a wrong password with 401 and the form again, the email kept and the password not', async () => {
    const { db } = await fresh();
    await user(db, 'aiko@example.org', 'Aiko Tanaka');
    const { browser } = await site(db);
    const b = browser();
    const page = await b.signIn('aiko@example.org', 'not the password');
    expect(page.status).toBe(401);
    privateNoStore(page);
    expect(page.doc.querySelector('[role="alert"]')?.text).toContain('Wrong email or password.');
    expect(page.doc.querySelector('#login-email')?.getAttribute('value')).toBe('aiko@example.org');
    expect(page.doc.querySelector('#login-password')?.getAttribute('value') ?? '').toBe('');
    expect(page.body).not.toContain('not the password');
    expect(b.session).toBeUndefined();

    const empty = await b.post('/login', { email: 'aiko@example.org', password: '' });
    expect(empty.status).toBe(400);
    expect(fieldError(empty, 'login-password')).toEqual({ invalid: true, message: 'Enter your password.' });
  });

  it('refuses a form sent without an Origin or from another site, and changes nothing', async () => {
    const { db } = await fresh();
    const aiko = await user(db, 'aiko@example.org', 'Aiko Tanaka');
    const { browser } = await site(db);

    for (const origin of [null, 'https://evil.example', 'http://reviews.example.org']) {
      const b = browser();
      const refused = await b.post('/login', { email: 'aiko@example.org', password: PASSWORD }, origin);
      expect(refused.status, String(origin)).toBe(403);
      expect(refused.text).toContain('was refused');
      expect(b.session).toBeUndefined();
    }

    const b = browser();
    await b.signIn('aiko@example.org');
    const csrf = await b.csrf();
    const refused = await b.post('/account/profile', { _csrf: csrf, name: 'Mallory', reviewScale: '5' }, 'https://evil.example');
    expect(refused.status).toBe(403);
    privateNoStore(refused);
    expect((await userById(db.kysely, aiko.id)).name).toBe('Aiko Tanaka');
    const noOrigin = await b.post('/logout', { _csrf: csrf }, null);
    expect(noOrigin.status).toBe(403);
    expect((await b.get('/account')).status).toBe(200);
  });

  it('refuses a signed-in form without the session’s CSRF token or with a wrong one, and changes nothing', async () => {
    const { db } = await fresh();
    const aiko = await user(db, 'aiko@example.org', 'Aiko Tanaka');
    const { browser } = await site(db);
    const b = browser();
    await b.signIn('aiko@example.org');

    const without = await b.post('/account/profile', { name: 'Mallory', reviewScale: '100' });
    expect(without.status).toBe(403);
    const wrong = await b.post('/account/profile', { _csrf: 'x'.repeat(43), name: 'Mallory', reviewScale: '100' });
    expect(wrong.status).toBe(403);
    expect(wrong.text).toContain('Reload the page and try again');
    const tokens = await b.post('/account/tokens', { _csrf: '', name: 'sneaky', scope: 'write' });
    expect(tokens.status).toBe(403);
    const logout = await b.post('/logout', {});
    expect(logout.status).toBe(403);

    // Another user's token does not do either.
    await user(db, 'ben@example.org', 'Ben Critic');
    const ben = browser('203.0.113.20');
    await ben.signIn('ben@example.org');
    const foreign = await b.post('/account/profile', { _csrf: await ben.csrf(), name: 'Mallory', reviewScale: '100' });
    expect(foreign.status).toBe(403);

    const after = await userById(db.kysely, aiko.id);
    expect(after.name).toBe('Aiko Tanaka');
    expect(after.reviewScale).toBe(aiko.reviewScale);
    const account = await b.get('/account');
    expect(account.status).toBe(200);
    expect(account.text).toContain('You have no API tokens.');
  });

  it('saves the profile, and a refused name comes back next to its field with what was typed', async () => {
    const { db } = await fresh();
    const aiko = await user(db, 'aiko@example.org', 'Aiko Tanaka');
    await user(db, 'ben@example.org', 'Ben Critic');
    const { browser } = await site(db);
    const b = browser();
    await b.signIn('aiko@example.org');

    const saved = await b.postForm('/account/profile', { name: 'Aiko T.', reviewScale: '100' });
    expect(saved.status).toBe(303);
    expect(saved.location).toBe('/account?saved=profile');
    const page = await b.get(saved.location!);
    expect(page.doc.querySelector('[role="status"]')?.text).toBe('Your profile is saved.');
    expect(page.doc.querySelector('#profile-name')?.getAttribute('value')).toBe('Aiko T.');
    expect(page.doc.querySelector('#profile-reviewScale option[selected]')?.getAttribute('value')).toBe('100');
    expect((await userById(db.kysely, aiko.id)).reviewScale).toBe(100);

    const taken = await b.postForm('/account/profile', { name: 'ben critic', reviewScale: '10' });
    expect(taken.status).toBe(409);
    expect(fieldError(taken, 'profile-name')).toEqual({ invalid: true, message: '"ben critic" is already the name of an author here; choose another.' });
    expect(taken.doc.querySelector('#profile-name')?.getAttribute('value')).toBe('ben critic');
    expect(taken.doc.querySelector('#profile-reviewScale option[selected]')?.getAttribute('value')).toBe('10');
    expect((await userById(db.kysely, aiko.id)).name).toBe('Aiko T.');
  });

  it('starts a new session at each sign-in and ends the one the browser had', async () => {
    const { db } = await fresh();
    await user(db, 'aiko@example.org', 'Aiko Tanaka');
    const { browser } = await site(db);
    const b = browser();
    await b.signIn('aiko@example.org');
    const first = b.session!;
    expect((await b.signIn('aiko@example.org')).status).toBe(303);
    const second = b.session!;
    expect(second).toBeTruthy();
    expect(second).not.toBe(first);
    expect((await b.get('/account')).status).toBe(200);

    const stale = browser();
    stale.jar.set(SESSION, first);
    const away = await stale.get('/account');
    expect(away.status).toBe(303);
    expect(away.location).toBe('/login?next=%2Faccount');
  });

  it('signs out with a POST, which ends the session', async () => {
    const { db } = await fresh();
    await user(db, 'aiko@example.org', 'Aiko Tanaka');
    const { browser } = await site(db);
    const b = browser();
    await b.signIn('aiko@example.org');
    const token = b.session!;
    const account = await b.get('/account');
    expect(account.doc.querySelector('form[action="/logout"] button')?.text.trim()).toBe('Sign out');

    const out = await b.postForm('/logout');
    expect(out.status).toBe(303);
    expect(out.location).toBe('/');
    expect(out.cookies.find((c) => c.name === SESSION)?.maxAge).toBe(0);
    expect(b.session).toBeUndefined();
    expect((await b.get('/account')).status).toBe(303);

    const replay = browser();
    replay.jar.set(SESSION, token);
    expect((await replay.get('/account')).status).toBe(303);
    // GET does not sign out.
    expect((await b.get('/logout')).status).toBe(404);
  });

  it('changes the password after checking the current one, ending the other sessions but not this one', async () => {
    const { db } = await fresh();
    await user(db, 'aiko@example.org', 'Aiko Tanaka');
    const { browser } = await site(db);
    const here = browser('203.0.113.1');
    const elsewhere = browser('203.0.113.2');
    await here.signIn('aiko@example.org');
    await elsewhere.signIn('aiko@example.org');
    const sessions = await here.get('/account');
    expect(sessions.doc.querySelectorAll('table.data-table tbody tr').length).toBeGreaterThanOrEqual(2);
    expect(sessions.text).toContain('(this browser)');

    const wrong = await here.postForm('/account/password', { currentPassword: 'nope nope nope', password: 'a much newer secret' });
    expect(wrong.status).toBe(400);
    expect(fieldError(wrong, 'password-currentPassword')).toEqual({ invalid: true, message: 'This is not your current password.' });
    expect(wrong.body).not.toContain('a much newer secret');

    const short = await here.postForm('/account/password', { currentPassword: PASSWORD, password: 'short' });
    expect(short.status).toBe(400);
    expect(fieldError(short, 'password-password')).toEqual({ invalid: true, message: 'Must be at least 8 characters long.' });
    expect(short.doc.querySelector('#password-password')?.getAttribute('autocomplete')).toBe('new-password');

    const changed = await here.postForm('/account/password', { currentPassword: PASSWORD, password: 'a much newer secret' });
    expect(changed.status).toBe(303);
    expect(changed.location).toBe('/account?saved=password');
    expect((await here.get('/account')).status).toBe(200);
    expect((await elsewhere.get('/account')).status).toBe(303);
    expect((await browser().signIn('aiko@example.org')).status).toBe(401);
    expect((await browser().signIn('aiko@example.org', 'a much newer secret')).status).toBe(303);
  });

  it('signs out everywhere else on request', async () => {
    const { db } = await fresh();
    await user(db, 'aiko@example.org', 'Aiko Tanaka');
    const { browser } = await site(db);
    const here = browser('203.0.113.1');
    const elsewhere = browser('203.0.113.2');
    await elsewhere.signIn('aiko@example.org');
    await here.signIn('aiko@example.org');
    const ended = await here.postForm('/account/sessions/end-others');
    expect(ended.location).toBe('/account?ended=1');
    expect((await here.get(ended.location!)).text).toContain('Signed out of one other session.');
    expect((await elsewhere.get('/account')).status).toBe(303);
  });

  it('signs out one chosen session of one’s own, and no one else’s', async () => {
    const { db } = await fresh();
    await user(db, 'aiko@example.org', 'Aiko Tanaka');
    const ben = await user(db, 'ben@example.org', 'Ben Critic');
    const { browser } = await site(db);
    const here = browser('203.0.113.1');
    const phone = browser('203.0.113.2');
    const laptop = browser('203.0.113.3');
    const bens = browser('203.0.113.4');
    await phone.signIn('aiko@example.org');
    await laptop.signIn('aiko@example.org');
    await bens.signIn('ben@example.org');
    await here.signIn('aiko@example.org');

    const page = await here.get('/account');
    // A button for each other session, none for this one; no cookie and no stored hash on the page.
    expect(page.doc.querySelectorAll('form[action="/account/sessions/end"]')).toHaveLength(2);
    for (const { tokenHash } of await db.kysely.selectFrom('sessions').select('tokenHash').execute()) expect(page.text).not.toContain(tokenHash);
    const rowOf = (ip: string) => page.doc.querySelectorAll('tr').find((tr) => tr.text.includes(ip))!;
    expect(rowOf('203.0.113.2').querySelector('button')?.text).toContain('Sign out of');
    const phoneRef = rowOf('203.0.113.2').querySelector('input[name="session"]')!.getAttribute('value')!;

    const ended = await here.postForm('/account/sessions/end', { session: phoneRef });
    expect(ended.location).toBe('/account?saved=session-ended');
    expect((await here.get(ended.location!)).text).toContain('That session is signed out.');
    expect((await phone.get('/account')).status).toBe(303);
    expect((await laptop.get('/account')).status).toBe(200);
    expect((await here.postForm('/account/sessions/end', { session: phoneRef })).location).toBe('/account?saved=session-gone');

    // Ben's session, named the way his own page would name it, is not Aiko's to end.
    const [bensSession] = await db.kysely.selectFrom('sessions').select('tokenHash').where('userId', '=', ben.id).execute();
    expect((await here.postForm('/account/sessions/end', { session: sessionReference(bensSession!.tokenHash) })).location).toBe('/account?saved=session-gone');
    expect((await bens.get('/account')).status).toBe(200);
    const audit = await db.kysely.selectFrom('auditEvents').select(['action', 'detail']).where('action', '=', 'session_ended').execute();
    expect(audit).toHaveLength(1);
    expect(JSON.parse(audit[0]!.detail)).toMatchObject({ ip: '203.0.113.2' });
  });

  it('shows a new API token once, lists it afterwards without the secret, and revokes it', async () => {
    const { db } = await fresh();
    await user(db, 'aiko@example.org', 'Aiko Tanaka');
    const { browser } = await site(db);
    const b = browser();
    await b.signIn('aiko@example.org');

    const created = await b.postForm('/account/tokens', { name: 'My script', scope: 'write' });
    expect(created.status).toBe(200);
    privateNoStore(created);
    const secret = created.doc.querySelector('#new-token')?.getAttribute('value') ?? '';
    expect(secret).toMatch(/^kansou_[\w-]{40,}$/);
    expect(created.text).toContain('it will not be shown again');
    expect((await resolveApiToken(db.kysely, secret))?.scope).toBe('write');

    const account = await b.get('/account');
    expect(account.body).not.toContain(secret);
    const rows = account.doc.querySelectorAll('table.tokens tbody tr');
    expect(rows).toHaveLength(1);
    expect(rows[0]!.querySelector('.token-name')?.text).toBe('My script');
    expect(rows[0]!.text).toContain('Read and write');

    const badScope = await b.postForm('/account/tokens', { name: 'Other', scope: 'admin' });
    expect(badScope.status).toBe(400);
    expect(fieldError(badScope, 'token-scope').invalid).toBe(true);
    expect(badScope.doc.querySelector('#token-name')?.getAttribute('value')).toBe('Other');

    const revokeAction = rows[0]!.querySelector('form')!.getAttribute('action')!;
    const revoked = await b.postForm(revokeAction);
    expect(revoked.status).toBe(303);
    expect(revoked.location).toBe('/account?saved=token-revoked');
    expect((await b.get('/account')).text).toContain('You have no API tokens.');
    expect(await resolveApiToken(db.kysely, secret)).toBeUndefined();
    expect((await b.postForm(revokeAction)).status).toBe(404);
  });

  it('refuses the 11th sign-in from an address after 10 wrong passwords, even a right one, with Retry-After; another address still signs in', async () => {
    const { db } = await fresh();
    await user(db, 'aiko@example.org', 'Aiko Tanaka');
    await user(db, 'ben@example.org', 'Ben Critic');
    const { browser } = await site(db);
    const attacker = browser('198.51.100.7');
    // Eleven sign-ins (ten hashed) in one minute's window of the real clock.
    await awayFromWindowEdge(60_000, 10_000);
    for (let i = 0; i < 10; i++) expect((await attacker.signIn('ben@example.org', `guess ${i}`)).status).toBe(401);
    const refused = await attacker.signIn('aiko@example.org');
    expect(refused.status).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(60);
    expect(refused.doc.querySelector('[role="alert"]')?.text).toContain('Too many failed sign-ins');
    expect(refused.doc.querySelector('#login-email')?.getAttribute('value')).toBe('aiko@example.org');
    expect(attacker.session).toBeUndefined();

    const other = browser('198.51.100.8');
    expect((await other.signIn('ben@example.org')).status).toBe(303);
  });

  it('keeps the admin pages for admins: 403 for an author, the sign-in page when signed out', async () => {
    const { db } = await fresh();
    await user(db, 'admin@example.org', 'Ada Admin', 'admin');
    const author = await user(db, 'aiko@example.org', 'Aiko Tanaka');
    const { browser } = await site(db);

    const out = browser();
    for (const path of ['/admin/users', '/admin/audit']) {
      const page = await out.get(path);
      expect(page.status).toBe(303);
      expect(page.location).toBe(`/login?next=${encodeURIComponent(path)}`);
    }

    const a = browser('203.0.113.30');
    await a.signIn('aiko@example.org');
    expect((await a.get('/account')).doc.querySelector('a[href="/admin/users"]')).toBeNull();
    for (const path of ['/admin/users', '/admin/audit']) {
      const page = await a.get(path);
      expect(page.status).toBe(403);
      privateNoStore(page);
      expect(page.text).toContain('Only admins');
    }
    const csrf = await a.csrf();
    expect((await a.post(`/admin/users/${author.id}/role`, { _csrf: csrf, role: 'admin' })).status).toBe(403);
    expect((await a.post('/admin/invites', { _csrf: csrf, role: 'admin' })).status).toBe(403);
    expect((await a.post('/admin/settings/signup', { _csrf: csrf, signup: 'open' })).status).toBe(403);
    expect((await userById(db.kysely, author.id)).role).toBe('author');
    expect(await signupMode(db.kysely)).toBe('closed');

    const admin = browser('203.0.113.31');
    await admin.signIn('admin@example.org');
    expect((await admin.get('/account')).doc.querySelector('a[href="/admin/users"]')).not.toBeNull();
    const users = await admin.get('/admin/users');
    expect(users.status).toBe(200);
    privateNoStore(users);
    expect(users.doc.querySelectorAll('table.users tbody tr .user-email').map((td) => td.text)).toEqual(['admin@example.org', 'aiko@example.org']);

    const promoted = await admin.post(`/admin/users/${author.id}/role`, { _csrf: await admin.csrf(), role: 'editor' });
    expect(promoted.status).toBe(303);
    expect((await userById(db.kysely, author.id)).role).toBe('editor');
    const disabled = await admin.post(`/admin/users/${author.id}/disable`, { _csrf: await admin.csrf() });
    expect(disabled.status).toBe(303);
    expect((await a.get('/account')).status).toBe(303);
    expect((await admin.get(disabled.location!)).text).toContain('Disabled');

    // The last admin cannot demote themselves: said at the top of the page, nothing changed.
    const self = await admin.post(`/admin/users/${(await userByEmail(db.kysely, 'admin@example.org')).id}/role`, { _csrf: await admin.csrf(), role: 'reader' });
    expect(self.status).toBe(403);
    expect(self.doc.querySelector('.form-errors')?.text).toContain('You cannot change your own role.');

    const audit = await admin.get('/admin/audit');
    expect(audit.status).toBe(200);
    const actions = audit.doc.querySelectorAll('table.audit tbody .audit-action').map((td) => td.text);
    expect(actions[0]).toBe('user disabled');
    expect(actions).toContain('sign in');
    expect(actions).toContain('role changed');
  });

  it('pages through the audit log, newest first, 100 at a time', async () => {
    const { db } = await fresh();
    await user(db, 'admin@example.org', 'Ada Admin', 'admin');
    for (let i = 0; i < 120; i++) {
      await db.kysely.insertInto('auditEvents').values({ at: new Date(Date.UTC(2026, 0, 1, 0, i)).toISOString(), actorId: null, action: `test_event_${i}`, subject: null, ip: null, detail: '{}' }).execute();
    }
    const { browser } = await site(db);
    const admin = browser();
    await admin.signIn('admin@example.org');
    const first = await admin.get('/admin/audit');
    const rows = first.doc.querySelectorAll('table.audit tbody tr');
    expect(rows).toHaveLength(100);
    expect(rows[0]!.text).toContain('sign in');
    const older = first.doc.querySelector('a[rel="next"]')!.getAttribute('href')!;
    expect(older).toMatch(/^\/admin\/audit\?before=\d+$/);
    const second = await admin.get(older);
    const actions = second.doc.querySelectorAll('table.audit tbody .audit-action').map((td) => td.text);
    expect(actions).toHaveLength(22); // 120 + user_created + sign_in = 122
    expect(actions[0]).toBe('test event 20');
    expect(actions.at(-1)).toBe('user created');
    expect(second.doc.querySelector('a[rel="next"]')).toBeNull();
    expect((await admin.get('/admin/audit?before=abc')).status).toBe(400);
  });

  it('creates an account from an invitation with its role, signs it in, and the link works once', async () => {
    const { db } = await fresh();
    await user(db, 'admin@example.org', 'Ada Admin', 'admin');
    const { browser } = await site(db);
    const admin = browser();
    await admin.signIn('admin@example.org');
    const made = await admin.post('/admin/invites', { _csrf: await admin.csrf(), role: 'editor' });
    expect(made.status).toBe(200);
    privateNoStore(made);
    const link = made.doc.querySelector('#invite-link')?.getAttribute('value') ?? '';
    expect(link.startsWith(`${PUBLIC_URL}/invite/`)).toBe(true);
    const path = link.slice(PUBLIC_URL.length);

    const guest = browser('203.0.113.40');
    const form = await guest.get(path);
    expect(form.status).toBe(200);
    privateNoStore(form);
    expect(form.text).toContain('as an editor');
    expect(form.doc.querySelector('#new-password')?.getAttribute('autocomplete')).toBe('new-password');

    const weak = await guest.post(path, { email: 'eve@example.org', name: 'Eve Editor', password: 'password' });
    expect(weak.status).toBe(400);
    expect(fieldError(weak, 'new-password')).toEqual({ invalid: true, message: 'Is one of the most common passwords; choose another.' });
    expect(weak.doc.querySelector('#new-email')?.getAttribute('value')).toBe('eve@example.org');
    expect(weak.doc.querySelector('#new-name')?.getAttribute('value')).toBe('Eve Editor');
    const badEmail = await guest.post(path, { email: 'not an email', name: 'Eve Editor', password: 'a fine long secret' });
    expect(fieldError(badEmail, 'new-email').invalid).toBe(true);
    expect(fieldError(badEmail, 'new-password').invalid).toBe(false);

    const joined = await guest.post(path, { email: 'eve@example.org', name: 'Eve Editor', password: 'a fine long secret' });
    expect(joined.status).toBe(303);
    expect(joined.location).toBe('/account?saved=welcome');
    const account = await guest.get('/account');
    expect(account.status).toBe(200);
    expect(account.text).toContain('Signed in as Eve Editor (eve@example.org), editor.');
    expect((await userByEmail(db.kysely, 'eve@example.org')).role).toBe('editor');

    const again = browser('203.0.113.41');
    expect((await again.get(path)).status).toBe(404);
    const reuse = await again.post(path, { email: 'mallory@example.org', name: 'Mallory', password: 'a fine long secret' });
    expect(reuse.status).toBe(404);
    expect(reuse.text).toContain('already used or expired');
    await expect(userByEmail(db.kysely, 'mallory@example.org')).rejects.toThrow();
    expect((await again.get('/invite/nonsense')).status).toBe(404);
  });

  it('makes the first admin from the setup link', async () => {
    const { db } = await fresh();
    const token = (await setupLink(db.kysely))!;
    const { browser } = await site(db);
    const b = browser();
    expect((await b.get(`/invite/${token}`)).text).toContain('as an admin');
    const made = await b.post(`/invite/${token}`, { email: 'root@example.org', name: 'Site Owner', password: 'the owner secret' });
    expect(made.status).toBe(303);
    expect((await b.get('/admin/users')).status).toBe(200);
  });

  it('lets people sign up only when sign-up is open', async () => {
    const { db } = await fresh();
    await user(db, 'admin@example.org', 'Ada Admin', 'admin');
    const { browser } = await site(db);
    const visitor = browser('203.0.113.50');

    const closed = await visitor.get('/signup');
    expect(closed.status).toBe(403);
    privateNoStore(closed);
    expect(closed.doc.querySelector('h1')?.text).toBe('Sign-up is closed');
    expect(closed.doc.querySelector('main form')).toBeNull();
    const refused = await visitor.post('/signup', { email: 'new@example.org', name: 'New Person', password: 'a fine long secret' });
    expect(refused.status).toBe(403);
    await expect(userByEmail(db.kysely, 'new@example.org')).rejects.toThrow();

    const admin = browser();
    await admin.signIn('admin@example.org');
    const invite = await admin.post('/admin/settings/signup', { _csrf: await admin.csrf(), signup: 'invite' });
    expect(invite.location).toBe('/admin/users?done=signup');
    expect((await visitor.get('/signup')).text).toContain('ask an admin for a link');
    const open = await admin.post('/admin/settings/signup', { _csrf: await admin.csrf(), signup: 'open' });
    expect(open.status).toBe(303);
    const settings = await admin.get('/admin/users');
    expect(settings.doc.querySelector('#signup-open')?.getAttribute('checked')).not.toBeUndefined();
    expect(settings.doc.querySelector('input[name="signup"][checked]')?.getAttribute('value')).toBe('open');

    const form = await visitor.get('/signup');
    expect(form.status).toBe(200);
    const taken = await visitor.post('/signup', { email: 'ADMIN@example.org', name: 'New Person', password: 'a fine long secret' });
    expect(taken.status).toBe(409);
    expect(fieldError(taken, 'new-email').message).toBe('An account with admin@example.org already exists.');
    const joined = await visitor.post('/signup', { email: 'new@example.org', name: 'New Person', password: 'a fine long secret' });
    expect(joined.status).toBe(303);
    expect((await visitor.get('/account')).text).toContain('Signed in as New Person (new@example.org), author.');
    expect((await userByEmail(db.kysely, 'new@example.org')).role).toBe('author');
  });

  it('shows hostile display names as text on the account and admin pages', async () => {
    const { db } = await fresh();
    await user(db, 'admin@example.org', 'Ada Admin', 'admin');
    // From the Big List of Naughty Strings: markup, script injection, template syntax,
    // SQL, right-to-left and combining text, emoji.
    const hostile = [
      '<script>alert(123)</script>',
      '"><img src=x onerror=alert(1)>',
      "'; DROP TABLE users; -- x",
      '{{7*7}} ${7*7} <%= 7*7 %>',
      '&lt;b&gt;not bold&lt;/b&gt; &amp;',
      'مرحبا ‮ evil ‬ Ṱ̺̺̕o͞ z̲a̕l͘g̨o',
      '田中さんにあげて下さい 👩‍👩‍👧',
    ];
    const { browser } = await site(db);
    const names: string[] = [];
    for (const [i, name] of hostile.entries()) {
      const u = await user(db, `naughty${i}@example.org`, name);
      names.push(u.name);
      const b = browser(`192.0.2.${i + 1}`);
      await b.signIn(u.email);
      const account = await b.get('/account');
      expect(account.status).toBe(200);
      expect(account.doc.querySelector('.account-name')?.text).toBe(u.name);
      expect(account.doc.querySelector('#profile-name')?.getAttribute('value')).toBe(u.name);
      expect(account.doc.querySelectorAll('body script, body img, body svg')).toHaveLength(0);
      expect(account.body).not.toContain('<script>alert');
      expect(account.body).not.toContain('<img src=x');
    }
    const admin = browser();
    await admin.signIn('admin@example.org');
    const page = await admin.get('/admin/users');
    expect(page.doc.querySelectorAll('.user-name').map((td) => td.text)).toEqual(['Ada Admin', ...names]);
    expect(page.doc.querySelectorAll('body script, body img, body svg')).toHaveLength(0);
    expect(page.body).not.toContain('<script>alert');
  });

  it('keeps the public pages the same for everyone: a plain Sign in link in the header', async () => {
    const { db } = await fresh();
    await user(db, 'aiko@example.org', 'Aiko Tanaka');
    const { browser } = await site(db);
    const anonymous = await browser().get('/');
    const b = browser();
    await b.signIn('aiko@example.org');
    const signedIn = await b.get('/');
    expect(anonymous.doc.querySelector('.site-header a[href="/login"]')?.text).toBe('Sign in');
    expect(signedIn.body).toBe(anonymous.body);
    expect(signedIn.headers['cache-control']).toBe(anonymous.headers['cache-control']);
  });
});
