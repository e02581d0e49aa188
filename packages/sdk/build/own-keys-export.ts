/**
 * A tsup plugin for bundles that run in other people's pages (the SDK's browser builds, the widget):
 * esbuild's `__export` helper, which fills module namespace objects, walks only the object's own keys.
 *
 * esbuild makes a namespace object wherever a module is imported as a whole (the SDK's dynamic `import()`s
 * of its Kakao flow and storage, socket.io-client's `import * as parser`), filled at startup by
 * `for (var name in all)` over an object literal. That loop also walks `Object.prototype`, so on a page whose
 * old scripts added an enumerable property there (`Object.prototype.polluted = 'yes'`) it defined a
 * "getter" that was a string, and the whole bundle threw while loading. `Object.keys` gives the same names on
 * a clean page. The helper is matched written out or minified (`for(var b in a)d(c,b,{get:a[b],…})`); the
 * build fails if a chunk still has such a loop afterwards, or if an unminified chunk has the helper and it
 * was not rewritten (esbuild writing it differently one day).
 *
 * @example
 * ```ts
 * // tsup.config.ts
 * export default defineConfig({ entry: ['src/index.ts'], platform: 'browser', plugins: [ownKeysExport()] });
 * ```
 */
import type { Options } from 'tsup';

type TsupPlugin = NonNullable<Options['plugins']>[number];

const LOOP =
  /for\s*\(var ([\w$]+) in ([\w$]+)\)(\s*)([\w$]+)\(([\w$]+),\s*\1,\s*\{\s*get:\s*\2\[\1\],\s*enumerable:\s*(true|!0)\s*\}\)/g;
const ANY_LOOP = /for\s*\(var ([\w$]+) in ([\w$]+)\)\s*[\w$]+\([\w$]+,\s*\1,\s*\{\s*get:\s*\2\[\1\]/;

export function ownKeysExport(): TsupPlugin {
  return {
    name: 'synctalk-own-keys-export',
    renderChunk(code) {
      const out = code.replace(
        LOOP,
        'for (var $1 of Object.keys($2))$3$4($5, $1, { get: $2[$1], enumerable: $6 })',
      );
      if (ANY_LOOP.test(out) || (code.includes('var __export = ') && out === code)) {
        throw new Error('ownKeysExport: esbuild’s __export helper changed; update the plugin');
      }
      return out === code ? undefined : { code: out };
    },
  };
}
