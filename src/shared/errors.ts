/**
 * The one error type. `code` is a stable snake_case identifier clients can switch on;
 * `status` is the HTTP status the API answers with; the message names the problem and
 * where it is, and is safe to show to the user.
 */
export type ErrorCode =
  | 'not_found'
  | 'invalid_input'
  | 'invalid_cursor'
  | 'conflict'
  | 'unsupported_format'
  | 'internal';

const STATUS: Record<ErrorCode, number> = {
  not_found: 404,
  invalid_input: 400,
  invalid_cursor: 400,
  conflict: 409,
  unsupported_format: 415,
  internal: 500,
};

export class AppError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'AppError';
    this.status = STATUS[code];
  }
}

export const notFound = (what: string) => new AppError('not_found', `${what} was not found.`);
export const invalidInput = (message: string) => new AppError('invalid_input', message);
