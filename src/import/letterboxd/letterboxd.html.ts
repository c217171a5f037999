/**
 * Letterboxd review text is plain text with line breaks, sprinkled with the HTML its editor
 * allows (`<i>`, `<b>`, `<a href>`, `<blockquote>`, `<br>`). Review bodies here are Markdown, so
 * the text is turned into Markdown with turndown: formatting becomes Markdown's own, and no tag
 * written in the source is kept. Text that merely looks like a tag (`&lt;b&gt;` in the source)
 * is escaped, so it shows as typed and never becomes HTML, whatever renders the Markdown.
 */
import TurndownService from 'turndown';

/** Elements whose content is not reading matter: dropped with their content. */
const DROPPED = new Set(['script', 'style', 'iframe', 'object', 'embed', 'noscript', 'template', 'svg', 'math', 'head', 'title', 'form', 'button', 'select', 'textarea']);
const SAFE_LINK = /^(?:https?:\/\/|mailto:)/i;
/** Block elements: a line break next to one of their tags is layout, not a break in the text. */
const BLOCK_TAG = String.raw`<\/?(?:blockquote|p|div|ul|ol|li|h[1-6]|pre|hr|table|tr|td|th)\b[^>]*>`;
const BREAK_BEFORE_BLOCK = new RegExp(String.raw`[ \t]*\n\s*(?=${BLOCK_TAG})`, 'gi');
const BREAK_AFTER_BLOCK = new RegExp(String.raw`(${BLOCK_TAG})[ \t]*\n\s*`, 'gi');

interface ElementLike {
  nodeName: string;
  getAttribute(name: string): string | null;
}

function createConverter(): TurndownService {
  const service = new TurndownService({
    headingStyle: 'atx',
    codeBlockStyle: 'fenced',
    emDelimiter: '*',
    strongDelimiter: '**',
    bulletListMarker: '-',
    // A backslash hard break survives editors that strip trailing spaces.
    br: '\\',
  });
  service.remove((node: unknown) => DROPPED.has((node as ElementLike).nodeName.toLowerCase()));
  service.addRule('safeLinks', {
    filter: (node: unknown) => (node as ElementLike).nodeName === 'A',
    replacement: (content: string, node: unknown) => {
      const href = ((node as ElementLike).getAttribute('href') ?? '').trim();
      if (!content.trim()) return content;
      // Links to anything but the web or mail keep their words and lose the address.
      if (!SAFE_LINK.test(href)) return content;
      return `[${content}](${href.replace(/[()\s<>]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`)})`;
    },
  });
  const escapeMarkdown = service.escape.bind(service);
  service.escape = (text: string) => {
    let out = escapeMarkdown(text);
    // `<` before a letter, `/`, `!` or `?` could open raw HTML in Markdown: show it as text.
    out = out.replace(/<(?=[A-Za-z/!?])/g, '\\<');
    // `||` is Kansou's spoiler markup; Letterboxd text has none, so any pipe pair is literal.
    if (out.includes('||')) out = out.replace(/\|/g, '\\|');
    return out;
  };
  return service;
}

let converter: TurndownService | undefined;

function escapeHtml(text: string): string {
  return text.replace(/&(?![#\w]+;)/g, '&amp;');
}

/**
 * The Markdown of a Letterboxd review text. Blank lines separate paragraphs and a single line
 * break stays a line break, as on Letterboxd; HTML in the text becomes Markdown.
 */
export function reviewTextToMarkdown(text: string): string {
  converter ??= createConverter();
  const normalised = text.replace(/\r\n?/g, '\n').trim();
  if (normalised === '') return '';
  const paragraphs = normalised.split(/\n[ \t]*\n\s*/);
  if (!/[<&]/.test(normalised)) {
    // Most reviews hold no markup at all. Building a DOM for them is most of an import's time, so
    // they take the path turndown would: whitespace collapsed as HTML does, each line escaped.
    const service = converter;
    return paragraphs
      .map((paragraph) =>
        paragraph
          .split('\n')
          .map((line) => service.escape(line.replace(/[ \t]+/g, ' ').trim()))
          .filter((line) => line !== '')
          .join('\\\n'),
      )
      .join('\n\n');
  }
  const html = paragraphs
    .map((paragraph) => {
      const lines = escapeHtml(paragraph).replace(BREAK_BEFORE_BLOCK, '').replace(BREAK_AFTER_BLOCK, '$1');
      return `<p>${lines.replace(/\n/g, '<br>')}</p>`;
    })
    .join('\n');
  return converter.turndown(html).trim();
}
