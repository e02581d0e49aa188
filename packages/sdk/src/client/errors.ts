/**
 * The client's errors: `SyncTalkError` (from the protocol, re-exported here for the client's modules) built
 * from the HTTP status when a proxy answered without a SyncTalk error body, or from a network failure.
 */
import { errorStatus, type ErrorCode } from '../protocol/errors.js';
import { SyncTalkError } from '../protocol/sync-talk-error.js';

export {
  errorFromBody,
  isErrorBody,
  SyncTalkError,
  type SyncTalkErrorOptions,
} from '../protocol/sync-talk-error.js';

/** The code SyncTalk uses for an HTTP status (the first in `errorCodes` with it), for bodies a proxy wrote. */
function codeForStatus(status: number): ErrorCode {
  if (status === 504) return 'unavailable';
  for (const [code, info] of Object.entries(errorStatus)) {
    if (info.status === status) return code as ErrorCode;
  }
  return status >= 500 ? 'internal' : 'validation_failed';
}

/**
 * The `SyncTalkError` for an error response without a SyncTalk body (e.g. a load balancer's 502 page).
 *
 * @example
 * ```ts
 * errorFromStatus(503, 'Service Unavailable').code; // 'unavailable'
 * ```
 */
export function errorFromStatus(status: number, statusText = '', retryAfter?: number): SyncTalkError {
  const text = statusText ? ` ${statusText}` : '';
  return new SyncTalkError(codeForStatus(status), `HTTP ${status}${text}`, { status, retryAfter });
}

/**
 * The `SyncTalkError` for a request that got no answer: `unavailable`, `status: 0`, retryable.
 *
 * @example
 * ```ts
 * networkError('https://chat.example.com', new TypeError('fetch failed')).retryable; // true
 * ```
 */
export function networkError(url: string, cause: unknown, what = 'Could not reach'): SyncTalkError {
  const reason = cause instanceof Error ? `: ${cause.message}` : '';
  return new SyncTalkError('unavailable', `${what} ${url}${reason}`, { status: 0, cause });
}
