/**
 * The webhook delivery worker; every node runs one (WEBHOOKS_ENABLED). It claims due deliveries with
 * `FOR UPDATE SKIP LOCKED` (deliveries.repository.ts: heads of their order key only, leased, attempt
 * counted, committed), POSTs each outside any transaction (safe-request.ts), and records the attempt:
 *
 * - a 2xx answer: delivered;
 * - anything else: due again after an exponential backoff with jitter (retry-schedule.ts: WEBHOOK_RETRY_BASE
 *   doubling up to WEBHOOK_RETRY_MAX) while that stays within the retry window (WEBHOOK_RETRY_WINDOW since
 *   the event); past it the delivery is failed (replayable) and its endpoint disabled with the reason;
 * - a node that dies mid-POST records nothing: its lease (WEBHOOK_TIMEOUT plus a margin) runs out and a
 *   worker on another node sends the delivery again. Delivery is at least once: receivers de-duplicate by
 *   event id.
 *
 * Idle, it looks every WEBHOOK_POLL_INTERVAL; `nudge()` (after a commit that queued deliveries) wakes it at
 * once. At most WEBHOOK_CONCURRENCY deliveries are in flight per node. Every now and then it also fails the
 * deliveries of disabled endpoints that outlived the window (they are still queued while the server has
 * them disabled, see outbox.ts). `stop()` aborts what is in flight (those are due again at once) and waits
 * for the attempts to be recorded; the server awaits it before closing the database.
 */
import { signWebhook, WEBHOOK_EVENT_ID_HEADER, WEBHOOK_SIGNATURE_HEADER } from '@synctalk/sdk/server';
import type { WebhookConfig } from '../config.js';
import type { Database } from '../platform/database.js';
import type { Logger } from '../platform/logger.js';
import { deliveriesRepository, type AttemptOutcome, type ClaimedDelivery } from './deliveries.repository.js';
import { endpointsRepository } from './endpoints.repository.js';
import { nextAttemptAt } from './retry-schedule.js';
import { safePost } from './safe-request.js';
import { webhookSecrets } from './webhook-secrets.js';

/** The header naming the event's type. */
export const WEBHOOK_EVENT_TYPE_HEADER = 'synctalk-event-type';
const USER_AGENT = 'SyncTalk-Webhooks/1';

/** How long past an attempt's own deadline a lease lasts (recording the outcome, a slow database). */
const LEASE_MARGIN_MS = 5_000;
/** How often the sweep of expired deliveries of disabled endpoints runs at most. */
const SWEEP_EVERY_MS = 30_000;

/** What a worker has done since it started: attempts by outcome, and deliveries that ran out of retries. */
export interface DeliveryCounts {
  delivered: number;
  failedAttempts: number;
  /** Deliveries marked `failed` after their last attempt (the sweep's of disabled endpoints included). */
  gaveUp: number;
}

export interface DeliveryWorker {
  /** Looks for due deliveries now (call after a commit that queued some). */
  nudge(): void;
  /** This node's counts, for the metrics. */
  readonly counts: Readonly<DeliveryCounts>;
  /** How many deliveries of the whole database wait to be sent (due or not). */
  pending(): Promise<number>;
  /** Stops claiming, aborts what is in flight and waits until its attempts are recorded. */
  stop(): Promise<void>;
}

export interface DeliveryWorkerDeps {
  db: Database;
  config: WebhookConfig;
  secretsKey: string;
  logger: Logger;
}

/** A worker that does nothing: for nodes with WEBHOOKS_ENABLED=false. */
export const idleDeliveryWorker: DeliveryWorker = {
  nudge: () => undefined,
  counts: { delivered: 0, failedAttempts: 0, gaveUp: 0 },
  pending: async () => 0,
  stop: async () => undefined,
};

/** Starts a worker. */
export function startDeliveryWorker(deps: DeliveryWorkerDeps): DeliveryWorker {
  const { config, logger } = deps;
  const repo = deliveriesRepository(deps.db);
  const endpoints = endpointsRepository(deps.db);
  const secretBox = webhookSecrets(deps.secretsKey);
  const leaseMs = config.timeoutMs + LEASE_MARGIN_MS;
  const stopping = new AbortController();
  const inFlight = new Set<Promise<void>>();
  let wake: (() => void) | undefined;
  let nudged = false;
  let lastSweep = 0;
  const counts: DeliveryCounts = { delivered: 0, failedAttempts: 0, gaveUp: 0 };

  const nudge = () => {
    nudged = true;
    wake?.();
  };

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      if (nudged || stopping.signal.aborted) return resolve();
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        wake = undefined;
        resolve();
      }
      wake = done;
    });

  async function deliver(d: ClaimedDelivery): Promise<void> {
    let outcome: AttemptOutcome;
    try {
      const secrets = [secretBox.open(d.secretEnc)];
      if (d.previousSecretEnc) secrets.push(secretBox.open(d.previousSecretEnc));
      const headers = {
        'content-type': 'application/json',
        'user-agent': USER_AGENT,
        [WEBHOOK_SIGNATURE_HEADER]: signWebhook(d.body, secrets, Math.floor(Date.now() / 1000)),
        [WEBHOOK_EVENT_ID_HEADER]: d.eventId,
        [WEBHOOK_EVENT_TYPE_HEADER]: d.eventType,
      };
      outcome = await safePost(d.url, d.body, headers, {
        timeoutMs: config.timeoutMs,
        allowPrivate: config.allowPrivate,
        signal: stopping.signal,
      });
    } catch (error) {
      // Not the receiver's doing (e.g. a secret that no longer decrypts): still an attempt that failed.
      outcome = { ok: false, status: null, error: `not sent: ${(error as Error).message}`, durationMs: 0 };
    }
    if (outcome.ok) {
      await repo.recordSuccess(d.id, outcome);
      counts.delivered += 1;
      return;
    }
    if (stopping.signal.aborted) return repo.release(d.id, d.attempt, outcome);
    counts.failedAttempts += 1;
    logger.warn(
      {
        endpointId: d.endpointId,
        deliveryId: d.id,
        eventId: d.eventId,
        attempt: d.attempt,
        status: outcome.status,
      },
      // The receiver's own words stay in the attempt log (for the site's admins), not in the server's.
      `webhook delivery failed: ${outcome.status === null ? outcome.error : `HTTP ${outcome.status}`}`,
    );
    const next = nextAttemptAt(d.createdAt, d.attempt, new Date(), {
      baseMs: config.retryBaseMs,
      maxMs: config.retryMaxMs,
      windowMs: config.retryWindowMs,
    });
    const result = await repo.recordFailure(d.id, d.attempt, outcome, next ?? null);
    if (result.failed) {
      counts.gaveUp += 1;
      const reason = `deliveries failing since ${result.failingSince.toISOString()}: ${outcome.error}`;
      if (await endpoints.disableWithReason(result.endpointId, reason.slice(0, 500))) {
        logger.warn(
          { endpointId: result.endpointId, failingSince: result.failingSince.toISOString() },
          'webhook endpoint disabled: its deliveries kept failing for the whole retry window',
        );
      }
    }
  }

  function launch(d: ClaimedDelivery): void {
    const run = deliver(d)
      .catch((error: unknown) =>
        // The lease runs out and the delivery is tried again.
        logger.warn({ err: error, deliveryId: d.id }, 'webhook delivery: recording the attempt failed'),
      )
      .finally(() => {
        inFlight.delete(run);
        nudge();
      });
    inFlight.add(run);
  }

  async function sweep(): Promise<void> {
    if (Date.now() - lastSweep < SWEEP_EVERY_MS) return;
    lastSweep = Date.now();
    const failed = await repo.failExpired(config.retryWindowMs);
    counts.gaveUp += failed;
    if (failed > 0)
      logger.warn({ failed }, 'webhook deliveries of disabled endpoints outlived the retry window');
  }

  async function loop(): Promise<void> {
    while (!stopping.signal.aborted) {
      nudged = false;
      try {
        await sweep();
        const free = config.concurrency - inFlight.size;
        if (free > 0) {
          const claimed = await repo.claim(free, leaseMs);
          for (const d of claimed) launch(d);
        }
      } catch (error) {
        if (stopping.signal.aborted) break;
        logger.warn({ err: error }, 'webhook delivery: claiming failed');
      }
      // A delivery that ends (a slot frees up, its room's next event may be due) nudges, and so do commits.
      await sleep(config.pollIntervalMs);
    }
  }

  const running = loop();

  return {
    nudge,
    counts,
    pending: () => repo.countPending(),
    async stop() {
      stopping.abort();
      wake?.();
      await running;
      await Promise.allSettled([...inFlight]);
    },
  };
}
