/**
 * The HTTP side of the client: JSON in and out, the site header on every request, a timeout, error bodies
 * turned into `SyncTalkError`, and failover across the configured server URLs.
 *
 * Failover: a request that gets no answer marks its URL as failed (the next one becomes current). Reads
 * (`GET`) are then tried on the remaining URLs at once; writes are not repeated automatically, because the
 * first attempt may have reached the server before the connection dropped. They throw `unavailable`
 * (retryable) and the caller decides.
 */
import type { Endpoints } from './endpoints.js';
import { errorFromBody, errorFromStatus, isErrorBody, networkError, SyncTalkError } from './errors.js';

/**
 * The header naming the site (tenant) of a request; the client sends it on every request when `site` is set.
 *
 * @example
 * ```ts
 * await fetch(`${baseUrl}/v1/site/public`, { headers: { [SITE_HEADER]: 'st_AbC123…' } });
 * ```
 */
export const SITE_HEADER = 'X-SyncTalk-Site';

export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'DELETE';

/** A query string value; `undefined` leaves the parameter out. */
export type QueryValue = string | number | undefined;

export interface HttpRequest {
  method: HttpMethod;
  /** The path below the base URL, starting with `/`. */
  path: string;
  query?: Record<string, QueryValue>;
  /** Sent as JSON. */
  body?: unknown;
  /** The access token, sent as `Authorization: Bearer …`. */
  token?: string;
  /** Cancels the request (the promise then rejects with the signal's reason). */
  signal?: AbortSignal;
}

export interface HttpOptions {
  endpoints: Endpoints;
  site?: string;
  fetch: typeof fetch;
  /** Per-attempt timeout in milliseconds. */
  timeoutMs: number;
}

/** Encodes one path segment (ids, codes, emoji). */
export function segment(value: string): string {
  return encodeURIComponent(value);
}

function queryString(query: Record<string, QueryValue> | undefined): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined) params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

/** `Retry-After` in seconds: a number of seconds or an HTTP date. */
function retryAfterSeconds(header: string | null): number | undefined {
  if (!header) return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header.trim());
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - Date.now()) / 1000));
}

/** Sends JSON requests to a SyncTalk server. */
export interface HttpTransport {
  /** Sends `request`; resolves with the parsed JSON body (`undefined` for `204`), throws `SyncTalkError`. */
  request<T>(request: HttpRequest): Promise<T>;
}

/**
 * Creates the transport the REST API groups share.
 *
 * @example
 * ```ts
 * const http = createHttpTransport({ endpoints: new Endpoints(url), fetch, timeoutMs: 15_000 });
 * const page = await http.request<MessagePage>({ method: 'GET', path: '/v1/rooms/1/messages', token });
 * ```
 */
export function createHttpTransport(options: HttpOptions): HttpTransport {
  const { endpoints, site, timeoutMs } = options;
  // Called as a plain function: browsers refuse `fetch` called with another `this`.
  const fetchFn = options.fetch;

  async function attempt<T>(baseUrl: string, req: HttpRequest): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (site) headers[SITE_HEADER] = site;
    if (req.token) headers.authorization = `Bearer ${req.token}`;
    let body: string | undefined;
    if (req.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(req.body);
    }
    const url = `${baseUrl}${req.path}${queryString(req.query)}`;
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, timeoutMs);
    const onAbort = () => controller.abort();
    req.signal?.addEventListener('abort', onAbort);
    let res: Response;
    let text: string;
    try {
      res = await fetchFn(url, { method: req.method, headers, body, signal: controller.signal });
      text = await res.text();
    } catch (error) {
      if (req.signal?.aborted) throw req.signal.reason ?? error;
      throw timedOut
        ? networkError(baseUrl, undefined, `No answer within ${timeoutMs} ms from`)
        : networkError(baseUrl, error);
    } finally {
      clearTimeout(timer);
      req.signal?.removeEventListener('abort', onAbort);
    }

    let parsed: unknown;
    let isJson = false;
    if (text) {
      try {
        parsed = JSON.parse(text);
        isJson = true;
      } catch {
        // not JSON (e.g. a proxy's error page): judged by the status below
      }
    }
    if (!res.ok) {
      const retryAfter = retryAfterSeconds(res.headers.get('retry-after'));
      if (isJson && isErrorBody(parsed)) throw errorFromBody(parsed, res.status, retryAfter);
      throw errorFromStatus(res.status, res.statusText, retryAfter);
    }
    if (res.status === 204 || !text) return undefined as T;
    if (!isJson) {
      throw new SyncTalkError('bad_gateway', `Expected JSON from ${url}, got something else`, {
        status: res.status,
      });
    }
    return parsed as T;
  }

  return {
    async request<T>(req: HttpRequest): Promise<T> {
      req.signal?.throwIfAborted();
      // Reads may go to every URL once; writes get one attempt.
      const tries = req.method === 'GET' ? endpoints.urls.length : 1;
      let lastError: unknown;
      for (let i = 0; i < tries; i += 1) {
        const baseUrl = endpoints.current();
        try {
          return await attempt<T>(baseUrl, req);
        } catch (error) {
          if (!(error instanceof SyncTalkError) || error.status !== 0) throw error;
          endpoints.failed(baseUrl);
          lastError = error;
        }
      }
      throw lastError;
    },
  };
}
