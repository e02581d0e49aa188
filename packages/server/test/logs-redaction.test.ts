/**
 * Log lines carry no credentials: the server's logger (`createLogger`) replaces authorization headers,
 * cookies and password, secret, token and key fields with "[redacted]", and a server working through
 * sign-ups, sign-ins, refreshes and site secrets writes none of them.
 */
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/platform/logger.js';
import { createServer, type SyncTalkServer } from '../src/server.js';
import { newAdmin, uniqueName } from './helpers/factories.js';
import { client } from './helpers/http.js';
import { testConfigEnv, type TestServer } from './helpers/server.js';

function memoryLogger(level = 'debug') {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString('utf8'));
      done();
    },
  });
  return { logger: createLogger(level, stream), text: () => chunks.join('') };
}

describe('the logger', () => {
  it('redacts credentials wherever a log call puts them', () => {
    const { logger, text } = memoryLogger();
    const error = Object.assign(new Error('request failed'), {
      config: { headers: { Authorization: 'Bearer upstream-access-9' }, data: 'client_secret=upstream-10' },
    });
    logger.info(
      {
        password: 'plain-password-1',
        secret: 'sts_site-secret-2',
        token: 'token-3',
        refreshToken: 'refresh-4',
        clientSecret: 'kakao-secret-5',
        headers: {
          authorization: 'Bearer header-6',
          cookie: 'synctalk_refresh=cookie-7',
          'set-cookie': 'c=8',
        },
        req: { headers: { authorization: 'Bearer req-11', cookie: 'k=req-12', host: 'example.com' } },
        user: { name: 'ann', password: 'nested-13', accessToken: 'nested-14', idToken: 'nested-15' },
        site: { publicId: 'st_public', siteSecret: 'nested-16', secretEnc: 'sealed-17' },
      },
      'with credentials',
    );
    logger.error({ err: error }, 'upstream failed');
    const out = text();
    for (const value of [
      'plain-password-1',
      'sts_site-secret-2',
      'token-3',
      'refresh-4',
      'kakao-secret-5',
      'header-6',
      'cookie-7',
      'c=8',
      'upstream-access-9',
      'upstream-10',
      'req-11',
      'req-12',
      'nested-13',
      'nested-14',
      'nested-15',
      'nested-16',
      'sealed-17',
    ]) {
      expect(out).not.toContain(value);
    }
    const [line, errLine] = out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    // What is not a credential stays readable.
    expect(line).toMatchObject({
      msg: 'with credentials',
      password: '[redacted]',
      req: { headers: { authorization: '[redacted]', host: 'example.com' } },
      user: { name: 'ann', password: '[redacted]' },
      site: { publicId: 'st_public', siteSecret: '[redacted]' },
    });
    expect(errLine.err).toMatchObject({ message: 'request failed', config: { data: '[redacted]' } });
  });
});

describe('a working server', () => {
  let t: TestServer;
  let logs: ReturnType<typeof memoryLogger>;
  let cleanup: () => void;
  beforeAll(async () => {
    logs = memoryLogger();
    const test = testConfigEnv();
    cleanup = test.cleanup;
    let server: SyncTalkServer;
    try {
      server = await createServer(loadConfig(test.env), { logger: logs.logger });
    } catch (error) {
      cleanup();
      throw error;
    }
    const { port } = await server.listen(0, '127.0.0.1');
    t = { server, port, url: `http://127.0.0.1:${port}`, close: () => server.close() };
  });
  afterAll(async () => {
    await t?.close();
    cleanup?.();
  });

  it('logs none of the passwords, tokens and secrets it handles', async () => {
    const api = client(t.url);
    const username = uniqueName('log');
    const password = 'logged-never-password-1';
    const signup = await api.post('/v1/auth/signup', { body: { username, password } });
    expect(signup.status).toBe(201);
    const wrong = await api.post('/v1/auth/login', { body: { username, password: 'wrong-password-zz' } });
    expect(wrong.status).toBe(401);
    const login = await api.post('/v1/auth/login', { body: { username, password } });
    expect(login.status).toBe(200);
    const refreshed = await api.post('/v1/auth/refresh', { body: { refreshToken: login.body.refreshToken } });
    expect(refreshed.status).toBe(200);
    const me = await api.get('/v1/me', {
      headers: { authorization: `Bearer ${refreshed.body.accessToken}` },
    });
    expect(me.status).toBe(200);
    const admin = await newAdmin(t);
    const created = await api.post('/v1/admin/sites', {
      headers: admin.headers,
      body: { name: uniqueName('s'), allowedOrigins: ['https://logs.example'] },
    });
    expect(created.status).toBe(201);

    const out = logs.text();
    expect(out).toContain('"msg":"request"');
    for (const value of [
      password,
      'wrong-password-zz',
      login.body.accessToken,
      login.body.refreshToken,
      refreshed.body.accessToken,
      refreshed.body.refreshToken,
      created.body.secret,
    ]) {
      expect(typeof value).toBe('string');
      expect(out).not.toContain(value);
    }
  });
});
