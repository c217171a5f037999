/**
 * What paginated, sortable listings share: reading `?page=` and `?sort=` leniently, the
 * addresses of their pages, and the sort form.
 */
import { Pagination, queryString } from '../site/components.js';
import { notFound } from '../shared/errors.js';

export type Query = Record<string, string | undefined>;
type Params = Record<string, string | number | null | undefined>;

// Past this a page number is not a mistake worth serving: no listing is that long, and the
// offset would only make the database skip rows for nothing.
const MAX_PAGE = 100_000;

/**
 * The page number asked for. Anything that is not a page number reads as the first page, as
 * a link with a stray parameter should still lead somewhere; a page beyond reach is a 404.
 */
export function parsePage(raw: string | undefined): number {
  if (raw === undefined || !/^\d+$/.test(raw.trim())) return 1;
  const page = Number(raw.trim());
  if (page > MAX_PAGE) throw notFound(`Page ${raw}`);
  return Math.max(1, page);
}

/** `raw` when it is one of `allowed`, else `fallback`: an unknown value is not worth an error page. */
export function pickOne<T extends string>(raw: string | undefined, allowed: readonly T[], fallback: T): T {
  return raw !== undefined && (allowed as readonly string[]).includes(raw) ? (raw as T) : fallback;
}

/** A listing's address: parameters left out when empty, `page` only past the first. */
export function listingPath(base: string, params: Params, page = 1): string {
  return base + queryString({ ...params, page: page > 1 ? page : null });
}

/** 404 for a page past the last (an empty listing still has its first page). */
export function checkPage(page: number, total: number, perPage: number): number {
  const pages = Math.max(1, Math.ceil(total / perPage));
  if (page > pages) throw notFound(`Page ${page}`);
  return pages;
}

/** Previous and next links; `pages` is null when the listing only knows whether more follow. */
export function PageLinks({ base, params, page, pages, hasNext = pages !== null && page < pages, label }: { base: string; params: Params; page: number; pages: number | null; hasNext?: boolean; label?: string }) {
  return (
    <>
      {(page > 1 || hasNext) && (
        <p class="muted page-position">
          Page {page}
          {pages !== null && ` of ${pages}`}
        </p>
      )}
      <Pagination label={label} previous={page > 1 ? listingPath(base, params, page - 1) : null} next={hasNext ? listingPath(base, params, page + 1) : null} />
    </>
  );
}

export interface SortChoice<T extends string> {
  value: T;
  label: string;
}

/**
 * A GET form choosing the order; `keep` carries the listing's other parameters along. It
 * starts again at the first page, since the old page number means nothing in a new order.
 */
export function SortForm<T extends string>({ action, choices, current, keep = {} }: { action: string; choices: SortChoice<T>[]; current: T; keep?: Record<string, string | undefined> }) {
  return (
    <form class="filters sort-form" method="get" action={action}>
      {Object.entries(keep).map(([name, value]) => value !== undefined && <input type="hidden" name={name} value={value} />)}
      <label for="listing-sort">
        Sort by
        <select id="listing-sort" name="sort">
          {choices.map((c) => (
            <option value={c.value} selected={c.value === current}>
              {c.label}
            </option>
          ))}
        </select>
      </label>
      <button type="submit">Sort</button>
    </form>
  );
}
