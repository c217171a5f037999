import type { VNode } from 'preact';
import type { Site } from '../site/site.context.js';
import { notFound } from '../shared/errors.js';

/** The review page. (Being written.) */
export async function reviewPage(_site: Site, id: string): Promise<VNode> {
  throw notFound(`The review ${id}`);
}
