/**
 * The `/chat` handshake: who is connecting, for which site, from which origin. Runs once per connection as
 * namespace middleware; a refusal reaches the client as `connect_error` whose `data` is the usual
 * `{ error: { code, message } }`.
 *
 * - The access token comes in `auth.token` only. A token in the query string is refused outright: URLs are
 *   written to proxy and access logs.
 * - The site is `auth.site` (a public id) or the default site; a token of another site is refused.
 * - A browser Origin must be one of that site's allowed origins (`allowRequest` only knew "some site"), or
 *   the server's own origin.
 * - A user this node recently cut off for flooding is refused `rate_limited` until the penalty is over.
 */
import type { ExtendedError } from 'socket.io';
import { z } from 'zod';
import type { Config } from '../config.js';
import type { ChatSocket } from '../chat/types.js';
import { AppError } from '../platform/errors.js';
import { toAppError } from '../platform/http.js';
import { isOwnOrigin } from '../platform/own-origin.js';
import type { Logger } from '../platform/logger.js';
import type { FloodPenalty } from '../platform/realtime/flood-penalty.js';
import { rateLimitedError, retryAfterSeconds } from '../platform/rate-limit.js';
import type { Site, SitesRepository } from '../sites/sites.repository.js';
import { PUBLIC_ID } from '../sites/sites.schemas.js';
import { verifyAccessToken } from './tokens.js';

/** Query parameters that look like credentials; their presence refuses the connection. */
const CREDENTIAL_PARAMS = ['token', 'access_token', 'accessToken', 'jwt', 'auth', 'authorization'];

// Other fields are tolerated: Socket.IO clients may add their own (e.g. connection-recovery offsets).
const handshakeAuth = z.object({
  token: z.string().min(1, 'is required').max(4096),
  site: z.string().max(80).optional(),
});

/** An `Error` Socket.IO sends to the client as `connect_error`, carrying our error body in `data`. */
export function connectError(error: AppError): ExtendedError {
  return Object.assign(new Error(error.message), { data: error.toBody() });
}

export interface HandshakeDeps {
  config: Config;
  logger: Logger;
  sites: Pick<SitesRepository, 'findByPublicId' | 'findDefault'>;
  penalty: Pick<FloodPenalty, 'remaining'>;
}

async function resolveSite(sites: HandshakeDeps['sites'], publicId: string | undefined): Promise<Site> {
  if (publicId) {
    const site = PUBLIC_ID.test(publicId) ? await sites.findByPublicId(publicId) : undefined;
    if (!site) throw new AppError('not_found', `Unknown site "${publicId.slice(0, 80)}"`);
    return site;
  }
  const site = await sites.findDefault();
  if (!site) throw new AppError('unavailable', 'No default site exists yet');
  return site;
}

/** Authenticates one connection and sets `socket.data.user` and `socket.data.site`. */
export async function authenticate(deps: HandshakeDeps, socket: ChatSocket): Promise<void> {
  const { query, auth, headers } = socket.handshake;
  if (CREDENTIAL_PARAMS.some((p) => Object.prototype.hasOwnProperty.call(query, p))) {
    throw new AppError(
      'unauthorized',
      'Send the access token in the handshake auth ({ auth: { token } }), never in the query string',
    );
  }
  const parsed = handshakeAuth.safeParse(auth ?? {});
  if (!parsed.success) {
    const token = (auth as { token?: unknown } | undefined)?.token;
    throw new AppError(
      'unauthorized',
      token === undefined ? 'Authentication required: pass { auth: { token } }' : 'Invalid handshake auth',
    );
  }
  const site = await resolveSite(deps.sites, parsed.data.site);
  const origin = headers.origin;
  if (
    origin &&
    !site.allowedOrigins.includes(origin) &&
    !isOwnOrigin(origin, socket.request, deps.config.http)
  ) {
    throw new AppError('origin_not_allowed', `Origin ${origin} is not allowed for this site`);
  }
  const verified = verifyAccessToken(deps.config, parsed.data.token);
  if (!verified.ok) {
    throw verified.reason === 'expired'
      ? new AppError('token_expired', 'The access token expired')
      : new AppError('unauthorized', 'Invalid access token');
  }
  if (verified.user.siteId !== site.id) {
    throw new AppError('unauthorized', 'The access token belongs to another site');
  }
  const waitMs = deps.penalty.remaining(verified.user.id);
  if (waitMs > 0) {
    const seconds = retryAfterSeconds(waitMs);
    throw rateLimitedError(
      `This user was disconnected for sending too many events; reconnect in ${seconds} s`,
      seconds,
    );
  }
  socket.data.user = verified.user;
  socket.data.site = site;
}

/** The namespace middleware around `authenticate`: every failure becomes a `connect_error` with our body. */
export function handshakeMiddleware(deps: HandshakeDeps) {
  return (socket: ChatSocket, next: (err?: ExtendedError) => void) => {
    authenticate(deps, socket).then(
      () => next(),
      (error: unknown) => {
        const appError = toAppError(error);
        if (!appError) deps.logger.error({ err: error }, 'socket handshake failed');
        next(connectError(appError ?? new AppError('internal', 'Internal server error')));
      },
    );
  };
}
