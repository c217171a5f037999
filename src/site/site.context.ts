/**
 * What every page needs besides its own data: the database, the site's name and public
 * address (for canonical links, feeds and structured data) and the stylesheet's address.
 */
import type { Db } from '../db/connection.js';
import type { Assets } from './http.js';

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

/** The site for a database and settings, with the defaults the server uses. */
export function createSite(db: Db, options: Partial<SiteOptions>, assets: Assets): Site {
  return {
    name: options.name ?? 'Kansou',
    publicUrl: options.publicUrl ?? 'http://localhost:3000',
    db,
    stylesheet: assets.stylesheet,
    icon: assets.icon,
    scripts: assets.scripts,
  };
}
