/**
 * The review form's values, as typed: read from a submitted form, filled from a pasted
 * plain-text review or from a saved review, and turned into what the authoring service takes.
 * Values stay strings until the service has accepted them, so a form that comes back with an
 * error shows exactly what the author typed.
 */
import { parsePlainText } from '../import/plaintext/plaintext.parser.js';
import { WORK_KINDS, type ParsedWork, type Score, type WorkKind } from '../import/import.types.js';
import { AppError, invalidInput } from '../shared/errors.js';

export const SCALES = [5, 10, 100] as const;

export interface ReviewFormValues {
  /** Slug of the work reviewed, when one was picked. */
  work: string;
  /** A work to add: its title and what is known of it. */
  title: string;
  kind: string;
  year: string;
  director: string;
  writer: string;
  music: string;
  studios: string;
  platforms: string;
  score: string;
  scale: string;
  headline: string;
  summary: string;
  body: string;
  tags: string;
}

export type FormField = keyof ReviewFormValues;
export type FieldErrors = Partial<Record<FormField | 'form', string>>;

const FIELDS: FormField[] = ['work', 'title', 'kind', 'year', 'director', 'writer', 'music', 'studios', 'platforms', 'score', 'scale', 'headline', 'summary', 'body', 'tags'];

export function emptyForm(scale: number): ReviewFormValues {
  const values = Object.fromEntries(FIELDS.map((f) => [f, ''])) as unknown as ReviewFormValues;
  values.scale = String(scale);
  return values;
}

/** The form's fields from a submitted body; anything else in it is ignored. */
export function readForm(body: unknown, defaultScale: number): ReviewFormValues {
  const values = emptyForm(defaultScale);
  const input = (body ?? {}) as Record<string, unknown>;
  for (const field of FIELDS) {
    const value = input[field];
    if (typeof value === 'string') values[field] = value;
  }
  return values;
}

const list = (text: string) =>
  text
    .split(/[,\n]/)
    .map((s) => s.trim())
    .filter(Boolean);

/** The score the form holds: null when the score box is empty. The message names the field. */
export function formScore(values: ReviewFormValues): Score | null {
  const text = values.score.trim().replace(',', '.');
  if (!text) return null;
  const max = Number(values.scale);
  if (!(SCALES as readonly number[]).includes(max)) throw invalidInput('scale: choose 5, 10 or 100');
  if (!/^\d{1,3}(\.\d{1,2})?$/.test(text)) throw invalidInput(`score: "${values.score.slice(0, 20)}" is not a number`);
  const value = Number(text);
  if (value > max) throw invalidInput(`score: must be at most ${max} on this scale`);
  if (max === 5 && !Number.isInteger(value * 2)) throw invalidInput('score: on the 5-point scale, whole or half points (3.5, 4)');
  if (max === 10 && !Number.isInteger(value * 10)) throw invalidInput('score: on the 10-point scale, at most one decimal (7.5)');
  if (max === 100 && !Number.isInteger(value)) throw invalidInput('score: on the 100-point scale, whole points');
  return { value, max };
}

export function formTags(values: ReviewFormValues): string[] {
  return list(values.tags);
}

/** The work the form describes, for adding it to the catalogue. */
export function formWork(values: ReviewFormValues): ParsedWork {
  const title = values.title.trim();
  if (!title) throw invalidInput('title: the title of the work is required (or pick a work that is already here)');
  let kind: WorkKind | null = null;
  if (values.kind) {
    if (!(WORK_KINDS as readonly string[]).includes(values.kind)) throw invalidInput('kind: choose one of the kinds offered');
    kind = values.kind as WorkKind;
  }
  let year: number | null = null;
  if (values.year.trim()) {
    year = Number(values.year.trim());
    if (!Number.isInteger(year) || year < 1870 || year > 2100) throw invalidInput('year: a year between 1870 and 2100');
  }
  const credits = [
    ...list(values.director).map((name) => ({ role: 'director' as const, name })),
    ...list(values.writer).map((name) => ({ role: 'writer' as const, name })),
    ...list(values.music).map((name) => ({ role: 'music' as const, name })),
  ];
  return { title, altTitles: [], kind, year, synopsis: null, credits, studios: list(values.studios), platforms: list(values.platforms), tags: [], externalIds: {} };
}

export interface PasteResult {
  values: ReviewFormValues;
  /** What the parser guessed, ignored or could not use: shown above the form to check. */
  warnings: string[];
}

/**
 * A whole plain-text review (like the ones the importer reads) turned into the form's values,
 * for the author to check before saving. Nothing is saved here.
 */
export function formFromPaste(text: string, defaultScale: number): PasteResult {
  if (!text.trim()) throw invalidInput('paste: paste the text of a review first');
  let item;
  try {
    item = parsePlainText(text);
  } catch (error) {
    if (error instanceof AppError) throw invalidInput(`paste: ${error.message}`);
    throw error;
  }
  const { work, review } = item;
  const warnings = [...item.warnings];
  const values = emptyForm(defaultScale);
  values.title = work.title;
  values.kind = work.kind ?? '';
  values.year = work.year === null ? '' : String(work.year);
  const names = (role: string) => work.credits.filter((c) => c.role === role).map((c) => c.name).join(', ');
  values.director = names('director');
  values.writer = names('writer');
  values.music = names('music');
  values.studios = work.studios.join(', ');
  values.platforms = work.platforms.join(', ');
  values.tags = work.tags.join(', ');
  values.headline = review.headline ?? '';
  values.summary = review.summary ?? '';
  values.body = review.body;
  if (review.score) {
    if ((SCALES as readonly number[]).includes(review.score.max)) {
      values.score = String(review.score.value);
      values.scale = String(review.score.max);
    } else {
      warnings.push(`The score "${review.scoreText ?? `${review.score.value}/${review.score.max}`}" is on a scale of ${review.score.max}, which the form does not offer: give it on 5, 10 or 100.`);
    }
  }
  return { values, warnings };
}

/** The form's values of a saved review. */
export function formFromReview(review: { workSlug: string; scoreValue: number | null; scoreMax: number | null; headline: string | null; summary: string | null; body: string }, tags: string[], defaultScale: number): ReviewFormValues {
  const values = emptyForm(review.scoreMax ?? defaultScale);
  values.work = review.workSlug;
  values.score = review.scoreValue === null ? '' : String(review.scoreValue);
  values.headline = review.headline ?? '';
  values.summary = review.summary ?? '';
  values.body = review.body;
  values.tags = tags.join(', ');
  return values;
}

const sentence = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/**
 * An error as the form shows it: a message that starts with a field's name ("score: …") goes
 * next to that field; anything else at the top of the form.
 */
export function fieldErrors(error: AppError, aliases: Record<string, FormField> = {}): FieldErrors {
  const m = /^([a-zA-Z_.]+): (.*)$/s.exec(error.message);
  if (m) {
    const name = m[1]!.split('.')[0]!;
    const field = (aliases[name] ?? name) as FormField;
    if ((FIELDS as string[]).includes(field)) return { [field]: sentence(m[2]!) };
  }
  return { form: error.message };
}
