/**
 * Room directory benchmark: plain OFFSET + COUNT(*) (the original API) vs the deferred join vs keyset
 * cursors, over HTTP against a real server on PostgreSQL with 1,000,000 rooms.
 *
 *   npm run bench:rooms [-- --database-url URL] [--rooms N] [--requests N] [--concurrency N]
 *
 * The database is --database-url, else DATABASE_URL, else postgres://postgres@127.0.0.1:5432/synctalk_bench
 * (created if missing). Rooms are seeded into the default site until it has --rooms public rooms.
 * Only loopback traffic; every loop is bounded.
 */
import { randomBytes } from 'node:crypto';
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import { z } from 'zod';
import { loadConfig } from '../src/config.js';
import { currentUser } from '../src/auth/guard.js';
import { queryInt, roomOffsetPageResponse } from '@synctalk/sdk/schemas';
import { membershipRepository } from '../src/rooms/membership.js';
import { roomView } from '../src/rooms/room-views.js';
import { naiveRoomsRepository } from './naive-rooms.repository.js';
import {
  cursorsAt,
  directoryReader,
  DIRECTORY_DATABASE_URL,
  ensureDatabase,
  seedDirectory,
} from './directory-fixture.js';
import { currentSite } from '../src/sites/site-context.js';
import { createServer } from '../src/server.js';

const DEFAULT_URL = DIRECTORY_DATABASE_URL;
const DEPTHS = [9_000, 90_000, 900_000];
const PAGE = 20;
const USAGE = `npm run bench:rooms [-- --database-url URL] [--rooms N] [--requests N] [--concurrency N]

  --database-url  PostgreSQL to seed and measure (default: DATABASE_URL, else ${DEFAULT_URL})
  --rooms         public rooms in the default site (default 1,000,000; at least ${(DEPTHS[0]! + PAGE).toLocaleString('en')});
                  the depths measured are those of ${DEPTHS.map((d) => d.toLocaleString('en')).join(', ')} that fit
  --requests      requests per measurement (default 100)
  --concurrency   requests in flight (default 20)`;

interface Stats {
  name: string;
  depth: number | '-';
  mean: number;
  p50: number;
  p95: number;
  rps: number;
}

function percentile(sorted: number[], p: number): number {
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

// The load generator runs in a worker thread so its HTTP client does not share the server's event loop.
const LOAD_WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const { url, headers, requests, concurrency } = workerData;
(async () => {
  const timings = [];
  let next = 0;
  const run = async () => {
    while (next < requests) {
      next += 1;
      const started = performance.now();
      const res = await fetch(url, { headers });
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error('HTTP ' + res.status + ' for ' + url);
      timings.push(performance.now() - started);
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, run));
  parentPort.postMessage({ timings, wall: performance.now() - started });
})().catch((error) => parentPort.postMessage({ error: String(error) }));
`;

/** `requests` GETs of `url` with `concurrency` in flight (in a worker thread); each must answer 200. */
async function load(
  name: string,
  depth: number | '-',
  url: string,
  headers: Record<string, string>,
  requests: number,
  concurrency: number,
): Promise<Stats> {
  const worker = new Worker(LOAD_WORKER, { eval: true, workerData: { url, headers, requests, concurrency } });
  const result = await new Promise<{ timings: number[]; wall: number; error?: string }>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  await worker.terminate();
  if (result.error) throw new Error(`${name}: ${result.error}`);
  const { timings, wall } = result;
  const sorted = [...timings].sort((a, b) => a - b);
  return {
    name,
    depth,
    mean: timings.reduce((a, b) => a + b, 0) / timings.length,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    rps: (timings.length / wall) * 1000,
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'database-url': { type: 'string' },
      rooms: { type: 'string', default: '1000000' },
      requests: { type: 'string', default: '100' },
      concurrency: { type: 'string', default: '20' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const databaseUrl = values['database-url'] ?? process.env.DATABASE_URL ?? DEFAULT_URL;
  const target = Number(values.rooms);
  const requests = Number(values.requests);
  const concurrency = Number(values.concurrency);
  for (const [flag, n] of [
    ['--rooms', target],
    ['--requests', requests],
    ['--concurrency', concurrency],
  ] as const) {
    if (!Number.isInteger(n) || n < 1) throw new Error(`${flag} must be a positive whole number`);
  }
  const depths = DEPTHS.filter((d) => d + PAGE <= target);
  if (depths.length === 0) {
    throw new Error(
      `--rooms must be at least ${(DEPTHS[0]! + PAGE).toLocaleString('en')} (the shallowest depth measured)`,
    );
  }

  await ensureDatabase(databaseUrl);
  const config = loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: databaseUrl,
    JWT_SECRET: randomBytes(32).toString('base64url'),
    LOG_LEVEL: 'warn',
    PORT: '0',
    // The naive OFFSET + COUNT(*) baseline takes seconds a request at depth: at concurrency 20 over a pool of
    // 10, requests wait longer for a connection than a server should let them (DATABASE_ACQUIRE_TIMEOUT), and
    // the baseline is measured waiting, not refused.
    DATABASE_ACQUIRE_TIMEOUT: '10m',
  });
  const server = await createServer(config);
  try {
    const site = await seedDirectory(server, target);

    // The original API's listing, for comparison only: a route registered by this benchmark, not the server.
    const naive = naiveRoomsRepository(server.db);
    const members = membershipRepository(server.db);
    server.api.route({
      method: 'get',
      path: '/v1/bench/rooms/find-and-count',
      summary: 'benchmark baseline: OFFSET + COUNT(*)',
      auth: 'required',
      query: z.strictObject({
        offset: queryInt({ min: 0, max: 10_000_000 }),
        limit: queryInt({ min: 1, max: 100, default: PAGE }),
      }),
      response: roomOffsetPageResponse,
      handler: async (ctx, { query }) => {
        const user = currentUser(ctx);
        const page = await naive.findAndCount(currentSite(ctx).id, query);
        const mine = await members.activeRoomIdsAmong(
          user.id,
          page.rooms.map((r) => r.id),
        );
        return { items: page.rooms.map((r) => roomView(r, mine.has(r.id))), total: page.total };
      },
    });

    const { url } = await server.listen(0, '127.0.0.1');
    const { headers } = await directoryReader(server, site);

    // Walk the directory once with keyset pages, keeping the cursor found at each depth.
    console.log(
      `walking the directory to depth ${Math.max(...depths).toLocaleString('en')} with keyset pages`,
    );
    const cursors = await cursorsAt(url, headers, depths);
    // Same rows either way: the keyset page at depth d is the offset page at d.
    for (const d of depths) {
      const a = await (
        await fetch(`${url}/v1/rooms?limit=${PAGE}&cursor=${cursors.get(d)}`, { headers })
      ).json();
      const b = await (await fetch(`${url}/v1/rooms?limit=${PAGE}&offset=${d}`, { headers })).json();
      const ids = (p: unknown) => (p as { items: { id: string }[] }).items.map((r) => r.id).join(',');
      if (ids(a) !== ids(b)) throw new Error(`keyset and offset pages differ at depth ${d}`);
    }

    const results: Stats[] = [];
    const run = async (name: string, depth: number | '-', path: string) => {
      await load(name, depth, `${url}${path}`, headers, Math.min(20, requests), concurrency); // warm-up
      const stats = await load(name, depth, `${url}${path}`, headers, requests, concurrency);
      results.push(stats);
      console.log(`  ${name} @ ${depth}: mean ${stats.mean.toFixed(1)} ms`);
    };
    console.log(`timing: ${requests} requests per row, ${concurrency} concurrent, limit ${PAGE}`);
    await run('keyset first page', '-', `/v1/rooms?limit=${PAGE}`);
    for (const d of depths) {
      await run('(a) OFFSET + COUNT(*)', d, `/v1/bench/rooms/find-and-count?offset=${d}&limit=${PAGE}`);
      await run('(b) deferred join', d, `/v1/rooms?offset=${d}&limit=${PAGE}`);
      await run('(c) keyset cursor', d, `/v1/rooms?limit=${PAGE}&cursor=${cursors.get(d)}`);
    }

    const fmt = (n: number) => n.toFixed(2).padStart(9);
    const version = (await server.db.raw('SHOW server_version')).rows[0].server_version as string;
    console.log(
      `\nNode ${process.version}, ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}), PostgreSQL ${version}`,
    );
    console.log(
      `\n${site.publicRoomCount.toLocaleString('en')} public rooms, PostgreSQL ` +
        `(${new URL(databaseUrl).host}), pool ${config.database.kind === 'postgres' ? config.database.poolMax : 1}\n`,
    );
    console.log(
      `| ${'mode'.padEnd(22)} | ${'offset'.padStart(7)} | mean ms   | p50 ms    | p95 ms    | req/s     |`,
    );
    console.log(`| ${'-'.repeat(22)} | ${'-'.repeat(7)} | --------- | --------- | --------- | --------- |`);
    for (const r of results) {
      console.log(
        `| ${r.name.padEnd(22)} | ${String(r.depth).padStart(7)} | ${fmt(r.mean)} | ${fmt(r.p50)} | ${fmt(r.p95)} | ${fmt(r.rps)} |`,
      );
    }
    const mean = (name: string, depth: number | '-') =>
      results.find((r) => r.name === name && r.depth === depth)!.mean;
    console.log('\nratios of mean latency:');
    const first = mean('keyset first page', '-');
    for (const d of depths) {
      const a = mean('(a) OFFSET + COUNT(*)', d);
      const b = mean('(b) deferred join', d);
      const c = mean('(c) keyset cursor', d);
      console.log(
        `  offset ${String(d).padStart(7)}: (a)/(b) ${(a / b).toFixed(1)}x   (b)/(c) ${(b / c).toFixed(1)}x   ` +
          `(a)/(c) ${(a / c).toFixed(1)}x   (c)/first page ${(c / first).toFixed(2)}x`,
      );
    }
    const d = Math.max(...depths);
    const bc = mean('(b) deferred join', d) / mean('(c) keyset cursor', d);
    const cf = mean('(c) keyset cursor', d) / first;
    console.log(
      `\ntargets at ${d.toLocaleString('en')}: keyset ≥50x faster than the deferred join: ${bc >= 50 ? 'met' : 'NOT met'} ` +
        `(${bc.toFixed(1)}x); keyset within 1.5x of its first page: ${cf <= 1.5 ? 'met' : 'NOT met'} (${cf.toFixed(2)}x)`,
    );
  } finally {
    await server.close();
  }
}

main().catch((error: unknown) => {
  console.error(`bench:rooms: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exitCode = 1;
});
