/**
 * `SyncTalkError`: what every failed call of a SyncTalk client throws, built from the server's error body
 * (`{ error: { code, message, details? } }`, over HTTP or as a socket acknowledgement). Part of the protocol
 * entry (`@synctalk/sdk/protocol`): it needs only the error table, no client code.
 */
import { errorStatus, isErrorCode, type ErrorBody, type ErrorCode } from './errors.js';

/**
 * The options of `new SyncTalkError(…)`.
 *
 * @example
 * ```ts
 * new SyncTalkError('unavailable', 'Offline', { status: 0, cause: error });
 * ```
 */
export interface SyncTalkErrorOptions {
  /** The HTTP status; `0` when no answer arrived (network failure, timeout, socket disconnected). */
  status?: number;
  details?: unknown;
  /** The underlying error (e.g. the `TypeError` of a failed `fetch`). */
  cause?: unknown;
  /** Seconds to wait before retrying (e.g. from a `Retry-After` header), when `details` does not say. */
  retryAfter?: number;
}

/**
 * An error answered by a SyncTalk server, or the failure to reach one. `code` is one of `errorCodes`;
 * `retryable` tells whether sending the same request again later can succeed.
 *
 * Network failures and timeouts are `unavailable` with `status: 0` (retryable).
 *
 * @example
 * ```ts
 * import { SyncTalkError } from '@synctalk/sdk';
 *
 * try {
 *   await client.rooms.joinByCode('K7QM-Z3XD');
 * } catch (error) {
 *   if (error instanceof SyncTalkError && error.code === 'not_found') showToast('No room has that code');
 *   else if (error instanceof SyncTalkError && error.retryable) scheduleRetry();
 *   else throw error;
 * }
 * ```
 */
export class SyncTalkError extends Error {
  /** The machine-readable code (see `errorCodes`). */
  readonly code: ErrorCode;
  /** The HTTP status; `0` when the server was not reached. */
  readonly status: number;
  /** Extra facts the server gave, e.g. `{ retryAfter }` for `rate_limited`, per-field issues for `validation_failed`. */
  readonly details: unknown;
  /** Whether the same request may succeed later unchanged (from `errorCodes`). */
  readonly retryable: boolean;
  /**
   * Seconds the server asked to wait before retrying (`rate_limited`, or `unavailable` from a node with too
   * many sends in progress: `details.retryAfter` or the `Retry-After` header), when it said.
   *
   * @example
   * ```ts
   * if (error.code === 'rate_limited') await sleep((error.retryAfter ?? 1) * 1000);
   * ```
   */
  readonly retryAfter: number | undefined;

  constructor(code: ErrorCode, message: string, options: SyncTalkErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SyncTalkError';
    this.code = code;
    this.status = options.status ?? errorStatus[code].status;
    this.details = options.details;
    this.retryable = errorStatus[code].retryable;
    const fromDetails = (options.details as { retryAfter?: unknown } | null | undefined)?.retryAfter;
    this.retryAfter = seconds(fromDetails) ?? seconds(options.retryAfter);
  }
}

function seconds(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;
}

/**
 * Whether `value` is an error body (`{ error: { code, message } }`) with a known code.
 *
 * @example
 * ```ts
 * const res = await socket.emitWithAck('room:leave', { roomId });
 * if (isErrorBody(res)) throw errorFromBody(res);
 * ```
 */
export function isErrorBody(value: unknown): value is ErrorBody {
  if (typeof value !== 'object' || value === null) return false;
  const error = (value as { error?: unknown }).error;
  return (
    typeof error === 'object' &&
    error !== null &&
    isErrorCode((error as { code?: unknown }).code) &&
    typeof (error as { message?: unknown }).message === 'string'
  );
}

/**
 * The `SyncTalkError` for an error body (`status`: the HTTP status it came with, if any).
 *
 * @example
 * ```ts
 * const ack = await socket.emitWithAck('message:send', payload);
 * if ('error' in ack) throw errorFromBody(ack);
 * ```
 */
export function errorFromBody(body: ErrorBody, status?: number, retryAfter?: number): SyncTalkError {
  return new SyncTalkError(body.error.code, body.error.message, {
    status,
    details: body.error.details,
    retryAfter,
  });
}
