/**
 * OpenID Connect ID token verification for Kakao: RS256 only, against Kakao's JWK set (cached; fetched again
 * when a token names a key id we do not know, which is how a key rotation shows up), with issuer, audience,
 * expiry, nonce and subject checked.
 */
import { createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import type { Config } from '../../config.js';
import { AppError } from '../../platform/errors.js';
import type { Logger } from '../../platform/logger.js';
import type { KakaoClient } from './kakao.client.js';

/** Keys are re-read at least this often, so a key Kakao withdrew stops being trusted. */
const KEYS_MAX_AGE_MS = 60 * 60 * 1000;
const CLOCK_TOLERANCE_S = 60;

export function kakaoIdTokens(config: Config['kakao'], client: KakaoClient, logger: Logger) {
  let keys = new Map<string, KeyObject>();
  let fetchedAt = 0;
  let inFlight: Promise<void> | undefined;

  function refresh(): Promise<void> {
    // Concurrent sign-ins share one fetch.
    inFlight ??= (async () => {
      try {
        const next = new Map<string, KeyObject>();
        for (const jwk of await client.fetchJwks()) {
          const k = jwk as JsonWebKey & { kid?: unknown; use?: unknown };
          if (typeof k.kid !== 'string' || k.kty !== 'RSA' || (k.use !== undefined && k.use !== 'sig'))
            continue;
          try {
            next.set(k.kid, createPublicKey({ key: k, format: 'jwk' }));
          } catch {
            logger.warn({ kid: k.kid }, 'kakao: ignoring an unreadable JWK');
          }
        }
        keys = next;
        fetchedAt = Date.now();
      } finally {
        inFlight = undefined;
      }
    })();
    return inFlight;
  }

  async function keyFor(kid: string): Promise<KeyObject | undefined> {
    if (Date.now() - fetchedAt > KEYS_MAX_AGE_MS) await refresh();
    if (!keys.has(kid)) await refresh(); // an unknown kid: Kakao may have rotated its keys
    return keys.get(kid);
  }

  const invalid = (why: string) => new AppError('unauthorized', `Kakao ID token rejected: ${why}`);

  return {
    /**
     * Verifies `idToken` and that it names `subject` (the /v2/user/me id) and carries `nonce`.
     * Throws `unauthorized` naming the failed check.
     */
    async verify(idToken: string, expected: { nonce: string; subject: string }): Promise<void> {
      let decoded: jwt.Jwt | null;
      try {
        // jsonwebtoken throws, rather than answering null, for a JWT header over a payload that is not JSON.
        decoded = jwt.decode(idToken, { complete: true });
      } catch {
        decoded = null;
      }
      if (!decoded || typeof decoded.payload === 'string') throw invalid('not a JWT');
      if (decoded.header.alg !== 'RS256') throw invalid(`algorithm ${decoded.header.alg} is not RS256`);
      const kid = decoded.header.kid;
      if (!kid) throw invalid('no key id');
      const key = await keyFor(kid);
      if (!key) throw invalid(`unknown signing key ${kid}`);
      let payload: jwt.JwtPayload;
      try {
        payload = jwt.verify(idToken, key, {
          algorithms: ['RS256'],
          issuer: config.authUrl,
          audience: config.restApiKey!,
          clockTolerance: CLOCK_TOLERANCE_S,
        }) as jwt.JwtPayload;
      } catch (error) {
        const message = (error as Error).message;
        if (error instanceof jwt.TokenExpiredError) throw invalid('expired');
        if (/signature/.test(message)) throw invalid('bad signature');
        if (/audience/.test(message)) throw invalid('wrong audience');
        if (/issuer/.test(message)) throw invalid('wrong issuer');
        throw invalid(message);
      }
      if (typeof payload.exp !== 'number') throw invalid('no expiry');
      if (payload.nonce !== expected.nonce) throw invalid('nonce does not match this sign-in');
      if (payload.sub !== expected.subject) throw invalid('subject does not match the Kakao user');
    },
  };
}

export type KakaoIdTokens = ReturnType<typeof kakaoIdTokens>;
