/**
 * The one table of error codes shared by the server (HTTP bodies and socket acks) and every client.
 *
 * Every error SyncTalk returns has the shape `{ error: { code, message, details? } }`. `status` is the HTTP
 * status the server answers with; `retryable` tells a client whether sending the same request again later
 * can succeed without changing it.
 *
 * @example
 * ```ts
 * import { errorCodes } from '@synctalk/sdk';
 * if (errorCodes[body.error.code]?.retryable) scheduleRetry();
 * ```
 */
export const errorCodes = {
  validation_failed: {
    status: 400,
    retryable: false,
    description: 'The request body, query or params are invalid.',
  },
  invalid_json: { status: 400, retryable: false, description: 'The body is not valid JSON.' },
  unsupported_media_type: {
    status: 415,
    retryable: false,
    description: 'The body must be application/json.',
  },
  payload_too_large: { status: 413, retryable: false, description: 'The body exceeds the size limit.' },
  unauthorized: { status: 401, retryable: false, description: 'Missing, invalid or expired credentials.' },
  token_expired: { status: 401, retryable: false, description: 'The access token expired; refresh it.' },
  forbidden: { status: 403, retryable: false, description: 'Authenticated, but not allowed to do this.' },
  origin_not_allowed: {
    status: 403,
    retryable: false,
    description: 'The Origin is not allowed for this site.',
  },
  not_found: { status: 404, retryable: false, description: 'No such resource (or not visible to you).' },
  method_not_allowed: {
    status: 405,
    retryable: false,
    description: 'The route exists but not for this method.',
  },
  conflict: { status: 409, retryable: false, description: 'The resource already exists or changed.' },
  rate_limited: { status: 429, retryable: true, description: 'Too many requests; wait for Retry-After.' },
  internal: { status: 500, retryable: true, description: 'An unexpected server error; it was logged.' },
  bad_gateway: {
    status: 502,
    retryable: true,
    description: 'An upstream provider failed or answered badly.',
  },
  unavailable: {
    status: 503,
    retryable: true,
    description: 'A dependency (database, Redis) is unavailable.',
  },
} as const satisfies Record<string, { status: number; retryable: boolean; description: string }>;

/** A stable, machine-readable error code. */
export type ErrorCode = keyof typeof errorCodes;

/** The body of every error response and every failed socket ack. */
export interface ErrorBody {
  error: {
    code: ErrorCode;
    message: string;
    details?: unknown;
  };
}

/**
 * Whether `code` is one of SyncTalk's error codes.
 *
 * @example
 * ```ts
 * isErrorCode('rate_limited'); // true
 * ```
 */
export function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && Object.prototype.hasOwnProperty.call(errorCodes, code);
}
