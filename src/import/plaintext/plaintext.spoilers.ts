/**
 * Spoilers, in the two ways reviews carry them:
 * - markup from the platforms people copy from (Discord `||x||`, Reddit `>!x!<`, AniList `~!x!~`,
 *   MAL `[spoiler]x[/spoiler]`, Stack Exchange `>! x` lines), rewritten to Kansou's canonical forms:
 *   inline `||x||` within a paragraph, and a `::: spoiler` … `:::` block across paragraphs;
 * - a prose warning ("Spoilers ahead", "Be warned … spoilers"), after which the text is wrapped
 *   in the same canonical forms.
 */
import { cleanName } from '../../shared/text.js';
import { isProse } from './plaintext.blocks.js';

export interface SpoilerResult {
  body: string;
  hasSpoilers: boolean;
  warnings: string[];
}

function spoilerBlock(paragraphs: string[], label = ''): string {
  return `::: spoiler${label ? ` ${label}` : ''}\n${paragraphs.join('\n\n')}\n:::`;
}

/**
 * Rewrites spoiler passages in `paragraphs` (the review body, one entry per paragraph) into the
 * canonical forms. When the author used markup, prose warnings are left alone: the markup already
 * says exactly what is hidden, and the warning is only its caption.
 */
export function markSpoilers(paragraphs: string[]): SpoilerResult {
  const warnings: string[] = [];
  const quoted = paragraphs.map(quoteBlockToSpoiler);
  const text = quoted.join('\n\n');
  // Most reviews have no markup and no warning: cheap `includes` checks skip the scans for them.
  const converted = MARKUP_HINTS.some((hint) => text.includes(hint)) ? convertInlineMarkup(text, warnings) : { text, count: 0 };
  const canonical = text.includes(':::') && CANONICAL_BLOCK.test(converted.text);
  if (converted.count > 0 || canonical || quoted.some((p, i) => p !== paragraphs[i])) {
    return { body: converted.text, hasSpoilers: true, warnings };
  }
  if (!SPOIL_ANYWHERE.test(text)) return { body: text, hasSpoilers: false, warnings };

  const announced = wrapAnnouncedSpoilers(paragraphs, warnings);
  return { body: announced.paragraphs.join('\n\n'), hasSpoilers: announced.found, warnings };
}

const MARKUP_HINTS = ['||', '>!', '~!', '['];
const CANONICAL_BLOCK = /^::: ?spoiler\b/mu;
const SPOIL_ANYWHERE = /spoil/i;

// ---------------------------------------------------------------------------------------------
// Markup

/** Stack Exchange's block form: every line of the paragraph starts with `>!`. */
function quoteBlockToSpoiler(paragraph: string): string {
  if (!paragraph.startsWith('>!') || paragraph.includes('!<')) return paragraph;
  const lines = paragraph.split('\n');
  if (!lines.every((line) => line.startsWith('>!'))) return paragraph;
  return spoilerBlock([lines.map((line) => line.slice(2).trimStart()).join('\n')]);
}

const OPENERS = /\|\||>!|~!|\[spoiler(?:=("?)([^\]"\n]{0,80})\1)?\]/giu;
const CLOSERS: Record<string, string> = { '||': '||', '>!': '!<', '~!': '!~' };
const BBCODE_CLOSER = /\[\/spoiler\]/giu;

interface Span {
  start: number;
  innerStart: number;
  innerEnd: number;
  end: number;
  label: string;
}

function findCloser(text: string, opener: string, from: number): { at: number; length: number } | null {
  const closer = CLOSERS[opener];
  if (closer !== undefined) {
    const at = text.indexOf(closer, from);
    return at === -1 ? null : { at, length: closer.length };
  }
  BBCODE_CLOSER.lastIndex = from;
  const match = BBCODE_CLOSER.exec(text);
  return match ? { at: match.index, length: match[0].length } : null;
}

/**
 * Finds opener/closer pairs left to right. Once an opener has no closer after it, no later opener of
 * that kind can have one either, so it is never searched for again: this keeps a text full of
 * stray `||` linear.
 */
function findSpans(text: string): Span[] {
  const spans: Span[] = [];
  const unclosed = new Set<string>();
  OPENERS.lastIndex = 0;
  for (let m = OPENERS.exec(text); m; m = OPENERS.exec(text)) {
    const opener = m[0].startsWith('[') ? '[spoiler]' : m[0];
    if (unclosed.has(opener)) continue;
    const innerStart = m.index + m[0].length;
    const close = findCloser(text, opener, innerStart);
    if (!close) {
      unclosed.add(opener);
      continue;
    }
    if (text.slice(innerStart, close.at).trim() === '') continue;
    spans.push({ start: m.index, innerStart, innerEnd: close.at, end: close.at + close.length, label: (m[2] ?? '').trim() });
    OPENERS.lastIndex = close.at + close.length;
  }
  return spans;
}

function isWholeParagraph(text: string, span: Span): boolean {
  const before = text.lastIndexOf('\n\n', span.start);
  const after = text.indexOf('\n\n', span.end);
  return (
    text.slice(before === -1 ? 0 : before, span.start).trim() === '' &&
    text.slice(span.end, after === -1 ? text.length : after).trim() === ''
  );
}

/**
 * Joins text and blocks so a block always stands on its own lines with one blank line around it,
 * whatever whitespace the author had next to the markup.
 */
class BodyWriter {
  private readonly pieces: string[] = [];
  private blockEnded = false;

  text(piece: string): void {
    if (!this.blockEnded) {
      this.pieces.push(piece);
      return;
    }
    const trimmed = piece.trimStart();
    if (trimmed === '') return;
    this.pieces.push('\n\n', trimmed);
    this.blockEnded = false;
  }

  block(block: string): void {
    this.trimEnd();
    this.pieces.push(this.pieces.length > 0 ? '\n\n' : '', block);
    this.blockEnded = true;
  }

  toString(): string {
    return this.pieces.join('');
  }

  /** Trailing whitespace may span several pieces; only the last ones are touched, so writing stays linear. */
  private trimEnd(): void {
    while (this.pieces.length > 0) {
      const last = (this.pieces.pop() ?? '').trimEnd();
      if (last !== '') {
        this.pieces.push(last);
        return;
      }
    }
  }
}

function convertInlineMarkup(text: string, warnings: string[]): { text: string; count: number } {
  const spans = findSpans(text);
  if (spans.length === 0) return { text, count: 0 };
  const writer = new BodyWriter();
  let last = 0;
  for (const span of spans) {
    writer.text(text.slice(last, span.start));
    const inner = text.slice(span.innerStart, span.innerEnd).trim();
    if (inner.includes('\n\n') || (span.label && isWholeParagraph(text, span))) {
      writer.block(spoilerBlock([inner], span.label));
    } else {
      if (span.label) warnings.push(`dropped the spoiler label "${span.label}": a spoiler inside a sentence has no label`);
      writer.text(`||${inner}||`);
    }
    last = span.end;
  }
  writer.text(text.slice(last));
  return { text: writer.toString(), count: spans.length };
}

// ---------------------------------------------------------------------------------------------
// Prose warnings

// The word patterns below are ASCII with \b and /i, so they go without /u: V8 runs /\b…/iu some
// twenty times slower.
const SPOIL = /spoil/gi;
/** "no spoilers", "spoiler-free", "I won't spoil": mentions that promise the opposite. */
const NEGATED =
  /\b(?:no|without|zero)\s+(?:\w+\s+)?spoil|spoiler[- ]?free|spoilerless|non[- ]spoiler|\b(?:won'?t|will not|not going to|don'?t want to|avoid(?:ing)?|never)\s+(?:\w+\s+){0,2}spoil/i;
/** Wording that means "what follows is the rest of the review". */
const REST_OF_REVIEW =
  /\b(?:from here(?: on)?|from now on|from this point|beyond this point|after this point|ahead|below|onwards?|(?:the )?rest of (?:this|the|my) (?:review|post|article|write-?up))\b/i;
const ANNOUNCES =
  /\b(?:warn(?:ed|ing)?|alert|beware|caution|heads[- ]up|(?:heavy|major|minor|mild|light|some|full|massive|big|huge)\s+spoil|spoilers?\s+(?:for|about|on|in|follow)\b|contains?\s+(?:\w+\s+)?spoil|(?:going to|gonna)\s+(?:give|spoil|discuss|talk))/i;
/** "Spoilers!", "(Spoilers)", "**Spoilers**", "Spoilers: …": the word alone, or as a label. */
const BARE_ANNOUNCEMENT = /^\W*spoilers?(?:\W*$|\s*:)/i;
const END_MARKER = /\bend(?:\s+of)?(?:\s+the)?\s+spoilers?\b|\bspoilers?\s+(?:end|over)\b|\/\s?spoilers?\b|\bno more spoilers\b/i;

const TERMINATORS = new Set(['.', '!', '?', '…', '。', '！', '？']);
const CLOSING_MARKS = new Set([')', ']', '”', '"', '’', "'", '*', '_', '»', '」', '』']);
const WHITESPACE = /\s/u;

interface Bounds {
  start: number;
  end: number;
}

function isWhitespace(ch: string | undefined): boolean {
  return ch === undefined || WHITESPACE.test(ch);
}

/** Start of the sentence holding `index`: after the previous terminator, line break or `(`/`)`. */
function sentenceStart(text: string, index: number): { start: number; inParens: boolean } {
  for (let i = index - 1; i >= 0; i--) {
    const ch = text[i] ?? '';
    if (ch === '\n' || ch === ')') return { start: i + 1, inParens: false };
    if (ch === '(') return { start: i, inParens: true };
    if (isWhitespace(ch)) {
      let k = i - 1;
      while (k >= 0 && CLOSING_MARKS.has(text[k] ?? '')) k--;
      if (TERMINATORS.has(text[k] ?? '')) return { start: i + 1, inParens: false };
    }
  }
  return { start: 0, inParens: false };
}

/** The sentence (or parenthesised aside) around `index`, closing marks and all. */
function sentenceAround(text: string, index: number): Bounds {
  const { start, inParens } = sentenceStart(text, index);
  for (let i = index; i < text.length; i++) {
    const ch = text[i] ?? '';
    if (ch === '\n') return { start, end: i };
    if (inParens ? ch === ')' : TERMINATORS.has(ch)) {
      let j = i + 1;
      while (j < text.length && (TERMINATORS.has(text[j] ?? '') || CLOSING_MARKS.has(text[j] ?? ''))) j++;
      if (inParens || isWhitespace(text[j])) return { start, end: j };
    }
  }
  return { start, end: text.length };
}

interface Announcement extends Bounds {
  restOfReview: boolean;
}

function isAnnouncement(sentence: string): boolean {
  return !NEGATED.test(sentence) && (ANNOUNCES.test(sentence) || REST_OF_REVIEW.test(sentence) || BARE_ANNOUNCEMENT.test(sentence));
}

function findAnnouncement(paragraph: string): Announcement | null {
  if (!SPOIL_ANYWHERE.test(paragraph)) return null;
  SPOIL.lastIndex = 0;
  for (let m = SPOIL.exec(paragraph); m; m = SPOIL.exec(paragraph)) {
    const bounds = sentenceAround(paragraph, m.index);
    const sentence = paragraph.slice(bounds.start, bounds.end);
    SPOIL.lastIndex = bounds.end;
    if (!isAnnouncement(sentence)) continue;
    // "Spoiler alert: the dog dies." warns and spoils in one sentence; only the part up to the colon
    // is the warning. "SPOILER ALERT: from here on I discuss the ending." is all warning.
    const colon = paragraph.indexOf(':', m.index);
    const afterColon = colon !== -1 && colon < bounds.end ? paragraph.slice(colon + 1, bounds.end) : null;
    const warningEndsAtColon = afterColon !== null && !ANNOUNCES.test(afterColon) && !REST_OF_REVIEW.test(afterColon);
    const end = warningEndsAtColon ? colon + 1 : bounds.end;
    return { start: bounds.start, end, restOfReview: REST_OF_REVIEW.test(sentence) };
  }
  return null;
}

/** Splits a paragraph before the sentence holding an end-of-spoilers marker. */
function splitAtEndMarker(paragraph: string): { before: string; after: string } | null {
  const marker = END_MARKER.exec(paragraph);
  if (!marker) return null;
  const { start } = sentenceStart(paragraph, marker.index);
  return { before: paragraph.slice(0, start).trim(), after: paragraph.slice(start).trim() };
}

/** A whole paragraph hidden on its own: inline when it is plain prose, a block when it is a list or a heading. */
function hideParagraph(paragraph: string): string {
  return isProse(paragraph) ? `||${paragraph}||` : spoilerBlock([paragraph]);
}

function quote(text: string): string {
  const flat = cleanName(text);
  return flat.length > 70 ? `${flat.slice(0, 67)}…` : flat;
}

/** The paragraphs still to read, in order; what follows an end marker is put back to be read again. */
class Paragraphs {
  private index = 0;
  private readonly items: string[];

  constructor(items: string[]) {
    this.items = [...items];
  }

  next(): string | undefined {
    return this.index < this.items.length ? this.items[this.index++] : undefined;
  }

  putBack(paragraph: string): void {
    this.items[--this.index] = paragraph;
  }
}

const HEADING = /^ {0,3}#{1,6}\s/u;

/**
 * After "Spoilers ahead": everything up to an end marker ("End of spoilers", which stays visible)
 * or the end of the body. After a "## Spoilers" heading, its section: up to the next heading.
 */
function hideToEndMarker(warning: string, rest: string, pending: Paragraphs): string[] {
  const isSection = HEADING.test(warning);
  const inSameParagraph = rest ? splitAtEndMarker(rest) : null;
  if (inSameParagraph) {
    const { before, after } = inSameParagraph;
    return [before ? `${warning} ||${before}|| ${after}` : `${warning} ${after}`];
  }
  const hidden = rest ? [rest] : [];
  for (let next = pending.next(); next !== undefined; next = pending.next()) {
    if (isSection && HEADING.test(next)) {
      pending.putBack(next);
      break;
    }
    const split = splitAtEndMarker(next);
    if (!split) {
      hidden.push(next);
      continue;
    }
    if (split.before) hidden.push(split.before);
    pending.putBack(split.after);
    break;
  }
  const [only] = hidden;
  if (only === undefined) return [warning];
  if (hidden.length > 1) return [warning, spoilerBlock(hidden)];
  return rest ? [`${warning} ||${rest}||`] : [warning, hideParagraph(only)];
}

/** Any other warning: the rest of its paragraph, or the next paragraph when the warning ends its own. */
function hideRestOfParagraph(warning: string, rest: string, pending: Paragraphs): string[] {
  if (rest) return [`${warning} ||${rest}||`];
  const next = pending.next();
  return next === undefined ? [warning] : [warning, hideParagraph(next)];
}

/**
 * Hides what a prose warning announces; the warning itself stays visible. "Spoilers ahead / below /
 * from here on / the rest of this review" reaches to the end marker or the end of the body; any other
 * warning covers the rest of its paragraph.
 */
function wrapAnnouncedSpoilers(paragraphs: string[], warnings: string[]): { paragraphs: string[]; found: boolean } {
  const out: string[] = [];
  const pending = new Paragraphs(paragraphs);
  let found = false;
  for (let paragraph = pending.next(); paragraph !== undefined; paragraph = pending.next()) {
    const announcement = findAnnouncement(paragraph);
    if (!announcement) {
      out.push(paragraph);
      continue;
    }
    found = true;
    const warning = paragraph.slice(0, announcement.end).trimEnd();
    const rest = paragraph.slice(announcement.end).trim();
    const hidesSection = announcement.restOfReview || HEADING.test(paragraph);
    const result = (hidesSection ? hideToEndMarker : hideRestOfParagraph)(warning, rest, pending);
    out.push(...result);
    const said = quote(paragraph.slice(announcement.start, announcement.end));
    const hidSomething = result.some((p) => p.includes('||') || p.startsWith('::: spoiler'));
    warnings.push(hidSomething ? `marked the text after the spoiler warning "${said}" as a spoiler` : `the spoiler warning "${said}" has nothing after it to hide`);
  }
  return { paragraphs: out, found };
}
