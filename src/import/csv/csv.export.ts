/**
 * Writes items as Kansou's CSV (docs/csv.md), the format csv.parse.ts reads back: one row per
 * work, RFC 4180 quoting, CRLF line ends and a UTF-8 byte-order mark (without it, Excel reads
 * the file as the system's legacy code page and garbles every non-ASCII title).
 *
 * A CSV file is opened in spreadsheets, where a cell starting with `=`, `+`, `-`, `@`, a tab
 * or a carriage return is run as a formula: such cells are written with a leading `'`
 * (csv.columns.ts), which the importer takes off again.
 *
 * Draft reviews are not written: the format has no column for a review's status, and a draft
 * must not come back published.
 */
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { stringify } from 'csv-stringify';
import type { SourceItem } from '../import.types.js';
import { CREDIT_COLUMNS, CSV_COLUMNS, ID_COLUMNS, formatAltTitle, joinValues, neutraliseFormula, type CsvColumn } from './csv.columns.js';

type CsvRecord = { [C in CsvColumn]: string };

const cell = (value: string | number | null | undefined): string => (value === null || value === undefined ? '' : neutraliseFormula(String(value)));

function recordOf(item: SourceItem): CsvRecord {
  const { work, review, entry } = item;
  const record = {} as CsvRecord;
  const set = (column: CsvColumn, value: string | number | null | undefined) => (record[column] = cell(value));

  set('title', work.title);
  set('year', work.year);
  set('kind', work.kind);
  set('episodes', work.episodes);
  set('score', review?.score?.value);
  set('scale', review?.score?.max);
  set('headline', review?.headline);
  set('summary', review?.summary);
  set('review', review?.body);
  set('date', review?.publishedAt);
  set('status', entry?.status);
  set('progress', entry?.progress);
  set('started', entry?.startedOn);
  set('finished', entry?.finishedOn);
  set('times_watched', entry?.timesWatched);
  set('list_tags', entry ? joinValues(entry.tags) : null);
  set('tags', joinValues(work.tags));
  set('alt_titles', joinValues(work.altTitles.map(formatAltTitle)));
  for (const [column, role] of Object.entries(CREDIT_COLUMNS) as [CsvColumn, string][]) {
    set(column, joinValues(work.credits.filter((c) => c.role === role).map((c) => c.name)));
  }
  set('studio', joinValues(work.studios));
  set('platform', joinValues(work.platforms));
  for (const [column, key] of Object.entries(ID_COLUMNS) as [CsvColumn, string][]) set(column, work.externalIds[key]);
  set('source_url', item.sourceUrl);
  return record;
}

/**
 * Writes `items` to `out` as CSV, header row first, waiting whenever `out` is full. `out` is
 * left open for the caller to end. Items whose review is a draft are left out; `written`
 * counts the rows written, header not included.
 */
export async function writeCsvExport(items: AsyncIterable<SourceItem>, out: Writable): Promise<{ written: number }> {
  let written = 0;
  async function* records() {
    for await (const item of items) {
      if (item.review?.status === 'draft') continue;
      written++;
      yield recordOf(item);
    }
  }
  const stringifier = stringify({
    header: true,
    columns: [...CSV_COLUMNS],
    bom: true,
    record_delimiter: 'windows',
    // RFC 4180 quotes any cell with a line break; a lone CR must be quoted too.
    quoted_match: /[\r\n]/,
  });
  await pipeline(Readable.from(records()), stringifier, out, { end: false });
  return { written };
}
