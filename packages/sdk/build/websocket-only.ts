/**
 * The esbuild plugin of the SDK's browser builds (dist/web, dist/browser) and of the widget bundle, which
 * imports it from here: in browsers the SDK connects over WebSocket only (its default transport, which needs no
 * sticky sessions behind a load balancer), and SyncTalk's events carry JSON only. So under socket.io-client:
 *
 * - its engine (the `Manager`'s `Engine`, its URL parser) is src/client/realtime/transport/websocket-engine.ts
 *   instead of engine.io-client: Engine.IO over WebSocket with text packets (transport/text-packets.ts), the
 *   same protocol, without HTTP long-polling, WebTransport, transport upgrades or binary frames; URLs are parsed
 *   by transport/url-parts.ts, over the platform's `URL`. The transport classes socket.io-client re-exports for
 *   apps that choose their own are left undefined (the SDK imports only `io`);
 * - its packet parser is the JSON-only one of transport/json-parser.ts instead of socket.io-parser (the same
 *   wire format, without binary attachments);
 * - the SDK's connection checks `connect({ transports })` with transport/websocket-transports.ts instead of
 *   transport/transports.ts: anything but `['websocket']` is refused with `validation_failed`, where the full
 *   socket.io-client would have used it.
 *
 * Node builds keep the real socket.io-client with every transport.
 */
import { fileURLToPath } from 'node:url';
import type { Plugin } from 'esbuild';

const transportFile = (name: string) =>
  fileURLToPath(new URL(`../src/client/realtime/transport/${name}.ts`, import.meta.url));

/**
 * The plugin; add it to a bundling build for browsers (socket.io-client bundled, not external).
 *
 * @example
 * ```ts
 * // tsup.config.ts
 * export default defineConfig({ entry: ['src/index.ts'], platform: 'browser', esbuildPlugins: [websocketOnly()] });
 * ```
 */
export function websocketOnly(): Plugin {
  const jsonParser = transportFile('json-parser');
  const engine = transportFile('websocket-engine');
  const transports = transportFile('websocket-transports');
  const fromSocketIo = /socket\.io-client[\\/]build[\\/]esm[\\/]/;
  return {
    name: 'synctalk-websocket-only',
    setup(build) {
      // socket.io-client's engine (its Manager's `Engine`, its URL parser) → the WebSocket-only one. Its entry
      // point only re-exports engine.io-client's transport classes, which nothing here uses.
      build.onResolve({ filter: /^engine\.io-client$/ }, (args) =>
        !fromSocketIo.test(args.importer)
          ? undefined
          : /[\\/]index\.js$/.test(args.importer)
            ? { path: 'transports', namespace: 'synctalk-unused-transport' }
            : { path: engine },
      );
      // socket.io-client's packet parser → the JSON-only one (same wire format, no binary attachments).
      build.onResolve({ filter: /^socket\.io-parser$/ }, (args) =>
        fromSocketIo.test(args.importer) ? { path: jsonParser } : undefined,
      );
      build.onLoad({ filter: /.*/, namespace: 'synctalk-unused-transport' }, () => ({
        contents:
          'export const Fetch = undefined, NodeXHR = undefined, XHR = undefined, NodeWebSocket = undefined,\n' +
          '  WebSocket = undefined, WebTransport = undefined;\n',
        loader: 'js',
      }));
      // The connection's choice of transports → WebSocket only.
      build.onResolve({ filter: /^\.\/transport\/transports\.js$/ }, (args) =>
        /[\\/]sdk[\\/]src[\\/]client[\\/]realtime[\\/]connection\.ts$/.test(args.importer)
          ? { path: transports }
          : undefined,
      );
    },
  };
}
