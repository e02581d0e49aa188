/**
 * The demo Lobby is created once when several nodes start together on a new database, and once when many
 * start-ups race on a site with no public room (each decides under the site's row lock).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { usersRepository } from '../src/auth/users.repository.js';
import { roomsService } from '../src/rooms/rooms.service.js';
import { ensureDemoLobby } from '../src/widget/demo-lobby.js';
import { createTestDatabase, type TestDatabase } from './helpers/database.js';
import { defaultSite } from './helpers/factories.js';
import { describeWith } from './helpers/services.js';
import { startTestServer, type TestServer } from './helpers/server.js';

const NODES = 4;

describeWith(['postgres'], 'the demo Lobby under concurrent start-ups', () => {
  let db: TestDatabase;
  let nodes: TestServer[] = [];

  beforeAll(async () => {
    db = await createTestDatabase('demo_lobby_concurrent');
    nodes = await Promise.all(
      Array.from({ length: NODES }, () =>
        startTestServer({ databaseUrl: db.url, env: { DEMO_PAGE: 'true' } }),
      ),
    );
  });
  afterAll(async () => {
    await Promise.all(nodes.map((n) => n.close()));
    await db?.drop();
  });

  const lobbies = async () => {
    const site = await defaultSite(nodes[0]!);
    return nodes[0]!.server.db('rooms').where({ site_id: site.id, title: 'Lobby' }).whereNull('deleted_at');
  };

  it(`creates one Lobby when ${NODES} nodes start at once on a new database`, async () => {
    expect(await lobbies()).toHaveLength(1);
    expect((await defaultSite(nodes[0]!)).publicRoomCount).toBe(1);
    const [users] = await nodes[0]!.server
      .db('users')
      .where({ external_id: 'synctalk-demo' })
      .count<{ count: string }[]>({ count: '*' });
    expect(Number(users!.count)).toBe(1);
  });

  it('creates one Lobby when many start-ups race on a site whose last public room is gone', async () => {
    const t = nodes[0]!;
    const [lobby] = await lobbies();
    // Its owner deletes it, through the rooms service (which keeps the public count exact).
    const owner = (await usersRepository(t.server.db).findById(
      String(lobby.site_id),
      String(lobby.owner_id),
    ))!;
    await roomsService(t.server.deps).remove(
      { id: owner.id, siteId: owner.siteId, roles: owner.roles, kind: owner.kind, exp: 0 },
      String(lobby.id),
    );
    // Every racer saw "no public room" before any of them decided.
    const stale = await defaultSite(t);
    expect(stale.publicRoomCount).toBe(0);
    const created = await Promise.all(
      nodes.flatMap((n) => [ensureDemoLobby(n.server.deps, stale), ensureDemoLobby(n.server.deps, stale)]),
    );
    expect(created.filter(Boolean)).toHaveLength(1);
    expect(await lobbies()).toHaveLength(1);
    expect((await defaultSite(t)).publicRoomCount).toBe(1);
  });
});
