/**
 * A pino logger that keeps its JSON lines in memory, for tests that assert on what the server logs. Like the
 * server's own logger it stamps each line with the current request id. `startLoggedServer` starts a test
 * server logging into one.
 */
import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';
import { currentRequestId } from '../../src/platform/logger.js';
import { startTestServer, type TestServer, type TestServerOptions } from './server.js';

export interface CapturedLogs {
  logger: Logger;
  /** Every line written so far, parsed; with `since` (a `mark()`), only the lines written after it. */
  // Log lines are arbitrary JSON.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  lines(since?: number): any[];
  /** A mark for `lines(since)`: how many lines were written so far. */
  mark(): number;
  /** Every line written so far, as written. */
  text(): string;
}

export function captureLogger(level = 'debug'): CapturedLogs {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString('utf8'));
      done();
    },
  });
  const logger = pino(
    {
      level,
      base: { service: 'synctalk' },
      mixin() {
        const requestId = currentRequestId();
        return requestId ? { requestId } : {};
      },
    },
    stream,
  );
  const text = () => chunks.join('');
  return {
    logger,
    text,
    // pino writes each line as one chunk.
    mark: () => chunks.length,
    lines: (since = 0) =>
      chunks
        .slice(since)
        .join('')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line)),
  };
}

/** `startTestServer`, with the server logging into a `captureLogger()`. */
export async function startLoggedServer(
  options: TestServerOptions = {},
): Promise<TestServer & { logs: CapturedLogs }> {
  const logs = captureLogger();
  return { ...(await startTestServer({ ...options, logger: logs.logger })), logs };
}
