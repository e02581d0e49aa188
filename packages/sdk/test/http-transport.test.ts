/**
 * The HTTP transport against a small real HTTP server standing in for what sits between a client and
 * SyncTalk (proxies answering with their own pages, slow upstreams): the status mapping, timeouts,
 * cancellation, the headers every request carries. The SyncTalk API itself is exercised against the real
 * server in packages/server/test/sdk-*.test.ts.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Endpoints } from '../src/client/endpoints.js';
import { SyncTalkError } from '../src/client/errors.js';
import { createHttpTransport } from '../src/client/http.js';

type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;

let server: Server;
let url: string;
let handler: Handler = (_req, res) => res.end();
const seen: { method: string; url: string; headers: IncomingMessage['headers']; body: string }[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, headers: req.headers, body });
      handler(req, res, body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

const transport = (options: { site?: string; timeoutMs?: number } = {}) =>
  createHttpTransport({
    endpoints: new Endpoints(url),
    fetch,
    timeoutMs: options.timeoutMs ?? 2000,
    site: options.site,
  });

const failure = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error('expected a failure');
    },
    (e: unknown) => e as SyncTalkError,
  );

describe('HTTP transport', () => {
  it('sends JSON with the site header, the token and the query, and parses JSON answers', async () => {
    handler = (_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    const http = transport({ site: 'st_AbC123' });
    const result = await http.request({
      method: 'POST',
      path: '/v1/rooms/4%2F2/messages',
      query: { limit: 5, after: undefined, before: '9' },
      body: { text: 'hi' },
      token: 'tok',
    });
    expect(result).toEqual({ ok: true });
    const last = seen.at(-1)!;
    expect(last).toMatchObject({
      method: 'POST',
      url: '/v1/rooms/4%2F2/messages?limit=5&before=9',
      body: '{"text":"hi"}',
    });
    expect(last.headers).toMatchObject({
      'x-synctalk-site': 'st_AbC123',
      authorization: 'Bearer tok',
      'content-type': 'application/json',
      accept: 'application/json',
    });
  });

  it('answers 204 with undefined and leaves out the site header when there is no site', async () => {
    handler = (_req, res) => res.writeHead(204).end();
    expect(await transport().request({ method: 'DELETE', path: '/x' })).toBeUndefined();
    expect(seen.at(-1)!.headers['x-synctalk-site']).toBeUndefined();
    expect(seen.at(-1)!.headers['content-type']).toBeUndefined();
  });

  it('turns an error body into a SyncTalkError with its status, details and Retry-After', async () => {
    handler = (_req, res) =>
      res
        .writeHead(429, { 'content-type': 'application/json', 'retry-after': '7' })
        .end('{"error":{"code":"rate_limited","message":"Slow down","details":{"scope":"ip"}}}');
    const e = await failure(transport().request({ method: 'GET', path: '/x' }));
    expect(e).toBeInstanceOf(SyncTalkError);
    expect(e).toMatchObject({
      code: 'rate_limited',
      message: 'Slow down',
      status: 429,
      retryable: true,
      retryAfter: 7,
    });
    expect(e.details).toEqual({ scope: 'ip' });
  });

  it('maps a proxy error page without a SyncTalk body by its status', async () => {
    for (const [status, code, retryable] of [
      [502, 'bad_gateway', true],
      [503, 'unavailable', true],
      [504, 'unavailable', true],
      [500, 'internal', true],
      [404, 'not_found', false],
      [418, 'validation_failed', false],
    ] as const) {
      handler = (_req, res) => res.writeHead(status, { 'content-type': 'text/html' }).end('<h1>oops</h1>');
      expect(await failure(transport().request({ method: 'GET', path: '/x' }))).toMatchObject({
        code,
        status,
        retryable,
      });
    }
  });

  it('refuses a successful answer that is not JSON', async () => {
    handler = (_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html></html>');
    expect(await failure(transport().request({ method: 'GET', path: '/' }))).toMatchObject({
      code: 'bad_gateway',
      status: 200,
    });
  });

  it('gives up after the timeout with a retryable unavailable, status 0', async () => {
    handler = () => {}; // never answers
    const e = await failure(transport({ timeoutMs: 100 }).request({ method: 'GET', path: '/slow' }));
    expect(e).toMatchObject({ code: 'unavailable', status: 0, retryable: true });
    expect(e.message).toContain('100 ms');
  });

  it('rejects with the abort reason when the caller cancels', async () => {
    handler = () => {};
    const controller = new AbortController();
    const pending = transport().request({ method: 'GET', path: '/slow', signal: controller.signal });
    controller.abort(new Error('navigated away'));
    await expect(pending).rejects.toThrow('navigated away');
  });
});
