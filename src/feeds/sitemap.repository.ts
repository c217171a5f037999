/**
 * The sitemap's queries: which public pages exist, read in id order a slice at a time.
 *
 * They read several features' tables, but only ids, slugs and dates, and only to list what
 * exists; keeping them together lets one file decide what "public" means for the sitemap
 * (published reviews, authors with at least one).
 */
import { sql, type RawBuilder } from 'kysely';
import type { Db } from '../db/connection.js';

export const SECTIONS = ['works', 'reviews', 'authors', 'people', 'studios', 'platforms', 'tags'] as const;
export type SitemapSection = (typeof SECTIONS)[number];

export interface SitemapRow {
  id: number;
  /** Null for reviews, whose address is their id. */
  slug: string | null;
  lastmod: string | null;
}

const published = sql`r.status = 'published'`;

/** The rows of each section that have a public page, as `from … where …` conditions on `t`. */
function source(section: SitemapSection): { table: RawBuilder<unknown>; conditions: RawBuilder<unknown>[] } {
  switch (section) {
    case 'reviews':
      return { table: sql`reviews t`, conditions: [sql`t.status = 'published'`] };
    case 'authors':
      // An author whose reviews are all drafts has no page worth indexing yet.
      return { table: sql`authors t`, conditions: [sql`exists (select 1 from reviews r where r.author_id = t.id and ${published})`] };
    default:
      return { table: sql`${sql.table(section)} t`, conditions: [] };
  }
}

const where = (conditions: RawBuilder<unknown>[]) => (conditions.length ? sql`where ${sql.join(conditions, sql` and `)}` : sql``);

/**
 * The highest id of each section's table: an upper bound on its rows, read from the primary key
 * without touching a row. Counting the public ones instead means reading every review.
 */
export async function sitemapMaxIds(db: Db): Promise<Record<SitemapSection, number>> {
  const sections = SECTIONS.map((section) => sql`(select max(id) from ${sql.table(section)}) as ${sql.ref(section)}`);
  const { rows } = await sql<Record<SitemapSection, number | null>>`select ${sql.join(sections)}`.execute(db.kysely);
  const row = rows[0]!;
  return Object.fromEntries(SECTIONS.map((s) => [s, Number(row[s] ?? 0)])) as Record<SitemapSection, number>;
}

/**
 * Up to `limit` rows of a section with `afterId < id <= throughId`, in id order: callers page
 * through a section by passing the last id back (keyset, so every page costs the same).
 */
export async function sitemapRows(db: Db, section: SitemapSection, afterId: number, throughId: number | null, limit: number): Promise<SitemapRow[]> {
  const { table, conditions } = source(section);
  const range = [...conditions, sql`t.id > ${afterId}`];
  if (throughId !== null) range.push(sql`t.id <= ${throughId}`);
  const columns =
    section === 'reviews'
      ? sql`t.id, null as slug, t.updated_at as lastmod`
      : section === 'works'
        ? // A work's page changes when one of its reviews does.
          sql`t.id, t.slug, t.updated_at as lastmod, (select max(r.updated_at) from reviews r where r.work_id = t.id and ${published}) as reviewed`
        : sql`t.id, t.slug, null as lastmod`;
  const { rows } = await sql<{ id: number; slug: string | null; lastmod: string | null; reviewed?: string | null }>`
    select ${columns} from ${table} ${where(range)} order by t.id limit ${limit}`.execute(db.kysely);
  return rows.map((r) => ({
    id: Number(r.id),
    slug: r.slug,
    lastmod: r.reviewed && (!r.lastmod || r.reviewed > r.lastmod) ? r.reviewed : r.lastmod,
  }));
}
