/**
 * A tsup plugin for the widget's bundles: esbuild's `__export` helper, which fills module namespace objects,
 * walks only the object's own keys.
 *
 * In a one-file bundle esbuild makes a namespace object wherever a module is imported as a whole (the SDK's
 * dynamic `import()`s of its Kakao flow and storage, socket.io-client's `import * as parser`), filled at
 * startup by `for (var name in all)` over an object literal. That loop also walks `Object.prototype`, so on a
 * host page whose old scripts added an enumerable property there (`Object.prototype.polluted = 'yes'`) it
 * defined a "getter" that was a string, and the whole widget threw while loading. `Object.keys` gives the
 * same names on a clean page. The build fails if esbuild writes the helper differently one day.
 */
import type { Options } from 'tsup';

type TsupPlugin = NonNullable<Options['plugins']>[number];

const HELPER = /(var __export = \(target, all\) => \{\s*)for \(var name in all\)/;

export function ownKeysExport(): TsupPlugin {
  return {
    name: 'synctalk-own-keys-export',
    renderChunk(code) {
      if (!code.includes('var __export = ')) return undefined;
      if (!HELPER.test(code))
        throw new Error('ownKeysExport: esbuild’s __export helper changed; update the plugin');
      return { code: code.replace(HELPER, '$1for (var name of Object.keys(all))') };
    },
  };
}
