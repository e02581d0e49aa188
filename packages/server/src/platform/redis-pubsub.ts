/**
 * The Socket.IO Redis adapters, made to survive a Redis Cluster failover (a master dies, its replica is
 * promoted a few seconds later). Three things go wrong with them as they come:
 *
 * 1. They send some commands without awaiting them: the sharded adapter's SSUBSCRIBE / SUNSUBSCRIBE when a
 *    room is created or emptied on this node, the classic adapter's PUBLISH of every broadcast. While a master
 *    is down those promises reject, and a rejection nobody handles ends the Node process.
 * 2. ioredis retries a failed SSUBSCRIBE / SUNSUBSCRIBE by itself, and a later command for the same channel
 *    can overtake that retry: an SUNSUBSCRIBE sent while the master was down (the room emptied on this node)
 *    then reaches the promoted replica after the SSUBSCRIBE of the room used again, and this node's members of
 *    that room hear nothing from other nodes for as long as the room lives here. Each channel's commands are
 *    therefore applied in order (see ordered-subscriptions.ts).
 * 3. The sharded adapter subscribes to a room's channel when the room first appears on this node without
 *    waiting for Redis: see `shardedAdapter`.
 */
import { createAdapter, createShardedAdapter } from '@socket.io/redis-adapter';
import type { Cluster, Redis } from 'ioredis';
import type { Logger } from './logger.js';
import { orderSubscriptions } from './ordered-subscriptions.js';
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

export interface PubSubOptions {
  logger: Logger;
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
 * Sharded Pub/Sub (SPUBLISH / SSUBSCRIBE: each room's channel lives on one shard). ioredis subscribes `sub`'s
 * channels again on the new master after a failover; each channel's commands go out in order (see above).
 */
export function shardedAdapter(pub: Cluster, sub: Cluster, options: PubSubOptions): AdapterFactory {
  const onFailure = logFailure(options.logger);
  orderSubscriptions(sub);
  handleDetachedRejections(sub, SUBSCRIBER_COMMANDS, onFailure);

  const inner = createShardedAdapter(pub, sub, { subscriptionMode: 'dynamic' });
  // Socket.IO calls the factory with `new`: a plain function returning the adapter.
  return function factory(nsp: unknown) {
    const adapter = inner(nsp);
    const view = adapter as unknown as {
      nsp: { name: string };
      rooms: Map<string, Set<string>>;
      addAll(id: string, rooms: Set<string>): Promise<void> | void;
    };
    // The adapter subscribes to a room's channel when the room first appears on this node, without waiting
    // for Redis to confirm it: a broadcast published on another node in the meantime (the presence of the
    // member who joined next, the first messages) never arrives here. So `socket.join()` of a new room
    // resolves only once the subscription is confirmed: the same SSUBSCRIBE again, queued behind the
    // adapter's (ordered-subscriptions.ts), answers with its outcome. When Redis could not subscribe (the
    // channel's master is down) `socket.join()` rejects: the caller refuses the join (retryable) rather than
    // promise broadcasts that cannot arrive.
    const addAll = view.addAll.bind(view);
    view.addAll = (id, rooms) => {
      const created = [...rooms].filter((room) => room !== id && !view.rooms.has(room));
      const added = addAll(id, rooms);
      if (created.length === 0) return added;
      const prefix = `socket.io#${view.nsp.name}#`;
      const confirmed = created.map((room) => sub.ssubscribe(`${prefix}${room}#`));
      return Promise.all([added, ...confirmed]).then(() => undefined);
    };
    return adapter;
  };
}
