/**
 * One embedded data directory, one process: while a server runs on it, `create-admin`, `migrate`,
 * `site-secret` and a second server on the same directory refuse at once, naming the server's pid, and
 * write nothing; the server's data survives a restart and nothing of the refused commands appears.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type Env } from '../src/config.js';
import { createServer, type SyncTalkServer } from '../src/server.js';
import { runCommand, startServerProcess } from './helpers/cli.js';
import { newUser, uniqueName, type TestUser } from './helpers/factories.js';
import { client } from './helpers/http.js';
import type { TestServer } from './helpers/server.js';

describe('an embedded data directory in use', () => {
  let dataDir: string;
  let env: Record<string, string>;
  let t: TestServer | undefined;

  // Development without JWT_SECRET: the data directory also holds the generated secret.
  const start = async (): Promise<TestServer> => {
    const server: SyncTalkServer = await createServer(loadConfig(env as Env));
    const { port } = await server.listen(0, '127.0.0.1');
    return { server, port, url: `http://127.0.0.1:${port}`, close: () => server.close() };
  };

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'synctalk-in-use-'));
    env = {
      NODE_ENV: 'development',
      SYNCTALK_DATA_DIR: dataDir,
      LOG_LEVEL: 'silent',
      BCRYPT_COST: '4',
      DEMO_PAGE: 'false',
      STARTUP_RETRIES: '0',
    };
    t = await start();
  });
  afterAll(async () => {
    await t?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it(
    'refuses every other command and server, naming the pid, writing nothing, and keeps the data',
    { timeout: 180_000 },
    async () => {
      const owner: TestUser = await newUser(t!);
      const defaultSite = (await t!.server.deps.sites.repo.findDefault())!;
      const secretBefore = await t!.server.deps.sites.secretOf(defaultSite.id);
      const devSecret = readFileSync(join(dataDir, 'dev-secret'), 'utf8');
      const listing = readdirSync(dataDir).sort();

      const refusedAdmin = uniqueName('refused');
      const attempts = await Promise.all([
        runCommand(['create-admin', '--username', refusedAdmin, '--password-stdin'], env, 'password-123'),
        runCommand(['migrate'], env),
        runCommand(['site-secret'], env),
      ]);
      const second = startServerProcess(env);
      await expect(second.url).rejects.toThrow(/server exited with 1/);
      const outcomes = [...attempts, { code: await second.stop(), stdout: '', stderr: second.output() }];

      const message = new RegExp(
        `^synctalk: the data directory .*synctalk-in-use-\\w+ is in use by process ${process.pid} ` +
          `\\(another synctalk server or command, since [^)]+\\); stop it first\\n$`,
      );
      for (const result of outcomes) {
        expect(result.code, result.stderr).toBe(1);
        expect(result.stderr).toMatch(message);
        expect(result.stdout).toBe('');
      }
      expect(readdirSync(dataDir).sort()).toEqual(listing);
      expect(listing).toEqual(['db', 'dev-secret', 'synctalk.lock']);
      expect(readFileSync(join(dataDir, 'dev-secret'), 'utf8')).toBe(devSecret);

      // Restarted, the server has its own data and nothing of the refused commands.
      await t!.close();
      t = undefined;
      t = await start();
      const login = await client(t.url).post('/v1/auth/login', {
        body: { username: owner.user.username, password: owner.password },
      });
      expect(login.status).toBe(200);
      expect(await t.server.db('users').where({ username_lower: refusedAdmin.toLowerCase() })).toHaveLength(
        0,
      );
      const site = (await t.server.deps.sites.repo.findDefault())!;
      expect(site.publicId).toBe(defaultSite.publicId);
      expect(await t.server.deps.sites.secretOf(site.id)).toBe(secretBefore);
    },
  );

  it('is free for a command once the server stops', { timeout: 120_000 }, async () => {
    await t!.close();
    t = undefined;
    const username = uniqueName('after');
    const result = await runCommand(
      ['create-admin', '--username', username, '--password-stdin'],
      env,
      'password-123',
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`^created admin "${username}"`));
    expect(readdirSync(dataDir)).not.toContain('synctalk.lock');

    t = await start();
    const login = await client(t.url).post('/v1/auth/login', {
      body: { username, password: 'password-123' },
    });
    expect(login.status).toBe(200);
    expect(login.body.user.roles).toEqual(['ROLE_USER', 'ROLE_ADMIN']);
  });
});
