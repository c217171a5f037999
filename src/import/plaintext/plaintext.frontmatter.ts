/**
 * YAML front matter (`---` … `---` at the top of a Markdown post, as Jekyll, Hugo and Eleventy
 * write it), turned into the same label/value entries as an info block.
 */
import { parse, YAMLParseError } from 'yaml';
import { PlainTextParseError } from './plaintext.errors.js';
import { lookupLabel, normalizeLabel, type LabelMatch } from './plaintext.labels.js';

export interface FrontMatter {
  entries: FrontMatterEntry[];
  /** `draft: true`, or `published: false`. */
  draft: boolean;
}

export interface FrontMatterEntry extends LabelMatch {
  /** The key as written, for messages. */
  label: string;
  /** The key as a label-table label. */
  key: string;
  value: string | string[];
}

export interface SplitText {
  frontMatter: Record<string, unknown> | null;
  body: string;
  /** 1-based line number of the first body line, for messages. */
  bodyLine: number;
}

const OPENING = /^---[ \t]*\n/u;
const CLOSING = /^(?:---|\.\.\.)[ \t]*$/mu;
/** yaml's own "at line 1, column 8" counts from the start of the front matter, not of the file. */
const YAML_POSITION = / at line \d+, column \d+:?$/u;

/** Separates front matter from the body. Expects `\n` line endings. */
export function splitFrontMatter(text: string, filename?: string): SplitText {
  const opening = OPENING.exec(text);
  if (!opening) return { frontMatter: null, body: text, bodyLine: 1 };

  const rest = text.slice(opening[0].length);
  const closing = CLOSING.exec(rest);
  if (!closing) throw new PlainTextParseError("front matter opened with '---' is never closed", { filename, line: 1 });

  const source = rest.slice(0, closing.index);
  const bodyLine = 2 + countLines(source) + 1;
  return { frontMatter: parseYaml(source, filename), body: rest.slice(closing.index + closing[0].length + 1), bodyLine };
}

function countLines(text: string): number {
  let lines = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) lines++;
  return lines;
}

function parseYaml(source: string, filename: string | undefined): Record<string, unknown> | null {
  let data: unknown;
  try {
    // 'error': throw on errors, but do not print yaml's warnings (unknown tags…) from a pure parser.
    data = parse(source, { logLevel: 'error' });
  } catch (error) {
    if (!(error instanceof YAMLParseError)) throw error;
    // +1: the opening '---' is line 1 of the file.
    const line = (error.linePos?.[0].line ?? 1) + 1;
    const reason = (error.message.split('\n')[0] ?? '').replace(YAML_POSITION, '');
    throw new PlainTextParseError(`malformed front matter: ${reason}`, { filename, line }, { cause: error });
  }
  if (data === null || data === undefined) return null;
  if (typeof data !== 'object' || Array.isArray(data)) {
    throw new PlainTextParseError('front matter must be "key: value" pairs', { filename, line: 2 });
  }
  return data as Record<string, unknown>;
}

/** Keys that only make sense in front matter: the score's scale and the draft switch. */
const SCALE_KEYS = new Set(['scale', 'out of', 'max', 'score max', 'rating max', 'best rating']);
const NUMERIC = /^\d+(?:\.\d+)?$/u;
const DRAFT_KEY = 'draft';
const PUBLISHED_KEY = 'published';

/** `altTitles`, `alt_titles` and `alt-titles` are all "alt titles". */
function keyToLabel(key: string): string {
  return normalizeLabel(key.replace(/([\p{Ll}\p{N}])(\p{Lu})/gu, '$1 $2').replace(/[_-]+/gu, ' '));
}

/** `rating: 8` or `rating: "8"`. */
function isNumber(value: unknown): boolean {
  return typeof value === 'number' || (typeof value === 'string' && NUMERIC.test(value.trim()));
}

function scalarText(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return null;
}

function toEntryValue(value: unknown): string | string[] | null {
  if (Array.isArray(value)) {
    const items = value.map(scalarText);
    return items.every((item): item is string => item !== null) ? items : null;
  }
  return scalarText(value);
}

/**
 * Reads the front matter object into entries for the label table. A numeric `rating`/`score`
 * with a `scale` becomes "8/10" so it goes through the same score checks as text; without a
 * scale it stays a bare number, which is ambiguous and gets no score.
 */
export function readFrontMatter(data: Record<string, unknown>, warnings: string[]): FrontMatter {
  const labels = Object.keys(data).map((key) => [key, keyToLabel(key)] as const);
  const scaleKey = labels.find(([, label]) => SCALE_KEYS.has(label))?.[0];
  const scale = scaleKey === undefined ? undefined : data[scaleKey];
  const entries: FrontMatterEntry[] = [];
  let draft = false;

  for (const [key, label] of labels) {
    const raw = data[key];
    if (key === scaleKey || raw === null || raw === undefined || raw === '') continue;
    if (label === DRAFT_KEY || (label === PUBLISHED_KEY && typeof raw === 'boolean')) {
      draft = label === DRAFT_KEY ? raw === true || raw === 'true' || raw === 'yes' : raw === false;
      continue;
    }
    const match = lookupLabel(label);
    const value = toEntryValue(raw);
    if (!match) {
      warnings.push(`front matter: ignored unknown key "${key}"`);
    } else if (value === null) {
      warnings.push(`front matter: ignored "${key}", which is not text, a number or a list of them`);
    } else if (match.spec.field === 'score' && isNumber(raw) && scale !== undefined) {
      entries.push({ ...match, label: key, key: label, value: `${raw}/${String(scale)}` });
    } else {
      entries.push({ ...match, label: key, key: label, value });
    }
  }
  return { entries, draft };
}
