/**
 * The only module that reads the environment. `loadConfig(env)` validates every variable at start-up and
 * throws a `ConfigError` whose message names the bad variable; `main.ts` prints it on one line and exits 1.
 */
import { randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { isOrigin } from '@synctalk/sdk/schemas';
import { z } from 'zod';

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`Invalid ${variable}: ${message}`);
    this.name = 'ConfigError';
  }
}

const bool = z
  .enum(['1', '0', 'true', 'false', 'yes', 'no'], { error: 'must be true or false (or 1/0, yes/no)' })
  .transform((v) => v === '1' || v === 'true' || v === 'yes');

const int = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));

/** Durations: a whole number of seconds, or a number with a unit (ms, s, m, h, d). Result in seconds. */
const duration = z
  .string()
  .regex(/^\d+(ms|s|m|h|d)?$/, 'must be a duration like 900, 15m, 12h or 30d')
  .transform((v) => {
    const match = /^(\d+)(ms|s|m|h|d)?$/.exec(v)!;
    const n = Number(match[1]);
    const unit = match[2] ?? 's';
    const factor = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400 }[unit]!;
    return n * factor;
  })
  .pipe(z.number().positive());

const hostPort = /^[A-Za-z0-9.-]+:\d{1,5}$/;
const clusterNodes = z
  .string()
  .transform((v) => v.split(',').map((s) => s.trim()))
  .superRefine((nodes, ctx) => {
    for (const node of nodes) {
      const port = Number(node.split(':')[1]);
      if (!hostPort.test(node) || port < 1 || port > 65535) {
        ctx.addIssue({
          code: 'custom',
          message: `"${node}" is not host:port (expected e.g. 127.0.0.1:7001,127.0.0.1:7002)`,
        });
      }
    }
  })
  .transform((nodes) =>
    nodes.map((node) => {
      const [host, port] = node.split(':') as [string, string];
      return { host, port: Number(port) };
    }),
  );

const url = (protocols: string[]) =>
  z.string().superRefine((v, ctx) => {
    let parsed: URL;
    try {
      parsed = new URL(v);
    } catch {
      ctx.addIssue({ code: 'custom', message: 'is not a valid URL' });
      return;
    }
    if (!protocols.includes(parsed.protocol)) {
      ctx.addIssue({
        code: 'custom',
        message: `must start with ${protocols.map((p) => `${p}//`).join(' or ')}`,
      });
    }
  });

/**
 * Which proxies to believe about the client's address (`X-Forwarded-For`) and the public scheme and host
 * (`X-Forwarded-Proto`/`-Host`): none; a fixed number of hops in front of the server (`1` for one reverse proxy;
 * `true` means the same); or a list of the proxies' addresses or CIDR ranges.
 */
export type TrustProxy = false | { hops: number } | { cidrs: string[] };

function isIpOrCidr(value: string): boolean {
  const [address, bits, ...rest] = value.split('/');
  const family = isIP(address ?? '');
  if (!family || rest.length > 0) return false;
  if (bits === undefined) return true;
  if (!/^\d{1,3}$/.test(bits)) return false;
  return Number(bits) <= (family === 4 ? 32 : 128);
}

const trustProxy = z.string().transform((v, ctx): TrustProxy => {
  const value = v.trim().toLowerCase();
  if (value === 'false' || value === 'no' || value === '0') return false;
  if (value === 'true' || value === 'yes') return { hops: 1 };
  if (/^\d+$/.test(value)) {
    const hops = Number(value);
    if (hops <= 20) return { hops };
  }
  const cidrs = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const bad = cidrs.find((c) => !isIpOrCidr(c));
  if (cidrs.length === 0 || bad !== undefined) {
    ctx.addIssue({
      code: 'custom',
      message:
        `${bad === undefined ? 'must not be empty' : `"${bad}" is not an IP address or CIDR range`}: ` +
        'expected false, a hop count (1 for one reverse proxy, at most 20) or a list like 10.0.0.0/8,172.16.0.1',
    });
    return z.NEVER;
  }
  return { cidrs };
});

const origins = z
  .string()
  .transform((v) =>
    v
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  )
  .superRefine((list, ctx) => {
    for (const origin of list) {
      if (!isOrigin(origin))
        ctx.addIssue({ code: 'custom', message: `"${origin}" is not an origin like https://example.com` });
    }
  });

/**
 * Every variable, its validation and its default. The server README's Options table mirrors this list
 * (test/readme-options.test.ts checks that none is missing).
 */
const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: int(0, 65535).default(3000),
  PUBLIC_URL: url(['http:', 'https:']).optional(),
  TRUST_PROXY: trustProxy.default(false),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LOG_FORMAT: z.enum(['auto', 'json', 'pretty'], { error: 'must be auto, json or pretty' }).default('auto'),

  DATABASE_URL: url(['postgres:', 'postgresql:']).optional(),
  DATABASE_POOL_MAX: int(1, 1000).default(10),
  DATABASE_ACQUIRE_TIMEOUT: duration.default(3),
  SYNCTALK_DATA_DIR: z.string().min(1).default('./.synctalk'),

  REDIS_CLUSTER_NODES: clusterNodes.optional(),
  REDIS_URL: url(['redis:', 'rediss:']).optional(),
  SOCKET_ADAPTER: z.enum(['sharded', 'classic']).default('sharded'),

  STARTUP_RETRIES: int(0, 100).default(5),
  SHUTDOWN_TIMEOUT: duration.default(10),

  JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  JWT_ACCESS_TTL: duration.default(900),
  JWT_REFRESH_TTL: duration.default(30 * 86400),
  JWT_REFRESH_GRACE: duration.default(30),
  BCRYPT_COST: int(4, 15).default(12),
  BODY_LIMIT: z
    .string()
    .regex(/^\d+(kb|mb)?$/i, 'must be a size like 100kb or 1mb')
    .default('100kb'),

  SECRETS_KEY: z.string().min(32, 'must be at least 32 characters').optional(),
  LOGIN_MAX_PER_USERNAME: int(1, 100000).default(10),
  LOGIN_MAX_PER_ACCOUNT: int(1, 10000000).default(1000),
  LOGIN_MAX_PER_IP: int(1, 1000000).default(100),
  LOGIN_WINDOW: duration.default(15 * 60),
  GUEST_MAX_PER_IP: int(1, 1000000).default(20),
  GUEST_WINDOW: duration.default(3600),

  KAKAO_REST_API_KEY: z.string().min(1).optional(),
  KAKAO_CLIENT_SECRET: z.string().min(1).optional(),
  KAKAO_REDIRECT_URI: url(['http:', 'https:']).optional(),
  KAKAO_SCOPES: z.string().default(''),
  KAKAO_AUTH_URL: url(['http:', 'https:']).default('https://kauth.kakao.com'),
  KAKAO_API_URL: url(['http:', 'https:']).default('https://kapi.kakao.com'),
  KAKAO_TIMEOUT: duration.default(5),

  MESSAGE_MAX_LENGTH: int(1, 100000).default(4000),
  MESSAGE_RATE_LIMIT: int(1, 100000).default(20),
  MESSAGE_RATE_WINDOW: duration.default(10),
  SEND_QUEUE_MAX: int(1, 100000).default(64),
  SEND_QUEUE_MAX_WAIT: duration.default(0.5),
  PRESENCE_TTL: duration.default(30),
  ROOM_HEADS_INTERVAL: duration
    .pipe(z.number().min(0.1, 'must be at least 100ms').max(3600, 'must be at most 1h'))
    .default(30),
  SOCKET_EVENT_RATE: int(1, 100000).default(20),
  SOCKET_EVENT_BURST: int(1, 100000).default(100),
  SOCKET_QUEUE_MAX: int(1, 10000).default(100),
  SOCKET_FLOOD_DISCONNECT: int(1, 1000000).default(200),

  CORS_ORIGINS: origins.default(['http://localhost:3000', 'http://127.0.0.1:3000']),
  DEFAULT_SITE_NAME: z.string().min(1).max(100).default('Default site'),
  SITE_CACHE_TTL: duration.default(5),
  ADMIN_USERNAME: z.string().min(3).max(32).optional(),
  ADMIN_PASSWORD: z.string().min(8).max(72).optional(),

  METRICS_ENABLED: bool.default(true),
  METRICS_PORT: int(0, 65535).optional(),
  METRICS_HOST: z.string().min(1).default('127.0.0.1'),
  METRICS_TOKEN: z.string().min(32, 'must be at least 32 characters').optional(),
  /** Default: on in development, off otherwise. */
  DEMO_PAGE: bool.optional(),

  WEBHOOKS_ENABLED: bool.default(true),
  WEBHOOK_ALLOW_PRIVATE: bool.default(false),
  WEBHOOK_TIMEOUT: duration.pipe(z.number().min(0.1, 'must be at least 100ms').max(300)).default(10),
  WEBHOOK_RETRY_WINDOW: duration.default(86400),
  WEBHOOK_RETRY_BASE: duration.default(10),
  WEBHOOK_RETRY_MAX: duration.default(3600),
  WEBHOOK_POLL_INTERVAL: duration.pipe(z.number().min(0.01, 'must be at least 10ms')).default(1),
  WEBHOOK_CONCURRENCY: int(1, 1000).default(8),
});

/**
 * Without JWT_SECRET outside production: in development a random secret kept in the data directory (so
 * sign-ins survive a restart), in tests a fresh one per process. Production refuses to start instead.
 */
function developmentSecret(nodeEnv: string, dataDir: string): string {
  if (nodeEnv !== 'development') return randomBytes(32).toString('base64url');
  const file = join(dataDir, 'dev-secret');
  const read = (): string | undefined => {
    try {
      const existing = readFileSync(file, 'utf8').trim();
      return existing.length >= 32 ? existing : undefined;
    } catch {
      return undefined; // not created yet
    }
  };
  const existing = read();
  if (existing) return existing;
  const secret = randomBytes(32).toString('base64url');
  mkdirSync(dataDir, { recursive: true });
  // Written whole to a private file, then linked into place: of two first starts at once, one links and
  // the other reads the complete secret it wrote.
  const draft = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
  writeFileSync(draft, `${secret}\n`, { mode: 0o600, flag: 'wx' });
  try {
    linkSync(draft, file);
    return secret;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    rmSync(draft, { force: true });
  }
  const written = read();
  if (written) return written;
  // An unreadable or truncated file left by a crash: replace it.
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  return secret;
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
