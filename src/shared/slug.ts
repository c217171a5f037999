/**
 * Slugs are made once, stored, and never recomputed, so a library upgrade or a title
 * edit never changes a URL. Symbols that carry meaning in titles get words (`≠` would
 * otherwise vanish and collide `Hero ≠ Mask` with `Hero Mask`); scripts the slugifier
 * cannot read (kanji, kana, hangul) fall back to a transliteration, then to a fixed word,
 * so no title ever gets an empty slug.
 */
import slugify from '@sindresorhus/slugify';
import { slugify as transliterate } from 'transliteration';

const SYMBOLS: [string, string][] = [
  ['≠', ' not equal '],
  ['×', ' x '],
  ['½', ' half '],
  ['∞', ' infinity '],
  ['☆', ' '],
  ['★', ' '],
  ['♥', ' love '],
  ['♡', ' love '],
  ['&', ' and '],
  ['+', ' plus '],
  ['%', ' percent '],
  ['@', ' at '],
];

const MAX_LENGTH = 80;

function trim(slug: string): string {
  if (slug.length <= MAX_LENGTH) return slug;
  const cut = slug.slice(0, MAX_LENGTH);
  const dash = cut.lastIndexOf('-');
  return dash > 20 ? cut.slice(0, dash) : cut;
}

export function makeSlug(text: string, fallback = 'untitled'): string {
  const primary = slugify(text, { customReplacements: SYMBOLS, decamelize: false });
  if (/[a-z0-9]/.test(primary) && !/[^\x00-\x7f]/.test(text.replace(/[\p{Script=Latin}\p{P}\p{S}\p{N}\s]/gu, ''))) {
    return trim(primary);
  }
  // Non-Latin scripts: transliteration reads kanji as Chinese, which is imperfect but stable and readable.
  const fromScript = transliterate(text, { lowercase: true, separator: '-', trim: true }).replace(/[^a-z0-9-]+/g, '').replace(/-+/g, '-').replace(/^-|-$/g, '');
  if (fromScript) return trim(fromScript);
  return fallback;
}

/** `base`, else `base-2`, `base-3`… — the first one `taken` says is free. */
export async function uniqueSlug(base: string, taken: (slug: string) => Promise<boolean>): Promise<string> {
  if (!(await taken(base))) return base;
  for (let n = 2; ; n++) {
    const candidate = `${base}-${n}`;
    if (!(await taken(candidate))) return candidate;
  }
}
