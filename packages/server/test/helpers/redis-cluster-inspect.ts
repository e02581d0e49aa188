/**
 * Reading a Redis Cluster's layout from one of its nodes, for tests that break a node on purpose: which
 * master serves a key, its replicas, and whether a replica took over.
 */
import type { Redis } from 'ioredis';

export interface NodeRef {
  port: number;
  id: string;
}

export interface Owner {
  master: NodeRef;
  /** From CLUSTER NODES: CLUSTER SLOTS leaves out replicas still in their first sync. */
  replicas: NodeRef[];
}

export function parseNodes(text: string) {
  return text
    .trim()
    .split('\n')
    .map((line) => line.split(' '))
    .map((f) => ({
      id: f[0]!,
      port: Number(/:(\d+)@/.exec(f[1]!)![1]),
      master: f[2]!.includes('master'),
      failed: f[2]!.includes('fail'),
      masterId: f[3]!,
    }));
}

/** The master serving `key`'s slot and its replicas, as `redis` sees the cluster. */
export async function ownerOf(redis: Redis, key: string): Promise<Owner> {
  const slot = Number(await redis.cluster('KEYSLOT', key));
  const ranges = (await redis.cluster('SLOTS')) as unknown as [number, number, [string, number, string]][];
  const range = ranges.find(([from, to]) => slot >= from && slot <= to);
  if (!range) throw new Error(`slot ${slot} of ${key} is not served`);
  const master = { port: range[2][1], id: range[2][2] };
  return { master, replicas: await replicasOf(redis, master) };
}

export async function replicasOf(redis: Redis, master: NodeRef): Promise<NodeRef[]> {
  return parseNodes(String(await redis.cluster('NODES')))
    .filter((n) => !n.master && n.masterId === master.id)
    .map(({ id, port }) => ({ id, port }));
}

/** Every survivor says cluster_state:ok and one of `replicaIds` now masters `key`'s slot. */
export async function promoted(survivors: Redis[], replicaIds: string[], key: string): Promise<boolean> {
  try {
    for (const r of survivors) {
      if (!String(await r.cluster('INFO')).includes('cluster_state:ok')) return false;
      if (!replicaIds.includes((await ownerOf(r, key)).master.id)) return false;
    }
    return true;
  } catch {
    return false;
  }
}
