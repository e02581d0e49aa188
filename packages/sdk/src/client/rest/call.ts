/** What the REST API groups share: an authenticated call and an anonymous one. */
import type { HttpRequest, HttpTransport } from '../http.js';
import type { Session } from '../session.js';

/** A request without credentials; the transport adds the base URL and the site header. */
export type RestRequest = Omit<HttpRequest, 'token'>;

export interface RestContext {
  http: HttpTransport;
  session: Session;
  /** Sends `req` with the session's access token, refreshing once on `token_expired`. */
  authed<T>(req: RestRequest): Promise<T>;
  /** Sends `req` without an access token (sign-in routes). */
  anonymous<T>(req: RestRequest): Promise<T>;
}

/** Builds the context the API groups are made from. */
export function restContext(http: HttpTransport, session: Session): RestContext {
  return {
    http,
    session,
    authed: (req) => session.authorized((token) => http.request({ ...req, token })),
    anonymous: (req) => http.request(req),
  };
}

/**
 * Options every REST method accepts.
 *
 * @example
 * ```ts
 * const controller = new AbortController();
 * const page = client.rooms.list({ signal: controller.signal });
 * controller.abort();
 * ```
 */
export interface CallOptions {
  /** Cancels the request. */
  signal?: AbortSignal;
}
