/**
 * `GET /healthz`: the process is up. `GET /readyz`: every dependency answers; otherwise 503 naming the one
 * that does not (load balancers take the node out of rotation until it recovers).
 */
import Router from '@koa/router';
import type { DatabaseHandle } from './database.js';
import type { SharedStore } from './redis.js';
import { describeError } from './retry.js';

export function healthRoutes(deps: {
  database: DatabaseHandle;
  store: SharedStore;
  isClosing: () => boolean;
}) {
  const router = new Router();
  router.get('/healthz', (ctx) => {
    ctx.body = { status: 'ok' };
  });
  router.get('/readyz', async (ctx) => {
    const checks = {
      database: deps.database.ping(2000),
      redis: deps.store.ping(2000),
    };
    const results = await Promise.allSettled(Object.values(checks));
    const names = Object.keys(checks);
    const failing = results
      .map((r, i) =>
        r.status === 'rejected' ? { dependency: names[i]!, reason: describeError(r.reason) } : null,
      )
      .filter((x) => x !== null);
    if (deps.isClosing()) failing.push({ dependency: 'server', reason: 'shutting down' });
    if (failing.length === 0) {
      ctx.body = { status: 'ready' };
      return;
    }
    ctx.status = 503;
    ctx.body = {
      error: {
        code: 'unavailable',
        message: `Not ready: ${failing.map((f) => f.dependency).join(', ')} unavailable`,
        details: failing,
      },
    };
  });
  return router;
}
