import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'node-html-parser';
import { forEachDatabase } from '../../test/databases.js';
import { seedCatalog, signedInMember, startFormSite } from '../../test/site.js';
import * as accounts from '../accounts/accounts.service.js';
import type { Db } from '../db/connection.js';
import { naughtyStrings } from '../../test/naughty.js';

const paste = readFileSync(new URL('../../test/fixtures/reviews/mob-psycho-100.txt', import.meta.url), 'utf8');

const writer = (db: Db, role: 'author' | 'editor' | 'reader' = 'author', name = 'Ann Writer') => signedInMember(db, role, name);
const setup = startFormSite;

const textOf = (body: string) => parse(body).querySelector('main')?.structuredText.replace(/\s+/g, ' ') ?? '';
const fieldValue = (body: string, name: string) => {
  const el = parse(body).querySelector(`[name="${name}"]`);
  return el?.tagName === 'TEXTAREA' ? el.text : el?.getAttribute('value');
};

forEachDatabase((fresh) => {
  describe('writing in the browser', () => {
    it('sends the signed-out to sign in, and tells a reader they cannot write', async () => {
      const { db } = await fresh();
      const site = await setup(db);
      const out = await site.get('/write/new');
      expect(out.status).toBe(303);
      expect(out.headers.location).toBe('/login?next=%2Fwrite%2Fnew');
      const reader = await writer(db, 'reader', 'Rita Reader');
      const page = await site.get('/write/new', reader);
      expect(page.status).toBe(403);
      expect(page.headers['cache-control']).toBe('private, no-store');
    });

    it('publishes a review of a work that is here, with a spoiler hidden until revealed', async () => {
      const { db } = await fresh();
      await seedCatalog(db);
      const site = await setup(db);
      const ann = await writer(db);
      const form = await site.get('/write/new?work=perfect-blue', ann);
      expect(form.status).toBe(200);
      expect(form.headers['cache-control']).toBe('private, no-store');
      expect(form.text).toContain('Reviewing Perfect Blue (1997)');
      expect(form.doc.querySelector('script[src^="/assets/write."]')).not.toBeNull();

      const sent = await site.post(
        '/write/new',
        { work: 'perfect-blue', score: '4.5', scale: '5', headline: 'Mirrors all the way down', body: 'Still unsettling.\n\nThe ending: ||it was her all along||.', tags: 'Psychological', intent: 'publish' },
        ann,
      );
      expect(sent.statusCode).toBe(303);
      const url = sent.headers.location as string;
      expect(url).toMatch(/^\/reviews\/\d+$/);
      const page = await site.get(url);
      expect(page.status).toBe(200);
      expect(page.text).toContain('Mirrors all the way down');
      expect(page.text).toContain('4.5 out of 5');
      expect(page.text).toContain('By Ann Writer');
      // The spoiler is in the page behind a reveal control, not in its description.
      expect(page.doc.querySelector('.prose')!.innerHTML).toMatch(/spoiler/);
      expect(page.doc.querySelector('meta[name="description"]')!.getAttribute('content')).not.toContain('it was her all along');
      const work = await site.get('/works/perfect-blue');
      expect(work.text).toContain('Mirrors all the way down');
      expect(work.text).toContain('Psychological');
    });

    it('comes back with the message beside the field and everything typed kept, saving nothing', async () => {
      const { db } = await fresh();
      await seedCatalog(db);
      const site = await setup(db);
      const ann = await writer(db);
      const body = 'Every word of this\n\nmust survive <b>the round trip</b> & more.';
      const sent = await site.post('/write/new', { work: 'perfect-blue', score: '7', scale: '5', headline: 'Kept headline', body, intent: 'publish' }, ann);
      expect(sent.statusCode).toBe(400);
      const doc = parse(sent.body);
      expect(doc.querySelector('#score-error')!.text).toContain('at most 5');
      expect(doc.querySelector('#f-score')!.getAttribute('aria-invalid')).toBe('true');
      expect(fieldValue(sent.body, 'headline')).toBe('Kept headline');
      expect(fieldValue(sent.body, 'body')).toBe(body);
      expect(fieldValue(sent.body, 'score')).toBe('7');
      expect(await db.kysely.selectFrom('reviews').select('id').where('headline', '=', 'Kept headline').execute()).toEqual([]);

      const unknown = await site.post('/write/new', { work: 'No Such Show', body: 'words', intent: 'draft' }, ann);
      expect(unknown.statusCode).toBe(400);
      expect(parse(unknown.body).querySelector('#work-error')!.text).toContain('No work called “No Such Show” is here yet');
    });

    it('keeps drafts private, lists them, and publishes after an edit that goes to the history', async () => {
      const { db } = await fresh();
      await seedCatalog(db);
      const site = await setup(db);
      const ann = await writer(db);
      const saved = await site.post('/write/new', { work: 'Perfect Blue', score: '8', scale: '10', headline: 'First thoughts', body: 'Draft words.', intent: 'draft' }, ann);
      expect(saved.statusCode).toBe(303);
      const id = Number(/\/write\/(\d+)\?saved=draft$/.exec(saved.headers.location as string)![1]);
      expect((await site.get(`/reviews/${id}`)).status).toBe(404);
      const mine = await site.get('/write', ann);
      expect(mine.text).toContain('Drafts (1)');
      expect(mine.text).toContain('First thoughts');

      const edit = await site.get(`/write/${id}?saved=draft`, ann);
      expect(edit.text).toContain('Draft saved');
      expect(fieldValue(edit.body, 'score')).toBe('8');
      expect(edit.doc.querySelector('#f-scale option[selected]')!.getAttribute('value')).toBe('10');

      const published = await site.post(`/write/${id}`, { work: 'perfect-blue', score: '8.5', scale: '10', headline: 'Second thoughts', body: 'Better words.', intent: 'publish' }, ann);
      expect(published.statusCode).toBe(303);
      expect(published.headers.location).toBe(`/reviews/${id}`);
      expect((await site.get(`/reviews/${id}`)).text).toContain('8.5 out of 10');
      const history = await site.get(`/write/${id}/history`, ann);
      expect(history.status).toBe(200);
      expect(history.text).toContain('First thoughts');
      expect(history.text).toContain('Draft words.');
    });

    it('previews the review as it will look without saving it', async () => {
      const { db } = await fresh();
      await seedCatalog(db);
      const site = await setup(db);
      const ann = await writer(db);
      const preview = await site.post('/write/new', { work: 'perfect-blue', score: '3', scale: '5', headline: 'Just a look', body: '**Bold** claim, ||hidden||.', intent: 'preview' }, ann);
      expect(preview.statusCode).toBe(200);
      const doc = parse(preview.body);
      expect(doc.querySelector('.preview h1')!.text).toBe('Just a look');
      expect(doc.querySelector('.preview .prose strong')!.text).toBe('Bold');
      expect(textOf(preview.body)).toContain('Not saved yet');
      expect(fieldValue(preview.body, 'body')).toBe('**Bold** claim, ||hidden||.');
      expect(await db.kysely.selectFrom('reviews').select('id').where('headline', '=', 'Just a look').execute()).toEqual([]);
      const fragment = await site.post('/write/preview-body', { body: '# Heading\n\n<script>x</script>' }, ann);
      expect(fragment.statusCode).toBe(200);
      expect(fragment.body).toContain('<h2>Heading</h2>');
      expect(fragment.body).toContain('&lt;script&gt;');
    });

    it('warns about a likely duplicate work, and adds a new one once the author confirms', async () => {
      const { db } = await fresh();
      await seedCatalog(db);
      const site = await setup(db);
      const ann = await writer(db);
      const fields = { title: 'Hero ≠ Mask', year: '2018', kind: 'anime_series', director: 'Someone Else', score: '3', scale: '5', body: 'A namesake.', intent: 'publish' };
      const warned = await site.post('/write/new', fields, ann);
      expect(warned.statusCode).toBe(400);
      const doc = parse(warned.body);
      expect(doc.querySelector('.duplicates')!.text).toContain('Hero ≠ Mask (2018)');
      expect(doc.querySelector('.duplicates input[type=radio]')!.getAttribute('value')).toBe('hero-not-equal-mask');
      expect(fieldValue(warned.body, 'director')).toBe('Someone Else');
      const before = await db.kysely.selectFrom('works').select('id').execute();

      const confirmed = await site.post('/write/new', { ...fields, different_work: '1' }, ann);
      expect(confirmed.statusCode).toBe(303);
      expect((await db.kysely.selectFrom('works').select('id').execute()).length).toBe(before.length + 1);
      const page = await site.get(confirmed.headers.location as string);
      expect(page.text).toContain('Someone Else');

      // A brand-new title goes straight in.
      const fresh2 = await site.post('/write/new', { title: 'Odd Taxi', year: '2021', kind: 'anime_series', body: 'Brilliant.', score: '9', scale: '10', intent: 'publish' }, ann);
      expect(fresh2.statusCode).toBe(303);
      expect((await site.get('/works/odd-taxi')).status).toBe(200);
    });

    it('fills the form from a pasted plain-text review for checking, saving nothing', async () => {
      const { db } = await fresh();
      const site = await setup(db);
      const ann = await writer(db);
      const filled = await site.post('/write/paste', { paste }, ann);
      expect(filled.statusCode).toBe(200);
      expect(fieldValue(filled.body, 'title')).toBe('Mob Psycho 100');
      expect(fieldValue(filled.body, 'year')).toBe('2016');
      expect(fieldValue(filled.body, 'director')).toBe('Yuzuru Tachikawa');
      expect(fieldValue(filled.body, 'studios')).toBe('Bones');
      expect(fieldValue(filled.body, 'platforms')).toBe('Crunchyroll, Hulu');
      expect(fieldValue(filled.body, 'score')).toBe('4.5');
      expect(fieldValue(filled.body, 'body')).toContain('Shigeo Kageyama is the strongest psychic alive');
      expect(await db.kysely.selectFrom('works').select('id').execute()).toEqual([]);
      const empty = await site.post('/write/paste', { paste: '   ' }, ann);
      expect(empty.statusCode).toBe(400);
      expect(textOf(empty.body)).toContain('paste the text of a review first');
    });

    it('deletes a review and restores it under the same address', async () => {
      const { db } = await fresh();
      await seedCatalog(db);
      const site = await setup(db);
      const ann = await writer(db);
      const sent = await site.post('/write/new', { work: 'perfect-blue', body: 'Keep me.', intent: 'publish' }, ann);
      const url = sent.headers.location as string;
      const id = Number(url.split('/').pop());
      const deleted = await site.post(`/write/${id}/delete`, {}, ann);
      expect(deleted.statusCode).toBe(303);
      expect((await site.get(url)).status).toBe(404);
      const list = await site.get('/write?deleted=1', ann);
      expect(list.text).toContain('Deleted in the last 30 days');
      expect(list.text).toContain('Perfect Blue');
      expect((await site.post(`/write/${id}/restore`, {}, ann)).statusCode).toBe(303);
      const back = await site.get(url);
      expect(back.status).toBe(200);
      expect(back.text).toContain('Keep me.');
    });

    it('refuses forms without the CSRF token or from another site, and other authors’ reviews', async () => {
      const { db } = await fresh();
      const { hero } = await seedCatalog(db);
      const site = await setup(db);
      const ann = await writer(db);
      const fields = { work: 'perfect-blue', body: 'Forged.', intent: 'publish' };
      expect((await site.post('/write/new', fields, { cookie: ann.cookie })).statusCode).toBe(403);
      expect((await site.post('/write/new', fields, { cookie: ann.cookie, csrf: 'wrong' })).statusCode).toBe(403);
      expect((await site.post('/write/new', fields, ann, { origin: 'https://evil.example' })).statusCode).toBe(403);
      expect(await db.kysely.selectFrom('reviews').select('id').where('body', '=', 'Forged.').execute()).toEqual([]);

      // Aiko Tanaka's review (from the seed) is not Ann's to change; an editor may.
      const theirs = hero.review.id;
      expect((await site.get(`/write/${theirs}`, ann)).status).toBe(403);
      expect((await site.post(`/write/${theirs}/delete`, {}, ann)).statusCode).toBe(403);
      const editor = await writer(db, 'editor', 'Ed Itor');
      expect((await site.get(`/write/${theirs}`, editor)).status).toBe(200);
      const edited = await site.post(`/write/${theirs}`, { score: '3', scale: '5', headline: 'Cliché after cliché', body: 'Moderated.', intent: 'publish' }, editor);
      expect(edited.statusCode).toBe(303);
      const log = await accounts.auditLog(db.kysely, { action: 'review_edited' });
      expect(log.map((e) => [e.subject, e.actorEmail])).toEqual([[`review ${theirs}`, 'ed.itor@example.org']]);
    });

    it('lets an editor hide a review with a reason its author sees, and show it again', async () => {
      const { db } = await fresh();
      await seedCatalog(db);
      const site = await setup(db);
      const ann = await writer(db);
      const editor = await writer(db, 'editor', 'Ed Itor');
      const sent = await site.post('/write/new', { work: 'perfect-blue', score: '4', scale: '5', body: 'Something rude.', intent: 'publish' }, ann);
      const url = sent.headers.location as string;
      const id = Number(url.split('/').pop());
      // Authors have no hide control, and cannot hide by posting the form.
      expect((await site.get(`/write/${id}`, ann)).doc.querySelector(`form[action="/write/${id}/hide"]`)).toBeNull();
      expect((await site.post(`/write/${id}/hide`, { reason: 'Mine' }, ann)).statusCode).toBe(403);
      expect((await site.post(`/write/${id}/hide`, { reason: '  ' }, editor)).statusCode).toBe(400);

      const hidden = await site.post(`/write/${id}/hide`, { reason: 'Personal attacks on another reviewer' }, editor);
      expect(hidden.statusCode).toBe(303);
      expect((await site.get(url)).status).toBe(404);
      expect((await site.get('/works/perfect-blue')).text).not.toContain('Something rude.');
      const seen = await site.get(`/write/${id}`, ann);
      expect(seen.text).toContain('Hidden from readers by Ed Itor');
      expect(seen.text).toContain('Personal attacks on another reviewer');
      // The author cannot publish it again; the text they typed comes back with the reason.
      const again = await site.post(`/write/${id}`, { score: '4', scale: '5', body: 'Something rude, edited.', intent: 'publish' }, ann);
      expect(again.statusCode).toBe(409);
      expect(textOf(again.body)).toContain('hidden by an editor');
      expect(fieldValue(again.body, 'body')).toBe('Something rude, edited.');
      expect((await site.get(url)).status).toBe(404);

      expect((await site.post(`/write/${id}/unhide`, {}, editor)).statusCode).toBe(303);
      expect((await site.get(url)).status).toBe(200);
      const log = (await accounts.auditLog(db.kysely, {})).map((e) => e.action);
      expect(log).toEqual(expect.arrayContaining(['review_hidden', 'review_unhidden']));
    });

    it('ignores fields a form does not have (no writing as someone else, no promoting oneself) and refuses oversized forms with 413', async () => {
      const { db } = await fresh();
      await seedCatalog(db);
      const site = await setup(db);
      const ann = await writer(db);
      const sent = await site.post('/write/new', { work: 'perfect-blue', body: 'Mine.', intent: 'publish', author: 'Aiko Tanaka', authorId: '1', role: 'admin', rating: '100' }, ann);
      expect(sent.statusCode).toBe(303);
      const page = await site.get(sent.headers.location as string);
      expect(page.text).toContain('By Ann Writer');
      expect(page.text).toContain('No score');
      await site.post('/account/profile', { name: 'Ann Writer', reviewScale: '5', role: 'admin' }, ann);
      expect((await accounts.userById(db.kysely, ann.user.id)).role).toBe('author');

      const huge = await site.post('/write/new', { work: 'perfect-blue', body: 'x'.repeat(600 * 1024), intent: 'publish' }, ann);
      expect(huge.statusCode).toBe(413);
      expect(textOf(huge.body)).toMatch(/larger than/);
      expect(await db.kysely.selectFrom('reviews').select('id').where('authorId', '=', ann.user.authorId!).execute()).toHaveLength(1);
    });

    it('keeps every naughty string as text in every field of the form, and publishes them without breaking a page', async () => {
      const { db } = await fresh();
      await seedCatalog(db);
      const site = await setup(db);
      const ann = await writer(db);
      const all = naughtyStrings().filter((s) => !s.includes('\u0000') && s.length <= 200);
      const step = Math.max(1, Math.floor(all.length / 60));
      const fields = ['title', 'year', 'director', 'writer', 'music', 'studios', 'platforms', 'score', 'headline', 'summary', 'body', 'tags'] as const;
      // Scripts that run (structured data aside): only the site's own, as many as on a page without the string.
      const scripts = (body: string) => parse(body).querySelectorAll('script').filter((e) => e.getAttribute('type') !== 'application/ld+json').length;
      const baseline = scripts((await site.get('/write/new', ann)).body);
      let published = 0;
      for (let i = 0; i < all.length; i += step) {
        const s = all[i]!;
        const form = Object.fromEntries(fields.map((f) => [f, s]));
        // Back comes the form (an error, or the preview): every field holds exactly what was sent.
        const back = await site.post('/write/new', { ...form, intent: 'preview' }, ann);
        expect([200, 400], s).toContain(back.statusCode);
        expect(scripts(back.body), s).toBe(baseline);
        expect(parse(back.body).querySelectorAll('[onerror], [onload], [onclick]'), s).toEqual([]);
        for (const f of fields) expect(fieldValue(back.body, f), `${f}: ${s}`).toBe(s);
        // Published as a new work (when the string can be a title): the pages stay whole.
        if (!s.trim()) continue;
        const sent = await site.post('/write/new', { title: `${s} ${i}`, director: s, studios: s, platforms: s, tags: s, headline: s, summary: s, body: s, intent: 'publish', different_work: '1' }, ann);
        expect([303, 400, 409], `${sent.statusCode} ${s}`).toContain(sent.statusCode);
        if (sent.statusCode !== 303) continue;
        published++;
        const page = await site.get(sent.headers.location as string);
        expect(page.status, s).toBe(200);
        expect(scripts(page.body), s).toBe(scripts((await site.get('/')).body));
        expect(page.doc.querySelectorAll('[onerror], [onload], [onclick]'), s).toEqual([]);
      }
      // Nearly all are published; the few refused are names with no letter or digit, refused with a message.
      expect(published).toBeGreaterThan(40);
    });

    it('keeps hostile text as text on the form, the preview and the published page', async () => {
      const { db } = await fresh();
      await seedCatalog(db);
      const site = await setup(db);
      const ann = await writer(db);
      const hostile = '"><script>alert(1)</script><img src=x onerror=alert(2)>';
      const fields = { work: 'perfect-blue', headline: hostile, summary: hostile, body: `${hostile}\n\n[x](javascript:alert(3))`, tags: hostile.slice(0, 50), intent: 'preview' };
      for (const sent of [await site.post('/write/new', fields, ann), await site.post('/write/new', { ...fields, score: 'x' }, ann)]) {
        expect(sent.body).not.toContain('<script>alert(1)');
        expect(sent.body).not.toMatch(/<img[^>]*onerror/);
        expect(sent.body).not.toContain('href="javascript:');
        expect(fieldValue(sent.body, 'headline')).toBe(hostile);
      }
      const published = await site.post('/write/new', { ...fields, intent: 'publish' }, ann);
      expect(published.statusCode).toBe(303);
      const page = await site.get(published.headers.location as string);
      expect(page.body).not.toContain('<script>alert(1)');
      expect(page.doc.querySelector('h1')!.text).toBe(hostile);
    });
  });
});
