/**
 * The soak's correctness checks, once the traffic has stopped and settled: every acknowledged send is in
 * PostgreSQL exactly once as acknowledged, every room's seqs are 1..N without a gap, and every client received
 * every message of its home room (a member from before the first message to the end) once and in order —
 * live, or through the SDK's recovery after its connection was cut.
 */
import pg from 'pg';
import type { AckedSend, SoakClient } from './soak-clients.js';

export interface SoakCheck {
  stored: number;
  /** Acknowledged sends missing from the database or stored differently than acknowledged. */
  lost: number;
  /** clientMsgIds stored more than once, and stored sends never acknowledged. */
  storedTwice: number;
  unacknowledged: number;
  roomsWithGaps: number;
  /** Over every client's home room: messages not delivered, delivered twice or out of place, or wrong. */
  undelivered: number;
  misdelivered: number;
  /** Clients whose home-room deliveries were not exactly the room's messages in order. */
  clientsWrong: number;
}

export async function checkSoak(
  databaseUrl: string,
  prefix: string,
  acked: AckedSend[],
  clients: SoakClient[],
): Promise<SoakCheck> {
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    const { rows } = await db.query<{ client_msg_id: string; id: string; seq: string; room_id: string }>(
      'SELECT client_msg_id, id::text, seq::text, room_id::text FROM messages WHERE client_msg_id LIKE $1',
      [`${prefix}%`],
    );
    const byN = new Map<number, (typeof rows)[number]>();
    let storedTwice = 0;
    for (const row of rows) {
      const n = Number(row.client_msg_id.slice(prefix.length));
      if (byN.has(n)) storedTwice += 1;
      byN.set(n, row);
    }
    let lost = 0;
    const ackedNs = new Set<number>();
    for (const a of acked) {
      ackedNs.add(a.n);
      const row = byN.get(a.n);
      if (!row || row.id !== a.id || row.seq !== a.seq || row.room_id !== a.roomId) lost += 1;
    }
    const unacknowledged = [...byN.keys()].filter((n) => !ackedNs.has(n)).length;
    const gaps = await db.query(
      'SELECT room_id FROM messages GROUP BY room_id HAVING count(*) <> max(seq) OR min(seq) <> 1',
    );

    const byRoom = await messagesByRoom(db, [...new Set(clients.map((c) => c.homeRoomId))]);
    let undelivered = 0;
    let misdelivered = 0;
    let clientsWrong = 0;
    for (const c of clients) {
      const d = checkDeliveries(byRoom.get(c.homeRoomId) ?? [], c.home);
      undelivered += d.undelivered;
      misdelivered += d.misdelivered;
      if (d.wrong) clientsWrong += 1;
    }
    return {
      stored: rows.length,
      lost,
      storedTwice,
      unacknowledged,
      roomsWithGaps: gaps.rowCount ?? 0,
      undelivered,
      misdelivered,
      clientsWrong,
    };
  } finally {
    await db.end();
  }
}

/** Each room's message ids by seq (`ids[seq]`; index 0 unused), from the database. */
export async function messagesByRoom(db: pg.Client, roomIds: string[]): Promise<Map<string, string[]>> {
  const all = await db.query<{ room_id: string; id: string; seq: string }>(
    'SELECT room_id::text, id::text, seq::text FROM messages WHERE room_id = ANY($1::bigint[]) ORDER BY room_id, seq',
    [roomIds],
  );
  const byRoom = new Map<string, string[]>();
  for (const m of all.rows) {
    const ids = byRoom.get(m.room_id) ?? [];
    ids[Number(m.seq)] = m.id;
    byRoom.set(m.room_id, ids);
  }
  return byRoom;
}

/**
 * What a member of a room since before its first message was delivered, against the room's messages (`ids`
 * from `messagesByRoom`): seqs never delivered, deliveries twice, out of order or of another message, and
 * whether the deliveries were anything but exactly the room's messages in order.
 */
export function checkDeliveries(
  ids: string[],
  delivered: { seq: number; id: string }[],
): { undelivered: number; misdelivered: number; wrong: boolean } {
  const expected = Math.max(0, ids.length - 1);
  let wrong = delivered.length !== expected;
  let misdelivered = 0;
  const seen = new Set<number>();
  delivered.forEach((d, i) => {
    if (d.seq !== i + 1 || ids[d.seq] !== d.id || seen.has(d.seq)) {
      misdelivered += 1;
      wrong = true;
    }
    seen.add(d.seq);
  });
  let undelivered = 0;
  for (let seq = 1; seq <= expected; seq += 1) if (!seen.has(seq)) undelivered += 1;
  return { undelivered, misdelivered, wrong };
}

/** Whether the checks found nothing wrong. */
export function soakCorrect(check: SoakCheck): boolean {
  return (
    check.lost === 0 &&
    check.storedTwice === 0 &&
    check.unacknowledged === 0 &&
    check.roomsWithGaps === 0 &&
    check.undelivered === 0 &&
    check.misdelivered === 0 &&
    check.clientsWrong === 0
  );
}
