/**
 * `describeBrowser(name, fn)`: a suite that needs Chromium, PostgreSQL and the Redis Cluster; skipped with
 * the reason in its name when one is missing (the global setup already failed the run if they were
 * required).
 */
import { describe, inject } from 'vitest';
import { describeWith } from '../../../../server/test/helpers/services.js';

export function describeBrowser(name: string, fn: () => void): void {
  const chromium = inject('chromium');
  if (!chromium.ok) describe.skip(`${name} [skipped: ${chromium.reason}]`, fn);
  else describeWith(['postgres', 'redisCluster'], name, fn);
}

/** `expect.poll` options for what the widget shows after a network round trip. */
export const POLL = { timeout: 15_000, interval: 100 };
