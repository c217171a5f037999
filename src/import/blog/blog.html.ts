/**
 * A blog post's HTML as the Markdown text the plain-text review parser reads: paragraphs,
 * headings, lists and emphasis as Markdown, info lines ("<strong>Director:</strong> Hiroyasu
 * Aoki") as plain `Label: Value` lines, spoiler markup in Kansou's canonical forms, and nothing
 * that is not text: images, embeds, scripts and styles are dropped, the visible ones with a
 * warning that names them.
 */
import TurndownService from 'turndown';
import { lookupLabel, parseLabelLine } from '../plaintext/plaintext.labels.js';

export interface Converted {
  markdown: string;
  warnings: string[];
}

export interface ConvertOptions {
  /**
   * WordPress stores posts written in its classic editor without `<p>`: blank lines separate
   * paragraphs and are turned into them only when the post is shown. An export needs the same.
   */
  wordpress?: boolean;
}

/** The part of the DOM the rules look at: turndown parses with a DOM implementation written for Node. */
interface DomNode {
  nodeName: string;
  nodeType: number;
  textContent: string | null;
  childNodes: ArrayLike<DomNode>;
  parentNode: DomNode | null;
  nextSibling: DomNode | null;
  getAttribute(name: string): string | null;
  getElementsByTagName(name: string): ArrayLike<DomNode>;
}

const ELEMENT = 1;
const TEXT = 3;
/** Turndown's callbacks are typed with the browser's DOM; the rules only need the part above. */
const dom = (node: unknown) => node as DomNode;
/** Not text, and nothing a reader would miss: dropped without a word. (SVG keeps its lower-case name in an HTML document.) */
const REMOVED: ReadonlySet<string> = new Set(['SCRIPT', 'STYLE', 'NOSCRIPT', 'TEMPLATE', 'FORM', 'BUTTON', 'INPUT', 'SELECT', 'TEXTAREA', 'svg', 'CANVAS', 'HEAD', 'META', 'LINK']);
const BLOCKS: ReadonlySet<string> = new Set([
  'P', 'DIV', 'UL', 'OL', 'LI', 'TABLE', 'BLOCKQUOTE', 'PRE', 'FIGURE', 'DETAILS', 'HR', 'SECTION', 'ARTICLE', 'DL',
  'H1', 'H2', 'H3', 'H4', 'H5', 'H6',
]);
const INFO_CONTAINERS: ReadonlySet<string> = new Set(['P', 'LI', 'DIV', 'H1', 'H2', 'H3', 'H4', 'H5', 'H6']);
/** An info line is short; a long "Music: …" is a paragraph about the music. */
const MAX_INFO_LINE = 300;

const isElement = (node: DomNode, ...names: string[]) => node.nodeType === ELEMENT && names.includes(node.nodeName);
const collapse = (text: string) => text.replace(/\s+/gu, ' ').trim();

/** Inline elements an info line may hold: its text is all that matters. */
const PLAIN_INLINE: ReadonlySet<string> = new Set(['STRONG', 'B', 'EM', 'I', 'U', 'A', 'SPAN', 'CODE', 'SMALL', 'MARK', 'ABBR', 'TIME', 'FONT', 'CITE']);

/** Whether an element's text can be taken as is: no spoiler, image or anything else that would be lost. */
function isPlainInline(node: DomNode): boolean {
  if (node.nodeType !== ELEMENT) return true;
  if (!PLAIN_INLINE.has(node.nodeName) || isSpoilerElement(node)) return false;
  return Array.from(node.childNodes).every(isPlainInline);
}

/**
 * The lines of a paragraph (split at `<br>`) when every one is an info line with a label the
 * plain-text parser knows; null otherwise, and the paragraph is converted as usual.
 */
function infoLines(node: DomNode): string[] | null {
  const segments: string[] = [''];
  for (const child of Array.from(node.childNodes)) {
    if (isElement(child, 'BR')) segments.push('');
    else if (child.nodeType === TEXT || (child.nodeType === ELEMENT && isPlainInline(child))) segments[segments.length - 1] += child.textContent ?? '';
    else if (child.nodeType === ELEMENT) return null;
    // Comments and the like say nothing.
  }
  const lines = segments.map(collapse).filter((line) => line !== '');
  if (lines.length === 0) return null;
  return lines.every(isInfoLine) ? lines : null;
}

function isInfoLine(line: string): boolean {
  if (line.length > MAX_INFO_LINE) return false;
  const parsed = parseLabelLine(line);
  return parsed !== null && lookupLabel(parsed.key) !== null;
}

/** `the image https://…/poster.jpg ("James Blood")`, for the warning: the address lets the author find it again. */
function describeMedia(node: DomNode, what: string): string {
  const src = collapse(node.getAttribute('src') ?? node.getAttribute('data') ?? '');
  const alt = collapse(node.getAttribute('alt') ?? node.getAttribute('title') ?? '');
  const name = src.startsWith('data:') ? '(embedded in the page)' : src.slice(0, 300);
  return `dropped ${what}${name ? ` ${name}` : ''}${alt ? ` ("${alt}")` : ''}`;
}

const SPOILER_CLASS = /^(?:[\w]+-)?spoiler$/u;
const GENERIC_SPOILER_LABEL = /^(?:(?:show|click(?: here)? (?:to|for)(?: show| see| reveal)?|reveal)\s+)?spoilers?[.:!]?$/iu;

function isSpoilerElement(node: DomNode): boolean {
  const classes = (node.getAttribute('class') ?? '').split(/\s+/u);
  return classes.some((c) => SPOILER_CLASS.test(c.toLowerCase()));
}

function spoilerBlock(label: string, content: string): string {
  const caption = label && !GENERIC_SPOILER_LABEL.test(label) ? ` ${label}` : '';
  return `\n\n::: spoiler${caption}\n${content.trim()}\n:::\n\n`;
}

/**
 * Markdown escapes for text, as turndown's, except brackets and `>!`: spoiler markup copied from
 * other sites (`[spoiler]…[/spoiler]`, `>!…!<`) must reach the spoiler conversion as written.
 */
const ESCAPES: [RegExp, string][] = [
  [/\\/gu, '\\\\'],
  [/\*/gu, '\\*'],
  [/^-/gu, '\\-'],
  [/^\+ /gu, '\\+ '],
  [/^(=+)/gu, '\\$1'],
  [/^(#{1,6}) /gu, '\\$1 '],
  [/`/gu, '\\`'],
  [/^~~~/gu, '\\~~~'],
  [/^>(?!!)/gu, '\\>'],
  [/_/gu, '\\_'],
  [/^(\d+)\. /gu, '$1\\. '],
];

function createService(warnings: string[]): TurndownService {
  const service = new TurndownService({
    headingStyle: 'atx',
    bulletListMarker: '-',
    codeBlockStyle: 'fenced',
    emDelimiter: '_',
    strongDelimiter: '**',
    hr: '---',
  });
  service.escape = (text: string) => ESCAPES.reduce((out, [pattern, replacement]) => out.replace(pattern, replacement), text);
  const warn = (message: string) => {
    if (!warnings.includes(message)) warnings.push(message);
  };

  // Rules added later are tried first.
  service.remove((node) => REMOVED.has(dom(node).nodeName));

  service.addRule('image', {
    filter: ['img'],
    replacement: (_content, node) => {
      warn(describeMedia(dom(node), 'the image'));
      return '';
    },
  });
  service.addRule('embed', {
    filter: ['iframe', 'video', 'audio', 'embed', 'object'],
    replacement: (_content, element) => {
      const node = dom(element);
      const what = node.nodeName === 'AUDIO' ? 'the embedded audio' : node.nodeName === 'VIDEO' ? 'the embedded video' : 'the embedded frame';
      warn(describeMedia(node, what));
      return '';
    },
  });
  // A figure with an image is the image and its caption; the image rule has already named it.
  service.addRule('figure', {
    filter: (node) => dom(node).nodeName === 'FIGURE' && dom(node).getElementsByTagName('img').length > 0,
    replacement: () => '\n\n',
  });
  // A link around an image only (a thumbnail linking to the full size) leaves nothing to link.
  service.addRule('emptyLink', {
    filter: (node) => dom(node).nodeName === 'A' && collapse(dom(node).textContent ?? '') === '',
    replacement: () => '',
  });

  service.addRule('details', {
    filter: ['details'],
    replacement: (content, node) => {
      const summary = Array.from(dom(node).childNodes).find((child) => isElement(child, 'SUMMARY'));
      return spoilerBlock(collapse(summary?.textContent ?? ''), content);
    },
  });
  service.addRule('summary', {
    filter: (node) => dom(node).nodeName === 'SUMMARY' && dom(node).parentNode?.nodeName === 'DETAILS',
    replacement: () => '',
  });
  service.addRule('spoilerClass', {
    filter: (node) => isSpoilerElement(dom(node)),
    replacement: (content, node) => {
      if (BLOCKS.has(dom(node).nodeName)) return spoilerBlock('', content);
      return content.trim() === '' ? content : `||${content.trim()}||`;
    },
  });

  service.addRule('infoLines', {
    filter: (element) => {
      const node = dom(element);
      return INFO_CONTAINERS.has(node.nodeName) && !isSpoilerElement(node) && infoLines(node) !== null;
    },
    replacement: (_content, element) => {
      const node = dom(element);
      const lines = (infoLines(node) ?? []).join('\n');
      // In a list the lines lose their bullets, so they read as one info block.
      return node.nodeName === 'LI' ? `${lines}${node.nextSibling ? '\n' : ''}` : `\n\n${lines}\n\n`;
    },
  });
  return service;
}

// ---------------------------------------------------------------------------------------------
// WordPress

/** Shortcodes that stand for media; they are dropped like the media themselves. */
const MEDIA_SHORTCODES = /\[(embed|video|audio|playlist|gallery|youtube|vimeo|soundcloud)\b[^\]]{0,2000}\](?:[^[]{0,2000}\[\/\1\])?/giu;
/** `[caption …]<img …> text[/caption]`: the image and its caption. */
const CAPTION = /\[caption\b[^\]]{0,2000}\]([\s\S]*?)\[\/caption\]/giu;
/** Spoiler shortcodes of WordPress plugins, into the BBCode form the spoiler conversion reads. */
const SPOILER_OPEN = /\[(?:su_)?spoiler\b([^\]]{0,500})\]/giu;
const SPOILER_CLOSE = /\[\/(?:su_)?spoiler\]/giu;
const SHORTCODE_TITLE = /\b(?:title|name)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"']+))/iu;

function rewriteShortcodes(html: string, warnings: string[]): string {
  if (!html.includes('[')) return html;
  return html
    .replace(CAPTION, (_all, inner: string) => `<figure>${inner}</figure>`)
    .replace(MEDIA_SHORTCODES, (_all, name: string) => {
      const message = `dropped the [${name.toLowerCase()}] shortcode (media WordPress inserts when the post is shown)`;
      if (!warnings.includes(message)) warnings.push(message);
      return '';
    })
    .replace(SPOILER_OPEN, (_all, attributes: string) => {
      const title = SHORTCODE_TITLE.exec(attributes);
      const label = title ? (title[1] ?? title[2] ?? title[3] ?? '') : '';
      return label && !GENERIC_SPOILER_LABEL.test(label) ? `[spoiler="${label.replace(/"/gu, '')}"]` : '[spoiler]';
    })
    .replace(SPOILER_CLOSE, '[/spoiler]');
}

const STARTS_WITH_BLOCK =
  /^(?:<!--[\s\S]*?-->\s*)*<\/?(?:p|div|h[1-6]|ul|ol|li|blockquote|table|thead|tbody|tfoot|tr|td|th|pre|figure|figcaption|hr|details|summary|section|article|aside|header|footer|dl|dt|dd|address|iframe|script|style|form|nav)\b/iu;
const PRE = /<pre\b[\s\S]*?<\/pre>/giu;

/**
 * What WordPress does to classic-editor posts when it shows them ("wpautop"), in short: a run
 * of text between blank lines is a paragraph, a single line break inside it is a `<br>`.
 * Chunks that already start with a block element (block-editor posts, hand-written HTML) are
 * left alone, and so is preformatted text.
 */
export function autop(html: string): string {
  const kept: string[] = [];
  const protectedHtml = html.replace(/\r\n?/gu, '\n').replace(PRE, (pre) => `\u0000${kept.push(pre) - 1}\u0000`);
  const chunks = protectedHtml.split(/\n[ \t]*\n\s*/u).map((chunk) => chunk.trim()).filter((chunk) => chunk !== '');
  return chunks
    .map((chunk) => (STARTS_WITH_BLOCK.test(chunk) || /^\u0000\d+\u0000$/u.test(chunk) ? chunk : `<p>${chunk.replace(/[ \t]*\n[ \t]*/gu, '<br />\n')}</p>`))
    .join('\n\n')
    .replace(/\u0000(\d+)\u0000/gu, (_all, i: string) => kept[Number(i)] ?? '');
}

/** Converts one post's HTML. Never throws on bad HTML: browsers' rules decide what it means. */
export function htmlToMarkdown(html: string, options: ConvertOptions = {}): Converted {
  const warnings: string[] = [];
  let source = html;
  if (options.wordpress) source = autop(rewriteShortcodes(source, warnings));
  if (source.trim() === '') return { markdown: '', warnings };
  const markdown = createService(warnings)
    .turndown(source)
    .replace(/[ \t]+$/gmu, (spaces) => (spaces === '  ' ? spaces : ''))
    .replace(/\n{3,}/gu, '\n\n')
    .trim();
  return { markdown, warnings };
}
