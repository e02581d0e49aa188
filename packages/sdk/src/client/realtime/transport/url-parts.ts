/**
 * URL parsing for socket.io-client in the SDK's browser builds and the widget bundle, through the platform's
 * `URL` instead of engine.io-client's general-purpose parser. It gives the fields socket.io-client reads
 * (`source`, `protocol`, `host`, `port`, `path`, `query`, `queryKey`) for the absolute http(s) and ws(s) URLs
 * the SDK connects to. Swapped in at build time (packages/sdk/build/websocket-only.ts, through
 * websocket-engine.ts); the tests compare it with engine.io-client's parser.
 */
export interface UrlParts {
  source: string;
  protocol: string;
  host: string;
  port: string;
  path: string;
  query: string;
  queryKey: Record<string, string>;
}

export function parse(source: string): UrlParts {
  const url = new URL(source);
  const query = url.search.slice(1);
  const queryKey: Record<string, string> = {};
  for (const pair of query.split('&')) {
    const [key, value = ''] = pair.split('=');
    if (key) queryKey[key] = value;
  }
  return {
    source,
    protocol: url.protocol.slice(0, -1),
    host: url.hostname.replace(/^\[|\]$/g, ''),
    // The parser it replaces keeps a default port that is written out (`:80`); URL drops it. Both callers
    // fill in the scheme's default port when it is empty, so either way it ends the same.
    port: url.port,
    path: url.pathname,
    query,
    queryKey,
  };
}
