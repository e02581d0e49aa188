import { beforeAll, describe, expect, it } from 'vitest';
import { newUser, uniqueName, type TestUser } from './helpers/factories.js';
import { type RequestOptions } from './helpers/http.js';
import { describeWith } from './helpers/services.js';
import { useServer } from './helpers/use-server.js';

describeWith(['postgres'], 'bad input to /v1/auth/*', () => {
  // High limits: this file sends many failing sign-ins on purpose.
  const { t, http: api } = useServer({
    label: 'auth-bad-input',
    env: { LOGIN_MAX_PER_USERNAME: '10000', LOGIN_MAX_PER_IP: '10000' },
  });
  let known: TestUser;
  beforeAll(async () => {
    known = await newUser(t);
  });

  const counts = async () => {
    const [users] = await t.server.db('users').count<{ n: string }[]>({ n: '*' });
    const [tokens] = await t.server.db('refresh_tokens').count<{ n: string }[]>({ n: '*' });
    return { users: Number(users!.n), tokens: Number(tokens!.n) };
  };

  /** Sends the request and checks it fails with `status`/`code`, leaves no rows and sets no cookie. */
  async function refused(
    path: string,
    options: RequestOptions,
    status: number,
    code: string,
    message?: RegExp,
  ) {
    const before = await counts();
    const res = await api.post(path, options);
    expect(res.status, JSON.stringify(res.body)).toBe(status);
    expect(res.body.error.code).toBe(code);
    expect(typeof res.body.error.message).toBe('string');
    if (message) expect(res.body.error.message).toMatch(message);
    expect(res.headers.get('set-cookie')).toBeNull();
    expect(res.headers.get('authorization')).toBeNull();
    expect(await counts()).toEqual(before);
    return res;
  }

  const invalid = (path: string, body: unknown, message?: RegExp) =>
    refused(path, { body }, 400, 'validation_failed', message);

  describe('every route', () => {
    const routes = ['/v1/auth/signup', '/v1/auth/login', '/v1/auth/refresh', '/v1/auth/logout'];

    it.each(routes)('%s refuses malformed JSON with invalid_json', async (path) => {
      for (const raw of ['{"username":', '{username: "x"}', "{'a': 1}", '{"a":1}}', 'nul']) {
        await refused(path, { rawBody: raw }, 400, 'invalid_json');
      }
    });

    it.each(routes)('%s refuses bodies that are not JSON objects', async (path) => {
      await refused(path, { rawBody: '"a string"' }, 400, 'invalid_json');
      await refused(path, { rawBody: '42' }, 400, 'invalid_json');
      await refused(path, { rawBody: '[]' }, 400, 'validation_failed');
      await refused(path, { rawBody: '[{"username":"abc"}]' }, 400, 'validation_failed');
    });

    it.each(routes)('%s refuses other content types with 415', async (path) => {
      await refused(
        path,
        {
          rawBody: 'username=abc&password=secret',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
        },
        415,
        'unsupported_media_type',
      );
    });

    it.each(routes)('%s refuses bodies over the size limit with 413', async (path) => {
      await refused(
        path,
        { body: { username: 'abc', password: 'x'.repeat(200 * 1024) } },
        413,
        'payload_too_large',
      );
    });
  });

  describe('POST /v1/auth/signup', () => {
    const ok = () => ({ username: uniqueName(), password: 'password-123' });

    it('names the missing field', async () => {
      await invalid('/v1/auth/signup', {}, /^Invalid body\.username: /);
      await invalid('/v1/auth/signup', { username: uniqueName() }, /^Invalid body\.password: /);
      await invalid('/v1/auth/signup', { password: 'password-123' }, /^Invalid body\.username: /);
    });

    it('refuses wrong types', async () => {
      for (const patch of [
        { username: 12345 },
        { username: null },
        { username: ['abc'] },
        { password: 12345678 },
        { password: true },
        { password: { value: 'password-123' } },
        { displayName: 42 },
        { displayName: null },
        { displayName: {} },
      ]) {
        await invalid('/v1/auth/signup', { ...ok(), ...patch });
      }
    });

    it('refuses unknown fields, including attempts to choose roles or kind', async () => {
      const res = await invalid('/v1/auth/signup', { ...ok(), roles: ['ROLE_USER', 'ROLE_ADMIN'] });
      expect(res.body.error.details[0]).toMatchObject({ code: 'unrecognized_keys' });
      await invalid('/v1/auth/signup', { ...ok(), kind: 'site' });
      await invalid('/v1/auth/signup', { ...ok(), id: '1' });
      await invalid('/v1/auth/signup', { ...ok(), __proto__: { admin: true }, isAdmin: true });
    });

    it('refuses usernames outside the rules, SQL included', async () => {
      for (const username of [
        "a'; DROP TABLE users;--",
        "' OR '1'='1",
        'robert"); DROP TABLE users; --',
        'ab',
        'a'.repeat(33),
        'x'.repeat(5000),
        '',
        '   ',
        'has space',
        '_leading',
        '.leading',
        '-leading',
        'tab\there',
        'nul\u0000byte',
        'emoji😀',
        'ünïcode',
        'مستخدم',
        'admin\u202Egnp',
        'Ａｄｍｉｎ', // full-width letters look like "Admin"
        'a@b.com',
        'a/b',
      ]) {
        const res = await invalid('/v1/auth/signup', { ...ok(), username }, /^Invalid body\.username: /);
        expect(res.body.error.details[0].path).toBe('username');
      }
      expect(await t.server.db('pg_tables').where({ tablename: 'users' })).toHaveLength(1);
    });

    it('accepts the documented username characters', async () => {
      for (const username of ['abc', 'A.b-c_d', '9lives', `x${'y'.repeat(31)}`, 'a..b', 'Z_9']) {
        const res = await api.post('/v1/auth/signup', { body: { username, password: 'password-123' } });
        expect(res.status, `${username}: ${JSON.stringify(res.body)}`).toBe(201);
        expect(res.body.user.username).toBe(username);
      }
    });

    it('trims surrounding spaces from the username', async () => {
      const name = uniqueName('trim');
      const res = await api.post('/v1/auth/signup', {
        body: { username: `  ${name} `, password: 'password-123' },
      });
      expect(res.status).toBe(201);
      expect(res.body.user.username).toBe(name);
    });

    it('refuses passwords outside the rules', async () => {
      await invalid('/v1/auth/signup', { ...ok(), password: '' }, /password: must be at least 8 characters/);
      await invalid(
        '/v1/auth/signup',
        { ...ok(), password: 'seven77' },
        /password: must be at least 8 characters/,
      );
      await invalid('/v1/auth/signup', { ...ok(), password: '🔑🔑🔑🔑' }, /at least 8 characters/);
      await invalid('/v1/auth/signup', { ...ok(), password: 'x'.repeat(73) }, /at most 72 bytes/);
      await invalid('/v1/auth/signup', { ...ok(), password: 'é'.repeat(37) }, /at most 72 bytes/);
      await invalid('/v1/auth/signup', { ...ok(), password: 'password\u0000suffix' }, /must not contain NUL/);
      await invalid('/v1/auth/signup', { ...ok(), password: 'password-\uD800' }, /valid Unicode/);
    });

    it('keeps spaces in passwords (never trims them)', async () => {
      const username = uniqueName();
      const password = '  spaced password  ';
      expect((await api.post('/v1/auth/signup', { body: { username, password } })).status).toBe(201);
      expect(
        (await api.post('/v1/auth/login', { body: { username, password: password.trim() } })).status,
      ).toBe(401);
      expect((await api.post('/v1/auth/login', { body: { username, password } })).status).toBe(200);
    });

    it('refuses display names outside the rules', async () => {
      for (const displayName of [
        '',
        '   ',
        'x'.repeat(65),
        'nul\u0000byte',
        'bell\u0007',
        'two\nlines',
        'evil\u202Egnp.exe',
        'iso\u2066late\u2069',
      ]) {
        await invalid('/v1/auth/signup', { ...ok(), displayName }, /^Invalid body\.displayName: /);
      }
    });

    it('stores SQL-looking, emoji and right-to-left display names verbatim', async () => {
      for (const displayName of ["a'; DROP TABLE users;--", '🦊🌈 fox', 'مرحبا', 'x'.repeat(64)]) {
        const res = await api.post('/v1/auth/signup', { body: { ...ok(), displayName } });
        expect(res.status).toBe(201);
        expect(res.body.user.displayName).toBe(displayName);
        const row = await t.server.db('users').where({ id: res.body.user.id }).first();
        expect(row.display_name).toBe(displayName);
      }
    });
  });

  describe('POST /v1/auth/login', () => {
    it('refuses missing fields, wrong types and unknown fields', async () => {
      const username = known.user.username!;
      for (const body of [
        {},
        { username },
        { password: known.password },
        { username: 1, password: known.password },
        { username, password: 12345678 },
        { username, password: null },
        { username: [username], password: known.password },
        { username, password: known.password, remember: true },
        { username, password: known.password, site: '1' },
      ]) {
        await invalid('/v1/auth/login', body);
      }
    });

    it('refuses malformed usernames and passwords instead of looking them up', async () => {
      await invalid(
        '/v1/auth/login',
        { username: "a'; DROP TABLE users;--", password: 'whatever1' },
        /username/,
      );
      await invalid('/v1/auth/login', { username: "' OR 1=1 --", password: "' OR 1=1 --" }, /username/);
      await invalid(
        '/v1/auth/login',
        { username: known.user.username, password: '' },
        /password: must not be empty/,
      );
      await invalid(
        '/v1/auth/login',
        { username: known.user.username, password: 'x'.repeat(73) },
        /72 bytes/,
      );
      await invalid(
        '/v1/auth/login',
        { username: known.user.username, password: `${known.password}\u0000` },
        /NUL/,
      );
    });

    it('refuses SQL in the password like any other wrong password', async () => {
      const res = await refused(
        '/v1/auth/login',
        { body: { username: known.user.username, password: "' OR '1'='1' --" } },
        401,
        'unauthorized',
      );
      expect(res.body.error.message).toBe('Wrong username or password');
    });

    it('never matches a password that differs only past 72 bytes, because those are refused', async () => {
      const username = uniqueName();
      const password = 'p'.repeat(72);
      expect((await api.post('/v1/auth/signup', { body: { username, password } })).status).toBe(201);
      await invalid('/v1/auth/login', { username, password: `${password}extra` }, /72 bytes/);
    });
  });

  describe('POST /v1/auth/refresh and /v1/auth/logout', () => {
    it('refresh refuses missing, wrongly typed, oversized and extra fields', async () => {
      for (const body of [
        {},
        { refreshToken: '' },
        { refreshToken: 123 },
        { refreshToken: null },
        { refreshToken: ['a'] },
        { refreshToken: 'x'.repeat(513) },
        { refreshToken: known.auth.refreshToken, userId: known.user.id },
      ]) {
        await invalid('/v1/auth/refresh', body);
      }
    });

    it('refresh answers 401 for a well-formed token it does not know, SQL included', async () => {
      for (const refreshToken of ["' OR '1'='1", 'x'.repeat(512), '🔑'.repeat(20), 'a\u0000b']) {
        await refused('/v1/auth/refresh', { body: { refreshToken } }, 401, 'unauthorized');
      }
    });

    it('logout refuses wrongly typed and extra fields, and keeps the session', async () => {
      for (const body of [
        { refreshToken: 123 },
        { refreshToken: null },
        { refreshToken: '' },
        { refreshToken: known.auth.refreshToken, everywhere: true },
      ]) {
        await invalid('/v1/auth/logout', body);
      }
      const still = await api.post('/v1/auth/refresh', { body: { refreshToken: known.auth.refreshToken } });
      expect(still.status).toBe(200);
      known.auth = still.body;
    });
  });
});
