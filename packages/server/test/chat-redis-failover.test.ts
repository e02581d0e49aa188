/**
 * Killing a Redis master in the middle of a send loop, on a private 6-node cluster per adapter (the shared
 * one on 7001-7006 is in use by other files at the same time and must never be broken).
 *
 * The master killed holds the sender's rate-limit counter and a second room's presence set (and, with the
 * sharded adapter, the room's Pub/Sub channel; with the classic one, a node's pattern subscription when a
 * master has one). What must hold: every acknowledged message is in the REST history, seqs have no gaps,
 * a send or join refused during the failover says `unavailable` (retryable) and succeeds when retried (a
 * send with the same clientMsgId is stored once), no send hangs, nothing rejects unhandled (that would end
 * a production process), and the members on the other node receive again once the replica is promoted,
 * including a room first joined on that node while the master was down.
 */
import { errorCodes, type ErrorBody, type Message, type Room } from '@synctalk/sdk';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Site } from '../src/sites/sites.repository.js';
import { chatRoomName } from '../src/platform/realtime/room-names.js';
import { connectChat, eventually, record, type ChatClient } from './helpers/cluster.js';
import { defaultSite, joinRoom, newRoom, newUser, type TestUser } from './helpers/factories.js';
import { client } from './helpers/http.js';
import {
  privateClusterUnavailable,
  startPrivateRedisCluster,
  type PrivateRedisCluster,
} from './helpers/private-redis-cluster.js';
import { describeWith } from './helpers/services.js';
import { useServer } from './helpers/use-server.js';
import { ownerOf, parseNodes, promoted, replicasOf, type Owner } from './helpers/redis-cluster-inspect.js';

/** No send may take longer than this to be answered, failover or not. */
const ACK_TIMEOUT_MS = 15_000;
const WARM_UP = 20;
const AFTER_FAILOVER = 30;

type Outcome = { ok: Message } | { error: ErrorBody['error'] } | { timeout: true };

interface SendRecord {
  clientMsgId: string;
  text: string;
  phase: 'before' | 'during' | 'after';
  ms: number;
  outcome: Outcome;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function send(socket: ChatClient, roomId: string, clientMsgId: string, text: string) {
  const started = performance.now();
  let outcome: Outcome;
  try {
    const res = await socket
      .timeout(ACK_TIMEOUT_MS)
      .emitWithAck('message:send', { roomId, clientMsgId, text });
    outcome = 'error' in res ? { error: res.error } : { ok: res.message };
  } catch {
    outcome = { timeout: true };
  }
  return { outcome, ms: Math.round(performance.now() - started) };
}

/** The whole history of a room through REST, oldest first. */
async function fullHistory(url: string, user: TestUser, roomId: string): Promise<Message[]> {
  const http = client(url);
  const all: Message[] = [];
  let after = '0';
  for (let page = 0; page < 100; page += 1) {
    const res = await http.get(`/v1/rooms/${roomId}/messages?after=${after}&limit=100`, {
      headers: user.headers,
    });
    expect(res.status).toBe(200);
    all.push(...(res.body.messages as Message[]));
    if (!res.body.hasMore) return all;
    after = all[all.length - 1]!.seq;
  }
  throw new Error('history did not end');
}

/** Makes users (or rooms) with `make` until `fits` accepts one; a few dozen tries find any master. */
async function findOne<T>(make: () => Promise<T>, fits: (x: T) => Promise<boolean>, what: string) {
  for (let i = 0; i < 80; i += 1) {
    const candidate = await make();
    if (await fits(candidate)) return candidate;
  }
  throw new Error(`no ${what} after 80 tries`);
}

function failoverSuite(adapter: 'sharded' | 'classic') {
  describeWith(['postgres'], `chat: killing a Redis master during a send loop (${adapter} adapter)`, () => {
    let rc: PrivateRedisCluster;
    const redisClients: Redis[] = [];
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    const connect = async (port: number) => {
      const r = new Redis({ host: '127.0.0.1', port, lazyConnect: true, maxRetriesPerRequest: 1 });
      r.on('error', () => undefined); // the node this test kills answers nothing any more
      redisClients.push(r);
      await r.connect();
      return r;
    };

    // Registered first so that it stops last, after the servers and the Redis clients.
    beforeAll(async () => {
      process.on('unhandledRejection', onUnhandled);
      rc = await startPrivateRedisCluster();
    }, 180_000);
    afterAll(async () => {
      try {
        await rc?.stop();
      } finally {
        process.off('unhandledRejection', onUnhandled);
      }
    }, 60_000);
    const [a, b] = useServer({
      label: `chat_failover_${adapter}`,
      nodes: 2,
      // The limit is high so that only Redis can refuse a send.
      // The send loop and the join/leave flapping run unpaced: no rate limit may refuse them here.
      env: () => ({
        REDIS_CLUSTER_NODES: rc.nodesEnv,
        SOCKET_ADAPTER: adapter,
        MESSAGE_RATE_LIMIT: '10000',
        SOCKET_EVENT_RATE: '10000',
        SOCKET_EVENT_BURST: '10000',
      }),
    }).nodes;
    afterAll(() => {
      for (const r of redisClients) r.disconnect();
    });

    /**
     * One phase of the scenario, run in order with the state the earlier ones left. Once a phase fails the
     * later ones are skipped, naming it: their failures would only be consequences.
     */
    let failedStep: string | undefined;
    const step = (name: string, fn: () => Promise<void>) =>
      it(
        name,
        async (ctx) => {
          if (failedStep !== undefined) ctx.skip(`an earlier step failed: ${failedStep}`);
          try {
            await fn();
          } catch (error) {
            failedStep = name;
            throw error;
          }
        },
        150_000,
      );

    // The state the steps share, in the order they set it.
    let site: Site;
    let probe: Redis;
    let room: Room;
    let channel: string;
    let target: Owner;
    let alice: TestUser;
    let bob: TestUser;
    let room2: Room;
    let carol: TestUser;
    let room3: Room;
    let dave: TestUser;
    let aliceOnA: ChatClient;
    let bobOnB: ChatClient;
    let carolOnB: ChatClient;
    let daveOnB: ChatClient;
    let bobGot: Message[];
    let carolGot: Message[];
    let daveGot: Message[];
    const records: SendRecord[] = [];
    let n = 0;
    const sendNext = async (phase: SendRecord['phase']) => {
      n += 1;
      const clientMsgId = `loop-${n}`;
      const text = `message ${n} (${phase})`;
      const { outcome, ms } = await send(aliceOnA, room.id, clientMsgId, text);
      const r: SendRecord = { clientMsgId, text, phase, ms, outcome };
      records.push(r);
      return r;
    };
    const shardSubscribers = async (r: Redis) =>
      ((await r.call('PUBSUB', 'SHARDNUMSUB', channel)) as [string, number])[1];
    let survivorPorts: number[];
    let survivors: Redis[];
    let promotedAfterMs = 0;
    const carolJoins: string[] = [];
    let churned: boolean[];
    let daveCycles: number;
    let refused: SendRecord[];
    const acked = new Map<string, Message>();

    step('picks the master to kill, and users and rooms whose keys live on it', async () => {
      site = await defaultSite(a);
      probe = await connect(rc.basePort);
      const owner = await newUser(a);
      room = await newRoom(a, owner);
      channel = `socket.io#/chat#${chatRoomName(room.id)}#`;

      // The master to kill. Sharded: the one serving the room's channel. Classic: one holding a pattern
      // subscription of a server node, if any master does (ioredis picks a random node for it).
      target = await ownerOf(probe, channel);
      if (adapter === 'classic') {
        for (const n of parseNodes(String(await probe.cluster('NODES')))) {
          if (!n.master || n.failed) continue;
          const clients = String(await (await connect(n.port)).call('CLIENT', 'LIST', 'TYPE', 'pubsub'));
          if (clients.includes('psub=1')) {
            target = { master: n, replicas: await replicasOf(probe, n) };
            break;
          }
        }
      }
      expect(target.replicas).toHaveLength(1);
      const onTarget = async (key: string) => (await ownerOf(probe, key)).master.id === target.master.id;

      // Alice's rate-limit counter lives on that master: the send path loses it mid-loop.
      alice = await findOne(
        () => newUser(a),
        (u) => onTarget(`ratelimit:messages:${site.publicId}:${u.user.id}`),
        'user with a rate-limit key on the target',
      );
      bob = await newUser(a);
      await joinRoom(a, alice, room);
      await joinRoom(a, bob, room);
      // Room 2's presence set (and sharded channel) are on that master too; Carol joins it during the failover.
      room2 = await findOne(
        () => newRoom(a, alice),
        async (r) =>
          (await onTarget(`presence:${site.publicId}:room:${r.id}`)) &&
          (adapter === 'classic' || (await onTarget(`socket.io#/chat#${chatRoomName(r.id)}#`))),
        'room with keys on the target',
      );
      carol = await newUser(a);
      await joinRoom(a, carol, room2);
      // Room 3's channel is on that master, its presence set elsewhere: Dave (node B) leaves and joins it
      // again and again throughout the failover, so node B unsubscribes and subscribes its channel meanwhile.
      room3 = await findOne(
        () => newRoom(a, alice),
        async (r) =>
          !(await onTarget(`presence:${site.publicId}:room:${r.id}`)) &&
          (await onTarget(`socket.io#/chat#${chatRoomName(r.id)}#`)),
        'room with its channel only on the target',
      );
      dave = await newUser(a);
      await joinRoom(a, dave, room3);
    });

    step('connects Alice on node A, and Bob, Carol and Dave on node B', async () => {
      // Alice sends through node A; Bob and Carol listen on node B: every delivery to them crosses Redis.
      aliceOnA = await connectChat(a.url, { token: alice.token });
      bobOnB = await connectChat(b.url, { token: bob.token });
      carolOnB = await connectChat(b.url, { token: carol.token });
      daveOnB = await connectChat(b.url, { token: dave.token });
      for (const s of [aliceOnA, bobOnB]) {
        const joined = await s.timeout(10_000).emitWithAck('room:join', { roomId: room.id });
        expect('error' in joined ? joined.error : undefined).toBeUndefined();
      }
      bobGot = record(bobOnB, 'message:new');
      carolGot = record(carolOnB, 'message:new');
      daveGot = record(daveOnB, 'message:new');
    });

    step('before the kill: every send is acknowledged and crosses to node B', async () => {
      // Before: everything works and crosses nodes.
      for (let i = 0; i < WARM_UP; i += 1) expect((await sendNext('before')).outcome).toHaveProperty('ok');
      await eventually(() => bobGot.length === WARM_UP, 10_000);
      if (adapter === 'sharded') expect(await shardSubscribers(await connect(target.master.port))).toBe(2);
    });

    step(
      'during the failover: sends, joins, connections and leave/join go on until the replica is promoted',
      async () => {
        survivorPorts = rc.nodes.map((x) => x.port).filter((p) => p !== target.master.port);
        survivors = await Promise.all(survivorPorts.map(connect));
        const replicaIds = target.replicas.map((r) => r.id);

        // Crash the master (SIGKILL: no goodbye). Until its replica is promoted and every survivor agrees the
        // cluster is ok: keep sending, let Carol try to join room 2, and open and close connections (their
        // user rooms subscribe and unsubscribe channels).
        const killedAt = performance.now();
        process.kill(rc.pidOf(target.master.port), 'SIGKILL');
        let failoverDone = false;
        const watcher = (async () => {
          try {
            const until = Date.now() + 60_000;
            while (Date.now() < until) {
              if (await promoted(survivors, replicaIds, channel)) {
                promotedAfterMs = Math.round(performance.now() - killedAt);
                return;
              }
              await sleep(100);
            }
            throw new Error('the replica was not promoted within 60 s');
          } finally {
            failoverDone = true;
          }
        })();
        const carolJoin = (async () => {
          for (let i = 0; i < 100; i += 1) {
            const res = await carolOnB
              .timeout(ACK_TIMEOUT_MS)
              .emitWithAck('room:join', { roomId: room2.id })
              .catch(() => ({ error: { code: 'timeout' } }));
            carolJoins.push('error' in res ? res.error.code : 'ok');
            if (!('error' in res)) return;
            await sleep(200);
          }
        })();
        const churn = (async () => {
          const outcomes: boolean[] = [];
          while (!failoverDone) {
            try {
              const s = await connectChat(outcomes.length % 2 ? a.url : b.url, { token: bob.token });
              await sleep(100);
              s.close();
              outcomes.push(true);
            } catch {
              outcomes.push(false);
            }
          }
          return outcomes;
        })();
        const daveFlaps = (async () => {
          let cycles = 0;
          while (!failoverDone) {
            await daveOnB.timeout(ACK_TIMEOUT_MS).emitWithAck('room:join', { roomId: room3.id });
            await daveOnB.timeout(ACK_TIMEOUT_MS).emitWithAck('room:leave', { roomId: room3.id });
            cycles += 1;
          }
          return cycles;
        })();
        while (!failoverDone) {
          await sendNext('during');
          await sleep(20);
        }
        await watcher;
        churned = await churn;
        await carolJoin;
        daveCycles = await daveFlaps;
        const daveJoined = await daveOnB.timeout(10_000).emitWithAck('room:join', { roomId: room3.id });
        expect('error' in daveJoined ? daveJoined.error : undefined).toBeUndefined();
      },
    );

    step('the replica now masters the channel, and (sharded) both nodes subscribe it there', async () => {
      const newMasterPort = (await ownerOf(survivors[0]!, channel)).master.port;
      expect(target.replicas.map((r) => r.port)).toContain(newMasterPort);
      if (adapter === 'sharded') {
        // Both nodes subscribe the room's channel again, on its new master.
        const newMaster = survivors[survivorPorts.indexOf(newMasterPort)]!;
        await eventually(async () => (await shardSubscribers(newMaster)) === 2, 20_000);
      }
    });

    step(
      'after: every send is accepted and reaches Bob, Carol (room 2) and Dave (room 3) on node B',
      async () => {
        // After: every send is accepted and reaches Bob on the other node.
        for (let i = 0; i < AFTER_FAILOVER; i += 1) {
          const r = await sendNext('after');
          expect(r.outcome, `${r.clientMsgId}, sent after the failover`).toHaveProperty('ok');
        }
        const afterIds = records.filter((r) => r.phase === 'after').map((r) => r.clientMsgId);
        const missed = () => afterIds.filter((id) => !bobGot.some((m) => m.clientMsgId === id));
        await eventually(() => missed().length === 0, 10_000).catch(() => {
          throw new Error(`Bob (node B) missed messages sent after the failover: ${missed().join(', ')}`);
        });
        // Carol joined room 2 (on node B) while its master was down, and receives what is sent there now.
        expect(carolJoins[carolJoins.length - 1]).toBe('ok');
        const inRoom2 = await send(aliceOnA, room2.id, 'room2-after', 'after the failover');
        expect(inRoom2.outcome).toHaveProperty('ok');
        await eventually(() => carolGot.some((m) => m.clientMsgId === 'room2-after'), 15_000).catch(() => {
          throw new Error('Carol (node B), who joined room 2 during the failover, does not receive it');
        });
        // Dave, whose node unsubscribed and subscribed room 3 all through the failover, is subscribed in the end.
        const inRoom3 = await send(aliceOnA, room3.id, 'room3-after', 'after the failover');
        expect(inRoom3.outcome).toHaveProperty('ok');
        await eventually(() => daveGot.some((m) => m.clientMsgId === 'room3-after'), 15_000).catch(() => {
          throw new Error(
            'Dave (node B), who left and joined room 3 during the failover, does not receive it',
          );
        });
      },
    );

    step(
      'no send hung, and every refusal was retryable: unavailable, for sends and joins alike',
      async () => {
        // No send hung; every refusal was retryable: `unavailable`, for sends and joins alike.
        refused = records.filter((r) => !('ok' in r.outcome));
        console.log(
          `${adapter}: promoted ${promotedAfterMs} ms after the kill; ` +
            `${records.filter((r) => r.phase === 'during').length} sends meanwhile, ${refused.length} refused; ` +
            `slowest ack ${Math.max(...records.map((r) => r.ms))} ms; Carol's joins: ${carolJoins.join(',')}; ` +
            `${churned.filter(Boolean).length}/${churned.length} connections opened; Dave re-joined ${daveCycles} times`,
        );
        expect(records.filter((r) => 'timeout' in r.outcome).map((r) => r.clientMsgId)).toEqual([]);
        // The send right after the kill needs the dead master's counter: the refusal paths really ran.
        expect(refused.length).toBeGreaterThan(0);
        expect(carolJoins[0]).not.toBe('ok');
        for (const r of refused) {
          const code = (r.outcome as { error: ErrorBody['error'] }).error.code;
          expect(errorCodes[code].retryable, `${r.clientMsgId}: ${code}`).toBe(true);
          expect(code, r.clientMsgId).toBe('unavailable');
        }
        for (const code of carolJoins.slice(0, -1)) expect(code).toBe('unavailable');
        expect(churned.every(Boolean)).toBe(true);
      },
    );

    step(
      'retrying a refused send with its clientMsgId stores it, and a second retry answers the same message',
      async () => {
        // Retrying each refused send with its clientMsgId stores it; a second retry answers the same message.
        for (const r of records) if ('ok' in r.outcome) acked.set(r.clientMsgId, r.outcome.ok);
        for (const r of refused) {
          const retry = await send(aliceOnA, room.id, r.clientMsgId, r.text);
          expect(retry.outcome, `retry of ${r.clientMsgId}`).toHaveProperty('ok');
          const message = (retry.outcome as { ok: Message }).ok;
          const again = await send(aliceOnA, room.id, r.clientMsgId, r.text);
          expect((again.outcome as { ok: Message }).ok.id).toBe(message.id);
          acked.set(r.clientMsgId, message);
        }
      },
    );

    step('the history holds every acknowledged message once, seqs 1..N; nothing arrived twice', async () => {
      // History: every acknowledged message exactly once, as acknowledged, seqs 1..N without a gap.
      const history = await fullHistory(b.url, bob, room.id);
      expect(history.map((m) => m.seq)).toEqual(history.map((_, i) => String(i + 1)));
      const byClientId = new Map(history.map((m) => [m.clientMsgId, m]));
      expect(byClientId.size).toBe(history.length);
      expect(history.length).toBe(acked.size);
      for (const [clientMsgId, message] of acked) {
        expect(byClientId.get(clientMsgId), clientMsgId).toMatchObject({
          id: message.id,
          seq: message.seq,
          text: message.text,
        });
      }
      // Whatever Bob received is in the history, and nothing arrived twice.
      expect(new Set(bobGot.map((m) => m.id)).size).toBe(bobGot.length);
      for (const m of bobGot) expect(byClientId.get(m.clientMsgId)?.id).toBe(m.id);
    });

    step('nothing rejected unhandled', async () => {
      expect(unhandled).toEqual([]);
    });
  });
}

const unavailable = privateClusterUnavailable();
if (unavailable) {
  describe.skip(`chat: killing a Redis master during a send loop [skipped: ${unavailable}]`, () => {
    it('needs redis-server', () => undefined);
  });
} else {
  failoverSuite('sharded');
  failoverSuite('classic');
}
