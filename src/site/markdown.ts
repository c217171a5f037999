/**
 * Review bodies are Markdown. They are rendered here, once, with raw HTML disabled: every
 * character a reviewer typed reaches the page as text, and only Markdown's own constructs
 * become tags. Links keep only safe schemes (markdown-it's validateLink refuses
 * `javascript:`, `vbscript:`, `file:` and non-image `data:`; we also refuse anything that is
 * not http(s), mailto or a relative path). Images become links: a third-party image would
 * slow the page and break the Content-Security-Policy.
 *
 * Spoilers, in the canonical form of reviews/spoilers.ts, are hidden until the reader asks:
 * a `::: spoiler` block becomes `<details>`, an inline `||passage||` a checkbox-driven reveal.
 * Both work without JavaScript and from the keyboard.
 */
import MarkdownIt from 'markdown-it';
import container from 'markdown-it-container';
import type { StateInline, Token } from 'markdown-it';
import { withoutSpoilers } from '../reviews/spoilers.js';

const SAFE_URL = /^(?:https?:\/\/|mailto:|\/(?!\/)|#|\.{0,2}\/)/i;

function createRenderer() {
  const md = new MarkdownIt({ html: false, linkify: true, typographer: true, breaks: false });
  const validateLink = md.validateLink.bind(md);
  md.validateLink = (url: string) => validateLink(url) && (SAFE_URL.test(url.trim()) || !/^[a-z][a-z0-9+.-]*:/i.test(url.trim()));

  // The page's title is the h1: a review's own headings start one level below.
  const shifted = (tag: string) => `h${Math.min(Number(tag.slice(1)) + 1, 6)}`;
  md.renderer.rules.heading_open = (tokens, idx) => `<${shifted(tokens[idx]!.tag)}>`;
  md.renderer.rules.heading_close = (tokens, idx) => `</${shifted(tokens[idx]!.tag)}>\n`;

  md.renderer.rules.link_open = (tokens, idx, options, _env, self) => {
    const token = tokens[idx]!;
    if (/^https?:/i.test(String(token.attrGet('href') ?? ''))) token.attrSet('rel', 'nofollow ugc noopener');
    return self.renderToken(tokens, idx, options);
  };
  md.renderer.rules.image = (tokens, idx) => {
    const token = tokens[idx]!;
    const alt = token.children?.map((c) => c.content).join('') || 'image';
    const src = String(token.attrGet('src') ?? '');
    return `<a class="image-link" href="${md.utils.escapeHtml(src)}" rel="nofollow ugc noopener">[image: ${md.utils.escapeHtml(alt)}]</a>`;
  };

  md.use(container, 'spoiler', {
    validate: (params: string) => /^spoiler\b/.test(params.trim()),
    render: (tokens: Token[], idx: number) => {
      const token = tokens[idx]!;
      if (token.nesting !== 1) return '</div></details>\n';
      const label = token.info.trim().replace(/^spoiler\s*/, '');
      return `<details class="spoiler"><summary><span class="spoiler-label">Spoiler${label ? `: ${md.utils.escapeHtml(label)}` : ''}</span> <span class="spoiler-hint">show</span></summary><div class="spoiler-body">\n`;
    },
  });

  md.inline.ruler.at('text', textUpToPipe);
  md.inline.ruler.before('emphasis', 'spoiler_inline', inlineSpoiler);
  md.renderer.rules.spoiler_open = (_tokens, _idx, _options, env) => {
    const state = env as Partial<RenderEnv> | undefined;
    const n = (state?.spoilers ?? 0) + 1;
    if (state) state.spoilers = n;
    const id = `spoiler-${n}`;
    return `<span class="spoiler-inline"><input type="checkbox" class="spoiler-toggle" id="${id}"><label for="${id}">spoiler, show</label><span class="spoiler-text">`;
  };
  md.renderer.rules.spoiler_close = () => '</span></span>';
  return md;
}

interface RenderEnv {
  spoilers: number;
}

/**
 * markdown-it's `text` rule swallows every character that cannot start markup, and `|` is not
 * among them, so `||` in the middle of a sentence would never reach the spoiler rule. This is
 * the same rule with `|` added to its stop characters (the list of rules_inline/text.mjs).
 */
const TERMINATOR = new Uint8Array(128);
for (const code of [0x0a, 0x21, 0x23, 0x24, 0x25, 0x26, 0x2a, 0x2b, 0x2d, 0x3a, 0x3c, 0x3d, 0x3e, 0x40, 0x5b, 0x5c, 0x5d, 0x5e, 0x5f, 0x60, 0x7b, 0x7c, 0x7d, 0x7e]) {
  TERMINATOR[code] = 1;
}
function textUpToPipe(state: StateInline, silent: boolean): boolean {
  const { src, posMax } = state;
  let pos = state.pos;
  for (let code = src.charCodeAt(pos); pos < posMax && (code >= 128 || TERMINATOR[code] === 0); code = src.charCodeAt(++pos));
  if (pos === state.pos) return false;
  if (!silent) state.pending += src.slice(state.pos, pos);
  state.pos = pos;
  return true;
}

/** `||passage||`: the passage may hold emphasis and links, not another spoiler. */
function inlineSpoiler(state: StateInline, silent: boolean): boolean {
  const start = state.pos;
  const src = state.src;
  if (src.charCodeAt(start) !== 0x7c || src.charCodeAt(start + 1) !== 0x7c) return false;
  const close = src.indexOf('||', start + 2);
  if (close < 0 || close === start + 2 || /\s/.test(src[start + 2]!)) return false;
  if (!silent) {
    state.push('spoiler_open', 'span', 1);
    const oldMax = state.posMax;
    state.pos = start + 2;
    state.posMax = close;
    state.md.inline.tokenize(state);
    state.posMax = oldMax;
    state.push('spoiler_close', 'span', -1);
  }
  state.pos = close + 2;
  return true;
}

const renderer = createRenderer();

/** The body as HTML for the review page: spoilers hidden behind a reveal control. */
export function renderReviewBody(body: string): string {
  return renderer.render(body, { spoilers: 0 } satisfies RenderEnv);
}

/**
 * The body as HTML for places that cannot hide anything (feeds): each spoiler passage
 * replaced by `note`, which is trusted HTML.
 */
export function renderWithoutSpoilers(body: string, noteHtml: string): string {
  // Letters only: markdown-it turns NUL into U+FFFD and would reshape punctuation.
  const marker = 'kansouspoilernote';
  return renderer.render(withoutSpoilers(body, marker), { spoilers: 0 }).replaceAll(marker, noteHtml);
}

/**
 * Plain text of the body with each spoiler passage replaced by "[spoiler]", cut at a word
 * boundary: for excerpts, meta descriptions and structured data.
 */
export function plainExcerpt(body: string, maxLength = 240): string {
  // The Markdown clean-up only needs what can reach the excerpt; markup only shortens text.
  return cutText(plainText(body, maxLength * 2 + 200), maxLength);
}

/**
 * `plainExcerpt` of a review's body, cut from its stored plain text when it has one
 * (reviews/reviews.render.ts) instead of cleaning up the Markdown again.
 */
export function bodyExcerpt(review: { body: string; bodyText?: string | null }, maxLength = 240): string {
  return review.bodyText == null ? plainExcerpt(review.body, maxLength) : cutText(review.bodyText, maxLength);
}

/**
 * The body as plain text: each spoiler passage replaced by "[spoiler]", Markdown markup taken
 * out, white space collapsed. `limit` stops the clean-up after that many characters of source.
 */
export function plainText(body: string, limit = Infinity): string {
  // Spoilers go first and over the whole body: a passage opened before any cut must not leak.
  // A marker keeps the sentence around it readable ("turns on one moment: [spoiler], and…").
  const visible = body.includes('||') || body.includes(':::') ? withoutSpoilers(body, '[spoiler]') : body;
  return (visible.length > limit ? visible.slice(0, limit) : visible)
    .replace(/^#{1,6}\s+/gm, '')
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/(\*\*|__|\*|_|`|~~)(?=\S)([\s\S]*?\S)\1/g, '$2')
    .replace(/^\s*(?:[-*+]|\d+\.|>)\s+/gm, '')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Plain text cut to at most `maxLength` characters at a word boundary, with an ellipsis. */
export function cutText(text: string, maxLength: number): string {
  if (text.length <= maxLength) return text;
  const cut = text.slice(0, maxLength);
  const space = cut.lastIndexOf(' ');
  return `${(space > maxLength * 0.6 ? cut.slice(0, space) : cut).replace(/[\s,;:.–—-]+$/, '')}…`;
}
