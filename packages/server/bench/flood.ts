/**
 * Flood benchmark: how much one flooding client slows everyone else down. In the same run, against one
 * real server process, it measures the latency of a REST request (`GET /v1/me`) and of another user's
 * socket round trip (a `message:send` acknowledgement, on 4 connections sending 10 a second each, within
 * the default budget), first idle, then while a connection floods: it emits --events mixed events
 * (room:join, message:send, typing:start) at once, as fast as its socket writes them, and waits until the
 * server answered them all or cut it off. That is one round; --rounds rounds follow one another (default
 * 200, so that the flood phase holds enough samples for a p99), each as another member of the room, since
 * a user the server cut off may not reconnect for a while (it tries once, to show it). Idle and flood
 * phases alternate --blocks times (the machine's other load then weighs on both alike) and each phase's
 * samples are pooled. Prints p50/p99 of both, the flood/idle ratio of p99 and whether it is within 2x.
 *
 * Everything shares one machine, so the flooder (a child process in the idle scheduling class where `chrt`
 * can put it there, else or with --flooder nice at the lowest CPU priority) and the REST probe (paced at 50 requests a second) are
 * kept from measuring CPU starvation instead of the server.
 *
 *   npm run bench:flood [-- --events 5000] [--rounds 200] [--blocks 5] [--samples 400] [--database-url URL]
 *                       [--redis cluster|memory]
 *                       [--flooder idle|nice]
 *
 * The server runs from source (`src/main.ts` through tsx, no build needed) in a child process with the
 * default socket budget (SOCKET_EVENT_RATE/BURST/QUEUE_MAX/FLOOD_DISCONNECT unless set in the
 * environment) and a per-user message limit high enough that it never refuses (the flooder's sends then
 * cost the most). Redis is a private 6-node cluster started with redis-cluster/start.sh on free ports
 * (else the in-memory store); PostgreSQL is --database-url, else DATABASE_URL, else a fresh database on
 * postgres://postgres@127.0.0.1:5432 that is dropped at the end. Everything is bounded in time and count.
 */
import { randomBytes } from 'node:crypto';
import { spawn, spawnSync } from 'node:child_process';
import { cpus, setPriority } from 'node:os';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import type { AuthResponse, Room } from '@synctalk/sdk';
import {
  privateClusterUnavailable,
  startPrivateRedisCluster,
  type PrivateRedisCluster,
} from '../test/helpers/private-redis-cluster.js';
import { connect, http, percentile, positive, type ChatSocket } from './bench-client.js';
import { benchDatabase, startNode } from './chat-nodes.js';
import { cpuBetween, databaseCpu, processCpuMs, type CpuReading } from './cpu-time.js';

const log = (line: string) => console.log(line);
const ACK_TIMEOUT_MS = 10_000;
/** The flooder gives up on a connection whose server neither answers nor cuts it off for this long. */
const FLOOD_TIMEOUT_MS = 60_000;

// The flooder, a child process (CommonJS, evaluated; its settings in argv). Each round, one connection of
// that round's user emits every event at once, then waits until the server answered all of it or cut it
// off; then it tries once to reconnect as that user (refused while the server's flood penalty lasts). It
// reports (IPC) what the server answered.
const FLOOD_CLIENT = `
const { createRequire } = require('node:module');
const settings = JSON.parse(process.argv[1]);
const { io } = createRequire(settings.base)('socket.io-client');
const { url, tokens, roomId, events, timeoutMs } = settings;
const answers = {};
let sent = 0, connections = 0, cutOff = 0, refusedReconnects = 0;
const connect = (token) => new Promise((resolve, reject) => {
  const s = io(url + '/chat', { auth: { token }, transports: ['websocket'], reconnection: false, forceNew: true });
  s.once('connect', () => resolve(s));
  s.once('connect_error', (e) => { s.close(); reject(e); });
});
const event = (i) => i % 3 === 0 ? ['room:join', { roomId }]
  : i % 3 === 1 ? ['message:send', { roomId, clientMsgId: 'flood' + i, text: 'flood ' + i }]
  : ['typing:start', { roomId }];
(async () => {
  const started = Date.now();
  for (const token of tokens) {
    const s = await connect(token);
    connections += 1;
    let open = true;
    let answered = 0;
    const closed = new Promise((resolve) => s.once('disconnect', (reason) => {
      open = false;
      if (reason === 'io server disconnect') cutOff += 1;
      resolve();
    }));
    for (let i = 0; i < events; i += 1, sent += 1) {
      const [name, payload] = event(sent);
      s.emit(name, payload, (r) => {
        const key = r && r.error ? r.error.code : 'ok';
        answers[key] = (answers[key] || 0) + 1;
        answered += 1;
      });
    }
    const deadline = Date.now() + timeoutMs;
    while (open && answered < events && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    s.close();
    await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, 1000))]);
    try {
      (await connect(token)).close();
    } catch (error) {
      if (error && error.data && error.data.error && error.data.error.code === 'rate_limited') refusedReconnects += 1;
      else throw error;
    }
  }
  process.send({ sent, connections, cutOff, refusedReconnects, answers, ms: Date.now() - started }, () => process.exit(0));
})().catch((error) => process.send({ error: String(error && error.stack || error) }, () => process.exit(1)));
`;

interface FloodReport {
  sent: number;
  connections: number;
  cutOff: number;
  refusedReconnects: number;
  answers: Record<string, number>;
  ms: number;
  error?: string;
}

interface Samples {
  rest: number[];
  socket: number[];
  failures: string[];
}

/** Whether `chrt` can run a process in the idle scheduling class (SCHED_IDLE, Linux). */
const idleClassAvailable = () => spawnSync('chrt', ['--idle', '0', process.execPath, '-e', '0']).status === 0;

/** Socket probes: connections of the probing user, each sending at most `PROBE_RATE` a second. */
const PROBE_SOCKETS = 4;
/** Under the default SOCKET_EVENT_RATE (20): a well-behaved client is never refused. */
const PROBE_RATE = 10;
/** REST probe requests per second. */
const REST_RATE = 50;

interface Prober {
  token: string;
  sockets: ChatSocket[];
  roomId: string;
}

/**
 * Probes side by side, each timed from the call to the answer: one REST loop (paced at `REST_RATE`), a send loop
 * per probe socket (paced at `PROBE_RATE`), until `done()` says stop and each kind has at least `min`
 * samples (at most `max`).
 */
async function probe(
  url: string,
  user: Prober,
  min: number,
  max: number,
  done: () => boolean,
  tag: string,
): Promise<Samples> {
  const out: Samples = { rest: [], socket: [], failures: [] };
  const enough = (list: number[]) => list.length >= max || (done() && list.length >= min);
  let n = 0;
  await Promise.all([
    (async () => {
      while (!enough(out.rest)) {
        const t0 = performance.now();
        const res = await fetch(`${url}/v1/me`, { headers: { authorization: `Bearer ${user.token}` } });
        await res.arrayBuffer();
        const elapsed = performance.now() - t0;
        out.rest.push(elapsed);
        if (res.status !== 200) out.failures.push(`GET /v1/me: HTTP ${res.status}`);
        await new Promise((resolve) => setTimeout(resolve, Math.max(0, 1000 / REST_RATE - elapsed)));
      }
    })(),
    ...user.sockets.map(async (socket) => {
      while (!enough(out.socket)) {
        n += 1;
        const t0 = performance.now();
        try {
          const ack = (await socket.timeout(ACK_TIMEOUT_MS).emitWithAck('message:send', {
            roomId: user.roomId,
            clientMsgId: `${tag}${n}`,
            text: `probe ${n}`,
          })) as { message?: unknown; error?: { code: string } };
          if (!ack.message) out.failures.push(`message:send: ${ack.error?.code ?? 'no message'}`);
        } catch (error) {
          out.failures.push(`message:send: ${error instanceof Error ? error.message : String(error)}`);
        }
        const elapsed = performance.now() - t0;
        out.socket.push(elapsed);
        await new Promise((resolve) => setTimeout(resolve, Math.max(0, 1000 / PROBE_RATE - elapsed)));
      }
    }),
  ]);
  return out;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      events: { type: 'string', default: '5000' },
      rounds: { type: 'string', default: '200' },
      blocks: { type: 'string', default: '5' },
      samples: { type: 'string', default: '400' },
      redis: { type: 'string', default: 'cluster' },
      flooder: { type: 'string', default: 'idle' },
      'database-url': { type: 'string' },
    },
  });
  const events = positive('--events', values.events, 1_000_000);
  const rounds = positive('--rounds', values.rounds, 1000);
  const samples = positive('--samples', values.samples, 100_000);
  const blocks = positive('--blocks', values.blocks, Math.min(rounds, samples));
  if (values.redis !== 'cluster' && values.redis !== 'memory') throw new Error('--redis: cluster or memory');
  if (values.flooder !== 'idle' && values.flooder !== 'nice') throw new Error('--flooder: idle or nice');
  const idleClass = values.flooder === 'idle' && idleClassAvailable();

  const database = await benchDatabase(
    values['database-url'] ?? process.env.DATABASE_URL,
    'postgres://postgres@127.0.0.1:5432/postgres',
  );
  let redis: PrivateRedisCluster | undefined;
  const sockets: ChatSocket[] = [];
  let stopServer: (() => Promise<void>) | undefined;
  try {
    const env: Record<string, string> = {
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: '0',
      LOG_LEVEL: 'info',
      DATABASE_URL: database.url,
      JWT_SECRET: randomBytes(32).toString('base64url'),
      JWT_ACCESS_TTL: '6h',
      BCRYPT_COST: '4',
      MESSAGE_RATE_LIMIT: '100000',
      // One sign-up per round, all from this address.
      LOGIN_MAX_PER_IP: '100000',
    };
    for (const name of [
      'SOCKET_EVENT_RATE',
      'SOCKET_EVENT_BURST',
      'SOCKET_QUEUE_MAX',
      'SOCKET_FLOOD_DISCONNECT',
    ]) {
      const value = process.env[name];
      if (value) env[name] = value;
    }
    const unavailable = values.redis === 'cluster' ? privateClusterUnavailable() : 'not asked for';
    if (!unavailable) {
      log('starting a private 6-node Redis Cluster');
      redis = await startPrivateRedisCluster();
      env.REDIS_CLUSTER_NODES = redis.nodesEnv;
    } else {
      log(`Redis: the in-memory store (${unavailable})`);
    }
    const node = await startNode(env, { fromSource: true });
    stopServer = () => node.stop();
    const url = node.url;
    log(`server on ${url}; the flooder runs ${idleClass ? 'in the idle scheduling class' : 'at nice 19'}`);

    const run = randomBytes(3).toString('hex');
    const password = `pw-${randomBytes(8).toString('hex')}`;
    const signup = (name: string) =>
      http<AuthResponse>(url, 'POST', '/v1/auth/signup', undefined, { username: `f${run}${name}`, password });
    const prober = await signup('probe');
    // One flooding user per round: a user the server cut off may not reconnect for a while (its flood
    // penalty), and the rounds are to follow one another without a pause.
    const flooders: AuthResponse[] = [];
    for (let i = 0; i < rounds; i += 1) flooders.push(await signup(`flood${i}`));
    const flooder = flooders[0]!;
    const probeRoom = await http<Room>(url, 'POST', '/v1/rooms', prober.accessToken, {
      title: `Probe ${run}`,
      visibility: 'public',
    });
    const floodRoom = await http<Room>(url, 'POST', '/v1/rooms', flooder.accessToken, {
      title: `Flood ${run}`,
      visibility: 'public',
    });
    for (const other of flooders.slice(1)) {
      await http(url, 'POST', `/v1/rooms/${floodRoom.id}/join`, other.accessToken);
    }
    for (let i = 0; i < PROBE_SOCKETS; i += 1) sockets.push(await connect(url, prober.accessToken));
    const user: Prober = { token: prober.accessToken, sockets, roomId: probeRoom.id };

    // Warm-up (connections, JIT, pool). Then idle and flood phases take turns, --blocks times, so that
    // whatever else the machine does in the meantime weighs on both alike; the samples of each are pooled.
    await probe(url, user, 50, 50, () => true, 'warm');
    const idle: Samples = { rest: [], socket: [], failures: [] };
    const during: Samples = { rest: [], socket: [], failures: [] };
    const flood: FloodReport = {
      sent: 0,
      connections: 0,
      cutOff: 0,
      refusedReconnects: 0,
      answers: {},
      ms: 0,
    };
    // CPU used by the server and by its database backends in each kind of phase (Linux; else not shown).
    interface Cpu {
      wallMs: number;
      serverMs: number;
      databaseMs: number;
    }
    const cpuUse = {
      idle: { wallMs: 0, serverMs: 0, databaseMs: 0 },
      flood: { wallMs: 0, serverMs: 0, databaseMs: 0 },
    };
    let cpuKnown = true;
    const reading = async (): Promise<
      { at: number; server: CpuReading; database: CpuReading } | undefined
    > => {
      const ms = processCpuMs(node.pid);
      const db = await databaseCpu(database.url);
      if (ms === undefined || !db) return undefined;
      return { at: performance.now(), server: new Map([[node.pid, ms]]), database: db };
    };
    const measured = async <T>(into: Cpu, phase: () => Promise<T>): Promise<T> => {
      const before = await reading();
      const result = await phase();
      const after = await reading();
      if (!before || !after) cpuKnown = false;
      else {
        into.wallMs += after.at - before.at;
        into.serverMs += cpuBetween(before.server, after.server);
        into.databaseMs += cpuBetween(before.database, after.database);
      }
      return result;
    };
    const pool = (into: Samples, from: Samples) => {
      into.rest.push(...from.rest);
      into.socket.push(...from.socket);
      into.failures.push(...from.failures);
    };
    for (let block = 0; block < blocks; block += 1) {
      const share = (total: number) =>
        Math.floor((total * (block + 1)) / blocks) - Math.floor((total * block) / blocks);
      pool(
        idle,
        await measured(cpuUse.idle, () =>
          probe(url, user, share(samples), share(samples), () => true, `idle${block}-`),
        ),
      );

      // The flood, with the same probes running until it is over.
      let flooding = true;
      const first = Math.floor((rounds * block) / blocks);
      const settings = {
        base: import.meta.url,
        url,
        tokens: flooders.slice(first, first + share(rounds)).map((f) => f.accessToken),
        roomId: floodRoom.id,
        events,
        timeoutMs: FLOOD_TIMEOUT_MS,
      };
      // The flooder's own CPU is not the server's: on a machine with few CPUs it must not starve the server.
      // It runs in the idle scheduling class where there is one (it gets a CPU only when nothing else wants
      // it, as a client on another machine would), else at the lowest priority.
      const argv = [process.execPath, '-e', FLOOD_CLIENT, JSON.stringify(settings)];
      const child = spawn(
        idleClass ? 'chrt' : argv[0]!,
        idleClass ? ['--idle', '0', ...argv] : argv.slice(1),
        {
          stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
        },
      );
      if (child.pid !== undefined) setPriority(child.pid, 19);
      const report = new Promise<FloodReport>((resolve, reject) => {
        child.once('message', (m) => {
          flooding = false;
          resolve(m as FloodReport);
        });
        child.once('exit', (code) => {
          flooding = false;
          reject(new Error(`flooder exited with ${code} before reporting`));
        });
      });
      const r = await measured(cpuUse.flood, async () => {
        pool(during, await probe(url, user, 10, samples * 50, () => !flooding, `flood${block}-`));
        return report;
      });
      child.kill();
      if (r.error) throw new Error(`flooder: ${r.error}`);
      flood.sent += r.sent;
      flood.connections += r.connections;
      flood.cutOff += r.cutOff;
      flood.refusedReconnects += r.refusedReconnects;
      flood.ms += r.ms;
      for (const [code, n] of Object.entries(r.answers)) flood.answers[code] = (flood.answers[code] ?? 0) + n;
    }
    log(`${blocks} blocks of idle, then flood: ${samples} idle samples each, floods lasted ${flood.ms} ms`);

    const serverErrors = node.errors.count;
    for (const line of node.errors.first.slice(0, 3)) log(`  server: ${line}`);

    const stats = (s: Samples) => {
      const rest = Float64Array.from(s.rest).sort();
      const socket = Float64Array.from(s.socket).sort();
      return {
        restP50: percentile(rest, 50),
        restP99: percentile(rest, 99),
        socketP50: percentile(socket, 50),
        socketP99: percentile(socket, 99),
        n: `${s.rest.length}/${s.socket.length}`,
        failures: s.failures.length,
      };
    };
    const a = stats(idle);
    const b = stats(during);
    const answered = Object.values(flood.answers).reduce((x, y) => x + y, 0);
    const cpu = cpus();
    log(
      `\none connection at a time emitting ${events} events at once (room:join, message:send, typing:start), ` +
        `${rounds} round(s), each as another member of the room: ${flood.sent} events over ` +
        `${flood.connections} connection(s) in ${flood.ms} ms; Node ${process.version}, ` +
        `${cpu.length} CPUs (${cpu[0]?.model ?? '?'})\n`,
    );
    const f = (n: number) => (Number.isFinite(n) ? n.toFixed(2) : '-');
    log(
      '| phase | samples (REST/socket) | REST p50 ms | REST p99 ms | socket p50 ms | socket p99 ms | failures |',
    );
    log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
    for (const [name, s] of [
      ['idle', a],
      ['flood', b],
    ] as const) {
      log(
        `| ${name} | ${s.n} | ${f(s.restP50)} | ${f(s.restP99)} | ${f(s.socketP50)} | ${f(s.socketP99)} | ${s.failures} |`,
      );
    }
    const codes = Object.entries(flood.answers)
      .map(([code, count]) => `${code}:${count}`)
      .join(' ');
    log(
      `\nflooder: ${flood.sent} sent, answered ${codes || 'nothing'}, ${flood.sent - answered} never answered; ` +
        `cut off by the server ${flood.cutOff} time(s); reconnecting right after: refused ` +
        `${flood.refusedReconnects} of ${flood.connections} time(s)`,
    );
    if (cpuKnown) {
      const rate = (ms: number, wallMs: number) => ((ms / wallMs) * 1000).toFixed(0);
      log('\n| phase | seconds | server CPU ms/s | PostgreSQL CPU ms/s |');
      log('| --- | ---: | ---: | ---: |');
      for (const [name, c] of Object.entries(cpuUse)) {
        log(
          `| ${name} | ${(c.wallMs / 1000).toFixed(1)} | ${rate(c.serverMs, c.wallMs)} | ${rate(c.databaseMs, c.wallMs)} |`,
        );
      }
      // What the floods cost beyond the probes' own load (the idle rate over the same time).
      const extra = (kind: 'serverMs' | 'databaseMs') =>
        (cpuUse.flood[kind] - (cpuUse.idle[kind] / cpuUse.idle.wallMs) * cpuUse.flood.wallMs) /
        flood.connections;
      log(
        `each flooding connection cost the server ${extra('serverMs').toFixed(1)} ms of CPU and PostgreSQL ` +
          `${extra('databaseMs').toFixed(1)} ms beyond the probes' own load`,
      );
    }
    if (serverErrors > 0) log(`server logged ${serverErrors} errors`);
    for (const failure of [...new Set([...idle.failures, ...during.failures])].slice(0, 5)) {
      log(`probe failure: ${failure}`);
    }
    const verdict = (ratio: number) => `${ratio.toFixed(2)}x (${ratio <= 2 ? 'within 2x' : 'NOT within 2x'})`;
    log('\nflood/idle p99:');
    log(`  REST GET /v1/me: ${verdict(b.restP99 / a.restP99)}`);
    log(`  socket message:send ack: ${verdict(b.socketP99 / a.socketP99)}`);
    log(
      `  (p50: REST ${(b.restP50 / a.restP50).toFixed(2)}x, socket ${(b.socketP50 / a.socketP50).toFixed(2)}x)`,
    );
  } finally {
    for (const s of sockets) s.close();
    await stopServer?.();
    await redis?.stop();
    await database.drop();
  }
}

main().catch((error: unknown) => {
  console.error(`bench:flood: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exitCode = 1;
});
