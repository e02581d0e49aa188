/**
 * `client.auth.kakaoPopup()`: Kakao Login in a popup window, through the server's popup flow. The window is
 * opened at once, inside the click that called it (popup blockers allow only that); the rest of the flow
 * (kakao-popup-flow.ts: the start request, pointing the window at the server's authorize step, waiting for
 * the outcome the server's callback page posts) is loaded with `import()` once the window is open.
 */
import type { AuthResponse } from '../../protocol/auth.js';
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
export interface PopupWindow {
  readonly closed: boolean;
  close(): void;
  location: { href: string };
}

/** A `message` event, as the flow reads it. */
export interface MessageFrom {
  data: unknown;
  origin: string;
  source: unknown;
}

/** This page's window. */
export interface PageWindow {
  open(url: string, target: string, features: string): PopupWindow | null;
  location: { origin: string };
  addEventListener(type: 'message', listener: (event: MessageFrom) => void): void;
  removeEventListener(type: 'message', listener: (event: MessageFrom) => void): void;
}

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
  // Loaded after `open`, so the window opens within the click however long loading takes.
  return import('./kakao-popup-flow.js').then(
    async (flow) => {
      const outcome = await flow.signIn(ctx, page, popup, options);
      if (!('reason' in outcome)) return outcome;
      // The server's refusal as posted, else why the sign-in did not finish.
      const body = { error: outcome.error };
      throw isErrorBody(body)
        ? errorFromBody(body)
        : failure('unauthorized', outcome.message, outcome.reason);
    },
    (error: unknown) => {
      popup.close();
      throw error;
    },
  );
}
