/**
 * The three checks every chaos scenario ends with, against what PostgreSQL holds:
 *
 * 1. every acknowledged message is stored exactly once, with the id and seq its acknowledgement carried;
 * 2. every member connection delivered every message of its rooms exactly once, in seq order, as stored
 *    (after whatever recovery the SDK did: reconnects, rejoins, history catch-up);
 * 3. each room's seqs are 1..N without a gap.
 *
 * Plus: no send was given up (rejected), and every stored message was acknowledged to its sender.
 */
import pg from 'pg';
import { expect } from 'vitest';
import type { Chaos } from './harness.js';

interface StoredRow {
  id: string;
  room_id: string;
  seq: string;
  client_msg_id: string;
}

async function storedMessages(databaseUrl: string, roomIds: string[]): Promise<StoredRow[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<StoredRow>(
      `SELECT m.id::text, m.room_id::text, m.seq::text, m.client_msg_id
         FROM messages m WHERE m.room_id = ANY($1::bigint[]) ORDER BY m.room_id, m.seq`,
      [roomIds],
    );
    return rows;
  } finally {
    await client.end();
  }
}

/** A short summary of the run, for the scenario's log line. */
export function summary(h: Chaos): string {
  const ms = h.acks.map((a) => a.ms).sort((p, q) => p - q);
  const delivered = h.clients.reduce((n, c) => n + [...c.delivered.values()].flat().length, 0);
  const reconnects = h.clients.reduce((n, c) => n + c.statuses.filter((s) => s === 'reconnecting').length, 0);
  return (
    `${h.clients.length} clients on ${h.nodes.length} nodes, ${h.rooms.length} rooms: ${h.acks.length} acked, ` +
    `${delivered} deliveries, ${reconnects} reconnects; ack ms p50 ${ms[Math.floor(ms.length / 2)] ?? 0}, ` +
    `max ${ms.at(-1) ?? 0}`
  );
}

export async function expectConsistent(h: Chaos): Promise<void> {
  expect(h.rejected, 'sends the SDK gave up').toEqual([]);
  const rows = await storedMessages(
    h.cluster.database.url,
    h.rooms.map((r) => r.id),
  );

  // 1. Every acknowledged message stored exactly once, as acknowledged; nothing stored unacknowledged.
  const byKey = new Map<string, StoredRow[]>();
  for (const row of rows) {
    const key = `${row.room_id}/${row.client_msg_id}`;
    byKey.set(key, [...(byKey.get(key) ?? []), row]);
  }
  const wrong: string[] = [];
  for (const a of h.acks) {
    const found = byKey.get(`${a.roomId}/${a.clientMsgId}`) ?? [];
    if (found.length !== 1) wrong.push(`${a.clientMsgId}: stored ${found.length} times`);
    else if (found[0]!.id !== a.message.id || found[0]!.seq !== a.message.seq) {
      wrong.push(
        `${a.clientMsgId}: acked id ${a.message.id} seq ${a.message.seq}, stored ${found[0]!.id}/${found[0]!.seq}`,
      );
    }
  }
  expect(wrong, 'acknowledged messages not stored exactly once as acknowledged').toEqual([]);
  const acked = new Set(h.acks.map((a) => `${a.roomId}/${a.clientMsgId}`));
  expect(
    [...byKey.keys()].filter((k) => !acked.has(k)),
    'stored messages never acknowledged',
  ).toEqual([]);
  expect(h.acks.length).toBeGreaterThan(0);

  // 3. Per room, seqs 1..N.
  const perRoom = new Map<string, StoredRow[]>();
  for (const row of rows) perRoom.set(row.room_id, [...(perRoom.get(row.room_id) ?? []), row]);
  for (const [roomId, list] of perRoom) {
    const gaps = list.filter((row, i) => Number(row.seq) !== i + 1).map((row) => row.seq);
    expect(gaps, `room ${roomId}: seqs out of 1..${list.length}`).toEqual([]);
  }

  // 2. Every member connection: each message of its rooms once, in order, as stored.
  const problems: string[] = [];
  for (const c of h.clients) {
    for (const roomId of c.rooms) {
      const expected = (perRoom.get(roomId) ?? []).map((row) => `${row.seq}:${row.id}`);
      const got = c.delivered.get(roomId)!.map((m) => `${m.seq}:${m.id}`);
      if (got.join() === expected.join()) continue;
      const seen = new Set<string>();
      const duplicated = got.filter((g) => (seen.has(g) ? true : (seen.add(g), false)));
      const missing = expected.filter((e) => !seen.has(e));
      const outOfOrder = got.some(
        (g, i) => i > 0 && Number(g.split(':')[0]) < Number(got[i - 1]!.split(':')[0]),
      );
      problems.push(
        `client ${c.index} room ${roomId}: ${got.length}/${expected.length} delivered, ` +
          `missing ${missing.slice(0, 10).join(' ')}, duplicated ${duplicated.slice(0, 10).join(' ')}` +
          (outOfOrder ? ', out of order' : ''),
      );
    }
  }
  expect(problems, 'connections that did not deliver their rooms exactly once, in order').toEqual([]);
}
