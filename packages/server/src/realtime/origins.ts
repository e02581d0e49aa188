/**
 * Which browser origins may open a socket at all. Engine.IO's `allowRequest` runs before the namespace knows
 * the site (a websocket upgrade carries no site header), so it admits an origin that ANY site allows, like
 * the CORS preflight does; the `/chat` handshake then checks the origin against the resolved site.
 */
import type { SitesRepository } from '../sites/sites.repository.js';

/**
 * `allowed(origin)`: true without an Origin (not a browser) or when some site allows it. Only "yes" answers
 * are remembered (for `cacheMs`): a site's new origin works at once, and a stale "yes" grants nothing
 * because the handshake checks the connection's own site.
 */
export function originGate(
  repo: Pick<SitesRepository, 'anySiteAllows'>,
  options: { cacheMs?: number; cacheSize?: number } = {},
) {
  const cacheMs = options.cacheMs ?? 30_000;
  const cacheSize = options.cacheSize ?? 1000;
  const allowedAt = new Map<string, number>();

  return {
    async allowed(origin: string | undefined): Promise<boolean> {
      if (!origin) return true;
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
