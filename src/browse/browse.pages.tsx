/**
 * The rankings: every scored work by weighted score, narrowed by kind, year, studio,
 * platform and tag with a plain GET form (no JavaScript needed).
 */
import type { VNode } from 'preact';
import type { Site } from '../site/site.context.js';
import { Layout } from '../site/layout.js';
import { KIND_LABELS, Stars, formatNumber, kindLabel, meanRating } from '../site/components.js';
import { urls } from '../shared/urls.js';
import { notFound } from '../shared/errors.js';
import { nameKey } from '../shared/text.js';
import { WORK_KINDS, type WorkKind } from '../import/import.types.js';
import { findNamedBySlugOrName, listNames, type NameOption, type WorkFilter } from '../catalog/catalog.repository.js';
import { PageLinks, listingPath, parsePage, pickOne, type Query } from '../catalog/listing.js';
import { rankedWorks } from './browse.service.js';

export const RANKS_PER_PAGE = 50;

// A <select> is the easiest control to use while the list is short; past this many names it
// would weigh more than the page, and a text box (matching slug or name) takes its place.
const MAX_OPTIONS = 100;

type LinkTable = 'studios' | 'platforms' | 'tags';

interface NameFilter {
  param: 'studio' | 'platform' | 'tag';
  table: LinkTable;
  label: string;
  /** Every name when there are few enough to offer in a <select>. */
  options: NameOption[] | null;
  /** What the reader typed or chose, trimmed. */
  asked: string | undefined;
  found: NameOption | undefined;
}

const NAME_FILTERS: { param: NameFilter['param']; table: LinkTable; label: string }[] = [
  { param: 'studio', table: 'studios', label: 'Studio' },
  { param: 'platform', table: 'platforms', label: 'Platform' },
  { param: 'tag', table: 'tags', label: 'Tag' },
];

async function resolveNameFilters(site: Site, query: Query): Promise<NameFilter[]> {
  const db = site.db.kysely;
  return Promise.all(
    NAME_FILTERS.map(async ({ param, table, label }) => {
      const asked = query[param]?.trim() || undefined;
      const names = await listNames(db, table, MAX_OPTIONS);
      const options = names.length > MAX_OPTIONS ? null : names;
      let found: NameFilter['found'];
      if (asked && options) {
        const key = nameKey(asked);
        found = options.find((o) => o.slug === asked) ?? options.find((o) => nameKey(o.name) === key);
      } else if (asked) {
        found = await findNamedBySlugOrName(db, table, asked);
      }
      return { param, table, label, options, asked, found };
    }),
  );
}

const YEAR_PATTERN = /^\d{4}$/;

export async function browsePage(site: Site, query: Query): Promise<VNode> {
  const page = parsePage(query.page);
  const kind = pickOne<WorkKind | ''>(query.kind, WORK_KINDS, '') || undefined;
  const yearText = query.year?.trim() ?? '';
  const year = YEAR_PATTERN.test(yearText) ? Number(yearText) : undefined;
  const names = await resolveNameFilters(site, query);
  const id = (param: NameFilter['param']) => names.find((f) => f.param === param)?.found?.id;
  const filter: WorkFilter = { kind, year, studioId: id('studio'), platformId: id('platform'), tagId: id('tag') };
  const { rows, hasMore } = await rankedWorks(site.db, filter, RANKS_PER_PAGE, (page - 1) * RANKS_PER_PAGE);
  if (page > 1 && rows.length === 0) throw notFound(`Page ${page} of the rankings`);

  const params: Record<string, string | number | undefined> = { kind, year };
  for (const f of names) params[f.param] = f.found?.slug;
  const path = listingPath(urls.browse(), params, page);
  const ignored = [
    ...(yearText && year === undefined ? [{ label: 'Year', asked: yearText }] : []),
    ...names.filter((f) => f.asked && !f.found),
  ];
  const applied = [kind && kindLabel(kind), year, ...names.map((f) => f.found?.name)].filter((x): x is string | number => Boolean(x));
  const filtered = applied.length > 0;
  const title = `Rankings${filtered ? `: ${applied.join(', ')}` : ''}${page > 1 ? ` (page ${page})` : ''}`;

  return (
    <Layout
      site={site}
      head={{
        title,
        description: `The best-rated ${filtered ? `works (${applied.join(', ')})` : 'anime, series and films'} on ${site.name}, ranked by a weighted score that keeps works with few scores from topping the list.`,
        path,
      }}
    >
      <h1>Rankings</h1>
      <p class="lede">
        Works are ranked by a weighted score: each work’s mean is blended with the average score of its kind, so works with few scores are pulled towards the
        average until more reviews come in.
      </p>

      <section aria-labelledby="filters-heading">
        <h2 id="filters-heading">Filter</h2>
        <form class="filters" method="get" action={urls.browse()}>
          <label for="filter-kind">
            Kind
            <select id="filter-kind" name="kind">
              <option value="">All kinds</option>
              {WORK_KINDS.map((k) => (
                <option value={k} selected={k === kind}>
                  {KIND_LABELS[k]}
                </option>
              ))}
            </select>
          </label>
          <label for="filter-year">
            Year
            <input id="filter-year" type="number" name="year" min={1850} max={2200} step={1} inputMode="numeric" value={year ?? ''} />
          </label>
          {names.map((f) =>
            f.options ? (
              <label for={`filter-${f.param}`}>
                {f.label}
                <select id={`filter-${f.param}`} name={f.param}>
                  <option value="">Any {f.label.toLowerCase()}</option>
                  {f.options.map((o) => (
                    <option value={o.slug} selected={o.slug === f.found?.slug}>
                      {o.name}
                    </option>
                  ))}
                </select>
              </label>
            ) : (
              <label for={`filter-${f.param}`}>
                {f.label}
                <input id={`filter-${f.param}`} type="text" name={f.param} value={f.found?.name ?? f.asked ?? ''} maxLength={200} />
              </label>
            ),
          )}
          <button type="submit">Apply filters</button>
          {filtered && <a href={urls.browse()}>Clear filters</a>}
        </form>
        {ignored.map((f) => (
          <p class="notice" role="status">
            No {f.label.toLowerCase()} matches “{f.asked}”; that filter was left out.
          </p>
        ))}
      </section>

      <section aria-labelledby="ranking-heading">
        <h2 id="ranking-heading">{filtered ? `Ranking: ${applied.join(', ')}` : 'Ranking'}</h2>
        {rows.length === 0 ? (
          <p class="muted">{filtered ? 'No scored works match these filters.' : 'Nothing scored yet.'}</p>
        ) : (
          <>
            <div class="table-scroll">
              <table class="rankings">
                <caption class="visually-hidden">Works by weighted score, best first</caption>
                <thead>
                  <tr>
                    <th scope="col">Rank</th>
                    <th scope="col">Title</th>
                    <th scope="col">Kind</th>
                    <th scope="col">Year</th>
                    <th scope="col">Weighted score</th>
                    <th scope="col">Mean score</th>
                  </tr>
                </thead>
                <tbody>
                  {rows.map((w, i) => {
                    const mean = meanRating(w) ?? 0;
                    return (
                      <tr>
                        <td class="rank">{(page - 1) * RANKS_PER_PAGE + i + 1}</td>
                        <th scope="row" class="ranked-title">
                          <a href={urls.work(w.slug)}>{w.title}</a>
                        </th>
                        <td>{kindLabel(w.kind)}</td>
                        <td>{w.year === null ? '—' : <a href={urls.year(w.year)}>{w.year}</a>}</td>
                        <td class="weighted">
                          <Stars rating={w.weighted} /> <span class="score-text">{formatNumber(w.weighted / 20)}</span>
                        </td>
                        <td class="mean">
                          {formatNumber(mean / 20)} <span class="muted">from {w.ratingCount === 1 ? '1 score' : `${w.ratingCount} scores`}</span>
                        </td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
            <PageLinks base={urls.browse()} params={params} page={page} pages={null} hasNext={hasMore} label="Pages of the rankings" />
          </>
        )}
      </section>
    </Layout>
  );
}
