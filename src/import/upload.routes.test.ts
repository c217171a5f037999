import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { forEachDatabase } from '../../test/databases.js';
import { PUBLIC_URL, startSite } from '../../test/site.js';
import * as accounts from '../accounts/accounts.service.js';
import { cookieNames, cookiePolicyFor } from '../accounts/auth.http.js';
import type { Db } from '../db/connection.js';
import { UPLOAD_LIMITS } from './upload.routes.js';
import { addToImportRun, insertImportRun } from './runs.repository.js';

const PASSWORD = 'a long enough passphrase';
const SESSION = cookieNames(cookiePolicyFor(PUBLIC_URL)).session;
const goodReview = readFileSync(new URL('../../test/fixtures/reviews/mob-psycho-100.txt', import.meta.url), 'utf8');
const brokenReview = '---\ntitle: Never closed\nyear: 2001\n\nThe front matter above has no end.\n';
const malList = readFileSync(new URL('./mal/fixtures/anime-list-2008.xml', import.meta.url));

async function member(db: Db, role: 'author' | 'editor' | 'reader' | 'admin', name: string) {
  const email = `${name.toLowerCase().replace(/\W+/g, '.')}@example.org`;
  const user = await accounts.createUser(db.kysely, { email, name, role, password: PASSWORD }, { userId: null });
  const signedIn = await accounts.signIn(db.kysely, { email, password: PASSWORD, ip: '192.0.2.10' });
  return { user, cookie: `${SESSION}=${signedIn.session}`, csrf: signedIn.csrfToken };
}

/** A multipart body as a browser sends it: the CSRF field first, then the files. */
async function multipart(csrf: string | undefined, files: { name: string; content: string | Buffer }[]) {
  const form = new FormData();
  if (csrf !== undefined) form.append('_csrf', csrf);
  for (const f of files) form.append('files', new Blob([typeof f.content === 'string' ? f.content : new Uint8Array(f.content)]), f.name);
  const response = new Response(form);
  return { payload: Buffer.from(await response.arrayBuffer()), contentType: response.headers.get('content-type')! };
}

async function setup(db: Db) {
  const site = await startSite(db);
  const upload = async (who: { cookie: string; csrf?: string } | undefined, files: { name: string; content: string | Buffer }[], headers: Record<string, string> = {}) => {
    const body = await multipart(who?.csrf, files);
    return site.app.inject({
      method: 'POST',
      url: '/import',
      headers: { ...(who ? { cookie: who.cookie } : {}), origin: PUBLIC_URL, 'content-type': body.contentType, ...headers },
      payload: body.payload,
    });
  };
  const post = (url: string, who: { cookie: string; csrf?: string }, headers: Record<string, string> = {}) =>
    site.app.inject({
      method: 'POST',
      url,
      headers: { cookie: who.cookie, origin: PUBLIC_URL, 'content-type': 'application/x-www-form-urlencoded', ...headers },
      payload: new URLSearchParams(who.csrf ? { _csrf: who.csrf } : {}).toString(),
    });
  const get = (url: string, who?: { cookie: string }) => site.get(url, who ? { cookie: who.cookie } : {});
  /** The run page once the run has finished. */
  const finished = async (url: string, who: { cookie: string }) => {
    for (let i = 0; i < 200; i++) {
      const page = await get(url, who);
      if (page.headers.refresh === undefined) return page;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`${url} still running`);
  };
  return { ...site, upload, post, get, finished };
}

const count = async (db: Db, table: 'reviews' | 'imports' | 'uploads' | 'listEntries') =>
  Number((await db.kysely.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

forEachDatabase((fresh) => {
  describe('importing in the browser', () => {
    it('shows the upload form to writers only', async () => {
      const { db } = await fresh();
      const site = await setup(db);
      const out = await site.get('/import');
      expect(out.status).toBe(303);
      expect(out.headers.location).toBe('/login?next=%2Fimport');
      const reader = await member(db, 'reader', 'Rita Reader');
      expect((await site.get('/import', reader)).status).toBe(403);
      const ann = await member(db, 'author', 'Ann Writer');
      const page = await site.get('/import', ann);
      expect(page.status).toBe(200);
      expect(page.headers['cache-control']).toBe('private, no-store');
      const form = page.doc.querySelector('form[action="/import"]')!;
      expect(form.getAttribute('enctype')).toBe('multipart/form-data');
      expect(form.querySelector('input[name="_csrf"]')!.getAttribute('value')).toBe(ann.csrf);
      expect(form.querySelector('input[type="file"]')!.hasAttribute('multiple')).toBe(true);
      expect(page.text).toContain(`Up to ${UPLOAD_LIMITS.files} files at a time, 64 MB each`);
    });

    it('reports review files without writing, then imports exactly those, once, under the uploader', async () => {
      const { db } = await fresh();
      const site = await setup(db);
      const ann = await member(db, 'author', 'Ann Writer');
      const other = await member(db, 'author', 'Otto Other');

      const sent = await site.upload(ann, [
        { name: 'mob-psycho-100.txt', content: goodReview },
        { name: 'broken.md', content: brokenReview },
      ]);
      expect(sent.statusCode).toBe(200);
      expect(sent.headers['cache-control']).toBe('private, no-store');
      expect(sent.body).toContain('mob-psycho-100.txt');
      expect(sent.body).toContain('Mob Psycho 100');
      expect(sent.body).toContain('2016');
      expect(sent.body).toContain('broken.md, line 1: front matter opened with');
      expect(sent.body).toContain('1 of 2 files are readable');
      expect(await count(db, 'reviews')).toBe(0);
      const action = /action="(\/import\/[\w-]+\/confirm)"/.exec(sent.body)?.[1];
      expect(action).toBeDefined();

      // Someone else cannot confirm it.
      const stolen = await site.post(action!, other);
      expect(stolen.statusCode).toBe(404);
      expect(await count(db, 'reviews')).toBe(0);

      const confirmed = await site.post(action!, ann);
      expect(confirmed.statusCode).toBe(200);
      expect(confirmed.body).toContain('1 created, 0 updated, 0 unchanged, 1 failed');
      expect(confirmed.body).toContain('broken.md, line 1');
      const rows = await db.kysely.selectFrom('reviews').select(['authorId']).execute();
      expect(rows).toEqual([{ authorId: ann.user.authorId }]);

      const again = await site.post(action!, ann);
      expect(again.statusCode).toBe(409);
      expect(again.body).toContain('imported already');
      expect(await count(db, 'reviews')).toBe(1);
    });

    it('refuses an upload without the CSRF token or from another site, keeping nothing', async () => {
      const { db } = await fresh();
      const site = await setup(db);
      const ann = await member(db, 'author', 'Ann Writer');
      const files = [{ name: 'mob-psycho-100.txt', content: goodReview }];
      const noToken = await site.upload({ cookie: ann.cookie }, files);
      expect(noToken.statusCode).toBe(403);
      const wrongToken = await site.upload({ cookie: ann.cookie, csrf: 'x'.repeat(43) }, files);
      expect(wrongToken.statusCode).toBe(403);
      const foreign = await site.upload(ann, files, { origin: 'https://evil.example' });
      expect(foreign.statusCode).toBe(403);
      const signedOut = await site.upload(undefined, files);
      expect(signedOut.statusCode).toBe(401);
      const malForeign = await site.upload(ann, [{ name: 'animelist.xml', content: malList }], { origin: 'https://evil.example' });
      expect(malForeign.statusCode).toBe(403);
      expect(await count(db, 'uploads')).toBe(0);
      expect(await count(db, 'imports')).toBe(0);
      expect(await count(db, 'reviews')).toBe(0);
    });

    it('refuses a file over the limit with 413, and files of different kinds', async () => {
      const { db } = await fresh();
      const site = await setup(db);
      const ann = await member(db, 'author', 'Ann Writer');
      const huge = await site.upload(ann, [{ name: 'huge.xml', content: Buffer.alloc(UPLOAD_LIMITS.fileBytes + 1, 0x20) }]);
      expect(huge.statusCode).toBe(413);
      expect(huge.body).toContain('huge.xml: larger than 64 MB');
      const bigReview = await site.upload(ann, [{ name: 'long.txt', content: `Title\n\n${'words '.repeat(220_000)}` }]);
      expect(bigReview.statusCode).toBe(413);
      const mixed = await site.upload(ann, [
        { name: 'animelist.xml', content: malList },
        { name: 'mob-psycho-100.txt', content: goodReview },
      ]);
      expect(mixed.statusCode).toBe(400);
      expect(mixed.body).toContain('different kinds');
      expect(mixed.body).not.toContain('kansou-upload-');
      expect(await count(db, 'imports')).toBe(0);
      expect(await count(db, 'uploads')).toBe(0);
    });

    it('runs a MyAnimeList import in the background, shows its progress and report, and lets an admin undo it', async () => {
      const { db } = await fresh();
      const site = await setup(db);
      const ann = await member(db, 'author', 'Ann Writer');
      const other = await member(db, 'author', 'Otto Other');
      const admin = await member(db, 'admin', 'Ada Admin');

      const sent = await site.upload(ann, [{ name: 'animelist.xml', content: malList }]);
      expect(sent.statusCode).toBe(303);
      const url = sent.headers.location as string;
      expect(url).toMatch(/^\/import\/runs\/\d+$/);

      const page = await site.finished(url, ann);
      expect(page.status).toBe(200);
      expect(page.headers['cache-control']).toBe('private, no-store');
      expect(page.text).toContain('Import #');
      expect(page.text).toContain('MyAnimeList');
      expect(page.text).toContain('animelist.xml');
      expect(page.text).toContain('Done');
      expect(page.text).toMatch(/Entries 2 Created 2/);
      expect(page.text).toContain('Ghost in the Shell: Stand Alone Complex');
      expect(page.body).not.toContain('kansou-upload-');
      // Under the uploader's author.
      const entries = await db.kysely.selectFrom('listEntries').select('authorId').execute();
      expect(entries.length).toBe(2);
      expect(new Set(entries.map((e) => e.authorId))).toEqual(new Set([ann.user.authorId]));
      // An author sees no undo button and may not undo; another author does not see the run.
      expect(page.doc.querySelector(`form[action="${url}/undo"]`)).toBeNull();
      expect((await site.get(url, other)).status).toBe(404);
      expect((await site.get('/import/runs', other)).text).toContain('No imports yet');
      expect((await site.get('/import/runs', ann)).text).toContain('animelist.xml');
      expect((await site.post(`${url}/undo`, ann)).statusCode).toBe(403);
      expect(await count(db, 'listEntries')).toBe(2);

      // An admin sees every run and undoes this one.
      expect((await site.get('/import/runs', admin)).text).toContain('Ann Writer');
      const adminPage = await site.get(url, admin);
      expect(adminPage.doc.querySelector(`form[action="${url}/undo"]`)).not.toBeNull();
      const noToken = await site.post(`${url}/undo`, { cookie: admin.cookie });
      expect(noToken.statusCode).toBe(403);
      const undone = await site.post(`${url}/undo`, admin);
      expect(undone.statusCode).toBe(303);
      expect(undone.headers.location).toBe(`${url}?undone`);
      expect(await count(db, 'listEntries')).toBe(0);
      const after = await site.get(`${url}?undone`, admin);
      expect(after.text).toContain('Undone');
      expect(after.doc.querySelector(`form[action="${url}/undo"]`)).toBeNull();
      const audit = await db.kysely.selectFrom('auditEvents').select(['action', 'actorId', 'subject']).where('action', '=', 'import_undone').execute();
      expect(audit).toEqual([{ action: 'import_undone', actorId: admin.user.id, subject: `import ${url.split('/').pop()}` }]);
      expect((await site.post(`${url}/undo`, admin)).statusCode).toBe(409);
    });

    it('shows a broken list as a failed run that kept nothing', async () => {
      const { db } = await fresh();
      const site = await setup(db);
      const ann = await member(db, 'author', 'Ann Writer');
      const malformed = readFileSync(new URL('./mal/fixtures/malformed.xml', import.meta.url));
      const sent = await site.upload(ann, [{ name: 'broken-list.xml', content: malformed }]);
      expect(sent.statusCode).toBe(303);
      const page = await site.finished(sent.headers.location as string, ann);
      expect(page.text).toContain('Failed');
      expect(page.text).toContain('Nothing of it was kept');
      expect(page.body).not.toContain('kansou-upload-');
      expect(await count(db, 'listEntries')).toBe(0);
    });

    it('shows a running import with a progress bar that needs no script, reloading itself', async () => {
      const { db } = await fresh();
      const site = await setup(db);
      const ann = await member(db, 'author', 'Ann Writer');
      const now = new Date().toISOString();
      const id = await insertImportRun(db.kysely, { format: 'mal', source: 'animelist.xml.gz', authorId: ann.user.authorId!, bytesTotal: 4_000_000, now });
      await addToImportRun(db.kysely, id, { entries: 200, created: 150, matched: 50, updated: 0, unchanged: 50, skipped: 0, failed: 0, uncertain: 3 }, 1_000_000, now);
      const page = await site.get(`/import/runs/${id}`, ann);
      expect(page.status).toBe(200);
      expect(page.headers.refresh).toBe('2');
      const bar = page.doc.querySelector('progress')!;
      expect(bar.getAttribute('value')).toBe('25');
      expect(bar.getAttribute('max')).toBe('100');
      expect(page.text).toContain('25% of 3.8 MB read, 200 entries so far');
      expect(page.doc.querySelector('script:not([src]):not([type="application/ld+json"])')).toBeNull();
      expect(page.text).toMatch(/Uncertain matches 3/);
    });

    it('files a blog feed naming another writer under the uploader, saying so in the report', async () => {
      const { db } = await fresh();
      const site = await setup(db);
      const ann = await member(db, 'author', 'Ann Writer');
      const feed = readFileSync(new URL('./blog/fixtures/feed.rss', import.meta.url));
      const sent = await site.upload(ann, [{ name: 'feed.rss', content: feed }]);
      expect(sent.statusCode).toBe(303);
      const page = await site.finished(sent.headers.location as string, ann);
      expect(page.text).toContain('Done');
      expect(page.text).toContain('the source names Mina Park as its writer; imported as yours');
      const rows = await db.kysely.selectFrom('reviews').select('authorId').execute();
      expect(rows.length).toBeGreaterThan(0);
      expect(new Set(rows.map((r) => r.authorId))).toEqual(new Set([ann.user.authorId]));
      expect(await db.kysely.selectFrom('authors').select('name').where('name', '=', 'Mina Park').execute()).toEqual([]);
    });
  });
});
