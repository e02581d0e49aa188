/**
 * Sends through the server API and the per-user rate limit: a member spoken for by the backend is held to
 * their own limit like any user; the site's system sender, the backend's own voice, is not.
 */
import { beforeAll, expect, it } from 'vitest';
import { newAdmin, newSite } from './helpers/factories.js';
import { describeWith } from './helpers/services.js';
import { useServer } from './helpers/use-server.js';

describeWith(['postgres'], 'server api: send rate limits', () => {
  const { t, http } = useServer({
    label: 'server_api_limits',
    env: { MESSAGE_RATE_LIMIT: '3', MESSAGE_RATE_WINDOW: '60s' },
  });
  let headers: Record<string, string>;
  let roomId: string;

  beforeAll(async () => {
    const { site } = await newSite(t);
    const admin = await newAdmin(t, { site });
    const { key } = (await http.post('/v1/site/api-keys', { headers: admin.headers, body: { name: 'b' } }))
      .body;
    headers = { authorization: `Bearer ${key}`, 'x-synctalk-site': site.publicId };
    await http.put('/v1/server/users/talker', { headers, body: {} });
    const room = await http.post('/v1/server/rooms', {
      headers,
      body: { title: 'Limits', visibility: 'public', members: [{ externalId: 'talker' }] },
    });
    roomId = room.body.id;
  });

  it('limits a member sent for, not the system sender', async () => {
    const send = (body: object) => http.post(`/v1/server/rooms/${roomId}/messages`, { headers, body });
    const asMember = [];
    for (let i = 0; i < 4; i += 1)
      asMember.push((await send({ text: `m${i}`, asExternalId: 'talker' })).status);
    expect(asMember).toEqual([201, 201, 201, 429]);
    const asSystem = [];
    for (let i = 0; i < 6; i += 1) asSystem.push((await send({ text: `s${i}` })).status);
    expect(asSystem).toEqual([201, 201, 201, 201, 201, 201]);
  });
});
