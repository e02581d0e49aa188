/**
 * Chaos: the PostgreSQL pool saturated by slow queries under live traffic. Another session holds a
 * message's row lock, so every edit of that message waits in its statement, holding a pooled connection,
 * until the pool (DATABASE_POOL_MAX) is used up. (Sends cannot do that any more: a node stores its sends in
 * one batch at a time, on one connection.) A new request then fails fast: 503 `unavailable` after
 * DATABASE_ACQUIRE_TIMEOUT, never a hang and never `internal`, and so does a send, whose batch cannot get a
 * connection either. Once the lock goes, everything recovers by itself; nothing acknowledged is lost or
 * doubled, and every member connection delivers its rooms exactly once, in order.
 */
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { connectChat, type ChatClient } from '../helpers/cluster.js';
import { client } from '../helpers/http.js';
import { expectConsistent, summary } from './checks.js';
import { describeChaos, startChaos, type Chaos } from './harness.js';
import { codeOf, rawSend, sendUntilStored } from './raw-sends.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One `message:edit`: `ok`, the error code, or `timeout` when unanswered within 15 s (a hang). */
async function rawEdit(socket: ChatClient, roomId: string, messageId: string, text: string) {
  try {
    const res = await socket.timeout(15_000).emitWithAck('message:edit', { roomId, messageId, text });
    return 'error' in res ? res.error.code : 'ok';
  } catch {
    return 'timeout';
  }
}
const POOL = 3;
/** Edits that block on the lock at once, each on its own socket: more than the pool holds. */
const BLOCKERS = POOL + 2;

describeChaos('chaos: the PostgreSQL pool exhausted by slow queries', () => {
  let h: Chaos;
  let locker: pg.Client | undefined;
  const sockets: ChatClient[] = [];
  beforeAll(async () => {
    h = await startChaos({
      label: 'chaos_pg_pool',
      env: { DATABASE_POOL_MAX: String(POOL), DATABASE_ACQUIRE_TIMEOUT: '1s' },
    });
  }, 180_000);
  afterAll(async () => {
    for (const s of sockets) s.close();
    await locker?.end().catch(() => undefined);
    await h?.close();
  }, 60_000);

  it('answers new requests 503 at once instead of hanging, and recovers by itself', async () => {
    const member = h.clients[0]!;
    const [lockedRoom, otherRoom] = member.rooms as [string, string];
    for (let i = 0; i <= BLOCKERS; i += 1) {
      sockets.push(await connectChat(h.nodes[0]!.url, { token: member.user.token }));
    }
    const probe = sockets.pop()!;
    const traffic = h.startTraffic();
    await sleep(2000);

    // The message the slow queries edit, stored first.
    const target = await sendUntilStored(h, member.index, probe, lockedRoom, 'edited-later');
    // The slow queries: every edit of it waits for its row, holding its connection.
    locker = new pg.Client({ connectionString: h.cluster.database.url });
    await locker.connect();
    await locker.query('BEGIN');
    await locker.query('SELECT id FROM messages WHERE id = $1 FOR UPDATE', [target.id]);
    const blocked = sockets.map((s, i) => rawEdit(s, lockedRoom, target.id, `edit ${i}`));
    await sleep(500);

    // A new request that needs the database, on another room: refused fast, not queued behind the lock.
    const answer = await Promise.race([
      client(h.nodes[0]!.url).get(`/v1/rooms/${otherRoom}/messages?limit=5`, {
        headers: member.user.headers,
      }),
      sleep(15_000).then(() => undefined),
    ]);
    const sendAnswer = await rawSend(probe, otherRoom, 'probe-during');
    await sleep(1500);
    await locker.query('ROLLBACK');
    await locker.end();
    locker = undefined;

    // The blocked edits finish or were refused as unavailable.
    const blockedCodes = await Promise.all(blocked);
    await sendUntilStored(h, member.index, probe, otherRoom, 'probe-during');
    await sleep(2000);
    await traffic.stop();
    await h.settle();
    console.log(
      `postgres pool exhausted (pool ${POOL}, acquire timeout 1 s): history read ${answer?.status ?? 'no answer'}; ` +
        `a send meanwhile ${codeOf(sendAnswer)}; blocked edits ${blockedCodes.join(',')}; ${summary(h)}`,
    );
    expect(answer, 'the history read answered').toBeDefined();
    expect(answer!.status).toBe(503);
    expect(answer!.body.error.code).toBe('unavailable');
    expect(codeOf(sendAnswer)).toBe('unavailable');
    expect(blockedCodes.filter((c) => c !== 'ok' && c !== 'unavailable')).toEqual([]);
    // More edits than the pool holds: some waited for the lock with a connection, the rest were refused.
    expect(blockedCodes).toContain('ok');
    expect(blockedCodes).toContain('unavailable');
    await expectConsistent(h);
  }, 240_000);
});
