/**
 * Which errors mean "the database cannot answer now" (down, restarting, out of connections, the pool
 * saturated) rather than "this request is wrong" or "a bug": those reach clients as `unavailable` (503,
 * retryable), so that an SDK sends again instead of treating the outage as an internal error.
 */

/** PostgreSQL SQLSTATEs of an unusable connection or server (class 08, shutdown, starting up, full). */
const UNAVAILABLE_SQLSTATE = /^(08...|57P01|57P02|57P03|53300)$/;
/** Socket errors of a connection that could not be made or was cut. */
const UNAVAILABLE_ERRNO = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH']);
/** node-postgres's messages for a connection that ended under it (they carry no code). */
const CONNECTION_ENDED =
  /^(Connection terminated|Client has encountered a connection error|Client was closed and is not queryable)/;

export function isDatabaseUnavailable(error: unknown): boolean {
  const e = error as { code?: unknown; name?: unknown; message?: unknown } | null;
  if (typeof e !== 'object' || e === null) return false;
  // Knex: no pooled connection became free within acquireConnectionTimeout.
  if (e.name === 'KnexTimeoutError') return true;
  if (typeof e.code === 'string' && (UNAVAILABLE_SQLSTATE.test(e.code) || UNAVAILABLE_ERRNO.has(e.code))) {
    return true;
  }
  return typeof e.message === 'string' && CONNECTION_ENDED.test(e.message);
}
