/**
 * A connection lives no longer than its access token. About a minute before the token expires the server
 * emits `auth:expiring`; the client refreshes over REST and sends `auth:refresh { token }` (same user, same
 * site) to extend the connection. Without one, at expiry the server emits `auth:expired` (code
 * `token_expired`) and disconnects.
 */
import { authRefreshPayload } from '@synctalk/sdk/schemas';
import type { Config } from '../config.js';
import type { ChatSocket } from '../chat/types.js';
import { AppError } from '../platform/errors.js';
import type { Logger } from '../platform/logger.js';
import { on } from '../platform/realtime/handlers.js';
import { verifyAccessToken } from './tokens.js';

/** How long before expiry `auth:expiring` is sent (less for tokens that live shorter than twice this). */
export const EXPIRY_WARNING_MS = 60_000;

// setTimeout fires at once for delays over 2^31-1 ms (~24.8 days); longer waits are chained.
const MAX_TIMER_MS = 2 ** 31 - 1;

function at(time: number, fn: () => void): () => void {
  let timer: NodeJS.Timeout | undefined;
  const arm = () => {
    const delay = time - Date.now();
    if (delay <= 0) return fn();
    timer = setTimeout(delay > MAX_TIMER_MS ? arm : fn, Math.min(delay, MAX_TIMER_MS));
    timer.unref();
  };
  arm();
  return () => clearTimeout(timer);
}

/** Arms the expiry timers of `socket` and handles `auth:refresh`. */
export function watchTokenExpiry(socket: ChatSocket, deps: { config: Config; logger: Logger }): void {
  let cancel: (() => void)[] = [];

  const schedule = () => {
    for (const c of cancel) c();
    const expiresAt = socket.data.user.exp * 1000;
    const remaining = expiresAt - Date.now();
    const lead = Math.min(EXPIRY_WARNING_MS, Math.max(0, remaining / 2));
    cancel = [
      at(expiresAt - lead, () => {
        socket.emit('auth:expiring', {
          expiresAt: new Date(expiresAt).toISOString(),
          expiresInMs: Math.max(0, expiresAt - Date.now()),
        });
      }),
      at(expiresAt, () => {
        socket.emit(
          'auth:expired',
          new AppError('token_expired', 'The access token expired; reconnect with a fresh one').toBody(),
        );
        socket.disconnect(true);
      }),
    ];
  };

  schedule();
  socket.on('disconnect', () => {
    for (const c of cancel) c();
    cancel = [];
  });

  on(socket, deps.logger, 'auth:refresh', { 'auth:refresh': authRefreshPayload }, async ({ token }) => {
    const verified = verifyAccessToken(deps.config, token);
    if (!verified.ok) {
      throw verified.reason === 'expired'
        ? new AppError('token_expired', 'That access token already expired')
        : new AppError('unauthorized', 'Invalid access token');
    }
    const current = socket.data.user;
    if (verified.user.id !== current.id || verified.user.siteId !== current.siteId) {
      throw new AppError('forbidden', 'The new token must belong to the same user and site');
    }
    // Roles may have changed since the connection opened; the new token is the truth from now on.
    socket.data.user = verified.user;
    schedule();
    return { expiresAt: new Date(verified.user.exp * 1000).toISOString() };
  });
}
