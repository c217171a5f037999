/**
 * Who may send each of the site's forms: every state-changing route outside the API × every
 * kind of visitor, against one table, through real sessions and CSRF tokens. A POST route of
 * the site missing from the table fails the test, so a new form cannot ship without saying who
 * may send it. (The API has its own table: src/api/authorization.test.ts.)
 */
import { afterEach, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { forEachDatabase } from '../../test/databases.js';
import { PUBLIC_URL } from '../../test/site.js';
import { registeredRoutes } from '../../test/routes.js';
import type { Db } from '../db/connection.js';
import type { Role } from '../db/schema.js';
import { buildApp } from '../server/app.js';
import { createApiToken, createInvite, createUser, setSignupMode } from '../accounts/accounts.service.js';
import { insertSession, type UserRow } from '../accounts/accounts.repository.js';
import { cookieNames, cookiePolicyFor } from '../accounts/auth.http.js';
import { hashSecret, newSecret } from '../accounts/secrets.js';
import { createReview, deleteReview, hideReview } from '../reviews/authoring.service.js';
import { createName, createWork } from '../works/works.authoring.js';
import { insertUpload } from '../import/uploads.repository.js';
import { runImport } from '../import/runs.service.js';

type Caller = 'signedOut' | 'reader' | 'authorOwn' | 'authorOther' | 'editor' | 'admin';
const CALLERS: Caller[] = ['signedOut', 'reader', 'authorOwn', 'authorOther', 'editor', 'admin'];
const PASSWORD = 'a long enough passphrase';

interface Fixture {
  db: Db;
  owner: UserRow;
  admin: UserRow;
  /** The caller of this request (undefined when signed out). */
  me?: UserRow;
  next: () => number;
}

/** What a case acts on, made afresh for each request. */
type Target = (f: Fixture) => Promise<{ url: string; form?: Record<string, string>; files?: { name: string; content: string }[] }>;

/** Allowed for these callers; denied for the others. */
const only = (...allowed: Caller[]) => Object.fromEntries(CALLERS.map((c) => [c, allowed.includes(c)])) as Record<Caller, boolean>;
const everyone = only(...CALLERS);
const signedIn = only('reader', 'authorOwn', 'authorOther', 'editor', 'admin');
const writers = only('authorOwn', 'authorOther', 'editor', 'admin');
const ownerOrModerator = only('authorOwn', 'editor', 'admin');
const moderators = only('editor', 'admin');

const newWork = (f: Fixture) => createWork(f.db, f.admin, { title: `Work ${f.next()}`, year: 2001 });
const REVIEW_FILE = 'Odd Taxi\n\nA walrus drives a taxi.\n\nFinal Score: 9/10\n';
const ownersUpload = async (f: Fixture) => {
  const id = `upload-${f.next()}-of-the-owner`;
  const now = new Date();
  await insertUpload(f.db.kysely, { id, userId: f.owner.id, files: [{ name: 'odd-taxi.txt', text: REVIEW_FILE }], now: now.toISOString(), expiresAt: new Date(now.getTime() + 3_600_000).toISOString() });
  return id;
};
const ownersRun = async (f: Fixture) => {
  const entries = (async function* () {
    yield { ref: 'anime 1', skip: 'planned' };
  })();
  return (await runImport(f.db, entries, { format: 'mal', source: 'animelist.xml', author: f.owner.name })).id;
};
const ownersReview = async (f: Fixture) => createReview(f.db, f.owner, { work: await newWork(f), body: 'The owner’s review.', status: 'published' });

async function account(f: Pick<Fixture, 'db' | 'next'>, role: Role = 'author') {
  const k = f.next();
  return createUser(f.db.kysely, { email: `member${k}@example.org`, name: `Member ${k}`, role, password: PASSWORD }, { userId: null });
}

/** The catalogue editors' forms of people, studios and platforms: rename, and merge into another. */
const nameForms = (table: 'people' | 'studios' | 'platforms') => ({
  [`POST /edit/${table}/:slug`]: {
    target: (async (f) => ({ url: `/edit/${table}/${(await createName(f.db, f.admin, table, `Name ${f.next()}`)).slug}`, form: { name: `Renamed ${f.next()}` } })) as Target,
    allowed: moderators,
  },
  [`POST /edit/${table}/:slug/merge`]: {
    target: (async (f) => {
      const [from, into] = [await createName(f.db, f.admin, table, `Name ${f.next()}`), await createName(f.db, f.admin, table, `Name ${f.next()}`)];
      return { url: `/edit/${table}/${from.slug}/merge`, form: { into: into.slug, confirm: '1' } };
    }) as Target,
    allowed: moderators,
  },
});

const MATRIX: Record<string, { target: Target; allowed: Record<Caller, boolean> }> = {
  'POST /login': {
    target: async (f) => {
      const user = await account(f);
      return { url: '/login', form: { email: user.email, password: PASSWORD } };
    },
    allowed: everyone,
  },
  'POST /logout': { target: async () => ({ url: '/logout' }), allowed: everyone },
  'POST /signup': {
    target: async (f) => {
      await setSignupMode(f.db.kysely, 'open', { userId: null });
      const k = f.next();
      return { url: '/signup', form: { email: `new${k}@example.org`, name: `Newcomer ${k}`, password: PASSWORD } };
    },
    allowed: everyone,
  },
  'POST /invite/:token': {
    target: async (f) => {
      const { token } = await createInvite(f.db.kysely, 'reader', { userId: f.admin.id });
      const k = f.next();
      return { url: `/invite/${token}`, form: { email: `invited${k}@example.org`, name: `Invited ${k}`, password: PASSWORD } };
    },
    allowed: everyone,
  },
  'POST /account/profile': { target: async (f) => ({ url: '/account/profile', form: { name: `Renamed ${f.next()}`, reviewScale: '10' } }), allowed: signedIn },
  'POST /account/password': { target: async () => ({ url: '/account/password', form: { currentPassword: PASSWORD, password: PASSWORD } }), allowed: signedIn },
  'POST /account/sessions/end-others': { target: async () => ({ url: '/account/sessions/end-others' }), allowed: signedIn },
  'POST /account/sessions/end': { target: async () => ({ url: '/account/sessions/end', form: { session: 'a'.repeat(32) } }), allowed: signedIn },
  'POST /account/tokens': { target: async () => ({ url: '/account/tokens', form: { name: 'sync', scope: 'read' } }), allowed: signedIn },
  'POST /account/tokens/:id/revoke': {
    // One's own token; "authorOther" tries to revoke the owner's.
    target: async (f) => {
      const holder = f.me && f.me.id !== f.owner.id && f.me.email.startsWith('other') ? f.owner : (f.me ?? f.owner);
      const { id } = await createApiToken(f.db.kysely, holder.id, { name: 't', scope: 'read' }, { userId: holder.id });
      return { url: `/account/tokens/${id}/revoke` };
    },
    allowed: only('reader', 'authorOwn', 'editor', 'admin'),
  },
  'POST /admin/users/:id/role': { target: async (f) => ({ url: `/admin/users/${(await account(f)).id}/role`, form: { role: 'editor' } }), allowed: only('admin') },
  'POST /admin/users/:id/disable': { target: async (f) => ({ url: `/admin/users/${(await account(f)).id}/disable` }), allowed: only('admin') },
  'POST /admin/users/:id/enable': { target: async (f) => ({ url: `/admin/users/${(await account(f)).id}/enable` }), allowed: only('admin') },
  'POST /admin/invites': { target: async () => ({ url: '/admin/invites', form: { role: 'author' } }), allowed: only('admin') },
  'POST /admin/settings/signup': { target: async () => ({ url: '/admin/settings/signup', form: { signup: 'invite' } }), allowed: only('admin') },
  'POST /write/paste': { target: async () => ({ url: '/write/paste', form: { paste: 'Odd Taxi\n\nA walrus drives a taxi.\n\nFinal Score: 9/10' } }), allowed: writers },
  'POST /write/new': { target: async (f) => ({ url: '/write/new', form: { work: await newWork(f), body: 'New words.', intent: 'publish' } }), allowed: writers },
  'POST /write/preview-body': { target: async () => ({ url: '/write/preview-body', form: { body: '*Hello*' } }), allowed: writers },
  'POST /write/:id': { target: async (f) => ({ url: `/write/${await ownersReview(f)}`, form: { body: 'Changed.', intent: 'publish' } }), allowed: ownerOrModerator },
  'POST /write/:id/delete': { target: async (f) => ({ url: `/write/${await ownersReview(f)}/delete` }), allowed: ownerOrModerator },
  'POST /write/:id/restore': {
    target: async (f) => {
      const id = await ownersReview(f);
      await deleteReview(f.db, f.owner, id);
      return { url: `/write/${id}/restore` };
    },
    allowed: ownerOrModerator,
  },
  'POST /write/:id/hide': { target: async (f) => ({ url: `/write/${await ownersReview(f)}/hide`, form: { reason: 'Off topic' } }), allowed: moderators },
  'POST /write/:id/unhide': {
    target: async (f) => {
      const id = await ownersReview(f);
      await hideReview(f.db, f.admin, id, 'Off topic');
      return { url: `/write/${id}/unhide` };
    },
    allowed: moderators,
  },
  // A small valid upload: one review file, parsed and shown, nothing written yet.
  'POST /import': { target: async () => ({ url: '/import', files: [{ name: 'odd-taxi.txt', content: REVIEW_FILE }] }), allowed: writers },
  // Only the one who uploaded may confirm (anyone else is told it is not there).
  'POST /import/:id/confirm': { target: async (f) => ({ url: `/import/${await ownersUpload(f)}/confirm` }), allowed: only('authorOwn') },
  'POST /import/runs/:id/undo': { target: async (f) => ({ url: `/import/runs/${await ownersRun(f)}/undo` }), allowed: only('admin') },
  'POST /edit/works/:slug': { target: async (f) => ({ url: `/edit/works/${await newWork(f)}`, form: { title: `Renamed ${f.next()}`, year: '2001' } }), allowed: moderators },
  'POST /edit/works/:slug/merge': { target: async (f) => ({ url: `/edit/works/${await newWork(f)}/merge`, form: { into: await newWork(f), confirm: '1' } }), allowed: moderators },
  ...nameForms('people'),
  ...nameForms('studios'),
  ...nameForms('platforms'),
};

const SESSION = cookieNames(cookiePolicyFor(PUBLIC_URL)).session;

/** A session of `user` made directly (no password hashing: this test is about permissions). */
async function sessionOf(db: Db, user: UserRow) {
  const token = newSecret();
  const csrf = newSecret();
  const now = new Date();
  await insertSession(db.kysely, {
    tokenHash: hashSecret(token),
    userId: user.id,
    csrfToken: csrf,
    createdAt: now.toISOString(),
    lastSeenAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + 86_400_000).toISOString(),
    ip: null,
    userAgent: null,
  });
  return { cookie: `${SESSION}=${token}`, csrf };
}

/** A multipart/form-data body (fields first, as a browser sends the form), for the upload form. */
async function multipartBody(fields: Record<string, string>, files: { name: string; content: string }[]) {
  const data = new FormData();
  for (const [name, value] of Object.entries(fields)) data.append(name, value);
  for (const file of files) data.append('files', new Blob([file.content]), file.name);
  const response = new Response(data);
  return { payload: Buffer.from(await response.arrayBuffer()), contentType: response.headers.get('content-type')! };
}

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

forEachDatabase((fresh) => {
  it('has a row for every form of the site', async () => {
    const { db } = await fresh();
    app = await buildApp({ db, logLevel: 'silent', site: { publicUrl: PUBLIC_URL } });
    await app.ready();
    const forms = registeredRoutes(app).filter((r) => /^(POST|PATCH|PUT|DELETE) \/(?!api\/)/.test(r));
    expect(forms).toContain('POST /write/new');
    expect(forms.filter((r) => !(r in MATRIX))).toEqual([]);
    expect(Object.keys(MATRIX).filter((r) => !forms.includes(r))).toEqual([]);
  });

  it('allows and refuses every form as the table says', async () => {
    const { db } = await fresh();
    let k = 0;
    const next = () => ++k;
    const owner = await account({ db, next });
    const admin = await account({ db, next }, 'admin');
    const users: Record<Exclude<Caller, 'signedOut'>, UserRow> = {
      reader: await account({ db, next }, 'reader'),
      authorOwn: owner,
      authorOther: await createUser(db.kysely, { email: 'other@example.org', name: 'Other Author', role: 'author', password: PASSWORD }, { userId: null }),
      editor: await account({ db, next }, 'editor'),
      admin,
    };
    app = await buildApp({ db, logLevel: 'silent', site: { publicUrl: PUBLIC_URL } });
    const outcomes: string[] = [];
    const expected: string[] = [];
    for (const [route, { target, allowed }] of Object.entries(MATRIX)) {
      for (const caller of CALLERS) {
        const me = caller === 'signedOut' ? undefined : users[caller];
        // A fresh session for each form (a form may end sessions), from its own address.
        const session = me ? await sessionOf(db, me) : undefined;
        const { url, form, files } = await target({ db, owner, admin, me, next });
        const body = files ? await multipartBody({ ...(session ? { _csrf: session.csrf } : {}), ...form }, files) : undefined;
        const res = await app.inject({
          method: 'POST',
          url,
          remoteAddress: `10.1.${k >> 8}.${k & 255}`,
          headers: { origin: PUBLIC_URL, 'content-type': body?.contentType ?? 'application/x-www-form-urlencoded', ...(session ? { cookie: session.cookie } : {}) },
          payload: body?.payload ?? new URLSearchParams({ ...(session ? { _csrf: session.csrf } : {}), ...form }).toString(),
        });
        const location = String(res.headers.location ?? '');
        const got =
          res.statusCode === 303 && location.startsWith('/login')
            ? 'deny'
            : res.statusCode < 400
              ? 'allow'
              : [401, 403, 404].includes(res.statusCode)
                ? 'deny'
                : `unexpected ${res.statusCode}`;
        outcomes.push(`${route} as ${caller}: ${got}`);
        expected.push(`${route} as ${caller}: ${allowed[caller] ? 'allow' : 'deny'}`);
      }
    }
    expect(outcomes).toEqual(expected);
  });
});
