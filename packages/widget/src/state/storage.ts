/**
 * Where the widget keeps the session: the host page's own storage (first-party, so browsers that partition
 * or block third-party storage do not sign anyone out). Falls back to memory when storage is unavailable
 * (disabled, full, or a sandboxed frame).
 */
import { memoryTokenStore, type Tokens, type TokenStore } from '@synctalk/sdk';
import type { StorageKind } from '../options.js';

/** The storage key of one server and site's session. */
export function sessionKey(server: string, site: string | undefined): string {
  return `synctalk:session:${server}|${site ?? 'default'}`;
}

function isTokens(value: unknown): value is Tokens {
  const t = value as Tokens | null;
  return (
    typeof t === 'object' &&
    t !== null &&
    typeof t.accessToken === 'string' &&
    typeof t.refreshToken === 'string' &&
    (t.accessExpiresAt === undefined || typeof t.accessExpiresAt === 'number')
  );
}

function webStorage(kind: StorageKind): Storage | undefined {
  try {
    const storage =
      kind === 'local' ? window.localStorage : kind === 'session' ? window.sessionStorage : undefined;
    if (!storage) return undefined;
    const probe = 'synctalk:probe';
    storage.setItem(probe, '1');
    storage.removeItem(probe);
    return storage;
  } catch {
    return undefined;
  }
}

/** A `TokenStore` over `localStorage` / `sessionStorage` under `key` (memory when unavailable). */
export function webTokenStore(kind: StorageKind, key: string): TokenStore {
  const storage = webStorage(kind);
  if (!storage) return memoryTokenStore();
  return {
    load() {
      try {
        const raw = storage.getItem(key);
        const parsed: unknown = raw ? JSON.parse(raw) : null;
        return isTokens(parsed) ? parsed : null;
      } catch {
        return null;
      }
    },
    save(tokens) {
      try {
        if (tokens) storage.setItem(key, JSON.stringify(tokens));
        else storage.removeItem(key);
      } catch {
        // Full or revoked storage: the session still lives in memory for this page.
      }
    },
  };
}
