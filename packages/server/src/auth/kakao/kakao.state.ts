/**
 * One-time OAuth states. `start` stores what the callback needs (site, purpose, PKCE verifier, nonce, the
 * origin the popup answers to) under a random state with a 10-minute expiry; the callback `take`s it —
 * an atomic get-and-delete, so a state works once even when two nodes race on it. Keys hold a digest of
 * the state, so the shared store never lists usable states.
 */
import { createHash } from 'node:crypto';
import { randomToken, sha256 } from '../../platform/crypto.js';
import type { SharedStore } from '../../platform/redis.js';

export const STATE_TTL_MS = 10 * 60 * 1000;

export interface KakaoState {
  /** `login` signs in (or up); `link` adds Kakao to the account `userId`. */
  purpose: 'login' | 'link';
  siteId: string;
  /** Set for `link`: the only account the callback may link. */
  userId?: string;
  /** PKCE code verifier; only its S256 challenge leaves the server. */
  verifier: string;
  /** OpenID Connect nonce, when `openid` is among the scopes. */
  nonce?: string;
  /** The page origin a popup callback posts its result to (one of the site's allowed origins). */
  origin?: string;
}

const key = (state: string) => `kakao:state:${sha256(state)}`;

/** The S256 challenge of a PKCE verifier. */
export function pkceChallenge(verifier: string): string {
  return createHash('sha256').update(verifier).digest('base64url');
}

/** A PKCE verifier (RFC 7636: 43–128 unreserved characters) and its S256 challenge. */
export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomToken(48); // 64 characters, 384 bits
  return { verifier, challenge: pkceChallenge(verifier) };
}

/** Stores `data` under a fresh 256-bit state and returns the state. */
export async function saveState(store: SharedStore, data: KakaoState): Promise<string> {
  const state = randomToken(32);
  await store.set(key(state), JSON.stringify(data), { ttlMs: STATE_TTL_MS, onlyIfAbsent: true });
  return state;
}

function parse(raw: string | null): KakaoState | undefined {
  if (raw === null) return undefined;
  try {
    return JSON.parse(raw) as KakaoState;
  } catch {
    return undefined;
  }
}

/** Returns the state's data and deletes it; undefined when unknown, expired or already used. */
export async function takeState(store: SharedStore, state: string): Promise<KakaoState | undefined> {
  return parse(await store.take(key(state)));
}

/** Reads the state's data without consuming it (the popup relays link callbacks to the page). */
export async function peekState(store: SharedStore, state: string): Promise<KakaoState | undefined> {
  return parse(await store.get(key(state)));
}
