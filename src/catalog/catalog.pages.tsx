/**
 * Person, studio, platform, tag and year pages: the works they share, sortable and paginated.
 * Every one is the same listing (catalog.repository.ts#listWorks) with a different filter.
 */
import type { ComponentChildren, VNode } from 'preact';
import type { Site } from '../site/site.context.js';
import { absoluteUrl } from '../site/site.context.js';
import { Layout } from '../site/layout.js';
import { WorkCard, roleLabel } from '../site/components.js';
import { notFound } from '../shared/errors.js';
import { urls } from '../shared/urls.js';
import { CREDIT_ROLES } from '../import/import.types.js';
import type { NamedEntity } from '../db/schema.js';
import { findNamedBySlug } from '../works/names.repository.js';
import { adjacentYears, listWorks, roleCounts, rolesOnWorks, type ListedWork, type WorkFilter, type WorkSort } from './catalog.repository.js';
import { PageLinks, SortForm, checkPage, listingPath, parsePage, pickOne, type Query, type SortChoice } from './listing.js';

export const WORKS_PER_PAGE = 50;

const SORTS: SortChoice<WorkSort>[] = [
  { value: 'year', label: 'Newest first' },
  { value: 'year-asc', label: 'Oldest first' },
  { value: 'title', label: 'Title (A–Z)' },
  { value: 'score', label: 'Highest mean score' },
];
// Within one year, the year says nothing about the order.
const YEAR_SORTS = SORTS.filter((s) => s.value === 'title' || s.value === 'score');

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

interface Listing {
  works: ListedWork[];
  total: number;
  sort: WorkSort;
  page: number;
  pages: number;
  /** The listing's own parameters (sort when not the default, and `keep`), without the page. */
  params: Record<string, string | null>;
  /** Canonical path of this page of the listing. */
  path: string;
}

async function loadListing(
  site: Site,
  base: string,
  filter: WorkFilter,
  query: Query,
  options: { sorts: SortChoice<WorkSort>[]; defaultSort: WorkSort; keep?: Record<string, string | undefined> },
): Promise<Listing> {
  const sort = pickOne(
    query.sort,
    options.sorts.map((s) => s.value),
    options.defaultSort,
  );
  const page = parsePage(query.page);
  const { works, total } = await listWorks(site.db.kysely, { filter, sort, limit: WORKS_PER_PAGE, offset: (page - 1) * WORKS_PER_PAGE });
  const pages = checkPage(page, total, WORKS_PER_PAGE);
  const params: Record<string, string | null> = {};
  for (const [name, value] of Object.entries(options.keep ?? {})) if (value !== undefined) params[name] = value;
  params.sort = sort === options.defaultSort ? null : sort;
  return { works, total, sort, page, pages, params, path: listingPath(base, params, page) };
}

function WorksSection({
  base,
  listing,
  sorts,
  keep,
  empty,
  extra,
  before,
}: {
  base: string;
  listing: Listing;
  sorts: SortChoice<WorkSort>[];
  keep?: Record<string, string | undefined>;
  empty: string;
  extra?: (work: ListedWork) => ComponentChildren;
  before?: ComponentChildren;
}) {
  return (
    <section aria-labelledby="works-heading">
      <h2 id="works-heading">Works</h2>
      {before}
      {listing.total === 0 ? (
        <p class="muted">{empty}</p>
      ) : (
        <>
          <SortForm action={base} choices={sorts} current={listing.sort} keep={keep} />
          <p class="muted listing-count">{plural(listing.total, 'work')}</p>
          <ul class="card-grid">
            {listing.works.map((w) => (
              <li>
                <WorkCard work={w} extra={extra?.(w)} />
              </li>
            ))}
          </ul>
          <PageLinks base={base} params={listing.params} page={listing.page} pages={listing.pages} label="Pages of works" />
        </>
      )}
    </section>
  );
}

const pageSuffix = (listing: Listing) => (listing.page > 1 ? ` (page ${listing.page})` : '');

export async function personPage(site: Site, slug: string, query: Query): Promise<VNode> {
  const person = await findNamedBySlug(site.db.kysely, 'people', slug);
  if (!person) throw notFound(`The person "${slug}"`);
  const role = pickOne<string>(query.role, CREDIT_ROLES, '') || undefined;
  const base = urls.person(person.slug);
  const keep = { role };
  const [counts, listing] = await Promise.all([
    roleCounts(site.db.kysely, person.id),
    loadListing(site, base, { personId: person.id, role }, query, { sorts: SORTS, defaultSort: 'year', keep }),
  ]);
  const roles = await rolesOnWorks(
    site.db.kysely,
    person.id,
    listing.works.map((w) => w.id),
  );
  const roleList = counts.map((c) => roleLabel(c.role).toLowerCase()).join(', ');
  const description = `Works of ${person.name}${roleList ? ` (${roleList})` : ''} reviewed on ${site.name}, with their scores.`;
  const sortParam = listing.params.sort;
  return (
    <Layout
      site={site}
      head={{
        title: `${person.name}${role ? `: ${roleLabel(role)}` : ''}${pageSuffix(listing)}`,
        description,
        path: listing.path,
        ogType: 'profile',
        jsonLd: [{ '@context': 'https://schema.org', '@type': 'Person', name: person.name, url: absoluteUrl(site, base) }],
      }}
    >
      <p class="eyebrow">Person</p>
      <h1>{person.name}</h1>
      {counts.length > 0 && (
        <nav aria-label="Roles" class="role-filter">
          <ul class="tag-list">
            <li>
              <a href={listingPath(base, { sort: sortParam })} aria-current={role === undefined ? 'page' : undefined}>
                All roles
              </a>
            </li>
            {counts.map((c) => (
              <li>
                <a href={listingPath(base, { role: c.role, sort: sortParam })} aria-current={role === c.role ? 'page' : undefined}>
                  {roleLabel(c.role)} ({plural(c.works, 'work')})
                </a>
              </li>
            ))}
          </ul>
        </nav>
      )}
      <WorksSection
        base={base}
        listing={listing}
        sorts={SORTS}
        keep={keep}
        empty={role ? `No works as ${roleLabel(role).toLowerCase()}.` : 'No works yet.'}
        extra={(w) => {
          const r = roles.get(w.id);
          return r?.length ? <span class="roles">{r.map(roleLabel).join(', ')}</span> : null;
        }}
      />
    </Layout>
  );
}

type LinkedEntity = Exclude<NamedEntity, 'people' | 'authors'>;

const ENTITY: Record<LinkedEntity, { eyebrow: string; url: (slug: string) => string; filter: (id: number) => WorkFilter; title: (name: string) => string; describe: (name: string) => string; what: string }> = {
  studios: {
    eyebrow: 'Studio',
    url: urls.studio,
    filter: (id) => ({ studioId: id }),
    title: (name) => `Works by ${name}`,
    describe: (name) => `by the studio ${name}`,
    what: 'studio',
  },
  platforms: {
    eyebrow: 'Platform',
    url: urls.platform,
    filter: (id) => ({ platformId: id }),
    title: (name) => `Works on ${name}`,
    describe: (name) => `available on ${name}`,
    what: 'platform',
  },
  tags: {
    eyebrow: 'Tag',
    url: urls.tag,
    filter: (id) => ({ tagId: id }),
    title: (name) => `Works tagged ${name}`,
    describe: (name) => `tagged “${name}”`,
    what: 'tag',
  },
};

async function linkedPage(site: Site, table: LinkedEntity, slug: string, query: Query): Promise<VNode> {
  const spec = ENTITY[table];
  const named = await findNamedBySlug(site.db.kysely, table, slug);
  if (!named) throw notFound(`The ${spec.what} "${slug}"`);
  const base = spec.url(named.slug);
  const listing = await loadListing(site, base, spec.filter(named.id), query, { sorts: SORTS, defaultSort: 'year' });
  const jsonLd = table === 'studios' ? [{ '@context': 'https://schema.org', '@type': 'Organization', name: named.name, url: absoluteUrl(site, base) }] : undefined;
  return (
    <Layout
      site={site}
      head={{
        title: `${spec.title(named.name)}${pageSuffix(listing)}`,
        description: `${plural(listing.total, 'work')} ${spec.describe(named.name)} reviewed on ${site.name}, with their scores.`,
        path: listing.path,
        jsonLd,
      }}
    >
      <p class="eyebrow">{spec.eyebrow}</p>
      <h1>{named.name}</h1>
      <WorksSection base={base} listing={listing} sorts={SORTS} empty="No works yet." />
    </Layout>
  );
}

export function studioPage(site: Site, slug: string, query: Query): Promise<VNode> {
  return linkedPage(site, 'studios', slug, query);
}

export function platformPage(site: Site, slug: string, query: Query): Promise<VNode> {
  return linkedPage(site, 'platforms', slug, query);
}

export function tagPage(site: Site, slug: string, query: Query): Promise<VNode> {
  return linkedPage(site, 'tags', slug, query);
}

// Wider than any work's year, narrow enough that /years/99999 is not a page.
const FIRST_YEAR = 1850;
const LAST_YEAR = 2200;

export async function yearPage(site: Site, raw: string, query: Query): Promise<VNode> {
  const year = /^\d{4}$/.test(raw) ? Number(raw) : NaN;
  if (!(year >= FIRST_YEAR && year <= LAST_YEAR)) throw notFound(`The year "${raw}"`);
  const base = urls.year(year);
  const [listing, around] = await Promise.all([
    loadListing(site, base, { year }, query, { sorts: YEAR_SORTS, defaultSort: 'title' }),
    adjacentYears(site.db.kysely, year),
  ]);
  // Every year in range is a valid address; only the years with works are pages.
  if (listing.total === 0) throw notFound(`Works from ${year}`);
  return (
    <Layout
      site={site}
      head={{
        title: `Works from ${year}${pageSuffix(listing)}`,
        description: `${plural(listing.total, 'anime, series or film', 'anime, series and films')} from ${year} reviewed on ${site.name}, with their scores.`,
        path: listing.path,
      }}
    >
      <p class="eyebrow">Year</p>
      <h1>{year}</h1>
      <WorksSection
        base={base}
        listing={listing}
        sorts={YEAR_SORTS}
        empty="No works yet."
        before={
          (around.previous !== null || around.next !== null) && (
            <nav aria-label="Other years" class="year-nav">
              {around.previous !== null && <a href={urls.year(around.previous)}>← {around.previous}</a>}
              {around.next !== null && <a href={urls.year(around.next)}>{around.next} →</a>}
            </nav>
          )
        }
      />
    </Layout>
  );
}
