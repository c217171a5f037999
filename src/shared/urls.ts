/** Paths of the public pages. One place, so the API, feeds and pages agree. */
export const urls = {
  work: (slug: string) => `/works/${slug}`,
  review: (id: number) => `/reviews/${id}`,
  person: (slug: string) => `/people/${slug}`,
  studio: (slug: string) => `/studios/${slug}`,
  platform: (slug: string) => `/platforms/${slug}`,
  tag: (slug: string) => `/tags/${slug}`,
  author: (slug: string) => `/authors/${slug}`,
  year: (year: number) => `/years/${year}`,
  home: () => '/',
  browse: () => '/browse',
  search: () => '/search',
  /** The sign-in page; `next` is where to go once signed in (a path of this site), escaped whole. */
  login: (next?: string) => (next ? `/login?next=${encodeURIComponent(next)}` : '/login'),
  /** Feeds: site-wide, or of one author or work. `format` is atom, json or rss. */
  feed: (format: FeedFormat) => `/feed.${format}`,
  authorFeed: (slug: string, format: FeedFormat) => `/authors/${slug}/feed.${format}`,
  workFeed: (slug: string, format: FeedFormat) => `/works/${slug}/feed.${format}`,
};

export type FeedFormat = 'atom' | 'json' | 'rss';
