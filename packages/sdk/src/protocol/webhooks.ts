/**
 * Webhook shapes, inferred from the wire schemas (`@synctalk/sdk/schemas`). Type-only: nothing of zod is
 * loaded at runtime. A webhook is one event `POST`ed to a site's endpoint, signed with the endpoint's secret
 * (verify it with `verifyWebhook` from `@synctalk/sdk/server`).
 */
import type { z } from 'zod';
import type {
  createWebhookBody,
  updateWebhookBody,
  webhookAttemptResponse,
  webhookDeliveryPageResponse,
  webhookDeliveryResponse,
  webhookEndpointResponse,
  webhookEndpointWithSecretResponse,
  webhookEventSchema,
  webhookEventType,
} from '../schemas/webhooks.js';

/**
 * One event type, e.g. `'message.created'`.
 *
 * @example
 * ```ts
 * const wanted: WebhookEventType[] = ['message.created', 'member.joined'];
 * ```
 */
export type WebhookEventType = z.output<typeof webhookEventType>;

/**
 * One delivered event: `{ id, type, createdAt, siteId, data }`, with `data` typed by `type`.
 *
 * @example
 * ```ts
 * function handle(event: WebhookEvent) {
 *   if (event.type === 'message.created') console.log(event.data.message.text);
 * }
 * ```
 */
export type WebhookEvent = z.output<typeof webhookEventSchema>;

/**
 * The event of one type.
 *
 * @example
 * ```ts
 * const onMessage = (event: WebhookEventOf<'message.created'>) => event.data.message;
 * ```
 */
export type WebhookEventOf<T extends WebhookEventType> = Extract<WebhookEvent, { type: T }>;

/**
 * A webhook endpoint of a site.
 *
 * @example
 * ```ts
 * const endpoints: WebhookEndpoint[] = (await server.webhooks.list()).items;
 * ```
 */
export type WebhookEndpoint = z.output<typeof webhookEndpointResponse>;

/**
 * An endpoint and its secret, as creation and rotation answer (the only times the secret is shown).
 *
 * @example
 * ```ts
 * const { endpoint, secret }: WebhookEndpointWithSecret = await server.webhooks.create({ url });
 * ```
 */
export type WebhookEndpointWithSecret = z.output<typeof webhookEndpointWithSecretResponse>;

/**
 * The body creating an endpoint.
 *
 * @example
 * ```ts
 * const request: CreateWebhookRequest = { url: 'https://example.com/hooks', events: ['message.created'] };
 * ```
 */
export type CreateWebhookRequest = z.input<typeof createWebhookBody>;

/**
 * The body changing an endpoint.
 *
 * @example
 * ```ts
 * const request: UpdateWebhookRequest = { enabled: true };
 * ```
 */
export type UpdateWebhookRequest = z.input<typeof updateWebhookBody>;

/**
 * One event's delivery to one endpoint, with its latest attempts.
 *
 * @example
 * ```ts
 * const failed = (page.items as WebhookDelivery[]).filter((d) => d.status === 'failed');
 * ```
 */
export type WebhookDelivery = z.output<typeof webhookDeliveryResponse>;

/**
 * One attempt of a delivery.
 *
 * @example
 * ```ts
 * const slow = (attempts as WebhookAttempt[]).filter((a) => a.durationMs > 1000);
 * ```
 */
export type WebhookAttempt = z.output<typeof webhookAttemptResponse>;

/**
 * A page of deliveries, newest first.
 *
 * @example
 * ```ts
 * let page: WebhookDeliveryPage = await server.webhooks.deliveries(id);
 * ```
 */
export type WebhookDeliveryPage = z.output<typeof webhookDeliveryPageResponse>;
