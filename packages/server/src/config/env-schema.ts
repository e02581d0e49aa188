/**
 * The environment's schema: every variable config.ts reads, its validation and its default, and the value
 * parsers they share (booleans, whole numbers, durations, host:port lists, URLs, TRUST_PROXY, origins).
 * Nothing here reads the environment: `loadConfig` in config.ts does, through `envSchema`.
 */
import { isIP } from 'node:net';
import { isOrigin } from '@synctalk/sdk/schemas';
import { z } from 'zod';

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
export const envSchema = z.object({
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
