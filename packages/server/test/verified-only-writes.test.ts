/**
 * A verified-only site (`settings.verifiedOnly`) accepts every chat write only from users someone vouches for:
 * send, edit, delete, reactions added and removed, creating and joining rooms, over REST and the socket, and
 * from the moment the switch is turned on, also on connections opened before. Password users who were
 * members before the switch keep reading (history, `room:join`, read markers). Site-token users write as usual.
 */
import { randomUUID } from 'node:crypto';
import { createUserToken } from '@synctalk/sdk/server';
import { afterEach, expect, it } from 'vitest';
import type { Site } from '../src/sites/sites.repository.js';
import { ack, closeChatClients, connectChat, type ChatClient } from './helpers/cluster.js';
import { newSite, newUser, type TestUser } from './helpers/factories.js';
import { describeWith } from './helpers/services.js';
import { useServer } from './helpers/use-server.js';

const REFUSED = { code: 'forbidden', message: 'This site only lets verified users chat' };

describeWith(['postgres'], 'Verified-only sites refuse every write of unverified users', () => {
  const { t, http } = useServer({ label: 'verified_only_writes' });

  afterEach(() => closeChatClients());

  interface Setup {
    site: Site;
    headers: Record<string, string>;
    /** A site-token user (kind `site`), owner of `roomId`. */
    verified: { token: string; id: string };
    /** A password user who joined and wrote before the switch. */
    password: TestUser;
    roomId: string;
    otherRoom: { id: string; code: string };
    verifiedMessageId: string;
    passwordMessageId: string;
    /** Opened by the password user before the switch. */
    earlySocket: ChatClient;
  }

  const send = (roomId: string, token: string, headers: Record<string, string>, text = 'hello') =>
    http.post(`/v1/rooms/${roomId}/messages`, { headers, token, body: { clientMsgId: randomUUID(), text } });

  /** A site with both kinds of users in a room, then `verifiedOnly` switched on. */
  async function setup(): Promise<Setup> {
    const { site, secret } = await newSite(t, { settings: { verifiedOnly: false } });
    const headers = { 'x-synctalk-site': site.publicId };
    const signedIn = await http.post('/v1/auth/site-token', {
      headers,
      body: {
        token: createUserToken({ siteId: site.publicId, siteSecret: secret, userId: `v-${randomUUID()}` }),
      },
    });
    expect(signedIn.status).toBe(200);
    const verified = { token: signedIn.body.accessToken as string, id: signedIn.body.user.id as string };
    const create = (visibility: string) =>
      http.post('/v1/rooms', { headers, token: verified.token, body: { title: 'Verified', visibility } });
    const roomId = (await create('public')).body.id as string;
    const otherRoom = (await create('private')).body;
    await create('public');

    const password = await newUser(t, { site });
    expect((await http.post(`/v1/rooms/${roomId}/join`, { headers: password.headers })).status).toBe(200);
    const verifiedMessageId = (await send(roomId, verified.token, headers)).body.message.id as string;
    const passwordMessageId = (await send(roomId, password.token, headers)).body.message.id as string;
    const reacted = await http.post(`/v1/rooms/${roomId}/messages/${verifiedMessageId}/reactions`, {
      headers: password.headers,
      body: { emoji: 'thumbsup' },
    });
    expect(reacted.status).toBe(200);
    const earlySocket = await connectChat(t.url, { token: password.token, site: site.publicId });

    await t.server.deps.sites.repo.update(site.id, { settings: { verifiedOnly: true } });
    return {
      site,
      headers,
      verified,
      password,
      roomId,
      otherRoom,
      verifiedMessageId,
      passwordMessageId,
      earlySocket,
    };
  }

  it('refuses each REST write of a password user with 403', async () => {
    const s = await setup();
    const p = s.password.headers;
    const message = (id: string) => `/v1/rooms/${s.roomId}/messages/${id}`;
    const attempts = {
      send: await send(s.roomId, s.password.token, s.headers),
      edit: await http.patch(message(s.passwordMessageId), { headers: p, body: { text: 'changed' } }),
      delete: await http.delete(message(s.passwordMessageId), { headers: p }),
      reactAdd: await http.post(`${message(s.verifiedMessageId)}/reactions`, {
        headers: p,
        body: { emoji: 'heart' },
      }),
      reactRemove: await http.delete(`${message(s.verifiedMessageId)}/reactions/thumbsup`, { headers: p }),
      createRoom: await http.post('/v1/rooms', { headers: p, body: { title: 'Mine', visibility: 'public' } }),
      joinById: await http.post(`/v1/rooms/${s.otherRoom.id}/join`, { headers: p }),
      joinByCode: await http.post('/v1/rooms/join', { headers: p, body: { code: s.otherRoom.code } }),
    };
    for (const [name, res] of Object.entries(attempts)) {
      expect({ name, status: res.status, error: res.body.error }).toEqual({
        name,
        status: 403,
        error: REFUSED,
      });
    }
    // Nothing changed.
    const history = await http.get(`/v1/rooms/${s.roomId}/messages`, { headers: p });
    expect(history.status).toBe(200);
    expect(
      history.body.messages.map((m: { text: string; deletedAt: string | null }) => [m.text, m.deletedAt]),
    ).toEqual([
      ['hello', null],
      ['hello', null],
    ]);
    expect(history.body.messages[0].reactions).toEqual([{ emoji: 'thumbsup', count: 1, me: true }]);
    // Reading stays allowed, the read marker included.
    const read = await http.post(`/v1/rooms/${s.roomId}/read`, { headers: p, body: { seq: '2' } });
    expect(read.status).toBe(200);
  });

  it('refuses each socket write, on a connection opened before the switch and on a new one', async () => {
    const s = await setup();
    const lateSocket = await connectChat(t.url, { token: s.password.token, site: s.site.publicId });
    for (const socket of [s.earlySocket, lateSocket]) {
      // Subscribing (reading) stays allowed.
      expect((await ack(socket, 'room:join', { roomId: s.roomId })).error).toBeUndefined();
      const acks = {
        send: await ack(socket, 'message:send', { roomId: s.roomId, clientMsgId: randomUUID(), text: 'x' }),
        edit: await ack(socket, 'message:edit', {
          roomId: s.roomId,
          messageId: s.passwordMessageId,
          text: 'y',
        }),
        delete: await ack(socket, 'message:delete', { roomId: s.roomId, messageId: s.passwordMessageId }),
        reactAdd: await ack(socket, 'reaction:add', {
          roomId: s.roomId,
          messageId: s.verifiedMessageId,
          emoji: 'heart',
        }),
        reactRemove: await ack(socket, 'reaction:remove', {
          roomId: s.roomId,
          messageId: s.verifiedMessageId,
          emoji: 'thumbsup',
        }),
        typing: await ack(socket, 'typing:start', { roomId: s.roomId }),
      };
      for (const [name, res] of Object.entries(acks))
        expect({ name, res }).toEqual({ name, res: { error: REFUSED } });
    }
  });

  it('lets a site-token user do every write, over REST and the socket', async () => {
    const s = await setup();
    const v = { headers: s.headers, token: s.verified.token };
    const message = (id: string) => `/v1/rooms/${s.roomId}/messages/${id}`;
    const sent = await send(s.roomId, s.verified.token, s.headers, 'verified');
    expect(sent.status).toBe(201);
    const id = sent.body.message.id as string;
    expect((await http.patch(message(id), { ...v, body: { text: 'edited' } })).status).toBe(200);
    expect((await http.post(`${message(id)}/reactions`, { ...v, body: { emoji: 'heart' } })).status).toBe(
      200,
    );
    expect((await http.delete(`${message(id)}/reactions/heart`, v)).status).toBe(200);
    expect((await http.delete(message(id), v)).status).toBe(200);
    expect(
      (await http.post('/v1/rooms', { ...v, body: { title: 'More', visibility: 'public' } })).status,
    ).toBe(201);

    const socket = await connectChat(t.url, { token: s.verified.token, site: s.site.publicId });
    expect((await ack(socket, 'room:join', { roomId: s.roomId })).error).toBeUndefined();
    const viaSocket = await ack(socket, 'message:send', {
      roomId: s.roomId,
      clientMsgId: randomUUID(),
      text: 'a',
    });
    expect(viaSocket.error).toBeUndefined();
    const mid = viaSocket.message.id as string;
    const ref = { roomId: s.roomId, messageId: mid };
    expect((await ack(socket, 'message:edit', { ...ref, text: 'b' })).error).toBeUndefined();
    expect((await ack(socket, 'reaction:add', { ...ref, emoji: 'heart' })).error).toBeUndefined();
    expect((await ack(socket, 'reaction:remove', { ...ref, emoji: 'heart' })).error).toBeUndefined();
    expect((await ack(socket, 'message:delete', ref)).error).toBeUndefined();
    expect(await ack(socket, 'typing:start', { roomId: s.roomId })).toEqual({ ok: true });
    // Moderation is not chat: the verified owner may still remove the password user's message.
    expect((await http.delete(message(s.passwordMessageId), v)).status).toBe(200);
  });
});
