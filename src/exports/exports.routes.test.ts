import { describe, expect, it } from 'vitest';
import { forEachDatabase } from '../../test/databases.js';
import { PUBLIC_URL, seedCatalog, startSite } from '../../test/site.js';
import * as accounts from '../accounts/accounts.service.js';
import { cookieNames, cookiePolicyFor } from '../accounts/auth.http.js';
import { createReview } from '../reviews/authoring.service.js';
import type { Db } from '../db/connection.js';

const PASSWORD = 'a long enough passphrase';
const SESSION = cookieNames(cookiePolicyFor(PUBLIC_URL)).session;

async function member(db: Db, email: string, name: string, role: 'author' | 'admin') {
  const user = await accounts.createUser(db.kysely, { email, name, role, password: PASSWORD }, { userId: null });
  const { session } = await accounts.signIn(db.kysely, { email, password: PASSWORD, ip: '192.0.2.20' });
  return { user, cookie: `${SESSION}=${session}` };
}

forEachDatabase((fresh) => {
  describe('exports from the account page', () => {
    it('downloads one’s own reviews as CSV, Markdown and MyAnimeList XML, and the whole site only for admins', async () => {
      const { db } = await fresh();
      await seedCatalog(db);
      const { app } = await startSite(db);
      const ann = await member(db, 'ann@example.org', 'Ann Writer', 'author');
      const admin = await member(db, 'root@example.org', 'Root', 'admin');
      await createReview(db, ann.user, { work: 'perfect-blue', score: { value: 4.5, max: 5 }, body: 'Ann’s own words.', status: 'published' });
      const get = (url: string, cookie?: string) => app.inject({ url, headers: cookie ? { cookie } : {} });

      const page = await get('/account', ann.cookie);
      expect(page.body).toContain('href="/account/export/csv"');
      expect(page.body).not.toContain('href="/account/export/json"');

      const csv = await get('/account/export/csv', ann.cookie);
      expect(csv.statusCode).toBe(200);
      expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
      expect(csv.headers['content-disposition']).toMatch(/^attachment; filename="kansou-ann-writer-\d{4}-\d{2}-\d{2}\.csv"$/);
      expect(csv.headers['cache-control']).toBe('private, no-store');
      expect(csv.body).toContain('Ann’s own words.');
      expect(csv.body).toContain('Perfect Blue');
      // Only hers: the seeded authors' reviews stay out.
      expect(csv.body).not.toContain('Cliché after cliché');

      const zip = await get('/account/export/markdown', ann.cookie);
      expect(zip.statusCode).toBe(200);
      expect(zip.rawPayload.subarray(0, 2).toString('latin1')).toBe('PK');

      const mal = await get('/account/export/mal', ann.cookie);
      expect(mal.statusCode).toBe(200);
      expect(mal.body).toContain('<myanimelist>');

      expect((await get('/account/export/json', ann.cookie)).statusCode).toBe(403);
      const backup = await get('/account/export/json', admin.cookie);
      expect(backup.statusCode).toBe(200);
      const document = JSON.parse(backup.body) as { reviews: unknown[] };
      expect(document.reviews.length).toBe(5);

      expect((await get('/account/export/csv')).statusCode).toBe(303);
      expect((await get('/account/export/pdf', ann.cookie)).statusCode).toBe(404);
    });
  });
});
