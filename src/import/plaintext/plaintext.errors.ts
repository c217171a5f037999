import { AppError } from '../../shared/errors.js';

/**
 * The input is not a review this importer can read: empty, binary, no title, or front matter that
 * does not parse. The message names the file (when known) and the line, so a bulk import can
 * report it and move on to the next file.
 */
export class PlainTextParseError extends AppError {
  readonly filename: string | undefined;
  readonly line: number | undefined;

  constructor(reason: string, where: { filename?: string | undefined; line?: number | undefined } = {}, options?: { cause?: unknown }) {
    const place = [where.filename, where.line === undefined ? undefined : `line ${where.line}`].filter(Boolean).join(', ');
    super('invalid_input', place ? `${place}: ${reason}` : reason, options);
    this.name = 'PlainTextParseError';
    this.filename = where.filename;
    this.line = where.line;
  }
}
