/**
 * Kakao Login in a popup, through the server's popup flow: the popup window is opened within the click (so
 * popup blockers allow it), pointed at Kakao once the server gave the authorization URL, and the server's
 * callback page posts the outcome back to this page at its own origin. Only a message from the chat
 * server's origin, for this flow's state, is accepted.
 */
import { SyncTalkError, type AuthResponse, type SyncTalkClient } from '@synctalk/sdk';

interface PopupMessage {
  source?: unknown;
  type?: unknown;
  state?: unknown;
  ok?: unknown;
  auth?: AuthResponse;
  error?: { code?: string; message?: string };
}

const WAIT_MS = 10 * 60_000;

export async function kakaoPopup(client: SyncTalkClient, server: string): Promise<AuthResponse> {
  const popup = window.open('', 'synctalk-kakao', 'popup,width=480,height=700');
  if (!popup) {
    throw new SyncTalkError('forbidden', 'The sign-in window was blocked: allow pop-ups and try again', {
      status: 0,
    });
  }
  let start: { url: string; state: string };
  try {
    start = await client.auth.kakaoStart({ origin: window.location.origin });
  } catch (error) {
    popup.close();
    throw error;
  }
  popup.location.href = start.url;
  const serverOrigin = new URL(server).origin;
  const auth = await new Promise<AuthResponse>((resolve, reject) => {
    const done = (fn: () => void) => {
      window.removeEventListener('message', onMessage);
      clearInterval(watch);
      clearTimeout(timer);
      fn();
    };
    const onMessage = (event: MessageEvent) => {
      const data = event.data as PopupMessage | null;
      if (event.origin !== serverOrigin || !data || data.source !== 'synctalk' || data.state !== start.state)
        return;
      if (data.ok === true && data.auth) done(() => resolve(data.auth!));
      else {
        const message = data.error?.message ?? 'Kakao sign-in failed';
        done(() => reject(new SyncTalkError('unauthorized', message, { status: 0 })));
      }
    };
    const cancelled = () => new SyncTalkError('unauthorized', 'Kakao sign-in was cancelled', { status: 0 });
    // A closed popup without an answer is a cancel (checked slowly: the answer arrives just before close).
    const watch = setInterval(() => {
      if (popup.closed) setTimeout(() => done(() => reject(cancelled())), 500);
    }, 1000);
    const timer = setTimeout(() => done(() => reject(cancelled())), WAIT_MS);
    window.addEventListener('message', onMessage);
  });
  await client.auth.setSession(auth);
  return auth;
}
