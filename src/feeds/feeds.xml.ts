/**
 * The three feed formats, serialised by hand.
 *
 * Why not the `feed` package (6.0.0, measured on a hostile item): its JSON output is JSON Feed
 * version 1 (singular `author`, no `language`, no `authors[]`); it copies U+0001 and lone
 * surrogates into the XML unchanged, which makes the document ill-formed; it marks RSS guids
 * `isPermaLink="false"` and dates RSS items by `published` only; and it declares Atom titles
 * `type="html"`, so a headline reading `<script>` is markup to a reader instead of text. Each
 * format is a page of code here, and a review's own words can never break the document.
 */

/**
 * Characters XML 1.0 forbids even as references: C0 controls other than tab, newline and
 * carriage return, lone surrogates, and U+FFFE/U+FFFF. They cannot be escaped, only dropped.
 */
const ILLEGAL_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

export function stripIllegalXml(text: string): string {
  return text.replace(ILLEGAL_XML, '');
}

const TEXT_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
  // A literal CR would reach the reader as a newline (XML normalises line ends).
  '\r': '&#13;',
};
const ATTRIBUTE_ESCAPES: Record<string, string> = { ...TEXT_ESCAPES, '\n': '&#10;', '\t': '&#9;' };

/** Text content: every markup character escaped, unrepresentable characters removed. */
export function escapeXml(text: string): string {
  return stripIllegalXml(text).replace(/[&<>"'\r]/g, (c) => TEXT_ESCAPES[c]!);
}

/** For HTML carried inside a feed: `&#39;`, since `&apos;` is not HTML 4 and older readers show it raw. */
export function escapeHtml(text: string): string {
  return escapeXml(text).replaceAll('&apos;', '&#39;');
}

/** Attribute values: as text, plus tab and newline, which attribute normalisation would turn into spaces. */
export function escapeXmlAttribute(text: string): string {
  return stripIllegalXml(text).replace(/[&<>"'\r\n\t]/g, (c) => ATTRIBUTE_ESCAPES[c]!);
}

/** What every format needs to know about a feed. Dates are ISO 8601 UTC strings. */
export interface FeedMeta {
  title: string;
  description: string;
  /** The page the feed follows (site home, author page, work page), absolute. */
  homeUrl: string;
  /** This feed's own absolute URL. */
  selfUrl: string;
  language: string;
  /** Who publishes the feed: the site. */
  publisher: { name: string; url: string };
}

export interface FeedEntry {
  /** Absolute URL of the review: its link and its permanent id in every format. */
  url: string;
  title: string;
  author: { name: string; url: string };
  published: string;
  updated: string;
  /** Trusted HTML, spoiler-free. */
  contentHtml: string;
  /** Plain text, spoiler-free. */
  summary: string;
  work: { title: string; url: string };
  tags: string[];
  review: { score: number | null; best: number | null; rating: number | null };
}

/** Atom wants *some* `updated` even when there is nothing in the feed; a fixed one keeps the ETag stable. */
const EMPTY_FEED_DATE = '1970-01-01T00:00:00.000Z';

export function rfc3339(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? EMPTY_FEED_DATE : date.toISOString();
}

/** RFC 822 with a four-digit year and GMT, as RSS 2.0 asks: `Sat, 02 Mar 2024 10:00:00 GMT`. */
export function rfc822(iso: string): string {
  return new Date(rfc3339(iso)).toUTCString();
}

function newestUpdate(entries: FeedEntry[]): string {
  let newest = EMPTY_FEED_DATE;
  for (const e of entries) {
    const updated = rfc3339(e.updated);
    if (updated > newest) newest = updated;
  }
  return newest;
}

const element = (name: string, text: string) => `<${name}>${escapeXml(text)}</${name}>`;

export function atomFeed(meta: FeedMeta, entries: FeedEntry[]): string {
  const out: string[] = [
    '<?xml version="1.0" encoding="utf-8"?>',
    `<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="${escapeXmlAttribute(meta.language)}">`,
    element('id', meta.selfUrl),
    element('title', meta.title),
    element('subtitle', meta.description),
    element('updated', newestUpdate(entries)),
    `<link rel="self" type="application/atom+xml" href="${escapeXmlAttribute(meta.selfUrl)}"/>`,
    `<link rel="alternate" type="text/html" href="${escapeXmlAttribute(meta.homeUrl)}"/>`,
    `<author>${element('name', meta.publisher.name)}${element('uri', meta.publisher.url)}</author>`,
  ];
  for (const e of entries) {
    out.push(
      '<entry>',
      element('id', e.url),
      element('title', e.title),
      element('updated', rfc3339(e.updated)),
      element('published', rfc3339(e.published)),
      `<author>${element('name', e.author.name)}${element('uri', e.author.url)}</author>`,
      `<link rel="alternate" type="text/html" href="${escapeXmlAttribute(e.url)}"/>`,
      `<link rel="related" type="text/html" href="${escapeXmlAttribute(e.work.url)}" title="${escapeXmlAttribute(e.work.title)}"/>`,
      ...e.tags.map((t) => `<category term="${escapeXmlAttribute(t)}"/>`),
      `<summary type="text">${escapeXml(e.summary)}</summary>`,
      `<content type="html">${escapeXml(e.contentHtml)}</content>`,
      '</entry>',
    );
  }
  out.push('</feed>', '');
  return out.join('\n');
}

export function rssFeed(meta: FeedMeta, entries: FeedEntry[]): string {
  const out: string[] = [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:dc="http://purl.org/dc/elements/1.1/">',
    '<channel>',
    element('title', meta.title),
    element('link', meta.homeUrl),
    element('description', meta.description),
    element('language', meta.language),
    element('lastBuildDate', rfc822(newestUpdate(entries))),
    `<atom:link rel="self" type="application/rss+xml" href="${escapeXmlAttribute(meta.selfUrl)}"/>`,
  ];
  for (const e of entries) {
    out.push(
      '<item>',
      element('title', e.title),
      element('link', e.url),
      `<guid isPermaLink="true">${escapeXml(e.url)}</guid>`,
      element('pubDate', rfc822(e.published)),
      // RSS's <author> must be an e-mail address; reviewers have none to publish.
      element('dc:creator', e.author.name),
      ...e.tags.map((t) => element('category', t)),
      element('description', e.contentHtml),
      '</item>',
    );
  }
  out.push('</channel>', '</rss>', '');
  return out.join('\n');
}

export function jsonFeed(meta: FeedMeta, entries: FeedEntry[]): string {
  const feed = {
    version: 'https://jsonfeed.org/version/1.1',
    title: meta.title,
    home_page_url: meta.homeUrl,
    feed_url: meta.selfUrl,
    description: meta.description,
    language: meta.language,
    authors: [{ name: meta.publisher.name, url: meta.publisher.url }],
    items: entries.map((e) => ({
      id: e.url,
      url: e.url,
      title: e.title,
      content_html: e.contentHtml,
      summary: e.summary,
      date_published: rfc3339(e.published),
      date_modified: rfc3339(e.updated),
      authors: [{ name: e.author.name, url: e.author.url }],
      tags: e.tags,
      _review: { ...e.review, work: e.work },
    })),
  };
  // JSON.stringify writes lone surrogates as \u escapes, so any string stays valid JSON.
  return JSON.stringify(feed);
}
