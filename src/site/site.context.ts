/**
 * What every page needs besides its own data: the database, the site's name and public
 * address (for canonical links, feeds and structured data) and the stylesheet's address.
 */
import type { Db } from '../db/connection.js';

export interface SiteOptions {
  /** Shown in every title and feed. */
  name: string;
  /** Absolute address readers use, without a trailing slash: `https://reviews.example.org`. */
  publicUrl: string;
}

export interface Site extends SiteOptions {
  db: Db;
  /** Address of the stylesheet, with its content hash (cached for a year). */
  stylesheet: string;
  icon: string;
  /** Addresses of the scripts pages may ask for (`PageHead.scripts`), with their content hash. */
  scripts?: Record<string, string>;
}

/** An absolute URL for a site path, for canonical links, feeds, sitemaps and JSON-LD. */
export function absoluteUrl(site: Pick<Site, 'publicUrl'>, path: string): string {
  return site.publicUrl + path;
}
