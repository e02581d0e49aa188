/**
 * Chat benchmark: N clients in R rooms send at a target rate through real server processes, in three
 * configurations run one after the other on the same data:
 *
 *   memory   one node, Socket.IO's in-memory adapter (no Redis): the ceiling
 *   classic  two nodes, SOCKET_ADAPTER=classic on a 6-node Redis Cluster (PUBLISH to every Redis node)
 *   sharded  two nodes, the sharded adapter (SPUBLISH: each room's channel on one shard)
 *
 *   npm run bench:chat [-- --clients 1000] [--rooms 50] [--rate 3000] [--duration 10]
 *                      [--database-url URL] [--max-inflight 8] [--configs memory,classic,sharded]
 *
 * Servers are `node dist/main.js` child processes on loopback; the Redis Cluster is a private one started
 * with redis-cluster/start.sh on free ports (the shared test cluster is never touched) and stopped at the
 * end; PostgreSQL is --database-url, else DATABASE_URL, else a fresh database on
 * postgres://postgres@127.0.0.1:5432 that is dropped at the end. Users sign up and join their room over
 * the HTTP API. Every acknowledged message is checked against every member socket's deliveries and
 * against the database. Everything is bounded in time and count.
 */
import { randomBytes } from 'node:crypto';
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import pg from 'pg';
import type { AuthResponse, MyRoom, Room } from '@synctalk/sdk';
import { startPrivateRedisCluster, type PrivateRedisCluster } from '../test/helpers/private-redis-cluster.js';
import { membersPerRoom, runLoad, type BenchUser, type LoadResult } from './chat-load.js';
import { http, percentile, pool, positive } from './bench-client.js';
import { benchDatabase, startNode, type ServerNode } from './chat-nodes.js';

const CONFIGS = ['memory', 'classic', 'sharded'] as const;
type ConfigName = (typeof CONFIGS)[number];

interface Row {
  name: ConfigName;
  nodes: number;
  offered: number;
  skipped: number;
  persistedPerSec: number;
  deliveriesPerSec: number;
  p50: number;
  p95: number;
  p99: number;
  ackP99: number;
  /** Acknowledged messages missing from the database, and (message, member socket) pairs not delivered. */
  lostInDb: number;
  undelivered: number;
  duplicates: number;
  refused: string;
  timeouts: number;
  clientLoad: number;
  serverErrors: number;
}

const log = (line: string) => console.log(line);

/** Signs up `clients` users; user i belongs to room i mod `rooms` (created by users 0..rooms-1). */
async function setUp(url: string, clients: number, rooms: number): Promise<BenchUser[]> {
  const run = randomBytes(3).toString('hex');
  const password = `pw-${randomBytes(8).toString('hex')}`;
  log(`setting up ${clients} users in ${rooms} rooms over HTTP`);
  const auths = await pool(clients, 16, (i) =>
    http<AuthResponse>(url, 'POST', '/v1/auth/signup', undefined, { username: `b${run}u${i}`, password }),
  );
  const roomIds = await pool(rooms, 16, async (r) => {
    const room = await http<Room>(url, 'POST', '/v1/rooms', auths[r]!.accessToken, {
      title: `Bench ${run} #${r}`,
      visibility: 'public',
    });
    return room.id;
  });
  await pool(clients, 16, async (i) => {
    if (i < rooms) return; // the creator is already the owner
    await http<MyRoom>(url, 'POST', `/v1/rooms/${roomIds[i % rooms]}/join`, auths[i]!.accessToken);
  });
  return auths.map((a, i) => ({ token: a.accessToken, roomId: roomIds[i % rooms]! }));
}

/** Checks every acknowledged message against the database; returns how many are missing or differ. */
async function checkDatabase(databaseUrl: string, prefix: string, result: LoadResult) {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ client_msg_id: string; id: string; seq: string; room_id: string }>(
      'SELECT client_msg_id, id::text, seq::text, room_id::text FROM messages WHERE client_msg_id LIKE $1',
      [`${prefix}%`],
    );
    const stored = new Map(rows.map((r) => [Number(r.client_msg_id.slice(prefix.length)), r]));
    // Throughput: what was committed while the clients were sending (acknowledged in time or not).
    const inWindow = await client.query<{ n: string }>(
      'SELECT count(*) AS n FROM messages WHERE client_msg_id LIKE $1 AND created_at BETWEEN $2 AND $3',
      [`${prefix}%`, result.windowStart, result.windowEnd],
    );
    let lost = 0;
    for (const [n, m] of result.acked) {
      const row = stored.get(n);
      if (!row || row.id !== m.id || row.seq !== m.seq || row.room_id !== m.roomId) lost += 1;
    }
    // Sequence numbers of every room are 1..N without a gap (all configurations so far).
    const gaps = await client.query<{ room_id: string }>(
      'SELECT room_id FROM messages GROUP BY room_id HAVING count(*) <> max(seq) OR min(seq) <> 1',
    );
    return {
      lost,
      persistedInWindow: Number(inWindow.rows[0]!.n),
      unacknowledgedStored: rows.length - result.acked.size,
      roomsWithGaps: gaps.rowCount ?? 0,
    };
  } finally {
    await client.end();
  }
}

async function runConfig(
  name: ConfigName,
  baseEnv: Record<string, string>,
  redis: PrivateRedisCluster | undefined,
  users: BenchUser[],
  options: { rate: number; durationMs: number; maxInflight: number; databaseUrl: string },
): Promise<Row> {
  log(`\n[${name}]`);
  const env = { ...baseEnv };
  if (name !== 'memory') {
    env.REDIS_CLUSTER_NODES = redis!.nodesEnv;
    env.SOCKET_ADAPTER = name;
  }
  const nodes: ServerNode[] = [];
  try {
    for (let i = 0; i < (name === 'memory' ? 1 : 2); i += 1) nodes.push(await startNode(env));
    const prefix = `bench-${name}-${randomBytes(3).toString('hex')}-`;
    const result = await runLoad({
      users,
      nodeUrls: nodes.map((n) => n.url),
      rate: options.rate,
      durationMs: options.durationMs,
      maxInflight: options.maxInflight,
      prefix,
      log,
    });
    const db = await checkDatabase(options.databaseUrl, prefix, result);
    const members = membersPerRoom(users);
    const byRoom = new Map<string, number[]>();
    for (const [n, m] of result.acked) {
      const list = byRoom.get(m.roomId) ?? [];
      list.push(n);
      byRoom.set(m.roomId, list);
    }
    let undelivered = 0;
    users.forEach((u, i) => {
      const seen = result.received[i]!;
      for (const n of byRoom.get(u.roomId) ?? []) if (!seen.has(n)) undelivered += 1;
    });
    const latencies = Float64Array.from(result.deliveryLatencies).sort();
    const acks = Float64Array.from(result.ackLatencies).sort();
    const refused = [...result.refused].map(([code, count]) => `${code}:${count}`).join(' ') || '-';
    if (result.refusalLatencies.length > 0) {
      const answered = Float64Array.from(result.refusalLatencies).sort();
      log(
        `  refused sends answered in p50 ${percentile(answered, 50).toFixed(1)} ms, ` +
          `p99 ${percentile(answered, 99).toFixed(1)} ms, max ${answered[answered.length - 1]!.toFixed(1)} ms`,
      );
    }
    if (db.unacknowledgedStored > 0) {
      log(`  ${db.unacknowledgedStored} messages were stored but not acknowledged within 10 s (overload)`);
    }
    if (db.roomsWithGaps > 0) log(`  ${db.roomsWithGaps} rooms have gaps in their sequence numbers`);
    const serverErrors = nodes.reduce((s, n) => s + n.errors.count, 0);
    for (const n of nodes) for (const line of n.errors.first.slice(0, 3)) log(`  server: ${line}`);
    const expectedDeliveries = [...result.acked.values()].reduce(
      (s, m) => s + (members.get(m.roomId) ?? 0),
      0,
    );
    log(
      `  ${result.acked.size} acknowledged, ${result.deliveries}/${expectedDeliveries} deliveries, ` +
        `client event loop ${(result.clientLoad * 100).toFixed(0)}% busy`,
    );
    return {
      name,
      nodes: nodes.length,
      offered: result.offered,
      skipped: result.skipped,
      persistedPerSec: (db.persistedInWindow / result.sendWindowMs) * 1000,
      deliveriesPerSec: (result.deliveriesInWindow / result.sendWindowMs) * 1000,
      p50: percentile(latencies, 50),
      p95: percentile(latencies, 95),
      p99: percentile(latencies, 99),
      ackP99: percentile(acks, 99),
      lostInDb: db.lost,
      undelivered,
      duplicates: result.duplicates,
      refused,
      timeouts: result.timeouts,
      clientLoad: result.clientLoad,
      serverErrors,
    };
  } finally {
    await Promise.allSettled(nodes.map((n) => n.stop()));
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      clients: { type: 'string', default: '1000' },
      rooms: { type: 'string', default: '50' },
      rate: { type: 'string', default: '3000' },
      duration: { type: 'string', default: '10' },
      'max-inflight': { type: 'string', default: '8' },
      'database-url': { type: 'string' },
      configs: { type: 'string', default: CONFIGS.join(',') },
    },
  });
  const clients = positive('--clients', values.clients, 20_000);
  const rooms = positive('--rooms', values.rooms, clients);
  const rate = positive('--rate', values.rate, 100_000);
  const duration = positive('--duration', values.duration, 600);
  const maxInflight = positive('--max-inflight', values['max-inflight'], 1000);
  const configs = values.configs.split(',').map((c) => c.trim()) as ConfigName[];
  for (const c of configs) if (!CONFIGS.includes(c)) throw new Error(`--configs: unknown "${c}"`);

  const database = await benchDatabase(
    values['database-url'] ?? process.env.DATABASE_URL,
    'postgres://postgres@127.0.0.1:5432/postgres',
  );
  let redis: PrivateRedisCluster | undefined;
  const rows: Row[] = [];
  try {
    if (configs.some((c) => c !== 'memory')) {
      log('starting a private 6-node Redis Cluster');
      redis = await startPrivateRedisCluster();
      log(`  on 127.0.0.1:${redis.basePort}-${redis.basePort + 5}`);
    }
    const baseEnv: Record<string, string> = {
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: '0',
      LOG_LEVEL: 'info',
      DATABASE_URL: database.url,
      JWT_SECRET: randomBytes(32).toString('base64url'),
      JWT_ACCESS_TTL: '6h',
      BCRYPT_COST: '4',
      MESSAGE_RATE_LIMIT: '100000',
      LOGIN_MAX_PER_IP: '1000000',
    };
    const setupNode = await startNode(baseEnv);
    let users: BenchUser[];
    try {
      users = await setUp(setupNode.url, clients, rooms);
    } finally {
      await setupNode.stop();
    }
    for (const name of configs) {
      rows.push(
        await runConfig(name, baseEnv, redis, users, {
          rate,
          durationMs: duration * 1000,
          maxInflight,
          databaseUrl: database.url,
        }),
      );
    }
  } finally {
    await redis?.stop();
    await database.drop();
  }

  const cpu = cpus();
  log(
    `\n${clients} clients, ${rooms} rooms (${Math.round(clients / rooms)} members each), target ${rate} sends/s ` +
      `for ${duration} s; Node ${process.version}, ${cpu.length} CPUs (${cpu[0]?.model ?? '?'})\n`,
  );
  const f = (n: number, d = 0) => (Number.isFinite(n) ? n.toFixed(d) : '-');
  log(
    '| adapter | nodes | persisted sends/s | deliveries/s | p50 ms | p95 ms | p99 ms | ack p99 ms | lost (DB) | undelivered | refused / timeouts | client CPU |',
  );
  log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: |');
  for (const r of rows) {
    log(
      `| ${r.name} | ${r.nodes} | ${f(r.persistedPerSec)} | ${f(r.deliveriesPerSec)} | ${f(r.p50, 1)} | ` +
        `${f(r.p95, 1)} | ${f(r.p99, 1)} | ${f(r.ackP99, 1)} | ${r.lostInDb} | ${r.undelivered} | ` +
        `${r.refused} / ${r.timeouts} | ${f(r.clientLoad * 100)}% |`,
    );
  }
  for (const r of rows) {
    if (r.skipped > 0)
      log(`${r.name}: ${r.skipped} of ${r.offered} scheduled sends skipped (client at --max-inflight)`);
    if (r.duplicates > 0) log(`${r.name}: ${r.duplicates} duplicate deliveries`);
    if (r.serverErrors > 0) log(`${r.name}: servers logged ${r.serverErrors} errors`);
  }
  const ceiling = rows.find((r) => r.name === 'memory');
  const sharded = rows.find((r) => r.name === 'sharded');
  const verdict = (ok: boolean) => (ok ? 'met' : 'NOT met');
  log('\ntargets:');
  log(`  zero lost: ${verdict(rows.every((r) => r.lostInDb === 0 && r.undelivered === 0))}`);
  if (ceiling && sharded) {
    const share = sharded.deliveriesPerSec / ceiling.deliveriesPerSec;
    log(
      `  sharded ≥ 60% of the ceiling's deliveries/s: ${verdict(share >= 0.6)} (${(share * 100).toFixed(0)}%)`,
    );
  }
  for (const r of rows) {
    log(
      `  ${r.name}: ≥ 3,000 persisted sends/s ${verdict(r.persistedPerSec >= 3000)} (${f(r.persistedPerSec)}); ` +
        `p99 ≤ 50 ms ${verdict(r.p99 <= 50)} (${f(r.p99, 1)} ms)`,
    );
  }
}

main().catch((error: unknown) => {
  console.error(`bench:chat: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exitCode = 1;
});
