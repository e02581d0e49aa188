import { defineProject } from 'vitest/config';
import base from './vitest.config.js';

// The chaos scenarios (test/chaos): live traffic on server nodes while Redis, PostgreSQL or a node is broken
// on purpose; one file at a time, after the failover tests (see the root "test" script). `npm run chaos`
// runs them with more traffic.
export default defineProject({
  resolve: base.resolve,
  test: {
    name: 'server-chaos',
    include: ['test/chaos/**/*.chaos.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 240_000,
    hookTimeout: 180_000,
    pool: 'forks',
    fileParallelism: false,
  },
});
