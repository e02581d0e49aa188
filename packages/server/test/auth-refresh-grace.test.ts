/**
 * The refresh grace window (JWT_REFRESH_GRACE): several tabs refreshing at once, or a retried refresh, get
 * the same new pair instead of being taken for a thief; a rotated token coming back after the window still
 * revokes its family. On PostgreSQL (row lock between connections) and on embedded PGlite (one connection).
 */
import { createHash } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { expect, it } from 'vitest';
import { newUser } from './helpers/factories.js';
import { client } from './helpers/http.js';
import { describeWith, type Service } from './helpers/services.js';
import { useServer } from './helpers/use-server.js';
import { type TestServer } from './helpers/server.js';

const sha256 = (value: string) => createHash('sha256').update(value).digest('base64url');
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

const variants: { name: string; needs: Service[] }[] = [
  { name: 'PostgreSQL', needs: ['postgres'] },
  { name: 'embedded PGlite', needs: [] },
];

for (const variant of variants) {
  describeWith(variant.needs, `refresh grace window (${variant.name})`, () => {
    const main = useServer({ label: 'auth-refresh-grace', services: variant.needs });
    /** Default grace (30 s). */
    const { t } = main;
    /** JWT_REFRESH_GRACE=2s, for tests that wait the window out. */
    const short = useServer({ on: main, services: variant.needs, env: { JWT_REFRESH_GRACE: '2s' } }).t;

    const refresh = (server: TestServer, refreshToken: string) =>
      client(server.url).post('/v1/auth/refresh', { body: { refreshToken } });

    async function signIn(server: TestServer) {
      const { user, password } = await newUser(server);
      const res = await client(server.url).post('/v1/auth/login', {
        body: { username: user.username, password },
      });
      expect(res.status).toBe(200);
      return { user, auth: res.body };
    }

    const tokenRow = (server: TestServer, token: string) =>
      server.server
        .db('refresh_tokens')
        .where({ token_hash: sha256(token) })
        .first();

    it('answers parallel refreshes of one token with the same pair, and the session goes on', async () => {
      const { user, auth } = await signIn(t);
      const results = await Promise.all(Array.from({ length: 5 }, () => refresh(t, auth.refreshToken)));
      expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
      const next = results[0]!.body.refreshToken as string;
      expect(next).not.toBe(auth.refreshToken);
      for (const res of results) {
        expect(res.body.refreshToken).toBe(next);
        expect(jwt.decode(res.body.accessToken)).toMatchObject({ sub: user.id, site: user.siteId });
        expect((await client(t.url).get('/v1/me', { token: res.body.accessToken })).status).toBe(200);
      }
      // One rotation happened, not five: the family is the sign-in's token and one successor.
      const { family_id: family } = await tokenRow(t, auth.refreshToken);
      expect(await t.server.db('refresh_tokens').where({ family_id: family })).toHaveLength(2);
      const after = await refresh(t, next);
      expect(after.status).toBe(200);
      expect(after.body.refreshToken).not.toBe(next);
    });

    it('answers a retried refresh with the same pair, and keeps the successor only encrypted', async () => {
      const { auth } = await signIn(t);
      const first = await refresh(t, auth.refreshToken);
      const retry = await refresh(t, auth.refreshToken);
      expect(retry.status).toBe(200);
      expect(retry.body.refreshToken).toBe(first.body.refreshToken);

      const everything = JSON.stringify(await t.server.db('refresh_tokens').select('*'));
      expect(everything).not.toContain(first.body.refreshToken);
      expect(everything).not.toContain(auth.refreshToken);
      const rotated = await tokenRow(t, auth.refreshToken);
      expect(rotated.successor_sealed).toMatch(/^v1\./);
    });

    it('treats a repeat after the window as reuse and revokes the family', async () => {
      const { auth } = await signIn(t);
      const first = await refresh(t, auth.refreshToken);
      expect(first.status).toBe(200);
      // The window ends (moved into the past instead of waiting 30 s).
      await t.server
        .db('refresh_tokens')
        .where({ token_hash: sha256(auth.refreshToken) })
        .update({ grace_until: new Date(Date.now() - 1000) });
      const replay = await refresh(t, auth.refreshToken);
      expect(replay.status).toBe(401);
      expect(replay.body.error).toEqual({
        code: 'unauthorized',
        message: 'Invalid or expired refresh token',
      });
      expect((await refresh(t, first.body.refreshToken)).status).toBe(401);
    });

    it('does not let repeats stretch the window: it ends when it was set to, however often it is used', async () => {
      const { auth } = await signIn(short);
      const first = await refresh(short, auth.refreshToken);
      expect(first.status).toBe(200);
      // Repeat every 250 ms: a window renewed by each repeat would never end.
      let answer = await refresh(short, auth.refreshToken);
      expect(answer.status).toBe(200); // within the window
      for (let i = 0; i < 80 && answer.status === 200; i += 1) {
        expect(answer.body.refreshToken).toBe(first.body.refreshToken);
        await pause(250);
        answer = await refresh(short, auth.refreshToken);
      }
      expect(answer.status).toBe(401);
      // That was reuse: the family is gone.
      expect((await refresh(short, first.body.refreshToken)).status).toBe(401);
    });

    it('forgets the kept successor once the window is over', async () => {
      const { auth } = await signIn(short);
      expect((await refresh(short, auth.refreshToken)).status).toBe(200);
      expect((await tokenRow(short, auth.refreshToken)).successor_sealed).not.toBeNull();
      await pause(2100);
      // Any later rotation sweeps ended windows.
      const other = await signIn(short);
      expect((await refresh(short, other.auth.refreshToken)).status).toBe(200);
      expect((await tokenRow(short, auth.refreshToken)).successor_sealed).toBeNull();
    });

    it('gives nothing back once the successor moved on: a repeat then is reuse', async () => {
      const { auth } = await signIn(t);
      const first = await refresh(t, auth.refreshToken);
      const second = await refresh(t, first.body.refreshToken);
      expect(second.status).toBe(200);
      expect((await refresh(t, auth.refreshToken)).status).toBe(401);
      expect((await refresh(t, second.body.refreshToken)).status).toBe(401);
    });

    it('gives nothing back after sign-out, and clears the kept successor', async () => {
      const { auth } = await signIn(t);
      const first = await refresh(t, auth.refreshToken);
      const out = await client(t.url).post('/v1/auth/logout', {
        body: { refreshToken: first.body.refreshToken },
      });
      expect(out.status).toBe(204);
      expect((await tokenRow(t, auth.refreshToken)).successor_sealed).toBeNull();
      expect((await refresh(t, auth.refreshToken)).status).toBe(401);
    });
  });
}
