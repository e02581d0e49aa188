/**
 * `createServerClient`: the typed client of the server API, for a site's own backend. It authenticates with
 * a site API key (`stk_…`, made by the site's admins with `POST /v1/site/api-keys`), never a user's token,
 * and acts on the key's site only: users by the site's own ids, rooms, members, messages as a member or as
 * the site's system user, and the site's webhook endpoints. Errors are `SyncTalkError`s.
 */
import type { AuthResponse } from '../protocol/auth.js';
import type { Message, MessagePage } from '../protocol/messages.js';
import type { Room, RoomMember, RoomRole, UpdateRoomRequest } from '../protocol/rooms.js';
import type {
  ServerCreateRoomRequest,
  ServerSendMessageRequest,
  ServerUser,
  UpsertServerUserRequest,
  UpsertServerUserResult,
} from '../protocol/server-api.js';
import type {
  CreateWebhookRequest,
  UpdateWebhookRequest,
  WebhookDeliveryPage,
  WebhookEndpoint,
  WebhookEndpointWithSecret,
} from '../protocol/webhooks.js';
import { errorFromBody, errorFromStatus, isErrorBody, networkError } from '../client/errors.js';

/**
 * The options of `createServerClient`.
 *
 * @example
 * ```ts
 * const options: ServerClientOptions = {
 *   baseUrl: 'https://chat.example.com',
 *   site: 'st_AbC123',
 *   apiKey: process.env.SYNCTALK_API_KEY!,
 * };
 * ```
 */
export interface ServerClientOptions {
  /** The SyncTalk server, e.g. `https://chat.example.com`. */
  baseUrl: string;
  /** The site's public id (`st_…`): sent as `X-SyncTalk-Site`; a key of another site is refused. */
  site: string;
  /** A site API key (`stk_…`). Keep it on your server. */
  apiKey: string;
  /** The `fetch` to use (default: the global one). */
  fetch?: typeof fetch;
  /** Per-request timeout in milliseconds (default 30 000). */
  timeoutMs?: number;
}

/**
 * Which page of history to read: the latest (default), or the page before/after a `seq`.
 *
 * @example
 * ```ts
 * const page = await server.messages.history(roomId, { before: '120', limit: 50 });
 * ```
 */
export interface ServerHistoryQuery {
  before?: string;
  after?: string;
  /** 1–100 (default 50). */
  limit?: number;
}

/**
 * Which deliveries of a webhook endpoint to list, newest first.
 *
 * @example
 * ```ts
 * const failed = await server.webhooks.deliveries(endpointId, { status: 'failed', limit: 100 });
 * ```
 */
export interface WebhookDeliveriesOptions {
  status?: 'pending' | 'delivered' | 'failed';
  /** `nextCursor` of the previous page. */
  cursor?: string;
  /** 1–100 (default 20). */
  limit?: number;
}

/**
 * The typed client of the server API that `createServerClient` returns.
 *
 * @example
 * ```ts
 * const server: ServerClient = createServerClient({ baseUrl, site, apiKey });
 * await server.users.upsert('user-42', { displayName: 'Ann' });
 * ```
 */
export interface ServerClient {
  users: {
    /** Creates or updates the site's user with this external id (absent fields are kept). */
    upsert(externalId: string, profile?: UpsertServerUserRequest): Promise<UpsertServerUserResult>;
    /** The site's user with this external id (`not_found` when there is none). */
    get(externalId: string): Promise<ServerUser>;
    /** A new session for the user, as a sign-in answers: hand it to the browser SDK. */
    createToken(externalId: string): Promise<AuthResponse>;
  };
  rooms: {
    /** Creates a room owned by `ownerExternalId`'s user (else the site's system user), with initial members. */
    create(room: ServerCreateRoomRequest): Promise<Room>;
    /** Changes title, description or visibility. */
    update(roomId: string, patch: UpdateRoomRequest): Promise<Room>;
    /** Deletes the room with its messages and memberships. */
    delete(roomId: string): Promise<void>;
  };
  members: {
    /** Adds the user to the room with `role` (default `member`), or changes their role. */
    set(roomId: string, externalId: string, role?: RoomRole): Promise<RoomMember>;
    /** Removes the user from the room (they may join again). */
    remove(roomId: string, externalId: string): Promise<void>;
  };
  messages: {
    /** Sends as `asExternalId`'s user (a member), else as the site's system user; idempotent on `clientMsgId`. */
    send(roomId: string, message: ServerSendMessageRequest): Promise<Message>;
    /** A page of the room's history, oldest first. */
    history(roomId: string, query?: ServerHistoryQuery): Promise<MessagePage>;
  };
  webhooks: {
    /** The site's webhook endpoints. */
    list(): Promise<{ items: WebhookEndpoint[] }>;
    /** A new endpoint; its signing secret is in the answer, shown this once. */
    create(endpoint: CreateWebhookRequest): Promise<WebhookEndpointWithSecret>;
    get(endpointId: string): Promise<WebhookEndpoint>;
    update(endpointId: string, patch: UpdateWebhookRequest): Promise<WebhookEndpoint>;
    delete(endpointId: string): Promise<void>;
    /** A new secret; the previous one keeps signing too for `overlapSeconds` (default one day). */
    rotateSecret(
      endpointId: string,
      options?: { overlapSeconds?: number },
    ): Promise<WebhookEndpointWithSecret>;
    /** The endpoint's deliveries with their latest attempts, newest first. */
    deliveries(endpointId: string, options?: WebhookDeliveriesOptions): Promise<WebhookDeliveryPage>;
    /** Queues the endpoint's failed deliveries again (those created at or after `since`, else all). */
    replay(endpointId: string, options?: { since?: string }): Promise<{ queued: number }>;
  };
}

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

const seg = (value: string) => encodeURIComponent(value);

function query(values: Record<string, string | number | undefined>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(values)) if (value !== undefined) params.set(key, String(value));
  const text = params.toString();
  return text ? `?${text}` : '';
}

/**
 * Creates the server API client for one site. Node.js (or any server runtime with `fetch`) only: the API key
 * must never reach a browser.
 *
 * @example
 * ```ts
 * import { createServerClient } from '@synctalk/sdk/server';
 *
 * const server = createServerClient({
 *   baseUrl: 'https://chat.example.com',
 *   site: 'st_AbC123',
 *   apiKey: process.env.SYNCTALK_API_KEY!,
 * });
 * await server.users.upsert('user-42', { displayName: 'Ann Lee' });
 * const room = await server.rooms.create({
 *   title: 'Order #1042',
 *   visibility: 'private',
 *   members: [{ externalId: 'user-42' }],
 * });
 * await server.messages.send(room.id, { text: 'Your order shipped', clientMsgId: 'order-1042-shipped' });
 * const session = await server.users.createToken('user-42'); // for the browser SDK
 * ```
 */
export function createServerClient(options: ServerClientOptions): ServerClient {
  const base = options.baseUrl.replace(/\/+$/, '');
  const doFetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  const timeoutMs = options.timeoutMs ?? 30_000;

  async function call<T>(method: Method, path: string, body?: unknown): Promise<T> {
    const url = `${base}${path}`;
    const headers: Record<string, string> = {
      authorization: `Bearer ${options.apiKey}`,
      'x-synctalk-site': options.site,
      accept: 'application/json',
    };
    if (body !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    try {
      res = await doFetch(url, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      throw networkError(url, error);
    }
    if (res.status === 204) return undefined as T;
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    const retryHeader = res.headers.get('retry-after');
    const retryAfter = retryHeader && /^\d+$/.test(retryHeader) ? Number(retryHeader) : undefined;
    if (!res.ok) {
      if (isErrorBody(parsed)) throw errorFromBody(parsed, res.status, retryAfter);
      throw errorFromStatus(res.status, res.statusText, retryAfter);
    }
    return parsed as T;
  }

  const room = (roomId: string) => `/v1/server/rooms/${seg(roomId)}`;
  const user = (externalId: string) => `/v1/server/users/${seg(externalId)}`;
  const webhook = (endpointId: string) => `/v1/site/webhooks/${seg(endpointId)}`;

  return {
    users: {
      upsert: (externalId, profile = {}) => call('PUT', user(externalId), profile),
      get: (externalId) => call('GET', user(externalId)),
      createToken: (externalId) => call('POST', `${user(externalId)}/token`),
    },
    rooms: {
      create: (body) => call('POST', '/v1/server/rooms', body),
      update: (roomId, patch) => call('PATCH', room(roomId), patch),
      delete: (roomId) => call('DELETE', room(roomId)),
    },
    members: {
      set: (roomId, externalId, role = 'member') =>
        call('PUT', `${room(roomId)}/members/${seg(externalId)}`, { role }),
      remove: (roomId, externalId) => call('DELETE', `${room(roomId)}/members/${seg(externalId)}`),
    },
    messages: {
      send: async (roomId, message) =>
        (await call<{ message: Message }>('POST', `${room(roomId)}/messages`, message)).message,
      history: (roomId, q = {}) =>
        call('GET', `${room(roomId)}/messages${query({ before: q.before, after: q.after, limit: q.limit })}`),
    },
    webhooks: {
      list: () => call('GET', '/v1/site/webhooks'),
      create: (endpoint) => call('POST', '/v1/site/webhooks', endpoint),
      get: (endpointId) => call('GET', webhook(endpointId)),
      update: (endpointId, patch) => call('PATCH', webhook(endpointId), patch),
      delete: (endpointId) => call('DELETE', webhook(endpointId)),
      rotateSecret: (endpointId, body = {}) => call('POST', `${webhook(endpointId)}/secret`, body),
      deliveries: (endpointId, o = {}) =>
        call(
          'GET',
          `${webhook(endpointId)}/deliveries${query({ status: o.status, cursor: o.cursor, limit: o.limit })}`,
        ),
      replay: (endpointId, body = {}) => call('POST', `${webhook(endpointId)}/replay`, body),
    },
  };
}
