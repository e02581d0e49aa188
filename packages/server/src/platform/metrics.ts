/**
 * Prometheus metrics (METRICS_ENABLED, default on). Each server instance has its own registry, so several
 * servers in one process (tests, embedding) never mix their series.
 *
 * They are collected whenever enabled but served only where asked, never openly on the public port:
 * `GET /metrics` on a listener of their own (METRICS_PORT on METRICS_HOST, default 127.0.0.1: `app()`), and
 * on the public port with `Authorization: Bearer <METRICS_TOKEN>` (`middleware({ token })`).
 *
 * - `http_request_duration_seconds{method, route, status}`: `route` is the matched route template
 *   (`/v1/rooms/:id`) or `unmatched`, never the raw path, so ids in URLs cannot blow up the series count.
 * - `synctalk_db_pool_connections{state="used|free|pending"}` and `synctalk_db_pool_max`: the database pool
 *   (PostgreSQL: the Knex pool; embedded PGlite: its single connection).
 * - `synctalk_socket_connections`: connected Socket.IO clients on this node.
 * - `synctalk_sends_in_progress` and `synctalk_sends_refused_total{reason="full|behind"}`: the node's bound on
 *   sends in progress (SEND_QUEUE_MAX, messages/send-admission.ts) and the sends it refused.
 * - `synctalk_webhook_attempts_total{outcome="delivered|failed"}` (this node's delivery attempts),
 *   `synctalk_webhook_deliveries_failed_total` (deliveries that ran out of retries here) and
 *   `synctalk_webhook_deliveries_pending` (waiting to be sent, whole database): webhooks/delivery-worker.ts.
 * - the process defaults (CPU, memory, event loop lag, GC, handles), as prom-client names them.
 *
 * Gauges are read when scraped, so nothing has to report changes as they happen.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import Router from '@koa/router';
import type Koa from 'koa';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { AdmissionGate, RefusalReason } from './admission-gate.js';
import type { Database } from './database.js';
import { AppError } from './errors.js';
import { createHttpApp } from './http.js';
import type { Logger } from './logger.js';

export const METRICS_PATH = '/metrics';

/** Methods that get their own label value; anything else is `OTHER` (bounded label values). */
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

export interface Metrics {
  registry: Registry;
  /** Records a finished request; pass it to `createHttpApp({ onResponse })`. */
  onResponse(ctx: Koa.Context, durationMs: number): void;
  /** Reports a Socket.IO server's connected clients as `synctalk_socket_connections` (read when scraped). */
  observeSockets(io: SocketServerLike): void;
  /** Reports the send admission gate as `synctalk_sends_in_progress` and `synctalk_sends_refused_total`. */
  observeSends(gate: Pick<AdmissionGate, 'inProgress' | 'refused'>): void;
  /** Reports the webhook delivery worker as `synctalk_webhook_*`. */
  observeWebhooks(worker: WebhookWorkerLike): void;
  /**
   * `GET /metrics` for the public port (and 405 JSON for other methods): only with
   * `Authorization: Bearer <token>`, else 401.
   */
  middleware(access: { token: string }): Koa.Middleware[];
  /** The app of the metrics listener: `GET /metrics` without a token, JSON 404 / 405 for anything else. */
  app(logger: Logger): Koa;
}

/** What the webhook metrics read: the node's delivery worker. */
export interface WebhookWorkerLike {
  readonly counts: { delivered: number; failedAttempts: number; gaveUp: number };
  pending(): Promise<number>;
}

const digest = (value: string) => createHash('sha256').update(value).digest();

/** Whether the request's `Authorization` is `Bearer <token>`, compared in constant time. */
export function hasBearerToken(authorization: string, token: string): boolean {
  const match = /^Bearer[ ]+(\S+)\s*$/i.exec(authorization);
  // Hashes have one length whatever was sent, so the comparison time says nothing about the token.
  return timingSafeEqual(digest(match?.[1] ?? ''), digest(token)) && match !== null;
}

/** The label of a request's route: the template the router matched, or `unmatched`. */
export function routeLabel(ctx: Koa.Context): string {
  const matched = (ctx as Koa.Context & { _matchedRoute?: string | RegExp })._matchedRoute;
  return matched === undefined ? 'unmatched' : String(matched);
}

/** What the socket gauge reads: any Socket.IO `Server`, whatever its event maps. */
export interface SocketServerLike {
  engine?: { clientsCount: number };
}

interface PoolLike {
  numUsed(): number;
  numFree(): number;
  numPendingAcquires(): number;
  max?: number;
}

function poolOf(db: Database): PoolLike | undefined {
  const pool = (db.client as { pool?: Partial<PoolLike> }).pool;
  return pool && typeof pool.numUsed === 'function' ? (pool as PoolLike) : undefined;
}

export function createMetrics(options: { db: Database; kind: 'postgres' | 'pglite' }): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });

  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration in seconds, by method, route template and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });

  new Gauge({
    name: 'synctalk_db_pool_connections',
    help: 'Database pool connections: used (checked out), free (idle), pending (requests waiting for one)',
    labelNames: ['state'] as const,
    registers: [registry],
    collect() {
      const pool = poolOf(options.db);
      // A closed pool, or the embedded database without one: one connection, idle.
      const used = pool?.numUsed() ?? 0;
      const free = pool ? pool.numFree() : options.kind === 'pglite' ? 1 : 0;
      this.set({ state: 'used' }, used);
      this.set({ state: 'free' }, free);
      this.set({ state: 'pending' }, pool?.numPendingAcquires() ?? 0);
    },
  });

  new Gauge({
    name: 'synctalk_db_pool_max',
    help: 'Largest number of database connections the pool may open (1 for the embedded PGlite)',
    registers: [registry],
    collect() {
      const max = poolOf(options.db)?.max;
      this.set(options.kind === 'pglite' ? 1 : typeof max === 'number' ? max : 0);
    },
  });

  let io: SocketServerLike | undefined;
  new Gauge({
    name: 'synctalk_socket_connections',
    help: 'Connected Socket.IO clients on this node',
    registers: [registry],
    collect() {
      this.set(io?.engine?.clientsCount ?? 0);
    },
  });

  let sends: Pick<AdmissionGate, 'inProgress' | 'refused'> | undefined;
  new Gauge({
    name: 'synctalk_sends_in_progress',
    help: 'Message sends admitted on this node and not yet answered (at most SEND_QUEUE_MAX)',
    registers: [registry],
    collect() {
      this.set(sends?.inProgress ?? 0);
    },
  });

  // The gate counts its refusals itself (refusing must stay cheap); a scrape adds what is new since the last.
  const reported: Record<RefusalReason, number> = { full: 0, behind: 0 };
  new Counter({
    name: 'synctalk_sends_refused_total',
    help: 'Message sends refused unavailable by this node: full (SEND_QUEUE_MAX in progress) or behind (SEND_QUEUE_MAX_WAIT)',
    labelNames: ['reason'] as const,
    registers: [registry],
    collect() {
      for (const reason of ['full', 'behind'] as const) {
        const count = sends?.refused[reason] ?? 0;
        // Zero increments too, so both series exist from the first scrape.
        this.inc({ reason }, Math.max(0, count - reported[reason]));
        reported[reason] = Math.max(count, reported[reason]);
      }
    },
  });

  let webhooks: WebhookWorkerLike | undefined;
  const reportedAttempts = { delivered: 0, failed: 0, gaveUp: 0 };
  new Counter({
    name: 'synctalk_webhook_attempts_total',
    help: 'Webhook delivery attempts made by this node: delivered (2xx) or failed (retried later or given up)',
    labelNames: ['outcome'] as const,
    registers: [registry],
    collect() {
      const delivered = webhooks?.counts.delivered ?? 0;
      const failed = webhooks?.counts.failedAttempts ?? 0;
      this.inc({ outcome: 'delivered' }, Math.max(0, delivered - reportedAttempts.delivered));
      this.inc({ outcome: 'failed' }, Math.max(0, failed - reportedAttempts.failed));
      reportedAttempts.delivered = Math.max(delivered, reportedAttempts.delivered);
      reportedAttempts.failed = Math.max(failed, reportedAttempts.failed);
    },
  });
  new Counter({
    name: 'synctalk_webhook_deliveries_failed_total',
    help: 'Webhook deliveries this node marked failed after the retry window (replayable through the API)',
    registers: [registry],
    collect() {
      const gaveUp = webhooks?.counts.gaveUp ?? 0;
      this.inc(Math.max(0, gaveUp - reportedAttempts.gaveUp));
      reportedAttempts.gaveUp = Math.max(gaveUp, reportedAttempts.gaveUp);
    },
  });
  new Gauge({
    name: 'synctalk_webhook_deliveries_pending',
    help: 'Webhook deliveries waiting to be sent, due or not (the whole database, not only this node)',
    registers: [registry],
    async collect() {
      this.set(webhooks ? await webhooks.pending() : 0);
    },
  });

  const scrape = async (ctx: Koa.Context) => {
    ctx.set('Cache-Control', 'no-store');
    ctx.type = registry.contentType;
    ctx.body = await registry.metrics();
  };
  const routes = (router: Router) =>
    [router.routes(), router.allowedMethods()] as unknown as Koa.Middleware[];

  return {
    registry,
    onResponse(ctx, durationMs) {
      const method = METHODS.has(ctx.method) ? ctx.method : 'OTHER';
      duration.observe({ method, route: routeLabel(ctx), status: String(ctx.status) }, durationMs / 1000);
    },
    observeSockets(server) {
      io = server;
    },
    observeSends(gate) {
      sends = gate;
    },
    observeWebhooks(worker) {
      webhooks = worker;
    },
    middleware({ token }) {
      const router = new Router();
      router.get(METRICS_PATH, async (ctx) => {
        if (!hasBearerToken(ctx.get('authorization'), token)) {
          throw new AppError(
            'unauthorized',
            'GET /metrics needs Authorization: Bearer <METRICS_TOKEN>',
            undefined,
            {
              'WWW-Authenticate': 'Bearer realm="metrics"',
            },
          );
        }
        await scrape(ctx);
      });
      return routes(router);
    },
    app(logger) {
      const app = createHttpApp({ logger, bodyLimit: '1kb', trustProxy: false });
      const router = new Router();
      router.get(METRICS_PATH, scrape);
      for (const m of routes(router)) app.use(m);
      return app;
    },
  };
}
