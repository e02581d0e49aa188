/** What the REST API groups share: an authenticated call and an anonymous one. */
import type { HttpMethod, HttpTransport, QueryValue } from '../http.js';
import type { Session } from '../session.js';

/**
 * Sends `method path` with `options.signal`; `data` is the query of a `GET` (`undefined` values left out)
 * and the JSON body of any other method. The transport adds the base URL and the site header.
 */
export type RestCall = <T>(
  method: HttpMethod,
  path: string,
  options?: CallOptions,
  data?: unknown,
) => Promise<T>;

export interface RestContext {
  session: Session;
  /** A call with the session's access token, refreshing once on `token_expired`. */
  authed: RestCall;
  /** A call without an access token (sign-in routes). */
  anonymous: RestCall;
}

/** Builds the context the API groups are made from. */
export function restContext(http: HttpTransport, session: Session): RestContext {
  const call =
    (authed: boolean): RestCall =>
    <T>(method: HttpMethod, path: string, options?: CallOptions, data?: unknown) => {
      const send = (token?: string) =>
        http.request<T>({
          method,
          path,
          signal: options?.signal,
          token,
          ...(method === 'GET' ? { query: data as Record<string, QueryValue> } : { body: data }),
        });
      return authed ? session.authorized(send) : send();
    };
  return { session, authed: call(true), anonymous: call(false) };
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
