/**
 * Several SyncTalk nodes sharing one PostgreSQL database and the Redis Cluster, as in production behind a
 * load balancer, plus socket.io-client helpers for the `/chat` namespace.
 *
 * ```ts
 * const c = await startCluster({ label: 'chat-fanout', nodes: 2 });
 * const a = c.nodes[0]!, b = c.nodes[1]!;
 * const alice = await newUser(a, {});                 // factories work on any in-process node
 * const socket = await connectChat(b.url, { token: alice.token });
 * await c.stopNode(b, { kill: true });                // crash: no clean-up, connections cut
 * const p = await c.startNode({ process: true });     // a real child process (needs a build: npm run build)
 * await c.stopNode(p, { kill: true });                // SIGKILL
 * await c.close();
 * ```
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { Socket as NetSocket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ErrorBody, ServerToClientEvents } from '@synctalk/sdk';
import type { Env } from '../../src/config.js';
import { loadConfig } from '../../src/config.js';
import { createServer, type SyncTalkServer } from '../../src/server.js';
import { createTestDatabase, type TestDatabase } from './database.js';
import { testConfigEnv, type TestServer } from './server.js';

export type ChatClient = Socket<ServerToClientEvents, ClientToServerEvents>;

/** A node of the cluster: in-process (a full `TestServer`) or a child process (URL only). */
export interface ClusterNode extends TestServer {
  /** Set for child-process nodes. */
  child?: ChildProcess;
  /** Whether the node was started as a child process. */
  isProcess: boolean;
}

export interface StartNodeOptions {
  /** Run `dist/main.js` in a child process (a real crash with `kill`); needs `npm run build`. */
  process?: boolean;
  /** Extra environment for this node. */
  env?: Env;
  /** Node.js options for a child-process node, before the script (e.g. `--import` of a preload). */
  nodeArgs?: string[];
}

export interface TestCluster {
  database: TestDatabase;
  nodes: ClusterNode[];
  /** Starts one more node on the same database and Redis. */
  startNode(options?: StartNodeOptions): Promise<ClusterNode>;
  /**
   * Stops a node. Gracefully by default (its connections go offline at once); with `kill` as a crash: no
   * clean-up of shared state (presence expires on its own), every TCP connection cut, or SIGKILL for a
   * child process.
   */
  stopNode(node: ClusterNode, options?: { kill?: boolean }): Promise<void>;
  /** Stops every node and drops the database. */
  close(): Promise<void>;
}

export interface ClusterOptions {
  /** Names the database (for debugging). */
  label: string;
  /** How many in-process nodes to start (default 2). */
  nodes?: number;
  /** 'cluster' (default): the test Redis Cluster; 'memory' makes nodes that do not share anything but the database. */
  redis?: 'cluster' | 'memory';
  /** Environment for every node (e.g. `SOCKET_ADAPTER`, `PRESENCE_TTL`, `MESSAGE_RATE_LIMIT`). */
  env?: Env;
  /** A database to use instead of a fresh one on the shared PostgreSQL (the caller drops it). */
  database?: TestDatabase;
}

/** The built server child-process nodes run (`npm run build`); TEST_SERVER_MAIN points elsewhere. */
const MAIN = process.env.TEST_SERVER_MAIN ?? fileURLToPath(new URL('../../dist/main.js', import.meta.url));

async function startInProcess(env: Env): Promise<ClusterNode> {
  const config = loadConfig(env);
  const server: SyncTalkServer = await createServer(config);
  // Remember every TCP connection (websockets included) so a "kill" can cut them like a dead process would.
  const sockets = new Set<NetSocket>();
  server.http.on('connection', (socket: NetSocket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  const { port } = await server.listen(0, '127.0.0.1');
  const node: ClusterNode & { cut(): void } = {
    server,
    port,
    url: `http://127.0.0.1:${port}`,
    isProcess: false,
    close: () => server.close(),
    cut() {
      for (const socket of sockets) socket.destroy();
    },
  };
  return node;
}

/** Runs the built server (`dist/main.js`) in a child process with `env`; `close()` stops it (SIGTERM). */
export async function startChild(env: Env, nodeArgs: string[] = []): Promise<ClusterNode> {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: build the server first (npm run build)`);
  const child = spawn(process.execPath, [...nodeArgs, MAIN], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env, LOG_LEVEL: 'info' } as NodeJS.ProcessEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`node did not start:\n${out}`)), 30_000);
    const onData = (d: Buffer) => {
      out += d;
      const m = /SyncTalk listening on (http:\/\/[^"\s]+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`node exited with ${code}:\n${out}`));
    });
  });
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null) resolve();
    else child.on('exit', () => resolve());
  });
  return {
    server: undefined as unknown as SyncTalkServer,
    port: Number(new URL(url).port),
    url,
    child,
    isProcess: true,
    async close() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/**
 * What a `useServer` stand-in (helpers/use-server.ts) answers with the object it stands for; helpers that
 * compare nodes by identity unwrap with it.
 */
export const UNWRAP: unique symbol = Symbol('synctalk.test.unwrap');

function unwrap<T>(value: T): T {
  return ((value as { [UNWRAP]?: T })[UNWRAP] ?? value) as T;
}

/** Starts `nodes` servers on one fresh database and the Redis Cluster. */
export async function startCluster(options: ClusterOptions): Promise<TestCluster> {
  const database = options.database ?? (await createTestDatabase(options.label));
  const redis = options.redis ?? 'cluster';
  const baseEnv = (extra?: Env): Env => {
    const { env } = testConfigEnv({ databaseUrl: database.url, redis, env: { ...options.env, ...extra } });
    return env;
  };
  const nodes: ClusterNode[] = [];
  const cluster: TestCluster = {
    database,
    nodes,
    async startNode(nodeOptions = {}) {
      const env = baseEnv(nodeOptions.env);
      const node = nodeOptions.process
        ? await startChild(env, nodeOptions.nodeArgs)
        : await startInProcess(env);
      nodes.push(node);
      return node;
    },
    async stopNode(standIn, { kill = false } = {}) {
      const node = unwrap(standIn);
      const i = nodes.indexOf(node);
      if (i >= 0) nodes.splice(i, 1);
      if (node.isProcess) {
        if (kill) {
          const exited = new Promise<void>((resolve) =>
            node.child!.exitCode !== null ? resolve() : node.child!.on('exit', () => resolve()),
          );
          node.child!.kill('SIGKILL');
          await exited;
        } else await node.close();
        return;
      }
      if (kill) {
        // What a crash leaves behind: presence entries nobody removes; clients see their connection drop.
        await node.server.chat.close({ cleanup: false });
        (node as ClusterNode & { cut(): void }).cut();
      }
      await node.close();
    },
    async close() {
      await Promise.allSettled([...nodes].map((n) => cluster.stopNode(n)));
      if (!options.database) await database.drop();
    },
  };
  try {
    // One at a time: the first applies the migrations and creates the default site.
    for (let i = 0; i < (options.nodes ?? 2); i += 1) await cluster.startNode();
  } catch (error) {
    await cluster.close();
    throw error;
  }
  return cluster;
}

// ---- socket.io-client helpers ------------------------------------------------------------------------

export interface ConnectOptions {
  token?: string;
  /** The site's public id (handshake `auth.site`). */
  site?: string;
  /** Extra handshake `auth` fields. */
  auth?: Record<string, unknown>;
  /** Query string parameters (e.g. to prove a token there is refused). */
  query?: Record<string, string>;
  /** Headers of the handshake request (e.g. `origin`). */
  headers?: Record<string, string>;
  transports?: ('websocket' | 'polling')[];
}

const openSockets = new Set<ChatClient>();

/** A `/chat` client that is not connected yet. */
export function chatClient(url: string, options: ConnectOptions = {}): ChatClient {
  const auth: Record<string, unknown> = { ...options.auth };
  if (options.token !== undefined) auth.token = options.token;
  if (options.site !== undefined) auth.site = options.site;
  const socket: ChatClient = io(`${url}/chat`, {
    auth,
    query: options.query,
    extraHeaders: options.headers,
    transports: options.transports ?? ['websocket'],
    reconnection: false,
    forceNew: true,
    autoConnect: false,
    timeout: 10_000,
  });
  openSockets.add(socket);
  return socket;
}

/** The error a refused handshake carries: its message and our error body. */
export interface ConnectRefusal {
  message: string;
  data?: ErrorBody;
}

/** Connects; resolves when connected, rejects with the `connect_error` (message + data). */
export function connectChat(url: string, options: ConnectOptions = {}): Promise<ChatClient> {
  const socket = chatClient(url, options);
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (err: Error & { data?: ErrorBody }) => {
      socket.close();
      reject(Object.assign(new Error(err.message), { data: err.data }));
    });
    socket.connect();
  });
}

/** Connects expecting a refusal; resolves with it (fails when the connection is accepted). */
export async function refusedChat(url: string, options: ConnectOptions = {}): Promise<ConnectRefusal> {
  try {
    const socket = await connectChat(url, options);
    socket.close();
  } catch (error) {
    return error as ConnectRefusal;
  }
  throw new Error('the connection was accepted');
}

type EventName = keyof ServerToClientEvents;
type Payload<E extends EventName> = Parameters<ServerToClientEvents[E]>[0];

/** Records every `event` the socket receives, in order. */
export function record<E extends EventName>(socket: ChatClient, event: E): Payload<E>[] {
  const seen: Payload<E>[] = [];
  (socket as unknown as { on(e: string, fn: (p: Payload<E>) => void): void }).on(event, (p) => seen.push(p));
  return seen;
}

/** Resolves with the next `event` matching `match` (rejects after `timeoutMs`). */
export function nextEvent<E extends EventName>(
  socket: ChatClient,
  event: E,
  match: (payload: Payload<E>) => boolean = () => true,
  timeoutMs = 5000,
): Promise<Payload<E>> {
  const s = socket as unknown as {
    on(e: string, fn: (p: Payload<E>) => void): void;
    off(e: string, fn: (p: Payload<E>) => void): void;
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      s.off(event, listener);
      reject(new Error(`no ${event} within ${timeoutMs} ms`));
    }, timeoutMs);
    const listener = (payload: Payload<E>) => {
      if (!match(payload)) return;
      clearTimeout(timer);
      s.off(event, listener);
      resolve(payload);
    };
    s.on(event, listener);
  });
}

/** Polls `check` until it returns true (rejects after `timeoutMs`). */
export async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > until) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/**
 * Emits `event` with raw arguments and resolves with the acknowledgement (any shape: tests also send
 * malformed payloads the typed API would not allow).
 */
export function ack(
  socket: ChatClient,
  event: string,
  ...args: unknown[]
): Promise<
  // Tests assert on arbitrary shapes.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  any
> {
  return (
    socket as unknown as {
      timeout(ms: number): { emitWithAck(e: string, ...a: unknown[]): Promise<unknown> };
    }
  )
    .timeout(10_000)
    .emitWithAck(event, ...args);
}

/** Closes every client socket the helpers opened (call in afterAll/afterEach). */
export function closeChatClients(): void {
  for (const socket of openSockets) socket.close();
  openSockets.clear();
}
