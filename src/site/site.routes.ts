/**
 * Every URL of the public site on one screen. Handlers render a page component to HTML;
 * a missing thing throws `notFound`, which the app's error handler turns into the 404 page.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { VNode } from 'preact';
import type { Site } from './site.context.js';
import { assetRoutes, registerCompression, registerEtags, registerSecurityHeaders, sendPage, type Asset, type Assets } from './http.js';
import { homePage } from './home.pages.js';
import { workPage } from '../works/works.pages.js';
import { findStoredReviewPage, findStoredWorkPage, sendStoredPage } from './stored-pages.js';
import type { StoredPage } from './stored-pages.repository.js';
import { reviewPage } from '../reviews/reviews.pages.js';
import { authorPage } from '../authors/authors.pages.js';
import { personPage, platformPage, studioPage, tagPage, yearPage } from '../catalog/catalog.pages.js';
import { browsePage } from '../browse/browse.pages.js';
import { searchPage } from '../search/search.pages.js';
import { authorFeed, siteFeed, workFeed, type Feed } from '../feeds/feeds.service.js';
import { robotsTxt, sitemapPart, sitemapXml } from '../feeds/sitemap.js';
import type { FeedFormat } from '../shared/urls.js';

type Query = Record<string, string | undefined>;
type Params = Record<string, string>;
type PageHandler = (site: Site, params: Params, query: Query) => Promise<VNode>;
/** A page's stored copy (stored-pages.ts), when there is a current one. */
type StoredPageFinder = (site: Site, params: Params, query: Query) => Promise<StoredPage | undefined> | undefined;
type FeedHandler = (site: Site, params: Params, format: FeedFormat) => Promise<Feed>;

export async function siteRoutes(app: FastifyInstance, { site, assets }: { site: Site; assets: Assets & { files: Asset[] } }): Promise<void> {
  registerSecurityHeaders(app);
  await registerEtags(app);
  await registerCompression(app);
  assetRoutes(app, assets);

  /** A page rendered on view, or sent as stored when `stored` finds a current copy of it. */
  const page = (path: string, handler: PageHandler, stored?: StoredPageFinder) =>
    app.get(path, async (request: FastifyRequest, reply: FastifyReply) => {
      const [params, query] = [request.params as Params, request.query as Query];
      const found = stored && (await stored(site, params, query));
      return found ? sendStoredPage(request, reply, found) : sendPage(reply, await handler(site, params, query));
    });

  page('/', (s) => homePage(s));
  page(
    '/works/:slug',
    (s, p, q) => workPage(s, p.slug!, q),
    (s, p, q) => (q.page === undefined ? findStoredWorkPage(s, p.slug!) : undefined),
  );
  page(
    '/reviews/:id',
    (s, p) => reviewPage(s, p.id!),
    (s, p) => findStoredReviewPage(s, p.id!),
  );
  page('/authors/:slug', (s, p, q) => authorPage(s, p.slug!, q));
  page('/people/:slug', (s, p, q) => personPage(s, p.slug!, q));
  page('/studios/:slug', (s, p, q) => studioPage(s, p.slug!, q));
  page('/platforms/:slug', (s, p, q) => platformPage(s, p.slug!, q));
  page('/tags/:slug', (s, p, q) => tagPage(s, p.slug!, q));
  page('/years/:year', (s, p, q) => yearPage(s, p.year!, q));
  page('/browse', (s, _p, q) => browsePage(s, q));
  page('/search', (s, _p, q) => searchPage(s, q));

  const feed = (path: string, format: FeedFormat, handler: FeedHandler) =>
    app.get(path, async (request, reply) => {
      const { contentType, body } = await handler(site, request.params as Params, format);
      return reply.type(contentType).header('cache-control', 'public, max-age=300').send(body);
    });
  for (const format of ['atom', 'json', 'rss'] as const) {
    feed(`/feed.${format}`, format, (s, _p, f) => siteFeed(s, f));
    feed(`/authors/:slug/feed.${format}`, format, (s, p, f) => authorFeed(s, p.slug!, f));
    feed(`/works/:slug/feed.${format}`, format, (s, p, f) => workFeed(s, p.slug!, f));
  }

  app.get('/sitemap.xml', async (_request, reply) => reply.type('application/xml; charset=utf-8').send(await sitemapXml(site)));
  app.get('/sitemaps/:part.xml', async (request, reply) =>
    reply.type('application/xml; charset=utf-8').send(await sitemapPart(site, (request.params as Params).part!)),
  );
  app.get('/robots.txt', (_request, reply) => reply.type('text/plain; charset=utf-8').send(robotsTxt(site)));
}
