import type { VNode } from 'preact';
import type { Site } from '../site/site.context.js';
import { notFound } from '../shared/errors.js';

/** The work page. (Being written.) */
export async function workPage(_site: Site, slug: string, _query: Record<string, string | undefined>): Promise<VNode> {
  throw notFound(`The work "${slug}"`);
}
