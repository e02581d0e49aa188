/**
 * `describeWith(['postgres', 'redisCluster'], name, fn)`: runs the suite when the services answer. When one
 * does not, the suite is skipped with the reason in its name (`[skipped: needs the Redis Cluster: ...]`,
 * counted in the run's last lines by test/skip-summary-reporter.ts); with SYNCTALK_REQUIRE_SERVICES=1 it
 * fails instead, with the same reason.
 */
import { describe, inject, it } from 'vitest';
import { testEnv } from './env.js';

export type Service = 'postgres' | 'redisCluster';

export const serviceNames: Record<Service, string> = {
  postgres: 'PostgreSQL',
  redisCluster: 'the Redis Cluster',
};

export function serviceStatus() {
  return inject('services');
}

/** Why `needs` cannot run here (`needs X: reason; ...`), or undefined when every service answers. */
export function missingServices(needs: Service[]): string | undefined {
  const status = serviceStatus();
  const missing = needs
    .filter((s) => !status[s].ok)
    .map((s) => `needs ${serviceNames[s]}: ${status[s].reason}`);
  return missing.length === 0 ? undefined : missing.join('; ');
}

export function describeWith(needs: Service[], name: string, fn: () => void): void {
  const missing = missingServices(needs);
  if (missing === undefined) describe(name, fn);
  else if (testEnv.requireServices) {
    describe(name, () => {
      it(`[SYNCTALK_REQUIRE_SERVICES=1] ${missing}`, () => {
        throw new Error(`SYNCTALK_REQUIRE_SERVICES=1 but this suite ${missing}`);
      });
    });
  } else describe.skip(`${name} [skipped: ${missing}]`, fn);
}
