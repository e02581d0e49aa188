/**
 * The only module that reads the environment. `loadConfig(env)` validates every variable at start-up and
 * throws a `ConfigError` whose message names the bad variable; `main.ts` prints it on one line and exits 1.
 */
import { join } from 'node:path';
import { developmentSecret } from './config/development-secret.js';
import { envSchema, type TrustProxy } from './config/env-schema.js';

export type { TrustProxy } from './config/env-schema.js';

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`Invalid ${variable}: ${message}`);
    this.name = 'ConfigError';
  }
}

export type Env = Record<string, string | undefined>;

export interface Config {
  env: 'development' | 'production' | 'test';
  http: {
    host: string;
    port: number;
    publicUrl: string | undefined;
    /** TRUST_PROXY: which proxies' `X-Forwarded-*` headers to believe; false for none. */
    trustProxy: TrustProxy;
    bodyLimit: string;
  };
  /**
   * `format`: `json` lines, `pretty` human-readable lines, or `auto`: pretty when standard output is a
   * terminal, JSON otherwise (the process entry decides, with `resolveLogFormat`).
   */
  log: { level: string; format: 'auto' | 'json' | 'pretty' };
  /**
   * `acquireTimeoutMs`: how long a query waits for a free pooled connection before it fails (the request
   * then fails with 503 `unavailable` rather than hang while slow queries hold the pool).
   */
  database:
    | { kind: 'postgres'; url: string; poolMax: number; acquireTimeoutMs: number }
    | { kind: 'pglite'; dataDir: string };
  redis:
    | { kind: 'cluster'; nodes: { host: string; port: number }[]; adapter: 'sharded' | 'classic' }
    | { kind: 'single'; url: string; adapter: 'classic' }
    | { kind: 'memory' };
  startup: { retries: number };
  shutdownTimeoutMs: number;
  auth: {
    jwtSecret: string;
    /**
     * Where the signing secret came from: `JWT_SECRET`, the development secret kept in the data directory
     * (`SYNCTALK_DATA_DIR/dev-secret`, sign-ins survive restarts), or one made for this process (tests).
     */
    jwtSecretSource: 'env' | 'data-dir' | 'process';
    /** The file of the kept development secret (`data-dir` only). */
    jwtSecretFile: string | undefined;
    accessTtlSeconds: number;
    refreshTtlSeconds: number;
    /** A refresh token presented again this long after its rotation gets the same new pair, not a revocation. */
    refreshGraceSeconds: number;
    bcryptCost: number;
    /** Key material for secrets the server must read back (site signing secrets). */
    secretsKey: string;
    /**
     * Failed sign-ins per window: `maxPerUsername` per (username, client address) pair, `maxPerAccount` per
     * username from everywhere, `maxPerIp` per client address.
     */
    login: { maxPerUsername: number; maxPerAccount: number; maxPerIp: number; windowMs: number };
    guests: { maxPerIp: number; windowMs: number };
  };
  kakao: {
    restApiKey: string | undefined;
    clientSecret: string | undefined;
    redirectUri: string | undefined;
    scopes: string[];
    authUrl: string;
    apiUrl: string;
    timeoutMs: number;
  };
  /**
   * `sendQueueMax`: sends in progress on this node (admitted, not yet answered) before more are refused
   * `unavailable`; `sendQueueMaxWaitMs`: refused too while the oldest of them has waited longer than this
   * (with at least an eighth of `sendQueueMax` in progress). See messages/send-admission.ts.
   */
  messages: {
    maxLength: number;
    rateLimit: number;
    rateWindowMs: number;
    sendQueueMax: number;
    sendQueueMaxWaitMs: number;
  };
  /** A connection of a crashed node stops counting as online this long after its last heartbeat. */
  realtime: {
    presenceTtlMs: number;
    /**
     * How often each connection is sent `room:heads` (the latest seq of every room it joined), so a client
     * that lost a broadcast notices within this long and fetches what it missed.
     */
    headsIntervalMs: number;
    /**
     * Per connection: a token bucket over every event (`eventRate` per second, up to `eventBurst` at once);
     * at most `queueMax` events being handled at once; disconnected after `floodDisconnect` refused events.
     */
    socket: { eventRate: number; eventBurst: number; queueMax: number; floodDisconnect: number };
  };
  /**
   * The default site's name and allowed origins, used when it is created; `defaultOriginsSet` tells whether
   * CORS_ORIGINS was given (later changes are the admin API's, so a differing value is only warned about).
   */
  /** `cacheTtlMs`: how long a node keeps a site lookup (changes made through the server reach every node at once). */
  sites: { defaultName: string; defaultOrigins: string[]; defaultOriginsSet: boolean; cacheTtlMs: number };
  admin: { username: string; password: string } | undefined;
  /**
   * Prometheus metrics: collected when `enabled`; served on their own listener when `port` is set (0 picks a
   * free port), and on the public port only with `Authorization: Bearer <token>` when `token` is set.
   */
  metrics: { enabled: boolean; port: number | undefined; host: string; token: string | undefined };
  /** The demo page at `/` (the widget embedded as a host would) and its "Lobby" room. */
  demo: { enabled: boolean };
  /** Webhook delivery: see webhooks/delivery-worker.ts and webhooks/safe-request.ts. */
  webhooks: WebhookConfig;
}

export interface WebhookConfig {
  /** Whether this node runs a delivery worker (deliveries are queued either way). */
  enabled: boolean;
  /** Whether endpoints may resolve to loopback, private, link-local and other non-public addresses. */
  allowPrivate: boolean;
  /** One attempt's deadline (connect, answer and the read of its first bytes). */
  timeoutMs: number;
  /** How long after its creation a delivery is retried before it is marked failed. */
  retryWindowMs: number;
  /** Backoff (retry-schedule.ts): `retryBaseMs * 2^(attempt-1)`, at most `retryMaxMs`, ±20% jitter. */
  retryBaseMs: number;
  retryMaxMs: number;
  /** How often an idle worker looks for due deliveries (commits on this node wake it at once). */
  pollIntervalMs: number;
  /** Deliveries in flight at once per node. */
  concurrency: number;
}

/**
 * Validates `env` (by default the process environment) and returns the typed configuration.
 * Throws `ConfigError` naming the first bad variable.
 */
export function loadConfig(env: Env = process.env): Config {
  // Empty strings mean "unset", as in most dotenv tooling.
  const cleaned: Env = {};
  for (const key of Object.keys(envSchema.shape)) {
    const value = env[key];
    if (value !== undefined && value !== '') cleaned[key] = value;
  }
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const variable = String(issue.path[0] ?? 'environment');
    throw new ConfigError(variable, issue.message);
  }
  const e = parsed.data;

  if (e.REDIS_CLUSTER_NODES && e.REDIS_URL) {
    throw new ConfigError('REDIS_URL', 'set either REDIS_URL or REDIS_CLUSTER_NODES, not both');
  }
  if (e.ADMIN_USERNAME && !e.ADMIN_PASSWORD) {
    throw new ConfigError('ADMIN_PASSWORD', 'is required when ADMIN_USERNAME is set');
  }
  if (e.ADMIN_PASSWORD && Buffer.byteLength(e.ADMIN_PASSWORD) > 72) {
    throw new ConfigError('ADMIN_PASSWORD', 'must be at most 72 bytes (bcrypt limit)');
  }
  if (e.WEBHOOK_RETRY_MAX < e.WEBHOOK_RETRY_BASE) {
    throw new ConfigError('WEBHOOK_RETRY_MAX', 'must not be shorter than WEBHOOK_RETRY_BASE');
  }
  if (e.NODE_ENV === 'production' && !e.JWT_SECRET) {
    throw new ConfigError('JWT_SECRET', 'is required in production (at least 32 random characters)');
  }

  const jwtSecret = e.JWT_SECRET ?? developmentSecret(e.NODE_ENV, e.SYNCTALK_DATA_DIR);

  return {
    env: e.NODE_ENV,
    http: {
      host: e.HOST,
      port: e.PORT,
      publicUrl: e.PUBLIC_URL,
      trustProxy: e.TRUST_PROXY,
      bodyLimit: e.BODY_LIMIT,
    },
    log: { level: e.LOG_LEVEL, format: e.LOG_FORMAT },
    database: e.DATABASE_URL
      ? {
          kind: 'postgres',
          url: e.DATABASE_URL,
          poolMax: e.DATABASE_POOL_MAX,
          acquireTimeoutMs: Math.round(e.DATABASE_ACQUIRE_TIMEOUT * 1000),
        }
      : { kind: 'pglite', dataDir: join(e.SYNCTALK_DATA_DIR, 'db') },
    redis: e.REDIS_CLUSTER_NODES
      ? { kind: 'cluster', nodes: e.REDIS_CLUSTER_NODES, adapter: e.SOCKET_ADAPTER }
      : e.REDIS_URL
        ? { kind: 'single', url: e.REDIS_URL, adapter: 'classic' }
        : { kind: 'memory' },
    startup: { retries: e.STARTUP_RETRIES },
    shutdownTimeoutMs: Math.round(e.SHUTDOWN_TIMEOUT * 1000),
    auth: {
      jwtSecret,
      jwtSecretSource: e.JWT_SECRET ? 'env' : e.NODE_ENV === 'development' ? 'data-dir' : 'process',
      jwtSecretFile:
        !e.JWT_SECRET && e.NODE_ENV === 'development' ? join(e.SYNCTALK_DATA_DIR, 'dev-secret') : undefined,
      accessTtlSeconds: e.JWT_ACCESS_TTL,
      refreshTtlSeconds: e.JWT_REFRESH_TTL,
      refreshGraceSeconds: e.JWT_REFRESH_GRACE,
      bcryptCost: e.BCRYPT_COST,
      secretsKey: e.SECRETS_KEY ?? jwtSecret,
      login: {
        maxPerUsername: e.LOGIN_MAX_PER_USERNAME,
        maxPerAccount: e.LOGIN_MAX_PER_ACCOUNT,
        maxPerIp: e.LOGIN_MAX_PER_IP,
        windowMs: Math.round(e.LOGIN_WINDOW * 1000),
      },
      guests: { maxPerIp: e.GUEST_MAX_PER_IP, windowMs: Math.round(e.GUEST_WINDOW * 1000) },
    },
    kakao: {
      restApiKey: e.KAKAO_REST_API_KEY,
      clientSecret: e.KAKAO_CLIENT_SECRET,
      redirectUri: e.KAKAO_REDIRECT_URI,
      scopes: e.KAKAO_SCOPES.split(/[\s,]+/).filter(Boolean),
      authUrl: e.KAKAO_AUTH_URL.replace(/\/+$/, ''),
      apiUrl: e.KAKAO_API_URL.replace(/\/+$/, ''),
      timeoutMs: Math.round(e.KAKAO_TIMEOUT * 1000),
    },
    messages: {
      maxLength: e.MESSAGE_MAX_LENGTH,
      rateLimit: e.MESSAGE_RATE_LIMIT,
      rateWindowMs: Math.round(e.MESSAGE_RATE_WINDOW * 1000),
      sendQueueMax: e.SEND_QUEUE_MAX,
      sendQueueMaxWaitMs: Math.round(e.SEND_QUEUE_MAX_WAIT * 1000),
    },
    realtime: {
      presenceTtlMs: Math.round(e.PRESENCE_TTL * 1000),
      headsIntervalMs: Math.round(e.ROOM_HEADS_INTERVAL * 1000),
      socket: {
        eventRate: e.SOCKET_EVENT_RATE,
        eventBurst: e.SOCKET_EVENT_BURST,
        queueMax: e.SOCKET_QUEUE_MAX,
        floodDisconnect: e.SOCKET_FLOOD_DISCONNECT,
      },
    },
    sites: {
      defaultName: e.DEFAULT_SITE_NAME,
      defaultOrigins: e.CORS_ORIGINS,
      defaultOriginsSet: cleaned.CORS_ORIGINS !== undefined,
      cacheTtlMs: Math.round(e.SITE_CACHE_TTL * 1000),
    },
    admin: e.ADMIN_USERNAME ? { username: e.ADMIN_USERNAME, password: e.ADMIN_PASSWORD! } : undefined,
    metrics: {
      enabled: e.METRICS_ENABLED,
      port: e.METRICS_PORT,
      host: e.METRICS_HOST,
      token: e.METRICS_TOKEN,
    },
    demo: { enabled: e.DEMO_PAGE ?? e.NODE_ENV === 'development' },
    webhooks: {
      enabled: e.WEBHOOKS_ENABLED,
      allowPrivate: e.WEBHOOK_ALLOW_PRIVATE,
      timeoutMs: Math.round(e.WEBHOOK_TIMEOUT * 1000),
      retryWindowMs: Math.round(e.WEBHOOK_RETRY_WINDOW * 1000),
      retryBaseMs: Math.round(e.WEBHOOK_RETRY_BASE * 1000),
      retryMaxMs: Math.round(e.WEBHOOK_RETRY_MAX * 1000),
      pollIntervalMs: Math.round(e.WEBHOOK_POLL_INTERVAL * 1000),
      concurrency: e.WEBHOOK_CONCURRENCY,
    },
  };
}
