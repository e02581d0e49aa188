/**
 * The scale benchmark's reconnect storm: every SDK client connected to node A (each given both nodes' URLs),
 * a sender on node B posting to every room, then node A is SIGKILLed. Measures how long until every client
 * is connected again (to B), has rejoined its room and caught up, and checks at the end that each one was
 * delivered every message of its room exactly once and in order, against PostgreSQL.
 */
import pg from 'pg';
import type { ErrorBody, Message } from '@synctalk/sdk';
import { connect, percentile, type ChatSocket } from './bench-client.js';
import type { ServerNode } from './chat-nodes.js';
import { cpuBetween, databaseCpu, processCpuMs } from './cpu-time.js';
import { checkDeliveries, messagesByRoom } from './soak-checks.js';
import {
  askAll,
  deal,
  type ClientWorker,
  type IdleOpened,
  type StormRecord,
  type StormStatus,
  type StormUser,
} from './scale-workers.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** A sender socket stays at half the server's default socket event rate (20 a second). */
const SENDS_PER_SOCKET = 10;
const ACK_TIMEOUT_MS = 10_000;

export interface StormOptions {
  /** Messages a second, all rooms together, round-robin. */
  rate: number;
  /** Sending before the kill. */
  leadMs: number;
  /** Longest wait for every client to rejoin, and then to deliver every message. */
  limitMs: number;
}

export interface StormResult {
  clients: number;
  connectFailures: number;
  firstConnectError?: string;
  sends: { acked: number; refused: number; timeouts: number; firstRefusal?: string };
  /** Milliseconds after the kill: the last client reconnected and rejoined; undefined if not all did. */
  allReconnectedMs?: number;
  allRejoinedMs?: number;
  /** Per client, milliseconds after the kill (ascending), of those that did. */
  reconnectMs: number[];
  rejoinMs: number[];
  /** Clients that came back to B (the other node). */
  onB: number;
  /** Per client, connections opened until it was back (ascending). */
  attempts: number[];
  /** CPU milliseconds from the kill until every client rejoined (or the wait ended): node B, clients. */
  cpu: { nodeB?: number; clients?: number; database?: number; wallMs: number };
  /** After the traffic stopped: how long until every client had its room's last message, if it did. */
  convergedMs?: number;
  /** Clients whose rejoin answer left them behind what was acknowledged before the kill. */
  behindAtRejoin: number;
  stored: number;
  missed: number;
  misdelivered: number;
  clientsWrong: number;
  connectionErrors: number;
  firstConnectionError?: string;
}

/** Sockets of one user on `url` that send to `roomIds` round-robin at `rate` a second until `stop()`. */
async function startSender(url: string, token: string, roomIds: string[], rate: number, prefix: string) {
  const sockets: ChatSocket[] = [];
  for (let i = 0; i < Math.ceil(rate / SENDS_PER_SOCKET); i += 1) sockets.push(await connect(url, token));
  const acked: { roomId: string; seq: number; at: number }[] = [];
  const counts = { acked: 0, refused: 0, timeouts: 0, firstRefusal: undefined as string | undefined };
  const inflight = new Set<Promise<void>>();
  let n = 0;
  const started = performance.now();
  const send = () => {
    const roomId = roomIds[n % roomIds.length]!;
    const socket = sockets[n % sockets.length]!;
    const sent = socket
      .timeout(ACK_TIMEOUT_MS)
      .emitWithAck('message:send', { roomId, clientMsgId: `${prefix}${n}`, text: `storm ${n}` })
      .then(
        (res: { message: Message } | ErrorBody) => {
          if ('error' in res) {
            counts.refused += 1;
            counts.firstRefusal ??= `${res.error.code} ${res.error.message}`;
          } else {
            counts.acked += 1;
            acked.push({ roomId, seq: Number(res.message.seq), at: Date.now() });
          }
        },
        () => {
          counts.timeouts += 1;
        },
      );
    n += 1;
    inflight.add(sent);
    void sent.finally(() => inflight.delete(sent));
  };
  const timer = setInterval(() => {
    while (n < Math.floor((rate * (performance.now() - started)) / 1000)) send();
  }, 20);
  return {
    acked,
    counts,
    async stop() {
      clearInterval(timer);
      while (inflight.size > 0) await Promise.allSettled([...inflight]);
      for (const s of sockets) s.close();
    },
  };
}

/** Sums the workers' status answers. */
async function status(workers: ClientWorker[], heads?: Record<string, number>): Promise<StormStatus> {
  const all = await askAll<StormStatus>(workers, () => ({ type: 'storm-status', heads }));
  return all.reduce((a, b) => ({
    clients: a.clients + b.clients,
    reconnected: a.reconnected + b.reconnected,
    rejoined: a.rejoined + b.rejoined,
    behind: a.behind + b.behind,
  }));
}

/** Each room's last seq in the database. */
async function roomHeads(db: pg.Client, roomIds: string[]): Promise<Record<string, number>> {
  const { rows } = await db.query<{ room_id: string; last: string }>(
    'SELECT room_id::text, max(seq)::text AS last FROM messages WHERE room_id = ANY($1::bigint[]) GROUP BY room_id',
    [roomIds],
  );
  return Object.fromEntries(rows.map((r) => [r.room_id, Number(r.last)]));
}

export async function runStorm(args: {
  workers: ClientWorker[];
  nodeA: ServerNode;
  nodeB: ServerNode;
  users: StormUser[];
  /** A user who is a member of every room. */
  senderToken: string;
  roomIds: string[];
  databaseUrl: string;
  prefix: string;
  options: StormOptions;
  log: (line: string) => void;
}): Promise<StormResult> {
  const { workers, nodeA, nodeB, users, roomIds, options, log } = args;
  const shares = deal(users, workers.length);
  log(`  connecting ${users.length} SDK clients to node A (${workers.length} client processes)`);
  const opened = await askAll<IdleOpened>(workers, (i) => ({
    type: 'storm-connect',
    urls: [nodeA.url, nodeB.url],
    users: shares[i]!,
  }));
  const connectFailures = opened.reduce((s, o) => s + o.failed, 0);
  const firstConnectError = opened.find((o) => o.firstError)?.firstError;

  const sender = await startSender(nodeB.url, args.senderToken, roomIds, options.rate, args.prefix);
  log(`  sending ${options.rate} messages/s to the ${roomIds.length} rooms through node B`);
  await sleep(options.leadMs);
  const cpuNow = () => ({
    nodeB: processCpuMs(nodeB.pid),
    clients: workers
      .map((w) => processCpuMs(w.process.pid!))
      .reduce<number | undefined>((a, b) => (a === undefined || b === undefined ? undefined : a + b), 0),
  });
  const cpuBefore = cpuNow();
  const databaseBefore = await databaseCpu(args.databaseUrl);
  const killAt = Date.now();
  nodeA.process.kill('SIGKILL');
  log('  node A SIGKILLed');

  const clients = users.length - connectFailures;
  let next = 5_000;
  while (Date.now() - killAt < options.limitMs) {
    const s = await status(workers);
    const t = Date.now() - killAt;
    if (s.rejoined >= clients) break;
    if (t >= next) {
      next += 5_000;
      log(`  ${(t / 1000).toFixed(0)} s: ${s.reconnected} reconnected, ${s.rejoined} rejoined of ${clients}`);
    }
    await sleep(100);
  }
  const cpuAfter = cpuNow();
  const databaseAfter = await databaseCpu(args.databaseUrl);
  const used = (a: number | undefined, b: number | undefined) =>
    a === undefined || b === undefined ? undefined : b - a;
  const cpu = {
    nodeB: used(cpuBefore.nodeB, cpuAfter.nodeB),
    clients: used(cpuBefore.clients, cpuAfter.clients),
    database: databaseBefore && databaseAfter ? cpuBetween(databaseBefore, databaseAfter) : undefined,
    wallMs: Date.now() - killAt,
  };
  // A little more traffic after the last rejoin, live on node B, then the cut-off.
  await sleep(2_000);
  await sender.stop();
  const acked = sender.acked;

  const db = new pg.Client({ connectionString: args.databaseUrl });
  await db.connect();
  try {
    const heads = await roomHeads(db, roomIds);
    const stopped = Date.now();
    let convergedMs: number | undefined;
    while (Date.now() - stopped < options.limitMs) {
      if ((await status(workers, heads)).behind === 0) {
        convergedMs = Date.now() - stopped;
        break;
      }
      await sleep(200);
    }
    const records = (await askAll<StormRecord[]>(workers, () => ({ type: 'storm-records' }))).flat();
    await askAll(workers, () => ({ type: 'storm-close' }));

    const byRoom = await messagesByRoom(db, roomIds);
    // What each room had acknowledged to the sender before the kill: a rejoin must deliver at least that.
    const beforeKill = new Map<string, number>();
    for (const a of acked) {
      if (a.at <= killAt) beforeKill.set(a.roomId, Math.max(beforeKill.get(a.roomId) ?? 0, a.seq));
    }
    let missed = 0;
    let misdelivered = 0;
    let clientsWrong = 0;
    let behindAtRejoin = 0;
    let connectionErrors = 0;
    let firstConnectionError: string | undefined;
    for (const r of records) {
      const d = checkDeliveries(byRoom.get(r.roomId) ?? [], r.delivered);
      missed += d.undelivered;
      misdelivered += d.misdelivered;
      if (d.wrong) clientsWrong += 1;
      if (r.rejoinedAt !== undefined && (r.seqAtRejoin ?? 0) < (beforeKill.get(r.roomId) ?? 0)) {
        behindAtRejoin += 1;
      }
      connectionErrors += r.errors;
      firstConnectionError ??= r.firstError;
    }
    const after = (key: 'reconnectedAt' | 'rejoinedAt') =>
      records
        .filter((r) => r[key] !== undefined)
        .map((r) => r[key]! - killAt)
        .sort((a, b) => a - b);
    const reconnectMs = after('reconnectedAt');
    const rejoinMs = after('rejoinedAt');
    return {
      clients,
      connectFailures,
      firstConnectError,
      sends: sender.counts,
      // From each client's own record (the polling above only decides when to stop waiting).
      allReconnectedMs: reconnectMs.length === clients ? reconnectMs.at(-1) : undefined,
      allRejoinedMs: rejoinMs.length === clients ? rejoinMs.at(-1) : undefined,
      reconnectMs,
      rejoinMs,
      onB: records.filter((r) => r.reconnectedTo === nodeB.url).length,
      attempts: records
        .filter((r) => r.reconnectedAt !== undefined)
        .map((r) => r.attempts)
        .sort((a, b) => a - b),
      cpu,
      convergedMs,
      behindAtRejoin,
      stored: [...byRoom.values()].reduce((s, ids) => s + Math.max(0, ids.length - 1), 0),
      missed,
      misdelivered,
      clientsWrong,
      connectionErrors,
      firstConnectionError,
    };
  } finally {
    await db.end();
  }
}

/** The storm's table and checks. */
export function reportStorm(r: StormResult, goalMs: number, log: (line: string) => void): void {
  const s = (ms: number | undefined) =>
    ms === undefined || !Number.isFinite(ms) ? '-' : (ms / 1000).toFixed(1);
  log(
    '\n| clients | back on B | all reconnected, s | all rejoined + caught up, s | reconnect p50 / p99, s | rejoin p50 / p99, s | missed | duplicated or out of order |',
  );
  log('| ---: | ---: | ---: | ---: | --- | --- | ---: | ---: |');
  log(
    `| ${r.clients} | ${r.onB} | ${s(r.allReconnectedMs)} | ${s(r.allRejoinedMs)} | ` +
      `${s(percentile(r.reconnectMs, 50))} / ${s(percentile(r.reconnectMs, 99))} | ` +
      `${s(percentile(r.rejoinMs, 50))} / ${s(percentile(r.rejoinMs, 99))} | ${r.missed} | ${r.misdelivered} |`,
  );
  log(
    `\n  sender: ${r.sends.acked} acknowledged, ${r.sends.refused} refused, ${r.sends.timeouts} timed out` +
      `${r.sends.firstRefusal ? ` (first refusal: ${r.sends.firstRefusal})` : ''}; ${r.stored} messages stored`,
  );
  log(
    `  ${r.reconnectMs.length} of ${r.clients} reconnected, ${r.rejoinMs.length} rejoined; ` +
      `${r.behindAtRejoin} rejoined behind what was acknowledged before the kill; ` +
      `${r.clientsWrong} clients' deliveries not exactly their room's messages in order; every client had its ` +
      `room's last message ${r.convergedMs === undefined ? 'NOT in time' : `${s(r.convergedMs)} s after the cut-off`}`,
  );
  const cores = (ms: number | undefined) =>
    ms === undefined ? '-' : `${(ms / 1000).toFixed(1)} s (${(ms / r.cpu.wallMs).toFixed(2)} cores)`;
  log(
    `  connections opened per client until back: p50 ${percentile(r.attempts, 50)}, ` +
      `p99 ${percentile(r.attempts, 99)}, max ${r.attempts.at(-1) ?? '-'}; CPU over the ${s(r.cpu.wallMs)} s ` +
      `after the kill: node B ${cores(r.cpu.nodeB)}, client processes ${cores(r.cpu.clients)}, PostgreSQL ${cores(r.cpu.database)}`,
  );
  if (r.connectFailures > 0) log(`  ${r.connectFailures} clients failed to connect: ${r.firstConnectError}`);
  if (r.connectionErrors > 0)
    log(`  ${r.connectionErrors} connection error events (first: ${r.firstConnectionError})`);
  const met =
    r.allRejoinedMs !== undefined &&
    r.allRejoinedMs <= goalMs &&
    r.missed === 0 &&
    r.misdelivered === 0 &&
    r.clientsWrong === 0 &&
    r.convergedMs !== undefined;
  log(
    `  goal (every client back and caught up within ${goalMs / 1000} s, nothing missed): ${met ? 'met' : 'NOT met'}`,
  );
}
