/**
 * A pino logger that keeps its JSON lines in memory, for tests that assert on what the server logs. Like the
 * server's own logger it stamps each line with the current request id. `startLoggedServer` starts a test
 * server logging into one.
 */
import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';
import { loadConfig } from '../../src/config.js';
import { currentRequestId } from '../../src/platform/logger.js';
import { createServer, type SyncTalkServer } from '../../src/server.js';
import { testConfigEnv, type TestServer, type TestServerOptions } from './server.js';

export interface CapturedLogs {
  logger: Logger;
  /** Every line written so far, parsed. */
  // Log lines are arbitrary JSON.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  lines(): any[];
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
    lines: () =>
      text()
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
  const { env, cleanup } = testConfigEnv(options);
  let server: SyncTalkServer;
  try {
    server = await createServer(loadConfig(env), { logger: logs.logger });
  } catch (error) {
    cleanup();
    throw error;
  }
  const { port } = await server.listen(0, '127.0.0.1');
  return {
    server,
    port,
    url: `http://127.0.0.1:${port}`,
    logs,
    async close() {
      await server.close();
      cleanup();
    },
  };
}
