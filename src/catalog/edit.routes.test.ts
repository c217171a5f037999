import { describe, expect, it } from 'vitest';
import { parse } from 'node-html-parser';
import { forEachDatabase } from '../../test/databases.js';
import { makeItem } from '../../test/factories.js';
import { PUBLIC_URL, seedCatalog, signedInMember, startFormSite } from '../../test/site.js';
import type { Db } from '../db/connection.js';
import { importParsedItem } from '../import/import.service.js';


const member = (db: Db, role: 'author' | 'editor' | 'reader' | 'admin', name: string) => signedInMember(db, role, name);

async function setup(db: Db) {
  const site = await startFormSite(db);
  const raw = (url: string, method: 'GET' | 'HEAD' = 'GET') => site.app.inject({ method, url });
  return { ...site, raw };
}

const main = (body: string) => parse(body).querySelector('main')?.structuredText.replace(/\s+/g, ' ') ?? '';
const valueOf = (body: string, name: string) => {
  const el = parse(body).querySelector(`form [name="${name}"]`);
  return el?.tagName === 'TEXTAREA' ? el.text : el?.getAttribute('value');
};

/** A duplicate of Hero ≠ Mask, reviewed by Aiko (who reviewed the original too) and by Carl. */
async function duplicate(db: Db) {
  const aiko = await importParsedItem(db, makeItem({ title: 'Hero Mask TV', year: 2018, credits: [{ role: 'director', name: 'H. Aoki' }] }, { body: 'Aiko again.' }), { author: 'Aiko Tanaka' });
  const carl = await importParsedItem(db, makeItem({ title: 'Hero Mask TV', year: 2018 }, { body: 'Carl on the copy.' }), { author: 'Carl Viewer' });
  return { slug: aiko.work.slug, aikoReview: aiko.review.id, carlReview: carl.review.id };
}

forEachDatabase((fresh) => {
  describe('editing the catalogue in the browser', () => {
    it('sends the signed-out to sign in, and refuses authors and readers', async () => {
      const { db } = await fresh();
      const { hero } = await seedCatalog(db);
      const site = await setup(db);
      const out = await site.get(`/edit/works/${hero.work.slug}`);
      expect(out.status).toBe(303);
      expect(out.headers.location).toBe(`/login?next=${encodeURIComponent(`/edit/works/${hero.work.slug}`)}`);
      expect((await site.get('/edit/people/hisaki-kato')).headers.location).toBe('/login?next=%2Fedit%2Fpeople%2Fhisaki-kato');
      for (const role of ['author', 'reader'] as const) {
        const who = await member(db, role, `A ${role}`);
        const page = await site.get(`/edit/works/${hero.work.slug}`, who);
        expect(page.status).toBe(403);
        expect(page.headers['cache-control']).toBe('private, no-store');
        const sent = await site.post(`/edit/works/${hero.work.slug}`, { title: 'Changed by an author' }, who);
        expect(sent.statusCode).toBe(403);
        const merge = await site.post(`/edit/people/hisaki-kato/merge`, { into: 'hiroyasu-aoki', confirm: '1' }, who);
        expect(merge.statusCode).toBe(403);
      }
      expect((await site.get(`/works/${hero.work.slug}`)).text).toContain('Hero ≠ Mask');
      expect((await site.get('/people/hisaki-kato')).status).toBe(200);
    });

    it('edits a work’s facts, keeping what was typed beside a message when something is wrong', async () => {
      const { db } = await fresh();
      const { film } = await seedCatalog(db);
      const site = await setup(db);
      const ed = await member(db, 'editor', 'Eddie Editor');
      const url = `/edit/works/${film.work.slug}`;
      const form = await site.get(url, ed);
      expect(form.status).toBe(200);
      expect(form.headers['cache-control']).toBe('private, no-store');
      expect(form.doc.querySelector('meta[name="robots"]')!.getAttribute('content')).toBe('noindex');
      expect(valueOf(form.body, 'title')).toBe('Perfect Blue');
      expect(valueOf(form.body, 'year')).toBe('1997');

      const bad = await site.post(url, { title: 'Perfect Blue (Director’s cut)', kind: 'anime_film', year: '97', synopsis: 'A pop idol <b>turns</b> actress.' }, ed);
      expect(bad.statusCode).toBe(400);
      const doc = parse(bad.body);
      expect(doc.querySelector('#year-error')!.text).toContain('A year between 1870 and 2100');
      expect(doc.querySelector('#f-year')!.getAttribute('aria-invalid')).toBe('true');
      expect(valueOf(bad.body, 'title')).toBe('Perfect Blue (Director’s cut)');
      expect(valueOf(bad.body, 'synopsis')).toBe('A pop idol <b>turns</b> actress.');
      expect(valueOf(bad.body, 'year')).toBe('97');

      const outOfRange = await site.post(url, { title: 'Perfect Blue', kind: 'anime_film', year: '1066', synopsis: '' }, ed);
      expect(outOfRange.statusCode).toBe(400);
      expect(parse(outOfRange.body).querySelector('#year-error')!.text).toContain('A year between 1870 and 2100');

      const saved = await site.post(url, { title: 'Perfect Blue', kind: 'anime_film', year: '1998', synopsis: 'A pop idol turns actress.' }, ed);
      expect(saved.statusCode).toBe(303);
      expect(saved.headers.location).toBe(`${url}?saved=1`);
      expect(main((await site.get(`${url}?saved=1`, ed)).body)).toContain('Saved.');
      const page = await site.get(`/works/${film.work.slug}`);
      expect(page.text).toContain('A pop idol turns actress.');
      expect(page.text).toContain('1998');
    });

    it('refuses a form without the session’s token or from another site, changing nothing', async () => {
      const { db } = await fresh();
      const { film } = await seedCatalog(db);
      const dup = await duplicate(db);
      const site = await setup(db);
      const ed = await member(db, 'editor', 'Eddie Editor');
      const noToken = await site.post(`/edit/works/${film.work.slug}`, { title: 'Hijacked' }, { cookie: ed.cookie });
      expect(noToken.statusCode).toBe(403);
      const elsewhere = await site.post(`/edit/works/${dup.slug}/merge`, { into: film.work.slug, confirm: '1' }, ed, { origin: 'https://evil.example.com' });
      expect(elsewhere.statusCode).toBe(403);
      const rename = await site.post('/edit/people/hisaki-kato', { name: 'Hijacked' }, { cookie: ed.cookie, csrf: 'not-the-token' });
      expect(rename.statusCode).toBe(403);
      expect((await site.get(`/works/${film.work.slug}`)).text).not.toContain('Hijacked');
      expect((await site.raw(`/works/${dup.slug}`)).statusCode).toBe(200);
      expect((await site.get('/people/hisaki-kato')).text).not.toContain('Hijacked');
    });

    it('merges a duplicate work after showing what will move; its old addresses answer 301', async () => {
      const { db } = await fresh();
      const { hero } = await seedCatalog(db);
      const dup = await duplicate(db);
      const site = await setup(db);
      const ed = await member(db, 'admin', 'Ada Admin');
      const url = `/edit/works/${dup.slug}/merge`;

      const wrong = await site.post(url, { into: 'no-such-work' }, ed);
      expect(wrong.statusCode).toBe(400);
      expect(parse(wrong.body).querySelector('#into-error')!.text).toContain('There is no work “no-such-work” here');
      expect(valueOf(wrong.body, 'into')).toBe('no-such-work');
      const itself = await site.post(url, { into: `/works/${dup.slug}` }, ed);
      expect(parse(itself.body).querySelector('#into-error')!.text).toContain('That is this work');

      const asked = await site.post(url, { into: `${PUBLIC_URL}/works/${hero.work.slug}` }, ed);
      expect(asked.statusCode).toBe(200);
      const text = main(asked.body);
      expect(text).toContain('Merge into “Hero ≠ Mask” (2018)');
      expect(text).toContain('1 review moves to it');
      expect(text).toContain('Aiko Tanaka reviewed both works');
      expect(text).toContain('1 credit, 0 studios, 0 platforms and 0 tags');
      expect(valueOf(asked.body, 'confirm')).toBe('1');
      expect(valueOf(asked.body, 'into')).toBe(hero.work.slug);
      // Nothing happened yet.
      expect((await site.raw(`/works/${dup.slug}`)).statusCode).toBe(200);

      const done = await site.post(url, { into: hero.work.slug, confirm: '1' }, ed);
      expect(done.statusCode).toBe(303);
      const location = done.headers.location as string;
      expect(location.startsWith(`/edit/works/${hero.work.slug}?`)).toBe(true);
      const after = await site.get(location, ed);
      expect(main(after.body)).toContain(`“${dup.slug}” was merged into this work: 1 review moved, and 1 review by authors who had reviewed this work too was kept as deleted`);

      // Old addresses: the page (with its query), its feeds, HEAD, and the API record.
      for (const [from, to] of [
        [`/works/${dup.slug}`, `/works/${hero.work.slug}`],
        [`/works/${dup.slug}?page=2`, `/works/${hero.work.slug}?page=2`],
        [`/works/${dup.slug}/feed.atom`, `/works/${hero.work.slug}/feed.atom`],
        [`/api/v1/works/${dup.slug}`, `/api/v1/works/${hero.work.slug}`],
      ]) {
        const res = await site.raw(from!);
        expect([from, res.statusCode, res.headers.location]).toEqual([from, 301, to]);
      }
      expect((await site.raw(`/works/${dup.slug}`, 'HEAD')).statusCode).toBe(301);
      expect((await site.raw('/works/never-was-here')).statusCode).toBe(404);
      // The editor's own form of the old address leads to the survivor's.
      expect((await site.get(`/edit/works/${dup.slug}`, ed)).headers.location).toBe(`/edit/works/${hero.work.slug}`);

      const page = await site.get(`/works/${hero.work.slug}`);
      expect(page.text).toContain('Carl on the copy.');
      expect(page.text).toContain('H. Aoki');
      const api = JSON.parse((await site.raw(`/api/v1/works/${hero.work.slug}`)).body);
      expect(api.score.reviewCount).toBe(3);
      expect(api.altTitles.map((t: { title: string }) => t.title)).toContain('Hero Mask TV');
    });

    it('renames and merges people; the old person address answers 301', async () => {
      const { db } = await fresh();
      await seedCatalog(db);
      await importParsedItem(db, makeItem({ title: 'Another Show', credits: [{ role: 'music', name: 'Kato Hisaki' }] }, { body: 'Music.' }), { author: 'Dana' });
      const site = await setup(db);
      const ed = await member(db, 'editor', 'Eddie Editor');

      const form = await site.get('/edit/people/kato-hisaki', ed);
      expect(form.status).toBe(200);
      expect(valueOf(form.body, 'name')).toBe('Kato Hisaki');
      const taken = await site.post('/edit/people/kato-hisaki', { name: 'HISAKI KATO' }, ed);
      expect(taken.statusCode).toBe(409);
      expect(parse(taken.body).querySelector('#name-error')!.text).toContain('is already here as hisaki-kato');
      expect(valueOf(taken.body, 'name')).toBe('HISAKI KATO');
      const renamed = await site.post('/edit/people/kato-hisaki', { name: 'Katō Hisaki' }, ed);
      expect(renamed.statusCode).toBe(303);
      expect((await site.get('/people/kato-hisaki')).text).toContain('Katō Hisaki');

      const asked = await site.post('/edit/people/kato-hisaki/merge', { into: '/people/hisaki-kato' }, ed);
      expect(asked.statusCode).toBe(200);
      expect(main(asked.body)).toContain('1 work naming “Katō Hisaki” will name “Hisaki Kato” instead');
      const done = await site.post('/edit/people/kato-hisaki/merge', { into: 'hisaki-kato', confirm: '1' }, ed);
      expect(done.statusCode).toBe(303);
      expect(main((await site.get(done.headers.location as string, ed)).body)).toContain('“kato-hisaki” was merged into this person: 1 work now names it.');

      const old = await site.raw('/people/kato-hisaki');
      expect([old.statusCode, old.headers.location]).toEqual([301, '/people/hisaki-kato']);
      const oldApi = await site.raw('/api/v1/people/kato-hisaki');
      expect([oldApi.statusCode, oldApi.headers.location]).toEqual([301, '/api/v1/people/hisaki-kato']);
      const person = await site.get('/people/hisaki-kato');
      expect(person.text).toContain('Another Show');
      // Found by the survivor's name.
      expect((await site.get('/search?q=hisaki+kato')).text).toContain('Another Show');
    });
  });
});
