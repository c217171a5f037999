import { expect, it } from 'vitest';
import { forEachDatabase } from '../../test/databases.js';
import { PUBLIC_URL, seedCatalog, startSite } from '../../test/site.js';
import { makeItem } from '../../test/factories.js';
import { importParsedItem } from '../import/import.service.js';

forEachDatabase((fresh) => {
  it('home lists the latest reviews newest first, with spoiler-free excerpts, and the top-rated works', async () => {
    const { db } = await fresh();
    await seedCatalog(db);
    const { get } = await startSite(db);
    const page = await get('/');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    const headlines = page.doc.querySelectorAll('.review-card-title a').map((a) => a.text);
    expect(headlines).toEqual(['Better than they say', 'Devilman Crybaby', 'Cliché after cliché', 'A nightmare in mirrors']);
    expect(page.text).toContain('Gunfights are awesome.');
    expect(page.body).not.toContain('James survives');
    expect(page.body).not.toContain('Sarah was the mole');
    expect(page.doc.querySelector('.review-card .stars')?.getAttribute('aria-label')).toBe('4 out of 5 stars');
    const top = page.doc.querySelectorAll('aside .work-card-title a').map((a) => a.text);
    expect(top).toEqual(['Perfect Blue', 'Hero ≠ Mask']);
  });

  it('every page has a title, canonical address, feeds and the security headers', async () => {
    const { db } = await fresh();
    await seedCatalog(db);
    const { get } = await startSite(db);
    const page = await get('/');
    expect(page.doc.querySelector('title')?.text).toBe('Test Reviews');
    expect(page.doc.querySelector('link[rel=canonical]')?.getAttribute('href')).toBe(`${PUBLIC_URL}/`);
    expect(page.doc.querySelectorAll('link[rel=alternate]').map((l) => l.getAttribute('type'))).toEqual([
      'application/atom+xml',
      'application/feed+json',
      'application/rss+xml',
    ]);
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    const csp = String(page.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(page.headers['cache-control']).toBe('public, max-age=0, s-maxage=60');
  });

  it('answers a conditional GET with 304 and compresses for clients that accept it', async () => {
    const { db } = await fresh();
    await seedCatalog(db);
    const { get } = await startSite(db);
    const first = await get('/');
    const etag = String(first.headers.etag);
    expect(etag).toMatch(/^W\/".+"$/);
    const again = await get('/', { 'if-none-match': etag });
    expect(again.status).toBe(304);
    expect(again.body).toBe('');
    const api = await get('/api/v1/works');
    expect(api.headers.etag).toBeTruthy();
    expect((await get('/api/v1/works', { 'if-none-match': String(api.headers.etag) })).status).toBe(304);
    const review = await get('/api/v1/reviews/1');
    expect(review.headers.etag).toMatch(/^W\/".+"$/);
    expect((await get('/api/v1/reviews/1', { 'if-none-match': String(review.headers.etag) })).status).toBe(304);
    const zipped = await get('/', { 'accept-encoding': 'gzip' });
    expect(zipped.headers['content-encoding']).toBe('gzip');
  });

  it('serves the stylesheet under a content hash, cached for a year', async () => {
    const { db } = await fresh();
    const { get } = await startSite(db);
    const href = (await get('/')).doc.querySelector('link[rel=stylesheet]')!.getAttribute('href')!;
    expect(href).toMatch(/^\/assets\/site\.[0-9a-f]{12}\.css$/);
    const css = await get(href);
    expect(css.status).toBe(200);
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
    expect(css.headers['cache-control']).toContain('immutable');
    expect(css.body).toContain('prefers-color-scheme: dark');
  });

  it('answers an unknown page with the site’s 404 page, and an unknown API address with JSON', async () => {
    const { db } = await fresh();
    const { get } = await startSite(db);
    const page = await get('/no/such/page');
    expect(page.status).toBe(404);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.doc.querySelector('h1')?.text).toBe('Page not found');
    expect(page.doc.querySelector('meta[name=robots]')?.getAttribute('content')).toBe('noindex');
    const api = await get('/api/v1/nothing');
    expect(api.status).toBe(404);
    expect(JSON.parse(api.body)).toEqual({ error: { code: 'not_found', message: 'No such address: GET /api/v1/nothing' } });
  });
});

forEachDatabase((fresh) => {
  it('sends the security headers on pages, assets, API answers and errors alike', async () => {
    const { db } = await fresh();
    const { hero } = await seedCatalog(db);
    const { get } = await startSite(db);
    const home = await get('/');
    const css = home.doc.querySelector('link[rel=stylesheet]')!.getAttribute('href')!;
    for (const url of ['/', css, '/feed.atom', `/api/v1/reviews/${hero.review.id}`, '/api/v1/works', '/api/v1/reviews/999999', '/nowhere', '/healthz']) {
      const page = await get(url);
      expect(page.headers['x-content-type-options'], url).toBe('nosniff');
      expect(String(page.headers['content-security-policy']), url).toContain("frame-ancestors 'none'");
    }
    // JSON is never rendered: its policy forbids everything.
    expect((await get('/api/v1/works')).headers['content-security-policy']).toBe("default-src 'none'; frame-ancestors 'none'");
    expect((await get('/')).headers['content-security-policy']).toContain("script-src 'self'");
  });
});

forEachDatabase((fresh) => {
  it('gives an edited review a new ETag, on its page and in the API', async () => {
    const { db } = await fresh();
    const item = makeItem({ title: 'Ping Pong the Animation', year: 2014 }, { body: 'First take.' });
    const first = await importParsedItem(db, item, { author: 'Aiko Tanaka', now: () => '2024-01-01T00:00:00.000Z' });
    const { get } = await startSite(db);
    const before = { api: await get(`/api/v1/reviews/${first.review.id}`), page: await get(`/reviews/${first.review.id}`) };
    const edited = { ...item, review: { ...item.review, body: 'Second take, after a rewatch.' } };
    await importParsedItem(db, edited, { author: 'Aiko Tanaka', now: () => '2024-02-01T00:00:00.000Z' });
    for (const [key, url] of [['api', `/api/v1/reviews/${first.review.id}`], ['page', `/reviews/${first.review.id}`]] as const) {
      const again = await get(url, { 'if-none-match': String(before[key].headers.etag) });
      expect(again.status, url).toBe(200);
      expect(again.headers.etag, url).not.toBe(before[key].headers.etag);
      expect(again.body, url).toContain('Second take');
    }
  });
});
