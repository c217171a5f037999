/**
 * Opaque pagination cursors: base64url of a small JSON array. Opaque so that clients
 * follow `next` instead of building their own, and so the encoding can change.
 */
import { AppError } from '../shared/errors.js';

export function encodeCursor(values: (string | number)[]): string {
  return Buffer.from(JSON.stringify(values)).toString('base64url');
}

export function decodeCursor<T extends (string | number)[]>(cursor: string, shape: ('string' | 'number')[]): T {
  let values: unknown;
  try {
    values = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    values = undefined;
  }
  if (!Array.isArray(values) || values.length !== shape.length || values.some((v, i) => typeof v !== shape[i])) {
    throw new AppError('invalid_cursor', 'The cursor is not valid: use the "next" value of a previous page.');
  }
  return values as T;
}
