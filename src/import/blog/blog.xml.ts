/**
 * Reading a blog feed file as a stream: RSS 2.0 (and the WordPress export, which is RSS with
 * `wp:` elements), RSS 1.0 and Atom. The XML is never held whole; each item is handed on as soon
 * as its closing tag is read, with the few fields the importer uses.
 *
 * Safety: a DOCTYPE that declares entities is refused before anything is expanded (the parser
 * expands none anyway: this makes the refusal explicit rather than a confusing "undefined
 * entity"), the file and each field are bounded in size, and nesting in depth.
 */
import type { Readable } from 'node:stream';
import { SaxesParser, type SaxesTagNS } from 'saxes';
import { AppError } from '../../shared/errors.js';

export type FeedFormat = 'rss' | 'rss1' | 'atom';

export interface FeedLimits {
  /** Bytes read from the input before giving up. */
  maxBytes: number;
  /** Characters in one field of one item (a post's HTML, say). */
  maxFieldChars: number;
}

export const DEFAULT_LIMITS: FeedLimits = {
  // Large WordPress exports (thousands of posts with their comments) run to tens of megabytes.
  maxBytes: 256 * 1024 * 1024,
  maxFieldChars: 4 * 1024 * 1024,
};

/** Deeper than this is no feed anyone writes; it is there to exhaust a parser. */
const MAX_DEPTH = 256;

export type Attributes = Record<string, string>;

export interface Field {
  text: string;
  attributes: Attributes;
}

/** One `item` (RSS) or `entry` (Atom), as read. Names are `prefix:local` with the prefixes below, whatever the file used. */
export interface FeedItem {
  format: FeedFormat;
  /** 1-based position among the file's items. */
  index: number;
  /** The first occurrence of each field, by path below the item ("atom:author/atom:name"). */
  fields: Map<string, Field>;
  /** Repeated fields: `category`, `atom:category`, `atom:link`, `dc:subject`. */
  lists: Map<string, Field[]>;
  /** The field that went over `maxFieldChars`, if one did: its text is cut. */
  tooLarge: string | null;
  /** WordPress author logins → display names, from the channel's `wp:author` elements. */
  authors: ReadonlyMap<string, string>;
  /** Atom: the feed's own author, which entries without one inherit. */
  feedAuthor: string | null;
  /** A `wp:` element was seen: this is a WordPress export. */
  wordpress: boolean;
}

const NAMESPACES: ReadonlyMap<string, string> = new Map([
  ['http://www.w3.org/2005/Atom', 'atom'],
  ['http://purl.org/rss/1.0/modules/content/', 'content'],
  ['http://purl.org/dc/elements/1.1/', 'dc'],
  ['http://purl.org/rss/1.0/', 'rss1'],
  ['http://www.w3.org/1999/02/22-rdf-syntax-ns#', 'rdf'],
  ['http://www.w3.org/2007/app', 'app'],
]);
/** WordPress changes the version in its namespace (1.0, 1.1, 1.2); the excerpt namespace sits below it. */
const WORDPRESS = /^https?:\/\/wordpress\.org\/export\/\d+\.\d+\/(excerpt\/)?$/u;

function prefixOf(uri: string): string {
  if (uri === '') return '';
  const known = NAMESPACES.get(uri);
  if (known) return known;
  const wp = WORDPRESS.exec(uri);
  if (wp) return wp[1] ? 'excerpt' : 'wp';
  return uri;
}

function nameOf(tag: { uri: string; local: string }): string {
  const prefix = prefixOf(tag.uri);
  return prefix ? `${prefix}:${tag.local}` : tag.local;
}

/** Fields read per item; anything else (comments, post meta…) is passed over without being kept. */
const ITEM_FIELDS: ReadonlySet<string> = new Set([
  'title',
  'link',
  'guid',
  'description',
  'pubDate',
  'author',
  'content:encoded',
  'dc:creator',
  'dc:date',
  'wp:post_id',
  'wp:post_type',
  'wp:status',
  'wp:post_date',
  'wp:post_date_gmt',
  'wp:post_password',
  'rss1:title',
  'rss1:link',
  'rss1:description',
  'atom:id',
  'atom:title',
  'atom:published',
  'atom:updated',
  'atom:content',
  'atom:summary',
  'atom:author/atom:name',
  'app:control/app:draft',
]);
const ITEM_LISTS: ReadonlySet<string> = new Set(['category', 'dc:subject', 'atom:category', 'atom:link']);
const AUTHOR_FIELDS: ReadonlySet<string> = new Set(['wp:author_login', 'wp:author_display_name']);

interface Scope {
  kind: 'item' | 'wpAuthor' | 'feedAuthor';
  depth: number;
  fields: Map<string, Field>;
  lists: Map<string, Field[]>;
  tooLarge: string | null;
}

interface Capture {
  path: string;
  depth: number;
  attributes: Attributes;
  parts: string[];
  length: number;
  /** Atom `type="xhtml"` content: child elements are kept as markup. */
  xhtml: boolean;
  overflow: boolean;
}

/** HTML elements that have no end tag: `<br/>` in XHTML is `<br>`, and `</br>` would be read as a second one. */
const VOID_ELEMENTS: ReadonlySet<string> = new Set(['area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'source', 'track', 'wbr']);

const XHTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' };
const escapeXhtml = (text: string) => text.replace(/[&<>"]/gu, (c) => XHTML_ESCAPES[c] ?? c);

function plainAttributes(tag: SaxesTagNS): Attributes {
  const out: Attributes = {};
  for (const attribute of Object.values(tag.attributes)) {
    if (attribute.uri === '') out[attribute.local] = attribute.value;
  }
  return out;
}

/** `lineOffset`: blank lines dropped before the document, which the parser never saw. */
function malformed(source: string, error: Error, lineOffset: number): AppError {
  // saxes says "line:column: message".
  const match = /^(?:.*?:)?(\d+):(\d+): ([\s\S]*)$/u.exec(error.message);
  const where = match ? ` at line ${Number(match[1]) + lineOffset}, column ${match[2]}` : '';
  const what = (match?.[3] ?? error.message).replace(/\.$/u, '');
  return new AppError('invalid_input', `${source}: not well-formed XML${where}: ${what}`, { cause: error });
}

function formatSize(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${Math.round(bytes / (1024 * 1024))} MB`;
  return bytes >= 1024 ? `${Math.round(bytes / 1024)} KB` : `${bytes} bytes`;
}

function unsupported(source: string, message: string): AppError {
  return new AppError('unsupported_format', `${source}: ${message}; expected a WordPress export (WXR), an RSS 2.0 feed or an Atom feed`);
}

/**
 * Finds a bare `&` ("AT&T", "Q&A"), the most common fault in hand-made feeds. The XML parser
 * takes everything up to the next `;` as an entity name and only fails far later, often at the
 * end of the file; this check runs just ahead of it and names the line of the `&` itself. CDATA
 * sections, comments and processing instructions, where `&` is allowed, are passed over. It
 * lags a few characters behind the input, so a reference split between two chunks is seen whole.
 */
class BareAmpersandCheck {
  private carry = '';
  private state: 'markup' | 'cdata' | 'comment' | 'pi' = 'markup';
  private column = 1;

  constructor(
    private readonly source: string,
    private line: number,
  ) {}

  /** Checks `chunk`; `final` for the last one, when nothing is held back. */
  check(chunk: string, final: boolean): void {
    const text = this.carry + chunk;
    const limit = final ? text.length : text.length - LOOKAHEAD;
    let i = 0;
    while (i < limit) {
      if (this.state === 'markup') {
        MARKUP_EVENT.lastIndex = i;
        const found = MARKUP_EVENT.exec(text);
        if (!found || found.index >= limit) {
          i = found ? found.index : text.length;
          break;
        }
        i = found.index;
        if (found[0] === '&') {
          REFERENCE.lastIndex = i;
          if (!REFERENCE.test(text)) throw this.bareAmpersand(text, i);
          i = REFERENCE.lastIndex;
        } else if (text.startsWith('<![CDATA[', i)) {
          this.state = 'cdata';
          i += 9;
        } else if (text.startsWith('<!--', i)) {
          this.state = 'comment';
          i += 4;
        } else if (text.startsWith('<?', i)) {
          this.state = 'pi';
          i += 2;
        } else {
          i += 1;
        }
      } else {
        const close = CLOSERS[this.state];
        const at = text.indexOf(close, i);
        if (at === -1) {
          // Keep what could be the start of the closing marker.
          i = Math.max(i, text.length - (close.length - 1));
          break;
        }
        this.state = 'markup';
        i = at + close.length;
      }
    }
    const done = final ? text.length : Math.min(i, text.length);
    this.advance(text.slice(0, done));
    this.carry = text.slice(done);
  }

  private advance(consumed: string): void {
    const lastNewline = consumed.lastIndexOf('\n');
    if (lastNewline === -1) {
      this.column += consumed.length;
      return;
    }
    for (let at = consumed.indexOf('\n'); at !== -1; at = consumed.indexOf('\n', at + 1)) this.line += 1;
    this.column = consumed.length - lastNewline;
  }

  private bareAmpersand(text: string, at: number): AppError {
    const before = text.slice(0, at);
    const newlines = before.split('\n').length - 1;
    const line = this.line + newlines;
    const column = newlines === 0 ? this.column + at : at - before.lastIndexOf('\n');
    const context = text.slice(at, at + 20).split('\n')[0] ?? '&';
    return new AppError(
      'invalid_input',
      `${this.source}: not well-formed XML at line ${line}, column ${column}: a bare "&" ("${context}…"); it must be written &amp; (or the text put in a CDATA section)`,
    );
  }
}

/** Longest entity or character reference checked, plus a little. */
const LOOKAHEAD = 80;
const MARKUP_EVENT = /[&<]/gu;
const REFERENCE = /&(?:[A-Za-z_:][\w.:-]{0,63};|#[0-9]{1,8};|#x[0-9A-Fa-f]{1,8};)/uy;
const CLOSERS = { cdata: ']]>', comment: '-->', pi: '?>' } as const;

/**
 * The items of a feed file, in order, as soon as each is read. Throws an AppError for input that
 * is not XML, not well-formed (with line and column), not a feed, too large, or declares entities.
 */
export async function* readFeedItems(input: Readable, source: string, limits: FeedLimits = DEFAULT_LIMITS): AsyncGenerator<FeedItem> {
  const parser = new SaxesParser({ xmlns: true, position: true });
  const ready: FeedItem[] = [];
  const stack: string[] = [];
  const authors = new Map<string, string>();
  let format: FeedFormat | null = null;
  let wordpress = false;
  let feedAuthor: string | null = null;
  let scope: Scope | null = null;
  let capture: Capture | null = null;
  let index = 0;

  // Blank lines before `<?xml` (a plugin's stray output, a common fault of WordPress exports) are
  // dropped rather than refused; error messages still count them.
  let lineOffset = 0;
  parser.on('error', (error) => {
    throw malformed(source, error, lineOffset);
  });
  parser.on('doctype', (doctype) => {
    if (/<!ENTITY/iu.test(doctype)) {
      throw new AppError('invalid_input', `${source}: the DOCTYPE declares entities, which a feed never needs and which can expand without bound or read other files; refused`);
    }
  });

  const isItem = (name: string): boolean => {
    const parent = stack.at(-1);
    if (format === 'rss') return name === 'item' && parent === 'channel' && stack.length === 2;
    if (format === 'rss1') return name === 'rss1:item' && stack.length === 1;
    return name === 'atom:entry' && stack.length === 1;
  };

  parser.on('opentag', (tag) => {
    const name = nameOf(tag);
    if (stack.length >= MAX_DEPTH) throw new AppError('invalid_input', `${source}: elements nested more than ${MAX_DEPTH} deep at line ${parser.line}; refused`);
    if (name.startsWith('wp:')) wordpress = true;

    if (capture?.xhtml && !capture.overflow) {
      const attributes = Object.values(tag.attributes)
        .filter((a) => a.uri === '')
        .map((a) => ` ${a.local}="${escapeXhtml(a.value)}"`)
        .join('');
      append(capture, `<${tag.local}${attributes}>`);
    }

    if (stack.length === 0) {
      if (name === 'rss') format = 'rss';
      else if (name === 'rdf:RDF') format = 'rss1';
      else if (name === 'atom:feed') format = 'atom';
      else throw unsupported(source, `the root element is <${tag.name}>`);
    } else if (!scope && isItem(name)) {
      scope = newScope('item', stack.length);
    } else if (!scope && format === 'rss' && name === 'wp:author' && stack.length === 2) {
      scope = newScope('wpAuthor', stack.length);
    } else if (!scope && format === 'atom' && name === 'atom:author' && stack.length === 1) {
      scope = newScope('feedAuthor', stack.length);
    } else if (scope && !capture) {
      const path = [...stack.slice(scope.depth + 1), name].join('/');
      const attributes = plainAttributes(tag);
      if (fieldsOf(scope).has(path) || (scope.kind === 'item' && ITEM_LISTS.has(path))) {
        capture = { path, depth: stack.length, attributes, parts: [], length: 0, overflow: false, xhtml: path === 'atom:content' && attributes.type === 'xhtml' };
      }
    }
    stack.push(name);
  });

  parser.on('closetag', (tag) => {
    stack.pop();
    const depth = stack.length;
    if (capture && depth === capture.depth) {
      finishCapture(capture);
      capture = null;
    } else if (capture?.xhtml && !capture.overflow && !VOID_ELEMENTS.has(tag.local.toLowerCase())) {
      append(capture, `</${tag.local}>`);
    }
    if (scope && depth === scope.depth) {
      finishScope(scope);
      scope = null;
    }
  });

  const onText = (text: string) => {
    if (capture) append(capture, capture.xhtml ? escapeXhtml(text) : text);
  };
  parser.on('text', onText);
  parser.on('cdata', onText);

  function newScope(kind: Scope['kind'], depth: number): Scope {
    return { kind, depth, fields: new Map(), lists: new Map(), tooLarge: null };
  }

  function fieldsOf(s: Scope): ReadonlySet<string> {
    if (s.kind === 'item') return ITEM_FIELDS;
    return s.kind === 'wpAuthor' ? AUTHOR_FIELDS : new Set(['atom:name']);
  }

  function append(c: Capture, text: string): void {
    if (c.overflow) return;
    if (c.length + text.length > limits.maxFieldChars) {
      c.overflow = true;
      if (scope) scope.tooLarge ??= c.path;
      return;
    }
    c.parts.push(text);
    c.length += text.length;
  }

  function finishCapture(c: Capture): void {
    if (!scope) return;
    const field: Field = { text: c.parts.join(''), attributes: c.attributes };
    if (ITEM_LISTS.has(c.path) && scope.kind === 'item') {
      const list = scope.lists.get(c.path) ?? [];
      list.push(field);
      scope.lists.set(c.path, list);
    } else if (!scope.fields.has(c.path)) {
      scope.fields.set(c.path, field);
    }
  }

  function finishScope(s: Scope): void {
    const text = (name: string) => s.fields.get(name)?.text.trim() || null;
    if (s.kind === 'wpAuthor') {
      const login = text('wp:author_login');
      const display = text('wp:author_display_name');
      if (login && display) authors.set(login, display);
    } else if (s.kind === 'feedAuthor') {
      feedAuthor ??= text('atom:name');
    } else if (format) {
      index += 1;
      ready.push({ format, index, fields: s.fields, lists: s.lists, tooLarge: s.tooLarge, authors, feedAuthor, wordpress });
    }
  }

  let ampersands = new BareAmpersandCheck(source, 1);
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let bytes = 0;
  let started = false;
  const decode = (chunk: Uint8Array, stream: boolean): string => {
    try {
      return decoder.decode(chunk, { stream });
    } catch (error) {
      throw new AppError('invalid_input', `${source}: not UTF-8 text (save the export as UTF-8)`, { cause: error });
    }
  };
  const feed = (text: string, final: boolean) => {
    let chunk = text;
    if (!started) {
      chunk = chunk.replace(/^\uFEFF/u, '');
      const first = /\S/u.exec(chunk);
      lineOffset += (chunk.slice(0, first?.index ?? chunk.length).match(/\n/gu) ?? []).length;
      if (!first) return;
      chunk = chunk.slice(first.index);
      ampersands = new BareAmpersandCheck(source, 1 + lineOffset);
      started = true;
      if (!chunk.startsWith('<')) {
        const start = chunk.slice(0, 20).split('\n')[0]?.trim();
        throw unsupported(source, `not XML (it starts with "${start}")`);
      }
    }
    ampersands.check(chunk, final);
    parser.write(chunk);
  };

  for await (const chunk of input as AsyncIterable<Uint8Array | string>) {
    const data = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    bytes += data.length;
    if (bytes > limits.maxBytes) {
      throw new AppError('invalid_input', `${source}: the file is larger than ${formatSize(limits.maxBytes)}, the most an import reads; refused`);
    }
    feed(decode(data, true), false);
    yield* ready.splice(0);
  }
  feed(decode(new Uint8Array(), false), true);
  if (!started) throw new AppError('invalid_input', `${source}: the file is empty`);
  parser.close();
  yield* ready.splice(0);
}
