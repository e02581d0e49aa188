import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      'packages/sdk',
      'packages/server',
      'packages/server/vitest.failover.config.ts',
      'packages/widget',
      'packages/widget/vitest.browser.config.ts',
    ],
  },
});
