/**
 * The SDK's `loadConnection` for the widget bundle: the `Connection` class imported statically. The SDK loads
 * it with a dynamic `import()` so split bundles fetch socket.io-client only on `connect()`; the widget is one
 * file that connects at once, where that `import()` would only wrap every realtime module in a lazy
 * initialiser (about 0.8 KB gzipped). Swapped in at build time (build/esbuild-plugins.ts).
 */
import { Connection } from '@synctalk/sdk/realtime';

export async function loadConnection(): Promise<typeof Connection> {
  return Connection;
}
