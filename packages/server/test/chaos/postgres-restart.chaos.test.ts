/**
 * Chaos: PostgreSQL restarted (fast shutdown, then start) under live traffic, on a private instance. While
 * it is down, a send is refused as `unavailable` (never acknowledged, never stored), and so is a history
 * read (503); the SDKs send again and the service recovers by itself, without a restart of any node.
 * Nothing acknowledged may be lost or doubled, and every member connection ends with every message of its
 * rooms exactly once, in order.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { connectChat } from '../helpers/cluster.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { client } from '../helpers/http.js';
import {
  privatePostgresUnavailable,
  startPrivatePostgres,
  type PrivatePostgres,
} from '../helpers/private-postgres.js';
import { expectConsistent, summary } from './checks.js';
import { describeChaos, startChaos, type Chaos } from './harness.js';
import { codeOf, rawSend, sendUntilStored, type Outcome } from './raw-sends.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const OUTAGE_MS = 4000;

describeChaos(
  'chaos: PostgreSQL restarted mid-traffic',
  () => {
    let pgi: PrivatePostgres;
    let db: TestDatabase;
    let h: Chaos;
    beforeAll(async () => {
      pgi = await startPrivatePostgres();
      db = await createTestDatabase('chaos_pg_restart', pgi.adminUrl);
      h = await startChaos({ label: 'chaos_pg_restart', database: db });
    }, 180_000);
    afterAll(async () => {
      await h?.close();
      await db?.drop().catch(() => undefined);
      await pgi?.stop();
    }, 60_000);

    it('refuses as unavailable while it is down, recovers by itself, loses and doubles nothing', async () => {
      // A probe: a member's second plain socket, whose refusals the test sees (the SDK hides them: it retries).
      const member = h.clients[0]!;
      const roomId = member.rooms[0]!;
      const probe = await connectChat(h.nodes[1]!.url, { token: member.user.token });
      const http = client(h.nodes[0]!.url);
      const traffic = h.startTraffic();
      await sleep(2000);

      pgi.stopServer();
      const down = performance.now();
      const during: { clientMsgId: string; outcome: Outcome }[] = [];
      let n = 0;
      while (performance.now() - down < OUTAGE_MS) {
        n += 1;
        const clientMsgId = `probe-${n}`;
        during.push({ clientMsgId, outcome: await rawSend(probe, roomId, clientMsgId) });
        await sleep(200);
      }
      const read = await http.get(`/v1/rooms/${roomId}/messages?limit=10`, { headers: member.user.headers });
      pgi.startServer();
      const upAt = performance.now();

      // Each refused send, sent again with its clientMsgId until stored: once, whatever happened before.
      await sendUntilStored(h, member.index, probe, roomId, during[0]!.clientMsgId);
      const recoveredMs = Math.round(performance.now() - upAt);
      for (const d of during.slice(1)) await sendUntilStored(h, member.index, probe, roomId, d.clientMsgId);
      await sleep(2000);
      await traffic.stop();
      await h.settle();
      probe.close();

      const codes = during.map((d) => codeOf(d.outcome));
      console.log(
        `postgres restart: down ${OUTAGE_MS} ms; probe sends meanwhile: ${codes.join(',')}; history read ` +
          `${read.status}; first probe stored ${recoveredMs} ms after the start; ${summary(h)}`,
      );
      // While the database was down: refused, retryable, never a hang or an internal error.
      expect(codes.filter((c) => c !== 'ok').length).toBeGreaterThan(0);
      expect(codes.filter((c) => c !== 'ok' && c !== 'unavailable')).toEqual([]);
      expect(read.status).toBe(503);
      expect(read.body.error.code).toBe('unavailable');
      await expectConsistent(h);
    }, 240_000);
  },
  privatePostgresUnavailable(),
);
