/** Paths of the public pages. One place, so the API, feeds and pages agree. */
export const urls = {
  work: (slug: string) => `/works/${slug}`,
  review: (id: number) => `/reviews/${id}`,
  person: (slug: string) => `/people/${slug}`,
  studio: (slug: string) => `/studios/${slug}`,
  platform: (slug: string) => `/platforms/${slug}`,
  tag: (slug: string) => `/tags/${slug}`,
  author: (slug: string) => `/authors/${slug}`,
};
