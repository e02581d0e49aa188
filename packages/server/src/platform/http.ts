/**
 * The Koa application's cross-cutting middleware: security headers, the client's address per TRUST_PROXY,
 * request ids and access logs, the one error shape, JSON-only bodies with a size limit, and 404 / 405 as JSON.
 */
import { randomUUID } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import { bodyParser } from '@koa/bodyparser';
import Koa from 'koa';
import type { TrustProxy } from '../config.js';
import type { ErrorCode } from '@synctalk/sdk';
import { forwardedHeadersTrusted, requestClientAddress } from './client-address.js';
import { isDatabaseUnavailable } from './database-errors.js';
import { AppError, internalErrorBody } from './errors.js';
import { withRequestId, type Logger } from './logger.js';
import { securityHeaders } from './security-headers.js';

export interface HttpOptions {
  logger: Logger;
  bodyLimit: string;
  trustProxy: TrustProxy;
  /** Called with each finished request, e.g. for metrics. */
  onResponse?: (ctx: Koa.Context, durationMs: number) => void;
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;

const statusCodes: Record<number, ErrorCode> = {
  400: 'validation_failed',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  409: 'conflict',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  429: 'rate_limited',
  501: 'method_not_allowed',
  502: 'bad_gateway',
  503: 'unavailable',
};

/** Maps anything thrown in a request to an `AppError`, or undefined for an unexpected (5xx) error. */
export function toAppError(error: unknown): AppError | undefined {
  if (error instanceof AppError) return error;
  if (isDatabaseUnavailable(error)) {
    return new AppError('unavailable', 'The database is unavailable; try again shortly', undefined, {
      'retry-after': '1',
    });
  }
  const e = error as {
    status?: unknown;
    statusCode?: unknown;
    expose?: unknown;
    message?: unknown;
    type?: unknown;
  };
  const status =
    typeof e?.status === 'number' ? e.status : typeof e?.statusCode === 'number' ? e.statusCode : 500;
  if (status >= 500 && status !== 501 && status !== 503) return undefined;
  if (e.type === 'entity.parse.failed')
    return new AppError('invalid_json', 'The request body is not valid JSON');
  if (e.type === 'entity.too.large')
    return new AppError('payload_too_large', 'The request body is too large');
  if (e.type === 'encoding.unsupported' || e.type === 'charset.unsupported') {
    return new AppError('unsupported_media_type', 'Unsupported body encoding');
  }
  const code = statusCodes[status] ?? (status < 500 ? 'validation_failed' : 'internal');
  const message = e.expose && typeof e.message === 'string' ? e.message : defaultMessage(code);
  return new AppError(code, message);
}

function defaultMessage(code: ErrorCode): string {
  switch (code) {
    case 'not_found':
      return 'Not found';
    case 'unauthorized':
      return 'Authentication required';
    case 'method_not_allowed':
      return 'Method not allowed';
    default:
      return code.replace(/_/g, ' ');
  }
}

function firstValue(header: string): string {
  return header.split(',')[0]!.trim();
}

/**
 * Lets Koa's `protocol` and `host` (hence `ctx.secure`, `ctx.origin`, `ctx.href`) read the first
 * `X-Forwarded-Proto` / `X-Forwarded-Host` for this request only, as Koa does for every request with
 * `proxy: true`.
 */
function believeForwardedHeaders(request: Koa.Request): void {
  const base = Object.getPrototypeOf(request) as Koa.Request;
  Object.defineProperties(request, {
    protocol: {
      configurable: true,
      get(this: Koa.Request) {
        if ((this.socket as Partial<TLSSocket>).encrypted) return 'https';
        return firstValue(this.get('X-Forwarded-Proto')).toLowerCase() || 'http';
      },
    },
    host: {
      configurable: true,
      get(this: Koa.Request) {
        const forwarded = firstValue(this.get('X-Forwarded-Host'));
        if (!forwarded) return Reflect.get(base, 'host', this) as string;
        if (!forwarded.includes('@')) return forwarded;
        try {
          return new URL(`http://${forwarded}`).host;
        } catch {
          return '';
        }
      },
    },
  });
}

/**
 * Koa's settings for TRUST_PROXY. A hop count is Koa's own `proxy` with `maxIpsCount`; a list of proxies
 * leaves `proxy` off and `clientView` believes the forwarded headers per request, from listed peers only.
 */
export function koaProxyOptions(trustProxy: TrustProxy): { proxy: boolean; maxIpsCount?: number } {
  if (trustProxy !== false && 'hops' in trustProxy && trustProxy.hops > 0) {
    return { proxy: true, maxIpsCount: trustProxy.hops };
  }
  return { proxy: false };
}

/** Sets `ctx.ip` to the client's address (`client-address.ts`), and the scheme and host a trusted proxy names. */
function clientView(trustProxy: TrustProxy): Koa.Middleware {
  const perPeer = trustProxy !== false && 'cidrs' in trustProxy;
  return async (ctx, next) => {
    ctx.request.ip = requestClientAddress(ctx.req, trustProxy);
    if (perPeer && forwardedHeadersTrusted(trustProxy, ctx.req.socket.remoteAddress)) {
      believeForwardedHeaders(ctx.request);
    }
    await next();
  };
}

/**
 * The Koa application with the middleware above. `ctx.ip` is the client's address per TRUST_PROXY (what
 * per-address limits count), `ctx.secure` / `ctx.origin` believe forwarded headers only from trusted proxies.
 */
export function createHttpApp(options: HttpOptions): Koa {
  const app = new Koa(koaProxyOptions(options.trustProxy));
  const { logger } = options;

  // Koa's own error event would double-log; everything is handled below.
  app.silent = true;

  // First, so every answer gets them: errors, 404s and 405s included.
  app.use(securityHeaders());
  app.use(clientView(options.trustProxy));

  app.use(async (ctx, next) => {
    const incoming = ctx.get('x-request-id');
    const requestId = REQUEST_ID.test(incoming) ? incoming : randomUUID();
    ctx.state.requestId = requestId;
    ctx.set('X-Request-Id', requestId);
    const started = performance.now();
    await withRequestId(requestId, async () => {
      try {
        await next();
        if (ctx.status === 404 && ctx.body == null) {
          throw new AppError('not_found', `No route for ${ctx.method} ${ctx.path}`);
        }
        // A router that answered with a bare status (e.g. 405 from allowedMethods) still gets the JSON shape.
        if (ctx.status >= 400 && ctx.body == null) {
          throw toAppError({ status: ctx.status }) ?? new Error(`bare ${ctx.status} response`);
        }
      } catch (error) {
        const appError = toAppError(error);
        if (appError && !(error instanceof AppError) && appError.code === 'unavailable') {
          logger.warn({ err: error, method: ctx.method, path: ctx.path }, 'dependency unavailable');
        }
        if (appError) {
          ctx.status = appError.status;
          ctx.body = appError.toBody();
          if (appError.headers) ctx.set(appError.headers);
          const h = (error as { headers?: Record<string, string> }).headers;
          if (h && !(error instanceof AppError)) {
            for (const [k, v] of Object.entries(h))
              if (/^(www-authenticate|allow|retry-after)$/i.test(k)) ctx.set(k, v);
          }
        } else {
          logger.error({ err: error, method: ctx.method, path: ctx.path }, 'unhandled error');
          ctx.status = 500;
          ctx.body = internalErrorBody();
        }
      } finally {
        const durationMs = performance.now() - started;
        options.onResponse?.(ctx, durationMs);
        logger.info(
          {
            method: ctx.method,
            path: ctx.path,
            status: ctx.status,
            durationMs: Math.round(durationMs * 10) / 10,
          },
          'request',
        );
      }
    });
  });

  // Bodies are JSON or nothing.
  app.use(async (ctx, next) => {
    const hasBody = ctx.request.length > 0 || ctx.get('transfer-encoding') !== '';
    if (hasBody && !ctx.is('application/json')) {
      throw new AppError('unsupported_media_type', 'Request bodies must be application/json');
    }
    await next();
  });
  app.use(
    bodyParser({
      enableTypes: ['json'],
      jsonLimit: options.bodyLimit,
      jsonStrict: true,
      encoding: 'utf-8',
      onError: (error: Error & { type?: string }) => {
        if (error.type === 'entity.too.large')
          throw new AppError('payload_too_large', 'The request body is too large');
        throw new AppError('invalid_json', 'The request body is not valid JSON');
      },
    }),
  );

  return app;
}
