/**
 * The server's one error type. Anything thrown with it reaches clients as
 * `{ error: { code, message, details? } }` with its HTTP status; anything else is a 500 whose details are
 * logged, never sent.
 */
import { errorCodes, type ErrorBody, type ErrorCode } from '@synctalk/sdk';

export class AppError extends Error {
  readonly status: number;
  /** Koa's convention: exposed errors may show their message to the client. */
  readonly expose: boolean;

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
    /** Extra response headers, e.g. Retry-After. */
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.name = 'AppError';
    this.status = errorCodes[code].status;
    this.expose = this.status < 500;
  }

  toBody(): ErrorBody {
    return {
      error: {
        code: this.code,
        message: this.message,
        ...(this.details === undefined ? {} : { details: this.details }),
      },
    };
  }
}

/** The body sent for an unexpected error: no internals. */
export function internalErrorBody(): ErrorBody {
  return { error: { code: 'internal', message: 'Internal server error' } };
}
