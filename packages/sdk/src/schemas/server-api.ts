/**
 * zod schemas of the server API: what a site's own backend sends with a site API key (`/v1/server/…`), and
 * the management of those keys by the site's admins (`/v1/site/api-keys`).
 */
import { z } from 'zod';
import { avatarUrl, displayName, userSchema } from './auth.js';
import { clientMsgId, messageText, type MessageLimits } from './messages.js';
import { id, isoDate, text } from './primitives.js';
import { createRoomBody, roomRole } from './rooms.js';

/**
 * Longest external id: the site's own id for a user (the `sub` of site tokens), in characters.
 *
 * @example
 * ```ts
 * const fits = userId.length <= EXTERNAL_ID_MAX;
 * ```
 */
export const EXTERNAL_ID_MAX = 128;

// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001F\u007F-\u009F]/;

/**
 * The site's own id for a user: 1–128 characters without control characters (the `sub` of a site token).
 *
 * @example
 * ```ts
 * externalId.parse('user-42'); // 'user-42'
 * externalId.safeParse('').success; // false
 * ```
 */
export const externalId = z
  .string()
  .min(1, 'must not be empty')
  .max(EXTERNAL_ID_MAX, `must be at most ${EXTERNAL_ID_MAX} characters`)
  .refine((s) => !CONTROL.test(s), { message: 'must not contain control characters' })
  .meta({ description: "The site's own id for the user (the `sub` of its site tokens)" });

/**
 * Site API keys start with this, so they are told apart from access tokens (and found by secret scanners).
 *
 * @example
 * ```ts
 * if (!key.startsWith(API_KEY_PREFIX)) throw new Error('not a SyncTalk site API key');
 * ```
 */
export const API_KEY_PREFIX = 'stk_';

/**
 * `POST /v1/site/api-keys`: a new key for the request's site; `name` tells keys apart.
 *
 * @example
 * ```ts
 * createApiKeyBody.parse({ name: 'billing backend' });
 * ```
 */
export const createApiKeyBody = z
  .strictObject({
    /** 1–100 characters, one line. */
    name: text({ max: 100 }),
  })
  .meta({ id: 'CreateApiKeyRequest' });

/**
 * `/v1/site/api-keys/:id` path parameters.
 *
 * @example
 * ```ts
 * apiKeyParams.parse({ id: '3' });
 * ```
 */
export const apiKeyParams = z.strictObject({ id });

/**
 * A site API key as listed (`ApiKey`): never the key itself, only its first characters.
 *
 * @example
 * ```ts
 * const key = apiKeyResponse.parse(json);
 * console.log(`${key.name}: ${key.prefix}… last used ${key.lastUsedAt ?? 'never'}`);
 * ```
 */
export const apiKeyResponse = z
  .object({
    id: z.string(),
    name: z.string(),
    /** The key's first characters (`stk_` and 8 more), to recognise it. */
    prefix: z.string(),
    createdAt: isoDate,
    /** When the key last authenticated a request (updated at most about once a minute); `null`: never. */
    lastUsedAt: isoDate.nullable(),
  })
  .meta({ id: 'ApiKey' });

/**
 * The answer to creating a key: the key (`key`), shown this once; only its SHA-256 digest is stored.
 *
 * @example
 * ```ts
 * const { apiKey, key } = createdApiKeyResponse.parse(await res.json());
 * ```
 */
export const createdApiKeyResponse = z
  .object({
    apiKey: apiKeyResponse,
    /** `stk_…`: send it as `Authorization: Bearer <key>` to `/v1/server/…`. Never shown again. */
    key: z.string(),
  })
  .meta({ id: 'CreatedApiKey' });

/**
 * The site's keys that are not revoked (`GET /v1/site/api-keys`), oldest first.
 *
 * @example
 * ```ts
 * const { items } = apiKeyListResponse.parse(await res.json());
 * ```
 */
export const apiKeyListResponse = z.object({ items: z.array(apiKeyResponse) }).meta({ id: 'ApiKeyList' });

/**
 * `/v1/server/users/:externalId…` path parameters.
 *
 * @example
 * ```ts
 * serverUserParams.parse({ externalId: 'user-42' });
 * ```
 */
export const serverUserParams = z.strictObject({ externalId });

/**
 * `PUT /v1/server/users/:externalId`: creates the user, or changes what is given. A new user without
 * `displayName` is called by their external id; `avatarUrl: null` removes the avatar.
 *
 * @example
 * ```ts
 * upsertServerUserBody.parse({ displayName: 'Ann Lee', avatarUrl: 'https://cdn.example.com/a/42.png' });
 * ```
 */
export const upsertServerUserBody = z
  .strictObject({
    displayName: displayName.optional(),
    avatarUrl: avatarUrl.nullable().optional(),
  })
  .meta({ id: 'UpsertServerUserRequest' });

/**
 * A user of the site as the server API shows it (`ServerUser`): the public user plus the site's id for it.
 *
 * @example
 * ```ts
 * const user = serverUserResponse.parse(await res.json());
 * console.log(user.externalId, user.id);
 * ```
 */
export const serverUserResponse = userSchema
  .extend({
    /** The site's own id for this user. */
    externalId: z.string(),
  })
  .meta({ id: 'ServerUser' });

/**
 * `PUT /v1/server/users/:externalId` answers the user, and whether this call created it.
 *
 * @example
 * ```ts
 * const { user, created } = upsertServerUserResponse.parse(await res.json());
 * ```
 */
export const upsertServerUserResponse = z
  .object({ user: serverUserResponse, created: z.boolean() })
  .meta({ id: 'UpsertServerUserResponse' });

/**
 * One initial member of a room created through the server API.
 *
 * @example
 * ```ts
 * serverRoomMember.parse({ externalId: 'user-7', role: 'moderator' });
 * ```
 */
export const serverRoomMember = z.strictObject({
  externalId,
  /** Default `member`. `owner` is given with `ownerExternalId` instead. */
  role: z.enum(['moderator', 'member']).default('member'),
});

/**
 * `POST /v1/server/rooms`: a room of the key's site. Its owner is the user `ownerExternalId` names, else the
 * site's system user. `members` (at most 100, users the site has upserted) join it at once.
 *
 * @example
 * ```ts
 * serverCreateRoomBody.parse({
 *   title: 'Order #1042',
 *   visibility: 'private',
 *   ownerExternalId: 'support-1',
 *   members: [{ externalId: 'customer-9' }],
 * });
 * ```
 */
export const serverCreateRoomBody = createRoomBody
  .extend({
    ownerExternalId: externalId.optional(),
    members: z.array(serverRoomMember).max(100).optional(),
  })
  .meta({ id: 'ServerCreateRoomRequest' });

/**
 * `/v1/server/rooms/:id/members/:externalId` path parameters.
 *
 * @example
 * ```ts
 * serverMemberParams.parse({ id: '42', externalId: 'user-7' });
 * ```
 */
export const serverMemberParams = z.strictObject({ id, externalId });

/**
 * `PUT /v1/server/rooms/:id/members/:externalId`: adds the user to the room with `role` (default
 * `member`), or changes their role. `owner` transfers ownership (the previous owner becomes a moderator).
 *
 * @example
 * ```ts
 * setServerMemberBody.parse({ role: 'moderator' });
 * ```
 */
export const setServerMemberBody = z
  .strictObject({ role: roomRole.default('member') })
  .meta({ id: 'SetServerMemberRequest' });

/**
 * `POST /v1/server/rooms/:id/messages`: a message as the user `asExternalId` names (a member of the room),
 * else as the site's system user. Idempotent on `clientMsgId` like every send (one is made up when absent,
 * so a retry without one may store the message twice).
 *
 * @example
 * ```ts
 * const body = serverSendMessageBody({ maxTextLength: 4000 }).parse({ text: 'Your order shipped', clientMsgId: 'order-1042-shipped' });
 * ```
 */
export function serverSendMessageBody(limits: MessageLimits = {}) {
  return z
    .strictObject({
      text: messageText(limits),
      clientMsgId: clientMsgId.optional(),
      asExternalId: externalId.optional(),
      replyTo: id.optional(),
    })
    .meta({ id: 'ServerSendMessageRequest' });
}
