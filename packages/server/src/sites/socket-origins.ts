/**
 * Which browser origins may open a socket at all. Engine.IO's `allowRequest` runs before the namespace knows
 * the site (a websocket upgrade carries no site header), so it admits an origin that ANY site allows, like
 * the CORS preflight does, and the server's own origin (pages it serves, like the demo page); the `/chat`
 * handshake (auth/socket-handshake.ts) then checks the origin against the resolved site.
 */
import { isOwnOrigin, type OriginRequest, type OwnOriginOptions } from '../platform/own-origin.js';
import type { SitesRepository } from './sites.repository.js';

/**
 * `allowed(origin, req)`: true without an Origin (not a browser), for the server's own origin (told by
 * `self`), or when some site allows it. Only "yes" answers from the sites are remembered (for `cacheMs`): a
 * site's new origin works at once, and a stale "yes" grants nothing because the handshake checks the
 * connection's own site.
 */
export function originGate(
  repo: Pick<SitesRepository, 'anySiteAllows'>,
  options: { cacheMs?: number; cacheSize?: number; self?: OwnOriginOptions } = {},
) {
  const cacheMs = options.cacheMs ?? 30_000;
  const cacheSize = options.cacheSize ?? 1000;
  const allowedAt = new Map<string, number>();

  return {
    async allowed(origin: string | undefined, req?: OriginRequest): Promise<boolean> {
      if (!origin) return true;
      if (req && options.self && isOwnOrigin(origin, req, options.self)) return true;
      const at = allowedAt.get(origin);
      if (at !== undefined && Date.now() - at <= cacheMs) return true;
      const ok = await repo.anySiteAllows(origin);
      if (ok) {
        if (allowedAt.size >= cacheSize) allowedAt.clear();
        allowedAt.set(origin, Date.now());
      } else {
        allowedAt.delete(origin);
      }
      return ok;
    },
  };
}

export type OriginGate = ReturnType<typeof originGate>;
