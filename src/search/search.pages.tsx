import type { VNode } from 'preact';
import type { Site } from '../site/site.context.js';
import { notFound } from '../shared/errors.js';

/** The search page. (Being written.) */
export async function searchPage(_site: Site, _query: Record<string, string | undefined>): Promise<VNode> {
  throw notFound('The search page');
}
