import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const main = fileURLToPath(new URL('../dist/main.js', import.meta.url));

function baseEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  // A clean environment: only what the process needs to run, plus the test's variables.
  return { PATH: process.env.PATH, HOME: process.env.HOME, ...extra };
}

function runServer(env: Record<string, string>) {
  const child = spawn(process.execPath, [main], { env: baseEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const url = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${out}`)), 30_000);
    child.stdout.on('data', () => {
      const m = /SyncTalk listening on (http:\/\/[^"\s]+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.on('exit', (code) => reject(new Error(`server exited with ${code}:\n${out}`)));
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, url, exited, output: () => out };
}

describe('the synctalk-server command', () => {
  let dataDir: string;
  beforeAll(() => {
    if (!existsSync(main)) throw new Error(`${main} is missing: build the server first (npm run build)`);
    dataDir = mkdtempSync(join(tmpdir(), 'synctalk-cli-'));
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it.each([
    [{ PORT: 'eighty' }, 'PORT'],
    [{ DATABASE_URL: 'nonsense' }, 'DATABASE_URL'],
    [{ REDIS_CLUSTER_NODES: '127.0.0.1:7001,oops' }, 'REDIS_CLUSTER_NODES'],
    [{ NODE_ENV: 'production' }, 'JWT_SECRET'],
  ])('exits 1 with one line naming the bad variable (%o)', (env, variable) => {
    const result = spawnSync(process.execPath, [main], {
      env: baseEnv(env),
      encoding: 'utf8',
      timeout: 10_000,
    });
    expect(result.status).toBe(1);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^synctalk: Invalid ${variable}: `));
    expect(result.stdout).toBe('');
  });

  it('serves /healthz on the embedded default, stops on SIGINT, and reuses its data on the next start', async () => {
    const env = { PORT: '0', SYNCTALK_DATA_DIR: dataDir, NODE_ENV: 'development' };
    const first = runServer(env);
    const url = await first.url;
    const res = await fetch(`${url}/healthz`);
    expect(res.status).toBe(200);
    expect(first.output()).toMatch(/embedded PGlite in .*synctalk-cli-.*db \(\d+ migrations applied\)/);
    expect(first.output()).not.toContain('(0 migrations applied)');
    const secret = readFileSync(join(dataDir, 'dev-secret'), 'utf8');
    // The running server holds the data directory; a clean stop frees it.
    expect(JSON.parse(readFileSync(join(dataDir, 'synctalk.lock'), 'utf8')).pid).toBe(first.child.pid);
    first.child.kill('SIGINT');
    expect(await first.exited).toBe(0);
    expect(first.output()).toContain('shut down cleanly');
    expect(existsSync(join(dataDir, 'synctalk.lock'))).toBe(false);

    const second = runServer(env);
    const url2 = await second.url;
    expect((await fetch(`${url2}/readyz`)).status).toBe(200);
    expect(second.output()).toContain('(0 migrations applied)');
    expect(readFileSync(join(dataDir, 'dev-secret'), 'utf8')).toBe(secret);
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  });
});
