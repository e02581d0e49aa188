import { fileURLToPath } from 'node:url';
import { defineProject } from 'vitest/config';

const sdk = (path: string) => fileURLToPath(new URL(`../sdk/src/${path}`, import.meta.url));

/**
 * The widget in a real browser (Debian's Chromium through playwright-core) against real server nodes on
 * PostgreSQL and the Redis Cluster. Run after a build (`npm test` builds first): the nodes serve dist/widget.js.
 */
export default defineProject({
  resolve: {
    // The server test helpers run the server and the SDK from source, as the server's own tests do.
    alias: [
      { find: /^@synctalk\/sdk$/, replacement: sdk('index.ts') },
      { find: /^@synctalk\/sdk\/protocol$/, replacement: sdk('protocol/index.ts') },
      { find: /^@synctalk\/sdk\/realtime$/, replacement: sdk('client/realtime/index.ts') },
      { find: /^@synctalk\/sdk\/server$/, replacement: sdk('server/index.ts') },
      { find: /^@synctalk\/sdk\/schemas$/, replacement: sdk('schemas/index.ts') },
    ],
  },
  test: {
    name: 'widget-browser',
    include: ['test/browser/**/*.test.ts'],
    environment: 'node',
    globalSetup: ['test/browser/global-setup.ts'],
    pool: 'forks',
    // One file at a time: each starts server nodes and a browser, and the CI machine has two cores.
    fileParallelism: false,
    testTimeout: 90_000,
    hookTimeout: 90_000,
  },
});
