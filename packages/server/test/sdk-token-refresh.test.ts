/**
 * The SDK keeps a session alive on its own: an expired access token is refreshed once however many calls
 * find it expired (refresh tokens are single use: past a short grace window, a second refresh with the same
 * one revokes the whole session), a refused refresh ends the session, and a realtime connection answers `auth:expiring` with a
 * fresh token so it outlives the one it opened with. Access tokens live 3 s here, and a rotated refresh
 * token is only answered again (the grace window for parallel refreshes) for 1 s.
 */
import {
  createClient,
  memoryTokenStore,
  SyncTalkError,
  type ConnectionStatus,
  type Message,
  type Tokens,
} from '@synctalk/sdk';
import { expect, it } from 'vitest';
import { eventually } from './helpers/cluster.js';
import { uniqueName } from './helpers/factories.js';
import { describeWith } from './helpers/services.js';
import { useServer } from './helpers/use-server.js';

const TTL_MS = 3000;

describeWith(['postgres'], 'sdk: token refresh, single-flight, and on a live connection', () => {
  const { t } = useServer({
    label: 'sdk_token_refresh',
    env: { JWT_ACCESS_TTL: `${TTL_MS / 1000}s`, JWT_REFRESH_GRACE: '1s' },
  });

  const signUp = async (tokens = memoryTokenStore()) => {
    const client = createClient({ baseUrl: t.url, tokens });
    const auth = await client.auth.signup({ username: uniqueName('tr'), password: 'correct horse battery' });
    return { client, auth };
  };
  /** Refresh tokens ever issued to a user: one per sign-in plus one per refresh. */
  const issued = async (userId: string) =>
    Number(
      (await t.server.db('refresh_tokens').where({ user_id: userId }).count<{ n: string }[]>({ n: '*' }))[0]!
        .n,
    );
  const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

  it('refreshes once for many concurrent calls made after the token expired', async () => {
    const { client, auth } = await signUp();
    await pause(TTL_MS + 100);
    const users = await Promise.all(Array.from({ length: 8 }, () => client.me.get()));
    expect(new Set(users.map((u) => u.id))).toEqual(new Set([auth.user.id]));
    expect(await issued(auth.user.id)).toBe(2);
    const tokens = (await client.auth.tokens())!;
    expect(tokens.accessToken).not.toBe(auth.accessToken);
    expect(tokens.refreshToken).not.toBe(auth.refreshToken);
  });

  it('answers token_expired with one refresh and one retry per call when the expiry is not known', async () => {
    const { auth } = await signUp();
    // Tokens handed over without their expiry (e.g. from a server render): the server is the judge.
    const saved: (Tokens | null)[] = [];
    const store = memoryTokenStore({ accessToken: auth.accessToken, refreshToken: auth.refreshToken });
    const client = createClient({
      baseUrl: t.url,
      tokens: { load: store.load, save: (tk) => (saved.push(tk), store.save(tk)) },
    });
    await pause(TTL_MS + 100);
    const rooms = await Promise.all(Array.from({ length: 6 }, () => client.rooms.myRooms()));
    expect(rooms.every((r) => Array.isArray(r.items))).toBe(true);
    expect(await issued(auth.user.id)).toBe(2);
    expect(saved).toHaveLength(1);
    expect(saved[0]).toMatchObject({ userId: auth.user.id });
    expect(saved[0]!.accessExpiresAt).toBeGreaterThan(Date.now());
  });

  it('picks up a refresh another client made through a shared store instead of refreshing again', async () => {
    const shared = memoryTokenStore();
    const { client, auth } = await signUp(shared);
    const tab2 = createClient({ baseUrl: t.url, tokens: shared });
    await pause(TTL_MS + 100);
    await client.me.get(); // refreshes and saves to the shared store
    expect((await tab2.me.get()).id).toBe(auth.user.id);
    expect(await issued(auth.user.id)).toBe(2);
  });

  it('ends the session when the server refuses the refresh token', async () => {
    const { client, auth } = await signUp();
    // A copy of the refresh token is used elsewhere first: past the grace window the server sees ours as
    // reused.
    const thief = createClient({ baseUrl: t.url, tokens: memoryTokenStore((await client.auth.tokens())!) });
    await thief.auth.refresh();
    await pause(TTL_MS + 100);
    const error = await client.me.get().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(SyncTalkError);
    expect(error).toMatchObject({ code: 'unauthorized', status: 401 });
    expect(await client.auth.tokens()).toBeNull();
    expect(auth.user.id).toBeTruthy();
  });

  it('keeps a connection past its token: auth:expiring is answered with a refreshed token', async () => {
    const { client, auth } = await signUp();
    const other = await signUp();
    const room = await client.rooms.create({ title: 'Long talk', visibility: 'public' });
    await other.client.rooms.join(room.id);

    const chat = await client.connect();
    const statuses: ConnectionStatus[] = [];
    chat.on('status', (s) => statuses.push(s));
    const expired: unknown[] = [];
    chat.on('auth:expired', (e) => expired.push(e));
    const expiring: number[] = [];
    chat.on('auth:expiring', (e) => expiring.push(e.expiresInMs));
    const received: Message[] = [];
    chat.on('message:new', (m) => received.push(m));
    await chat.joinRoom(room.id);

    await pause(TTL_MS * 2);
    expect(expiring.length).toBeGreaterThanOrEqual(2);
    expect(expired).toEqual([]);
    expect(statuses).toEqual([]);
    expect(chat.status).toBe('connected');
    expect(await issued(auth.user.id)).toBeGreaterThanOrEqual(3);

    const sent = await other.client.messages.send(room.id, 'still there?');
    await eventually(() => received.length === 1);
    expect(received[0]!.id).toBe(sent.id);
    chat.close();
    expect(chat.status).toBe('closed');
  }, 20_000);
});
