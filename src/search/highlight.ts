/**
 * Marking matched words in text shown on the search page. The result is a list of plain-text
 * segments, some flagged as matches; the page renders them as text nodes and <mark> elements,
 * so the text is escaped by the renderer and nothing a reviewer or searcher typed is ever
 * inserted as HTML.
 */
import { foldWords } from '../shared/text.js';
import type { ParsedQuery } from './search.js';

export interface Segment {
  text: string;
  mark: boolean;
}

// A word as readers see it: letters, digits and the marks that belong to them. Folding a word
// may split it further ("Shin'ichirō" is two runs already), so each run is folded on its own.
const RUN = /[\p{L}\p{N}\p{M}]+/gu;

/** Whether one run of letters matches a query word (the last one as a prefix when allowed). */
export function runMatches(run: string, query: ParsedQuery, prefix: boolean): boolean {
  const last = query.words.length - 1;
  for (const folded of foldWords(run).split(' ')) {
    if (!folded) continue;
    for (let i = 0; i <= last; i++) {
      const word = query.words[i]!;
      if (folded === word || (prefix && query.prefix && i === last && folded.startsWith(word))) return true;
    }
  }
  return false;
}

interface Match {
  start: number;
  end: number;
  /** The matched run, folded: which query word it stands for. */
  word: string;
}

function matchesIn(text: string, query: ParsedQuery, prefix: boolean): Match[] {
  const found: Match[] = [];
  if (query.words.length === 0) return found;
  for (const m of text.matchAll(RUN)) {
    if (runMatches(m[0], query, prefix)) found.push({ start: m.index, end: m.index + m[0].length, word: foldWords(m[0]) });
  }
  return found;
}

/** `text` cut into segments, the words matching `query` flagged. */
export function highlight(text: string, query: ParsedQuery, prefix = true): Segment[] {
  const segments: Segment[] = [];
  let at = 0;
  for (const m of matchesIn(text, query, prefix)) {
    if (m.start > at) segments.push({ text: text.slice(at, m.start), mark: false });
    segments.push({ text: text.slice(m.start, m.end), mark: true });
    at = m.end;
  }
  if (at < text.length) segments.push({ text: text.slice(at), mark: false });
  return segments;
}

/**
 * About `length` characters of `text` around the place where most of the query's words meet,
 * cut at word boundaries, with an ellipsis where text was left out. `text` must already be
 * what may be shown (for reviews: the body without its spoiler passages).
 */
export function snippet(text: string, query: ParsedQuery, length = 240, prefix = false): string {
  const clean = text.replace(/\s+/g, ' ').trim();
  if (clean.length <= length) return clean;
  const found = matchesIn(clean, query, prefix).slice(0, 50);
  let start = 0;
  if (found.length > 0) {
    // The window (starting a little before a match) holding the most distinct words wins.
    let best = -1;
    for (const m of found) {
      const from = Math.max(0, m.start - Math.floor(length / 4));
      const words = new Set<string>();
      for (const n of found) if (n.start >= from && n.end <= from + length) words.add(n.word);
      if (words.size > best) {
        best = words.size;
        start = from;
      }
    }
  }
  let end = Math.min(clean.length, start + length);
  if (end === clean.length) start = Math.max(0, end - length);
  if (start > 0) {
    const space = clean.indexOf(' ', start);
    if (space >= 0 && space < start + 30) start = space + 1;
  }
  if (end < clean.length) {
    const space = clean.lastIndexOf(' ', end);
    if (space > start + length / 2) end = space;
  }
  const body = clean.slice(start, end).replace(/[\s,;:–—-]+$/, '');
  return `${start > 0 ? '…' : ''}${body}${end < clean.length ? '…' : ''}`;
}
