/**
 * Shapes of the server API (`/v1/server/…`, for a site's own backend with a site API key) and of site API
 * key management, inferred from the wire schemas (`@synctalk/sdk/schemas`). Type-only: nothing of zod is
 * loaded at runtime.
 */
import type { z } from 'zod';
import type {
  apiKeyListResponse,
  apiKeyResponse,
  createApiKeyBody,
  createdApiKeyResponse,
  serverCreateRoomBody,
  serverRoomMember,
  serverSendMessageBody,
  serverUserResponse,
  setServerMemberBody,
  upsertServerUserBody,
  upsertServerUserResponse,
} from '../schemas/server-api.js';

/**
 * A site API key as listed: its id, name and first characters, never the key.
 *
 * @example
 * ```ts
 * const unused = (keys as ApiKey[]).filter((k) => k.lastUsedAt === null);
 * ```
 */
export type ApiKey = z.output<typeof apiKeyResponse>;

/**
 * The answer to creating a site API key: the key is in `key`, shown this once.
 *
 * @example
 * ```ts
 * const created: CreatedApiKey = await res.json();
 * saveSecret('SYNCTALK_API_KEY', created.key);
 * ```
 */
export type CreatedApiKey = z.output<typeof createdApiKeyResponse>;

/**
 * The site's live API keys.
 *
 * @example
 * ```ts
 * const { items }: ApiKeyList = await res.json();
 * ```
 */
export type ApiKeyList = z.output<typeof apiKeyListResponse>;

/**
 * The body creating a site API key.
 *
 * @example
 * ```ts
 * const request: CreateApiKeyRequest = { name: 'billing backend' };
 * ```
 */
export type CreateApiKeyRequest = z.input<typeof createApiKeyBody>;

/**
 * A user as the server API shows it: the public user plus the site's own id for them.
 *
 * @example
 * ```ts
 * const user: ServerUser = await server.users.get('user-42');
 * console.log(user.externalId, user.id);
 * ```
 */
export type ServerUser = z.output<typeof serverUserResponse>;

/**
 * The body of a user upsert: `displayName` and `avatarUrl` (`null` removes it); absent fields are kept.
 *
 * @example
 * ```ts
 * const profile: UpsertServerUserRequest = { displayName: 'Ann Lee' };
 * ```
 */
export type UpsertServerUserRequest = z.input<typeof upsertServerUserBody>;

/**
 * The answer to a user upsert: the user and whether the call created it.
 *
 * @example
 * ```ts
 * const { user, created }: UpsertServerUserResult = await server.users.upsert('user-42', { displayName: 'Ann' });
 * ```
 */
export type UpsertServerUserResult = z.output<typeof upsertServerUserResponse>;

/**
 * One initial member of a room created through the server API.
 *
 * @example
 * ```ts
 * const member: ServerRoomMember = { externalId: 'user-7', role: 'moderator' };
 * ```
 */
export type ServerRoomMember = z.input<typeof serverRoomMember>;

/**
 * The body creating a room through the server API.
 *
 * @example
 * ```ts
 * const request: ServerCreateRoomRequest = { title: 'Support', visibility: 'private', ownerExternalId: 'agent-1' };
 * ```
 */
export type ServerCreateRoomRequest = z.input<typeof serverCreateRoomBody>;

/**
 * The body adding a member or changing their role.
 *
 * @example
 * ```ts
 * const request: SetServerMemberRequest = { role: 'moderator' };
 * ```
 */
export type SetServerMemberRequest = z.input<typeof setServerMemberBody>;

/**
 * The body sending a message through the server API (as a member, or as the site's system user).
 *
 * @example
 * ```ts
 * const request: ServerSendMessageRequest = { text: 'Welcome!', clientMsgId: 'welcome-42' };
 * ```
 */
export type ServerSendMessageRequest = z.input<ReturnType<typeof serverSendMessageBody>>;
