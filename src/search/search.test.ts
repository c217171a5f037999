import { describe, expect, it } from 'vitest';
import { ftsMatch, parseQuery, tsQueryText } from './search.js';
import { highlight, snippet } from './highlight.js';
import { parseSearchParams, termCounts } from './search.service.js';

describe('parseQuery', () => {
  it('folds case, accents and width, and drops every symbol', () => {
    expect(parseQuery('Ichirō ŌKOUCHI')).toEqual({ words: ['ichiro', 'okouchi'], prefix: true });
    expect(parseQuery('ＨＥＲＯ ≠ Mask').words).toEqual(['hero', 'mask']);
    expect(parseQuery('"hero" AND NEAR(mask*)').words).toEqual(['hero', 'and', 'near', 'mask']);
    expect(parseQuery("') ; drop --").words).toEqual(['drop']);
    expect(parseQuery('\u0000\u0007').words).toEqual([]);
  });

  it('makes the last word a prefix only when it was still being typed and is long enough', () => {
    expect(parseQuery('hero mas').prefix).toBe(true);
    expect(parseQuery('hero mas ').prefix).toBe(false);
    expect(parseQuery('hero ma').prefix).toBe(false);
    expect(parseQuery('hero hero').prefix).toBe(true);
  });

  it('bounds the number and length of words', () => {
    const q = parseQuery(`${'word '.repeat(3000)}${'x'.repeat(5000)} ${Array.from({ length: 20 }, (_, i) => `w${i}`).join(' ')}`);
    expect(q.words.length).toBeLessThanOrEqual(8);
    expect(Math.max(...q.words.map((w) => w.length))).toBeLessThanOrEqual(60);
  });

  it('quotes every word for both engines', () => {
    const q = parseQuery('hero mas');
    expect(ftsMatch(q, true)).toBe('"hero" "mas"*');
    expect(ftsMatch(q, false)).toBe('"hero" "mas"');
    expect(tsQueryText(q, true)).toBe("'hero' & 'mas':*");
  });
});

describe('highlight', () => {
  it('marks whole matched words by their folded form, keeping the text as written', () => {
    expect(highlight('Ichirō Ōkouchi wrote it', parseQuery('okouchi '))).toEqual([
      { text: 'Ichirō ', mark: false },
      { text: 'Ōkouchi', mark: true },
      { text: ' wrote it', mark: false },
    ]);
    expect(highlight('ＨＥＲＯ and heroes', parseQuery('hero '))).toEqual([
      { text: 'ＨＥＲＯ', mark: true },
      { text: ' and heroes', mark: false },
    ]);
  });

  it('marks a prefix only when asked', () => {
    const q = parseQuery('hero mas');
    expect(highlight('Hero ≠ Mask', q).filter((s) => s.mark).map((s) => s.text)).toEqual(['Hero', 'Mask']);
    expect(highlight('Hero ≠ Mask', q, false).filter((s) => s.mark).map((s) => s.text)).toEqual(['Hero']);
  });

  it('keeps markup as plain text for the renderer to escape', () => {
    expect(highlight('<b>hero</b>', parseQuery('hero '))).toEqual([
      { text: '<b>', mark: false },
      { text: 'hero', mark: true },
      { text: '</b>', mark: false },
    ]);
  });
});

describe('snippet', () => {
  const text = `${'Filler words here. '.repeat(40)}The lighthouse keeper steals the show. ${'More filler text. '.repeat(40)}`;

  it('cuts around the matched words, at word boundaries, with ellipses', () => {
    const s = snippet(text, parseQuery('lighthouse keeper '), 120);
    expect(s).toContain('lighthouse keeper');
    expect(s.startsWith('…')).toBe(true);
    expect(s.endsWith('…')).toBe(true);
    expect(s.length).toBeLessThanOrEqual(122);
  });

  it('returns short text whole and starts at the beginning without a match', () => {
    expect(snippet('Short  text.', parseQuery('x'))).toBe('Short text.');
    expect(snippet(text, parseQuery('nowhere'), 60).startsWith('Filler')).toBe(true);
  });
});

describe('parseSearchParams', () => {
  it('keeps valid filters and drops the rest', () => {
    expect(parseSearchParams({ q: ' hero ', kind: 'film', year: '1990s', studio: 'science-saru', platform: 'Net flix', min: '4', max: '9' })).toEqual({
      q: 'hero',
      filters: { kind: 'film', year: 1990, decade: true, studio: 'science-saru', min: 4 },
    });
    expect(parseSearchParams({ q: 'x', kind: 'nope', year: '1997', min: '5', max: '2' }).filters).toEqual({ year: 1997, min: 5 });
  });
});

describe('termCounts', () => {
  // What it replaced: the document split into words, each compared with each query word.
  const bySplitting = (doc: string, words: string[], prefixLast: boolean) => {
    const tokens = doc.split(' ');
    const tf = words.map((w, i) => tokens.filter((t) => t === w || (prefixLast && i === words.length - 1 && t.startsWith(w))).length);
    return { tf, length: tokens.length };
  };

  it('counts whole words, and the last word as a start when asked, as splitting the document would', () => {
    expect(termCounts('hero mask hero heroes', ['hero'], false)).toEqual({ tf: [2], length: 4 });
    expect(termCounts('hero mask hero heroes', ['mask', 'hero'], true)).toEqual({ tf: [1, 3], length: 4 });
    expect(termCounts('superhero', ['hero'], true)).toEqual({ tf: [0], length: 1 });
    expect(termCounts('', ['hero'], true)).toEqual({ tf: [0], length: 1 });
    // Overlapping and repeated letters, where a text search could count a word twice or inside another.
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const word = () => Array.from({ length: 1 + Math.floor(next() * 3) }, () => 'ab'[Math.floor(next() * 2)]).join('');
    for (let n = 0; n < 2000; n++) {
      const doc = Array.from({ length: Math.floor(next() * 12) }, word).join(' ');
      const words = [...new Set(Array.from({ length: 1 + Math.floor(next() * 3) }, word))];
      const prefixLast = next() < 0.5;
      expect(termCounts(doc, words, prefixLast), `${JSON.stringify(doc)} ${JSON.stringify(words)} ${prefixLast}`).toEqual(bySplitting(doc, words, prefixLast));
    }
  });
});
