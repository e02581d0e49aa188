/**
 * Server nodes for the chat benchmark: `node dist/main.js` child processes (their own event loops, apart
 * from the benchmark's clients), and the throw-away PostgreSQL database they share. The bare server of its
 * raw configuration (raw-chat-server.ts) runs the same way.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

const MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const MAIN_SOURCE = fileURLToPath(new URL('../src/main.ts', import.meta.url));
const PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url));

export interface StartNodeOptions {
  /** Runs `src/main.ts` through tsx instead of the build: measures the checked-out code, no build needed. */
  fromSource?: boolean;
  /** Node.js flags before the entry file (e.g. `--expose-gc`, `--import <preload>`). */
  execArgv?: string[];
  /** Opens an IPC channel to the child (`node.process.send`), for a preloaded probe to answer on. */
  ipc?: boolean;
  /**
   * Runs this TypeScript file (through tsx) instead of the server, e.g. the bare Socket.IO server of
   * `bench:chat`'s raw configuration. It must log `… listening on <url>` as a JSON line once it listens.
   */
  script?: string;
}

export interface ServerNode {
  url: string;
  /** The node's process id. */
  pid: number;
  process: ChildProcess;
  /** Error and fatal log lines of the node (the first 20), and how many there were. */
  errors: { count: number; first: string[] };
  stop(): Promise<void>;
}

/** Starts `node dist/main.js` (or the source, or `options.script`) with `env`; resolves once it listens. */
export async function startNode(
  env: Record<string, string>,
  options: StartNodeOptions = {},
): Promise<ServerNode> {
  if (!options.fromSource && !options.script && !existsSync(MAIN)) {
    throw new Error(`${MAIN} is missing: build the server first (npm run build)`);
  }
  const source = options.script ?? (options.fromSource ? MAIN_SOURCE : undefined);
  const args = [
    ...(options.execArgv ?? []),
    ...(source ? ['--conditions=@synctalk/source', '--import', 'tsx', source] : [MAIN]),
  ];
  const child: ChildProcess = spawn(process.execPath, args, {
    cwd: PACKAGE_DIR,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: options.ipc ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'],
  });
  const errors = { count: 0, first: [] as string[] };
  let head = '';
  let pending = '';
  // Keep draining the pipes (a full pipe would stall the server); remember only errors.
  const onData = (chunk: Buffer) => {
    if (head.length < 20_000) head += chunk.toString();
    pending += chunk.toString();
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      if (/"level":(50|60)/.test(line) || (line && !line.startsWith('{'))) {
        errors.count += 1;
        if (errors.first.length < 20) errors.first.push(line.slice(0, 500));
      }
    }
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`node did not start within 60 s:\n${head}`));
    }, 60_000);
    const watch = () => {
      const m = /listening on (http:\/\/[^"\s]+)/.exec(head);
      if (m) {
        clearTimeout(timer);
        child.stdout!.off('data', watch);
        resolve(m[1]!);
      }
    };
    child.stdout!.on('data', watch);
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`node exited while starting:\n${head}`));
    });
  });
  return {
    url,
    pid: child.pid!,
    process: child,
    errors,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

export interface BenchDatabase {
  url: string;
  /** Drops the database when the benchmark created it. */
  drop(): Promise<void>;
}

async function admin<T>(baseUrl: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const u = new URL(baseUrl);
  u.pathname = '/postgres';
  const client = new pg.Client({ connectionString: u.toString() });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** `url` as given (kept afterwards), or a fresh database on `server` that `drop()` removes. */
export async function benchDatabase(url: string | undefined, server: string): Promise<BenchDatabase> {
  if (url) return { url, drop: async () => undefined };
  const name = `synctalk_bench_chat_${randomBytes(4).toString('hex')}`;
  await admin(server, (c) => c.query(`CREATE DATABASE "${name}"`));
  const u = new URL(server);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    drop: () =>
      admin(server, (c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => {}),
  };
}
