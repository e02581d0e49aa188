/**
 * The server URLs a client may use. Behind a load balancer that is one URL; without one, a list of nodes:
 * the client sticks to one until it fails to reach it (a network error, a refused or dropped connection),
 * then moves on to the next, round-robin.
 */

/** Validates and normalises a base URL: `http(s)://host[:port][/path]`, no trailing slash. */
export function normaliseBaseUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new TypeError(`baseUrl must be an absolute http(s) URL, got "${url}"`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new TypeError(`baseUrl must be an http(s) URL, got "${url}"`);
  }
  if (parsed.search || parsed.hash)
    throw new TypeError(`baseUrl must not have a query or fragment: "${url}"`);
  return `${parsed.origin}${parsed.pathname}`.replace(/\/+$/, '');
}

/**
 * A rotating list of equivalent server URLs.
 *
 * @example
 * ```ts
 * const endpoints = new Endpoints(['https://a.chat.example', 'https://b.chat.example']);
 * endpoints.current();                            // 'https://a.chat.example'
 * endpoints.failed('https://a.chat.example');     // moves on
 * endpoints.current();                            // 'https://b.chat.example'
 * ```
 */
export class Endpoints {
  readonly urls: readonly string[];
  #index = 0;

  constructor(urls: string | readonly string[]) {
    const list = (typeof urls === 'string' ? [urls] : [...urls]).map(normaliseBaseUrl);
    if (list.length === 0) throw new TypeError('baseUrl must name at least one server');
    this.urls = [...new Set(list)];
  }

  /** The URL to use now. */
  current(): string {
    return this.urls[this.#index]!;
  }

  /**
   * Reports that `url` could not be reached. When it is the current one, the next URL becomes current
   * (a report about an older URL, from a request that started before a switch, changes nothing).
   */
  failed(url: string): void {
    if (this.urls.length > 1 && url === this.current()) this.#index = (this.#index + 1) % this.urls.length;
  }
}
