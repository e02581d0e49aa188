/**
 * A site's webhook endpoints and their deliveries: create (the secret is answered this once), list, read,
 * change, delete, rotate the secret (the previous one keeps signing during the overlap), list deliveries with
 * their latest attempts, and replay. Every operation is scoped to one site: another site's endpoint is a 404.
 */
import {
  WEBHOOK_EVENT_TYPES,
  type createWebhookBody,
  type updateWebhookBody,
  type webhookDeliveriesQuery,
  type webhookDeliveryPageResponse,
  type webhookDeliveryResponse,
  type webhookEndpointResponse,
} from '@synctalk/sdk/schemas';
import { z } from 'zod';
import type { Database } from '../platform/database.js';
import { AppError } from '../platform/errors.js';
import { cursorCodec, fetchLimit, takePage } from '../platform/pagination.js';
import type { Site } from '../sites/sites.repository.js';
import { deliveriesRepository, type AttemptRecord, type DeliveryRecord } from './deliveries.repository.js';
import { endpointsRepository, type WebhookEndpointRecord } from './endpoints.repository.js';
import { webhookSecrets } from './webhook-secrets.js';

/** The overlap of a rotated secret when the request names none: one day. */
export const DEFAULT_SECRET_OVERLAP_SECONDS = 86_400;
/** How many attempts each listed delivery shows. */
const RECENT_ATTEMPTS = 20;

type EndpointView = z.output<typeof webhookEndpointResponse>;
type DeliveryView = z.output<typeof webhookDeliveryResponse>;

export function endpointView(e: WebhookEndpointRecord): EndpointView {
  const previousLive = e.previousSecretExpiresAt && e.previousSecretExpiresAt.getTime() > Date.now();
  return {
    id: e.id,
    url: e.url,
    events: e.events,
    description: e.description,
    enabled: e.enabled,
    disabledReason: e.disabledReason,
    previousSecretExpiresAt: previousLive ? e.previousSecretExpiresAt!.toISOString() : null,
    createdAt: e.createdAt.toISOString(),
    updatedAt: e.updatedAt.toISOString(),
  };
}

function deliveryView(d: DeliveryRecord, attempts: AttemptRecord[]): DeliveryView {
  return {
    id: d.id,
    eventId: d.eventId,
    eventType: d.eventType,
    status: d.status,
    attempts: d.attempts,
    nextAttemptAt: d.status === 'pending' ? d.nextAttemptAt.toISOString() : null,
    createdAt: d.createdAt.toISOString(),
    deliveredAt: d.deliveredAt?.toISOString() ?? null,
    lastError: d.lastError,
    recentAttempts: attempts.map((a) => ({
      at: a.at.toISOString(),
      ok: a.ok,
      responseStatus: a.responseStatus,
      durationMs: a.durationMs,
      error: a.error,
    })),
  };
}

const cursorPayload = z.object({ id: z.string().regex(/^\d{1,18}$/) });

export interface WebhooksServiceDeps {
  db: Database;
  secretsKey: string;
  /** Wakes this node's delivery worker (after a replay). */
  nudge(): void;
}

export function webhooksService(deps: WebhooksServiceDeps) {
  const endpoints = endpointsRepository(deps.db);
  const deliveries = deliveriesRepository(deps.db);
  const secrets = webhookSecrets(deps.secretsKey);
  const cursors = cursorCodec(deps.secretsKey, 'webhook-deliveries');

  async function find(site: Site, id: string): Promise<WebhookEndpointRecord> {
    const endpoint = await endpoints.find(site.id, id);
    if (!endpoint) throw new AppError('not_found', 'No such webhook endpoint');
    return endpoint;
  }

  return {
    async list(site: Site): Promise<EndpointView[]> {
      return (await endpoints.listBySite(site.id)).map(endpointView);
    },

    async get(site: Site, id: string): Promise<EndpointView> {
      return endpointView(await find(site, id));
    },

    async create(
      site: Site,
      body: z.output<typeof createWebhookBody>,
    ): Promise<{ endpoint: EndpointView; secret: string }> {
      const { secret, secretEnc } = secrets.generate();
      const endpoint = await endpoints.create({
        siteId: site.id,
        url: body.url,
        description: body.description ?? '',
        events: body.events ? [...new Set(body.events)] : [...WEBHOOK_EVENT_TYPES],
        enabled: body.enabled ?? true,
        secretEnc,
      });
      return { endpoint: endpointView(endpoint), secret };
    },

    async update(site: Site, id: string, body: z.output<typeof updateWebhookBody>): Promise<EndpointView> {
      const changed = await endpoints.update(site.id, id, {
        ...body,
        events: body.events && [...new Set(body.events)],
      });
      if (!changed) throw new AppError('not_found', 'No such webhook endpoint');
      // Enabling resumes the endpoint's pending deliveries.
      if (body.enabled) deps.nudge();
      return endpointView(changed);
    },

    async remove(site: Site, id: string): Promise<void> {
      if (!(await endpoints.remove(site.id, id))) throw new AppError('not_found', 'No such webhook endpoint');
    },

    async rotateSecret(
      site: Site,
      id: string,
      overlapSeconds = DEFAULT_SECRET_OVERLAP_SECONDS,
    ): Promise<{ endpoint: EndpointView; secret: string }> {
      const { secret, secretEnc } = secrets.generate();
      const endpoint = await endpoints.rotateSecret(site.id, id, secretEnc, overlapSeconds);
      if (!endpoint) throw new AppError('not_found', 'No such webhook endpoint');
      return { endpoint: endpointView(endpoint), secret };
    },

    async deliveries(
      site: Site,
      id: string,
      query: z.output<typeof webhookDeliveriesQuery>,
    ): Promise<z.output<typeof webhookDeliveryPageResponse>> {
      const endpoint = await find(site, id);
      const scope = `${site.id}:${endpoint.id}:${query.status ?? ''}`;
      const beforeId = query.cursor ? cursors.decode(scope, query.cursor, cursorPayload).id : undefined;
      const rows = await deliveries.page(endpoint.id, {
        status: query.status,
        beforeId,
        limit: fetchLimit(query.limit),
      });
      const { page, hasMore } = takePage(rows, query.limit);
      const attempts = await deliveries.recentAttempts(
        page.map((d) => d.id),
        RECENT_ATTEMPTS,
      );
      return {
        items: page.map((d) => deliveryView(d, attempts.get(d.id) ?? [])),
        nextCursor: hasMore ? cursors.encode(scope, { id: page[page.length - 1]!.id }) : null,
      };
    },

    /** Queues one delivery again (failed, or delivered and wanted again); a pending one stays as it is. */
    async replayOne(site: Site, id: string, deliveryId: string): Promise<DeliveryView> {
      const endpoint = await find(site, id);
      const delivery = await deliveries.replayOne(endpoint.id, deliveryId);
      if (!delivery) throw new AppError('not_found', 'No such delivery');
      deps.nudge();
      const attempts = await deliveries.recentAttempts([delivery.id], RECENT_ATTEMPTS);
      return deliveryView(delivery, attempts.get(delivery.id) ?? []);
    },

    /** Queues every failed delivery again (those created at or after `since` when given). */
    async replayFailed(site: Site, id: string, since?: string): Promise<{ queued: number }> {
      const endpoint = await find(site, id);
      const queued = await deliveries.replayFailed(endpoint.id, since ? new Date(since) : undefined);
      if (queued > 0) deps.nudge();
      return { queued };
    },
  };
}

export type WebhooksService = ReturnType<typeof webhooksService>;
