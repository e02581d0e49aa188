/**
 * A browser for Kakao sign-ins in tests: one cookie jar, kept across the steps a real browser takes — the
 * start (JSON, as the widget's fetch), this server's authorize step (which sets the flow cookie and
 * redirects to Kakao), Kakao's page (the fake), and the callback (the popup page or the JSON POST).
 *
 * URLs the server hands out name its public address (KAKAO_REDIRECT_URI's host, e.g. chat.example.com);
 * they are opened on the test server at the same path.
 */
import type { FakeKakao, FakeKakaoUser } from './fake-kakao.js';
import { client, type RequestOptions } from './http.js';

export type KakaoBrowser = ReturnType<typeof kakaoBrowser>;

export function kakaoBrowser(serverUrl: string, fake: FakeKakao) {
  const jar = new Map<string, string>();

  /** Keeps what `Set-Cookie` says (an empty value or Max-Age=0 removes). */
  function keep(headers: Headers): void {
    for (const line of headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(';');
      const at = pair!.indexOf('=');
      const name = pair!.slice(0, at).trim();
      const value = pair!.slice(at + 1).trim();
      const expired = attributes.some((a) => /^\s*(max-age=0|expires=thu, 01 jan 1970)/i.test(a));
      if (!value || expired) jar.delete(name);
      else jar.set(name, value);
    }
  }

  const cookieHeader = (): Record<string, string> =>
    jar.size > 0 ? { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') } : {};

  /** The same path and query on the test server. */
  const local = (url: string | URL): string => {
    const u = new URL(url);
    return `${serverUrl}${u.pathname}${u.search}`;
  };

  /** A top-level GET (a navigation) with this browser's cookies; redirects are not followed. */
  async function open(url: string | URL, headers: Record<string, string> = {}): Promise<Response> {
    const res = await fetch(local(url), { headers: { ...headers, ...cookieHeader() }, redirect: 'manual' });
    keep(res.headers);
    return res;
  }

  return {
    jar,
    open,

    /**
     * The widget's start (a fetch) and then the popup opening the URL it got: answers Kakao's authorization
     * URL as `url` (the flow cookie is in the jar), the `state`, and the authorize step's URL and response.
     */
    async start(options: { headers?: Record<string, string>; query?: string } = {}) {
      const res = await client(serverUrl).get(`/v1/auth/kakao/start${options.query ?? ''}`, {
        headers: options.headers,
      });
      if (res.status !== 200) throw new Error(`start answered ${res.status}: ${JSON.stringify(res.body)}`);
      const authorize = await open(res.body.url);
      if (authorize.status !== 302) {
        throw new Error(`authorize answered ${authorize.status}: ${await authorize.text()}`);
      }
      return {
        url: authorize.headers.get('location')!,
        state: res.body.state as string,
        authorizeUrl: res.body.url as string,
        authorize,
      };
    },

    /** Kakao's page as `as`, after `start`: what Kakao redirected back with. */
    authorize: (kakaoUrl: string, as: { user?: FakeKakaoUser; deny?: boolean }) =>
      fake.authorize(kakaoUrl, as),

    /** The popup callback page for Kakao's redirect back (`location` from `authorize`). */
    callbackPage: (location: URL, headers: Record<string, string> = {}) => open(location, headers),

    /** A JSON POST with this browser's cookies (the page at KAKAO_REDIRECT_URI forwarding the code). */
    async post(path: string, options: RequestOptions = {}) {
      const res = await client(serverUrl).post(path, {
        ...options,
        headers: { ...options.headers, ...cookieHeader() },
      });
      keep(res.headers);
      return res;
    },
  };
}

/**
 * Runs a whole Kakao sign-in against a SyncTalk server in one browser: start, the authorize step, Kakao's
 * page as `user`, then the JSON callback. Returns the callback's response and the flow's pieces.
 */
export async function kakaoSignIn(
  baseUrl: string,
  fake: FakeKakao,
  user: FakeKakaoUser,
  options: { headers?: Record<string, string>; browser?: KakaoBrowser } = {},
) {
  const browser = options.browser ?? kakaoBrowser(baseUrl, fake);
  const start = await browser.start({ headers: options.headers });
  const back = await fake.authorize(start.url, { user });
  const res = await browser.post('/v1/auth/kakao/callback', {
    headers: options.headers,
    body: { code: back.code, state: back.state },
  });
  return { res, start, code: back.code!, state: back.state!, browser };
}
