/**
 * The SDK's REST client (`createClient` from @synctalk/sdk, run from source) against a real server: every
 * API group, errors as `SyncTalkError`, the site header, and failover across several server URLs.
 */
import { createServer as createNetServer } from 'node:net';
import type { SyncTalkError } from '@synctalk/sdk';
import { createClient, memoryTokenStore, type SyncTalkClient } from '@synctalk/sdk';
import { expect, it } from 'vitest';
import { newSite, uniqueName } from './helpers/factories.js';
import { describeWith } from './helpers/services.js';
import { useServer } from './helpers/use-server.js';
import { failure } from './helpers/sdk.js';

const PASSWORD = 'correct horse battery';

describeWith(['postgres'], 'sdk: the REST client against a real server', () => {
  const { t } = useServer({ label: 'sdk_rest' });

  async function signedUp(
    options: { site?: string; baseUrl?: string | string[] } = {},
  ): Promise<SyncTalkClient> {
    const client = createClient({ baseUrl: options.baseUrl ?? t.url, site: options.site });
    await client.auth.signup({ username: uniqueName('sdk'), password: PASSWORD });
    return client;
  }

  it('signs up, signs in and edits the profile', async () => {
    const username = uniqueName('ann');
    const ann = createClient({ baseUrl: t.url });
    const signup = await ann.auth.signup({ username, password: PASSWORD, displayName: 'Ann' });
    expect(await ann.me.get()).toEqual(signup.user);
    expect(await ann.me.update({ displayName: 'Ann B.' })).toMatchObject({ displayName: 'Ann B.' });

    const again = createClient({ baseUrl: `${t.url}/` });
    const login = await again.auth.login({ username: username.toUpperCase(), password: PASSWORD });
    expect(login.user.id).toBe(signup.user.id);
    expect(await again.auth.tokens()).toMatchObject({
      userId: signup.user.id,
      refreshToken: login.refreshToken,
    });
    expect((await again.me.get()).displayName).toBe('Ann B.');
  });

  it('creates, reads, edits, joins, lists and deletes rooms', async () => {
    const owner = await signedUp();
    const member = await signedUp();
    const ownerId = (await owner.me.get()).id;
    const memberId = (await member.me.get()).id;

    const secret = await owner.rooms.create({ title: 'Secret', description: 'shh', visibility: 'private' });
    expect(secret).toMatchObject({
      title: 'Secret',
      visibility: 'private',
      ownerId,
      memberCount: 1,
      lastSeq: '0',
    });
    expect(await owner.rooms.get(secret.id)).toEqual(secret);
    expect((await failure(member.rooms.get(secret.id))).code).toBe('not_found');
    const code = secret.code!.toLowerCase().replace(/(....)/, '$1-');
    expect(await member.rooms.joinByCode(code)).toMatchObject({
      id: secret.id,
      role: 'member',
      unreadCount: 0,
    });
    expect((await owner.rooms.update(secret.id, { title: 'Renamed' })).title).toBe('Renamed');
    const members = await owner.rooms.members(secret.id);
    expect(members.items.map((m) => [m.user.id, m.role])).toEqual([
      [ownerId, 'owner'],
      [memberId, 'member'],
    ]);
    expect(await owner.rooms.member(secret.id, memberId)).toMatchObject({ role: 'member' });
    expect((await owner.rooms.setRole(secret.id, memberId, 'moderator')).role).toBe('moderator');
    expect((await member.rooms.myRooms()).items.map((r) => r.id)).toContain(secret.id);
    expect(await member.rooms.leave(secret.id)).toBeUndefined();
    expect((await member.rooms.myRooms()).items.map((r) => r.id)).not.toContain(secret.id);

    const open = await owner.rooms.create({ title: uniqueName('Open'), visibility: 'public' });
    expect(await member.rooms.join(open.id)).toMatchObject({ id: open.id, role: 'member' });
    expect((await owner.rooms.mute(open.id, memberId, 5)).mutedUntil).not.toBeNull();
    expect((await owner.rooms.unmute(open.id, memberId)).mutedUntil).toBeNull();
    expect(await owner.rooms.kick(open.id, memberId)).toBeUndefined();
    await member.rooms.join(open.id);
    expect(await owner.rooms.ban(open.id, memberId)).toBeUndefined();
    expect((await owner.rooms.members(open.id, { status: 'banned' })).items.map((m) => m.user.id)).toEqual([
      memberId,
    ]);
    expect((await failure(member.rooms.join(open.id))).code).toBe('forbidden');
    expect(await owner.rooms.unban(open.id, memberId)).toBeUndefined();
    expect(await member.rooms.join(open.id)).toMatchObject({ role: 'member' });

    expect(await owner.rooms.delete(secret.id)).toBeUndefined();
    expect((await failure(owner.rooms.get(secret.id))).code).toBe('not_found');
  });

  it('pages the directory with cursors and with offsets', async () => {
    const site = (await newSite(t)).site;
    const owner = await signedUp({ site: site.publicId });
    const titles = ['delta', 'Alpha', 'charlie', 'Bravo', 'echo'];
    for (const title of titles) await owner.rooms.create({ title, visibility: 'public' });

    const seen: string[] = [];
    let page = await owner.rooms.list({ sort: 'title', limit: 2 });
    seen.push(...page.items.map((r) => r.title));
    while (page.nextCursor) {
      page = await owner.rooms.list({ sort: 'title', limit: 2, cursor: page.nextCursor });
      seen.push(...page.items.map((r) => r.title));
    }
    expect(seen).toEqual(['Alpha', 'Bravo', 'charlie', 'delta', 'echo']);

    const offsetPage = await owner.rooms.list({ offset: 1, limit: 2, sort: 'title' });
    expect(offsetPage).toMatchObject({ total: 5 });
    expect(offsetPage.items.map((r) => r.title)).toEqual(['Bravo', 'charlie']);
    const newest = await owner.rooms.list();
    expect(newest.items.map((r) => r.title)).toEqual([...titles].reverse());
  });

  it('sends over REST idempotently and reads history before and after a seq', async () => {
    const ann = await signedUp();
    const room = await ann.rooms.create({ title: 'History', visibility: 'public' });
    const first = await ann.messages.send(room.id, 'one', { clientMsgId: 'fixed-id-1' });
    expect(await ann.messages.send(room.id, 'one', { clientMsgId: 'fixed-id-1' })).toEqual(first);
    expect((await failure(ann.messages.send(room.id, 'changed', { clientMsgId: 'fixed-id-1' }))).code).toBe(
      'conflict',
    );
    for (const text of ['two', 'three', 'four', 'five']) await ann.messages.send(room.id, text);

    const latest = await ann.messages.history(room.id, { limit: 2 });
    expect(latest.messages.map((m) => m.text)).toEqual(['four', 'five']);
    expect(latest.hasMore).toBe(true);
    const before = await ann.messages.history(room.id, { before: latest.messages[0]!.seq });
    expect(before).toMatchObject({ hasMore: false });
    expect(before.messages.map((m) => m.seq)).toEqual(['1', '2', '3']);
    const after = await ann.messages.history(room.id, { after: '2', limit: 2 });
    expect(after.messages.map((m) => m.seq)).toEqual(['3', '4']);
    expect(after.hasMore).toBe(true);

    const reply = await ann.messages.send(room.id, 'a reply', { replyTo: first.id });
    expect(reply.replyTo).toBe(first.id);
    expect((await ann.messages.edit(room.id, reply.id, 'edited')).editedAt).not.toBeNull();
    expect(await ann.messages.react(room.id, reply.id, '👍')).toMatchObject({ action: 'added', count: 1 });
    expect(await ann.messages.unreact(room.id, reply.id, '👍')).toMatchObject({
      action: 'removed',
      count: 0,
    });
    expect((await ann.messages.delete(room.id, reply.id)).deletedAt).not.toBeNull();
    expect(await ann.messages.markRead(room.id, '6')).toEqual({
      roomId: room.id,
      lastReadSeq: '6',
      unreadCount: 0,
    });
  });

  it('throws SyncTalkError with the code, status, details and retryability of every error body', async () => {
    const anon = createClient({ baseUrl: t.url });
    const wrong = await failure(anon.auth.login({ username: uniqueName('nobody'), password: PASSWORD }));
    expect(wrong).toMatchObject({
      name: 'SyncTalkError',
      code: 'unauthorized',
      status: 401,
      retryable: false,
    });
    expect(wrong.message).toBe('Wrong username or password');

    const invalid = await failure(anon.auth.signup({ username: 'x', password: 'short' }));
    expect(invalid).toMatchObject({ code: 'validation_failed', status: 400, retryable: false });
    expect(Array.isArray(invalid.details)).toBe(true);

    const signedOut = await failure(anon.me.get());
    expect(signedOut.code).toBe('unauthorized');

    const ann = await signedUp();
    expect(await failure(ann.rooms.get('999999999'))).toMatchObject({ code: 'not_found', status: 404 });
    // Join codes are throttled: the 21st wrong code in the window is rate_limited, with retryAfter.
    let limited: SyncTalkError | undefined;
    for (let i = 0; i < 25 && !limited; i += 1) {
      const e = await failure(ann.rooms.joinByCode('ZZZZZZZZ'));
      if (e.code === 'rate_limited') limited = e;
      else expect(e.code).toBe('not_found');
    }
    expect(limited).toMatchObject({ status: 429, retryable: true });
    expect(limited!.retryAfter).toBeGreaterThan(0);
  });

  it('names the site on every request with X-SyncTalk-Site', async () => {
    const { site } = await newSite(t);
    const username = uniqueName('site');
    const onSite = createClient({ baseUrl: t.url, site: site.publicId });
    await onSite.auth.signup({ username, password: PASSWORD });
    const room = await onSite.rooms.create({ title: 'Site room', visibility: 'public' });
    expect((await onSite.rooms.list()).items.map((r) => r.id)).toEqual([room.id]);

    // The same credentials mean nothing on the default site, and its users cannot see the room.
    const elsewhere = createClient({ baseUrl: t.url });
    expect((await failure(elsewhere.auth.login({ username, password: PASSWORD }))).code).toBe('unauthorized');
    const stranger = await signedUp();
    expect((await failure(stranger.rooms.get(room.id))).code).toBe('not_found');
    // The header is sent with the token too: the site's token is refused for another site.
    const mixed = createClient({
      baseUrl: t.url,
      site: (await newSite(t)).site.publicId,
      tokens: memoryTokenStore((await onSite.auth.tokens())!),
    });
    expect((await failure(mixed.me.get())).code).toBe('unauthorized');
  });

  it('moves on to the next URL when one cannot be reached: reads retried at once, writes left to the caller', async () => {
    const dead = await unusedUrl();
    const client = createClient({ baseUrl: [dead, t.url] });
    expect(client.baseUrl).toBe(dead);
    const username = uniqueName('fo');
    const down = await failure(client.auth.signup({ username, password: PASSWORD }));
    expect(down).toMatchObject({ code: 'unavailable', status: 0, retryable: true });
    expect(client.baseUrl).toBe(t.url);
    await client.auth.signup({ username, password: PASSWORD });

    const reader = createClient({
      baseUrl: [dead, t.url],
      tokens: memoryTokenStore((await client.auth.tokens())!),
    });
    expect((await reader.me.get()).username).toBe(username);
    expect(reader.baseUrl).toBe(t.url);

    const nowhere = createClient({
      baseUrl: [dead],
      tokens: memoryTokenStore((await client.auth.tokens())!),
    });
    expect(await failure(nowhere.rooms.list())).toMatchObject({ code: 'unavailable', status: 0 });
  });

  it('signs out: the server ends the session and the stored tokens are cleared', async () => {
    const ann = await signedUp();
    const tokens = (await ann.auth.tokens())!;
    await ann.auth.logout();
    expect(await ann.auth.tokens()).toBeNull();
    expect((await failure(ann.me.get())).code).toBe('unauthorized');
    const copy = createClient({ baseUrl: t.url, tokens: memoryTokenStore(tokens) });
    expect(await failure(copy.auth.refresh())).toMatchObject({ code: 'unauthorized', status: 401 });
    expect(await copy.auth.tokens()).toBeNull();
  });
});

/** A URL on which nothing listens (a port that was free a moment ago). */
async function unusedUrl(): Promise<string> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}
