/** `createClient`: the typed SyncTalk client for browsers and Node. */
import { Endpoints } from './endpoints.js';
import { createHttpTransport } from './http.js';
import type { Connection } from './realtime/connection.js';
import { loadConnection } from './realtime/load-connection.js';
import type { ConnectOptions } from './realtime/options.js';
import { authApi, type AuthApi } from './rest/auth.js';
import { restContext } from './rest/call.js';
import { meApi, type MeApi } from './rest/me.js';
import { messagesApi, type MessagesApi } from './rest/messages.js';
import { roomsApi, type RoomsApi } from './rest/rooms.js';
import { siteApi, type SiteApi } from './rest/site.js';
import { Session } from './session.js';
import type { KeyValueStorage } from './storage.js';
import { memoryTokenStore, type TokenStore } from './token-store.js';

/**
 * Options of `createClient`.
 *
 * @example
 * ```ts
 * const options: ClientOptions = {
 *   baseUrl: 'https://chat.example.com',
 *   site: 'st_AbC123…',
 *   timeoutMs: 10_000,
 *   realtime: { reconnect: { maxMs: 5_000 } },
 * };
 * ```
 */
export interface ClientOptions {
  /**
   * The server's URL, e.g. `https://chat.example.com` (a load balancer in front of the nodes). A list of
   * node URLs is also accepted: the client uses one until it cannot reach it, then the next (REST reads are
   * retried on the next one at once; the realtime connection reconnects to it).
   */
  baseUrl: string | readonly string[];
  /** The site's public id (`st_…`), sent as `X-SyncTalk-Site` and in the socket handshake. Default: the server's default site. */
  site?: string;
  /** The `fetch` to use (default: the global one; Node 18+ and browsers have it). */
  fetch?: typeof fetch;
  /** Where the session's tokens are kept (default: memory). */
  tokens?: TokenStore;
  /** How long one HTTP request may take, in ms (default 15 000). */
  timeoutMs?: number;
  /** Defaults for `connect()`. */
  realtime?: ConnectOptions;
  /**
   * Where sends not yet stored by the server are kept, so they survive a reload or a crash and go out (once,
   * in order) when the client connects next; also room positions for `connect({ resume: true })`. Default:
   * none (memory only). Browsers: `localStorageAdapter()` or `indexedDbStorage()`; Node: any
   * `KeyValueStorage`.
   */
  storage?: KeyValueStorage;
}

/**
 * The client: REST API groups and `connect()` for realtime. Made by `createClient`.
 *
 * @example
 * ```ts
 * const client: SyncTalkClient = createClient({ baseUrl });
 * const rooms = await client.rooms.myRooms();
 * ```
 */
export interface SyncTalkClient {
  /** Sign-up, sign-in, refresh, sign-out. */
  readonly auth: AuthApi;
  /** The signed-in user. */
  readonly me: MeApi;
  /** Directory, rooms, memberships, moderation. */
  readonly rooms: RoomsApi;
  /** History and message operations over REST. */
  readonly messages: MessagesApi;
  /** The site's public information (no sign-in needed). */
  readonly siteInfo: SiteApi;
  /** The server URL in use now (the first of `baseUrl` until one fails). */
  readonly baseUrl: string;
  /** The configured site, if any. */
  readonly site: string | undefined;
  /**
   * Opens the realtime connection (signed in first); resolves once connected. The first call loads the
   * realtime part (socket.io-client included): a chunk of its own where the app's bundle is split.
   *
   * @example
   * ```ts
   * const chat = await client.connect();
   * chat.on('message:new', render);
   * await chat.joinRoom(roomId);
   * ```
   */
  connect(options?: ConnectOptions): Promise<Connection>;
}

/**
 * Creates a SyncTalk client.
 *
 * @example
 * ```ts
 * import { createClient } from '@synctalk/sdk';
 *
 * const client = createClient({ baseUrl: 'https://chat.example.com', site: 'st_AbC123…' });
 * await client.auth.login({ username: 'ann', password: 'correct horse battery' });
 * const { items } = await client.rooms.myRooms();
 *
 * const chat = await client.connect();
 * chat.on('message:new', (m) => console.log(`${m.author.displayName}: ${m.text}`));
 * await chat.joinRoom(items[0]!.id);
 * await chat.send(items[0]!.id, 'Hello!');
 * ```
 */
export function createClient(options: ClientOptions): SyncTalkClient {
  const fetchFn = options.fetch ?? (globalThis as { fetch?: typeof fetch }).fetch?.bind(globalThis);
  if (!fetchFn) throw new TypeError('No global fetch on this platform: pass options.fetch');
  const endpoints = new Endpoints(options.baseUrl);
  const http = createHttpTransport({
    endpoints,
    site: options.site,
    fetch: fetchFn,
    timeoutMs: options.timeoutMs ?? 15_000,
  });
  const session = new Session(http, options.tokens ?? memoryTokenStore());
  const ctx = restContext(http, session);
  const messages = messagesApi(ctx);

  return {
    auth: authApi(ctx),
    me: meApi(ctx),
    rooms: roomsApi(ctx),
    messages,
    siteInfo: siteApi(ctx),
    get baseUrl() {
      return endpoints.current();
    },
    site: options.site,
    async connect(connectOptions) {
      const Connection = await loadConnection();
      const connection = new Connection({
        endpoints,
        session,
        site: options.site,
        fetchHistory: (roomId, query) => messages.history(roomId, query),
        options: { ...options.realtime, ...connectOptions },
        storage: options.storage,
      });
      await connection.start();
      return connection;
    },
  };
}
