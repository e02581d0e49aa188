/**
 * With the sharded adapter, a room emptied on a node while its channel's master is down, and used again
 * there right after the replica took over, must stay subscribed on the new master.
 *
 * The interleaving is forced, on a private cluster: the room's last member leaves once the master is killed
 * (its SUNSUBSCRIBE fails and ioredis retries it), the replica takes over at once, and a member joins the
 * room again at the very moment this node's sharded subscriber switches to the new master (its
 * `+subscriber`), so the join's SSUBSCRIBE is asked for while the SUNSUBSCRIBE still waits for its retry.
 * Sent as they come, the SSUBSCRIBE reaches the new master first and the stale SUNSUBSCRIBE then removes
 * the subscription (and ioredis forgets the channel): the room's members on this node would hear nothing
 * from other nodes again. They must reach Redis in the order they were asked for.
 */
import { Redis, type Cluster } from 'ioredis';
import { Server } from 'socket.io';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../src/platform/logger.js';
import { createSharedStore, type SharedStore } from '../src/platform/redis.js';
import { chatRoomName } from '../src/platform/realtime/room-names.js';
import { eventually } from './helpers/cluster.js';
import {
  privateClusterUnavailable,
  startPrivateRedisCluster,
  type PrivateRedisCluster,
} from './helpers/private-redis-cluster.js';
import { ownerOf, type Owner } from './helpers/redis-cluster-inspect.js';

/** The parts of the sharded adapter this test drives: rooms of (made-up) socket ids, and its subscriber. */
interface AdapterView {
  rooms: Map<string, Set<string>>;
  addAll(id: string, rooms: Set<string>): Promise<void> | void;
  del(id: string, room: string): Promise<void> | void;
  subClient: Cluster;
}

const ROOM = chatRoomName('4242');
const CHANNEL = `socket.io#/chat#${ROOM}#`;

const unavailable = privateClusterUnavailable();
const suite = unavailable ? describe.skip : describe;

suite(
  `sharded Pub/Sub: subscription commands of a channel keep their order across a failover${
    unavailable ? ` [skipped: ${unavailable}]` : ''
  }`,
  () => {
    let rc: PrivateRedisCluster;
    let store: SharedStore;
    let io: Server;
    let adapter: AdapterView;
    let owner: Owner;
    const clients: Redis[] = [];
    const connect = async (port: number) => {
      const r = new Redis({ host: '127.0.0.1', port, lazyConnect: true, maxRetriesPerRequest: 1 });
      r.on('error', () => undefined); // the node this test kills answers nothing any more
      clients.push(r);
      await r.connect();
      return r;
    };
    const shardSubscribers = async (r: Redis) =>
      ((await r.call('PUBSUB', 'SHARDNUMSUB', CHANNEL)) as [string, number])[1];

    beforeAll(async () => {
      rc = await startPrivateRedisCluster();
      store = await createSharedStore(
        { kind: 'cluster', nodes: rc.nodes, adapter: 'sharded' },
        { retries: 5, logger: createLogger('silent') },
      );
      io = new Server();
      io.adapter(store.socketAdapter());
      adapter = io.of('/chat').adapter as unknown as AdapterView;
      owner = await ownerOf(await connect(rc.basePort), CHANNEL);
    }, 180_000);

    afterAll(async () => {
      try {
        for (const r of clients) r.disconnect();
        await store?.close();
      } finally {
        await rc?.stop();
      }
    }, 60_000);

    it('a room left while its master is down and joined again as the replica takes over stays subscribed', async () => {
      expect(owner.replicas).toHaveLength(1);
      const replica = await connect(owner.replicas[0]!.port);

      // A member in the room: the node subscribes the channel on its master.
      await adapter.addAll('member-before-00000', new Set([ROOM]));
      expect(await shardSubscribers(await connect(owner.master.port))).toBe(1);

      // What reaches the replica (the new master) for this channel, in order.
      const monitor = await replica.monitor();
      clients.push(monitor);
      const seen: string[] = [];
      monitor.on('monitor', (_time: string, args: string[]) => {
        if (args[1] === CHANNEL) seen.push(String(args[0]).toLowerCase());
      });

      // Re-join at the moment the subscriber group routes the channel's slot to the new master.
      const sub = adapter.subClient;
      const slot = Number(await replica.cluster('KEYSLOT', CHANNEL));
      const newMaster = `127.0.0.1:${owner.replicas[0]!.port}`;
      let joined: Promise<void> | undefined;
      const switched = new Promise<void>((resolve) => {
        const onSubscriber = () => {
          if (sub.slots[slot]?.[0] !== newMaster) return;
          sub.off('+subscriber', onSubscriber);
          joined = Promise.resolve(adapter.addAll('member-after-000000', new Set([ROOM])));
          resolve();
        };
        sub.on('+subscriber', onSubscriber);
      });

      // The master dies; the room's last member leaves (its SUNSUBSCRIBE fails, ioredis retries it); the
      // replica takes over without waiting for the cluster to notice.
      process.kill(rc.pidOf(owner.master.port), 'SIGKILL');
      await adapter.del('member-before-00000', ROOM);
      expect(adapter.rooms.has(ROOM)).toBe(false);
      await replica.cluster('FAILOVER', 'TAKEOVER');

      await switched;
      await joined;
      expect(adapter.rooms.has(ROOM)).toBe(true);
      // Both the leave's SUNSUBSCRIBE and the join's SSUBSCRIBE reached the new master...
      await eventually(() => seen.includes('sunsubscribe') && seen.includes('ssubscribe'), 20_000);
      // ...and the node subscribes the channel there: the leave's came first.
      expect(await shardSubscribers(replica), `commands seen: ${seen.join(', ')}`).toBe(1);
      expect(seen.lastIndexOf('sunsubscribe')).toBeLessThan(seen.indexOf('ssubscribe'));
    });
  },
);
