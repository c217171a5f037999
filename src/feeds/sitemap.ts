import type { Site } from '../site/site.context.js';

/** /sitemap.xml. (Being written.) */
export async function sitemapXml(_site: Site): Promise<string> {
  return '<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"></urlset>';
}
export function robotsTxt(site: Site): string {
  return `User-agent: *\nAllow: /\nSitemap: ${site.publicUrl}/sitemap.xml\n`;
}
