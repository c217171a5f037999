import type { VNode } from 'preact';
import type { Site } from '../site/site.context.js';
import { notFound } from '../shared/errors.js';

/** The author page. (Being written.) */
export async function authorPage(_site: Site, slug: string, _query: Record<string, string | undefined>): Promise<VNode> {
  throw notFound(`The author "${slug}"`);
}
