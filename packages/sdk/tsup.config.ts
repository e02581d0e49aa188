import { defineConfig } from 'tsup';

export default defineConfig([
  {
    entry: {
      // The root entry: the protocol and the client. `connect()` loads the realtime part (its own chunk,
      // with socket.io-client) on first use.
      index: 'src/index.ts',
      // `protocol` (`@synctalk/sdk/protocol`): the error table, `SyncTalkError` and the protocol's types;
      // no socket.io-client, no zod at runtime.
      'protocol/index': 'src/protocol/index.ts',
      // `realtime` (`@synctalk/sdk/realtime`): the `Connection` class as a value.
      'realtime/index': 'src/client/realtime/index.ts',
      // `server` is the Node-only entry (`@synctalk/sdk/server`); the root entry stays browser-safe.
      'server/index': 'src/server/index.ts',
      // `schemas` (`@synctalk/sdk/schemas`): the zod wire schemas the protocol types are inferred from.
      'schemas/index': 'src/schemas/index.ts',
    },
    format: ['esm', 'cjs'],
    // Shared chunks in CommonJS too, so every entry has the same `SyncTalkError` and `Connection` classes
    // (`instanceof` holds across entries) and `connect()` requires the realtime chunk when first called.
    splitting: true,
    dts: true,
    sourcemap: true,
    // dist/browser is the second build's.
    clean: ['!browser/**'],
    target: 'es2022',
  },
  {
    // dist/browser/synctalk.js: the root entry for browsers without a bundler (`<script type="module">`),
    // socket.io-client bundled in and minified; the realtime part stays a chunk loaded by `connect()`.
    entry: { synctalk: 'src/index.ts' },
    outDir: 'dist/browser',
    format: ['esm'],
    platform: 'browser',
    splitting: true,
    noExternal: [/.*/],
    minify: true,
    sourcemap: true,
    clean: true,
    target: 'es2022',
  },
]);
