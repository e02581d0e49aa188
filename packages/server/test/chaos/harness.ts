/**
 * Live traffic for the chaos scenarios: server nodes as child processes (a real SIGKILL, their own event
 * loops), and N SDK clients spread over them, each a member of two rooms, each sending a numbered stream of
 * messages through `chat.send` (the SDK's outbox: sent again with the same `clientMsgId` until stored). The
 * harness records every acknowledgement and every `message:new` each connection delivers; checks.ts then
 * holds them against PostgreSQL.
 *
 * ```ts
 * const h = await startChaos({ label: 'chaos_x', env: { REDIS_CLUSTER_NODES: rc.nodesEnv } });
 * const traffic = h.startTraffic();
 * // ... break something, repair it ...
 * await traffic.stop();           // every send acknowledged (or the test fails naming them)
 * await expectConsistent(h);      // the three end checks
 * await h.close();
 * ```
 */
import {
  createClient,
  memoryTokenStore,
  type Connection,
  type Message,
  type Room,
  type SyncTalkClient,
} from '@synctalk/sdk';
import { describe, it } from 'vitest';
import type { Env } from '../../src/config.js';
import {
  startCluster,
  type ClusterNode,
  type StartNodeOptions,
  type TestCluster,
} from '../helpers/cluster.js';
import type { TestDatabase } from '../helpers/database.js';
import { chaosLevel } from '../helpers/env.js';
import { joinRoom, newRoom, newUser, type TestUser } from '../helpers/factories.js';
import {
  privateClusterUnavailable,
  startPrivateRedisCluster,
  type PrivateRedisCluster,
} from '../helpers/private-redis-cluster.js';
import { describeWith } from '../helpers/services.js';

export interface ChaosOptions {
  /** Names the database. */
  label: string;
  /** Environment of every node. */
  env?: Env;
  /** The private Redis Cluster the nodes use (the scenario breaks it); default: one of the harness's own. */
  redis?: PrivateRedisCluster;
  /** How many server nodes (default 2). */
  nodes?: number;
  /** SDK clients (default: CHAOS_CLIENTS, else 8). */
  clients?: number;
  /** Rooms; client i is a member of rooms i and i + 1 (mod rooms). Default: half the clients. */
  rooms?: number;
  /** Another database than a fresh one on the shared PostgreSQL (e.g. on a private instance). */
  database?: TestDatabase;
  /** Options of server node `i` (its own environment, Node.js options). */
  node?: (i: number) => Pick<StartNodeOptions, 'env' | 'nodeArgs'>;
}

/** One acknowledged send: what the server answered. */
export interface Ack {
  client: number;
  clientMsgId: string;
  roomId: string;
  message: Message;
  /** Milliseconds from `send` to the acknowledgement. */
  ms: number;
  sentAt: number;
}

export interface ChaosClient {
  index: number;
  user: TestUser;
  sdk: SyncTalkClient;
  chat: Connection;
  rooms: string[];
  /** What the connection delivered, per room, in order. */
  delivered: Map<string, Message[]>;
  /** Every status the connection went through. */
  statuses: string[];
  /** Every presence state the connection reported, per room, with the time it came. */
  presence: { roomId: string; online: string[]; at: number }[];
}

export interface Traffic {
  /** Sends made so far (acknowledged or not). */
  readonly sent: number;
  /** Stops making new sends and waits (up to `timeoutMs`) until every send made is acknowledged. */
  stop(timeoutMs?: number): Promise<void>;
}

export interface Chaos {
  cluster: TestCluster;
  /** The server nodes, in order; `restart` replaces one in place (same port). */
  nodes: ClusterNode[];
  clients: ChaosClient[];
  rooms: Room[];
  acks: Ack[];
  /** Sends whose promise rejected (the SDK gave up on them): must stay empty. */
  rejected: { client: number; clientMsgId: string; error: string }[];
  /** Starts the send loops: every client sends every `intervalMs` (jittered), with few sends in flight. */
  startTraffic(options?: { intervalMs?: number }): Traffic;
  /** Starts node `i` again on its port after it stopped (or was killed). */
  restart(i: number, options?: { env?: Env }): Promise<ClusterNode>;
  /** Waits until every connection delivered every message of its rooms up to the newest acknowledged seq. */
  settle(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Sends of one client on their way at the same time, at most. */
const MAX_IN_FLIGHT = 4;

/**
 * Registers a scenario's suite: it needs PostgreSQL and a private Redis Cluster (never the shared one: the
 * Socket.IO adapters' Pub/Sub channels are named after room ids only, so the servers of other test files on
 * a shared cluster would broadcast into this scenario's rooms, e.g. their presence). Skipped with the reason
 * when a private cluster cannot be started, or when `unavailable` names another missing piece.
 */
export function describeChaos(name: string, fn: () => void, unavailable?: string): void {
  const missing = privateClusterUnavailable() ?? unavailable;
  if (missing === undefined) describeWith(['postgres'], name, fn);
  else describe.skip(`${name} [skipped: ${missing}]`, () => it(missing, () => undefined));
}

export async function startChaos(options: ChaosOptions): Promise<Chaos> {
  const ownRedis = options.redis ? undefined : await startPrivateRedisCluster();
  try {
    return await startOn(options, (options.redis ?? ownRedis)!, () => ownRedis?.stop());
  } catch (error) {
    await ownRedis?.stop();
    throw error;
  }
}

async function startOn(
  options: ChaosOptions,
  redis: PrivateRedisCluster,
  stopRedis: () => Promise<void> | undefined,
): Promise<Chaos> {
  const clientCount = options.clients ?? chaosLevel.clients;
  const roomCount = options.rooms ?? Math.max(2, Math.floor(clientCount / 2));
  // One in-process node to make the users and rooms with the factories; the traffic runs on child processes.
  const cluster = await startCluster({
    label: options.label,
    nodes: 1,
    database: options.database,
    env: {
      MESSAGE_RATE_LIMIT: '100000',
      SOCKET_EVENT_RATE: '100000',
      SOCKET_EVENT_BURST: '100000',
      ...options.env,
      REDIS_CLUSTER_NODES: redis.nodesEnv,
    },
  });
  const clients: ChaosClient[] = [];
  const connections: Connection[] = [];
  try {
    const setup = cluster.nodes[0]!;
    const users: TestUser[] = [];
    for (let i = 0; i < clientCount; i += 1) users.push(await newUser(setup));
    const rooms: Room[] = [];
    for (let r = 0; r < roomCount; r += 1) rooms.push(await newRoom(setup, users[r % clientCount]!));
    const roomsOf = (i: number) => [...new Set([rooms[i % roomCount]!, rooms[(i + 1) % roomCount]!])];
    for (let i = 0; i < clientCount; i += 1) {
      // Room r's owner (user r) is its member already.
      for (const room of roomsOf(i)) if (rooms.indexOf(room) !== i) await joinRoom(setup, users[i]!, room);
    }
    await cluster.stopNode(setup);

    const nodes: ClusterNode[] = [];
    for (let n = 0; n < (options.nodes ?? 2); n += 1) {
      nodes.push(await cluster.startNode({ ...options.node?.(n), process: true }));
    }
    const urls = nodes.map((n) => n.url);

    for (let i = 0; i < clientCount; i += 1) {
      const user = users[i]!;
      // Client i starts on node i mod n and knows every node: what a load balancer would give it.
      const own = [...urls.slice(i % urls.length), ...urls.slice(0, i % urls.length)];
      const sdk = createClient({
        baseUrl: own,
        tokens: memoryTokenStore({
          accessToken: user.auth.accessToken,
          refreshToken: user.auth.refreshToken,
          userId: user.user.id,
        }),
      });
      const chat = await sdk.connect({ reconnect: { initialMs: 200, maxMs: 1000 }, ackTimeoutMs: 5000 });
      connections.push(chat);
      const client: ChaosClient = {
        index: i,
        user,
        sdk,
        chat,
        rooms: roomsOf(i).map((r) => r.id),
        delivered: new Map(),
        statuses: [],
        presence: [],
      };
      for (const roomId of client.rooms) client.delivered.set(roomId, []);
      chat.on('message:new', (message) => client.delivered.get(message.roomId)?.push(message));
      chat.on('status', (status) => client.statuses.push(status));
      chat.on('presence', (state) =>
        client.presence.push({ roomId: state.roomId, online: state.online, at: Date.now() }),
      );
      for (const roomId of client.rooms) await chat.joinRoom(roomId, { lastSeq: '0' });
      clients.push(client);
    }

    const acks: Ack[] = [];
    const rejected: Chaos['rejected'] = [];
    const chaos: Chaos = {
      cluster,
      nodes,
      clients,
      rooms,
      acks,
      rejected,
      startTraffic({ intervalMs = chaosLevel.intervalMs } = {}) {
        let running = true;
        let sent = 0;
        const pending = new Set<Promise<void>>();
        const loops = clients.map(async (c) => {
          let n = 0;
          const mine = new Set<Promise<void>>();
          while (running) {
            await sleep(intervalMs * (0.5 + Math.random()));
            if (!running) break;
            if (mine.size >= MAX_IN_FLIGHT) {
              await Promise.race(mine);
              continue;
            }
            n += 1;
            sent += 1;
            const roomId = c.rooms[n % c.rooms.length]!;
            const clientMsgId = `c${c.index}-m${n}`;
            const sentAt = Date.now();
            const p = c.chat
              .send(roomId, `client ${c.index} message ${n}`, { clientMsgId })
              .then(
                (message) => {
                  acks.push({
                    client: c.index,
                    clientMsgId,
                    roomId,
                    message,
                    ms: Date.now() - sentAt,
                    sentAt,
                  });
                },
                (error: unknown) => {
                  rejected.push({ client: c.index, clientMsgId, error: String(error) });
                },
              )
              .finally(() => {
                mine.delete(p);
                pending.delete(p);
              });
            mine.add(p);
            pending.add(p);
          }
        });
        return {
          get sent() {
            return sent;
          },
          async stop(timeoutMs = 60_000) {
            running = false;
            await Promise.all(loops);
            let timer: NodeJS.Timeout | undefined;
            const all = Promise.all([...pending]);
            const late = new Promise<'late'>((r) => (timer = setTimeout(() => r('late'), timeoutMs)));
            const outcome = await Promise.race([all, late]);
            clearTimeout(timer);
            if (outcome === 'late') {
              const waiting = clients.flatMap((c) => c.chat.outgoing().map((o) => o.clientMsgId));
              throw new Error(`${pending.size} sends still unacknowledged after ${timeoutMs} ms: ${waiting}`);
            }
          },
        };
      },
      async restart(i, restartOptions = {}) {
        const port = String(nodes[i]!.port);
        const own = options.node?.(i);
        const node = await cluster.startNode({
          process: true,
          nodeArgs: own?.nodeArgs,
          env: { ...own?.env, ...restartOptions.env, PORT: port },
        });
        nodes[i] = node;
        return node;
      },
      async settle(timeoutMs = 30_000) {
        const newest = new Map<string, number>();
        for (const a of acks) {
          newest.set(a.roomId, Math.max(newest.get(a.roomId) ?? 0, Number(a.message.seq)));
        }
        const behind = () =>
          clients.flatMap((c) =>
            c.rooms
              .filter((r) => Number(c.delivered.get(r)!.at(-1)?.seq ?? 0) < (newest.get(r) ?? 0))
              .map((r) => `client ${c.index} room ${r}`),
          );
        const until = Date.now() + timeoutMs;
        while (behind().length > 0) {
          if (Date.now() > until)
            throw new Error(`not caught up after ${timeoutMs} ms: ${behind().join(', ')}`);
          await sleep(100);
        }
        // Anything late (a duplicate) would show up now.
        await sleep(500);
      },
      async close() {
        for (const c of connections) c.close();
        await cluster.close();
        await stopRedis();
      },
    };
    return chaos;
  } catch (error) {
    for (const c of connections) c.close();
    await cluster.close();
    throw error;
  }
}
