import type { VNode } from 'preact';
import type { Site } from '../site/site.context.js';
import { notFound } from '../shared/errors.js';

/** Rankings with filters. (Being written.) */
export async function browsePage(_site: Site, _query: Record<string, string | undefined>): Promise<VNode> {
  throw notFound('The rankings page');
}
