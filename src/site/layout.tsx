/**
 * The frame of every page: <head> (title, description, canonical, OpenGraph, Twitter,
 * feeds, JSON-LD), the header with the search box, and the footer.
 */
import type { ComponentChildren } from 'preact';
import { renderToString } from 'preact-render-to-string';
import { urls } from '../shared/urls.js';
import { absoluteUrl, type Site } from './site.context.js';

export interface FeedLink {
  title: string;
  href: string;
  type: 'application/atom+xml' | 'application/feed+json' | 'application/rss+xml';
}

export interface PageHead {
  /** The page's own title; the site name is added after it. */
  title: string;
  /** Spoiler-free, plain text. */
  description?: string;
  /** Path of the canonical address of the page (absolute URLs are built from it). */
  path: string;
  /** OpenGraph type: `website`, `article`, `video.tv_show`, `video.movie`, `profile`. */
  ogType?: string;
  /** Extra OpenGraph properties, e.g. `article:published_time`. */
  og?: [property: string, content: string][];
  /** schema.org objects, written as JSON-LD. */
  jsonLd?: object[];
  feeds?: FeedLink[];
  /** Search results and error pages stay out of search engines. */
  noindex?: boolean;
  /** Scripts the page is enhanced with, by name (`Site.scripts`); loaded deferred. */
  scripts?: string[];
}

const UNSAFE_IN_SCRIPT = /[<\u2028\u2029]/;
const UNSAFE_IN_SCRIPT_ALL = /[<\u2028\u2029]/g;

/**
 * JSON inside <script> ends at the first `</script>`: escaping `<` (and the two line
 * separators JavaScript once rejected) keeps any title or name from closing it.
 */
export function jsonForScript(value: unknown): string {
  const json = JSON.stringify(value);
  // Most documents hold none of these: testing first spares a replace over a review's whole text.
  return UNSAFE_IN_SCRIPT.test(json) ? json.replace(UNSAFE_IN_SCRIPT_ALL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`) : json;
}

/** The site-wide feeds, advertised on every page. */
export function siteFeeds(site: Site): FeedLink[] {
  return [
    { title: `${site.name}: latest reviews (Atom)`, href: urls.feed('atom'), type: 'application/atom+xml' },
    { title: `${site.name}: latest reviews (JSON Feed)`, href: urls.feed('json'), type: 'application/feed+json' },
    { title: `${site.name}: latest reviews (RSS)`, href: urls.feed('rss'), type: 'application/rss+xml' },
  ];
}

function HeaderInner({ site, query }: { site: Site; query?: string }) {
  return (
    <>
      <div class="site-header-inner">
        <a class="site-name" href={urls.home()}>
          {site.name}
        </a>
        <nav aria-label="Site">
          <ul class="site-nav">
            <li>
              <a href={urls.home()}>Latest</a>
            </li>
            <li>
              <a href={urls.browse()}>Rankings</a>
            </li>
            <li>
              <a href={urls.login()}>Sign in</a>
            </li>
          </ul>
        </nav>
        <form class="site-search" role="search" action={urls.search()} method="get">
          <label for="site-search-q" class="visually-hidden">
            Search titles, people, studios and reviews
          </label>
          <input id="site-search-q" type="search" name="q" value={query ?? ''} placeholder="Search" maxLength={200} />
          <button type="submit">Search</button>
        </form>
      </div>
    </>
  );
}

function FooterInner({ site }: { site: Site }) {
  return (
    <>
      <ul class="footer-links">
        <li>{site.name}</li>
        <li>
          <a href={urls.feed('atom')}>Atom feed</a>
        </li>
        <li>
          <a href={urls.feed('json')}>JSON Feed</a>
        </li>
        <li>
          <a href={urls.feed('rss')}>RSS</a>
        </li>
        <li>
          <a href="/sitemap.xml">Sitemap</a>
        </li>
      </ul>
      <p class="powered">Published with Kansou.</p>
    </>
  );
}

/**
 * The header and footer are the same on every page (but for a search page's query in the
 * box): rendered once per site, still through Preact and so escaped, and reused.
 */
const chromeCache = new WeakMap<Site, { header: string; footer: string }>();
function chrome(site: Site): { header: string; footer: string } {
  let html = chromeCache.get(site);
  if (!html) {
    html = { header: renderToString(<HeaderInner site={site} />), footer: renderToString(<FooterInner site={site} />) };
    chromeCache.set(site, html);
  }
  return html;
}

export function Layout({ site, head, children, query }: { site: Site; head: PageHead; children: ComponentChildren; query?: string }) {
  const fullTitle = head.path === '/' ? site.name : `${head.title} · ${site.name}`;
  const canonical = absoluteUrl(site, head.path);
  const feeds = [...(head.feeds ?? []), ...siteFeeds(site)];
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{fullTitle}</title>
        {head.description && <meta name="description" content={head.description} />}
        {head.noindex && <meta name="robots" content="noindex" />}
        <meta name="color-scheme" content="light dark" />
        <link rel="canonical" href={canonical} />
        <link rel="stylesheet" href={site.stylesheet} />
        <link rel="icon" href={site.icon} type="image/svg+xml" />
        <link rel="search" href={urls.search()} title={`Search ${site.name}`} />
        {feeds.map((f) => (
          <link rel="alternate" type={f.type} title={f.title} href={f.href} />
        ))}
        <meta property="og:site_name" content={site.name} />
        <meta property="og:title" content={head.title} />
        <meta property="og:type" content={head.ogType ?? 'website'} />
        <meta property="og:url" content={canonical} />
        {head.description && <meta property="og:description" content={head.description} />}
        {(head.og ?? []).map(([property, content]) => (
          <meta property={property} content={content} />
        ))}
        <meta name="twitter:card" content="summary" />
        <meta name="twitter:title" content={head.title.slice(0, 70)} />
        {head.description && <meta name="twitter:description" content={head.description.slice(0, 200)} />}
        {(head.jsonLd ?? []).map((data) => (
          <script type="application/ld+json" dangerouslySetInnerHTML={{ __html: jsonForScript(data) }} />
        ))}
        {(head.scripts ?? []).map((name) => site.scripts?.[name] && <script src={site.scripts[name]} defer />)}
      </head>
      <body>
        <a class="skip-link" href="#main">
          Skip to content
        </a>
        <header class="site-header" dangerouslySetInnerHTML={{ __html: query ? renderToString(<HeaderInner site={site} query={query} />) : chrome(site).header }} />
        <main id="main" tabIndex={-1}>
          {children}
        </main>
        <footer class="site-footer" dangerouslySetInnerHTML={{ __html: chrome(site).footer }} />
      </body>
    </html>
  );
}
