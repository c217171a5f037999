import type { Site } from '../site/site.context.js';
import type { FeedFormat } from '../shared/urls.js';
import { notFound } from '../shared/errors.js';

export interface Feed {
  contentType: string;
  body: string;
}

/** Site-wide, per-author and per-work feeds. (Being written.) */
export async function siteFeed(_site: Site, format: FeedFormat): Promise<Feed> {
  throw notFound(`The ${format} feed`);
}
export async function authorFeed(_site: Site, slug: string, format: FeedFormat): Promise<Feed> {
  throw notFound(`The ${format} feed of "${slug}"`);
}
export async function workFeed(_site: Site, slug: string, format: FeedFormat): Promise<Feed> {
  throw notFound(`The ${format} feed of "${slug}"`);
}
