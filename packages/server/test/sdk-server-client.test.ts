/**
 * `createServerClient` (`@synctalk/sdk/server`) against a real server: every server API method with its
 * types, errors as `SyncTalkError`, and a session it mints working in the browser client.
 */
import { beforeAll, expect, it } from 'vitest';
import { createClient } from '@synctalk/sdk';
import { createServerClient, type ServerClient } from '@synctalk/sdk/server';
import { newAdmin, newSite } from './helpers/factories.js';
import { failure } from './helpers/sdk.js';
import { describeWith } from './helpers/services.js';
import { useServer } from './helpers/use-server.js';
import type { Site } from '../src/sites/sites.repository.js';

describeWith(['postgres'], 'sdk: createServerClient', () => {
  const { t, http } = useServer({ label: 'sdk_server_client' });
  let site: Site;
  let apiKey: string;
  let server: ServerClient;

  beforeAll(async () => {
    site = (await newSite(t)).site;
    const admin = await newAdmin(t, { site });
    apiKey = (await http.post('/v1/site/api-keys', { headers: admin.headers, body: { name: 'sdk' } })).body
      .key;
    server = createServerClient({ baseUrl: `${t.url}/`, site: site.publicId, apiKey });
  });

  it('upserts and reads users, and mints sessions the browser client can use', async () => {
    const created = await server.users.upsert('sdk-user/1', { displayName: 'Ann' });
    expect(created).toMatchObject({ created: true, user: { externalId: 'sdk-user/1', displayName: 'Ann' } });
    expect((await server.users.upsert('sdk-user/1')).created).toBe(false);
    expect(await server.users.get('sdk-user/1')).toEqual(created.user);

    const session = await server.users.createToken('sdk-user/1');
    expect(session.user.id).toBe(created.user.id);
    const browser = createClient({ baseUrl: t.url, site: site.publicId });
    await browser.auth.setSession(session);
    expect((await browser.me.get()).id).toBe(created.user.id);
  });

  it('creates, updates and deletes rooms, sets members, sends and reads messages', async () => {
    await server.users.upsert('sdk-member', { displayName: 'Bo' });
    const room = await server.rooms.create({ title: 'SDK room', visibility: 'private' });
    expect(room).toMatchObject({ title: 'SDK room', memberCount: 1 });
    const member = await server.members.set(room.id, 'sdk-member');
    expect(member).toMatchObject({ role: 'member', user: { displayName: 'Bo' } });
    expect((await server.members.set(room.id, 'sdk-member', 'moderator')).role).toBe('moderator');

    const system = await server.messages.send(room.id, { text: 'Hello', clientMsgId: 'sdk-hello' });
    expect(system).toMatchObject({ text: 'Hello', author: { displayName: 'System' } });
    const again = await server.messages.send(room.id, { text: 'Hello', clientMsgId: 'sdk-hello' });
    expect(again.id).toBe(system.id);
    const reply = await server.messages.send(room.id, { text: 'Hi', asExternalId: 'sdk-member' });
    expect(reply.author.displayName).toBe('Bo');
    const page = await server.messages.history(room.id, { limit: 1 });
    expect(page).toMatchObject({ hasMore: true, messages: [{ id: reply.id }] });
    const before = await server.messages.history(room.id, { before: reply.seq });
    expect(before.messages.map((m) => m.id)).toEqual([system.id]);

    await server.members.remove(room.id, 'sdk-member');
    // No longer a member of this private room: as for the user API, the room is not there for them.
    const removed = await failure(server.messages.send(room.id, { text: 'x', asExternalId: 'sdk-member' }));
    expect(removed.code).toBe('not_found');
    const renamed = await server.rooms.update(room.id, { title: 'Renamed' });
    expect(renamed.title).toBe('Renamed');
    await expect(server.rooms.delete(room.id)).resolves.toBeUndefined();
    const gone = await failure(server.messages.history(room.id));
    expect(gone).toMatchObject({ code: 'not_found', status: 404 });
  });

  it('throws SyncTalkError for refused keys, validation and unknown users', async () => {
    const wrongKey = createServerClient({ baseUrl: t.url, site: site.publicId, apiKey: 'stk_nope' });
    expect(await failure(wrongKey.users.get('x'))).toMatchObject({ code: 'unauthorized', status: 401 });
    const otherSite = (await newSite(t)).site;
    const mismatch = createServerClient({ baseUrl: t.url, site: otherSite.publicId, apiKey });
    expect((await failure(mismatch.users.get('x'))).code).toBe('unauthorized');
    expect((await failure(server.users.get('nobody'))).code).toBe('not_found');
    const invalid = await failure(server.rooms.create({ title: '', visibility: 'public' }));
    expect(invalid).toMatchObject({ code: 'validation_failed', status: 400 });
  });

  it('reports an unreachable server as unavailable', async () => {
    const down = createServerClient({ baseUrl: 'http://127.0.0.1:9', site: site.publicId, apiKey });
    const error = await failure(down.users.get('x'));
    expect(error).toMatchObject({ code: 'unavailable', status: 0, retryable: true });
  });
});
