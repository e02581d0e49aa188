/**
 * Fuzzes every operation the server's OpenAPI document declares (so a new route is fuzzed without editing
 * this file): generated requests with valid, mutated and hostile path parameters, queries, credentials, site
 * and origin headers, content types and bodies. No answer may be a 5xx, every error must have the one shape
 * with a known code, nothing may be logged at level error, and after each route's batch the server must still
 * pass its health checks.
 *
 * FUZZ_SEED replays a run (a failure names it); FUZZ_SCALE multiplies the number of runs.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { testEnv } from '../helpers/env.js';
import { request } from '../helpers/http.js';
import { describeWith } from '../helpers/services.js';
import { useServer } from '../helpers/use-server.js';
import { toOpenApiPath } from '../../src/platform/openapi.js';
import type { Json } from './arbitraries.js';
import { FUZZ_ENV, fuzzWorld, worldHints, type FuzzWorld } from './fuzz-world.js';
import { assertFuzz, expectHealthy, expectNoServerError, failureWatch, preview } from './oracles.js';
import {
  operationsOf,
  render,
  requestArbitrary,
  strayRequestArbitrary,
  type Operation,
  type RequestParts,
} from './rest-requests.js';

/**
 * Runs per operation, of one request or (a quarter of them) two or three at once: 52 operations make some
 * 8,900 requests.
 */
const RUNS_PER_OPERATION = Math.round(130 * testEnv.fuzzScale);
const STRAY_REQUESTS = Math.round(300 * testEnv.fuzzScale);

describeWith(
  ['postgres', 'redisCluster'],
  'fuzz: every REST route answers hostile requests without a server error',
  () => {
    const { t } = useServer({
      label: 'fuzz_rest',
      logs: true,
      env: FUZZ_ENV,
      services: ['postgres', 'redisCluster'],
    });
    let doc: Json;
    let world: FuzzWorld;
    let watch: ReturnType<typeof failureWatch>;
    /** Requests sent per operation (`GET /v1/rooms/{id}`), and those a route of the server answered. */
    const sent = new Map<string, number>();
    const routed = new Map<string, number>();

    beforeAll(async () => {
      const res = await request(t.url, 'GET', '/v1/openapi.json');
      expect(res.status).toBe(200);
      doc = res.body;
      world = await fuzzWorld(t);
      watch = failureWatch(t.logs);
    });
    afterAll(() => watch?.stop());

    const fuzz = async (op: Operation, part: number) => {
      const key = `${op.method.toUpperCase()} ${op.path}`;
      await world.refresh();
      const spec = t.server.api.specs.find(
        (r) => r.method === op.method && toOpenApiPath(r.path) === op.path,
      );
      const one = requestArbitrary(op, doc, worldHints(world));
      // A quarter of the runs send two or three requests at once: races (two joins, a join and a leave…).
      const arbitrary = fc.oneof(
        { weight: 3, arbitrary: one.map((parts) => [parts]) },
        { weight: 1, arbitrary: fc.array(one, { minLength: 2, maxLength: 3 }) },
      );
      await assertFuzz(
        fc.asyncProperty(arbitrary, async (batch: RequestParts[]) => {
          const requests = batch.map((parts) => ({ parts, req: render(op, parts, world) }));
          const answers = await Promise.all(
            requests.map(({ req }) =>
              request(t.url, req.method, req.path, { headers: req.headers, rawBody: req.body }),
            ),
          );
          for (const [i, { parts, req }] of requests.entries()) {
            const res = answers[i]!;
            const where = `${req.method} ${preview(req.path, 200)} (${key})`;
            sent.set(key, (sent.get(key) ?? 0) + 1);
            const unrouted = res.status === 404 && /^No route for /.test(res.body?.error?.message ?? '');
            if (!unrouted && parts.method === op.method) routed.set(key, (routed.get(key) ?? 0) + 1);
            watch.check(where);
            expectNoServerError(res, where);
            // A success answers with the operation's response schema (unless an empty parameter, or dot segments
            // the client resolves, made it another route's request).
            const sentPath = req.path.split('?')[0]!;
            const asSent =
              new URL(`${t.url}${sentPath}`).pathname === sentPath &&
              Object.values(parts.params).every(Boolean);
            if (
              res.status < 300 &&
              res.status !== 204 &&
              spec?.response &&
              parts.method === op.method &&
              asSent
            ) {
              const parsed = spec.response.safeParse(res.body);
              if (!parsed.success)
                throw new Error(
                  `${where}: ${res.status} not the documented response: ${preview(parsed.error.issues)} ${preview(res.body)}`,
                );
            }
          }
        }),
        part,
        RUNS_PER_OPERATION,
      );
      await expectHealthy(t.url);
      watch.check(`after the batch of ${key}`);
    };

    it(`sends ${RUNS_PER_OPERATION}+ generated requests to every operation of the OpenAPI document`, async () => {
      const operations = operationsOf(doc);
      // The document lists every declared route (and the health checks): a route missing here is not fuzzed.
      expect(operations.length).toBeGreaterThanOrEqual(t.server.api.specs.length);
      for (const [i, op] of operations.entries()) await fuzz(op, i);

      const keys = operations.map((op) => `${op.method.toUpperCase()} ${op.path}`);
      expect([...sent.keys()].sort()).toEqual([...keys].sort());
      for (const key of keys) expect(sent.get(key), key).toBeGreaterThanOrEqual(RUNS_PER_OPERATION);
      // Every route was reached, not only the "no route" fallback.
      for (const key of keys) expect(routed.get(key) ?? 0, key).toBeGreaterThan(0);
    }, 600_000);

    it(`answers ${STRAY_REQUESTS} requests for paths no operation declares`, async () => {
      await assertFuzz(
        fc.asyncProperty(strayRequestArbitrary(), async (req) => {
          const res = await request(t.url, req.method, req.path, { headers: req.headers, rawBody: req.body });
          const where = `${req.method} ${preview(req.path, 200)}`;
          watch.check(where);
          // Engine.IO answers its own protocol errors in its own shape ({ code: 0, message }).
          if (new URL(`${t.url}${req.path}`).pathname.startsWith('/socket.io/'))
            expect(res.status, where).toBeLessThan(500);
          else expectNoServerError(res, where);
        }),
        -1,
        STRAY_REQUESTS,
      );
      await expectHealthy(t.url);
      watch.check('after the stray requests');
    }, 600_000);
  },
);
