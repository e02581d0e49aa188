import fc from 'fast-check';
// The parser url-parts.ts stands in for.
import { parse as reference } from 'engine.io-client';
import { describe, expect, it } from 'vitest';
import { parse } from './url-parts.js';

const defaultPort: Record<string, string> = { http: '80', ws: '80', https: '443', wss: '443' };
/** What the callers make of a parse: the scheme's default port when none is written. */
const effective = (p: {
  protocol: string;
  host: string;
  port: string;
  path: string;
  query: string;
  queryKey: object;
}) => ({
  protocol: p.protocol,
  host: p.host,
  port: p.port || defaultPort[p.protocol],
  path: p.path || '/',
  query: p.query,
  queryKey: p.queryKey,
});

describe('URL parts', () => {
  it('agree with engine.io-client parser on the URLs the SDK connects to', () => {
    const urls = fc
      .tuple(
        fc.constantFrom('http', 'https', 'ws', 'wss'),
        fc.constantFrom('127.0.0.1', 'localhost', 'chat.example.com', '[::1]', '[2001:db8::1]'),
        fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }),
        fc.constantFrom('', '/', '/chat', '/base/chat', '/socket.io/'),
        fc.constantFrom('', '?a=1', '?a=1&b=x%20y', '?EIO=4&transport=websocket'),
      )
      .map(
        ([scheme, host, port, path, query]) => `${scheme}://${host}${port ? `:${port}` : ''}${path}${query}`,
      );
    fc.assert(
      fc.property(urls, (url) => {
        expect(effective(parse(url))).toEqual(effective(reference(url)));
        expect(parse(url).source).toBe(url);
      }),
    );
  });
});
