/**
 * zod schemas of webhooks: the events a site's backend receives (one envelope, a `data` per type) and the
 * REST shapes that manage a site's endpoints and their deliveries. The event payload reference in
 * `docs/webhooks.md` is generated from these.
 *
 * Every delivery is an HTTPS (or HTTP) `POST` of one event as JSON, signed with the endpoint's secret: see
 * `verifyWebhook` in `@synctalk/sdk/server`.
 */
import { z } from 'zod';
import { messageResponse, reactionResponse } from './messages.js';
import { id, isoDate, PUBLIC_ID } from './primitives.js';
import { memberResponse, roomResponse } from './rooms.js';
import { userSchema } from './auth.js';

/**
 * Every event type a webhook endpoint can subscribe to.
 *
 * @example
 * ```ts
 * await server.webhooks.create({ url, events: [...WEBHOOK_EVENT_TYPES] }); // everything
 * ```
 */
export const WEBHOOK_EVENT_TYPES = [
  'message.created',
  'message.updated',
  'message.deleted',
  'reaction.updated',
  'room.created',
  'room.updated',
  'room.deleted',
  'member.joined',
  'member.left',
  'member.banned',
  'user.created',
] as const;

/**
 * One event type (`WebhookEventType`).
 *
 * @example
 * ```ts
 * webhookEventType.parse('message.created');
 * ```
 */
export const webhookEventType = z.enum(WEBHOOK_EVENT_TYPES);

/**
 * The `data` of each event type: what changed, in the shapes the REST API answers with.
 *
 * - `message.*`: the message as stored after the change (a deleted message is its tombstone: empty text,
 *   `deletedAt` set). Delivered in the room's order (by `seq`, then edits and deletions as they happened).
 *   Edits and deletions carry the message's reactions with `me: false` (there is no viewer).
 * - `reaction.updated`: one reaction added or removed, with the emoji's new count (only when something
 *   changed: adding a reaction one already has sends nothing).
 * - `room.created` / `room.updated`: the room after the change, with its join code; `room.deleted`: its id
 *   and title. `room.updated` is sent for a new title, description, visibility, join code or owner (a
 *   transfer, or the owner leaving), not for member counts.
 * - `member.joined`: the new member (a new room's owner too, right after `room.created`); `member.left`:
 *   who and why (`left`, `kicked`); `member.banned`: who, and by whom. A ban removes a member with it, so
 *   no `member.left` precedes `member.banned`; banning someone already banned sends nothing.
 * - `user.created`: the new user, with your own id for them when they came from your backend. Signing in
 *   again (site token, Kakao) sends nothing.
 *
 * @example
 * ```ts
 * const { message } = webhookEventData['message.created'].parse(event.data);
 * ```
 */
export const webhookEventData = {
  'message.created': z.object({ roomId: z.string(), message: messageResponse }).meta({
    description: 'A message was sent (by a member, or by the site backend through the server API).',
  }),
  'message.updated': z
    .object({ roomId: z.string(), message: messageResponse })
    .meta({ description: "A message's text was edited; `message` is the message after the edit." }),
  'message.deleted': z.object({ roomId: z.string(), message: messageResponse }).meta({
    description: 'A message was deleted; `message` is its tombstone (empty text, `deletedAt` set).',
  }),
  'reaction.updated': reactionResponse.meta({
    description: "A reaction was added to or removed from a message; `count` is the emoji's new count.",
  }),
  'room.created': z.object({ room: roomResponse }).meta({ description: 'A room was created.' }),
  'room.updated': z.object({ room: roomResponse }).meta({
    description:
      'A room changed: title, description, visibility, owner or join code; `room` is the room after it.',
  }),
  'room.deleted': z
    .object({ roomId: z.string(), title: z.string() })
    .meta({ description: 'A room was deleted (its messages are no longer readable).' }),
  'member.joined': z
    .object({ roomId: z.string(), member: memberResponse })
    .meta({ description: 'A user became a member of a room (joined, was added, or created it).' }),
  'member.left': z
    .object({
      roomId: z.string(),
      userId: z.string(),
      reason: z.enum(['left', 'kicked']).meta({
        description: '`left`: by themselves; `kicked`: removed by a moderator, owner or the site backend.',
      }),
    })
    .meta({ description: 'A member left a room or was removed from it.' }),
  'member.banned': z
    .object({
      roomId: z.string(),
      userId: z.string(),
      byUserId: z
        .string()
        .nullable()
        .meta({ description: 'Who banned them; `null` when the site backend did.' }),
    })
    .meta({ description: 'A user was banned from a room (and is no longer a member).' }),
  'user.created': z
    .object({
      user: userSchema,
      externalId: z.string().nullable().meta({
        description:
          'Your id for the user (site tokens, the server API); `null` for users who signed up themselves.',
      }),
    })
    .meta({
      description: 'A user came to exist on the site: signed up, signed in the first time, or was upserted.',
    }),
} as const satisfies Record<(typeof WEBHOOK_EVENT_TYPES)[number], z.ZodType>;

const envelope = <T extends (typeof WEBHOOK_EVENT_TYPES)[number]>(type: T) =>
  z.object({
    /** The event's id: the same on every retry. De-duplicate on it. */
    id: z.string(),
    type: z.literal(type),
    /** When the change was committed. */
    createdAt: isoDate,
    /** The site's public id (`st_…`). */
    siteId: z.string().regex(PUBLIC_ID),
    data: webhookEventData[type],
  });

/**
 * One webhook event as delivered (`WebhookEvent`): the envelope with `type`-specific `data`.
 *
 * @example
 * ```ts
 * const event = webhookEventSchema.parse(JSON.parse(body));
 * if (event.type === 'message.created') notify(event.data.message);
 * ```
 */
export const webhookEventSchema = z
  .discriminatedUnion('type', [
    envelope('message.created'),
    envelope('message.updated'),
    envelope('message.deleted'),
    envelope('reaction.updated'),
    envelope('room.created'),
    envelope('room.updated'),
    envelope('room.deleted'),
    envelope('member.joined'),
    envelope('member.left'),
    envelope('member.banned'),
    envelope('user.created'),
  ])
  .meta({ id: 'WebhookEvent' });

/** The longest endpoint URL accepted. */
const URL_MAX = 2048;

/**
 * An endpoint URL: `https:` (or `http:`), no credentials in it, at most 2048 characters.
 *
 * @example
 * ```ts
 * webhookUrl.parse('https://example.com/hooks/synctalk');
 * ```
 */
export const webhookUrl = z
  .string()
  .max(URL_MAX)
  .refine(
    (value) => {
      try {
        const url = new URL(value);
        return (url.protocol === 'https:' || url.protocol === 'http:') && !url.username && !url.password;
      } catch {
        return false;
      }
    },
    { message: 'must be an http(s) URL without credentials' },
  );

/**
 * `POST /v1/site/webhooks`: a new endpoint. `events` defaults to every type.
 *
 * @example
 * ```ts
 * createWebhookBody.parse({ url: 'https://example.com/hooks', events: ['message.created'] });
 * ```
 */
export const createWebhookBody = z
  .strictObject({
    url: webhookUrl,
    events: z.array(webhookEventType).min(1).max(WEBHOOK_EVENT_TYPES.length).optional(),
    description: z.string().max(200).optional(),
    enabled: z.boolean().optional(),
  })
  .meta({ id: 'CreateWebhookRequest' });

/**
 * `PATCH /v1/site/webhooks/:id`: change the URL, the events, the description, or enable/disable it.
 * Enabling a disabled endpoint clears its reason and resumes its pending deliveries.
 *
 * @example
 * ```ts
 * updateWebhookBody.parse({ enabled: true });
 * ```
 */
export const updateWebhookBody = z
  .strictObject({
    url: webhookUrl.optional(),
    events: z.array(webhookEventType).min(1).max(WEBHOOK_EVENT_TYPES.length).optional(),
    description: z.string().max(200).optional(),
    enabled: z.boolean().optional(),
  })
  .refine((b) => Object.keys(b).length > 0, { message: 'nothing to change' })
  .meta({ id: 'UpdateWebhookRequest' });

/**
 * `POST /v1/site/webhooks/:id/secret`: a new secret. For `overlapSeconds` (default 86400, at most 7 days)
 * deliveries are signed with both, so receivers can switch without missing one.
 *
 * @example
 * ```ts
 * rotateWebhookSecretBody.parse({ overlapSeconds: 3600 });
 * ```
 */
export const rotateWebhookSecretBody = z
  .strictObject({
    overlapSeconds: z
      .number()
      .int()
      .min(0)
      .max(7 * 86_400)
      .optional(),
  })
  .meta({ id: 'RotateWebhookSecretRequest' });

/**
 * `/v1/site/webhooks/:id…` path parameters.
 *
 * @example
 * ```ts
 * webhookParams.parse({ id: '3' });
 * ```
 */
export const webhookParams = z.strictObject({ id });

/**
 * `/v1/site/webhooks/:id/deliveries/:deliveryId…` path parameters.
 *
 * @example
 * ```ts
 * webhookDeliveryParams.parse({ id: '3', deliveryId: '81' });
 * ```
 */
export const webhookDeliveryParams = z.strictObject({ id, deliveryId: id });

/**
 * A webhook endpoint (`WebhookEndpoint`). Its secret is never shown again after creation or rotation.
 *
 * @example
 * ```ts
 * const endpoint = webhookEndpointResponse.parse(await res.json());
 * if (!endpoint.enabled) console.warn(endpoint.disabledReason);
 * ```
 */
export const webhookEndpointResponse = z
  .object({
    id: z.string(),
    url: z.string(),
    events: z.array(webhookEventType),
    description: z.string(),
    enabled: z.boolean(),
    /** Why the server disabled it (deliveries kept failing); `null` when enabled or disabled by you. */
    disabledReason: z.string().nullable(),
    /** Until when the previous secret still signs deliveries too; `null` when there is none. */
    previousSecretExpiresAt: isoDate.nullable(),
    createdAt: isoDate,
    updatedAt: isoDate,
  })
  .meta({ id: 'WebhookEndpoint' });

/**
 * The answer to creating an endpoint or rotating its secret: the endpoint and its secret, shown this once.
 *
 * @example
 * ```ts
 * const { endpoint, secret } = webhookEndpointWithSecretResponse.parse(await res.json());
 * ```
 */
export const webhookEndpointWithSecretResponse = z
  .object({ endpoint: webhookEndpointResponse, secret: z.string() })
  .meta({ id: 'WebhookEndpointWithSecret' });

/**
 * A site's endpoints (`GET /v1/site/webhooks`).
 *
 * @example
 * ```ts
 * const { items } = webhookEndpointListResponse.parse(await res.json());
 * ```
 */
export const webhookEndpointListResponse = z.object({ items: z.array(webhookEndpointResponse) });

/**
 * One attempt to deliver an event (`WebhookAttempt`).
 *
 * @example
 * ```ts
 * const failed = delivery.attempts.filter((a) => !a.ok);
 * ```
 */
export const webhookAttemptResponse = z
  .object({
    at: isoDate,
    ok: z.boolean(),
    /** The receiver's HTTP status; `null` when no answer came (refused, timeout, DNS). */
    responseStatus: z.number().int().nullable(),
    durationMs: z.number().int(),
    error: z.string().nullable(),
  })
  .meta({ id: 'WebhookAttempt' });

/**
 * One event's delivery to one endpoint (`WebhookDelivery`): `pending` until the receiver answers 2xx
 * (`delivered`) or the retries run out (`failed`, replayable).
 *
 * @example
 * ```ts
 * const { items } = webhookDeliveryPageResponse.parse(await res.json());
 * const failed = items.filter((d) => d.status === 'failed');
 * ```
 */
export const webhookDeliveryResponse = z
  .object({
    id: z.string(),
    eventId: z.string(),
    eventType: webhookEventType,
    status: z.enum(['pending', 'delivered', 'failed']),
    attempts: z.number().int(),
    nextAttemptAt: isoDate.nullable(),
    /** When it was queued: with the event, or by the latest replay (its retry window starts then). */
    createdAt: isoDate,
    deliveredAt: isoDate.nullable(),
    lastError: z.string().nullable(),
    /** The latest attempts, newest first (at most 20). */
    recentAttempts: z.array(webhookAttemptResponse),
  })
  .meta({ id: 'WebhookDelivery' });

/**
 * `GET /v1/site/webhooks/:id/deliveries?status=&cursor=&limit=`: newest first.
 *
 * @example
 * ```ts
 * webhookDeliveriesQuery.parse({ status: 'failed', limit: '50' });
 * ```
 */
export const webhookDeliveriesQuery = z.strictObject({
  status: z.enum(['pending', 'delivered', 'failed']).optional(),
  cursor: z.string().max(64).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});

/**
 * A page of deliveries, newest first; pass `nextCursor` as `cursor` for older ones.
 *
 * @example
 * ```ts
 * const { items, nextCursor } = webhookDeliveryPageResponse.parse(await res.json());
 * ```
 */
export const webhookDeliveryPageResponse = z.object({
  items: z.array(webhookDeliveryResponse),
  nextCursor: z.string().nullable(),
});

/**
 * `POST /v1/site/webhooks/:id/replay`: queue failed deliveries again (all of them, or those created at or
 * after `since`). Answers how many were queued.
 *
 * @example
 * ```ts
 * replayWebhookBody.parse({ since: '2026-12-01T00:00:00Z' });
 * ```
 */
export const replayWebhookBody = z
  .strictObject({ since: z.iso.datetime({ offset: true }).optional() })
  .meta({ id: 'ReplayWebhookRequest' });

/**
 * How many deliveries a replay queued.
 *
 * @example
 * ```ts
 * const { queued } = replayWebhookResponse.parse(await res.json());
 * ```
 */
export const replayWebhookResponse = z.object({ queued: z.number().int() });
