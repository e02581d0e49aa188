/**
 * `useServer(options)`: the "create a database, start the server(s), close them, drop the database" every
 * suite needs, as one call inside its `describe` (or `describeWith`). It registers a `beforeAll` that starts
 * everything and an `afterAll` that closes chat clients, stops the servers and drops the database, and
 * returns handles that stand for what it started: use them in hooks and tests, not while the suite is being
 * collected (they throw until the `beforeAll` ran).
 *
 * ```ts
 * describeWith(['postgres'], 'rooms', () => {
 *   const { t, http } = useServer({ label: 'rooms_crud' });           // one server, its own database
 *   let admin: TestUser;
 *   beforeAll(async () => {
 *     admin = await newAdmin(t);                                      // hooks run in order: t is up
 *   });
 * });
 *
 * describeWith(['postgres', 'redisCluster'], 'chat', () => {
 *   const [a, b] = useServer({ label: 'chat_fanout', nodes: 2 }).nodes; // startCluster, on the Redis Cluster
 * });
 *
 * const fake = useFakeKakao();                                        // started first, closed last
 * const { t } = useServer({ label: 'kakao', env: () => fake.env() }); // env read when starting
 * const other = useServer({ on: main, env: { TRUST_PROXY: 'true' } }).t; // more servers, same database
 * ```
 *
 * Hooks run in the order they are registered and `afterAll` hooks in reverse (vitest's default
 * `sequence.hooks: 'stack'`), so a suite's own `beforeAll` after `useServer` sees the servers up, and its own
 * `afterAll` runs while they still are.
 */
import { afterAll, afterEach, beforeAll } from 'vitest';
import type { Env } from '../../src/config.js';
import { closeChatClients, startCluster, UNWRAP, type ClusterNode, type TestCluster } from './cluster.js';
import { createTestDatabase, type TestDatabase } from './database.js';
import { newSite } from './factories.js';
import { startFakeKakao, type FakeKakao, type FakeKakaoOptions } from './fake-kakao.js';
import { client } from './http.js';
import { startLoggedServer, type CapturedLogs } from './log-capture.js';
import { startTestServer, type TestServer, type TestServerOptions } from './server.js';
import type { Service } from './services.js';
import type { Site } from '../../src/sites/sites.repository.js';
import { widgetFixture, type WidgetFixture } from './widget-build.js';

export interface UseServerOptions {
  /** Names the database (for debugging). Required unless `on` shares another fixture's database. */
  label?: string;
  /**
   * What the servers use: 'postgres' for a fresh database, else an embedded PGlite in a temporary
   * directory; 'redisCluster' for the test Redis Cluster, else process memory. Default: ['postgres'], and
   * ['postgres', 'redisCluster'] with `nodes` (as `startCluster`).
   */
  services?: Service[];
  /** Start this many nodes with `startCluster` (always on PostgreSQL); `cluster` and `nodes` then exist. */
  nodes?: number;
  /** Environment for the server(s); a function is called when they start (e.g. after a fake upstream). */
  env?: Env | (() => Env | Promise<Env>);
  /** Another fixture whose database this one's server uses (it is dropped by that fixture). */
  on?: ServerFixture<TestServer>;
  /** Log into memory: `t.logs` (single server only). */
  logs?: boolean;
  /** Overrides `services` for Redis: a plain Redis at this URL. */
  redis?: TestServerOptions['redis'];
  /** Serve the widget bundle from this directory. */
  widgetDir?: string;
}

export interface ServerFixture<T extends TestServer> {
  /** The server (with `nodes`, the first node). */
  t: T;
  /** `client(t.url)`. */
  http: ReturnType<typeof client>;
  /** The fixture's database (PostgreSQL only). */
  db: TestDatabase;
  /** With `nodes`: the cluster. */
  cluster: TestCluster;
  /** With `nodes`: the nodes it started with, in order (stopping one does not renumber them). */
  nodes: [ClusterNode, ClusterNode, ClusterNode, ...ClusterNode[]];
}

/**
 * An object standing for the value `current()` returns once the fixture started it: every property read is
 * forwarded. `UNWRAP` gives the value itself (helpers that compare identity use it).
 */
function standIn<T extends object>(what: string, current: () => T | undefined): T {
  const target = (): T => {
    const value = current();
    if (value === undefined)
      throw new Error(`useServer: ${what} is not started yet (use it in hooks and tests)`);
    return value;
  };
  return new Proxy({} as T, {
    get(_, prop) {
      if (prop === UNWRAP) return target();
      // `then` is read by `await`: a stand-in is never a promise.
      if (prop === 'then') return undefined;
      const value = Reflect.get(target(), prop) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target()) : value;
    },
    set(_, prop, value) {
      return Reflect.set(target(), prop, value);
    },
    has(_, prop) {
      return Reflect.has(target(), prop);
    },
    ownKeys() {
      return Reflect.ownKeys(target());
    },
    getOwnPropertyDescriptor(_, prop) {
      const d = Reflect.getOwnPropertyDescriptor(target(), prop);
      return d && { ...d, configurable: true };
    },
  });
}

/** Each fixture's database, for `on` (which must not throw while the other fixture has none). */
const databaseOf = new WeakMap<object, () => TestDatabase | undefined>();

export function useServer(
  options: UseServerOptions & { logs: true },
): ServerFixture<TestServer & { logs: CapturedLogs }>;
export function useServer(options: UseServerOptions): ServerFixture<TestServer>;
export function useServer(options: UseServerOptions): ServerFixture<TestServer> {
  const services =
    options.services ?? (options.nodes === undefined ? ['postgres'] : ['postgres', 'redisCluster']);
  const redis = options.redis ?? (services.includes('redisCluster') ? 'cluster' : 'memory');
  const env = async () => (typeof options.env === 'function' ? await options.env() : options.env);
  let db: TestDatabase | undefined;
  let ownDb = false;
  let server: TestServer | undefined;
  let cluster: TestCluster | undefined;
  let started: ClusterNode[] = [];

  beforeAll(async () => {
    // The other fixture's database, if it has one (with embedded PGlite each server has its own).
    if (options.on) db = databaseOf.get(options.on)?.();
    if (options.nodes !== undefined) {
      if (!options.label) throw new Error('useServer: a cluster needs a label');
      cluster = await startCluster({
        label: options.label,
        nodes: options.nodes,
        redis: redis === 'cluster' ? 'cluster' : 'memory',
        env: await env(),
      });
      db = cluster.database;
      started = [...cluster.nodes];
      server = started[0];
      return;
    }
    if (!db && services.includes('postgres')) {
      if (!options.label) throw new Error('useServer: a database needs a label');
      db = await createTestDatabase(options.label);
      ownDb = true;
    }
    const serverOptions: TestServerOptions = {
      databaseUrl: db?.url,
      redis,
      env: await env(),
      widgetDir: options.widgetDir,
    };
    server = options.logs ? await startLoggedServer(serverOptions) : await startTestServer(serverOptions);
  });
  afterAll(async () => {
    closeChatClients();
    try {
      if (cluster) await cluster.close();
      else await server?.close();
    } finally {
      if (ownDb) await db?.drop();
    }
  });

  const t = standIn('the server', () => server);
  const fixture: ServerFixture<TestServer> = {
    t,
    http: standIn('the server', () => (server ? client(server.url) : undefined)),
    db: standIn('the database', () => db),
    cluster: standIn('the cluster (useServer with nodes)', () => cluster),
    nodes: Array.from({ length: Math.max(options.nodes ?? 1, 3) }, (_, i) =>
      standIn(`node ${i}`, () => started[i]),
    ) as ServerFixture<TestServer>['nodes'],
  };
  databaseOf.set(fixture, () => db);
  return fixture;
}

/** A fake Kakao (helpers/fake-kakao.ts) for the suite: started before, closed after the servers. */
export function useFakeKakao(options: FakeKakaoOptions & { resetAfterEach?: boolean } = {}): FakeKakao {
  let fake: FakeKakao | undefined;
  beforeAll(async () => {
    fake = await startFakeKakao(options);
  });
  afterAll(async () => {
    await fake?.close();
  });
  if (options.resetAfterEach) afterEach(() => fake?.reset());
  return standIn('the fake Kakao', () => fake);
}

/** `widgetFixture` (helpers/widget-build.ts) for the suite: made before, and closed (servers, database, build) after. */
export function useWidgetFixture(label: string, options: { empty?: boolean } = {}): WidgetFixture {
  let fixture: WidgetFixture | undefined;
  beforeAll(async () => {
    fixture = await widgetFixture(label, options);
  });
  afterAll(async () => {
    await fixture?.close();
  });
  return standIn('the widget fixture', () => fixture);
}

/**
 * A new site on the suite's server (`newSite(t, options)`, made in a `beforeAll`) and the header that names
 * it: `const { site, headers } = useSite(t, { origins: [SHOP] })`.
 */
export function useSite(
  t: TestServer,
  options?: Parameters<typeof newSite>[1],
): { site: Site; headers: Record<string, string> } {
  let site: Site | undefined;
  beforeAll(async () => {
    site = (await newSite(t, options)).site;
  });
  return {
    site: standIn('the site', () => site),
    headers: standIn('the site', () => site && { 'x-synctalk-site': site.publicId }),
  };
}
