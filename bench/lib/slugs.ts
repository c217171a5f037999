/**
 * Slugs for the synthetic dataset. The generator makes its own (rather than calling the app's
 * slugifier) so the document is fixed by the seed alone; every slug matches the interchange
 * pattern `^[a-z0-9]+(?:-[a-z0-9]+)*$` and is unique within its section.
 */

const SPECIAL: [RegExp, string][] = [
  [/\+/g, ' plus '],
  [/&/g, ' and '],
  [/≠/g, ' not equal '],
  [/[łŁ]/g, 'l'],
  [/[øØ]/g, 'o'],
  [/[æÆ]/g, 'ae'],
  [/ß/g, 'ss'],
];

export const SLUG_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

export function slugify(text: string): string {
  let s = text;
  for (const [re, to] of SPECIAL) s = s.replace(re, to);
  s = s
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  if (s.length > 80) {
    s = s.slice(0, 80);
    const dash = s.lastIndexOf('-');
    if (dash > 20) s = s.slice(0, dash);
    s = s.replace(/-+$/, '');
  }
  return s;
}

/** Hands out unique slugs: the first free one of `candidates`, else the first with `-2`, `-3`… */
export class SlugSet {
  private readonly taken = new Set<string>();

  take(candidates: string[], fallback: string): string {
    const bases = candidates.map(slugify).filter((s) => s.length > 0);
    if (bases.length === 0) bases.push(fallback);
    for (const base of bases) {
      if (!this.taken.has(base)) return this.add(base);
    }
    const base = bases[0]!;
    for (let n = 2; ; n++) {
      const candidate = `${base}-${n}`;
      if (!this.taken.has(candidate)) return this.add(candidate);
    }
  }

  private add(slug: string): string {
    if (!SLUG_PATTERN.test(slug)) throw new Error(`generator bug: bad slug ${JSON.stringify(slug)}`);
    this.taken.add(slug);
    return slug;
  }
}
