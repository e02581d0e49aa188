/**
 * Structured logs (pino): JSON lines for machines, or human-readable lines (pino-pretty) for a person at a
 * terminal. Inside a request or socket event, every line carries that request's id: the id lives in an
 * AsyncLocalStorage and pino's mixin adds it, so code deep in a repository logs with the right id without
 * being handed a logger.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { pino, type DestinationStream, type Logger, type LoggerOptions } from 'pino';
import pinoPretty from 'pino-pretty';

const context = new AsyncLocalStorage<{ requestId: string }>();

export type { Logger };

/**
 * Fields whose values never reach a log line, whatever object carries them (pino replaces the value with
 * "[redacted]"): credentials in request headers, and password, secret, token and key fields at the top level
 * or one level down (`{ user: { password } }`), plus an HTTP client error's request headers and body.
 */
export const REDACTED_PATHS: string[] = (() => {
  const fields = [
    'password',
    'newPassword',
    'currentPassword',
    'passwordHash',
    'password_hash',
    'secret',
    'siteSecret',
    'secretEnc',
    'secret_enc',
    'clientSecret',
    'client_secret',
    'jwtSecret',
    'secretsKey',
    'token',
    'accessToken',
    'access_token',
    'refreshToken',
    'refresh_token',
    'idToken',
    'id_token',
    'authorization',
    'Authorization',
    'cookie',
    'apiKey',
    'restApiKey',
  ];
  const headers = ['authorization', 'Authorization', 'cookie', 'Cookie', 'set-cookie', 'Set-Cookie'];
  return [
    ...fields,
    ...fields.map((f) => `*.${f}`),
    ...headers.flatMap((h) =>
      ['req.headers', 'res.headers', 'headers', '*.headers'].map((at) => `${at}["${h}"]`),
    ),
    'err.config.headers.Authorization',
    'err.config.headers.authorization',
    'err.config.data',
    'err.config.params',
  ];
})();

/** How log lines are written: one JSON object per line, or human-readable lines. */
export type LogFormat = 'json' | 'pretty';

/**
 * The format for the `LOG_FORMAT` setting: `json` and `pretty` are taken as they are; `auto` is pretty when
 * standard output is a terminal (a person is reading) and JSON otherwise (a pipe, a file, a log collector).
 *
 * @example resolveLogFormat('auto', process.stdout.isTTY) // 'pretty' in a terminal, 'json' under docker
 */
export function resolveLogFormat(setting: 'auto' | LogFormat, stdoutIsTTY: boolean | undefined): LogFormat {
  if (setting !== 'auto') return setting;
  return stdoutIsTTY === true ? 'pretty' : 'json';
}

/**
 * The server's logger: lines at `level` on standard output (or `destination`), with secrets redacted
 * (`REDACTED_PATHS`) and the current request id on every line. `format` `json` (the default) writes one JSON
 * object per line; `pretty` writes `[time] LEVEL: message` lines with the other fields indented below,
 * coloured when they go to a terminal. Redaction happens before formatting, so it holds for both.
 */
export function createLogger(
  level: string,
  destination?: DestinationStream,
  format: LogFormat = 'json',
): Logger {
  const options: LoggerOptions = {
    level,
    base: { service: 'synctalk' },
    timestamp: pino.stdTimeFunctions.isoTime,
    mixin() {
      const store = context.getStore();
      return store ? { requestId: store.requestId } : {};
    },
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
  };
  if (format === 'pretty') {
    const pretty = pinoPretty({
      destination: destination ?? 1,
      colorize: destination === undefined && process.stdout.isTTY === true,
      translateTime: 'SYS:HH:MM:ss.l',
      ignore: 'pid,hostname,service',
      sync: true,
    });
    return pino(options, pretty);
  }
  return destination ? pino(options, destination) : pino(options);
}

/** Runs `fn` with `requestId` attached to every log line written while it runs. */
export function withRequestId<T>(requestId: string, fn: () => T): T {
  return context.run({ requestId }, fn);
}

/** The request id of the request or socket event being handled, if any. */
export function currentRequestId(): string | undefined {
  return context.getStore()?.requestId;
}
