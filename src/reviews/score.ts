/**
 * Scores as reviewers write them ("2.5 out of 5", "8.5/10", "★★★½", "4.5 stars") and the
 * derived 0–100 rating used for sorting and aggregates. Pure functions, no I/O.
 *
 * The rule throughout: a wrong number is worse than no number. Anything ambiguous (a bare
 * "9", a letter grade, "3/7", a date such as "11/2018") is not turned into a score.
 */
import type { Score } from '../import/import.types.js';

/** The scales people rate on. Anything else after a slash is more likely a date or a fraction. */
const SCALES: ReadonlySet<number> = new Set([4, 5, 10, 20, 100]);

/** Star glyphs are always out of five (Letterboxd, blogs copying it). */
const STAR_SCALE = 5;

export interface FoundScore {
  score: Score;
  /** The matched text, e.g. "7 out of 10" inside "I'd give it a 7 out of 10". */
  scoreText: string;
  index: number;
}

interface Candidate {
  index: number;
  end: number;
  text: string;
  score: Score | null;
}

// Lookbehinds keep us from starting inside a longer number ("12.5/10" is not "2.5/10").
const NUMBER = String.raw`(\d{1,3}(?:[.,]\d{1,2})?)(½)?`;
const FRACTION = new RegExp(
  String.raw`(?<![\d.,])(-|−)?${NUMBER}\s*(?:\/|\bout\s+of\b)\s*(\d{1,3})(?![\d/]|[.,]\d)(?:\s*stars?\b)?`,
  // No /u: V8 runs \b with /iu some twenty times slower, and every character here is a single UTF-16 unit.
  'gi',
);
const STARS_WORD = new RegExp(String.raw`(?<![\d.,/])${NUMBER}(\s+and\s+a\s+half)?\s*(?:-\s*)?stars?\b`, 'gi');
// ⭐ may carry a variation selector (U+FE0F).
const STAR_GLYPHS = /(?:[★⭐☆½]\uFE0F?)+/gu;
const STAR = /[★⭐☆]/u;
const MAY_HOLD_SCORE = /[\d★⭐☆½]/u;
const PERCENT = /^(\d{1,3}(?:\.\d{1,2})?)\s*%$/u;
const LETTER = /^(?:grade\s*[:\-–—]?\s*)?([A-F][+\-−]?|S)[.!]?$/iu;
const EMPHASIS_OR_SPACE = /[*_\s]/u;

function toNumber(digits: string, half: string | undefined): number {
  return Number(digits.replace(',', '.')) + (half ? 0.5 : 0);
}

/** A score is usable when it is finite, not negative, not above its scale, and the scale is one people use. */
export function isValidScore({ value, max }: Score): boolean {
  return Number.isFinite(value) && value >= 0 && SCALES.has(max) && value <= max;
}

function checked(score: Score): Score | null {
  return isValidScore(score) ? score : null;
}

function fractionCandidates(text: string): Candidate[] {
  return Array.from(text.matchAll(FRACTION), (m) => {
    const [matched, minus, digits = '', half, max = ''] = m;
    // "-3/5" is a negative score, and "3.5½" is nonsense: both are rejected, not reinterpreted.
    const bad = minus !== undefined || (half !== undefined && /[.,]/.test(digits));
    const score = bad ? null : checked({ value: toNumber(digits, half), max: Number(max) });
    return { index: m.index, end: m.index + matched.length, text: matched, score };
  });
}

function starWordCandidates(text: string): Candidate[] {
  return Array.from(text.matchAll(STARS_WORD), (m) => {
    const [matched, digits = '', half, andAHalf] = m;
    const value = toNumber(digits, half ?? andAHalf);
    return { index: m.index, end: m.index + matched.length, text: matched, score: checked({ value, max: STAR_SCALE }) };
  });
}

function starGlyphCandidates(text: string): Candidate[] {
  const candidates: Candidate[] = [];
  for (const m of text.matchAll(STAR_GLYPHS)) {
    const run = m[0];
    // A run must hold a star, so the "½" of "1½ hours" is not a score.
    if (!STAR.test(run)) continue;
    let stars = 0;
    let halves = 0;
    let slots = 0;
    for (const ch of run) {
      if (ch === '★' || ch === '⭐') stars += 1;
      else if (ch === '½') halves += 1;
      if (ch !== '\uFE0F') slots += 1;
    }
    // More than five glyphs means some other scale we cannot tell, and two halves mean nothing: never guess.
    const score = slots <= STAR_SCALE && halves <= 1 ? checked({ value: stars + halves / 2, max: STAR_SCALE }) : null;
    candidates.push({ index: m.index, end: m.index + run.length, text: run, score });
  }
  return candidates;
}

/**
 * Every score written in `text`, in reading order. Overlapping readings of the same words
 * ("4.5/5 stars" also contains "5 stars") keep the earliest, longest one, and a match that is
 * impossible ("12/10") hides the weaker readings inside it rather than letting them through.
 */
export function findScores(text: string): FoundScore[] {
  // Most texts checked (names, labels, sentences) hold no digit and no star: skip the three scans.
  if (!MAY_HOLD_SCORE.test(text)) return [];
  const candidates = [...fractionCandidates(text), ...starWordCandidates(text), ...starGlyphCandidates(text)];
  candidates.sort((a, b) => a.index - b.index || b.end - a.end);
  const found: FoundScore[] = [];
  let covered = -1;
  for (const c of candidates) {
    if (c.index < covered) continue;
    covered = c.end;
    if (c.score) found.push({ score: c.score, scoreText: c.text.trim(), index: c.index });
  }
  return found;
}

/** "**B+**" → "B+". A loop rather than a `[*_\s]+$` regex, which backtracks over long runs of spaces. */
function stripEmphasis(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && EMPHASIS_OR_SPACE.test(text[start] ?? '')) start++;
  while (end > start && EMPHASIS_OR_SPACE.test(text[end - 1] ?? '')) end--;
  return text.slice(start, end);
}

/**
 * Reads a score as people write it. Returns the score and the text it was read from; a letter
 * grade as `{ letter }` so the caller can import without a score and say why; `null` when there is
 * no score or it is ambiguous ("Score: 9" has no scale) or impossible ("6/5", "3/7").
 */
export function parseScore(text: string): { score: Score; scoreText: string } | { letter: string } | null {
  const [first] = findScores(text);
  if (first) return { score: first.score, scoreText: first.scoreText };

  // Percentages and letters only count when they are the whole value: in prose, "90% of it" and
  // "a B-movie" are not scores.
  const whole = stripEmphasis(text);
  const percent = PERCENT.exec(whole);
  if (percent) {
    const score = checked({ value: Number(percent[1]), max: 100 });
    return score ? { score, scoreText: whole } : null;
  }
  const letter = LETTER.exec(whole);
  if (letter?.[1]) return { letter: letter[1].toUpperCase().replace('−', '-') };
  return null;
}

/** The 0–100 integer used for sorting and aggregates: round(value / max × 100), clamped. */
export function ratingFromScore({ value, max }: Score): number {
  return Math.min(100, Math.max(0, Math.round((value / max) * 100)));
}

/** "2.5 out of 5": the reviewer's own scale, for display. */
export function formatScore({ value, max }: Score): string {
  const shown = Number.isInteger(value) ? String(value) : String(Math.round(value * 100) / 100);
  return `${shown} out of ${max}`;
}
