/**
 * Chat benchmark: N clients in R rooms send at a target rate through server processes, in four
 * configurations run one after the other on the same data:
 *
 *   raw      one bare Socket.IO process (raw-chat-server.ts: no auth, no database, in-memory adapter) that
 *            acknowledges and broadcasts the same payloads: the ceiling the others are measured against
 *   memory   one real node, Socket.IO's in-memory adapter (no Redis)
 *   classic  two real nodes, SOCKET_ADAPTER=classic on a 6-node Redis Cluster (PUBLISH to every Redis node)
 *   sharded  two real nodes, the sharded adapter (SPUBLISH: each room's channel on one shard)
 *
 *   npm run bench:chat [-- --clients 1000] [--rooms 50] [--rate 3000] [--duration 10]
 *                      [--database-url URL] [--max-inflight 8] [--configs raw,memory,classic,sharded]
 *
 * Servers are `node dist/main.js` child processes on loopback; the Redis Cluster is a private one started
 * with redis-cluster/start.sh on free ports (the shared test cluster is never touched) and stopped at the
 * end; PostgreSQL is --database-url, else DATABASE_URL, else a fresh database on
 * postgres://postgres@127.0.0.1:5432 that is dropped at the end. Users sign up and join their room over
 * the HTTP API; the raw server trusts their tokens without checking them. Every acknowledged message is
 * checked against every member socket's deliveries and (except raw, which stores nothing) against the
 * database. Deliveries/s and sends/s are also given as a share of raw's. Everything is bounded in time and
 * count.
 */
import { randomBytes } from 'node:crypto';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { startPrivateRedisCluster, type PrivateRedisCluster } from '../test/helpers/private-redis-cluster.js';
import { membersPerRoom, runLoad, signUpInRooms, type BenchUser, type LoadResult } from './chat-load.js';
import { percentile, positive } from './bench-client.js';
import { benchDatabase, startNode, type ServerNode } from './chat-nodes.js';
import { processCpuMs } from './cpu-time.js';

/** Persisted sends/s the memory configuration is to reach at saturation (twice what it did before). */
const PERSISTED_GOAL = 900;

const CONFIGS = ['raw', 'memory', 'classic', 'sharded'] as const;
type ConfigName = (typeof CONFIGS)[number];
const RAW_SERVER = fileURLToPath(new URL('./raw-chat-server.ts', import.meta.url));
/** The goals, as a share of raw's deliveries/s. */
const GOALS: [ConfigName, number][] = [
  ['memory', 0.7],
  ['sharded', 0.6],
];

interface Row {
  name: ConfigName;
  nodes: number;
  offered: number;
  skipped: number;
  /** Committed in PostgreSQL during the send window; raw stores nothing, so acknowledged in it. */
  sendsPerSec: number;
  /** Whether `sendsPerSec` counts stored messages (false for raw). */
  stored: boolean;
  deliveriesPerSec: number;
  p50: number;
  p95: number;
  p99: number;
  ackP99: number;
  /**
   * Acknowledged messages missing from the database (undefined for raw: nothing to check), and
   * (message, member socket) pairs not delivered.
   */
  lostInDb: number | undefined;
  undelivered: number;
  duplicates: number;
  refused: string;
  timeouts: number;
  clientLoad: number;
  /** Server CPU (all nodes) per delivery over the load, in microseconds; undefined without `/proc`. */
  cpuPerDeliveryUs: number | undefined;
  serverErrors: number;
}

const log = (line: string) => console.log(line);

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

/**
 * Raw stores nothing, so its rooms' seqs are checked in the acknowledgements instead: distinct and
 * increasing, and 1..N when every send was answered. Returns how many rooms fail.
 */
function roomsWithBadAckedSeqs(result: LoadResult): number {
  const byRoom = new Map<string, number[]>();
  for (const m of result.acked.values()) {
    const list = byRoom.get(m.roomId) ?? [];
    list.push(Number(m.seq));
    byRoom.set(m.roomId, list);
  }
  const complete = result.timeouts === 0 && result.refused.size === 0;
  let bad = 0;
  for (const seqs of byRoom.values()) {
    seqs.sort((a, b) => a - b);
    if (!seqs.every((seq, k) => (complete ? seq === k + 1 : k === 0 || seq > seqs[k - 1]!))) bad += 1;
  }
  return bad;
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
  if (name === 'classic' || name === 'sharded') {
    env.REDIS_CLUSTER_NODES = redis!.nodesEnv;
    env.SOCKET_ADAPTER = name;
  }
  const nodes: ServerNode[] = [];
  try {
    if (name === 'raw') {
      // Only what it listens on: it reads no other setting.
      const rawEnv = { NODE_ENV: 'production', HOST: baseEnv.HOST!, PORT: '0' };
      nodes.push(await startNode(rawEnv, { script: RAW_SERVER }));
    } else {
      for (let i = 0; i < (name === 'memory' ? 1 : 2); i += 1) nodes.push(await startNode(env));
    }
    const prefix = `bench-${name}-${randomBytes(3).toString('hex')}-`;
    const serverCpu = () => {
      const readings = nodes.map((n) => processCpuMs(n.pid));
      return readings.every((ms) => ms !== undefined)
        ? readings.reduce<number>((sum, ms) => sum + ms!, 0)
        : undefined;
    };
    const cpuBefore = serverCpu();
    const result = await runLoad({
      users,
      nodeUrls: nodes.map((n) => n.url),
      rate: options.rate,
      durationMs: options.durationMs,
      maxInflight: options.maxInflight,
      prefix,
      log,
    });
    const cpuAfter = serverCpu();
    const cpuPerDeliveryUs =
      cpuBefore !== undefined && cpuAfter !== undefined && result.deliveries > 0
        ? ((cpuAfter - cpuBefore) * 1000) / result.deliveries
        : undefined;
    const db = name === 'raw' ? undefined : await checkDatabase(options.databaseUrl, prefix, result);
    const roomsWithGaps = db ? db.roomsWithGaps : roomsWithBadAckedSeqs(result);
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
    if (db && db.unacknowledgedStored > 0) {
      log(`  ${db.unacknowledgedStored} messages were stored but not acknowledged within 10 s (overload)`);
    }
    if (roomsWithGaps > 0) log(`  ${roomsWithGaps} rooms have gaps in their sequence numbers`);
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
      sendsPerSec: ((db ? db.persistedInWindow : result.ackedInWindow) / result.sendWindowMs) * 1000,
      stored: db !== undefined,
      deliveriesPerSec: (result.deliveriesInWindow / result.sendWindowMs) * 1000,
      p50: percentile(latencies, 50),
      p95: percentile(latencies, 95),
      p99: percentile(latencies, 99),
      ackP99: percentile(acks, 99),
      lostInDb: db?.lost,
      undelivered,
      duplicates: result.duplicates,
      refused,
      timeouts: result.timeouts,
      clientLoad: result.clientLoad,
      cpuPerDeliveryUs,
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
    if (configs.some((c) => c === 'classic' || c === 'sharded')) {
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
      users = (await signUpInRooms(setupNode.url, clients, rooms, log)).users;
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
  const raw = rows.find((r) => r.name === 'raw');
  const pct = (share: number) => (Number.isFinite(share) ? `${(share * 100).toFixed(0)}%` : '-');
  /** Deliveries/s as a share of raw's, then sends/s (persisted, against raw's acknowledged). */
  const ofRaw = (r: Row) =>
    raw
      ? `${pct(r.deliveriesPerSec / raw.deliveriesPerSec)} (${pct(r.sendsPerSec / raw.sendsPerSec)})`
      : 'n/a';
  log(
    '| config | nodes | persisted sends/s | deliveries/s | % of raw: deliveries/s (sends/s) | p50 ms | p95 ms | ' +
      'p99 ms | ack p99 ms | lost (DB) | undelivered | refused / timeouts | client CPU | server CPU µs/delivery |',
  );
  log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: |');
  for (const r of rows) {
    const sends = r.stored ? f(r.sendsPerSec) : `n/a (${f(r.sendsPerSec)} acked)`;
    log(
      `| ${r.name} | ${r.nodes} | ${sends} | ${f(r.deliveriesPerSec)} | ${ofRaw(r)} | ${f(r.p50, 1)} | ` +
        `${f(r.p95, 1)} | ${f(r.p99, 1)} | ${f(r.ackP99, 1)} | ${r.lostInDb ?? 'n/a'} | ${r.undelivered} | ` +
        `${r.refused} / ${r.timeouts} | ${f(r.clientLoad * 100)}% | ${r.cpuPerDeliveryUs === undefined ? '-' : f(r.cpuPerDeliveryUs, 1)} |`,
    );
  }
  if (raw) {
    log(
      '\nraw stores nothing: its sends/s are the sends acknowledged in the window and its lost (DB) check is ' +
        'n/a; its deliveries, duplicates and seqs (in the acknowledgements) are checked like the others.',
    );
  }
  for (const r of rows) {
    if (r.skipped > 0)
      log(`${r.name}: ${r.skipped} of ${r.offered} scheduled sends skipped (client at --max-inflight)`);
    if (r.duplicates > 0) log(`${r.name}: ${r.duplicates} duplicate deliveries`);
    if (r.serverErrors > 0) log(`${r.name}: servers logged ${r.serverErrors} errors`);
  }
  const verdict = (ok: boolean) => (ok ? 'met' : 'NOT met');
  log('\ntargets:');
  const clean = rows.every((r) => (r.lostInDb ?? 0) === 0 && r.undelivered === 0 && r.duplicates === 0);
  log(`  zero lost, no duplicate deliveries: ${verdict(clean)}`);
  for (const [name, goal] of GOALS) {
    const r = rows.find((row) => row.name === name);
    if (!r) continue;
    const share = raw ? r.deliveriesPerSec / raw.deliveriesPerSec : NaN;
    log(
      `  ${name} ≥ ${goal * 100}% of raw's deliveries/s: ` +
        (raw ? `${verdict(share >= goal)} (${pct(share)})` : 'n/a (raw not run)'),
    );
  }
  const memory = rows.find((r) => r.name === 'memory');
  if (memory) {
    // At saturation only: at a rate the node keeps up with, sends/s is the offered rate.
    log(
      `  memory ≥ ${PERSISTED_GOAL} persisted sends/s (at saturation): ` +
        `${verdict(memory.sendsPerSec >= PERSISTED_GOAL)} (${f(memory.sendsPerSec)})`,
    );
  }
  const sharded = rows.find((r) => r.name === 'sharded');
  if (sharded && rate <= 300) {
    log(
      `  sharded p99 delivery ≤ 50 ms at ${rate}/s: ${verdict(sharded.p99 <= 50)} (${f(sharded.p99, 1)} ms)`,
    );
  }
  for (const r of rows) {
    if (r.refused.includes('unavailable')) {
      log(
        `  ${r.name}: accepted sends' ack p99 ≤ 1 s under overload: ${verdict(r.ackP99 <= 1000)} (${f(r.ackP99)} ms)`,
      );
    }
  }
}

main().catch((error: unknown) => {
  console.error(`bench:chat: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exitCode = 1;
});
