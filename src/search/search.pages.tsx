/**
 * The search page: one box over titles, people, studios and review text, with facets that
 * work as plain links and as a GET form (no JavaScript), and the matched words marked.
 */
import type { VNode } from 'preact';
import type { Site } from '../site/site.context.js';
import { Layout } from '../site/layout.js';
import { DateText, KIND_LABELS, MeanScore, Score, kindLabel, queryString, roleLabel } from '../site/components.js';
import { urls } from '../shared/urls.js';
import { highlight } from './highlight.js';
import type { ParsedQuery } from './search.js';
import { hasFilters, parseSearchParams, searchSite, type FacetValue, type SearchFilters, type SearchResults, type WorkResult, type ReviewResult } from './search.service.js';

type Params = Record<string, string | number | undefined>;

/** Text with the words of `query` in <mark>: segments are text nodes, so everything is escaped. */
function Marked({ text, query, prefix = true }: { text: string; query: ParsedQuery; prefix?: boolean }) {
  return <>{highlight(text, query, prefix).map((s) => (s.mark ? <mark>{s.text}</mark> : s.text))}</>;
}

function filterParams(f: SearchFilters): Params {
  return {
    kind: f.kind,
    year: f.year ? `${f.year}${f.decade ? 's' : ''}` : undefined,
    studio: f.studio,
    platform: f.platform,
    min: f.min,
    max: f.max,
  };
}

const searchUrl = (params: Params) => urls.search() + queryString(params);

export async function searchPage(site: Site, query: Record<string, string | undefined>): Promise<VNode> {
  const request = parseSearchParams(query);
  const results = await searchSite(site.db, request);
  const q = request.q;
  const title = q ? `Search: ${q}` : 'Search';
  return (
    <Layout site={site} head={{ title, path: urls.search(), noindex: true, description: `Search the reviews, works, people and studios of ${site.name}.` }} query={q}>
      <div class="search-page">
        <h1>{q ? <>Results for “{q}”</> : 'Search'}</h1>
        <SearchForm results={results} />
        {results.query.words.length === 0 ? <EmptyQuery q={q} /> : <Results results={results} />}
      </div>
    </Layout>
  );
}

function EmptyQuery({ q }: { q: string }) {
  return (
    <section class="search-empty" aria-label="How to search">
      {q ? <p>“{q}” has no letters or digits to search for.</p> : null}
      <p>Type a title (in any of its languages), a person, a studio, or words from a review. Case, accents and full-width letters do not matter: <a href={searchUrl({ q: 'okouchi' })}>okouchi</a> finds Ōkouchi.</p>
    </section>
  );
}

function SearchForm({ results }: { results: SearchResults }) {
  const { request, facets, filterNames } = results;
  const f = request.filters;
  const options = (values: FacetValue[], current: string | undefined, currentName: string | undefined) => {
    const list = values.map((v) => ({ value: v.value, label: `${v.label} (${v.count})` }));
    if (current && !values.some((v) => v.value === current)) list.unshift({ value: current, label: currentName ?? current });
    return list;
  };
  const stars = [1, 2, 3, 4, 5];
  return (
    <form class="filters search-form" role="search" action={urls.search()} method="get">
      <label for="search-q" class="search-form-q">
        Search for
        <input id="search-q" type="search" name="q" value={request.q} maxLength={200} />
      </label>
      <label for="search-kind">
        Kind
        <select id="search-kind" name="kind">
          <option value="">Any kind</option>
          {Object.entries(KIND_LABELS).map(([value, label]) => (
            <option value={value} selected={f.kind === value}>
              {label}
            </option>
          ))}
        </select>
      </label>
      <label for="search-year">
        Year or decade
        <input id="search-year" name="year" value={filterParams(f).year ?? ''} placeholder="1998 or 1990s" size={13} pattern="[0-9]{4}s?" />
      </label>
      <label for="search-studio">
        Studio
        <select id="search-studio" name="studio">
          <option value="">Any studio</option>
          {options(facets.studio, f.studio, filterNames.studio).map((o) => (
            <option value={o.value} selected={f.studio === o.value}>
              {o.label}
            </option>
          ))}
        </select>
      </label>
      <label for="search-platform">
        Platform
        <select id="search-platform" name="platform">
          <option value="">Any platform</option>
          {options(facets.platform, f.platform, filterNames.platform).map((o) => (
            <option value={o.value} selected={f.platform === o.value}>
              {o.label}
            </option>
          ))}
        </select>
      </label>
      <label for="search-min">
        Score from
        <select id="search-min" name="min">
          <option value="">Any</option>
          {stars.map((n) => (
            <option value={String(n)} selected={f.min === n}>
              {n}★
            </option>
          ))}
        </select>
      </label>
      <label for="search-max">
        to
        <select id="search-max" name="max">
          <option value="">Any</option>
          {stars.map((n) => (
            <option value={String(n)} selected={f.max === n}>
              {n}★
            </option>
          ))}
        </select>
      </label>
      <button type="submit">Search</button>
    </form>
  );
}

function Facets({ results }: { results: SearchResults }) {
  const { request, facets } = results;
  const base = { q: request.q, ...filterParams(request.filters) };
  const current = filterParams(request.filters);
  const groups: { key: keyof Params & string; label: string; values: FacetValue[] }[] = [
    { key: 'kind', label: 'Kind', values: facets.kind },
    { key: 'year', label: request.filters.decade ? 'Year' : 'Decade', values: facets.year },
    { key: 'studio', label: 'Studio', values: facets.studio },
    { key: 'platform', label: 'Platform', values: facets.platform },
    { key: 'min', label: 'Score', values: facets.min },
  ];
  const shown = groups.filter((g) => g.values.length > 0);
  if (shown.length === 0) return null;
  return (
    <nav class="search-facets" aria-labelledby="facets-heading">
      <h2 id="facets-heading">Narrow down</h2>
      {shown.map((g) => (
        <section>
          <h3>{g.label}</h3>
          <ul>
            {g.values.map((v) => {
              const selected = String(current[g.key] ?? '') === v.value;
              return (
                <li>
                  {selected ? (
                    <a href={searchUrl({ ...base, [g.key]: undefined })} aria-current="true" class="facet-selected">
                      {v.label} <span class="facet-count">({v.count})</span> <span class="visually-hidden">selected, </span>
                      <span aria-hidden="true">×</span>
                      <span class="visually-hidden">remove</span>
                    </a>
                  ) : (
                    <a href={searchUrl({ ...base, [g.key]: v.value })}>
                      {v.label} <span class="facet-count">({v.count})</span>
                    </a>
                  )}
                </li>
              );
            })}
          </ul>
        </section>
      ))}
      {results.bounded && <p class="muted facet-note">Counts cover the most recent matches.</p>}
    </nav>
  );
}

function ActiveFilters({ results }: { results: SearchResults }) {
  const f = results.request.filters;
  if (!hasFilters(f)) return null;
  const parts: string[] = [];
  if (f.kind) parts.push(kindLabel(f.kind));
  if (f.year) parts.push(f.decade ? `the ${f.year}s` : String(f.year));
  if (f.studio) parts.push(`studio ${results.filterNames.studio ?? f.studio}`);
  if (f.platform) parts.push(`on ${results.filterNames.platform ?? f.platform}`);
  if (f.min || f.max) parts.push(f.min && f.max ? `scored ${f.min}★ to ${f.max}★` : f.min ? `scored ${f.min}★ or more` : `scored up to ${f.max}★`);
  return (
    <p class="search-active">
      Only: {parts.join(', ')}. <a href={searchUrl({ q: results.request.q })}>Clear filters</a>
    </p>
  );
}

function Results({ results }: { results: SearchResults }) {
  const { works, people, studios, reviews, request, query } = results;
  const nothing = works.length + people.length + studios.length + reviews.length === 0;
  return (
    <div class="search-layout">
      <Facets results={results} />
      <div class="search-results">
        <ActiveFilters results={results} />
        {nothing ? (
          <NoResults results={results} />
        ) : (
          <>
            {works.length > 0 && (
              <section aria-labelledby="works-heading">
                <h2 id="works-heading">Works</h2>
                <ul class="card-list">
                  {works.map((w) => (
                    <li>
                      <WorkHit work={w} query={query} />
                    </li>
                  ))}
                </ul>
              </section>
            )}
            {(people.length > 0 || studios.length > 0) && (
              <div class="search-names">
                {people.length > 0 && (
                  <section aria-labelledby="people-heading">
                    <h2 id="people-heading">People</h2>
                    <ul class="tag-list">
                      {people.map((p) => (
                        <li>
                          <a href={urls.person(p.slug)}>
                            <Marked text={p.name} query={query} />
                          </a>
                        </li>
                      ))}
                    </ul>
                  </section>
                )}
                {studios.length > 0 && (
                  <section aria-labelledby="studios-heading">
                    <h2 id="studios-heading">Studios</h2>
                    <ul class="tag-list">
                      {studios.map((s) => (
                        <li>
                          <a href={urls.studio(s.slug)}>
                            <Marked text={s.name} query={query} />
                          </a>
                        </li>
                      ))}
                    </ul>
                  </section>
                )}
              </div>
            )}
            {reviews.length > 0 && (
              <section aria-labelledby="reviews-heading">
                <h2 id="reviews-heading">Reviews</h2>
                <ul class="card-list">
                  {reviews.map((r) => (
                    <li>
                      <ReviewHit review={r} query={query} />
                    </li>
                  ))}
                </ul>
              </section>
            )}
            {hasFilters(request.filters) && works.length === 0 && reviews.length === 0 && <p class="muted">No works or reviews pass these filters.</p>}
          </>
        )}
      </div>
    </div>
  );
}

function NoResults({ results }: { results: SearchResults }) {
  const { request, query } = results;
  const filtered = hasFilters(request.filters);
  return (
    <section class="search-none" aria-labelledby="none-heading">
      <h2 id="none-heading">Nothing found for “{request.q}”</h2>
      <ul>
        {filtered && (
          <li>
            <a href={searchUrl({ q: request.q })}>Search again without filters</a>
          </li>
        )}
        {query.words.length > 1 && (
          <li>
            Fewer words find more. Try{' '}
            {query.words.map((w, i) => (
              <>
                {i > 0 && ', '}
                <a href={searchUrl({ q: w })}>{w}</a>
              </>
            ))}
            .
          </li>
        )}
        <li>Check the spelling, or search for a title, a person, a studio or a word a reviewer would use.</li>
        <li>
          Or look through the <a href={urls.browse()}>rankings</a> and the <a href={urls.home()}>latest reviews</a>.
        </li>
      </ul>
    </section>
  );
}

function WorkHit({ work, query }: { work: WorkResult; query: ParsedQuery }) {
  return (
    <article class="work-card search-hit">
      <h3 class="work-card-title">
        <a href={urls.work(work.slug)}>
          <Marked text={work.title} query={query} />
        </a>
      </h3>
      <p class="work-card-meta">
        {kindLabel(work.kind)}
        {work.year !== null && (
          <>
            {' · '}
            <a href={urls.year(work.year)}>{work.year}</a>
          </>
        )}
        {' · '}
        <MeanScore work={work} />
      </p>
      {work.matchedTitles.length > 0 && (
        <p class="search-hit-via">
          Also known as{' '}
          {work.matchedTitles.map((t, i) => (
            <>
              {i > 0 && ', '}
              <Marked text={t} query={query} />
            </>
          ))}
        </p>
      )}
      {work.matchedNames.length > 0 && (
        <p class="search-hit-via">
          {work.matchedNames.map((n, i) => (
            <>
              {i > 0 && ' · '}
              {n.href === 'studio' ? 'Studio' : roleLabel(n.label)}:{' '}
              <a href={n.href === 'studio' ? urls.studio(n.slug) : urls.person(n.slug)}>
                <Marked text={n.name} query={query} />
              </a>
            </>
          ))}
        </p>
      )}
    </article>
  );
}

function ReviewHit({ review, query }: { review: ReviewResult; query: ParsedQuery }) {
  return (
    <article class="review-card search-hit">
      <h3 class="review-card-title">
        <a href={urls.review(review.id)}>{review.headline ? <Marked text={review.headline} query={query} prefix={false} /> : `Review of ${review.workTitle}`}</a>
      </h3>
      <p class="review-card-meta">
        <a href={urls.work(review.workSlug)}>
          <Marked text={review.workTitle} query={query} prefix={false} />
        </a>
        {' · '}by <a href={urls.author(review.authorSlug)}>{review.authorName}</a>
        {' · '}
        <DateText iso={review.publishedAt} />
      </p>
      <p class="review-card-score">
        <Score review={review} />
        {Boolean(review.hasSpoilers) && <span class="badge">Contains spoilers (not shown here)</span>}
      </p>
      {review.snippet && (
        <p class="review-card-excerpt search-snippet">
          <Marked text={review.snippet} query={query} prefix={false} />
        </p>
      )}
    </article>
  );
}
