/**
 * Unexpected errors answer `500 internal` and never show their details, which go to the log with the request
 * id instead. Exercised on a bare app from `createHttpApp`, since a running server has no route that fails
 * on purpose (and routes cannot be added after start).
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../src/platform/errors.js';
import { createHttpApp, toAppError } from '../src/platform/http.js';
import { captureLogger } from './helpers/log-capture.js';
import { request } from './helpers/http.js';

/** An error shaped like the ones Koa's `ctx.throw` and its middleware throw (http-errors). */
function createHttpError(status: number, message = `status ${status}`) {
  return Object.assign(new Error(message), { status, statusCode: status, expose: status < 500 });
}

describe('toAppError', () => {
  it('keeps our own errors as they are', () => {
    const error = new AppError('conflict', 'taken');
    expect(toAppError(error)).toBe(error);
  });

  it('maps client errors from Koa and its middleware to our codes', () => {
    expect(toAppError(createHttpError(401, 'who are you'))).toMatchObject({
      code: 'unauthorized',
      status: 401,
      message: 'who are you',
    });
    expect(toAppError(createHttpError(405))).toMatchObject({ code: 'method_not_allowed', status: 405 });
    expect(toAppError(createHttpError(429))).toMatchObject({ code: 'rate_limited', status: 429 });
    expect(toAppError({ status: 413, type: 'entity.too.large' })).toMatchObject({
      code: 'payload_too_large',
    });
    expect(toAppError({ status: 400, type: 'entity.parse.failed' })).toMatchObject({ code: 'invalid_json' });
    expect(toAppError({ status: 418 })).toMatchObject({ code: 'validation_failed', status: 400 });
  });

  it('does not pass on the message of an error not meant for clients', () => {
    expect(toAppError({ status: 403, expose: false, message: 'row 7 of acl table' })?.message).toBe(
      'forbidden',
    );
  });

  it('treats anything else as unexpected', () => {
    expect(toAppError(new Error('boom'))).toBeUndefined();
    expect(toAppError(createHttpError(502))).toBeUndefined();
    expect(toAppError('a string')).toBeUndefined();
    expect(toAppError(undefined)).toBeUndefined();
    expect(toAppError(null)).toBeUndefined();
  });
});

describe('unexpected errors over HTTP', () => {
  const logs = captureLogger();
  const finished: { status: number; path: string }[] = [];
  let http: Server;
  let url: string;

  beforeAll(async () => {
    const app = createHttpApp({
      logger: logs.logger,
      bodyLimit: '10kb',
      trustProxy: false,
      onResponse: (ctx) => finished.push({ status: ctx.status, path: ctx.path }),
    });
    app.use(async (ctx) => {
      if (ctx.path === '/throws') {
        throw new Error('connect ECONNREFUSED 10.0.0.5:5432 password=hunter2 at /srv/app/db.js:12');
      }
      if (ctx.path === '/throws-string') throw 'raw string with secret hunter2';
      if (ctx.path === '/upstream') ctx.throw(502, 'upstream said hunter2');
      if (ctx.path === '/unavailable') throw new AppError('unavailable', 'Redis is not answering');
      ctx.body = { ok: true };
    });
    http = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => http.once('listening', resolve));
    url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => http.close(() => resolve())));

  it.each(['/throws', '/throws-string', '/upstream'])('hides the details of %s', async (path) => {
    const res = await request(url, 'GET', path, { headers: { 'x-request-id': `req-${path.slice(1)}` } });
    expect(res.status).toBe(500);
    expect(res.body).toEqual({ error: { code: 'internal', message: 'Internal server error' } });
    const raw = JSON.stringify(res.body) + [...res.headers.values()].join(' ');
    expect(raw).not.toContain('hunter2');
    expect(raw).not.toContain('/srv/app');
    expect(res.headers.get('x-request-id')).toBe(`req-${path.slice(1)}`);

    // The details are in the log, on a line carrying the request id.
    const line = logs
      .lines()
      .find((l) => l.msg === 'unhandled error' && l.requestId === `req-${path.slice(1)}`);
    expect(line).toBeDefined();
    expect(line.path).toBe(path);
    expect(JSON.stringify(line.err)).toContain('hunter2');
    expect(finished).toContainEqual({ status: 500, path });
  });

  it('answers planned server-side errors with their code', async () => {
    const res = await request(url, 'GET', '/unavailable');
    expect(res.status).toBe(503);
    expect(res.body.error.code).toBe('unavailable');
  });

  it('still answers normally afterwards', async () => {
    const res = await request(url, 'GET', '/fine');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ok: true });
  });
});
