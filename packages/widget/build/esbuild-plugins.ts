/**
 * Build-time plugins for the widget bundle. (The one that gives socket.io-client a WebSocket-only engine and a
 * JSON-only parser, `websocketOnly`, is the SDK's browser builds' too: packages/sdk/build/websocket-only.ts.)
 *
 * - `cssText`: `import css from './x.css'` gives the file's CSS as a minified string (for constructable
 *   stylesheets), so styles are written as CSS and cost no runtime parsing beyond `replaceSync`.
 * - `compactTemplates`: the UI's lit-html templates lose their indentation (runs of whitespace that
 *   start a line become one space, which HTML treats the same).
 * - `staticConnection`: the SDK's `connect()` gets its `Connection` class through a dynamic `import()` (a
 *   separate chunk where bundles are split); in the one-file widget that import is made static
 *   (src/transport/static-connection.ts), which spares the lazy-initialisation wrappers esbuild would put
 *   around every realtime module.
 * - `withoutStorage`: the widget never gives the SDK a `storage` (it keeps its session itself), so the SDK's
 *   connection gets a stub of its one door onto storage (realtime/persistence.ts: outbox persistence and
 *   remembered room positions), which would never be called, and leaves that code out.
 * - `withoutRoomIterators`: the widget pages the directory and my rooms itself (`rooms.list`, `rooms.myRooms`)
 *   and its bundle exposes no client, so nothing can call `client.rooms.iterate…`: the SDK's rooms API gets an
 *   empty set of iterators (rest/rooms-iterate.ts, and the async generator of rest/paging.ts, are left out).
 *   If the SDK lays these files out differently the plugin matches nothing and the build is unchanged.
 * - `litTrustedTypesPolicy(name)`: the bundled lit-html's Trusted Types policy is named `name` instead of
 *   `lit-html`, and a refusal to create it no longer throws. lit-html creates its policy when its module is
 *   evaluated, so under `trusted-types` without that name, or on a host whose own Lit already made a
 *   `lit-html` policy (a duplicate, refused without 'allow-duplicates'), the whole widget.js used to die
 *   before defining anything. Its own name keeps it apart from the host's Lit and says in the host's policy
 *   who the policy is for; without the policy lit-html passes plain strings, which works wherever Trusted
 *   Types are not enforced. The build fails if lit-html's call is not found exactly once.
 */
import { readFile } from 'node:fs/promises';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { transform, type Plugin } from 'esbuild';

export function cssText(): Plugin {
  return {
    name: 'synctalk-css-text',
    setup(build) {
      // Claimed at resolution, under a path no other CSS handling matches (tsup would extract CSS files).
      build.onResolve({ filter: /\.css$/ }, (args) => ({
        // Named relative to the package, so no machine path reaches the source map.
        path: `${relative(process.cwd(), resolve(args.resolveDir, args.path))}?text`,
        namespace: 'synctalk-css',
      }));
      build.onLoad({ filter: /.*/, namespace: 'synctalk-css' }, async (args) => {
        const source = await readFile(resolve(args.path.replace(/\?text$/, '')), 'utf8');
        const { code } = await transform(source, { loader: 'css', minify: true });
        return { contents: `export default ${JSON.stringify(code.trim())};`, loader: 'js' };
      });
    },
  };
}

export function compactTemplates(filter: RegExp): Plugin {
  return {
    name: 'synctalk-compact-templates',
    setup(build) {
      build.onLoad({ filter }, async (args) => {
        const source = await readFile(args.path, 'utf8');
        // TypeScript to JavaScript first: no comments left, and every statement ends with a semicolon, so
        // joining lines changes only the whitespace inside template literals.
        const { code } = await transform(source, { loader: 'ts', format: 'esm', sourcefile: args.path });
        return { contents: code.replace(/\n\s+/g, ' '), loader: 'js', resolveDir: dirname(args.path) };
      });
    },
  };
}

export function staticConnection(): Plugin {
  const staticModule = fileURLToPath(new URL('../src/transport/static-connection.ts', import.meta.url));
  return {
    name: 'synctalk-static-connection',
    setup(build) {
      build.onResolve({ filter: /^\.\/realtime\/load-connection\.js$/ }, (args) =>
        /sdk[\\/]src[\\/]client[\\/]client\.ts$/.test(args.importer) ? { path: staticModule } : undefined,
      );
    },
  };
}

export function withoutStorage(): Plugin {
  return {
    name: 'synctalk-without-storage',
    setup(build) {
      build.onResolve({ filter: /^\.\/persistence\.js$/ }, (args) =>
        /[\\/]sdk[\\/]src[\\/]client[\\/]realtime[\\/]connection\.ts$/.test(args.importer)
          ? { path: 'persistence', namespace: 'synctalk-without-storage' }
          : undefined,
      );
      build.onLoad({ filter: /.*/, namespace: 'synctalk-without-storage' }, () => ({
        contents: 'export const openPersistence = () => Promise.resolve(undefined);\n',
        loader: 'js',
      }));
    },
  };
}

export function withoutRoomIterators(): Plugin {
  return {
    name: 'synctalk-without-room-iterators',
    setup(build) {
      build.onResolve({ filter: /^\.\/rooms-iterate\.js$/ }, (args) =>
        /[\\/]sdk[\\/]src[\\/]client[\\/]rest[\\/]rooms\.ts$/.test(args.importer)
          ? { path: 'rooms-iterate', namespace: 'synctalk-without-room-iterators' }
          : undefined,
      );
      build.onLoad({ filter: /.*/, namespace: 'synctalk-without-room-iterators' }, () => ({
        contents: 'export const roomIterators = () => ({});\n',
        loader: 'js',
      }));
    },
  };
}

export function litTrustedTypesPolicy(name: string): Plugin {
  // `factory.createPolicy('lit-html',` in lit-html's builds (minified or not).
  const call = /([\w$]+)\.createPolicy\(\s*(["'])lit-html\2\s*,/g;
  const helper = 'stPolicy';
  return {
    name: 'synctalk-lit-trusted-types-policy',
    setup(build) {
      build.onLoad(
        { filter: /[\\/]node_modules[\\/]lit-html[\\/](development[\\/])?lit-html\.js$/ },
        async (args) => {
          const source = await readFile(args.path, 'utf8');
          const found = source.match(call)?.length ?? 0;
          if (found !== 1 || source.includes(helper)) {
            throw new Error(
              `${args.path}: expected lit-html's createPolicy('lit-html', …) once (found ${found}) and no ${helper}: update litTrustedTypesPolicy`,
            );
          }
          // Padded to the call's length, so the columns after it (lit-html's module is one line) still match
          // lit-html's own source map; the helper goes on a line of its own before that map's comment.
          const patched = source.replace(call, (whole, factory: string) =>
            `${helper}(${factory},${JSON.stringify(name)},`.padEnd(whole.length),
          );
          const declaration = `function ${helper}(f,n,o){try{return f.createPolicy(n,o)}catch{}}\n`;
          const at = patched.search(/^\/\/# sourceMappingURL=/m);
          const contents =
            at < 0 ? `${patched}\n${declaration}` : patched.slice(0, at) + declaration + patched.slice(at);
          return { contents, loader: 'js', resolveDir: dirname(args.path) };
        },
      );
    },
  };
}
