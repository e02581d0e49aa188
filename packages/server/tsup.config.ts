import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/main.ts', 'src/index.ts'],
  format: ['esm'],
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  clean: true,
  // The protocol package is bundled in (from source), so the server runs without building the SDK first.
  noExternal: ['@synctalk/sdk'],
  esbuildOptions(options) {
    options.conditions = ['@synctalk/source'];
  },
});
