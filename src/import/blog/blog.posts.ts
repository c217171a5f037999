/**
 * What a feed item says about the post, whatever the format: WordPress export (WXR), RSS 2.0,
 * RSS 1.0 or Atom. Decides which items are posts at all (a WordPress export also holds pages,
 * attachments and menu items; a Blogger export, comments and settings) and whether a post is
 * published or a draft.
 */
import { cleanName, fold } from '../../shared/text.js';
import type { Field, FeedItem } from './blog.xml.js';

export interface Post {
  title: string | null;
  link: string | null;
  content: { type: 'html' | 'text'; value: string } | null;
  /** The HTML needs WordPress's own paragraph handling (an export's raw post content). */
  wordpress: boolean;
  author: string | null;
  publishedAt: string | null;
  /** Categories and tags, as the blog named them. */
  tags: string[];
  draft: boolean;
  /** The feed holds only the start of the post ("[…]", "Continue reading"). */
  excerptOnly: boolean;
  warnings: string[];
}

export type PostReading = { post: Post } | { skip: string } | { error: string };

// ---------------------------------------------------------------------------------------------
// Small readers

function text(item: FeedItem, name: string): string | null {
  const value = item.fields.get(name)?.text.trim();
  return value ? value : null;
}

function list(item: FeedItem, name: string): Field[] {
  return item.lists.get(name) ?? [];
}

const NAMED_ENTITIES: Readonly<Record<string, string>> = {
  amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ', hellip: '…', ndash: '–', mdash: '—',
  lsquo: '‘', rsquo: '’', ldquo: '“', rdquo: '”', laquo: '«', raquo: '»', ne: '≠', times: '×',
};

/**
 * HTML character references left in a title after the XML's own were read: feeds often escape
 * twice ("Hero &amp;#8800; Mask"), and Atom titles may be HTML.
 */
export function decodeHtmlText(value: string): string {
  const withoutTags = value.includes('<') ? value.replace(/<[^>]{0,500}>/gu, '') : value;
  if (!withoutTags.includes('&')) return withoutTags;
  return withoutTags.replace(/&(?:#(\d{1,7})|#x([0-9a-f]{1,6})|([a-z]{2,8}));/giu, (all, dec?: string, hex?: string, name?: string) => {
    const code = dec ? Number(dec) : hex ? Number.parseInt(hex, 16) : null;
    if (code !== null) return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : all;
    return NAMED_ENTITIES[(name ?? '').toLowerCase()] ?? all;
  });
}

function cleanText(value: string | null, html: boolean): string | null {
  if (value === null) return null;
  const cleaned = cleanName(html ? decodeHtmlText(value) : value);
  return cleaned === '' ? null : cleaned;
}

const iso = (date: Date) => date.toISOString().replace('.000Z', 'Z');

/** A date a person could have posted on: RFC 822 and RFC 3339 both parse, WordPress's "-0001" does not pass. */
function parseDate(value: string | null): string | null {
  if (value === null) return null;
  const date = new Date(value);
  const year = date.getUTCFullYear();
  return Number.isNaN(date.getTime()) || year < 1990 || year > 2200 ? null : iso(date);
}

const WP_DATE = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/u;

/** WordPress's "2019-03-04 10:20:00"; all zeros for a post never published. */
function parseWordPressDate(value: string | null, utc: boolean): string | null {
  const m = value === null ? null : WP_DATE.exec(value);
  if (!m || m[1] === '0000') return null;
  if (!utc) return `${m[1]}-${m[2]}-${m[3]}`;
  return parseDate(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}Z`);
}

/** "jane@example.com (Jane Doe)" → "Jane Doe": RSS wants an address, people want a name. */
function rssAuthor(value: string | null): string | null {
  if (value === null) return null;
  const named = /^\S+@\S+\s*\(([^()]+)\)$/u.exec(value);
  return cleanText(named?.[1] ?? value, false);
}

function uniqueTags(names: (string | null)[]): string[] {
  const tags: string[] = [];
  for (const name of names) {
    // WordPress files every post without a category under "Uncategorized": it says nothing about the work.
    if (name && fold(name) !== 'uncategorized' && !tags.some((t) => fold(t) === fold(name))) tags.push(name);
  }
  return tags;
}

const EXCERPT_END = /(?:\[(?:…|&#8230;|&hellip;|\.\.\.)\]|continue reading|read more)[\s\S]{0,300}$/iu;

// ---------------------------------------------------------------------------------------------
// WordPress export

const POST_TYPES: Readonly<Record<string, string>> = {
  page: 'a page, not a post',
  attachment: 'an attachment (a file in the media library), not a post',
  nav_menu_item: 'a menu item, not a post',
  revision: 'an earlier revision of a post',
  wp_block: 'a reusable block, not a post',
  wp_template: 'a theme template, not a post',
  wp_template_part: 'a theme template, not a post',
  wp_global_styles: 'theme styles, not a post',
  wp_navigation: 'a navigation menu, not a post',
  custom_css: 'the theme\'s custom CSS, not a post',
};

type StatusReading = { draft: boolean; warning: string | null } | { skip: string };

const WP_STATUSES: Readonly<Record<string, StatusReading>> = {
  publish: { draft: false, warning: null },
  draft: { draft: true, warning: null },
  pending: { draft: true, warning: 'pending review on WordPress: imported as a draft' },
  private: { draft: true, warning: 'private on WordPress: imported as a draft' },
  future: { draft: true, warning: 'scheduled on WordPress and not yet published: imported as a draft' },
  trash: { skip: 'in the WordPress trash' },
  'auto-draft': { skip: 'an empty draft WordPress saved by itself' },
};

function readWordPress(item: FeedItem): PostReading {
  const type = text(item, 'wp:post_type') ?? 'post';
  if (type !== 'post') return { skip: POST_TYPES[type] ?? `a "${type}" entry, not a post` };

  const statusText = text(item, 'wp:status') ?? 'publish';
  const status = WP_STATUSES[statusText] ?? { draft: true, warning: `WordPress status "${statusText}" is not one Kansou knows: imported as a draft` };
  if ('skip' in status) return status;
  const warnings = status.warning ? [status.warning] : [];
  let draft = status.draft;
  if (text(item, 'wp:post_password')) {
    draft = true;
    warnings.push('password-protected on WordPress: imported as a draft, so it is not shown to everyone');
  }

  const login = text(item, 'dc:creator');
  const tags = list(item, 'category')
    .filter((c) => c.attributes.domain === 'category' || c.attributes.domain === 'post_tag')
    .map((c) => cleanText(c.text, true));
  const content = item.fields.get('content:encoded')?.text ?? '';
  return {
    post: {
      title: cleanText(text(item, 'title'), true),
      link: text(item, 'link'),
      content: content.trim() ? { type: 'html', value: content } : null,
      wordpress: true,
      author: login ? (item.authors.get(login) ?? login) : null,
      publishedAt:
        parseWordPressDate(text(item, 'wp:post_date_gmt'), true) ??
        parseDate(text(item, 'pubDate')) ??
        parseWordPressDate(text(item, 'wp:post_date'), false),
      tags: uniqueTags(tags),
      draft,
      excerptOnly: false,
      warnings,
    },
  };
}

// ---------------------------------------------------------------------------------------------
// RSS 2.0 and 1.0

function readRss(item: FeedItem): PostReading {
  const rss1 = item.format === 'rss1';
  const encoded = text(item, 'content:encoded');
  const description = text(item, rss1 ? 'rss1:description' : 'description');
  const html = encoded ?? description;
  const guid = item.fields.get('guid');
  const permalink = guid && guid.attributes.isPermaLink !== 'false' && /^https?:\/\//u.test(guid.text.trim()) ? guid.text.trim() : null;
  const categories = rss1 ? list(item, 'dc:subject') : list(item, 'category');
  return {
    post: {
      title: cleanText(text(item, rss1 ? 'rss1:title' : 'title'), true),
      link: text(item, rss1 ? 'rss1:link' : 'link') ?? permalink,
      content: html ? { type: 'html', value: html } : null,
      wordpress: false,
      author: cleanText(text(item, 'dc:creator'), false) ?? rssAuthor(text(item, 'author')),
      publishedAt: parseDate(text(item, 'pubDate')) ?? parseDate(text(item, 'dc:date')),
      tags: uniqueTags(categories.map((c) => cleanText(c.text, true))),
      draft: false,
      excerptOnly: encoded === null && description !== null && EXCERPT_END.test(description),
      warnings: [],
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Atom

/** Blogger exports every post, page, comment, setting and template as an entry, with its kind as a category. */
const BLOGGER_KIND = 'http://schemas.google.com/g/2005#kind';
const BLOGGER_KINDS: Readonly<Record<string, string>> = {
  comment: 'a comment, not a post',
  page: 'a page, not a post',
  settings: "the blog's settings, not a post",
  template: "the blog's template, not a post",
};

function atomContent(item: FeedItem, name: string): Post['content'] {
  const field = item.fields.get(name);
  if (!field || field.attributes.src || field.text.trim() === '') return null;
  const type = (field.attributes.type ?? 'text').toLowerCase();
  if (type === 'html' || type === 'xhtml' || type === 'text/html' || type === 'application/xhtml+xml') return { type: 'html', value: field.text };
  return type === 'text' || type.startsWith('text/') ? { type: 'text', value: field.text.trim() } : null;
}

function readAtom(item: FeedItem): PostReading {
  const categories = list(item, 'atom:category');
  const kind = categories.find((c) => c.attributes.scheme === BLOGGER_KIND)?.attributes.term;
  if (kind !== undefined && !kind.endsWith('#post')) {
    const name = kind.slice(kind.lastIndexOf('#') + 1);
    return { skip: BLOGGER_KINDS[name] ?? `a Blogger "${name}" entry, not a post` };
  }
  const links = list(item, 'atom:link').map((l) => l.attributes);
  const alternate =
    links.find((l) => (l.rel ?? 'alternate') === 'alternate' && (l.type ?? 'text/html') === 'text/html') ??
    links.find((l) => (l.rel ?? 'alternate') === 'alternate');
  const titleField = item.fields.get('atom:title');
  const titleIsHtml = titleField?.attributes.type === 'html' || titleField?.attributes.type === 'xhtml';
  const draftText = text(item, 'app:control/app:draft');
  const content = atomContent(item, 'atom:content') ?? atomContent(item, 'atom:summary');
  const fromSummary = atomContent(item, 'atom:content') === null && content !== null;
  return {
    post: {
      title: cleanText(titleField?.text ?? null, titleIsHtml),
      link: alternate?.href?.trim() || null,
      content,
      wordpress: false,
      author: cleanText(text(item, 'atom:author/atom:name'), false) ?? item.feedAuthor,
      publishedAt: parseDate(text(item, 'atom:published')) ?? parseDate(text(item, 'atom:updated')),
      tags: uniqueTags(categories.filter((c) => c.attributes.scheme !== BLOGGER_KIND).map((c) => cleanText(c.attributes.label ?? c.attributes.term ?? null, false))),
      draft: draftText?.toLowerCase() === 'yes',
      excerptOnly: fromSummary && content !== null && EXCERPT_END.test(content.value),
      warnings: [],
    },
  };
}

/** Reads one feed item as a post, or says why it is not one. */
export function readPost(item: FeedItem): PostReading {
  if (item.format === 'atom') return readAtom(item);
  if (item.wordpress && (item.fields.has('wp:post_type') || item.fields.has('wp:status'))) return readWordPress(item);
  return readRss(item);
}
