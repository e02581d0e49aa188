/** Claims of valid tokens, for tests that forge variants of them (expired, wrong site, missing claims...). */
import { randomUUID } from 'node:crypto';
import type { Site } from '../../src/sites/sites.repository.js';
import type { TestUser } from './factories.js';

/** The current time in JWT seconds. */
export const nowSeconds = () => Math.floor(Date.now() / 1000);

/** The claims of the access token the server signs for `u`, with `overrides`. */
export function accessClaims(u: TestUser, overrides: Record<string, unknown> = {}) {
  return {
    sub: u.user.id,
    site: u.user.siteId,
    roles: ['ROLE_USER'],
    kind: 'password',
    typ: 'access',
    iss: 'synctalk',
    iat: nowSeconds(),
    exp: nowSeconds() + 600,
    ...overrides,
  };
}

/** The claims of a valid site token for `site` (customer-1, ten minutes, a fresh jti), with `extra`. */
export function siteTokenClaims(site: Site, extra: Record<string, unknown> = {}) {
  return {
    sub: 'customer-1',
    site: site.publicId,
    iat: nowSeconds(),
    exp: nowSeconds() + 600,
    jti: randomUUID(),
    ...extra,
  };
}
