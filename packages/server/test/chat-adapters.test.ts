import { Cluster } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { chatRoomName } from '../src/platform/realtime/room-names.js';
import {
  ack,
  closeChatClients,
  connectChat,
  eventually,
  record,
  type ClusterNode,
} from './helpers/cluster.js';
import { clusterNodeList } from './helpers/env.js';
import { roomOfTwo } from './helpers/factories.js';
import { describeWith } from './helpers/services.js';
import { useServer } from './helpers/use-server.js';

/** Sharded Pub/Sub channels subscribed on the cluster's masters matching `pattern`. */
async function channels(raw: Cluster, kind: 'SHARDCHANNELS', pattern: string) {
  const lists = await Promise.all(
    raw.nodes('master').map((n) => n.call('PUBSUB', kind, pattern) as Promise<string[]>),
  );
  return lists.flat();
}

/** Bob (node A) receives what Alice sends on node B; returns the room id. */
async function crossNodeDelivery(a: ClusterNode, b: ClusterNode): Promise<string> {
  const { alice, bob, room } = await roomOfTwo(a);
  const bobOnA = await connectChat(a.url, { token: bob.token });
  const aliceOnB = await connectChat(b.url, { token: alice.token });
  expect((await ack(bobOnA, 'room:join', { roomId: room.id })).error).toBeUndefined();
  const got = record(bobOnA, 'message:new');
  const sent = await ack(aliceOnB, 'message:send', { roomId: room.id, clientMsgId: 'x1', text: 'across' });
  expect(sent.message.seq).toBe('1');
  await eventually(() => got.length === 1);
  expect(got[0]).toEqual(sent.message);
  return room.id;
}

describeWith(['postgres', 'redisCluster'], 'chat: Socket.IO adapters', () => {
  let raw: Cluster;
  beforeAll(() => {
    raw = new Cluster(clusterNodeList());
  });
  afterEach(() => closeChatClients());
  afterAll(() => raw?.disconnect());

  describe('sharded (default on a cluster)', () => {
    const { cluster: c } = useServer({
      label: 'chat_adapter_sharded',
      nodes: 2,
    });

    it('fans out through a sharded Pub/Sub channel per chat room', async () => {
      const [a, b] = c.nodes as [ClusterNode, ClusterNode];
      const roomId = await crossNodeDelivery(a, b);
      const subscribed = await channels(raw, 'SHARDCHANNELS', `socket.io#/chat#${chatRoomName(roomId)}#`);
      expect(subscribed).toEqual([`socket.io#/chat#${chatRoomName(roomId)}#`]);
    });
  });

  describe('classic (SOCKET_ADAPTER=classic)', () => {
    const { cluster: c } = useServer({
      label: 'chat_adapter_classic',
      nodes: 2,
      env: { SOCKET_ADAPTER: 'classic' },
    });

    it('fans out through classic Pub/Sub', async () => {
      const [a, b] = c.nodes as [ClusterNode, ClusterNode];
      const roomId = await crossNodeDelivery(a, b);
      // Classic: one pattern subscription per node (socket.io#/chat#*), no sharded channel per room.
      const patterns = await Promise.all(
        raw.nodes('all').map((n) => n.call('PUBSUB', 'NUMPAT') as Promise<number>),
      );
      expect(patterns.reduce((x, y) => x + y, 0)).toBeGreaterThanOrEqual(2);
      expect(await channels(raw, 'SHARDCHANNELS', `socket.io#/chat#${chatRoomName(roomId)}#`)).toEqual([]);
    });
  });

  describe('in-memory (the embedded default, one node)', () => {
    const { t } = useServer({ label: 'chat_adapter_memory' });

    it('uses Socket.IO’s own adapter and delivers within the node', async () => {
      expect(t.server.store.socketAdapter()).toBeUndefined();
      const node = t as ClusterNode;
      await crossNodeDelivery(node, node);
    });
  });
});
