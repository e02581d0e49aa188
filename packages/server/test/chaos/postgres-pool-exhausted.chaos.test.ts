/**
 * Chaos: the PostgreSQL pool saturated by slow queries under live traffic. Another session holds a room's
 * row lock, so every send to that room waits in its transaction, holding a pooled connection, until the
 * pool (DATABASE_POOL_MAX) is used up. A new request then fails fast: 503 `unavailable` after
 * DATABASE_ACQUIRE_TIMEOUT, never a hang and never `internal`. Once the lock goes, everything recovers by
 * itself; nothing acknowledged is lost or doubled, and every member connection delivers its rooms exactly
 * once, in order.
 */
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { connectChat, type ChatClient } from '../helpers/cluster.js';
import { client } from '../helpers/http.js';
import { expectConsistent, summary } from './checks.js';
import { describeChaos, startChaos, type Chaos } from './harness.js';
import { codeOf, rawSend, sendUntilStored } from './raw-sends.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const POOL = 3;
/** Sends that block on the lock at once, each on its own socket: more than the pool holds. */
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

    // The slow queries: every send to the locked room waits for the room's row, holding its connection.
    locker = new pg.Client({ connectionString: h.cluster.database.url });
    await locker.connect();
    await locker.query('BEGIN');
    await locker.query('SELECT id FROM rooms WHERE id = $1 FOR UPDATE', [lockedRoom]);
    const blocked = sockets.map((s, i) => rawSend(s, lockedRoom, `blocked-${i}`));
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

    // The blocked sends finish (stored) or were refused as unavailable; either way each is stored once now.
    const blockedCodes = (await Promise.all(blocked)).map(codeOf);
    for (let i = 0; i < sockets.length; i += 1) {
      await sendUntilStored(h, member.index, sockets[i]!, lockedRoom, `blocked-${i}`);
    }
    await sendUntilStored(h, member.index, probe, otherRoom, 'probe-during');
    await sleep(2000);
    await traffic.stop();
    await h.settle();
    console.log(
      `postgres pool exhausted (pool ${POOL}, acquire timeout 1 s): history read ${answer?.status ?? 'no answer'}; ` +
        `a send meanwhile ${codeOf(sendAnswer)}; blocked sends ${blockedCodes.join(',')}; ${summary(h)}`,
    );
    expect(answer, 'the history read answered').toBeDefined();
    expect(answer!.status).toBe(503);
    expect(answer!.body.error.code).toBe('unavailable');
    expect(codeOf(sendAnswer)).toBe('unavailable');
    expect(blockedCodes.filter((c) => c !== 'ok' && c !== 'unavailable')).toEqual([]);
    await expectConsistent(h);
  }, 240_000);
});
