/**
 * The sites repository as a node reads it on its hot paths: every REST request's site context, every socket
 * handshake and origin check, every send's write policy. Sites change rarely and are read all the time, so
 * the lookups are kept per node for `ttlMs` (5 s by default):
 *
 * - a change made through this repository (site update, secret rotation, new site) drops every entry on
 *   this node at once, and tells `onChange` listeners, which pass it on to the other nodes (chat/chat.ts
 *   does, through the Socket.IO adapter), where `invalidate()` drops theirs;
 * - a change made outside the server (SQL by hand) is seen within `ttlMs`.
 *
 * Unknown ids are not remembered (a client can make up any number of them); other entries are bounded by
 * `maxEntries` (the cache starts over when full). Concurrent misses of one key share one query. Secrets, the
 * sites listing and everything read through `repo` come from the database as it is; so does the public
 * room count, which a cached `Site` may carry stale (it changes with every public room).
 */
import type { Site, SitesRepository } from './sites.repository.js';

export interface SiteCacheOptions {
  /** How long a lookup is kept (ms). */
  ttlMs?: number;
  /** Entries kept at most; when full, the cache starts over. */
  maxEntries?: number;
  now?: () => number;
}

/** The lookups the hot paths make, cached; a `Site` from here may carry a stale `publicRoomCount`. */
export type SiteLookups = Pick<
  SitesRepository,
  'findById' | 'findByPublicId' | 'findDefault' | 'allOrigins' | 'anySiteAllows'
> & {
  /** Drops every cached lookup (a site changed on another node). */
  invalidate(): void;
  /** Calls `listener` after every change made through `repo`; returns a function to stop. */
  onChange(listener: () => void): () => void;
};

export interface CachedSites {
  lookups: SiteLookups;
  /** The repository, reading the database as it is; its writes drop the cached lookups. */
  repo: SitesRepository;
}

const DEFAULTS = { ttlMs: 5000, maxEntries: 10_000, now: Date.now };

interface Entry {
  value: Promise<unknown>;
  expires: number;
}

export function cachedSites(repo: SitesRepository, options: SiteCacheOptions = {}): CachedSites {
  const { ttlMs, maxEntries, now } = { ...DEFAULTS, ...options };
  const entries = new Map<string, Entry>();
  const listeners = new Set<() => void>();

  /** The cached `load()` of `key`; a result `keep` refuses (or a failure) is not kept. */
  function cached<T>(
    key: string,
    load: () => Promise<T>,
    keep: (value: T) => boolean = () => true,
  ): Promise<T> {
    const hit = entries.get(key);
    if (hit && hit.expires > now()) return hit.value as Promise<T>;
    if (entries.size >= maxEntries) entries.clear();
    const value = load();
    const entry: Entry = { value, expires: now() + ttlMs };
    entries.set(key, entry);
    const forget = () => {
      if (entries.get(key) === entry) entries.delete(key);
    };
    value.then((v) => {
      if (!keep(v)) forget();
    }, forget);
    return value;
  }

  /** Runs a write, then drops every entry and tells the listeners. */
  async function changing<T>(write: Promise<T>): Promise<T> {
    try {
      return await write;
    } finally {
      entries.clear();
      for (const listener of listeners) listener();
    }
  }

  const found = (site: Site | undefined) => site !== undefined;

  return {
    lookups: {
      findById: (id) => cached(`id:${id}`, () => repo.findById(id), found),
      findByPublicId: (publicId) => cached(`public:${publicId}`, () => repo.findByPublicId(publicId), found),
      findDefault: () => cached('default', () => repo.findDefault(), found),
      allOrigins: () => cached('origins', () => repo.allOrigins()),
      anySiteAllows: (origin) => cached(`allows:${origin}`, () => repo.anySiteAllows(origin)),
      invalidate: () => entries.clear(),
      onChange(listener) {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
    },
    repo: {
      ...repo,
      create: (input) => changing(repo.create(input)),
      createDefaultIfMissing: (input) => changing(repo.createDefaultIfMissing(input)),
      update: (id, patch) => changing(repo.update(id, patch)),
      setSecret: (id, secretEnc) => changing(repo.setSecret(id, secretEnc)),
    },
  };
}
