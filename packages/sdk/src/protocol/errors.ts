/**
 * The one table of error codes shared by the server (HTTP bodies and socket acks) and every client.
 *
 * Every error SyncTalk returns has the shape `{ error: { code, message, details? } }`. `status` is the HTTP
 * status the server answers with; `retryable` tells a client whether sending the same request again later
 * can succeed without changing it.
 *
 * @example
 * ```ts
 * import { errorStatus } from '@synctalk/sdk';
 * if (errorStatus[body.error.code]?.retryable) scheduleRetry();
 * ```
 */
export const errorStatus = {
  validation_failed: { status: 400, retryable: false },
  invalid_json: { status: 400, retryable: false },
  unsupported_media_type: { status: 415, retryable: false },
  payload_too_large: { status: 413, retryable: false },
  unauthorized: { status: 401, retryable: false },
  token_expired: { status: 401, retryable: false },
  forbidden: { status: 403, retryable: false },
  origin_not_allowed: { status: 403, retryable: false },
  not_found: { status: 404, retryable: false },
  method_not_allowed: { status: 405, retryable: false },
  conflict: { status: 409, retryable: false },
  rate_limited: { status: 429, retryable: true },
  internal: { status: 500, retryable: true },
  bad_gateway: { status: 502, retryable: true },
  unavailable: { status: 503, retryable: true },
} as const satisfies Record<string, { status: number; retryable: boolean }>;

/** What each code means, for documentation and logs. */
const descriptions: Record<keyof typeof errorStatus, string> = {
  validation_failed: 'The request body, query or params are invalid.',
  invalid_json: 'The body is not valid JSON.',
  unsupported_media_type: 'The body must be application/json.',
  payload_too_large: 'The body exceeds the size limit.',
  unauthorized: 'Missing, invalid or expired credentials.',
  token_expired: 'The access token expired; refresh it.',
  forbidden: 'Authenticated, but not allowed to do this.',
  origin_not_allowed: 'The Origin is not allowed for this site.',
  not_found: 'No such resource (or not visible to you).',
  method_not_allowed: 'The route exists but not for this method.',
  conflict: 'The resource already exists or changed.',
  rate_limited: 'Too many requests; wait for Retry-After.',
  internal: 'An unexpected server error; it was logged.',
  bad_gateway: 'An upstream provider failed or answered badly.',
  unavailable:
    'A dependency (database, Redis) is unavailable, or the server is overloaded; retry after Retry-After.',
};

function describe<T extends Record<string, object>>(
  table: T,
  text: Record<keyof T, string>,
): { [K in keyof T]: T[K] & { description: string } } {
  const out: Record<string, object> = {};
  for (const code of Object.keys(table)) out[code] = { ...table[code], description: text[code as keyof T] };
  return out as { [K in keyof T]: T[K] & { description: string } };
}

/**
 * The same table with each code's description. Built from `errorStatus`, so clients that act only on
 * `status` and `retryable` do not carry the descriptions.
 *
 * @example
 * ```ts
 * import { errorCodes } from '@synctalk/sdk';
 * console.log(errorCodes.rate_limited.description);
 * ```
 */
export const errorCodes = /* @__PURE__ */ describe(errorStatus, descriptions);

/**
 * A stable, machine-readable error code.
 *
 * @example
 * ```ts
 * const code: ErrorCode = 'rate_limited';
 * if (errorStatus[code].retryable) scheduleRetry();
 * ```
 */
export type ErrorCode = keyof typeof errorStatus;

/**
 * The body of every error response and every failed socket ack.
 *
 * @example
 * ```ts
 * const res = await fetch(`${baseUrl}/v1/rooms/42`, { headers });
 * if (!res.ok) {
 *   const { error }: ErrorBody = await res.json();
 *   console.warn(error.code, error.message); // e.g. 'not_found'
 * }
 * ```
 */
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
  return typeof code === 'string' && Object.prototype.hasOwnProperty.call(errorStatus, code);
}
