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
  | 'unauthorized'
  | 'forbidden'
  | 'csrf'
  | 'payload_too_large'
  | 'too_many_requests'
  | 'internal';

const STATUS: Record<ErrorCode, number> = {
  not_found: 404,
  invalid_input: 400,
  invalid_cursor: 400,
  conflict: 409,
  unsupported_format: 415,
  unauthorized: 401,
  forbidden: 403,
  csrf: 403,
  payload_too_large: 413,
  too_many_requests: 429,
  internal: 500,
};

export class AppError extends Error {
  readonly status: number;
  /** For `too_many_requests`: seconds until trying again can succeed (the `Retry-After` header). */
  readonly retryAfter?: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown; retryAfter?: number },
  ) {
    super(message, options);
    this.name = 'AppError';
    this.status = STATUS[code];
    if (options?.retryAfter !== undefined) this.retryAfter = options.retryAfter;
  }
}

export const notFound = (what: string) => new AppError('not_found', `${what} was not found.`);
export const invalidInput = (message: string) => new AppError('invalid_input', message);
export const unauthorized = (message = 'Sign in first.') => new AppError('unauthorized', message);
export const forbidden = (message = 'You may not do that.') => new AppError('forbidden', message);
