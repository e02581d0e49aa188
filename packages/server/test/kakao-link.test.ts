/**
 * Linking Kakao to an existing account happens only through the explicit link flow: started by the signed-in
 * user, its state bound to that user, completed with that user's token. Afterwards Kakao signs in to that
 * same account. A Kakao id belongs to one account per site.
 */
import { afterEach, expect, it } from 'vitest';
import { countUsers, newUser, type TestUser } from './helpers/factories.js';
import { kakaoBrowser, kakaoSignIn, type FakeKakaoUser } from './helpers/fake-kakao.js';
import { client } from './helpers/http.js';
import { describeWith } from './helpers/services.js';
import { useFakeKakao, useServer, useSite } from './helpers/use-server.js';

const PAGE = 'https://app.example';

describeWith(['postgres', 'redisCluster'], 'Kakao login: linking an existing account', () => {
  const fake = useFakeKakao();
  const { t } = useServer({
    label: 'kakao_link',
    services: ['postgres', 'redisCluster'],
    env: () => fake.env(),
  });
  const { site, headers } = useSite(t, { origins: [PAGE], settings: { guestsEnabled: true } });
  afterEach(() => fake.reset());

  const api = () => client(t.url);
  const kakaoIdOf = async (userId: string) =>
    (await t.server.db('users').where({ id: userId }).first()).kakao_id as string | null;

  /** Starts a link as `who` and passes Kakao's page as `as`. */
  async function linkFlow(who: TestUser, as: FakeKakaoUser) {
    const start = await api().post('/v1/me/kakao/link/start', { headers: who.headers, body: {} });
    expect(start.status).toBe(200);
    const back = await fake.authorize(start.body.url, { user: as });
    return { code: back.code!, state: back.state!, location: back.location };
  }

  it('links Kakao to a password account; Kakao then signs in to that account', async () => {
    const member = await newUser(t, { site, displayName: 'Sam' });
    const person = fake.addUser({ nickname: 'sam-on-kakao' });
    const flow = await linkFlow(member, person);

    const res = await api().post('/v1/me/kakao/link/callback', {
      headers: member.headers,
      body: { code: flow.code, state: flow.state },
    });
    expect(res.status).toBe(200);
    expect(res.body.user).toMatchObject({ id: member.user.id, kind: 'password', displayName: 'Sam' });
    expect(await kakaoIdOf(member.user.id)).toBe(String(person.id));

    const before = await countUsers(t, site);
    const signIn = await kakaoSignIn(t.url, fake, person, { headers });
    expect(signIn.res.status).toBe(200);
    expect(signIn.res.body.user).toMatchObject({ id: member.user.id, kind: 'password', displayName: 'Sam' });
    expect(await countUsers(t, site)).toBe(before);
  });

  it('requires a signed-in user to start and to finish', async () => {
    const start = await api().post('/v1/me/kakao/link/start', { headers, body: {} });
    expect(start.status).toBe(401);
    const member = await newUser(t, { site });
    const flow = await linkFlow(member, fake.addUser());
    const finish = await api().post('/v1/me/kakao/link/callback', {
      headers,
      body: { code: flow.code, state: flow.state },
    });
    expect(finish.status).toBe(401);
    expect(await kakaoIdOf(member.user.id)).toBeNull();
  });

  it("refuses to finish someone else's link, and that state is then spent", async () => {
    const victim = await newUser(t, { site });
    const attacker = await newUser(t, { site });
    const flow = await linkFlow(attacker, fake.addUser());
    const res = await api().post('/v1/me/kakao/link/callback', {
      headers: victim.headers,
      body: { code: flow.code, state: flow.state },
    });
    expect(res.status).toBe(403);
    expect(res.body.error.message).toMatch(/started by another account/);
    expect(fake.requests.filter((r) => r.path === '/oauth/token')).toHaveLength(0);
    expect(await kakaoIdOf(victim.user.id)).toBeNull();
    expect(await kakaoIdOf(attacker.user.id)).toBeNull();

    const again = await api().post('/v1/me/kakao/link/callback', {
      headers: attacker.headers,
      body: { code: flow.code, state: flow.state },
    });
    expect(again.status).toBe(401);
  });

  it('refuses a sign-in state at the link callback', async () => {
    const member = await newUser(t, { site });
    const start = await kakaoBrowser(t.url, fake).start({ headers });
    const back = await fake.authorize(start.url, { user: fake.addUser() });
    const res = await api().post('/v1/me/kakao/link/callback', {
      headers: member.headers,
      body: { code: back.code, state: back.state },
    });
    expect(res.status).toBe(401);
    expect(res.body.error.message).toMatch(/belongs to a Kakao sign-in/);
  });

  it('409 when the Kakao account already belongs to another user of the site', async () => {
    const person = fake.addUser();
    const owner = await kakaoSignIn(t.url, fake, person, { headers });
    expect(owner.res.status).toBe(200);
    const member = await newUser(t, { site });
    const flow = await linkFlow(member, person);
    const res = await api().post('/v1/me/kakao/link/callback', {
      headers: member.headers,
      body: { code: flow.code, state: flow.state },
    });
    expect(res.status).toBe(409);
    expect(res.body.error.message).toMatch(/already belongs to another user/);
    expect(await kakaoIdOf(member.user.id)).toBeNull();
  });

  it('409 when starting on an account that is already linked; 403 for guests', async () => {
    const member = await newUser(t, { site });
    const flow = await linkFlow(member, fake.addUser());
    const done = await api().post('/v1/me/kakao/link/callback', {
      headers: member.headers,
      body: { code: flow.code, state: flow.state },
    });
    expect(done.status).toBe(200);
    const again = await api().post('/v1/me/kakao/link/start', { headers: member.headers, body: {} });
    expect(again.status).toBe(409);

    const guest = await api().post('/v1/auth/guest', { headers, body: { displayName: 'Visitor' } });
    expect(guest.status).toBe(201);
    const refused = await api().post('/v1/me/kakao/link/start', {
      headers: { ...headers, authorization: `Bearer ${guest.body.accessToken}` },
      body: {},
    });
    expect(refused.status).toBe(403);
  });

  it('relays a link through the popup page to the opener, which finishes it with its own token', async () => {
    const member = await newUser(t, { site });
    const start = await api().post('/v1/me/kakao/link/start', {
      headers: { ...member.headers, origin: PAGE },
      body: {},
    });
    const person = fake.addUser();
    const back = await fake.authorize(start.body.url, { user: person });
    const popup = await fetch(`${t.url}/v1/auth/kakao/callback${back.location.search}`);
    expect(popup.status).toBe(200);
    expect(popup.headers.get('set-cookie')).toBeNull();
    const page = await popup.text();
    const message = JSON.parse(/var message = (.*);\n/.exec(page)![1]!);
    expect(JSON.parse(/var targetOrigin = (.*);\n/.exec(page)![1]!)).toBe(PAGE);
    expect(message).toEqual({
      source: 'synctalk',
      type: 'kakao:link',
      ok: true,
      state: start.body.state,
      code: back.code,
    });
    // The page only relayed: nothing is linked until the opener finishes.
    expect(await kakaoIdOf(member.user.id)).toBeNull();

    const res = await api().post('/v1/me/kakao/link/callback', {
      headers: member.headers,
      body: { code: message.code, state: message.state },
    });
    expect(res.status).toBe(200);
    expect(await kakaoIdOf(member.user.id)).toBe(String(person.id));
  });

  it('unlinks Kakao from an account that has another way in, but not from a Kakao account', async () => {
    const member = await newUser(t, { site });
    const flow = await linkFlow(member, fake.addUser());
    await api().post('/v1/me/kakao/link/callback', {
      headers: member.headers,
      body: { code: flow.code, state: flow.state },
    });
    const unlink = await api().delete('/v1/me/kakao', { headers: member.headers });
    expect(unlink.status).toBe(200);
    expect(await kakaoIdOf(member.user.id)).toBeNull();
    const twice = await api().delete('/v1/me/kakao', { headers: member.headers });
    expect(twice.status).toBe(404);

    const kakaoUser = await kakaoSignIn(t.url, fake, fake.addUser(), { headers });
    const refused = await api().delete('/v1/me/kakao', {
      headers: { ...headers, authorization: `Bearer ${kakaoUser.res.body.accessToken}` },
    });
    expect(refused.status).toBe(409);
  });
});
