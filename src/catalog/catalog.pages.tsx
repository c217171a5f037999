import type { VNode } from 'preact';
import type { Site } from '../site/site.context.js';
import { notFound } from '../shared/errors.js';

type Query = Record<string, string | undefined>;

/** Person, studio, platform, tag and year pages. (Being written.) */
export async function personPage(_site: Site, slug: string, _query: Query): Promise<VNode> {
  throw notFound(`The person "${slug}"`);
}
export async function studioPage(_site: Site, slug: string, _query: Query): Promise<VNode> {
  throw notFound(`The studio "${slug}"`);
}
export async function platformPage(_site: Site, slug: string, _query: Query): Promise<VNode> {
  throw notFound(`The platform "${slug}"`);
}
export async function tagPage(_site: Site, slug: string, _query: Query): Promise<VNode> {
  throw notFound(`The tag "${slug}"`);
}
export async function yearPage(_site: Site, year: string, _query: Query): Promise<VNode> {
  throw notFound(`The year "${year}"`);
}
