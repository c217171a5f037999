/**
 * Reading CSV files as a stream of rows, for the CSV importers (Kansou's own CSV, Letterboxd's
 * export): bytes are decoded as they arrive (UTF-8 with or without a byte-order mark, UTF-16
 * with one), so a large file is never held whole, and every row carries the line it starts on,
 * for reports a user can act on ("line 12").
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parse } from 'csv-parse';
import { AppError } from '../../shared/errors.js';

/**
 * The longest record read, in characters. Far above any review (a 1 MB review is fine), low
 * enough that a quote left open does not swallow a whole export into one field.
 */
const MAX_RECORD_CHARS = 32 * 1024 * 1024;

export interface CsvRow {
  /** The cells, exactly as written (unquoted, nothing trimmed). */
  cells: string[];
  /** The line the row starts on, 1-based, counting the line breaks inside quoted cells. */
  line: number;
}

const fileError = (name: string, problem: string) => new AppError('invalid_input', `${name}: ${problem}.`);

/**
 * The text of a byte stream, chunk by chunk. The encoding is read from the first bytes: a
 * UTF-16 byte-order mark means UTF-16, anything else must be UTF-8 (a UTF-8 mark is dropped).
 * NUL bytes mean a binary file, not text, and are refused, as is invalid UTF-8. An empty
 * file is no text at all, for the caller to report.
 */
export async function* decodeChunks(source: AsyncIterable<Uint8Array | string>, name: string): AsyncGenerator<string> {
  let decoder: TextDecoder | undefined;
  let utf16 = false;
  let head: Uint8Array = new Uint8Array(0);
  let empty = true;

  const decode = (bytes: Uint8Array, stream: boolean): string => {
    if (!utf16 && bytes.includes(0)) throw fileError(name, 'not a CSV file: it holds NUL bytes, as binary files do');
    let text: string;
    try {
      text = decoder!.decode(bytes, { stream });
    } catch {
      throw fileError(name, utf16 ? 'not valid UTF-16 text' : 'not valid UTF-8 text (save it as UTF-8 and try again)');
    }
    if (utf16 && text.includes('\0')) throw fileError(name, 'not a CSV file: it holds NUL characters, as binary files do');
    return text;
  };
  const choose = (bytes: Uint8Array) => {
    if (bytes[0] === 0xff && bytes[1] === 0xfe) [decoder, utf16] = [new TextDecoder('utf-16le', { fatal: true }), true];
    else if (bytes[0] === 0xfe && bytes[1] === 0xff) [decoder, utf16] = [new TextDecoder('utf-16be', { fatal: true }), true];
    // ignoreBOM: false (the default) drops a leading byte-order mark.
    else decoder = new TextDecoder('utf-8', { fatal: true });
  };

  for await (const chunk of source) {
    if (typeof chunk === 'string') {
      // Already text (a stream with an encoding set): only the mark and NULs to see to.
      if (chunk.includes('\0')) throw fileError(name, 'not a CSV file: it holds NUL characters, as binary files do');
      const text = empty ? chunk.replace(/^\uFEFF/, '') : chunk;
      empty = false;
      if (text) yield text;
      continue;
    }
    if (chunk.length === 0) continue;
    empty = false;
    let bytes = chunk;
    if (!decoder) {
      // The byte-order mark may be split across chunks: wait for three bytes before choosing.
      head = concat(head, chunk);
      if (head.length < 3) continue;
      choose(head);
      bytes = head;
    }
    const text = decode(bytes, true);
    if (text) yield text;
  }
  if (empty) return;
  if (!decoder) {
    choose(head);
    const text = decode(head, true);
    if (text) yield text;
  }
  const rest = decode(new Uint8Array(0), false);
  if (rest) yield rest;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

function lineBreaks(cells: string[]): number {
  let count = 0;
  for (const cell of cells) {
    if (!cell.includes('\n') && !cell.includes('\r')) continue;
    count += cell.match(/\r\n|\r|\n/g)?.length ?? 0;
  }
  return count;
}

/**
 * The rows of a CSV text, as RFC 4180 reads them (quoted cells may hold commas, quotes and line
 * breaks), with CRLF, LF or CR line ends. Blank lines are left out. A file that is not CSV (a
 * quote never closed, a record longer than any review) is an `AppError` naming the file.
 */
export async function* readCsvRows(text: AsyncIterable<string>, name: string): AsyncGenerator<CsvRow> {
  const parser = parse({
    record_delimiter: ['\r\n', '\n', '\r'],
    relax_column_count: true,
    // A stray quote inside an unquoted cell is kept as a character rather than failing the file.
    relax_quotes: true,
    max_record_size: MAX_RECORD_CHARS,
  });
  const feeding = pipeline(Readable.from(text), parser);
  // Errors reach the loop below through the parser; this only keeps an early stop quiet.
  feeding.catch(() => undefined);
  // csv-parse counts a CRLF inside a quoted cell as two lines, so lines are counted here.
  let line = 1;
  try {
    for await (const cells of parser as AsyncIterable<string[]>) {
      const start = line;
      line += 1 + lineBreaks(cells);
      if (cells.length === 1 && cells[0] === '') continue;
      yield { cells, line: start };
    }
  } catch (error) {
    if (error instanceof AppError) throw error;
    const message = error instanceof Error ? error.message : String(error);
    const code = (error as { code?: unknown }).code;
    // A failing source (a file that vanished, a disk error) is not a CSV problem: say so.
    if (typeof code === 'string' && !code.startsWith('CSV_')) throw new AppError('invalid_input', `${name}: cannot be read (${message}).`, { cause: error });
    throw new AppError('invalid_input', `${name}: not a readable CSV file near line ${line} (${message}).`, { cause: error });
  }
}
