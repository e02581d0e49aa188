/**
 * Scale benchmark: what an idle connection costs a server node, and how fast thousands of clients of a
 * crashed node come back on another one.
 *
 *   idle   one node (`node dist/main.js` with --expose-gc and the memory probe, see memory-probe.mjs): its
 *          RSS and heap after a full collection with no client, then with --connections socket.io-client
 *          connections, each joined to its room (rooms of --room-size) and otherwise silent. Per config:
 *          sharded (the sharded adapter on a private Redis Cluster) and memory (no Redis).
 *   storm  two nodes A and B on the private cluster; --connections real `@synctalk/sdk` clients, each given
 *          both URLs, all connected to A and in their rooms; a sender on B posts --rate messages a second
 *          round-robin to the rooms; A is SIGKILLed. Times until every client is connected again, and until
 *          each has rejoined its room and caught up; then every client's deliveries are checked against
 *          PostgreSQL (nothing missed, nothing twice, in order).
 *
 *   npm run bench:scale [-- --connections 5000] [--room-size 20] [--workers 2] [--phases idle,storm]
 *                       [--configs sharded,memory] [--rate 50] [--lead 5] [--limit 120] [--database-pool N]
 *                       [--database-url URL]
 *
 * The clients live in --workers child processes (scale-worker.ts), so their memory and event loops are not
 * the server's. Users sign up and join their room over the HTTP API (one user per connection; BCRYPT_COST=4
 * and a raised sign-in limit, as the other benchmarks do). PostgreSQL is --database-url, else DATABASE_URL,
 * else a fresh database on postgres://postgres@127.0.0.1:5432 that is dropped at the end; the Redis Cluster
 * is a private one on free ports, stopped at the end. The goals (≤ 20 KB RSS per idle connection; the storm
 * back and caught up within 30 s, nothing missed) are reported, not enforced.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpus, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import { tokensFromAuth, type AuthResponse } from '@synctalk/sdk';
import {
  privateClusterUnavailable,
  startPrivateRedisCluster,
  type PrivateRedisCluster,
} from '../test/helpers/private-redis-cluster.js';
import { http, pool, positive } from './bench-client.js';
import { signUpInRooms, type BenchUser } from './chat-load.js';
import { benchDatabase, startNode, type ServerNode } from './chat-nodes.js';
import { reportStorm, runStorm } from './scale-storm.js';
import { askAll, deal, startWorker, type ClientWorker, type IdleOpened } from './scale-workers.js';
import { PROBE_NODE_OPTIONS, sampleMemory, type ProbeSample } from './soak-memory.js';

const log = (line: string) => console.log(line);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const KB = 1024;
const MiB = 1024 * 1024;
const IDLE_GOAL_KB = 20;
const STORM_GOAL_MS = 30_000;
/** Connections opened and closed before the baseline, so code compiled for them is in it. */
const WARM_UP_CONNECTIONS = 200;
/** How long the connections sit before the sample ("quiet"). */
const QUIET_MS = 5_000;

interface IdleRow {
  config: string;
  connected: number;
  failed: number;
  firstError?: string;
  before: ProbeSample;
  after: ProbeSample;
}

function options() {
  const { values } = parseArgs({
    options: {
      connections: { type: 'string', default: '5000' },
      'room-size': { type: 'string', default: '20' },
      workers: { type: 'string', default: '2' },
      phases: { type: 'string', default: 'idle,storm' },
      configs: { type: 'string', default: 'sharded,memory' },
      rate: { type: 'string', default: '50' },
      lead: { type: 'string', default: '5' },
      limit: { type: 'string', default: '120' },
      'database-pool': { type: 'string' },
      'database-url': { type: 'string' },
    },
  });
  const list = (flag: string, value: string, allowed: string[]) => {
    const items = value.split(',').filter(Boolean);
    for (const item of items) if (!allowed.includes(item)) throw new Error(`${flag}: unknown "${item}"`);
    return items;
  };
  return {
    connections: positive('--connections', values.connections, 50_000),
    roomSize: positive('--room-size', values['room-size'], 10_000),
    workers: positive('--workers', values.workers, 16),
    phases: list('--phases', values.phases, ['idle', 'storm']),
    configs: list('--configs', values.configs, ['sharded', 'memory']),
    rate: positive('--rate', values.rate, 10_000),
    leadMs: positive('--lead', values.lead, 3_600) * 1000,
    limitMs: positive('--limit', values.limit, 3_600) * 1000,
    databasePool: values['database-pool']
      ? String(positive('--database-pool', values['database-pool'], 1_000))
      : undefined,
    databaseUrl: values['database-url'] ?? process.env.DATABASE_URL,
  };
}

/**
 * This shell's open-file limit (children inherit it): a node holds a descriptor per connection, and so does
 * each client process for its share.
 */
function checkFileLimit(connections: number): void {
  const soft = Number(spawnSync('sh', ['-c', 'ulimit -n'], { encoding: 'utf8' }).stdout.trim());
  const needed = connections + 1_000;
  if (Number.isFinite(soft) && soft < needed) {
    throw new Error(
      `the open-file limit is ${soft}; ${connections} connections need about ${needed} ` +
        `(raise it first, e.g. \`ulimit -n ${needed}\`, up to the hard limit \`ulimit -Hn\`)`,
    );
  }
}

/** One idle measurement: a fresh probed node, sampled empty and with every user connected. */
async function idleConfig(
  config: string,
  env: Record<string, string>,
  workers: ClientWorker[],
  users: BenchUser[],
): Promise<IdleRow> {
  log(`idle (${config}): starting a node`);
  const node = await startNode(env, PROBE_NODE_OPTIONS);
  try {
    const warm = deal(users.slice(0, WARM_UP_CONNECTIONS), workers.length);
    await askAll(workers, (i) => ({ type: 'idle-open', url: node.url, users: warm[i]! }));
    await askAll(workers, () => ({ type: 'idle-close' }));
    await sleep(2_000);
    const before = await sampleMemory(node.process, 60_000);
    log(`  ${(before.usage.rss / MiB).toFixed(1)} MiB RSS with no connection; opening ${users.length}`);
    const shares = deal(users, workers.length);
    const started = performance.now();
    const opened = await askAll<IdleOpened>(workers, (i) => ({
      type: 'idle-open',
      url: node.url,
      users: shares[i]!,
    }));
    const connected = opened.reduce((s, o) => s + o.connected, 0);
    log(`  ${connected} connected and joined in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    await sleep(QUIET_MS);
    const after = await sampleMemory(node.process, 60_000);
    await askAll(workers, () => ({ type: 'idle-close' }));
    return {
      config,
      connected,
      failed: opened.reduce((s, o) => s + o.failed, 0),
      firstError: opened.find((o) => o.firstError)?.firstError,
      before,
      after,
    };
  } finally {
    await node.stop();
  }
}

function reportIdle(rows: IdleRow[]): void {
  const mib = (x: number) => (x / MiB).toFixed(1);
  const per = (a: number, b: number, n: number) => (n > 0 ? ((b - a) / n / KB).toFixed(1) : '-');
  log(
    '\n| config | connections | RSS MiB, none → all | heap MiB, none → all | RSS KB / connection | heap KB / connection | data KB / connection |',
  );
  log('| --- | ---: | --- | --- | ---: | ---: | ---: |');
  for (const r of rows) {
    const [b, a] = [r.before, r.after];
    log(
      `| ${r.config} | ${r.connected} | ${mib(b.usage.rss)} → ${mib(a.usage.rss)} | ` +
        `${mib(b.usage.heapUsed)} → ${mib(a.usage.heapUsed)} | ${per(b.usage.rss, a.usage.rss, r.connected)} | ` +
        `${per(b.usage.heapUsed, a.usage.heapUsed, r.connected)} | ` +
        `${per(b.usage.heapUsed - b.code, a.usage.heapUsed - a.code, r.connected)} |`,
    );
  }
  for (const r of rows) {
    if (r.failed > 0) log(`  ${r.config}: ${r.failed} connections failed (first: ${r.firstError})`);
    const rssKb = (r.after.usage.rss - r.before.usage.rss) / Math.max(1, r.connected) / KB;
    log(
      `  goal (≤ ${IDLE_GOAL_KB} KB RSS per idle connection), ${r.config}: ` +
        `${r.failed === 0 && rssKb <= IDLE_GOAL_KB ? 'met' : 'NOT met'} (${rssKb.toFixed(1)} KB)`,
    );
  }
}

async function main(): Promise<void> {
  const o = options();
  checkFileLimit(o.connections);
  const rooms = Math.max(1, Math.ceil(o.connections / o.roomSize));
  const unavailable = privateClusterUnavailable();
  if (unavailable) {
    if (o.phases.includes('storm')) throw new Error(`${unavailable}: the storm needs two nodes on a cluster`);
    o.configs = o.configs.filter((c) => c !== 'sharded');
    log(`${unavailable}: idle measured on the memory config only`);
  }
  const cpu = cpus();
  log(
    `scale: ${o.connections} connections in ${rooms} rooms; Node ${process.version}, ${cpu.length} CPUs ` +
      `(${cpu[0]?.model ?? '?'}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB`,
  );

  const database = await benchDatabase(o.databaseUrl, 'postgres://postgres@127.0.0.1:5432/postgres');
  let redis: PrivateRedisCluster | undefined;
  const workers: ClientWorker[] = [];
  const nodes: ServerNode[] = [];
  try {
    if (!unavailable) {
      redis = await startPrivateRedisCluster();
      log(`private Redis Cluster on 127.0.0.1:${redis.basePort}-${redis.basePort + 5}`);
    }
    const env: Record<string, string> = {
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: '0',
      LOG_LEVEL: 'info',
      DATABASE_URL: database.url,
      JWT_SECRET: randomBytes(32).toString('base64url'),
      // Longer than the run, so no access token needs refreshing during it.
      JWT_ACCESS_TTL: '6h',
      BCRYPT_COST: '4',
      MESSAGE_RATE_LIMIT: '100000',
      LOGIN_MAX_PER_IP: '1000000',
      // Each node's PostgreSQL pool: the server's default (10) unless --database-pool.
      ...(o.databasePool ? { DATABASE_POOL_MAX: o.databasePool } : {}),
    };
    const clusterEnv = redis ? { ...env, REDIS_CLUSTER_NODES: redis.nodesEnv } : env;

    // Set up through a node of its own, stopped before anything is measured.
    const setupNode = await startNode(clusterEnv);
    let setUp: Awaited<ReturnType<typeof signUpInRooms>>;
    let sender: AuthResponse;
    try {
      setUp = await signUpInRooms(setupNode.url, o.connections, rooms, log);
      sender = await http<AuthResponse>(setupNode.url, 'POST', '/v1/auth/signup', undefined, {
        username: `scale-sender-${randomBytes(3).toString('hex')}`,
        password: `pw-${randomBytes(8).toString('hex')}`,
      });
      await pool(setUp.roomIds.length, 16, (r) =>
        http(setupNode.url, 'POST', `/v1/rooms/${setUp.roomIds[r]}/join`, sender.accessToken),
      );
    } finally {
      await setupNode.stop();
    }

    for (let i = 0; i < o.workers; i += 1) workers.push(await startWorker());

    const idleRows: IdleRow[] = [];
    if (o.phases.includes('idle')) {
      for (const config of o.configs) {
        idleRows.push(
          await idleConfig(config, config === 'sharded' ? clusterEnv : env, workers, setUp.users),
        );
      }
    }
    if (idleRows.length > 0) {
      log(
        `\nidle connections (${o.workers} client processes; RSS and heap after a full GC; data: heap less compiled code):`,
      );
      reportIdle(idleRows);
    }

    if (o.phases.includes('storm')) {
      log('\nreconnect storm: starting nodes A and B (sharded adapter)');
      nodes.push(await startNode(clusterEnv), await startNode(clusterEnv));
      const result = await runStorm({
        workers,
        nodeA: nodes[0]!,
        nodeB: nodes[1]!,
        users: setUp.auths.map((a, i) => ({ tokens: tokensFromAuth(a), roomId: setUp.users[i]!.roomId })),
        senderToken: sender.accessToken,
        roomIds: setUp.roomIds,
        databaseUrl: database.url,
        prefix: `scale-${randomBytes(3).toString('hex')}-`,
        options: { rate: o.rate, leadMs: o.leadMs, limitMs: o.limitMs },
        log,
      });
      log(
        `\nreconnect storm (${result.clients} SDK clients in ${o.workers} client processes, ${rooms} rooms; ` +
          `times from the SIGKILL; ${o.rate} messages/s throughout):`,
      );
      reportStorm(result, STORM_GOAL_MS, log);
      const errors = nodes[1]!.errors;
      log(
        `  node B error log lines: ${errors.count}${errors.first[0] ? ` (first: ${errors.first[0]})` : ''}`,
      );
    }
  } finally {
    await Promise.allSettled(workers.map((w) => w.stop()));
    await Promise.allSettled(nodes.map((n) => n.stop()));
    await redis?.stop();
    await database.drop();
  }
}

main().catch((error: unknown) => {
  console.error(`bench:scale: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exitCode = 1;
});
