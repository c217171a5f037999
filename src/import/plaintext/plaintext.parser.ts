/**
 * Plain-text and Markdown reviews, as people write them on blogs and in notes apps: a title line,
 * paragraphs, and an info block of "Label: value" lines at the top or bottom (or YAML front matter).
 * Pure: text in, ParsedItem out, no I/O. Whatever is guessed or dropped is said in `warnings`.
 */
import { findScores, parseScore, ratingFromScore, type FoundScore } from '../../reviews/score.js';
import { cleanName, fold, nameKey } from '../../shared/text.js';
import type { CreditRole, ParsedAltTitle, ParsedItem, Score, WorkKind } from '../import.types.js';
import { continuesInto, isRule, splitBlocks, type Block } from './plaintext.blocks.js';
import { PlainTextParseError } from './plaintext.errors.js';
import { readFrontMatter, splitFrontMatter } from './plaintext.frontmatter.js';
import { lookupLabel, parseLabelLine, type FieldSpec, type LabelLine, type Medium } from './plaintext.labels.js';
import { markSpoilers } from './plaintext.spoilers.js';
import {
  cleanValue,
  creatorFromSource,
  extractExternalId,
  extractYear,
  kindFromType,
  parseDate,
  splitList,
  unwrap,
  type ListKind,
} from './plaintext.values.js';

export { PlainTextParseError } from './plaintext.errors.js';

export interface PlainTextOptions {
  /** Named in error messages. */
  filename?: string;
}

/** Everything read so far, before the final decisions (title, kind, score) are made. */
interface Draft {
  title: string | null;
  headline: string | null;
  summary: string | null;
  synopsis: string | null;
  publishedAt: string | null;
  year: number | null;
  kindText: string | null;
  mediums: Set<Medium>;
  altTitles: ParsedAltTitle[];
  credits: { role: CreditRole; name: string }[];
  studios: string[];
  platforms: string[];
  tags: string[];
  externalIds: Record<string, string>;
  score: { score: Score; scoreText: string } | null;
  /** A score line was there but unusable (letter grade, no scale): "no score found" would be wrong. */
  scoreExplained: boolean;
  spoilers: boolean | null;
  draft: boolean;
  warnings: string[];
}

type TextKey = 'title' | 'headline' | 'summary' | 'synopsis' | 'publishedAt' | 'kindText';

/** One label/value pair, from an info line or a front-matter key. */
interface Entry {
  spec: FieldSpec;
  medium: Medium | null;
  /** As written, for messages. */
  label: string;
  /** Normalized, as in the label table. */
  key: string;
  value: string | string[];
  where: string;
}

function newDraft(): Draft {
  return {
    title: null,
    headline: null,
    summary: null,
    synopsis: null,
    publishedAt: null,
    year: null,
    kindText: null,
    mediums: new Set(),
    altTitles: [],
    credits: [],
    studios: [],
    platforms: [],
    tags: [],
    externalIds: {},
    score: null,
    scoreExplained: false,
    spoilers: null,
    draft: false,
    warnings: [],
  };
}

/**
 * Parses one plain-text or Markdown review. Throws PlainTextParseError when the input is not a
 * review at all (empty, binary, no title, broken front matter).
 */
export function parsePlainText(text: string, options: PlainTextOptions = {}): ParsedItem {
  const { filename } = options;
  const { frontMatter, body, bodyLine } = splitFrontMatter(normalizeInput(text, filename), filename);
  const draft = newDraft();
  if (frontMatter) {
    const read = readFrontMatter(frontMatter, draft.warnings);
    draft.draft = read.draft;
    for (const entry of read.entries) applyEntry(draft, { ...entry, where: 'front matter' });
  }

  const blocks = splitBlocks(body, bodyLine);
  const titleLine = takeTitleLine(blocks, draft.title !== null);
  const paragraphs = readBlocks(blocks, draft);
  const title = resolveTitle(draft, titleLine, paragraphs, filename);
  const prose = joinSplitParagraphs(paragraphs, draft.warnings);
  const score = resolveScore(draft, prose.at(-1));
  // The review's own words, summary included: "Still the anime I recommend…" says what the work is.
  const kind = resolveKind(draft, [draft.headline, draft.summary, ...prose].join('\n'));
  const spoilers = markSpoilers(prose);
  draft.warnings.push(...spoilers.warnings);

  return {
    work: {
      title,
      altTitles: draft.altTitles.filter((alt) => fold(alt.title) !== fold(title)),
      kind,
      year: draft.year,
      synopsis: draft.synopsis,
      credits: draft.credits,
      studios: draft.studios,
      platforms: draft.platforms,
      tags: draft.tags,
      externalIds: draft.externalIds,
    },
    review: {
      headline: draft.headline,
      summary: draft.summary,
      score: score?.score ?? null,
      scoreText: score?.scoreText ?? null,
      rating: score ? ratingFromScore(score.score) : null,
      body: spoilers.body,
      hasSpoilers: spoilers.hasSpoilers || draft.spoilers === true,
      publishedAt: draft.publishedAt,
      status: draft.draft ? 'draft' : 'published',
    },
    warnings: draft.warnings,
  };
}

// ---------------------------------------------------------------------------------------------
// Input

/** CRLF and CR line ends, and no-break spaces, replaced in one pass. */
const LINE_END_OR_NBSP = /\r\n?|[\u00A0\u2007\u202F]/gu;
const NEEDS_REWRITE = ['\r', '\u00A0', '\u2007', '\u202F'];
const CONTROL_CHARACTERS = /[\u0001-\u0008\u000E-\u001F\u007F\uFFFD]/gu;
/** Binary files show themselves in their first bytes; a short sample keeps the count cheap. */
const BINARY_SAMPLE = 1024;
const BINARY_RATIO = 0.3;

// `includes` is a fast scan for one character, far cheaper than a regex over a character class,
// and almost every file has no NUL and nothing to rewrite.
function looksBinary(text: string): boolean {
  if (text.includes('\u0000')) return true;
  const sample = text.slice(0, BINARY_SAMPLE);
  return (sample.match(CONTROL_CHARACTERS)?.length ?? 0) > sample.length * BINARY_RATIO;
}

/** One text shape for everything after: no BOM, `\n` line ends, ordinary spaces. */
function normalizeInput(text: string, filename: string | undefined): string {
  const withoutBom = text.startsWith('\uFEFF') ? text.slice(1) : text;
  if (withoutBom.trim() === '') throw new PlainTextParseError('the file is empty', { filename });
  if (looksBinary(withoutBom)) throw new PlainTextParseError('this looks like a binary file, not a text review', { filename });
  if (!NEEDS_REWRITE.some((ch) => withoutBom.includes(ch))) return withoutBom;
  return withoutBom.replace(LINE_END_OR_NBSP, (found) => (found.startsWith('\r') ? '\n' : ' '));
}

// ---------------------------------------------------------------------------------------------
// Info lines

const SENTENCE_END = /[.!?…]["'”’)\]*_]*$/u;
/** "Spoilers: minor" in an info block, `spoilers: true` in front matter. */
const SPOILER_FLAGS: ReadonlyMap<string, boolean> = new Map([
  ...['yes', 'true', 'y', 'some', 'minor', 'mild', 'light', 'major', 'heavy'].map((word) => [word, true] as const),
  ...['no', 'false', 'n', 'none'].map((word) => [word, false] as const),
]);
/** Unknown labels that introduce prose rather than data ("Note: …", "Spoiler alert: …"). */
const NEVER_DATA = /spoil|warning|note|edit|update|disclaimer|^p\.?s$/u;
const MAX_UNKNOWN_VALUE = 80;

/** A value that reads like a sentence: a few words and a full stop. */
function isSentence(value: string): boolean {
  return value.length > 300 || (SENTENCE_END.test(value) && value.split(/\s+/u).length > 4);
}

/**
 * Whether `value` makes sense for the field. "Music: 10/10" in a category breakdown, or
 * "Music: the soundtrack carries every episode." are review text, not a credit.
 */
function accepts(spec: FieldSpec, value: string): boolean {
  if (value === '') return true;
  switch (spec.field) {
    case 'credit':
    case 'studios':
    case 'platforms':
    case 'tags':
      return !isSentence(value) && findScores(value).length === 0;
    case 'title':
    case 'altTitle':
      return value.length <= 200 && findScores(value).length === 0;
    case 'year':
      return extractYear(value) !== null;
    case 'kind':
    case 'date':
      return value.length <= 60 && !isSentence(value);
    case 'score':
      return parseScore(value) !== null || (value.length <= 40 && !isSentence(value));
    case 'externalId':
      return value.length <= 200 && !/\s/u.test(value);
    case 'spoilers':
      return SPOILER_FLAGS.has(value.toLowerCase());
    case 'verdict':
    case 'summary':
    case 'headline':
    case 'synopsis':
      return true;
  }
}

/** Text fields may go on over several lines; so may any label left empty on its own line. */
function takesContinuation(entry: Entry): boolean {
  const { field } = entry.spec;
  return entry.value === '' || field === 'summary' || field === 'synopsis' || field === 'headline' || field === 'verdict';
}

function knownEntry(line: LabelLine, where: string): Entry | null {
  const match = lookupLabel(line.key);
  return match && accepts(match.spec, line.value) ? { ...match, label: line.label, key: line.key, value: line.value, where } : null;
}

function looksLikeUnknownData(line: LabelLine): boolean {
  return (
    line.value !== '' &&
    line.value.length <= MAX_UNKNOWN_VALUE &&
    !isSentence(line.value) &&
    line.key.split(' ').length <= 3 &&
    !NEVER_DATA.test(line.key) &&
    !lookupLabel(line.key)
  );
}

type Reading =
  | { kind: 'data'; entries: Entry[]; unknown: string[] }
  | { kind: 'unknown'; unknown: string[] }
  | { kind: 'body' };

/** Reads a block as info lines when every line is one (or continues one); otherwise it is review text. */
function readBlock(block: Block): Reading {
  const entries: Entry[] = [];
  const unknown: string[] = [];
  let last: Entry | null = null;
  for (let i = 0; i < block.lines.length; i++) {
    const text = (block.lines[i] ?? '').trim();
    const where = `line ${block.line + i}`;
    const line = parseLabelLine(text);
    const entry = line && knownEntry(line, where);
    if (entry) {
      entries.push(entry);
      last = entry;
    } else if (line && looksLikeUnknownData(line)) {
      unknown.push(`${where}: ignored "${line.label}: ${line.value}" (not a label Kansou knows)`);
      last = null;
    } else if (last && typeof last.value === 'string' && takesContinuation(last)) {
      last.value = last.value ? `${last.value} ${text}` : text;
    } else {
      return { kind: 'body' };
    }
  }
  if (entries.length > 0) return { kind: 'data', entries, unknown };
  return unknown.length > 0 ? { kind: 'unknown', unknown } : { kind: 'body' };
}

/**
 * Reads the blocks: info blocks are applied to the draft and leave the text; the rest is the body.
 * Blocks of unknown labels ("Episodes: 12") count as info only next to a real info block, so a
 * lone "Pros: pacing" in the middle of a review stays in it.
 */
function readBlocks(blocks: Block[], draft: Draft): BodyParagraph[] {
  const readings = blocks.map(readBlock);
  const joinNeighbour = (i: number, neighbour: number) => {
    const reading = readings[i];
    if (reading?.kind === 'unknown' && readings[neighbour]?.kind === 'data') {
      readings[i] = { kind: 'data', entries: [], unknown: reading.unknown };
    }
  };
  // One sweep each way, so a run of unknown blocks joins an info block on either side of it.
  for (let i = 1; i < readings.length; i++) joinNeighbour(i, i - 1);
  for (let i = readings.length - 2; i >= 0; i--) joinNeighbour(i, i + 1);

  const paragraphs: BodyParagraph[] = [];
  readings.forEach((reading, index) => {
    const block = blocks[index];
    if (!block) return;
    if (reading.kind === 'data') {
      for (const entry of reading.entries) applyEntry(draft, entry);
      draft.warnings.push(...reading.unknown);
    } else {
      paragraphs.push({ text: block.lines.join('\n').trimEnd(), line: block.line, index });
    }
  });
  return trimRules(paragraphs);
}

/** `---` lines left at either end once the info block is gone were separators, not content. */
function trimRules(paragraphs: BodyParagraph[]): BodyParagraph[] {
  let start = 0;
  let end = paragraphs.length;
  while (start < end && isRule(paragraphs[start]?.text ?? '')) start++;
  while (end > start && isRule(paragraphs[end - 1]?.text ?? '')) end--;
  return paragraphs.slice(start, end);
}

// ---------------------------------------------------------------------------------------------
// Applying values

function setText(draft: Draft, key: TextKey, value: string, entry: Entry): void {
  const current = draft[key];
  if (value === '') draft.warnings.push(`${entry.where}: "${entry.label}" has no value`);
  else if (current === null) draft[key] = value;
  else if (fold(current) !== fold(value)) draft.warnings.push(`${entry.where}: ignored ${entry.label} "${value}", already have "${current}"`);
}

function addNames(list: string[], names: string[]): void {
  for (const name of names) if (!list.some((existing) => nameKey(existing) === nameKey(name))) list.push(name);
}

function listValues(entry: Entry, kind: ListKind): string[] {
  return Array.isArray(entry.value) ? entry.value.map(cleanValue).filter((v) => v !== '') : splitList(entry.value, kind);
}

function singleValue(entry: Entry): string {
  return cleanValue(Array.isArray(entry.value) ? entry.value.join(', ') : entry.value);
}

function applyCredits(draft: Draft, role: CreditRole, entry: Entry): void {
  let names = listValues(entry, 'people');
  // "Based on: the manga by Hajime Isayama" names a person; "Based on: Ghost in the Shell" names a work.
  if (role === 'original_creator' && entry.key === 'based on') {
    const creator = creatorFromSource(singleValue(entry));
    if (!creator) draft.warnings.push(`${entry.where}: "${entry.label}: ${singleValue(entry)}" names no creator; ignored`);
    names = creator ? splitList(creator, 'people') : [];
  }
  for (const name of names) {
    if (!draft.credits.some((c) => c.role === role && nameKey(c.name) === nameKey(name))) draft.credits.push({ role, name });
  }
}

function applyScore(draft: Draft, entry: Entry): void {
  const value = singleValue(entry);
  const parsed = parseScore(value);
  if (parsed && 'score' in parsed) {
    if (!draft.score) draft.score = parsed;
    else if (ratingFromScore(parsed.score) !== ratingFromScore(draft.score.score)) {
      draft.warnings.push(`${entry.where}: ignored a second score "${parsed.scoreText}", kept "${draft.score.scoreText}"`);
    }
  } else if (parsed) {
    draft.scoreExplained = true;
    draft.warnings.push(`${entry.where}: the letter grade "${parsed.letter}" has no number; imported without a score`);
  } else if (entry.spec.field === 'verdict') {
    // A verdict in words ("Watch it") is the short take a summary is for.
    setText(draft, 'summary', value, entry);
  } else {
    draft.scoreExplained = true;
    draft.warnings.push(`${entry.where}: "${entry.label}: ${value}" is not a score that can be read (a number needs its scale, like 7/10); ignored`);
  }
}

function applyEntry(draft: Draft, entry: Entry): void {
  const { spec } = entry;
  if (entry.medium) draft.mediums.add(entry.medium);
  switch (spec.field) {
    case 'title':
    case 'headline':
    case 'summary':
    case 'synopsis':
      return setText(draft, spec.field, singleValue(entry), entry);
    case 'kind':
      return setText(draft, 'kindText', singleValue(entry), entry);
    case 'altTitle':
      for (const title of listValues(entry, 'titles')) {
        if (!draft.altTitles.some((alt) => fold(alt.title) === fold(title))) draft.altTitles.push({ title, type: spec.type });
      }
      return;
    case 'credit':
      return applyCredits(draft, spec.role, entry);
    case 'studios':
    case 'platforms':
      return addNames(draft[spec.field], listValues(entry, 'companies'));
    case 'tags':
      return addNames(draft.tags, listValues(entry, 'tags'));
    case 'score':
    case 'verdict':
      return applyScore(draft, entry);
    case 'year':
      return applyParsed(draft, entry, extractYear, (year) => {
        if (draft.year === null) draft.year = year;
        else if (draft.year !== year) draft.warnings.push(`${entry.where}: ignored year ${year}, already have ${draft.year}`);
      });
    case 'date':
      return applyParsed(draft, entry, parseDate, (date) => setText(draft, 'publishedAt', date, entry));
    case 'externalId':
      return applyParsed(draft, entry, (value) => extractExternalId(spec.key, value), (id) => {
        draft.externalIds[spec.key] ??= id;
      });
    case 'spoilers':
      return applyParsed(draft, entry, (value) => SPOILER_FLAGS.get(value.toLowerCase()) ?? null, (flag) => {
        draft.spoilers = flag;
      });
  }
}

/** Runs `read` on the value; when it cannot read it, the value is dropped with a warning. */
function applyParsed<T>(draft: Draft, entry: Entry, read: (value: string) => T | null, apply: (value: T) => void): void {
  const value = singleValue(entry);
  const parsed = value === '' ? null : read(value);
  if (parsed !== null) apply(parsed);
  else draft.warnings.push(`${entry.where}: could not read ${entry.label} "${value}"; ignored`);
}

// ---------------------------------------------------------------------------------------------
// Title

interface TitleLine {
  text: string;
  line: number;
}

const ATX_HEADING = /^ {0,3}#{1,6}(?:\s+|$)/u;
const ATX_CLOSING = /\s+#+\s*$/u;
const SETEXT_UNDERLINE = /^ {0,3}=+\s*$/u;
const REVIEW_PREFIX =
  /^(?:\[(?:anime |film |movie |tv )?review\]\s*|(?:(?:my|an?)\s+)?(?:(?:anime|film|movie|series|tv|show)\s+)?review\s*(?:[:\-–—|]|of\b)\s*)/iu;
const REVIEW_SUFFIX =
  /(?:\s*[:\-–—|]\s*|\s+)(?:(?:an?\s+)?(?:anime|film|movie|series|tv|show)\s+)?review\s*$|\s*[([](?:anime |film |movie )?review[)\]]\s*$/iu;
const YEAR_SUFFIX = /\s*[([]((?:18|19|20)\d{2})[)\]]\s*$/u;
const MAX_TITLE_LENGTH = 200;
const MAX_TITLE_LINE = 400;
const MAX_TITLE_WORDS = 25;
/** More words than this and a full stop: the "title" is the first sentence of the review. */
const MAX_TITLE_WORDS_WITH_STOP = 8;

/**
 * Takes the title line off the first block: its first line, unless that line is an info line
 * ("Title: …", "Director: …"), or front matter already gave the title and the line is no heading.
 */
function takeTitleLine(blocks: Block[], hasTitle: boolean): TitleLine | null {
  const first = blocks[0];
  const text = first?.lines[0];
  if (!first || text === undefined) return null;
  const setext = first.lines.length > 1 && SETEXT_UNDERLINE.test(first.lines[1] ?? '');
  const heading = setext || ATX_HEADING.test(text);
  if (!heading) {
    const label = parseLabelLine(text);
    if (hasTitle || (label && knownEntry(label, ''))) return null;
  }
  const taken = setext ? 2 : 1;
  const line = first.line;
  first.lines.splice(0, taken);
  first.line += taken;
  if (first.lines.length === 0) blocks.shift();
  return { text, line };
}

function stripHeading(text: string): string {
  return text.replace(ATX_HEADING, '').replace(ATX_CLOSING, '').trim();
}

/** "Review: “Hero ≠ Mask” (2018)" → title "Hero ≠ Mask", year 2018. Never returns an empty title for a non-empty line. */
function cleanTitle(text: string): { title: string; year: number | null } {
  let title = unwrap(stripHeading(text));
  let year: number | null = null;
  for (let previous = ''; previous !== title; ) {
    previous = title;
    const withoutReview = title.replace(REVIEW_PREFIX, '').replace(REVIEW_SUFFIX, '');
    const yearMatch = YEAR_SUFFIX.exec(withoutReview);
    if (yearMatch) year ??= Number(yearMatch[1]);
    const stripped = unwrap(withoutReview.replace(YEAR_SUFFIX, ''));
    if (stripped !== '') title = stripped;
  }
  return { title: cleanName(title), year };
}

function looksLikeTitle(title: string): boolean {
  const words = title.split(' ').length;
  return (
    title.length <= MAX_TITLE_LENGTH &&
    /[\p{L}\p{N}]/u.test(title) &&
    words <= MAX_TITLE_WORDS &&
    !(title.endsWith('.') && words > MAX_TITLE_WORDS_WITH_STOP)
  );
}

/** Position for a line put back into the body: not next to any block, so never joined to one. */
const RESTORED_LINE = -2;

/** When no title is given, the alternative titles stand in, most readable first. */
const ALT_TITLE_PREFERENCE = ['english', 'romaji', 'original', 'other'] as const;

/**
 * Decides the work's title. An explicit title (front matter, "Title:") wins; a first line that says
 * something else is then the review's headline ("Why Hero ≠ Mask lost me"), or goes back into the body.
 */
function resolveTitle(draft: Draft, titleLine: TitleLine | null, paragraphs: BodyParagraph[], filename: string | undefined): string {
  // A line this long is no title; leaving it raw also keeps the affix regexes off long text.
  const fromLine = titleLine && titleLine.text.length <= MAX_TITLE_LINE ? cleanTitle(titleLine.text) : titleLine && { title: titleLine.text, year: null };
  if (fromLine && draft.year === null && fromLine.year !== null) draft.year = fromLine.year;
  else if (fromLine?.year != null && fromLine.year !== draft.year) {
    draft.warnings.push(`line ${titleLine?.line}: the title says ${fromLine.year} but the year given is ${draft.year}; kept ${draft.year}`);
  }

  if (draft.title !== null) {
    if (titleLine && fromLine && fold(fromLine.title) !== fold(draft.title)) {
      if (draft.headline === null) {
        draft.headline = cleanName(stripHeading(titleLine.text));
        draft.warnings.push(`line ${titleLine.line}: the first line is not the title "${draft.title}"; used it as the headline`);
      } else {
        paragraphs.unshift({ text: titleLine.text, line: titleLine.line, index: RESTORED_LINE });
      }
    }
    return draft.title;
  }
  if (fromLine && looksLikeTitle(fromLine.title)) return fromLine.title;

  for (const type of ALT_TITLE_PREFERENCE) {
    const alt = draft.altTitles.find((a) => a.type === type);
    if (alt) {
      draft.warnings.push(`no title line; used the ${type} title "${alt.title}"`);
      if (titleLine) paragraphs.unshift({ text: titleLine.text, line: titleLine.line, index: RESTORED_LINE });
      return alt.title;
    }
  }
  const shown = fromLine && fromLine.title.length > 40 ? `${fromLine.title.slice(0, 40)}…` : fromLine?.title;
  const reason = fromLine ? `no recognisable title: the first line ("${shown}") does not read like one` : 'no recognisable title';
  throw new PlainTextParseError(reason, { filename, line: titleLine?.line });
}

// ---------------------------------------------------------------------------------------------
// Body

interface BodyParagraph {
  text: string;
  line: number;
  /** Position among the file's blocks: only blocks that were next to each other can be one paragraph. */
  index: number;
}

/**
 * Joins paragraphs split mid-sentence. Pieces are collected and joined once at the end, and each test
 * looks only at the piece just before: re-reading a paragraph that grows with every join would be quadratic.
 */
function joinSplitParagraphs(paragraphs: BodyParagraph[], warnings: string[]): string[] {
  const groups: string[][] = [];
  let previous: BodyParagraph | null = null;
  for (const paragraph of paragraphs) {
    const group = groups.at(-1);
    if (group && previous && paragraph.index === previous.index + 1 && continuesInto(previous.text, paragraph.text)) {
      const tail = previous.text.slice(-40).replace(/^\S*\s+/u, '');
      warnings.push(`line ${paragraph.line}: joined a paragraph that stops mid-sentence ("…${tail}") with the next one`);
      group.push(paragraph.text);
    } else {
      groups.push([paragraph.text]);
    }
    previous = paragraph;
  }
  return groups.map((group) => group.join(' '));
}

// ---------------------------------------------------------------------------------------------
// Score

// ASCII word patterns with \b and /i go without /u: V8 runs /\b…/iu some twenty times slower.
const RATING_WORDS = /\b(?:give|gave|giving|rate|rated|rating|score|scored|verdict|overall)\b/i;
const RATING_WORD_WINDOW = 60;

/**
 * The score a closing paragraph gives ("I'd give it a 7 out of 10"). When it names several that
 * differ ("season one was 6/10, this one is 8/10") the one next to a rating verb wins; if that does
 * not settle it, there is no score rather than a wrong one.
 */
function scoreInProse(paragraph: string): FoundScore | 'ambiguous' | null {
  const found = findScores(paragraph);
  const distinct = (scores: FoundScore[]) => new Set(scores.map((f) => ratingFromScore(f.score))).size;
  if (found.length === 0) return null;
  if (distinct(found) === 1) return found[0] ?? null;
  const rated = found.filter((f) => RATING_WORDS.test(paragraph.slice(Math.max(0, f.index - RATING_WORD_WINDOW), f.index)));
  return rated.length > 0 && distinct(rated) === 1 ? (rated[0] ?? null) : 'ambiguous';
}

function resolveScore(draft: Draft, lastParagraph: string | undefined): { score: Score; scoreText: string } | null {
  const prose = lastParagraph === undefined ? null : scoreInProse(lastParagraph);
  if (draft.score) {
    if (prose && prose !== 'ambiguous' && ratingFromScore(prose.score) !== ratingFromScore(draft.score.score)) {
      draft.warnings.push(`the score line says "${draft.score.scoreText}" but the last paragraph says "${prose.scoreText}"; kept the score line`);
    }
    return draft.score;
  }
  if (prose === 'ambiguous') {
    draft.warnings.push('the last paragraph gives several different scores; imported without a score');
  } else if (prose) {
    draft.warnings.push(`no score line; took the score "${prose.scoreText}" from the last paragraph`);
    return prose;
  } else if (!draft.scoreExplained) {
    draft.warnings.push('no score found');
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// Kind

// Without /u, as RATING_WORDS: these run over the whole body.
const ANIME_WORD = /\banime\b/i;
const FILM_WORDS = /\b(?:this|the) (?:film|movie)\b/gi;
const SERIES_WORDS = /\b(?:this|the) (?:series|show)\b|\bepisodes?\b|\bseasons?\b/gi;

function count(text: string, pattern: RegExp): number {
  return text.match(pattern)?.length ?? 0;
}

/**
 * The kind, from the strongest evidence available: a "Type:" value, then what the labels say
 * ("Anime Year of Release", "Movie:"), then, for anime, whether the text talks about a film or a
 * series. With nothing to go on the kind stays unknown.
 */
function resolveKind(draft: Draft, text: string): WorkKind | null {
  const anime = draft.mediums.has('anime');
  if (draft.kindText !== null) {
    const kinds = kindFromType(draft.kindText);
    if (!kinds) {
      draft.warnings.push(`type "${draft.kindText}" is not a kind Kansou knows; imported without a kind`);
      return null;
    }
    if (anime || kinds.ifAnime === kinds.otherwise) return anime ? kinds.ifAnime : kinds.otherwise;
    if (!ANIME_WORD.test(text)) return kinds.otherwise;
    draft.warnings.push(`type "${draft.kindText}": the review calls it anime, so imported as ${kinds.ifAnime}`);
    return kinds.ifAnime;
  }
  const film = draft.mediums.has('film');
  if (!anime) {
    if (film || draft.mediums.has('series')) return film ? 'film' : 'series';
    draft.warnings.push('nothing says what kind of work this is (anime, series, film…); imported without a kind');
    return null;
  }
  if (film || draft.mediums.has('series')) return film ? 'anime_film' : 'anime_series';
  const kind = count(text, FILM_WORDS) > count(text, SERIES_WORDS) ? 'anime_film' : 'anime_series';
  draft.warnings.push(`the labels say anime but not which kind; the text reads like ${kind === 'anime_film' ? 'a film' : 'a series'}, so imported as ${kind}`);
  return kind;
}
