/**
 * SSUBSCRIBE / SUNSUBSCRIBE of one sharded Pub/Sub channel, applied in the order they were asked for.
 *
 * ioredis (6.x, `Cluster` with `shardedSubscribers`) retries a subscription command that failed on a closed
 * connection by itself: the command waits in the cluster's delay queue (`retryDelayOnFailover`, 100 ms) and is
 * routed again when it leaves it. A command asked for later is not held behind that retry. So while a slot's
 * master is replaced (it died, its replica was promoted), an SUNSUBSCRIBE sent while the old master was down
 * (the room emptied on this node) can wait in the delay queue while the subscriber group switches to the new
 * master; an SSUBSCRIBE of the same channel asked for next (the room used again) goes straight to the new
 * master, is confirmed, and the SUNSUBSCRIBE lands after it. The channel is then unsubscribed on the new master,
 * and ioredis also drops it from the list it subscribes again after a failover (its subscriber group updates
 * that list at every try of a command, `ClusterSubscriberGroup.addChannels` / `removeChannels`): this node's
 * members of the room hear nothing more from other nodes, for as long as the room lives here.
 *
 * Here a channel's command goes out only once the previous one for that channel has settled (answered, or
 * given up by ioredis after its redirections). Requests made meanwhile are merged: only the last one counts.
 * When it is the same command as the one that just settled, it gets that command's outcome without being sent
 * again; otherwise it is sent. A request overtaken by a later, opposite one resolves at once (its effect was
 * cancelled before it was sent).
 */
import type { Cluster } from 'ioredis';

type Command = 'ssubscribe' | 'sunsubscribe';

interface Waiter {
  command: Command;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/**
 * Routes every single-channel `ssubscribe` / `sunsubscribe` call on `client` through a per-channel queue (see
 * above). Calls with several channels or a callback go straight to ioredis (nothing here makes them).
 */
export function orderSubscriptions(client: Cluster): void {
  const target = client as unknown as Record<Command, (...args: unknown[]) => Promise<unknown>>;
  const send: Record<Command, (...args: unknown[]) => Promise<unknown>> = {
    ssubscribe: target.ssubscribe.bind(client),
    sunsubscribe: target.sunsubscribe.bind(client),
  };
  // For each channel with a command on its way to Redis: the requests made since it was sent (the last one
  // decides what goes next).
  const queues = new Map<string, Waiter[]>();

  const start = (channel: string, command: Command): Promise<unknown> => {
    queues.set(channel, []);
    const sent = send[command](channel);
    const settle = (outcome: { value: unknown } | { error: unknown }) => {
      const waiting = queues.get(channel)!;
      if (waiting.length === 0) {
        queues.delete(channel);
        return;
      }
      const next = waiting[waiting.length - 1]!.command;
      const overtaken = waiting.filter((w) => w.command !== next);
      const answered = waiting.filter((w) => w.command === next);
      for (const w of overtaken) w.resolve(undefined);
      if (next === command) {
        queues.delete(channel);
        for (const w of answered) {
          if ('error' in outcome) w.reject(outcome.error);
          else w.resolve(outcome.value);
        }
        return;
      }
      start(channel, next).then(
        (value) => answered.forEach((w) => w.resolve(value)),
        (error: unknown) => answered.forEach((w) => w.reject(error)),
      );
    };
    sent.then(
      (value) => settle({ value }),
      (error: unknown) => settle({ error }),
    );
    return sent;
  };

  for (const command of ['ssubscribe', 'sunsubscribe'] as const) {
    target[command] = (...args: unknown[]) => {
      const channel = args[0];
      if (args.length !== 1 || typeof channel !== 'string') return send[command](...args);
      const waiting = queues.get(channel);
      if (!waiting) return start(channel, command);
      return new Promise((resolve, reject) => waiting.push({ command, resolve, reject }));
    };
  }
}
