/**
 * `createServer(config)` wires the platform (database, shared store, HTTP, realtime) and the domains, and
 * returns the pieces plus `listen()` and `close()`. Nothing listens until `listen()` is called.
 */
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type Koa from 'koa';
import type { Config } from './config.js';
import { createDatabase, prepareDatabase, type Database, type DatabaseHandle } from './platform/database.js';
import { healthRoutes } from './platform/health.js';
import { createHttpApp } from './platform/http.js';
import { createMetrics, type Metrics } from './platform/metrics.js';
import { registerOpenApiRoute } from './platform/openapi.js';
import { createLogger, type Logger } from './platform/logger.js';
import { engineSecurityHeaders } from './platform/security-headers.js';
import { createRealtime } from './platform/realtime/socket-server.js';
import { roomEmitter } from './platform/realtime/room-emitter.js';
import { coalesceWrites } from './platform/realtime/write-coalescing.js';
import { createSharedStore, type SharedStore } from './platform/redis.js';
import { Api } from './platform/api.js';
import { authMiddleware } from './auth/guard.js';
import { bootstrapAdmin } from './auth/admin-bootstrap.js';
import { ACCESS_COOKIE } from './auth/request-token.js';
import { registerAuthRoutes } from './auth/auth.routes.js';
import { registerExternalAuthRoutes } from './auth/external-auth.routes.js';
import { sessions, type Sessions } from './auth/session.js';
import type { DomainDeps } from './domain-deps.js';
import { corsForSite, corsPreflight } from './sites/cors.js';
import { siteContext } from './sites/site-context.js';
import { registerSiteRoutes } from './sites/sites.routes.js';
import { defaultSiteCreatedMessage, sitesService, type SitesService } from './sites/sites.service.js';
import { registerRoomRoutes } from './rooms/rooms.routes.js';
import type { RoomEventMap } from './rooms/room-events.js';
import { membersService } from './rooms/members.service.js';
import { registerMessageRoutes } from './messages/messages.routes.js';
import { messagesService } from './messages/messages.service.js';
import { sendAdmission as createSendAdmission } from './messages/send-admission.js';
import { presenceTracker } from './presence/presence.js';
import { registerServerApiRoutes, serverApiAuth } from './server-api/server-api.js';
import { typingTracker } from './presence/typing.js';
import { chatNamespace, createChat, type Chat } from './chat/chat.js';
import type { ChatServer } from './chat/types.js';
import { originGate } from './sites/socket-origins.js';
import type { Site } from './sites/sites.repository.js';
import { migrationSource } from './migrations/index.js';
import { ensureDemoLobby } from './widget/demo-lobby.js';
import { demoPageRoutes } from './widget/demo-page.js';
import { widgetAssets } from './widget/widget-assets.js';
import { widgetRoutes } from './widget/widget.routes.js';
import { idleDeliveryWorker, startDeliveryWorker, type DeliveryWorker } from './webhooks/delivery-worker.js';
import { registerWebhookRoutes } from './webhooks/webhooks.routes.js';
import { onDeliveriesQueued } from './webhooks/outbox.js';

/** Listens on `port` and `host`; resolves with the bound address and its URL. */
function bind(
  server: HttpServer,
  port: number,
  host: string,
): Promise<{ port: number; host: string; url: string }> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const address = server.address() as AddressInfo;
      const shownHost = address.address.includes(':') ? `[${address.address}]` : address.address;
      resolve({ port: address.port, host: address.address, url: `http://${shownHost}:${address.port}` });
    });
  });
}

export interface SyncTalkServer {
  config: Config;
  api: Api;
  deps: DomainDeps;
  app: Koa;
  http: HttpServer;
  io: ChatServer;
  /** The realtime domain (`/chat`): its message service and presence, and `close({ cleanup })`. */
  chat: Chat;
  db: Database;
  store: SharedStore;
  logger: Logger;
  /**
   * Starts listening, and the metrics listener (METRICS_PORT on METRICS_HOST) too; resolves with the public
   * bound address (port 0 picks a free port).
   */
  listen(port?: number, host?: string): Promise<{ port: number; host: string; url: string }>;
  /** Where the metrics listener serves `GET /metrics` once listening; undefined without METRICS_PORT. */
  readonly metricsUrl: string | undefined;
  /** The metrics being collected; undefined with METRICS_ENABLED=false. */
  metrics: Metrics | undefined;
  /** Stops accepting work, closes sockets, the HTTP server, Redis and the database, within the timeout. */
  close(): Promise<void>;
}

export interface CreateServerOptions {
  logger?: Logger;
  /**
   * A directory holding the widget bundle (`widget.js`, `widget.js.map`) to serve instead of the installed
   * `@synctalk/widget` package's build.
   */
  widgetDir?: string;
  /**
   * The database `config.database` names, already opened with `createDatabase` (the process entry opens it
   * before loading the rest of the server, so PGlite starts meanwhile). The server prepares, uses and closes
   * it as one it opened itself.
   */
  database?: DatabaseHandle;
}

export async function createServer(
  config: Config,
  options: CreateServerOptions = {},
): Promise<SyncTalkServer> {
  const logger = options.logger ?? createLogger(config.log.level);

  const database = options.database ?? createDatabase(config.database, logger);
  let store: SharedStore | undefined;
  try {
    const { applied } = await prepareDatabase(database, {
      retries: config.startup.retries,
      logger,
      migrations: migrationSource,
    });
    logger.info({ applied }, `database: ${database.description} (${applied.length} migrations applied)`);
    store = await createSharedStore(config.redis, { retries: config.startup.retries, logger });
    logger.info(`shared state: ${store.description}`);
  } catch (error) {
    await database.close().catch(() => undefined);
    throw error;
  }
  const shared = store;

  // The one way domains reach sockets; it gets the /chat namespace once the Socket.IO server exists (below).
  const realtime = roomEmitter<RoomEventMap>(logger);
  // Started once the server is wired (below); nudges before that are picked up by its first look.
  let webhookWorker: DeliveryWorker = idleDeliveryWorker;
  const deps: DomainDeps = {
    config,
    db: database.db,
    store: shared,
    logger,
    sites: undefined as unknown as SitesService,
    sessions: undefined as unknown as Sessions,
    realtime,
    webhooks: { nudge: () => webhookWorker.nudge() },
  };
  deps.sites = sitesService(deps);
  deps.sessions = sessions(deps);
  let defaultSite: Site;
  try {
    const { site, created } = await deps.sites.ensureDefault();
    // Never the secret itself: logs are read by more people than should mint site tokens.
    if (created) logger.info({ siteId: site.publicId }, defaultSiteCreatedMessage(site.publicId));
    await bootstrapAdmin(deps, site);
    if (config.demo.enabled) {
      const lobby = await ensureDemoLobby(deps, site);
      if (lobby) logger.info({ roomId: lobby.id }, `demo: created the public room "${lobby.title}"`);
    }
    defaultSite = site;
  } catch (error) {
    await Promise.allSettled([shared.close(), database.close()]);
    throw error;
  }

  let closing = false;
  const metrics = config.metrics.enabled
    ? createMetrics({ db: database.db, kind: config.database.kind })
    : undefined;
  const app = createHttpApp({
    logger,
    bodyLimit: config.http.bodyLimit,
    trustProxy: config.http.trustProxy,
    onResponse: metrics?.onResponse,
  });
  const health = healthRoutes({ database, store: shared, isClosing: () => closing });
  app.use(health.routes());
  app.use(health.allowedMethods());
  // Metrics are never open on the public port: with METRICS_TOKEN behind a bearer token, else not at all.
  const metricsToken = config.metrics.token;
  if (metrics && metricsToken) for (const m of metrics.middleware({ token: metricsToken })) app.use(m);
  const metricsHttp =
    metrics && config.metrics.port !== undefined
      ? createHttpServer(metrics.app(logger).callback())
      : undefined;
  if (metrics && !metricsHttp && !metricsToken) {
    logger.info(
      'metrics: collected but not served; set METRICS_PORT (a listener of their own) or METRICS_TOKEN ' +
        '(GET /metrics on this port with Authorization: Bearer <token>) to expose them',
    );
  }

  // The widget bundle for any website, and the demo page embedding it.
  const self = { trustProxy: config.http.trustProxy, publicUrl: config.http.publicUrl };
  const assets = widgetAssets({ dir: options.widgetDir });
  const pages = [widgetRoutes({ assets, self })];
  if (config.demo.enabled) pages.push(demoPageRoutes({ sitePublicId: defaultSite.publicId, assets, self }));
  for (const router of pages) {
    app.use(router.routes());
    app.use(router.allowedMethods());
  }

  // Realtime first, unattached, so REST routes can broadcast; attached to the HTTP server below.
  const io = createRealtime<ChatServer>({
    store: shared,
    maxTextLength: config.messages.maxLength,
    isOriginAllowed: originGate(deps.sites.cached, { self }).allowed,
    onError: (error) => logger.warn({ err: error }, 'socket origin check failed'),
  });
  realtime.attach(chatNamespace(io));

  // The domain services both doors use (REST routes and /chat events); their broadcasts go through
  // `deps.realtime`.
  const messages = messagesService(deps);
  const sendAdmission = createSendAdmission(config);
  metrics?.observeSends(sendAdmission.gate);
  const presence = presenceTracker({
    store: shared,
    logger,
    ttlMs: config.realtime.presenceTtlMs,
    onChange: (state) => realtime.emit(state.roomId, 'presence', state),
  });
  const members = membersService(deps);
  const typing = typingTracker({ onChange: (event) => realtime.emit(event.roomId, 'typing', event) });
  const chat = createChat(deps, io, { messages, sendAdmission, members, presence, typing });

  // Everything under /v1 belongs to a site: preflight, site, CORS for that site, then the routes.
  const { requireAuth, optionalAuth } = authMiddleware(config);
  const serverApi = serverApiAuth(deps, requireAuth);
  const api = new Api({ requireAuth, optionalAuth, ...serverApi.auth });
  registerAuthRoutes(api, deps);
  registerExternalAuthRoutes(api, deps);
  registerSiteRoutes(api, deps);
  registerRoomRoutes(api, deps, members);
  registerMessageRoutes(api, deps, messages, sendAdmission);
  registerServerApiRoutes(api, deps, serverApi, { members, messages, admission: sendAdmission });
  registerWebhookRoutes(api, deps);
  // Last: the document describes every route declared above.
  registerOpenApiRoute(api, {
    accessCookie: ACCESS_COOKIE,
    publicUrl: config.http.publicUrl,
    metrics: Boolean(metrics && metricsToken),
  });
  const v1: Koa.Middleware[] = [
    corsPreflight(deps.sites.cached, { self }),
    siteContext(deps.sites.cached),
    corsForSite(self),
    ...api.middleware(),
  ];
  for (const m of v1)
    app.use(async (ctx, next) => (ctx.path.startsWith('/v1/') || ctx.path === '/v1' ? m(ctx, next) : next()));

  const http = createHttpServer(app.callback());
  // Slow-loris and idle bounds; Socket.IO's own pings keep websockets alive.
  http.headersTimeout = 20_000;
  http.requestTimeout = 30_000;
  http.keepAliveTimeout = 5_000;
  io.attach(http);
  io.engine.on('headers', engineSecurityHeaders);
  io.engine.on('connection', coalesceWrites);
  metrics?.observeSockets(io);
  let metricsUrl: string | undefined;

  let stopNudges = () => {};
  if (config.webhooks.enabled) {
    const worker = startDeliveryWorker({
      db: database.db,
      config: config.webhooks,
      secretsKey: config.auth.secretsKey,
      logger,
    });
    webhookWorker = worker;
    metrics?.observeWebhooks(worker);
    // Deliveries committed on this node are sent at once, not at the worker's next poll.
    stopNudges = onDeliveriesQueued(database.db, () => worker.nudge());
  }

  let closed: Promise<void> | undefined;
  const close = () => {
    closed ??= (async () => {
      closing = true;
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => {
        timer = setTimeout(() => {
          logger.warn(`shutdown exceeded ${config.shutdownTimeoutMs} ms; forcing connections closed`);
          http.closeAllConnections();
          metricsHttp?.closeAllConnections();
          resolve();
        }, config.shutdownTimeoutMs).unref();
      });
      const metricsClosed = new Promise<void>((resolve) => {
        if (!metricsHttp?.listening) return resolve();
        metricsHttp.close(() => resolve());
        metricsHttp.closeIdleConnections();
      });
      const graceful = (async () => {
        await metricsClosed;
        // This node's connections go offline in the shared presence before their sockets close.
        await chat.close();
        // Socket.IO's close also closes the HTTP server; wait for in-flight requests to finish.
        await new Promise<void>((resolve) => {
          io.close(() => resolve());
          http.closeIdleConnections();
        });
      })();
      await Promise.race([graceful, timeout]);
      // A graceful close that won the race must not be reported as a forced one later.
      clearTimeout(timer);
      // Its in-flight attempts are recorded before the database closes.
      stopNudges();
      await webhookWorker.stop();
      await shared.close();
      await database.close();
    })();
    return closed;
  };

  return {
    config,
    api,
    deps,
    app,
    http,
    io,
    chat,
    db: database.db,
    store: shared,
    logger,
    async listen(port = config.http.port, host = config.http.host) {
      const bound = await bind(http, port, host);
      if (metricsHttp) {
        try {
          metricsUrl = (await bind(metricsHttp, config.metrics.port!, config.metrics.host)).url;
        } catch (error) {
          http.close();
          throw error;
        }
        logger.info({ url: metricsUrl }, `metrics: GET ${metricsUrl}/metrics`);
      }
      return bound;
    },
    get metricsUrl() {
      return metricsUrl;
    },
    metrics,
    close,
  };
}
