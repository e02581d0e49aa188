import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      'packages/sdk',
      'packages/server',
      'packages/server/vitest.failover.config.ts',
      'packages/server/vitest.chaos.config.ts',
      'packages/widget',
      'packages/widget/vitest.browser.config.ts',
    ],
    // The last lines of a run name every group of tests skipped for a missing service, and why.
    reporters: ['default', './packages/server/test/skip-summary-reporter.ts'],
  },
});
