/**
 * /sitemap.xml and /robots.txt.
 *
 * A sitemap may list 50,000 URLs. Up to that, /sitemap.xml is the list itself; beyond it,
 * /sitemap.xml is an index of parts at /sitemaps/N.xml. A part is one section (works,
 * reviews, authors…) over one fixed range of 50,000 ids, and N encodes both
 * (N = range × 16 + section + 1), so a part's number means the same slice for as long
 * as the site lives: a crawler holding yesterday's index never fetches a shifted list.
 *
 * What exists is judged from each table's highest id, which the primary key gives at once:
 * counting published reviews would read every review (their bodies sit in the same rows), on
 * every request for /sitemap.xml. The price is that a range holding only drafts or deleted ids
 * is still listed, as a valid empty part; ranges past the highest id answer 404.
 *
 * Rows are read in id order a couple of thousand at a time (keyset), never a whole table at
 * once, and each batch is its own query, so a large part never holds the event loop for long.
 */
import type { Site } from '../site/site.context.js';
import { absoluteUrl } from '../site/site.context.js';
import { urls } from '../shared/urls.js';
import { notFound } from '../shared/errors.js';
import { listPublishedReviews } from '../reviews/reviews.repository.js';
import { escapeXml } from './feeds.xml.js';
import { SECTIONS as ROW_SECTIONS, sitemapMaxIds, sitemapRows, type SitemapRow, type SitemapSection } from './sitemap.repository.js';

/** The sitemaps protocol's limit of URLs per file. */
export const SITEMAP_LIMIT = 50_000;
/** Rows per query while paging through a section. */
const BATCH = 2_000;

/** Part numbers depend on this order: a new section goes at the end, within SLOTS. */
const SECTIONS = ['pages', ...ROW_SECTIONS] as const;
type Section = (typeof SECTIONS)[number];
/** Part numbers reserved per id range; more than there are sections, so adding one renumbers nothing. */
const SLOTS = 16;

const PATHS: Record<SitemapSection, (row: SitemapRow) => string> = {
  works: (r) => urls.work(r.slug!),
  reviews: (r) => urls.review(r.id),
  authors: (r) => urls.author(r.slug!),
  people: (r) => urls.person(r.slug!),
  studios: (r) => urls.studio(r.slug!),
  platforms: (r) => urls.platform(r.slug!),
  tags: (r) => urls.tag(r.slug!),
};

export interface SitemapOptions {
  /** URLs per file; lower only in tests, to see the index without 50,000 rows. */
  limit?: number;
  /** Rows per query; lowered only in tests, to exercise the paging. */
  batch?: number;
}

const partNumber = (section: Section, range: number) => range * SLOTS + SECTIONS.indexOf(section) + 1;

const XML_HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n';
const URLSET_OPEN = `${XML_HEAD}<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n`;
const URLSET_CLOSE = '</urlset>\n';

/** A W3C datetime for <lastmod>, or nothing when the stored value is not a date. */
function w3cDate(value: string | null): string | null {
  if (!value) return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

function urlEntry(site: Site, path: string, lastmod: string | null): string {
  let loc = absoluteUrl(site, path);
  // Slugs are ASCII when made here, but a restored one need not be; sitemaps want URIs.
  if (/[^\x21-\x7e]/.test(loc)) loc = encodeURI(loc);
  const date = w3cDate(lastmod);
  return `<url><loc>${escapeXml(loc)}</loc>${date ? `<lastmod>${date}</lastmod>` : ''}</url>\n`;
}

/** The home and browse pages change whenever a review is published or edited. */
async function newestChange(site: Site): Promise<string | null> {
  const [newest] = await listPublishedReviews(site.db.kysely, { limit: 1 });
  if (!newest) return null;
  const published = newest.publishedAt ?? newest.createdAt;
  return newest.updatedAt > published ? newest.updatedAt : published;
}

async function staticEntries(site: Site): Promise<string[]> {
  const lastmod = await newestChange(site);
  return [urlEntry(site, urls.home(), lastmod), urlEntry(site, urls.browse(), lastmod)];
}

/** Appends the URLs of `section` with ids in (afterId, throughId] to `out`. */
async function appendSection(
  site: Site,
  out: string[],
  section: SitemapSection,
  afterId: number,
  throughId: number | null,
  batch: number,
): Promise<void> {
  for (let after = afterId; ; ) {
    const rows = await sitemapRows(site.db, section, after, throughId, batch);
    for (const row of rows) out.push(urlEntry(site, PATHS[section](row), row.lastmod));
    if (rows.length < batch) return;
    after = rows[rows.length - 1]!.id;
  }
}

/** How many id ranges of `limit` a section spans. */
const rangesOf = (maxId: number, limit: number) => Math.ceil(maxId / limit);

/** /sitemap.xml: every public page, or (past the limit) the index of the parts. */
export async function sitemapXml(site: Site, options: SitemapOptions = {}): Promise<string> {
  const limit = options.limit ?? SITEMAP_LIMIT;
  const maxIds = await sitemapMaxIds(site.db);
  // Ids bound the rows from above, so this never puts more than `limit` URLs in one file.
  const bound = 2 + ROW_SECTIONS.reduce((sum, section) => sum + maxIds[section], 0);
  if (bound <= limit) {
    const out = [URLSET_OPEN, ...(await staticEntries(site))];
    for (const section of ROW_SECTIONS) await appendSection(site, out, section, 0, null, options.batch ?? BATCH);
    out.push(URLSET_CLOSE);
    return out.join('');
  }
  const parts = [partNumber('pages', 0)];
  for (const section of ROW_SECTIONS) {
    for (let range = 0; range < rangesOf(maxIds[section], limit); range++) parts.push(partNumber(section, range));
  }
  // No <lastmod> per part: knowing one means reading every row of the part.
  const out = [`${XML_HEAD}<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n`];
  for (const n of parts.sort((a, b) => a - b)) out.push(`<sitemap><loc>${escapeXml(absoluteUrl(site, `/sitemaps/${n}.xml`))}</loc></sitemap>\n`);
  out.push('</sitemapindex>\n');
  return out.join('');
}

/** /sitemaps/N.xml: one part of a large site's sitemap (`part` is the N of the address). */
export async function sitemapPart(site: Site, part: string, options: SitemapOptions = {}): Promise<string> {
  const limit = options.limit ?? SITEMAP_LIMIT;
  const missing = () => notFound(`The sitemap part "${part}"`);
  if (!/^[1-9][0-9]{0,8}$/.test(part)) throw missing();
  const n = Number(part) - 1;
  const section = SECTIONS[n % SLOTS];
  const range = Math.floor(n / SLOTS);
  if (!section) throw missing();
  if (section === 'pages') {
    if (range !== 0) throw missing();
    return [URLSET_OPEN, ...(await staticEntries(site)), URLSET_CLOSE].join('');
  }
  const maxId = (await sitemapMaxIds(site.db))[section];
  if (range >= rangesOf(maxId, limit)) throw missing();
  const out = [URLSET_OPEN];
  // Capped at the highest id, the bound also stays a 32-bit integer, as PostgreSQL's ids are.
  await appendSection(site, out, section, range * limit, Math.min((range + 1) * limit, maxId), options.batch ?? BATCH);
  out.push(URLSET_CLOSE);
  return out.join('');
}

export function robotsTxt(site: Site): string {
  return [
    'User-agent: *',
    'Allow: /',
    // Result pages are endless combinations of one catalogue; the API is for programs.
    `Disallow: ${urls.search()}`,
    'Disallow: /api/',
    '',
    `Sitemap: ${absoluteUrl(site, '/sitemap.xml')}`,
    '',
  ].join('\n');
}
