/**
 * Kansou's CSV format, shared by the exporter and the importer so that what one writes the
 * other reads back exactly. The format is documented for users in docs/csv.md: change both
 * together.
 */
import type { AltTitleType, CreditRole } from '../import.types.js';

/** Every column, in the order the exporter writes them. Files may order them freely. */
export const CSV_COLUMNS = [
  'title',
  'year',
  'kind',
  'episodes',
  'score',
  'scale',
  'headline',
  'summary',
  'review',
  'date',
  'status',
  'progress',
  'started',
  'finished',
  'times_watched',
  'list_tags',
  'tags',
  'alt_titles',
  'director',
  'writer',
  'music',
  'studio',
  'platform',
  'mal_id',
  'anilist_id',
  'imdb_id',
  'tmdb_id',
  'source_url',
] as const;
export type CsvColumn = (typeof CSV_COLUMNS)[number];

/** The credit roles the format has a column for; the others are not exported. */
export const CREDIT_COLUMNS = { director: 'director', writer: 'writer', music: 'music' } as const satisfies Partial<Record<CsvColumn, CreditRole>>;

/** Columns holding an external id, and the key of `ParsedWork.externalIds` each fills. */
export const ID_COLUMNS = { mal_id: 'mal', anilist_id: 'anilist', imdb_id: 'imdb', tmdb_id: 'tmdb' } as const satisfies Partial<Record<CsvColumn, string>>;

export const ALT_TITLE_TYPES: readonly AltTitleType[] = ['original', 'romaji', 'english', 'other'];

/**
 * A spreadsheet runs a cell that starts with one of these as a formula (`=HYPERLINK(…)`), so
 * the exporter puts a `'` in front: the cell is then shown, not run. A cell that already
 * starts with quotes before one of them gets one more, so that the importer, which takes one
 * quote off, gives back exactly what was exported.
 */
const FORMULA_START = /^'*[=+\-@\t\r]/;
const NEUTRALISED = /^'+[=+\-@\t\r]/;

export function neutraliseFormula(cell: string): string {
  return FORMULA_START.test(cell) ? `'${cell}` : cell;
}

export function restoreFormula(cell: string): string {
  return NEUTRALISED.test(cell) ? cell.slice(1) : cell;
}

/**
 * Several values in one cell are separated by `; `. A `;` inside a value is written twice
 * (`;;`), so any value survives the trip; on import a single `;` separates whether or not a
 * space follows, and values are trimmed.
 */
export function joinValues(values: readonly string[]): string {
  return values.map((v) => v.replaceAll(';', ';;')).join('; ');
}

export function splitValues(cell: string): string[] {
  if (!cell.includes(';')) {
    const one = cell.trim();
    return one ? [one] : [];
  }
  const values: string[] = [];
  let current = '';
  for (let i = 0; i < cell.length; i++) {
    const ch = cell[i]!;
    if (ch !== ';') {
      current += ch;
    } else if (cell[i + 1] === ';') {
      current += ';';
      i++;
    } else {
      values.push(current);
      current = '';
    }
  }
  values.push(current);
  return values.map((v) => v.trim()).filter((v) => v !== '');
}

/** `english: Your Name`: an alternative title with its type. Untyped titles are `other`. */
export function formatAltTitle(title: { title: string; type: AltTitleType }): string {
  return `${title.type}: ${title.title}`;
}

export function parseAltTitle(text: string): { title: string; type: AltTitleType } {
  const match = /^(original|romaji|english|other)\s*:\s*([\s\S]*)$/i.exec(text);
  if (match && match[2]!.trim()) return { type: match[1]!.toLowerCase() as AltTitleType, title: match[2]!.trim() };
  return { type: 'other', title: text };
}
