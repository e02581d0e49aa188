import { defineConfig } from 'tsup';

export default defineConfig({
  // `server` is the Node-only entry (`@synctalk/sdk/server`); the root entry stays browser-safe.
  entry: {
    index: 'src/index.ts',
    'server/index': 'src/server/index.ts',
    // `schemas` (`@synctalk/sdk/schemas`): the zod wire schemas the protocol types are inferred from.
    'schemas/index': 'src/schemas/index.ts',
  },
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'es2020',
});
