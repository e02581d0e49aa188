import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtMain, cleanEnv, startServerProcess } from './helpers/cli.js';

const main = builtMain;

/** The JSON log lines of a server's output. */
function logLines(output: string): { level: number; msg: string }[] {
  return output
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as { level: number; msg: string });
}

const runServer = (env: Record<string, string>) => startServerProcess(env, { built: true });

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
      env: cleanEnv(env),
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
    // Every start says what to do next: the site to embed and how to get its secret; the kept
    // development JWT secret is stated, not warned about.
    const firstLogs = logLines(first.output());
    const site = firstLogs.find((l) => l.msg.startsWith('default site st_'));
    expect(site?.msg).toMatch(
      /^default site st_\w+ \(allowed origins: http:\/\/localhost:3000, http:\/\/127\.0\.0\.1:3000\); its signing secret: npm run -s site-secret \(rotates it\)$/,
    );
    expect(site?.level).toBe(30);
    expect(firstLogs.filter((l) => l.msg.includes('JWT_SECRET')).map((l) => [l.level, l.msg])).toEqual([
      [
        30,
        `JWT_SECRET is not set: using the development secret kept in ${join(dataDir, 'dev-secret')} (set JWT_SECRET in production)`,
      ],
    ]);
    expect(firstLogs.filter((l) => l.level >= 40)).toEqual([]);
    // The running server holds the data directory; a clean stop frees it.
    expect(JSON.parse(readFileSync(join(dataDir, 'synctalk.lock'), 'utf8')).pid).toBe(first.child.pid);
    first.child.kill('SIGINT');
    expect(await first.exited).toBe(0);
    expect(first.output()).toContain('shut down cleanly');
    expect(existsSync(join(dataDir, 'synctalk.lock'))).toBe(false);

    // A CORS_ORIGINS that no longer matches the site it created is warned about, not silently ignored.
    const second = runServer({ ...env, CORS_ORIGINS: 'https://shop.example' });
    const url2 = await second.url;
    expect((await fetch(`${url2}/readyz`)).status).toBe(200);
    expect(second.output()).toContain('(0 migrations applied)');
    // Logged right after the listening line; give it a moment.
    for (let i = 0; i < 50 && !second.output().includes('CORS_ORIGINS'); i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const warnings = logLines(second.output()).filter((l) => l.level === 40);
    expect(warnings.map((l) => l.msg)).toEqual([
      expect.stringMatching(
        /^CORS_ORIGINS \(https:\/\/shop\.example\) differs from the default site's allowed origins, which it set only when the site was created; change them with PATCH \/v1\/admin\/sites\/st_\w+ \{ "allowedOrigins": \[\.\.\.\] \}$/,
      ),
    ]);
    expect(readFileSync(join(dataDir, 'dev-secret'), 'utf8')).toBe(secret);
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  });
});
