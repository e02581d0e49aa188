/**
 * `connect({ resume: true })`: the SDK keeps each room's last delivered seq in the client's storage, so a join
 * without `lastSeq` on a later connection (a reload: a new client on the same storage) delivers only what came
 * after. Without a storage, resume is refused with a clear error.
 */
import {
  createClient,
  memoryStorage,
  type Connection,
  type Message,
  type SyncTalkClient,
} from '@synctalk/sdk';
import { afterAll, expect, it } from 'vitest';
import { eventually } from './helpers/cluster.js';
import { uniqueName } from './helpers/factories.js';
import { describeWith } from './helpers/services.js';
import { useServer } from './helpers/use-server.js';

describeWith(['postgres'], 'sdk: remembered room positions', () => {
  const { t } = useServer({ label: 'sdk_resume', env: { MESSAGE_RATE_LIMIT: '1000' } });
  const connections: Connection[] = [];
  afterAll(() => {
    for (const chat of connections) chat.close();
  });

  const password = 'correct horse battery';
  const connect = async (client: SyncTalkClient) => {
    const chat = await client.connect({ resume: true });
    connections.push(chat);
    const delivered: Message[] = [];
    chat.on('message:new', (m) => delivered.push(m));
    return { chat, delivered, texts: () => delivered.map((m) => m.text) };
  };

  it('resumes each room where the previous page left it', async () => {
    const owner = createClient({ baseUrl: t.url });
    await owner.auth.signup({ username: uniqueName('rs'), password });
    const one = await owner.rooms.create({ title: 'One', visibility: 'public' });
    const two = await owner.rooms.create({ title: 'Two', visibility: 'public' });
    const username = uniqueName('rs');
    const storage = memoryStorage();
    const page = createClient({ baseUrl: t.url, storage });
    await page.auth.signup({ username, password });
    for (const room of [one, two]) await page.rooms.join(room.id);
    await owner.messages.send(one.id, 'a1');
    await owner.messages.send(two.id, 'b1');

    const first = await connect(page);
    for (const room of [one, two]) await first.chat.joinRoom(room.id);
    await first.chat.send(one.id, 'a2');
    await owner.messages.send(two.id, 'b2');
    await eventually(() => first.delivered.length === 4);
    expect(first.texts().sort()).toEqual(['a1', 'a2', 'b1', 'b2']);
    first.chat.close();

    await owner.messages.send(one.id, 'a3');
    await owner.messages.send(two.id, 'b3');
    await owner.messages.send(two.id, 'b4');

    // A reload: a new client on the same storage, the same user signing in again.
    const reloaded = createClient({ baseUrl: t.url, storage });
    await reloaded.auth.login({ username, password });
    const second = await connect(reloaded);
    const joined = await second.chat.joinRoom(two.id);
    expect(joined.lastSeq).toBe('4');
    expect(second.texts()).toEqual(['b3', 'b4']);
    await second.chat.joinRoom(one.id);
    expect(second.texts()).toEqual(['b3', 'b4', 'a3']);
    // An explicit lastSeq still wins.
    await second.chat.leaveRoom(two.id);
    await second.chat.joinRoom(two.id, { lastSeq: '1' });
    expect(second.texts()).toEqual(['b3', 'b4', 'a3', 'b2', 'b3', 'b4']);

    // Another user on the same storage has no positions of their own: the latest page.
    const other = createClient({ baseUrl: t.url, storage });
    await other.auth.signup({ username: uniqueName('rs'), password });
    await other.rooms.join(two.id);
    const third = await connect(other);
    await third.chat.joinRoom(two.id);
    expect(third.texts()).toEqual(['b1', 'b2', 'b3', 'b4']);
  });

  it('refuses resume without a storage', async () => {
    const client = createClient({ baseUrl: t.url });
    await client.auth.signup({ username: uniqueName('rs'), password });
    await expect(client.connect({ resume: true })).rejects.toThrow(/needs a storage/);
  });
});
