import { fileURLToPath } from 'node:url';
import { defineProject } from 'vitest/config';

const sdk = (path: string) => fileURLToPath(new URL(`../sdk/src/${path}`, import.meta.url));

export default defineProject({
  resolve: {
    // Tests run the SDK from source, as the bundled server does.
    alias: [
      { find: /^@synctalk\/sdk$/, replacement: sdk('index.ts') },
      { find: /^@synctalk\/sdk\/protocol$/, replacement: sdk('protocol/index.ts') },
      { find: /^@synctalk\/sdk\/realtime$/, replacement: sdk('client/realtime/index.ts') },
      { find: /^@synctalk\/sdk\/server$/, replacement: sdk('server/index.ts') },
      { find: /^@synctalk\/sdk\/schemas$/, replacement: sdk('schemas/index.ts') },
    ],
  },
  test: {
    name: 'server',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // Failover tests kill Redis masters and server processes and watch timing: they run afterwards, alone
    // (vitest.failover.config.ts), so the parallel suite's load does not decide their outcome; so do the chaos
    // scenarios (vitest.chaos.config.ts).
    exclude: ['test/**/*-failover.test.ts', 'test/chaos/**', '**/node_modules/**'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Each file gets its own database; files run in parallel processes.
    pool: 'forks',
  },
});
