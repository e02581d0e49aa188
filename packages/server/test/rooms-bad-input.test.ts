import { beforeAll, expect, it } from 'vitest';
import { newRoom, newUser, type TestUser } from './helpers/factories.js';
import { describeWith } from './helpers/services.js';
import { useServer } from './helpers/use-server.js';

describeWith(['postgres'], 'rooms: bad input', () => {
  const { t, http } = useServer({ label: 'rooms_bad_input' });
  let user: TestUser;

  beforeAll(async () => {
    user = await newUser(t);
  });

  const create = (body: unknown) => http.post('/v1/rooms', { headers: user.headers, body });

  it('stores SQL-looking text verbatim', async () => {
    const title = `Robert'); DROP TABLE rooms;--`;
    const description = `" OR 1=1 -- \\'; SELECT pg_sleep(10); /* */ $$ E'\\x00'`;
    const res = await create({ title, description, visibility: 'public' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ title, description });
    const back = await http.get(`/v1/rooms/${res.body.id}`, { headers: user.headers });
    expect(back.body).toMatchObject({ title, description });
    const page = await http.get('/v1/rooms?sort=title', { headers: user.headers });
    expect(page.body.items.map((r: { title: string }) => r.title)).toContain(title);
  });

  it('accepts emoji, right-to-left and combining text, counting characters as people see them', async () => {
    for (const title of ['🎉🔥 Party 👩‍👩‍👧‍👦', 'مرحبا بالعالم', 'שלום עולם', '한국어 채팅방', 'e\u0301te\u0301']) {
      const res = await create({ title, visibility: 'public' });
      expect(res.status, title).toBe(201);
      expect(res.body.title).toBe(title.normalize('NFC'));
    }
    const hundred = '😀'.repeat(100);
    expect((await create({ title: hundred, visibility: 'public' })).status).toBe(201);
    expect((await create({ title: `${hundred}x`, visibility: 'public' })).status).toBe(400);
    expect((await create({ title: 't', description: 'd'.repeat(2000), visibility: 'public' })).status).toBe(
      201,
    );
    expect((await create({ title: 't', description: 'd'.repeat(2001), visibility: 'public' })).status).toBe(
      400,
    );
  });

  it('refuses NUL and other control characters, empty titles and multi-line titles with 400', async () => {
    const bad: unknown[] = [
      { title: 'nul\u0000byte', visibility: 'public' },
      { title: 'ok', description: 'nul \u0000 here', visibility: 'public' },
      { title: 'bell\u0007', visibility: 'public' },
      { title: 'two\nlines', visibility: 'public' },
      { title: '   ', visibility: 'public' },
      { title: '', visibility: 'public' },
      { title: 'x', visibility: 'secret' },
      { title: 'x' },
      { title: 42, visibility: 'public' },
      { title: ['x'], visibility: 'public' },
      { title: 'x', visibility: 'public', ownerId: '1' },
      { title: 'x', visibility: 'public', memberCount: 1000 },
      null,
      [],
      'title',
    ];
    for (const body of bad) {
      const res = await create(body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.code).toMatch(/validation_failed|invalid_json/);
    }
    const nulUpdate = await newRoom(t, user);
    const res = await http.patch(`/v1/rooms/${nulUpdate.id}`, {
      headers: user.headers,
      body: { description: 'a\u0000b' },
    });
    expect(res.status).toBe(400);
  });

  it('refuses malformed JSON and non-JSON bodies', async () => {
    const malformed = await http.post('/v1/rooms', { headers: user.headers, rawBody: '{"title":' });
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.code).toBe('invalid_json');
    const text = await http.post('/v1/rooms', {
      headers: { ...user.headers, 'content-type': 'text/plain' },
      rawBody: 'title=x',
    });
    expect(text.status).toBe(415);
  });

  it('answers garbage ids with 400 and unknown ones with 404', async () => {
    for (const id of [
      'abc',
      '0',
      '-1',
      '1e3',
      '1.5',
      '99999999999999999999',
      '1%3BDROP%20TABLE%20rooms',
      '%00',
      '0x10',
    ]) {
      for (const [method, path] of [
        ['get', `/v1/rooms/${id}`],
        ['patch', `/v1/rooms/${id}`],
        ['delete', `/v1/rooms/${id}`],
        ['post', `/v1/rooms/${id}/join`],
        ['post', `/v1/rooms/${id}/leave`],
        ['get', `/v1/rooms/${id}/members`],
        ['post', `/v1/rooms/1/members/${id}/kick`],
      ] as const) {
        const res = await http[method](path, {
          headers: user.headers,
          body: method === 'patch' ? { title: 'x' } : undefined,
        });
        expect(res.status, `${method} ${path}`).toBe(400);
        expect(res.body.error.code).toBe('validation_failed');
      }
    }
    expect((await http.get('/v1/rooms/999999999999', { headers: user.headers })).status).toBe(404);
    expect((await http.post('/v1/rooms/999999999999/join', { headers: user.headers })).status).toBe(404);
  });

  it('refuses bodies on routes that take none, and unknown query parameters', async () => {
    const room = await newRoom(t, user);
    const withBody = await http.post(`/v1/rooms/${room.id}/leave`, {
      headers: user.headers,
      body: { force: true },
    });
    expect(withBody.status).toBe(400);
    expect((await http.get('/v1/me/rooms?sort=title', { headers: user.headers })).status).toBe(400);
  });
});
