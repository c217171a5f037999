/**
 * Spoiler passages in a review body are kept in one canonical Markdown form:
 * inline `||hidden text||`, and blocks
 *
 *     ::: spoiler [label]
 *     …
 *     :::
 *
 * Everything shown outside the review page itself (excerpts, feeds, structured data,
 * search snippets) uses the body with those passages taken out.
 */
const BLOCK = /^::: *spoiler\b[^\n]*\n[\s\S]*?^::: *$/gm;
const INLINE = /\|\|(?=\S)[\s\S]*?\|\|/g;

/** The body with every spoiler passage replaced by `replacement`. */
export function withoutSpoilers(body: string, replacement = '[spoiler]'): string {
  return body.replace(BLOCK, replacement).replace(INLINE, replacement);
}
