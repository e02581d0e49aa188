/**
 * With the demo on, the default site gets a public "Lobby" at start-up when it has no public room, owned by
 * the site-kind system user `synctalk-demo` ("SyncTalk"); restarts do not add another, and a site that already
 * has a public room gets none.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { identitiesRepository } from '../src/auth/identities.repository.js';
import { usersRepository } from '../src/auth/users.repository.js';
import { createTestDatabase, type TestDatabase } from './helpers/database.js';
import { defaultSite, newRoom, newUser } from './helpers/factories.js';
import { client } from './helpers/http.js';
import { describeWith } from './helpers/services.js';
import { startTestServer, type TestServer } from './helpers/server.js';

const DEMO = { DEMO_PAGE: 'true' };

describeWith(['postgres'], 'the demo Lobby', () => {
  describe('on a new installation', () => {
    let db: TestDatabase;
    let t: TestServer;

    beforeAll(async () => {
      db = await createTestDatabase('demo_lobby');
      t = await startTestServer({ databaseUrl: db.url, env: DEMO });
    });
    afterAll(async () => {
      await t?.close();
      await db?.drop();
    });

    it('is the one public room, owned by the SyncTalk system user, and anyone can join and chat in it', async () => {
      const site = await defaultSite(t);
      expect(site.publicRoomCount).toBe(1);
      const alice = await newUser(t);
      const directory = await client(t.url).get('/v1/rooms', { token: alice.token });
      expect(directory.status).toBe(200);
      expect(directory.body.items).toHaveLength(1);
      const lobby = directory.body.items[0];
      expect(lobby).toMatchObject({ title: 'Lobby', visibility: 'public', memberCount: 1 });

      const owner = await usersRepository(t.server.db).findById(site.id, lobby.ownerId);
      expect(owner).toMatchObject({ kind: 'site', externalId: 'synctalk-demo', displayName: 'SyncTalk' });

      const joined = await client(t.url).post(`/v1/rooms/${lobby.id}/join`, { token: alice.token });
      expect(joined.status).toBe(200);
      expect(joined.body).toMatchObject({ id: lobby.id, role: 'member', memberCount: 2 });
    });

    it('is not created again on restart, even if the system user was renamed', async () => {
      const site = await defaultSite(t);
      const system = await identitiesRepository(t.server.db).upsertSiteUser({
        siteId: site.id,
        externalId: 'synctalk-demo',
        fallbackName: 'unused',
        displayName: 'Renamed by an admin',
      });
      expect(system.created).toBe(false);
      await t.close();
      t = await startTestServer({ databaseUrl: db.url, env: DEMO });
      const after = await defaultSite(t);
      expect(after.publicRoomCount).toBe(1);
      const rooms = await t.server.db('rooms').where({ site_id: site.id, title: 'Lobby' });
      expect(rooms).toHaveLength(1);
      const owner = await usersRepository(t.server.db).findById(site.id, system.user.id);
      expect(owner?.displayName).toBe('Renamed by an admin');
    });
  });

  describe('on a site that already has a public room', () => {
    let db: TestDatabase;
    let t: TestServer;

    beforeAll(async () => {
      db = await createTestDatabase('demo_lobby_existing');
    });
    afterAll(async () => {
      await t?.close();
      await db?.drop();
    });

    it('adds nothing', async () => {
      t = await startTestServer({ databaseUrl: db.url });
      const owner = await newUser(t);
      const general = await newRoom(t, owner, { title: 'General', visibility: 'public' });
      await t.close();
      t = await startTestServer({ databaseUrl: db.url, env: DEMO });
      const site = await defaultSite(t);
      expect(site.publicRoomCount).toBe(1);
      const rooms = await t.server.db('rooms').where({ site_id: site.id });
      expect(rooms.map((r: { id: string }) => String(r.id))).toEqual([general.id]);
    });
  });
});
