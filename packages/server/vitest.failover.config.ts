import { defineProject } from 'vitest/config';
import base from './vitest.config.js';

// The failover tests, run one file at a time after the main suite (see the root "test" script).
export default defineProject({
  resolve: base.resolve,
  test: {
    name: 'server-failover',
    include: ['test/**/*-failover.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    fileParallelism: false,
  },
});
