/**
 * The Socket.IO Redis adapters, made to survive a Redis Cluster failover (a master dies, its replica is
 * promoted a few seconds later). Two things go wrong with them as they come:
 *
 * 1. They send some commands without awaiting them: the sharded adapter's SSUBSCRIBE / SUNSUBSCRIBE when a
 *    room is created or emptied on this node, the classic adapter's PUBLISH of every broadcast. While a master
 *    is down those promises reject, and a rejection nobody handles ends the Node process.
 * 2. ioredis retries a failed SSUBSCRIBE / SUNSUBSCRIBE by itself, so an SUNSUBSCRIBE sent while the master
 *    was down (the room emptied on this node) can reach the promoted replica after a later SSUBSCRIBE of the
 *    same channel (the room used again): this node's members of that room would then hear nothing from
 *    other nodes for as long as the room lives here.
 */
import { createAdapter, createShardedAdapter } from '@socket.io/redis-adapter';
import type { Cluster, Redis } from 'ioredis';
import type { Logger } from './logger.js';
import { describeError } from './retry.js';

/** What Socket.IO's `server.adapter()` accepts. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AdapterFactory = any;

/** What the adapters call on their subscriber connection without awaiting. */
const SUBSCRIBER_COMMANDS = [
  'subscribe',
  'unsubscribe',
  'psubscribe',
  'punsubscribe',
  'ssubscribe',
  'sunsubscribe',
] as const;

/** How long the sharded subscriber must be free of trouble before its channels are subscribed again. */
const QUIET_MS = 3000;

/**
 * Gives every call of `commands` on `client` a rejection handler (`onError`). Callers that await the
 * promise still see the rejection; those that do not can no longer crash the process.
 */
function handleDetachedRejections(
  client: Redis | Cluster,
  commands: readonly string[],
  onError: (command: string, error: unknown) => void,
): void {
  const target = client as unknown as Record<string, (...args: unknown[]) => unknown>;
  for (const command of commands) {
    const original = target[command]!.bind(client);
    target[command] = (...args: unknown[]) => {
      const result = original(...args);
      if (result instanceof Promise) result.catch((error: unknown) => onError(command, error));
      return result;
    };
  }
}

/** The public parts of a Socket.IO cluster adapter the keeper reads. */
interface AdapterView {
  uid: string;
  nsp: { name: string };
  rooms: Map<string, Set<string>>;
  sids: Map<string, Set<string>>;
}

export interface PubSubOptions {
  logger: Logger;
  /** Called with a function to run when the store closes. */
  onClose: (cleanup: () => void) => void;
}

function logFailure(logger: Logger) {
  return (command: string, error: unknown) =>
    logger.warn({ command, reason: describeError(error) }, 'redis pub/sub command failed');
}

/**
 * Classic Pub/Sub (PUBLISH / PSUBSCRIBE, every message to every Redis node). `pub` is the store's client
 * (nothing else publishes on it); `sub` a connection of its own. ioredis subscribes `sub` again by itself
 * after a failover.
 */
export function classicAdapter(pub: Redis | Cluster, sub: Redis | Cluster, options: PubSubOptions) {
  const onFailure = logFailure(options.logger);
  handleDetachedRejections(pub, ['publish'], onFailure);
  handleDetachedRejections(sub, SUBSCRIBER_COMMANDS, onFailure);
  return createAdapter(pub, sub);
}

/**
 * Sharded Pub/Sub (SPUBLISH / SSUBSCRIBE: each room's channel lives on one shard). After any trouble on
 * `sub` (a failed command, a node lost or added, subscribers replaced), once it has been quiet for a few
 * seconds, every channel the adapters listen on is subscribed again (an SSUBSCRIBE of a subscribed channel
 * changes nothing), which undoes a stale SUNSUBSCRIBE.
 */
export function shardedAdapter(pub: Cluster, sub: Cluster, options: PubSubOptions): AdapterFactory {
  const { logger } = options;
  const adapters = new Set<AdapterView>();
  let timer: NodeJS.Timeout | undefined;
  const resubscribe = () => {
    if (sub.status === 'end') return;
    let channels = 0;
    for (const adapter of adapters) {
      const prefix = `socket.io#${adapter.nsp.name}#`;
      sub.ssubscribe(prefix);
      sub.ssubscribe(`${prefix}${adapter.uid}#`);
      channels += 2;
      // Rooms that are not a socket's own (the adapter's "dynamic" channels).
      for (const room of adapter.rooms.keys()) {
        if (adapter.sids.has(room)) continue;
        sub.ssubscribe(`${prefix}${room}#`);
        channels += 1;
      }
    }
    logger.info({ channels }, 'sharded Pub/Sub channels subscribed again after a Redis disturbance');
  };
  const trouble = () => {
    clearTimeout(timer);
    timer = setTimeout(resubscribe, QUIET_MS).unref();
  };
  const onFailure = logFailure(logger);
  handleDetachedRejections(sub, SUBSCRIBER_COMMANDS, (command, error) => {
    onFailure(command, error);
    trouble();
  });
  // Nodes and subscribers come and go at start-up too: only changes after that are trouble.
  const watch = () => {
    for (const event of ['-node', '+node', 'node error', 'nodeError', '-subscriber', '+subscriber']) {
      sub.on(event, trouble);
    }
  };
  if (sub.status === 'ready') watch();
  else sub.once('ready', watch);
  options.onClose(() => clearTimeout(timer));

  const inner = createShardedAdapter(pub, sub, { subscriptionMode: 'dynamic' });
  // Socket.IO calls the factory with `new`: a plain function returning the adapter.
  return function factory(nsp: unknown) {
    const adapter = inner(nsp);
    const view = adapter as unknown as AdapterView & {
      addAll(id: string, rooms: Set<string>): Promise<void> | void;
    };
    adapters.add(view);
    // The adapter subscribes to a room's channel when the room first appears on this node, without waiting
    // for Redis to confirm it: a broadcast published on another node in the meantime (the presence of the
    // member who joined next, the first messages) never arrives here. So `socket.join()` of a new room
    // resolves only once the subscription is confirmed: the same SSUBSCRIBE again (which changes nothing)
    // goes out after the adapter's on the same shard subscriber, so its answer means both are done. A
    // failure is left to the resubscription after a disturbance (above).
    const addAll = view.addAll.bind(view);
    view.addAll = (id, rooms) => {
      const created = [...rooms].filter((room) => room !== id && !view.rooms.has(room));
      const added = addAll(id, rooms);
      if (created.length === 0) return added;
      const prefix = `socket.io#${view.nsp.name}#`;
      const confirmed = created.map((room) =>
        sub.ssubscribe(`${prefix}${room}#`).then(
          () => undefined,
          (error: unknown) => {
            onFailure('ssubscribe', error);
            trouble();
          },
        ),
      );
      return Promise.all([added, ...confirmed]).then(() => undefined);
    };
    return adapter;
  };
}
