/**
 * Soak: steady chat for a long while — sends, room joins and leaves, connections cut under the clients
 * (the SDK reconnects and catches up), access-token refreshes — while each server node's heap (after a forced
 * full collection) and RSS are sampled. After the warm-up a least-squares line is fitted to each; the run
 * fails (exit code 1) if a node's heap grows faster than --max-heap-slope, or if any message was lost,
 * stored twice, or delivered to a member missing, twice or out of order.
 *
 *   npm run soak [-- --minutes 30] [--clients 200] [--nodes 2] [--rate 20] [--visits 60] [--drops 30]
 *                [--access-ttl 60] [--sample-every 5] [--warmup <s>] [--max-heap-slope <MiB/min>]
 *                [--database-url URL] [--redis-base-port PORT]
 *
 * Nodes are `node dist/main.js` child processes started with `--expose-gc` and a preloaded probe
 * (memory-probe.mjs) that collects garbage and reports `process.memoryUsage()` over IPC: a harness only,
 * production servers run neither. With --nodes 2 (the default) they share a private 6-node Redis Cluster on
 * free ports (or --redis-base-port), stopped at the end; without redis-server, one node on the in-memory
 * store. PostgreSQL is --database-url, else DATABASE_URL, else a fresh database on
 * postgres://postgres@127.0.0.1:5432 that is dropped at the end.
 */
import { randomBytes } from 'node:crypto';
import { cpus, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import {
  privateClusterUnavailable,
  startPrivateRedisCluster,
  type PrivateRedisCluster,
} from '../test/helpers/private-redis-cluster.js';
import { pool, positive } from './bench-client.js';
import { benchDatabase, startNode, type ServerNode } from './chat-nodes.js';
import { checkSoak, soakCorrect, type SoakCheck } from './soak-checks.js';
import { newCounters, SoakClient, type AckedSend, type SoakCounters } from './soak-clients.js';
import { PROBE_NODE_OPTIONS, recordMemory, trend, type MemoryTrend } from './soak-memory.js';

const log = (line: string) => console.log(line);
const MiB = 1024 * 1024;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A positive number (fractions allowed), at most `max`. */
function amount(flag: string, value: string, max: number): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || n > max)
    throw new Error(`${flag} must be a number above 0, at most ${max}`);
  return n;
}

/**
 * The default bound on a node's heap slope, MiB a minute. Short runs end while V8 is still compiling hot code
 * and pools are still filling: over minutes 1–3 the nodes measured 0.00–0.33 MiB/min here, so 1 MiB/min
 * (under 1.7 KB kept per message a node handles at the default traffic). From 10 minutes on the fit sees
 * the steady state — 0.03 MiB/min over minutes 6–30 here — and 0.15 MiB/min is five times that: a
 * node keeping every message it stores (0.27–0.29 MiB/min, planted to try it) fails it.
 */
function defaultHeapSlope(minutes: number): number {
  return minutes >= 10 ? 0.15 : 1;
}

interface Options {
  minutes: number;
  clients: number;
  rooms: number;
  nodes: number;
  rate: number;
  visitsPerMin: number;
  dropsPerMin: number;
  accessTtl: number;
  sampleEveryMs: number;
  warmupMs: number;
  maxHeapSlope: number;
  databaseUrl?: string;
  redisBasePort?: number;
}

function options(): Options {
  const { values } = parseArgs({
    options: {
      minutes: { type: 'string', default: '30' },
      clients: { type: 'string', default: '200' },
      rooms: { type: 'string' },
      nodes: { type: 'string', default: '2' },
      rate: { type: 'string', default: '20' },
      visits: { type: 'string', default: '60' },
      drops: { type: 'string', default: '30' },
      'access-ttl': { type: 'string', default: '60' },
      'sample-every': { type: 'string', default: '5' },
      warmup: { type: 'string' },
      'max-heap-slope': { type: 'string' },
      'database-url': { type: 'string' },
      'redis-base-port': { type: 'string' },
    },
  });
  const minutes = amount('--minutes', values.minutes, 24 * 60);
  const clients = positive('--clients', values.clients, 5_000);
  const rooms = values.rooms
    ? positive('--rooms', values.rooms, clients)
    : Math.max(2, Math.ceil(clients / 10));
  if (rooms < 2) throw new Error('--rooms must be at least 2 (clients visit rooms other than their own)');
  const warmupMs = values.warmup
    ? amount('--warmup', values.warmup, minutes * 60) * 1000
    : Math.max(60_000, minutes * 60_000 * 0.2);
  if (warmupMs >= minutes * 60_000) throw new Error('the warm-up must end before the run does');
  return {
    minutes,
    clients,
    rooms,
    nodes: positive('--nodes', values.nodes, 8),
    rate: amount('--rate', values.rate, 10_000),
    visitsPerMin: amount('--visits', values.visits, 100_000),
    dropsPerMin: amount('--drops', values.drops, 100_000),
    // auth:expiring comes at half the lifetime for short tokens; below 10 s reconnects would outpace it.
    accessTtl: amount('--access-ttl', values['access-ttl'], 86_400),
    sampleEveryMs: amount('--sample-every', values['sample-every'], 600) * 1000,
    warmupMs,
    maxHeapSlope: values['max-heap-slope']
      ? amount('--max-heap-slope', values['max-heap-slope'], 1_000)
      : defaultHeapSlope(minutes),
    databaseUrl: values['database-url'] ?? process.env.DATABASE_URL,
    redisBasePort: values['redis-base-port']
      ? positive('--redis-base-port', values['redis-base-port'], 55_000)
      : undefined,
  };
}

/** Signs every client up, gives each a home room (client r < rooms creates room r), connects and joins it. */
async function setUpClients(o: Options, nodeUrls: string[], counters: SoakCounters, acked: AckedSend[]) {
  const run = randomBytes(3).toString('hex');
  const password = `pw-${randomBytes(8).toString('hex')}`;
  const clients = Array.from(
    { length: o.clients },
    // Client i starts on node i mod nodes (the SDK moves on to the next URL when one fails).
    (_, i) =>
      new SoakClient(
        [...nodeUrls.slice(i % nodeUrls.length), ...nodeUrls.slice(0, i % nodeUrls.length)],
        counters,
        acked,
      ),
  );
  log(`signing up ${o.clients} clients; ${o.rooms} home rooms`);
  await pool(o.clients, 8, (i) => clients[i]!.signUp(`s${run}u${i}`, password));
  const roomIds = await pool(o.rooms, 8, (r) => clients[r]!.joinHome('', true, `Soak ${run} #${r}`));
  await pool(o.clients, 8, async (i) => {
    if (i >= o.rooms) await clients[i]!.joinHome(roomIds[i % o.rooms]!, false, '');
  });
  log('connecting');
  await pool(o.clients, 16, async (i) => {
    await clients[i]!.connect();
    await clients[i]!.subscribeHome();
  });
  return { clients, roomIds };
}

interface Traffic {
  sendWindowMs: number;
  skipped: number;
  /** How long the home rooms took to reach their last message everywhere after the traffic stopped. */
  convergedMs: number | undefined;
}

/** The open-loop schedule: sends, visits and drops at their rates until `durationMs` has passed. */
async function runTraffic(
  o: Options,
  clients: SoakClient[],
  roomIds: string[],
  prefix: string,
  started: number,
  progress: () => void,
): Promise<Omit<Traffic, 'convergedMs'>> {
  const durationMs = o.minutes * 60_000;
  let sends = 0;
  let visits = 0;
  let drops = 0;
  let n = 0;
  let turn = 0;
  let skipped = 0;
  let nextProgress = 30_000;
  const random = (k: number) => Math.floor(Math.random() * k);
  await new Promise<void>((resolve) => {
    const tick = () => {
      const elapsed = Math.min(durationMs, performance.now() - started);
      while (sends < Math.floor((o.rate * elapsed) / 1000)) {
        sends += 1;
        const c = clients[turn++ % clients.length]!;
        // A client whose connection is down keeps its sends in the SDK's outbox; past 20 it waits its turn.
        if (c.chat!.pendingSends >= 20) skipped += 1;
        else c.send(c.homeRoomId, prefix, n++);
      }
      while (visits < Math.floor((o.visitsPerMin * elapsed) / 60_000)) {
        visits += 1;
        for (let attempt = 0; attempt < 10; attempt += 1) {
          const c = clients[random(clients.length)]!;
          if (c.visiting) continue;
          let roomId = roomIds[random(roomIds.length)]!;
          if (roomId === c.homeRoomId) roomId = roomIds[(roomIds.indexOf(roomId) + 1) % roomIds.length]!;
          c.visit(
            roomId,
            prefix,
            n++,
            2_000 + random(8_000),
            () => performance.now() - started >= durationMs,
          );
          break;
        }
      }
      while (drops < Math.floor((o.dropsPerMin * elapsed) / 60_000)) {
        drops += 1;
        for (let attempt = 0; attempt < 10; attempt += 1) if (clients[random(clients.length)]!.drop()) break;
      }
      if (elapsed >= nextProgress) {
        nextProgress += 30_000;
        progress();
      }
      if (elapsed >= durationMs) {
        clearInterval(timer);
        resolve();
      }
    };
    const timer = setInterval(tick, 20);
  });
  return { sendWindowMs: performance.now() - started, skipped };
}

/** Waits (up to `limitMs`) until every client has its home room's last acknowledged message. */
async function converge(
  clients: SoakClient[],
  acked: AckedSend[],
  limitMs: number,
): Promise<number | undefined> {
  const last = new Map<string, number>();
  for (const a of acked) last.set(a.roomId, Math.max(last.get(a.roomId) ?? 0, Number(a.seq)));
  const start = performance.now();
  while (performance.now() - start < limitMs) {
    if (clients.every((c) => (c.home.at(-1)?.seq ?? 0) >= (last.get(c.homeRoomId) ?? 0))) {
      return performance.now() - start;
    }
    await sleep(100);
  }
  return undefined;
}

function report(
  o: Options,
  nodeCount: number,
  store: string,
  counters: SoakCounters,
  traffic: Traffic,
  check: SoakCheck,
  trends: MemoryTrend[],
  sampleFailures: string[],
  serverErrors: { count: number; first: string[] }[],
) {
  const cpu = cpus();
  const f = (x: number, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : '-');
  const mib = (x: number, d = 1) => f(x / MiB, d);
  const signed = (x: number) => (Number.isFinite(x) ? `${x >= 0 ? '+' : ''}${(x / MiB).toFixed(2)}` : '-');
  const d = counters.delivered;
  log(
    `\nsoak: ${f(o.minutes, 1)} min, ${o.clients} clients in ${o.rooms} home rooms, ${nodeCount} node(s) (${store}); ` +
      `Node ${process.version}, ${cpu.length} CPUs (${cpu[0]?.model ?? '?'}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB\n`,
  );
  log(
    '| duration | sends (acked) | deliveries (live / join / catch-up / own ack) | visits (join+leave) | cuts → reconnects | token refreshes |',
  );
  log('| ---: | ---: | ---: | ---: | ---: | ---: |');
  log(
    `| ${f(traffic.sendWindowMs / 60_000, 1)} min | ${counters.sends} (${counters.acked}) | ` +
      `${d.live + d.join + d.history + d.sent} (${d.live} / ${d.join} / ${d.history} / ${d.sent}) | ` +
      `${counters.visits} | ${counters.drops} → ${counters.reconnects} | ${counters.refreshes} |`,
  );
  log(
    `\nmemory after a ${f(o.warmupMs / 60_000, 1)} min warm-up (used after a full GC; data: less compiled code; ` +
      'slopes: least squares):\n',
  );
  log(
    '| node | samples | heap MiB | heap slope MiB/min | data MiB | data slope MiB/min | RSS MiB | RSS slope MiB/min |',
  );
  log('| ---: | ---: | --- | ---: | --- | ---: | --- | ---: |');
  trends.forEach((t, i) => {
    log(
      `| ${i + 1} | ${t.samples} | ${mib(t.heapStart)} → ${mib(t.heapEnd)} | ${signed(t.heapSlope)} | ` +
        `${mib(t.dataStart)} → ${mib(t.dataEnd)} | ${signed(t.dataSlope)} | ` +
        `${mib(t.rssStart, 0)} → ${mib(t.rssEnd, 0)} | ${signed(t.rssSlope)} |`,
    );
  });
  log('\nchecks:');
  log(
    `  PostgreSQL: ${check.stored} stored; ${check.lost} acknowledged but missing or different, ` +
      `${check.storedTwice} stored twice, ${check.unacknowledged} stored but never acknowledged, ` +
      `${check.roomsWithGaps} rooms with seq gaps`,
  );
  log(
    `  home rooms: ${check.undelivered} messages undelivered, ${check.misdelivered} delivered twice, out of order ` +
      `or wrong; ${check.clientsWrong} of ${o.clients} clients not exactly right; converged ` +
      `${traffic.convergedMs === undefined ? 'NOT within 60 s' : `${f(traffic.convergedMs / 1000)} s after the last send`}`,
  );
  log(
    `  during the run: ${counters.disorder} out-of-order deliveries, ${counters.stray} for rooms not subscribed, ` +
      `${counters.sendFailures} sends refused, ${counters.visitFailures} visits failed, ` +
      `${counters.connectionErrors} connection errors, ${traffic.skipped} sends skipped (client outbox full)`,
  );
  for (const problem of counters.problems) log(`  ${problem}`);
  for (const failure of sampleFailures.slice(0, 5)) log(`  memory sample failed: ${failure}`);
  log(`  server error log lines: ${serverErrors.map((e) => e.count).join(', ')} (per node)`);
  serverErrors.forEach((e, i) => {
    for (const line of e.first.slice(0, 3)) log(`  node ${i + 1}: ${line}`);
  });
}

async function main(): Promise<void> {
  const o = options();
  const unavailable = privateClusterUnavailable();
  const nodeCount = unavailable ? 1 : o.nodes;
  if (unavailable) log(`${unavailable}: one node on the in-memory store instead of ${o.nodes}`);

  const database = await benchDatabase(o.databaseUrl, 'postgres://postgres@127.0.0.1:5432/postgres');
  let redis: PrivateRedisCluster | undefined;
  const nodes: ServerNode[] = [];
  const clients: SoakClient[] = [];
  let failed = false;
  try {
    if (!unavailable && nodeCount > 1) {
      redis = await startPrivateRedisCluster({ basePort: o.redisBasePort });
      log(`private Redis Cluster on 127.0.0.1:${redis.basePort}-${redis.basePort + 5}`);
    }
    const env: Record<string, string> = {
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: '0',
      LOG_LEVEL: 'info',
      DATABASE_URL: database.url,
      JWT_SECRET: randomBytes(32).toString('base64url'),
      JWT_ACCESS_TTL: `${o.accessTtl}s`,
      BCRYPT_COST: '4',
      MESSAGE_RATE_LIMIT: '100000',
      LOGIN_MAX_PER_IP: '1000000',
      ...(redis ? { REDIS_CLUSTER_NODES: redis.nodesEnv } : {}),
    };
    // One after the other: the first runs the migrations.
    for (let i = 0; i < nodeCount; i += 1) nodes.push(await startNode(env, PROBE_NODE_OPTIONS));
    const nodeUrls = nodes.map((n) => n.url);
    const counters = newCounters();
    const acked: AckedSend[] = [];
    const setUp = await setUpClients(o, nodeUrls, counters, acked);
    clients.push(...setUp.clients);

    const prefix = `soak-${randomBytes(3).toString('hex')}-`;
    log(
      `running ${o.minutes} min: ${o.rate} sends/s, ${o.visitsPerMin} visits/min, ${o.dropsPerMin} cuts/min, ` +
        `access tokens of ${o.accessTtl} s; memory every ${o.sampleEveryMs / 1000} s`,
    );
    const started = performance.now();
    const memory = recordMemory(nodes, o.sampleEveryMs, started);
    const progress = () => {
      const heaps = memory.samples
        .map((s) => `${((s.at(-1)?.heapUsed ?? NaN) / MiB).toFixed(1)}`)
        .join(' / ');
      log(
        `  ${((performance.now() - started) / 60_000).toFixed(1)} min: ${counters.acked}/${counters.sends} acked, ` +
          `${counters.visits} visits, ${counters.reconnects} reconnects, ${counters.refreshes} refreshes; heap MiB ${heaps}`,
      );
    };
    const window = await runTraffic(o, clients, setUp.roomIds, prefix, started, progress);
    const memoryRecord = await memory.stop();

    await Promise.race([Promise.all(clients.map((c) => c.settled())), sleep(60_000)]);
    const convergedMs = await converge(clients, acked, 60_000);
    for (const c of clients) c.close();
    const check = await checkSoak(database.url, prefix, acked, clients);
    const trends = memoryRecord.samples.map((s) => trend(s, o.warmupMs));
    report(
      o,
      nodeCount,
      redis ? 'private Redis Cluster' : 'in-memory store',
      counters,
      { ...window, convergedMs },
      check,
      trends,
      memoryRecord.failures,
      nodes.map((n) => n.errors),
    );

    const overBound = trends.filter((t) => !(t.heapSlope <= o.maxHeapSlope * MiB));
    log('\nverdict:');
    log(
      `  heap slope ≤ ${o.maxHeapSlope} MiB/min on every node: ${overBound.length === 0 ? 'met' : 'NOT met'} ` +
        `(${trends.map((t) => (t.heapSlope / MiB).toFixed(2)).join(', ')}; data ` +
        `${trends.map((t) => (t.dataSlope / MiB).toFixed(2)).join(', ')})`,
    );
    log(`  nothing lost, duplicated or misdelivered: ${soakCorrect(check) ? 'met' : 'NOT met'}`);
    failed = overBound.length > 0 || !soakCorrect(check) || memoryRecord.failures.length > 0;
  } finally {
    for (const c of clients) c.close();
    await Promise.allSettled(nodes.map((n) => n.stop()));
    await redis?.stop();
    await database.drop();
  }
  if (failed) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(`soak: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exitCode = 1;
});
