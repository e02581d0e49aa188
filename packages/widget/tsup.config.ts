import { readFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { basename, isAbsolute } from 'node:path';
import { defineConfig, type Options } from 'tsup';
import { websocketOnly } from '../sdk/build/websocket-only.js';
import {
  compactTemplates,
  cssText,
  litTrustedTypesPolicy,
  staticConnection,
  withoutRoomIterators,
  withoutStorage,
} from './build/esbuild-plugins.js';
import { ownKeysExport } from '../sdk/build/own-keys-export.js';
import { slimSocket } from './build/slim-socket.js';

const { version } = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as {
  version: string;
};

const shared: Options = {
  platform: 'browser',
  // Browsers from 2021 on (Chrome 94, Safari 15.4, Firefox 93): native class fields keep the bundle small.
  target: 'es2022',
  define: { __WIDGET_VERSION__: JSON.stringify(version) },
  esbuildPlugins: [
    cssText(),
    compactTemplates(/[\\/]src[\\/]ui[\\/][^\\/]+\.ts$/),
    websocketOnly(),
    staticConnection(),
    withoutStorage(),
    withoutRoomIterators(),
  ],
  // Namespace objects filled over own keys only: junk on a host's Object.prototype cannot break loading.
  plugins: [ownKeysExport()],
  esbuildOptions(options) {
    // The SDK is bundled from source (no build of it needed first).
    options.conditions = ['@synctalk/source'];
  },
};

export default defineConfig([
  // The script-tag bundle: everything in one file (SDK, socket.io-client, lit-html), served as /widget.js.
  {
    ...shared,
    entry: { widget: 'src/global.ts' },
    format: ['iife'],
    // Its own Trusted Types policy name (hosts allow it with `trusted-types synctalk`), apart from any Lit
    // of the host page's.
    esbuildPlugins: [...(shared.esbuildPlugins ?? []), litTrustedTypesPolicy('synctalk'), slimSocket()],
    outExtension: () => ({ js: '.js' }),
    // terser after esbuild: about 1 KB less gzipped than esbuild's minifier alone.
    minify: 'terser',
    terserOptions: {
      ecma: 2020,
      compress: {
        passes: 3,
        // Reading a property has no side effect anywhere in this bundle (no getter with one is relied on, no
        // layout-forcing read whose result is dropped), so unused reads may go.
        pure_getters: true,
      },
      // socket.io-client and the WebSocket engine under it keep their internals in `_name` properties, only
      // ever accessed by name in this bundle (no wire or DOM property starts with `_` and a letter): short
      // names for them.
      mangle: { toplevel: true, properties: { regex: /^_[a-z]/ } },
      toplevel: true,
      // A map of terser's output, which the build chains onto esbuild's (so widget.js.map maps to the sources).
      sourceMap: true,
    },
    sourcemap: true,
    clean: true,
    noExternal: [/.*/],
    // The chained map names the intermediate bundle by its absolute path (for the few bytes no source
    // produced): name it by its file name and leave its text out.
    async onSuccess() {
      const file = new URL('./dist/widget.js.map', import.meta.url);
      const map = JSON.parse(await readFile(file, 'utf8')) as {
        sources: string[];
        sourcesContent?: (string | null)[];
      };
      map.sources.forEach((source, i) => {
        if (!isAbsolute(source)) return;
        map.sources[i] = basename(source);
        if (map.sourcesContent) map.sourcesContent[i] = null;
      });
      await writeFile(file, JSON.stringify(map));
    },
  },
  // The queue stub hosts may paste before the script arrives (< 1 KB).
  {
    ...shared,
    entry: { loader: 'src/loader.ts' },
    format: ['iife'],
    outExtension: () => ({ js: '.js' }),
    minify: true,
  },
  // ESM for bundlers: the element and the embed API; the SDK and lit-html stay dependencies.
  {
    ...shared,
    entry: { index: 'src/index.ts' },
    format: ['esm'],
    dts: true,
    sourcemap: true,
    external: ['@synctalk/sdk', /^lit-html/],
  },
]);
