/**
 * HTTP benchmark: what the server's request path costs, against two ceilings measured in the same run with
 * the same load generator (autocannon, in a worker thread) and the same PostgreSQL pool:
 *
 * - the framework ceiling: a bare Koa route answering a constant JSON;
 * - the data ceiling: for each real route, a minimal Koa handler that runs exactly the SQL the real route
 *   ran (captured from one real request: same statements, same bindings, in order, through the server's
 *   own pool) and answers the last statement's rows as JSON;
 * - the real routes: the room directory's first page and its page at depth 900,000 (keyset cursor, and the
 *   deferred join by offset for comparison), `GET /v1/me` and a room's `GET /v1/rooms/:id/messages`.
 *
 * Each real route's requests/s is reported as a ratio to its minimal same-query handler and to the bare
 * route. The directory lives in a kept database (see directory-fixture.ts; seeded on first use, like
 * `npm run bench:rooms`).
 *
 *   npm run bench:http [-- --database-url URL] [--rooms N] [--seconds N] [--connections N]
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer as createHttpServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import Koa from 'koa';
import type { Knex } from 'knex';
import { loadConfig } from '../src/config.js';
import { createServer } from '../src/server.js';
import { positive } from './bench-client.js';
import {
  cursorsAt,
  directoryReader,
  DIRECTORY_DATABASE_URL,
  ensureDatabase,
  seedDirectory,
} from './directory-fixture.js';

const DEPTH = 900_000;
const PAGE = 20;

interface Load {
  rps: number;
  p50: number;
  p99: number;
  requests: number;
  errors: number;
}

// autocannon in a child process (its own CPU, not the server's event loop; autocannon treats a worker
// thread as one of its own workers), reporting over IPC.
const LOAD_CHILD = `
const { createRequire } = require('node:module');
const { base, url, headers, seconds, connections } = JSON.parse(process.argv[1]);
createRequire(base)('autocannon')({ url, headers, duration: seconds, connections }, (error, r) => {
  const report = error
    ? { error: String(error) }
    : {
        rps: r.requests.average,
        p50: r.latency.p50,
        p99: r.latency.p99,
        requests: r.requests.total,
        errors: r.errors + r.timeouts + r.non2xx,
      };
  process.send(report, () => process.exit(0));
});
`;

async function load(
  url: string,
  headers: Record<string, string>,
  seconds: number,
  connections: number,
): Promise<Load> {
  const settings = JSON.stringify({ base: import.meta.url, url, headers, seconds, connections });
  const child = spawn(process.execPath, ['-e', LOAD_CHILD, settings], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const result = await new Promise<Load & { error?: string }>((resolve, reject) => {
    child.once('message', (m) => resolve(m as Load & { error?: string }));
    child.once('exit', (code) => reject(new Error(`load generator exited with ${code} before reporting`)));
  });
  if (result.error) throw new Error(`${url}: ${result.error}`);
  return result;
}

interface Query {
  sql: string;
  bindings: unknown[];
}

/** The statements `db` runs while `request` is in flight (nothing else may use it meanwhile). */
async function captureQueries(db: Knex, request: () => Promise<void>): Promise<Query[]> {
  const queries: Query[] = [];
  const listener = (q: { sql: string; bindings?: unknown[] }) =>
    queries.push({ sql: q.sql, bindings: q.bindings ?? [] });
  db.on('query', listener);
  try {
    await request();
  } finally {
    db.off('query', listener);
  }
  return queries;
}

/** A Koa handler that runs `queries` in order on a connection of `db`'s pool and answers the last rows. */
function replay(db: Knex, queries: Query[]): Koa.Middleware {
  return async (ctx) => {
    const conn = (await db.client.acquireConnection()) as {
      query(sql: string, bindings: unknown[]): Promise<{ rows: unknown[] }>;
    };
    try {
      let rows: unknown[] = [];
      for (const q of queries) rows = (await conn.query(q.sql, q.bindings)).rows;
      ctx.body = { items: rows };
    } finally {
      await db.client.releaseConnection(conn);
    }
  };
}

function listen(server: Server): Promise<string> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`),
    ),
  );
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'database-url': { type: 'string' },
      rooms: { type: 'string', default: '1000000' },
      seconds: { type: 'string', default: '5' },
      connections: { type: 'string', default: '20' },
    },
  });
  const rooms = positive('--rooms', values.rooms, 100_000_000);
  const seconds = positive('--seconds', values.seconds, 3600);
  const connections = positive('--connections', values.connections, 1000);
  if (rooms < DEPTH + PAGE) throw new Error(`--rooms must be at least ${DEPTH + PAGE} (the depth measured)`);
  const databaseUrl = values['database-url'] ?? process.env.DATABASE_URL ?? DIRECTORY_DATABASE_URL;

  await ensureDatabase(databaseUrl);
  const config = loadConfig({
    NODE_ENV: 'production',
    DATABASE_URL: databaseUrl,
    JWT_SECRET: randomBytes(32).toString('base64url'),
    JWT_ACCESS_TTL: '6h',
    LOG_LEVEL: 'warn',
    PORT: '0',
    MESSAGE_RATE_LIMIT: '100000',
  });
  const server = await createServer(config);
  const ceilings = new Koa();
  const routes = new Map<string, Koa.Middleware>();
  routes.set('/bare', (ctx) => {
    ctx.body = { ok: true, items: [] };
  });
  ceilings.use(async (ctx, next) => {
    const route = routes.get(ctx.path);
    if (!route) return next();
    await route(ctx, next);
  });
  const ceilingServer = createHttpServer(ceilings.callback());
  try {
    const site = await seedDirectory(server, rooms);
    const { url } = await server.listen(0, '127.0.0.1');
    const ceilingUrl = await listen(ceilingServer);
    const { headers } = await directoryReader(server, site);
    const cursor = (await cursorsAt(url, headers, [DEPTH])).get(DEPTH)!;

    // A room of the reader's with a page of history.
    const post = async (path: string, body: unknown) => {
      const res = await fetch(`${url}${path}`, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      if (!res.ok) throw new Error(`POST ${path}: HTTP ${res.status} ${await res.text()}`);
      return (await res.json()) as Record<string, unknown>;
    };
    const room = await post('/v1/rooms', {
      title: `bench http ${randomBytes(3).toString('hex')}`,
      visibility: 'private',
    });
    for (let i = 0; i < 50; i += 1) {
      await post(`/v1/rooms/${room.id as string}/messages`, { clientMsgId: `h${i}`, text: `history ${i}` });
    }

    const real: { name: string; path: string }[] = [
      { name: 'directory, first page', path: `/v1/rooms?limit=${PAGE}` },
      {
        name: `directory at ${DEPTH.toLocaleString('en')} (keyset)`,
        path: `/v1/rooms?limit=${PAGE}&cursor=${cursor}`,
      },
      {
        name: `directory at ${DEPTH.toLocaleString('en')} (deferred join)`,
        path: `/v1/rooms?limit=${PAGE}&offset=${DEPTH}`,
      },
      { name: 'GET /v1/me', path: '/v1/me' },
      { name: 'GET /v1/rooms/:id/messages', path: `/v1/rooms/${room.id as string}/messages?limit=${PAGE}` },
    ];
    // Each real route's statements, captured from one request of it, become its minimal handler.
    const statements = new Map<string, number>();
    for (const [i, r] of real.entries()) {
      const queries = await captureQueries(server.db, async () => {
        const res = await fetch(`${url}${r.path}`, { headers });
        await res.arrayBuffer();
        if (res.status !== 200) throw new Error(`${r.path}: HTTP ${res.status}`);
      });
      statements.set(r.name, queries.length);
      routes.set(`/minimal/${i}`, replay(server.db, queries));
    }

    const measure = async (target: string, h: Record<string, string>) => {
      await load(target, h, 1, connections); // warm-up
      const result = await load(target, h, seconds, connections);
      if (result.errors > 0) throw new Error(`${target}: ${result.errors} failed requests`);
      return result;
    };
    console.log(`timing: ${seconds} s per row, ${connections} connections, autocannon`);
    const bare = await measure(`${ceilingUrl}/bare`, {});
    console.log(`  bare Koa route: ${bare.rps.toFixed(0)} req/s`);
    const rows: { name: string; statements: number; real: Load; minimal: Load }[] = [];
    for (const [i, r] of real.entries()) {
      const minimal = await measure(`${ceilingUrl}/minimal/${i}`, {});
      const measured = await measure(`${url}${r.path}`, headers);
      rows.push({ name: r.name, statements: statements.get(r.name)!, real: measured, minimal });
      console.log(
        `  ${r.name}: ${measured.rps.toFixed(0)} req/s (same SQL, minimal: ${minimal.rps.toFixed(0)})`,
      );
    }

    const version = (await server.db.raw('SHOW server_version')).rows[0].server_version as string;
    const pool = config.database.kind === 'postgres' ? config.database.poolMax : 1;
    console.log(
      `\nNode ${process.version}, ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}), PostgreSQL ${version}, ` +
        `pool ${pool}, ${site.publicRoomCount.toLocaleString('en')} public rooms, ${connections} connections, ` +
        `${seconds} s each\n`,
    );
    const n = (x: number) => x.toFixed(0);
    console.log(
      '| route | SQL statements | req/s | p99 ms | same SQL, minimal: req/s | ratio | bare route: req/s | ratio |',
    );
    console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
    for (const r of rows) {
      console.log(
        `| ${r.name} | ${r.statements} | ${n(r.real.rps)} | ${r.real.p99} | ${n(r.minimal.rps)} | ` +
          `${((100 * r.real.rps) / r.minimal.rps).toFixed(0)}% | ${n(bare.rps)} | ${((100 * r.real.rps) / bare.rps).toFixed(1)}% |`,
      );
    }
    const keyset = rows[1]!;
    const deferred = rows[2]!;
    const faster = keyset.real.rps / deferred.real.rps;
    const worst = Math.min(...rows.map((r) => r.real.rps / r.minimal.rps));
    console.log(
      `\ngoals: every real route ≥ 70% of its minimal same-query handler: ${worst >= 0.7 ? 'met' : 'NOT met'} ` +
        `(lowest ${(100 * worst).toFixed(0)}%); keyset ≥ 50x the deferred join at ${DEPTH.toLocaleString('en')} ` +
        `(requests/s): ${faster >= 50 ? 'met' : 'NOT met'} (${faster.toFixed(1)}x)`,
    );
  } finally {
    await new Promise((resolve) => ceilingServer.close(resolve));
    await server.close();
  }
}

main().catch((error: unknown) => {
  console.error(`bench:http: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exitCode = 1;
});
