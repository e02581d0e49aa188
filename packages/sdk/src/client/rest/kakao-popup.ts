/**
 * `client.auth.kakaoPopup()`: Kakao Login in a popup window, through the server's popup flow. The window is
 * opened at once, inside the click that called it (popup blockers allow only that), and pointed at the
 * server's authorize step when `GET /v1/auth/kakao/start` answered. The server's callback page then posts the
 * outcome to this page (`window.opener.postMessage`, at this page's origin). Only a message from that popup,
 * from the callback page's origin (the one of the URL the server handed out), for this flow's state, counts.
 */
import type { AuthResponse, KakaoStart } from '../../protocol/auth.js';
import { errorFromBody, isErrorBody, SyncTalkError } from '../errors.js';
import type { RestContext } from './call.js';

/**
 * Options of `client.auth.kakaoPopup()`.
 *
 * @example
 * ```ts
 * const controller = new AbortController();
 * cancelButton.onclick = () => controller.abort();
 * await client.auth.kakaoPopup({ signal: controller.signal, timeoutMs: 5 * 60_000 });
 * ```
 */
export interface KakaoPopupOptions {
  /** How long to wait for the user, in ms (default 10 minutes: how long the server keeps a sign-in open). */
  timeoutMs?: number;
  /** Cancels: the window closes and the promise rejects with the signal's reason. */
  signal?: AbortSignal;
  /** `window.open` features (default `popup,width=480,height=700`). */
  features?: string;
  /** The window's name (default `synctalk-kakao`): another sign-in reuses the same window. */
  name?: string;
}

/** The parts of a browser window this uses (typed here: the SDK does not depend on the DOM types). */
interface PopupWindow {
  readonly closed: boolean;
  close(): void;
  location: { href: string };
}

interface MessageFrom {
  data: unknown;
  origin: string;
  source: unknown;
}

interface PageWindow {
  open(url: string, target: string, features: string): PopupWindow | null;
  location: { origin: string };
  addEventListener(type: 'message', listener: (event: MessageFrom) => void): void;
  removeEventListener(type: 'message', listener: (event: MessageFrom) => void): void;
}

/** What the server's callback page posts (see the server's kakao.popup.ts). */
interface PopupMessage {
  source?: unknown;
  type?: unknown;
  state?: unknown;
  ok?: unknown;
  auth?: AuthResponse;
  error?: unknown;
}

const DEFAULT_TIMEOUT_MS = 10 * 60_000;
/** How often to look whether the user closed the window. */
const CLOSED_POLL_MS = 500;
/** After the window closed, how long an answer it posted just before may still take to arrive. */
const CLOSED_GRACE_MS = 1_000;

const failure = (code: 'unauthorized' | 'forbidden' | 'validation_failed', message: string, reason: string) =>
  new SyncTalkError(code, message, { status: 0, details: { reason } });

/**
 * Runs a Kakao sign-in in a popup and stores the session like `login` does. Call it synchronously from the
 * user's click (no `await` before it in the handler), or the browser blocks the window.
 *
 * Rejects with a `SyncTalkError`: `forbidden` (`details.reason: 'blocked'`) when the window could not open;
 * `unauthorized` when the user closed the window (`'closed'`), cancelled at Kakao, or did not finish within
 * `timeoutMs` (`'timeout'`); the server's error when it refused the sign-in; the start request's error (e.g.
 * `unavailable` when this page's origin is not one of the site's allowed origins: the browser then hides the
 * server's answer); `validation_failed` (`'no_browser'`) outside a browser. An aborted `signal` rejects with
 * its reason.
 *
 * @example
 * ```ts
 * button.addEventListener('click', async () => {
 *   const { user } = await client.auth.kakaoPopup();
 *   greet(user.displayName);
 * });
 * ```
 */
export function kakaoPopup(ctx: RestContext, options: KakaoPopupOptions = {}): Promise<AuthResponse> {
  const page = (globalThis as { window?: PageWindow }).window;
  if (!page || typeof page.open !== 'function' || typeof page.addEventListener !== 'function') {
    return Promise.reject(
      failure(
        'validation_failed',
        'client.auth.kakaoPopup() needs a browser window; outside a browser, sign in with a password, ' +
          'as a guest, or with a site token from your backend (client.auth.siteToken)',
        'no_browser',
      ),
    );
  }
  if (options.signal?.aborted) return Promise.reject(options.signal.reason);
  // Synchronously, still inside the user's click: a window opened after an await is blocked.
  const popup = page.open(
    '',
    options.name ?? 'synctalk-kakao',
    options.features ?? 'popup,width=480,height=700',
  );
  if (!popup) {
    return Promise.reject(
      failure(
        'forbidden',
        'The sign-in window was blocked: call kakaoPopup() directly from a click, or allow pop-ups',
        'blocked',
      ),
    );
  }
  return signIn(ctx, page, popup, options);
}

async function signIn(
  ctx: RestContext,
  page: PageWindow,
  popup: PopupWindow,
  options: KakaoPopupOptions,
): Promise<AuthResponse> {
  const { signal } = options;
  let start: KakaoStart;
  try {
    start = await ctx.anonymous<KakaoStart>({
      method: 'GET',
      path: '/v1/auth/kakao/start',
      query: { origin: page.location.origin },
      signal,
    });
  } catch (error) {
    popup.close();
    throw error;
  }
  const callbackOrigin = new URL(start.url).origin;
  const auth = await new Promise<AuthResponse>((resolve, reject) => {
    let closedAt: number | undefined;
    const finish = (settle: () => void) => {
      page.removeEventListener('message', onMessage);
      signal?.removeEventListener('abort', onAbort);
      clearInterval(watch);
      clearTimeout(timer);
      if (!popup.closed) popup.close();
      settle();
    };
    const onMessage = (event: MessageFrom) => {
      const data = event.data as PopupMessage | null;
      if (event.source !== popup || event.origin !== callbackOrigin) return;
      if (!data || data.source !== 'synctalk' || data.type !== 'kakao:login' || data.state !== start.state) {
        return;
      }
      if (data.ok === true && data.auth) return finish(() => resolve(data.auth!));
      const body = { error: data.error };
      const error = isErrorBody(body)
        ? errorFromBody(body)
        : failure('unauthorized', 'Kakao sign-in failed', 'refused');
      finish(() => reject(error));
    };
    const onAbort = () => finish(() => reject(signal!.reason));
    const watch = setInterval(() => {
      if (!popup.closed) return;
      closedAt ??= Date.now();
      if (Date.now() - closedAt < CLOSED_GRACE_MS) return;
      const message = 'Kakao sign-in was cancelled: the sign-in window was closed';
      finish(() => reject(failure('unauthorized', message, 'closed')));
    }, CLOSED_POLL_MS);
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const timer = setTimeout(() => {
      const message = `Kakao sign-in was not finished within ${Math.round(timeoutMs / 1000)} s`;
      finish(() => reject(failure('unauthorized', message, 'timeout')));
    }, timeoutMs);
    page.addEventListener('message', onMessage);
    signal?.addEventListener('abort', onAbort, { once: true });
    if (!popup.closed) popup.location.href = start.url;
  });
  await ctx.session.signIn(auth);
  return auth;
}
