/**
 * Structured JSON logs (pino). Inside a request or socket event, every line carries that request's id:
 * the id lives in an AsyncLocalStorage and pino's mixin adds it, so code deep in a repository logs with the
 * right id without being handed a logger.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { pino, type Logger } from 'pino';

const context = new AsyncLocalStorage<{ requestId: string }>();

export type { Logger };

export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { service: 'synctalk' },
    timestamp: pino.stdTimeFunctions.isoTime,
    mixin() {
      const store = context.getStore();
      return store ? { requestId: store.requestId } : {};
    },
    redact: {
      paths: ['req.headers.authorization', 'req.headers.cookie', '*.password', '*.token', '*.refreshToken'],
      censor: '[redacted]',
    },
  });
}

/** Runs `fn` with `requestId` attached to every log line written while it runs. */
export function withRequestId<T>(requestId: string, fn: () => T): T {
  return context.run({ requestId }, fn);
}

export function currentRequestId(): string | undefined {
  return context.getStore()?.requestId;
}
