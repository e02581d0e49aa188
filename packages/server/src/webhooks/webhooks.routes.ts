/**
 * `/v1/site/webhooks…`: the request's site's webhook endpoints and their deliveries, for the site's ROLE_ADMIN
 * users and its API keys (the `siteAdmin` route mode). An endpoint of another site is a 404.
 */
import {
  createWebhookBody,
  replayWebhookBody,
  replayWebhookResponse,
  rotateWebhookSecretBody,
  updateWebhookBody,
  webhookDeliveriesQuery,
  webhookDeliveryPageResponse,
  webhookDeliveryParams,
  webhookDeliveryResponse,
  webhookEndpointListResponse,
  webhookEndpointResponse,
  webhookEndpointWithSecretResponse,
  webhookParams,
} from '@synctalk/sdk/schemas';
import type { DomainDeps } from '../domain-deps.js';
import type { Api } from '../platform/api.js';
import { currentSite } from '../sites/site-context.js';
import { webhooksService } from './webhooks.service.js';

const TAGS = ['webhooks'];

/** Registers `/v1/site/webhooks…`. */
export function registerWebhookRoutes(api: Api, deps: DomainDeps): void {
  const service = webhooksService({
    db: deps.db,
    secretsKey: deps.config.auth.secretsKey,
    nudge: () => deps.webhooks.nudge(),
  });
  const guarded = { tags: TAGS, auth: 'siteAdmin' as const };
  const denied = ['unauthorized', 'forbidden'];

  api.route({
    ...guarded,
    method: 'get',
    path: '/v1/site/webhooks',
    summary: "List my site's webhook endpoints",
    response: webhookEndpointListResponse,
    errors: denied,
    handler: async (ctx) => ({ items: await service.list(currentSite(ctx)) }),
  });

  api.route({
    ...guarded,
    method: 'post',
    path: '/v1/site/webhooks',
    summary: 'Create a webhook endpoint; answers its signing secret, shown this once',
    body: createWebhookBody,
    response: webhookEndpointWithSecretResponse,
    status: 201,
    errors: ['validation_failed', 'invalid_json', ...denied],
    handler: (ctx, { body }) => service.create(currentSite(ctx), body),
  });

  api.route({
    ...guarded,
    method: 'get',
    path: '/v1/site/webhooks/:id',
    summary: 'Get a webhook endpoint',
    params: webhookParams,
    response: webhookEndpointResponse,
    errors: ['validation_failed', ...denied, 'not_found'],
    handler: (ctx, { params }) => service.get(currentSite(ctx), params.id),
  });

  api.route({
    ...guarded,
    method: 'patch',
    path: '/v1/site/webhooks/:id',
    summary: 'Change a webhook endpoint; enabling it clears the reason it was disabled and resumes it',
    params: webhookParams,
    body: updateWebhookBody,
    response: webhookEndpointResponse,
    errors: ['validation_failed', 'invalid_json', ...denied, 'not_found'],
    handler: (ctx, { params, body }) => service.update(currentSite(ctx), params.id, body),
  });

  api.route({
    ...guarded,
    method: 'delete',
    path: '/v1/site/webhooks/:id',
    summary: 'Delete a webhook endpoint and its deliveries',
    params: webhookParams,
    status: 204,
    errors: ['validation_failed', ...denied, 'not_found'],
    handler: (ctx, { params }) => service.remove(currentSite(ctx), params.id),
  });

  api.route({
    ...guarded,
    method: 'post',
    path: '/v1/site/webhooks/:id/secret',
    summary:
      "Rotate a webhook endpoint's secret, shown this once; the previous one keeps signing during the overlap",
    params: webhookParams,
    body: rotateWebhookSecretBody,
    response: webhookEndpointWithSecretResponse,
    errors: ['validation_failed', 'invalid_json', ...denied, 'not_found'],
    handler: (ctx, { params, body }) =>
      service.rotateSecret(currentSite(ctx), params.id, body.overlapSeconds),
  });

  api.route({
    ...guarded,
    method: 'get',
    path: '/v1/site/webhooks/:id/deliveries',
    summary: "A webhook endpoint's deliveries with their latest attempts, newest first (keyset pages)",
    params: webhookParams,
    query: webhookDeliveriesQuery,
    response: webhookDeliveryPageResponse,
    errors: ['validation_failed', ...denied, 'not_found'],
    handler: (ctx, { params, query }) => service.deliveries(currentSite(ctx), params.id, query),
  });

  api.route({
    ...guarded,
    method: 'post',
    path: '/v1/site/webhooks/:id/deliveries/:deliveryId/replay',
    summary: 'Send one delivery again (a failed one, or a delivered one wanted again)',
    params: webhookDeliveryParams,
    response: webhookDeliveryResponse,
    errors: ['validation_failed', ...denied, 'not_found'],
    handler: (ctx, { params }) => service.replayOne(currentSite(ctx), params.id, params.deliveryId),
  });

  api.route({
    ...guarded,
    method: 'post',
    path: '/v1/site/webhooks/:id/replay',
    summary: "Send a webhook endpoint's failed deliveries again (all, or those since a time)",
    params: webhookParams,
    body: replayWebhookBody,
    response: replayWebhookResponse,
    errors: ['validation_failed', 'invalid_json', ...denied, 'not_found'],
    handler: (ctx, { params, body }) => service.replayFailed(currentSite(ctx), params.id, body.since),
  });
}
