/**
 * The part of `client.auth.kakaoPopup()` that runs once its window is open: the start request, pointing the
 * window at the server's authorize step, and waiting for the server's callback page to post the outcome
 * (`window.opener.postMessage`, at this page's origin). Only a message from that popup, from the callback
 * page's origin (the one of the URL the server handed out), for this flow's state, counts. kakao-popup.ts
 * loads it with `import()` after opening the window (its own chunk where bundles are split), so apps that
 * never sign in with Kakao do not download it, and turns a failed outcome into the `SyncTalkError` it
 * rejects with (so this chunk imports nothing).
 */
import type { AuthResponse, KakaoStart } from '../../protocol/auth.js';
import type { RestContext } from './call.js';
import type { KakaoPopupOptions, MessageFrom, PageWindow, PopupWindow } from './kakao-popup.js';

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

/**
 * A sign-in that ended without a session: `refused` (the callback page posted the server's refusal as
 * `error`, or nothing usable), `closed` (the user closed the window) or `timeout`.
 */
export interface PopupFailure {
  reason: 'refused' | 'closed' | 'timeout';
  message: string;
  /** The `error` the callback page posted (`{ code, message, details }` when the server refused). */
  error?: unknown;
}

/**
 * Signs in through the open `popup` and stores the session like `login` does, resolving with the sign-in
 * answer; or resolves with the `PopupFailure`. Rejects with the start request's error, or `signal`'s reason.
 * The window is closed when the flow ends, however it ends.
 *
 * @example
 * ```ts
 * const popup = window.open('', 'synctalk-kakao', 'popup');
 * const { signIn } = await import('./kakao-popup-flow.js');
 * const outcome = await signIn(ctx, window, popup, { timeoutMs: 60_000 });
 * if ('reason' in outcome) throw new Error(outcome.message);
 * ```
 */
export async function signIn(
  ctx: RestContext,
  page: PageWindow,
  popup: PopupWindow,
  options: KakaoPopupOptions,
): Promise<AuthResponse | PopupFailure> {
  const { signal } = options;
  let start: KakaoStart;
  try {
    start = await ctx.anonymous<KakaoStart>('GET', '/v1/auth/kakao/start', options, {
      origin: page.location.origin,
    });
  } catch (error) {
    popup.close();
    throw error;
  }
  const callbackOrigin = new URL(start.url).origin;
  const outcome = await new Promise<AuthResponse | PopupFailure>((resolve, reject) => {
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
      const outcome =
        data.ok === true && data.auth
          ? data.auth
          : { reason: 'refused' as const, message: 'Kakao sign-in failed', error: data.error };
      finish(() => resolve(outcome));
    };
    const onAbort = () => finish(() => reject(signal!.reason));
    const watch = setInterval(() => {
      if (!popup.closed) return;
      closedAt ??= Date.now();
      if (Date.now() - closedAt < CLOSED_GRACE_MS) return;
      const message = 'Kakao sign-in was cancelled: the sign-in window was closed';
      finish(() => resolve({ reason: 'closed', message }));
    }, CLOSED_POLL_MS);
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const timer = setTimeout(() => {
      const message = `Kakao sign-in was not finished within ${Math.round(timeoutMs / 1000)} s`;
      finish(() => resolve({ reason: 'timeout', message }));
    }, timeoutMs);
    page.addEventListener('message', onMessage);
    signal?.addEventListener('abort', onAbort, { once: true });
    if (!popup.closed) popup.location.href = start.url;
  });
  if (!('reason' in outcome)) await ctx.session.signIn(outcome);
  return outcome;
}
