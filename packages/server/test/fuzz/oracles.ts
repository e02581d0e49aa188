/**
 * What the fuzz suites require of every answer: never a 5xx, every error in the one shape with a code of the
 * SDK's table, nothing logged at level error, no unhandled rejection or uncaught exception in the process,
 * and a server that still answers its health checks.
 */
import fc from 'fast-check';
import { errorStatus, isErrorCode } from '@synctalk/sdk';
import { expect } from 'vitest';
import { testEnv } from '../helpers/env.js';
import { request, type TestResponse } from '../helpers/http.js';
import type { CapturedLogs } from '../helpers/log-capture.js';

/** pino's level number for `error`. */
const ERROR_LEVEL = 50;

/** Fails unless `body` is `{ error: { code, message } }` with a known code whose status is below 500. */
export function expectClientError(body: unknown, where: string): void {
  const error = (body as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
  if (!error || !isErrorCode(error.code) || typeof error.message !== 'string') {
    throw new Error(`${where}: not an error body with a known code: ${preview(body)}`);
  }
  if (errorStatus[error.code].status >= 500) {
    throw new Error(`${where}: a server error: ${preview(body)}`);
  }
}

/**
 * Fails on a 5xx, and on a 4xx whose body is not the error shape with the code its status implies. Pages
 * for browsers (the Kakao popup callback tells its opener in HTML) are exempt from the shape, not the status.
 */
export function expectNoServerError(res: TestResponse, where: string): void {
  if (res.status >= 500) throw new Error(`${where}: answered ${res.status}: ${preview(res.body)}`);
  const html = /^text\/html\b/.test(res.headers.get('content-type') ?? '');
  // Node's HTTP parser refuses a request line and headers over its 16 KB limit before the app sees them.
  const refusedByParser = res.status === 431 && res.body === undefined;
  if (res.status >= 400 && !html && !refusedByParser) {
    expectClientError(res.body, `${where} (${res.status})`);
    const { code } = (res.body as { error: { code: keyof typeof errorStatus } }).error;
    if (errorStatus[code].status !== res.status) {
      throw new Error(`${where}: status ${res.status} with code ${code} (${errorStatus[code].status})`);
    }
  }
}

export function preview(value: unknown, max = 300): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > max ? `${text.slice(0, max)}… (${text.length} chars)` : text;
}

/**
 * Watches the server's log and the process for failures between marks: `check()` throws on any log line at
 * level error or above, and on any unhandled rejection or uncaught exception, since the last `check()`.
 */
export function failureWatch(logs: CapturedLogs): { check(where: string): void; stop(): void } {
  let mark = logs.mark();
  const uncaught: unknown[] = [];
  const onFailure = (error: unknown) => uncaught.push(error);
  process.on('unhandledRejection', onFailure);
  process.on('uncaughtException', onFailure);
  return {
    check(where) {
      const errors = logs.lines(mark).filter((line: { level: number }) => line.level >= ERROR_LEVEL);
      mark = logs.mark();
      const thrown = uncaught.splice(0);
      if (errors.length > 0) throw new Error(`${where}: the server logged errors: ${preview(errors, 2_000)}`);
      if (thrown.length > 0)
        throw new Error(`${where}: uncaught in the process: ${preview(String(thrown[0]))}`);
    },
    stop() {
      process.off('unhandledRejection', onFailure);
      process.off('uncaughtException', onFailure);
    },
  };
}

/** The server still answers: `GET /healthz` and `GET /readyz` are 200. */
export async function expectHealthy(baseUrl: string): Promise<void> {
  const live = await request(baseUrl, 'GET', '/healthz');
  const ready = await request(baseUrl, 'GET', '/readyz');
  expect([live.status, live.body]).toEqual([200, { status: 'ok' }]);
  expect([ready.status, ready.body]).toEqual([200, { status: 'ready' }]);
}

/** The run's seed: FUZZ_SEED, else a new one. */
export const runSeed = testEnv.fuzzSeed ?? Date.now() % 2 ** 31;

/**
 * `fc.assert(property)` for part `part` of the run (each part its own seed, derived from the run's); a
 * failure says which FUZZ_SEED replays it, besides fast-check's own report (seed, path, counterexample).
 */
export async function assertFuzz<T>(
  property: fc.IAsyncPropertyWithHooks<T>,
  part: number,
  numRuns: number,
): Promise<void> {
  try {
    await fc.assert(property, { seed: runSeed + part, numRuns });
  } catch (error) {
    throw new Error(`Replay with FUZZ_SEED=${runSeed}. ${(error as Error).message}`, { cause: error });
  }
}
