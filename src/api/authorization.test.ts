/**
 * Who may call each state-changing API route: every route × every kind of caller, against one
 * table. A POST, PATCH, PUT or DELETE route under /api missing from the table fails the test,
 * so a new route cannot ship without saying who may call it.
 */
import { afterEach, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { forEachDatabase } from '../../test/databases.js';
import { registeredRoutes } from '../../test/routes.js';
import type { Db } from '../db/connection.js';
import type { Role } from '../db/schema.js';
import { createApiToken, createUser } from '../accounts/accounts.service.js';
import type { UserRow } from '../accounts/accounts.repository.js';
import { createReview, deleteReview, hideReview } from '../reviews/authoring.service.js';
import { createName, createWork } from '../works/works.authoring.js';
import { buildApp } from '../server/app.js';

type Caller = 'signedOut' | 'reader' | 'authorOwn' | 'authorOther' | 'editor' | 'admin';
const CALLERS: Caller[] = ['signedOut', 'reader', 'authorOwn', 'authorOther', 'editor', 'admin'];

interface Fixture {
  db: Db;
  owner: UserRow;
  admin: UserRow;
  next: () => number;
}

/** What a case acts on, made afresh for each call (so a delete never finds its target gone). */
type Target = (f: Fixture) => Promise<{ url: string; payload?: object }>;

const ALLOW = true;
const DENY = false;

/** Allowed for these callers; denied for the others. */
const only = (...allowed: Caller[]) => Object.fromEntries(CALLERS.map((c) => [c, allowed.includes(c) ? ALLOW : DENY])) as Record<Caller, boolean>;

async function newWork(f: Fixture) {
  return createWork(f.db, f.admin, { title: `Work ${f.next()}`, year: 2000 });
}
async function ownersReview(f: Fixture) {
  return createReview(f.db, f.owner, { work: await newWork(f), body: 'A review.', status: 'published' });
}

const namesTable = (path: 'people' | 'studios' | 'platforms') => ({
  [`POST /api/v1/${path}`]: { target: (async (f) => ({ url: `/api/v1/${path}`, payload: { name: `Name ${f.next()}` } })) as Target, allowed: only('authorOwn', 'authorOther', 'editor', 'admin') },
  [`PATCH /api/v1/${path}/:slug`]: {
    target: (async (f) => ({ url: `/api/v1/${path}/${(await createName(f.db, f.admin, path, `Name ${f.next()}`)).slug}`, payload: { name: `Renamed ${f.next()}` } })) as Target,
    allowed: only('editor', 'admin'),
  },
  [`POST /api/v1/${path}/:slug/merge`]: {
    target: (async (f) => {
      const [from, into] = [await createName(f.db, f.admin, path, `Name ${f.next()}`), await createName(f.db, f.admin, path, `Name ${f.next()}`)];
      return { url: `/api/v1/${path}/${from.slug}/merge`, payload: { into: into.slug } };
    }) as Target,
    allowed: only('editor', 'admin'),
  },
  [`DELETE /api/v1/${path}/:slug`]: {
    target: (async (f) => ({ url: `/api/v1/${path}/${(await createName(f.db, f.admin, path, `Name ${f.next()}`)).slug}` })) as Target,
    allowed: only('admin'),
  },
});

/**
 * Every state-changing API route. "authorOwn" acts on a review of their own; "authorOther" on
 * someone else's (for routes without an owner, both are just an author).
 */
const MATRIX: Record<string, { target: Target; allowed: Record<Caller, boolean> }> = {
  'POST /api/v1/reviews': {
    // The caller reviews a new work: the author is always the caller.
    target: async (f) => ({ url: '/api/v1/reviews', payload: { work: await newWork(f), body: 'Mine.' } }),
    allowed: only('authorOwn', 'authorOther', 'editor', 'admin'),
  },
  'PATCH /api/v1/reviews/:id': {
    target: async (f) => ({ url: `/api/v1/reviews/${await ownersReview(f)}`, payload: { headline: 'Changed' } }),
    allowed: only('authorOwn', 'editor', 'admin'),
  },
  'DELETE /api/v1/reviews/:id': {
    target: async (f) => ({ url: `/api/v1/reviews/${await ownersReview(f)}` }),
    allowed: only('authorOwn', 'editor', 'admin'),
  },
  'POST /api/v1/reviews/:id/hide': {
    target: async (f) => ({ url: `/api/v1/reviews/${await ownersReview(f)}/hide`, payload: { reason: 'Off topic' } }),
    allowed: only('editor', 'admin'),
  },
  'POST /api/v1/reviews/:id/unhide': {
    target: async (f) => {
      const id = await ownersReview(f);
      await hideReview(f.db, f.admin, id, 'Off topic');
      return { url: `/api/v1/reviews/${id}/unhide` };
    },
    allowed: only('editor', 'admin'),
  },
  'POST /api/v1/reviews/:id/restore': {
    target: async (f) => {
      const id = await ownersReview(f);
      await deleteReview(f.db, f.owner, id);
      return { url: `/api/v1/reviews/${id}/restore` };
    },
    allowed: only('authorOwn', 'editor', 'admin'),
  },
  'POST /api/v1/works': {
    target: async (f) => ({ url: '/api/v1/works', payload: { title: `New work ${f.next()}` } }),
    allowed: only('authorOwn', 'authorOther', 'editor', 'admin'),
  },
  'PATCH /api/v1/works/:slug': {
    target: async (f) => ({ url: `/api/v1/works/${await newWork(f)}`, payload: { synopsis: 'Changed.' } }),
    allowed: only('editor', 'admin'),
  },
  'POST /api/v1/works/:slug/merge': {
    target: async (f) => ({ url: `/api/v1/works/${await newWork(f)}/merge`, payload: { into: await newWork(f) } }),
    allowed: only('editor', 'admin'),
  },
  'DELETE /api/v1/works/:slug': {
    target: async (f) => ({ url: `/api/v1/works/${await newWork(f)}` }),
    allowed: only('admin'),
  },
  ...namesTable('people'),
  ...namesTable('studios'),
  ...namesTable('platforms'),
  'PATCH /api/v1/users/me': {
    target: async () => ({ url: '/api/v1/users/me', payload: { reviewScale: 10 } }),
    allowed: only('reader', 'authorOwn', 'authorOther', 'editor', 'admin'),
  },
};


let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

forEachDatabase((fresh) => {
  it('has a row for every state-changing API route', async () => {
    const { db } = await fresh();
    app = await buildApp({ db, logLevel: 'silent' });
    await app.ready();
    const routes = registeredRoutes(app);
    expect(routes).toContain('GET /api/v1/reviews/:id');
    const writes = routes.filter((r) => /^(POST|PATCH|PUT|DELETE) \/api\//.test(r));
    expect(writes.filter((r) => !(r in MATRIX))).toEqual([]);
    // And nothing in the table that is not a route.
    expect(Object.keys(MATRIX).filter((r) => !writes.includes(r))).toEqual([]);
  });

  it('allows and denies every state-changing API route as the table says', async () => {
    const { db } = await fresh();
    let k = 0;
    const account = async (role: Role) => {
      k += 1;
      const user = await createUser(db.kysely, { email: `m${k}@example.org`, name: `Member ${k}`, role, password: null }, { userId: null });
      const { token } = await createApiToken(db.kysely, user.id, { name: 't', scope: 'write' }, { userId: null });
      return { user, headers: { authorization: `Bearer ${token}` } };
    };
    const owner = await account('author');
    const admin = await account('admin');
    const callers: Record<Caller, { headers: Record<string, string> }> = {
      signedOut: { headers: {} },
      reader: await account('reader'),
      authorOwn: owner,
      authorOther: await account('author'),
      editor: await account('editor'),
      admin,
    };
    const fixture: Fixture = { db, owner: owner.user, admin: admin.user, next: () => ++k };
    app = await buildApp({ db, logLevel: 'silent' });
    const outcomes: string[] = [];
    const expected: string[] = [];
    for (const [route, { target, allowed }] of Object.entries(MATRIX)) {
      const [method] = route.split(' ') as ['POST' | 'PATCH' | 'DELETE'];
      for (const caller of CALLERS) {
        const { url, payload } = await target(fixture);
        // Each from its own address: the per-address write limit is not what is tested here.
        const res = await app.inject({ method, url, payload, headers: callers[caller].headers, remoteAddress: `10.0.${k >> 8}.${k & 255}` });
        const got = res.statusCode < 300 ? 'allow' : res.statusCode === 401 || res.statusCode === 403 ? 'deny' : `unexpected ${res.statusCode} ${res.body}`;
        outcomes.push(`${route} as ${caller}: ${got}`);
        expected.push(`${route} as ${caller}: ${allowed[caller] ? 'allow' : 'deny'}`);
        if (caller === 'signedOut') expect(res.statusCode, route).toBe(401);
      }
    }
    expect(outcomes).toEqual(expected);
  });
});
