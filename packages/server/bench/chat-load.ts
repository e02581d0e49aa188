/**
 * The chat benchmark's clients: one socket.io-client connection per user, spread over the nodes, each in its
 * room; an open-loop send schedule at a target rate; a record of every acknowledgement and every delivery.
 *
 * Every message's text is the time it was sent (`performance.now()` of this process), so a delivery's
 * latency is its arrival time minus its text. clientMsgIds are `<prefix><n>`, n counting sends.
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { AuthResponse, ErrorBody, Message, MyRoom, Room } from '@synctalk/sdk';
import { connect, http, pool, type ChatSocket } from './bench-client.js';

export interface BenchUser {
  token: string;
  roomId: string;
}

/**
 * Signs up `clients` users over the HTTP API; user i belongs to room i mod `rooms` (created by users
 * 0..rooms-1). Returns each user's sign-in and room, and the rooms.
 */
export async function signUpInRooms(
  url: string,
  clients: number,
  rooms: number,
  log: (line: string) => void,
): Promise<{ auths: AuthResponse[]; users: BenchUser[]; roomIds: string[] }> {
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
  const users = auths.map((a, i) => ({ token: a.accessToken, roomId: roomIds[i % rooms]! }));
  return { auths, users, roomIds };
}

export interface LoadOptions {
  users: BenchUser[];
  /** User i connects to node i mod nodes. */
  nodeUrls: string[];
  /** Target sends per second, all clients together. */
  rate: number;
  durationMs: number;
  prefix: string;
  /** A client with this many unanswered sends skips its turn (counted as skipped). */
  maxInflight: number;
  log: (line: string) => void;
}

export interface AckedMessage {
  roomId: string;
  id: string;
  seq: string;
}

export interface LoadResult {
  /** Sends the schedule asked for, and those skipped because their client had too many in flight. */
  offered: number;
  skipped: number;
  acked: Map<number, AckedMessage>;
  refused: Map<string, number>;
  timeouts: number;
  ackLatencies: number[];
  /** How long each refused send took to be answered (ms): an overloaded node must refuse at once. */
  refusalLatencies: number[];
  deliveryLatencies: Float64Array;
  deliveries: number;
  duplicates: number;
  /** Per user: the numbers of the messages their socket received. */
  received: Set<number>[];
  /** The send window: its length (ms), its bounds (epoch ms, the clock the database stamps with). */
  sendWindowMs: number;
  windowStart: Date;
  windowEnd: Date;
  /** Deliveries received within the send window. */
  deliveriesInWindow: number;
  /** Sends acknowledged within the send window. */
  ackedInWindow: number;
  /** Event-loop utilisation of this (client) process during the send window, 0..1. */
  clientLoad: number;
}

const ACK_TIMEOUT_MS = 10_000;
const CONNECT_CONCURRENCY = 50;

async function inBatches<T>(items: T[], size: number, fn: (item: T, i: number) => Promise<void>) {
  for (let i = 0; i < items.length; i += size) {
    await Promise.all(items.slice(i, i + size).map((item, k) => fn(item, i + k)));
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Connects every user, joins their room, runs the send schedule, and waits for the stragglers. */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const { users, nodeUrls, prefix, log } = options;
  const sockets: ChatSocket[] = new Array(users.length);
  const received = users.map(() => new Set<number>());
  const latencies = { data: new Float64Array(1 << 20), length: 0 };
  let deliveries = 0;
  let duplicates = 0;

  try {
    log(`  connecting ${users.length} clients to ${nodeUrls.length} node(s)`);
    await inBatches(users, CONNECT_CONCURRENCY, async (user, i) => {
      const socket = await connect(nodeUrls[i % nodeUrls.length]!, user.token);
      sockets[i] = socket;
      const seen = received[i]!;
      socket.on('message:new', (message: Message) => {
        const now = performance.now();
        if (!message.clientMsgId.startsWith(prefix)) return;
        const n = Number(message.clientMsgId.slice(prefix.length));
        if (seen.has(n)) {
          duplicates += 1;
          return;
        }
        seen.add(n);
        deliveries += 1;
        if (latencies.length === latencies.data.length) {
          const bigger = new Float64Array(latencies.data.length * 2);
          bigger.set(latencies.data);
          latencies.data = bigger;
        }
        latencies.data[latencies.length++] = now - Number(message.text);
      });
      const joined = await socket.timeout(ACK_TIMEOUT_MS).emitWithAck('room:join', { roomId: user.roomId });
      if ('error' in joined) throw new Error(`room:join: ${joined.error.code} ${joined.error.message}`);
    });

    log(`  sending at ${options.rate}/s for ${options.durationMs / 1000} s`);
    const inflight = new Uint16Array(users.length);
    const acked = new Map<number, AckedMessage>();
    const refused = new Map<string, number>();
    const ackLatencies: number[] = [];
    const refusalLatencies: number[] = [];
    let timeouts = 0;
    let offered = 0;
    let skipped = 0;
    let pending = 0;
    let turn = 0;
    const send = (i: number) => {
      const n = offered;
      const user = users[i]!;
      const sentAt = performance.now();
      inflight[i]! += 1;
      pending += 1;
      sockets[i]!.timeout(ACK_TIMEOUT_MS)
        .emitWithAck('message:send', {
          roomId: user.roomId,
          clientMsgId: `${prefix}${n}`,
          text: String(sentAt),
        })
        .then(
          (res: { message: Message } | ErrorBody) => {
            if ('error' in res) {
              refused.set(res.error.code, (refused.get(res.error.code) ?? 0) + 1);
              refusalLatencies.push(performance.now() - sentAt);
            } else {
              ackLatencies.push(performance.now() - sentAt);
              acked.set(n, { roomId: res.message.roomId, id: res.message.id, seq: res.message.seq });
            }
          },
          () => {
            timeouts += 1;
          },
        )
        .finally(() => {
          inflight[i]! -= 1;
          pending -= 1;
        });
    };

    const eluStart = performance.eventLoopUtilization();
    const windowStart = new Date();
    const started = performance.now();
    const total = Math.round((options.rate * options.durationMs) / 1000);
    await new Promise<void>((resolve) => {
      const tick = () => {
        const elapsed = performance.now() - started;
        const due = Math.min(total, Math.floor((options.rate * elapsed) / 1000));
        while (offered < due) {
          const i = turn++ % users.length;
          offered += 1;
          if (inflight[i]! >= options.maxInflight) skipped += 1;
          else send(i);
        }
        if (offered >= total) {
          clearInterval(timer);
          resolve();
        }
      };
      const timer = setInterval(tick, 2);
    });
    const sendWindowMs = performance.now() - started;
    const windowEnd = new Date();
    const deliveriesInWindow = deliveries;
    const ackedInWindow = acked.size;
    const clientLoad = performance.eventLoopUtilization(eluStart).utilization;

    // Stragglers: every ack (each has its own timeout), then deliveries until they stop for 1 s.
    const ackDeadline = performance.now() + ACK_TIMEOUT_MS + 5_000;
    while (pending > 0 && performance.now() < ackDeadline) await sleep(20);
    const expected = [...acked.values()].reduce(
      (sum, m) => sum + (membersPerRoom(users).get(m.roomId) ?? 0),
      0,
    );
    const drainDeadline = performance.now() + 15_000;
    let last = -1;
    let stillSince = performance.now();
    while (deliveries < expected && performance.now() < drainDeadline) {
      if (deliveries !== last) {
        last = deliveries;
        stillSince = performance.now();
      } else if (performance.now() - stillSince > 2_000) break;
      await sleep(20);
    }

    return {
      offered,
      skipped,
      acked,
      refused,
      timeouts,
      ackLatencies,
      refusalLatencies,
      deliveryLatencies: latencies.data.subarray(0, latencies.length),
      deliveries,
      duplicates,
      received,
      sendWindowMs,
      windowStart,
      windowEnd,
      deliveriesInWindow,
      ackedInWindow,
      clientLoad,
    };
  } finally {
    for (const socket of sockets) socket?.close();
  }
}

const memberCounts = new WeakMap<BenchUser[], Map<string, number>>();

/** How many benchmark sockets are in each room. */
export function membersPerRoom(users: BenchUser[]): Map<string, number> {
  let counts = memberCounts.get(users);
  if (!counts) {
    counts = new Map();
    for (const u of users) counts.set(u.roomId, (counts.get(u.roomId) ?? 0) + 1);
    memberCounts.set(users, counts);
  }
  return counts;
}
