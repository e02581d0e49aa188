/**
 * `describeWith(['postgres', 'redisCluster'], name, fn)`: runs the suite when the services answer, skips it
 * with the reason in its name when they do not (the global setup already failed the run if they were
 * required).
 */
import { describe, inject } from 'vitest';

export type Service = 'postgres' | 'redisCluster';

export function serviceStatus() {
  return inject('services');
}

export function describeWith(needs: Service[], name: string, fn: () => void): void {
  const status = serviceStatus();
  const missing = needs.filter((s) => !status[s].ok).map((s) => status[s].reason);
  if (missing.length === 0) describe(name, fn);
  else describe.skip(`${name} [skipped: ${missing.join('; ')}]`, fn);
}
