import { beforeAll, expect, it } from 'vitest';
import { newUser, type TestUser } from './helpers/factories.js';
import { type RequestOptions } from './helpers/http.js';
import { describeWith } from './helpers/services.js';
import { useServer } from './helpers/use-server.js';

describeWith(['postgres'], 'bad input to /v1/me', () => {
  const { t, http: api } = useServer({ label: 'me-bad-input' });
  let me: TestUser;
  beforeAll(async () => {
    me = await newUser(t, { displayName: 'Original' });
    const res = await api.patch('/v1/me', {
      token: me.token,
      body: { avatarUrl: 'https://img.example/o.png' },
    });
    expect(res.status).toBe(200);
  });

  const row = () => t.server.db('users').where({ id: me.user.id }).first();

  /** PATCHes as `me`, expects the error, and checks the profile did not change. */
  async function refused(options: RequestOptions, status: number, code: string, message?: RegExp) {
    const before = await row();
    const res = await api.patch('/v1/me', { token: me.token, ...options });
    expect(res.status, JSON.stringify(res.body)).toBe(status);
    expect(res.body.error.code).toBe(code);
    if (message) expect(res.body.error.message).toMatch(message);
    expect(await row()).toEqual(before);
    return res;
  }
  const invalid = (body: unknown, message?: RegExp) => refused({ body }, 400, 'validation_failed', message);

  it('refuses malformed JSON, non-objects and other content types', async () => {
    for (const raw of ['{"displayName":', '{displayName: "x"}', '"x"', 'null']) {
      await refused({ rawBody: raw }, 400, 'invalid_json');
    }
    await refused({ rawBody: '[]' }, 400, 'validation_failed');
    await refused(
      { rawBody: 'displayName=x', headers: { 'content-type': 'text/plain' } },
      415,
      'unsupported_media_type',
    );
    await refused({ body: { displayName: 'x'.repeat(200 * 1024) } }, 413, 'payload_too_large');
  });

  it('refuses an empty patch', async () => {
    await invalid({}, /at least one of displayName, avatarUrl/);
    await refused({}, 400, 'validation_failed');
  });

  it('refuses fields that are not the profile’s, such as roles, username or kind', async () => {
    for (const body of [
      { roles: ['ROLE_USER', 'ROLE_ADMIN'] },
      { displayName: 'ok', roles: ['ROLE_ADMIN'] },
      { username: 'renamed' },
      { kind: 'site' },
      { id: '1' },
      { password: 'new-password' },
    ]) {
      await invalid(body);
    }
  });

  it('refuses wrong types', async () => {
    for (const body of [
      { displayName: 42 },
      { displayName: null },
      { displayName: ['x'] },
      { displayName: { text: 'x' } },
      { avatarUrl: 42 },
      { avatarUrl: true },
      { avatarUrl: { href: 'https://x.example' } },
    ]) {
      await invalid(body);
    }
  });

  it('refuses display names outside the rules', async () => {
    for (const displayName of [
      '',
      '  ',
      'x'.repeat(65),
      '😀'.repeat(65),
      'nul\u0000byte',
      'escape\u001b[31m',
      'line\nbreak',
      'evil\u202Egnp.exe',
    ]) {
      await invalid({ displayName }, /^Invalid body\.displayName: /);
    }
  });

  it('accepts 64 characters, counted as people see them', async () => {
    const res = await api.patch('/v1/me', { token: me.token, body: { displayName: '😀'.repeat(64) } });
    expect(res.status).toBe(200);
    await api.patch('/v1/me', { token: me.token, body: { displayName: 'Original' } });
  });

  it('refuses avatars that are not http(s) URLs', async () => {
    for (const avatarUrl of [
      '',
      'not a url',
      'javascript:alert(1)',
      'data:image/png;base64,AAAA',
      'ftp://files.example/a.png',
      'file:///etc/passwd',
      '//cdn.example/a.png',
      'https://user:secret@cdn.example/a.png',
      `https://cdn.example/${'a'.repeat(2048)}`,
      "https://x.example/'; DROP TABLE users;--\u0000",
      'https://x.example/a\u0007b.png',
      'https://x.example/with space.png',
      'https://x.example/\u202Egnp.exe',
    ]) {
      await invalid({ avatarUrl }, /^Invalid body\.avatarUrl: /);
    }
  });

  it('refuses the whole patch when one field is bad', async () => {
    await invalid({ displayName: 'Good name', avatarUrl: 'javascript:alert(1)' });
    expect((await row()).display_name).toBe('Original');
  });

  it('checks the token before the body', async () => {
    const noToken = await api.patch('/v1/me', { body: { roles: ['ROLE_ADMIN'] } });
    expect(noToken.status).toBe(401);
    const garbage = await api.patch('/v1/me', { token: 'garbage', body: { displayName: 'x' } });
    expect(garbage.status).toBe(401);
    expect((await row()).display_name).toBe('Original');
  });

  it('GET /v1/me takes no query or body surprises', async () => {
    const res = await api.get('/v1/me?fields=password_hash', { token: me.token });
    expect(res.status).toBe(200);
    expect(res.body).not.toHaveProperty('passwordHash');
    expect(res.body).not.toHaveProperty('password_hash');
    expect(Object.keys(res.body).sort()).toEqual(
      ['avatarUrl', 'createdAt', 'displayName', 'id', 'kind', 'roles', 'username'].sort(),
    );
  });
});
