import { defineConfig } from 'tsup';
import { ownKeysExport } from './build/own-keys-export.js';
import { websocketOnly } from './build/websocket-only.js';

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
    // dist/web and dist/browser are the other builds'.
    clean: ['!web/**', '!browser/**'],
    target: 'es2022',
  },
  {
    // dist/web: the entries of the package's `browser` condition (what bundlers for browsers resolve), ESM.
    // In browsers the SDK connects over WebSocket only: socket.io-client is bundled in with the WebSocket-only
    // engine and the JSON-only parser in place of engine.io-client and socket.io-parser (build/websocket-only.ts).
    // The entries that share classes (`SyncTalkError`, `Connection`) are all here, so `instanceof` holds across
    // them; `connect()` still loads the realtime part (a chunk) on first use, the storage and Kakao popup chunks
    // load on demand. zod stays a dependency; the bundler that uses this build minifies it.
    entry: {
      index: 'src/index.ts',
      'protocol/index': 'src/protocol/index.ts',
      'realtime/index': 'src/client/realtime/index.ts',
    },
    outDir: 'dist/web',
    format: ['esm'],
    platform: 'browser',
    splitting: true,
    noExternal: [/^socket\.io-client$/],
    esbuildPlugins: [websocketOnly()],
    // Namespace objects filled over own keys only: junk on a page's Object.prototype cannot break loading.
    plugins: [ownKeysExport()],
    sourcemap: true,
    clean: true,
    target: 'es2022',
  },
  {
    // dist/browser/synctalk.js: the root entry for browsers without a bundler (`<script type="module">`),
    // socket.io-client bundled in (WebSocket only, as in dist/web) and minified; the realtime part stays a
    // chunk loaded by `connect()`.
    entry: { synctalk: 'src/index.ts' },
    outDir: 'dist/browser',
    format: ['esm'],
    platform: 'browser',
    splitting: true,
    noExternal: [/.*/],
    esbuildPlugins: [websocketOnly()],
    // Namespace objects filled over own keys only: junk on a page's Object.prototype cannot break loading.
    plugins: [ownKeysExport()],
    minify: true,
    sourcemap: true,
    clean: true,
    target: 'es2022',
  },
]);
