/**
 * With the sharded adapter, a room's broadcasts reach a node through its Redis channel, which the node
 * subscribes to when the room first appears there. `room:join` must answer only once that subscription is
 * confirmed: a client that has its answer may rely on every later broadcast (the next member's presence, the
 * next message) reaching it. The test holds the shard that owns the room's channel (CLIENT PAUSE) while a
 * member joins: the answer must wait for the shard, although nothing else the join does needs it. It runs
 * with the failover tests, one file at a time: holding a shard would stall other files sharing the cluster.
 */
import { Redis } from 'ioredis';
import { afterEach, expect, it } from 'vitest';
import { chatRoomName } from '../src/platform/realtime/room-names.js';
import { ack, closeChatClients, connectChat } from './helpers/cluster.js';
import { clusterNodeList } from './helpers/env.js';
import { defaultSite, newRoom, newUser } from './helpers/factories.js';
import { describeWith } from './helpers/services.js';
import { useServer } from './helpers/use-server.js';

const PAUSE_MS = 1500;

describeWith(['postgres', 'redisCluster'], 'chat: a join answers once its room channel is subscribed', () => {
  const { nodes } = useServer({ label: 'chat_join_subscription', nodes: 1 });
  const [a] = nodes;
  const admin: Redis[] = [];

  afterEach(async () => {
    closeChatClients();
    for (const r of admin.splice(0)) r.disconnect();
  });

  /** The `host:port` of the master that owns `key`'s slot. */
  async function masterOf(key: string): Promise<string> {
    const { host, port } = clusterNodeList()[0]!;
    const any = new Redis({ host, port, lazyConnect: true });
    admin.push(any);
    await any.connect();
    const slot = (await any.call('CLUSTER', 'KEYSLOT', key)) as number;
    const ranges = (await any.call('CLUSTER', 'SLOTS')) as [number, number, [string, number]][];
    const owner = ranges.find(([from, to]) => slot >= from && slot <= to)!;
    return `${owner[2][0]}:${owner[2][1]}`;
  }

  it('holds the answer to room:join until the shard of the room channel confirmed the subscription', async () => {
    const owner = await newUser(a);
    const site = await defaultSite(a);
    // A room whose channel lives on another shard than its presence set, so that only the subscription
    // depends on the shard that is held.
    let room = await newRoom(a, owner);
    let channelMaster = '';
    for (let tries = 0; tries < 30; tries += 1) {
      channelMaster = await masterOf(`socket.io#/chat#${chatRoomName(room.id)}#`);
      const presenceMaster = await masterOf(`presence:${site.publicId}:room:${room.id}`);
      if (channelMaster !== presenceMaster) break;
      room = await newRoom(a, owner);
    }
    const socket = await connectChat(a.url, { token: owner.token });

    const [host, port] = channelMaster.split(':');
    const shard = new Redis({ host: host!, port: Number(port) });
    admin.push(shard);
    await shard.call('CLIENT', 'PAUSE', String(PAUSE_MS), 'ALL');
    const pausedAt = Date.now();
    let answered = false;
    const answer = ack(socket, 'room:join', { roomId: room.id }).then((res) => {
      answered = true;
      return res;
    });
    // Well inside the pause: a join that did not wait for the subscription has answered by now.
    await new Promise((resolve) => setTimeout(resolve, PAUSE_MS / 2));
    const answeredDuringPause = answered && Date.now() - pausedAt < PAUSE_MS;
    expect(answeredDuringPause).toBe(false);
    const res = await answer;
    expect(res.error).toBeUndefined();
    expect(res.room).toMatchObject({ id: room.id });
  });
});
