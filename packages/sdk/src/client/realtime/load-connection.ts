/**
 * How `client.connect()` gets the `Connection` class: a dynamic `import()`, so bundlers that split code put
 * the realtime part (socket.io-client included) in its own chunk, loaded on the first `connect()`. Apps that
 * only call the REST API never download it. (A build that makes one file anyway, like the widget's, may
 * substitute a static import for this module.)
 */
import type { Connection } from './connection.js';

/**
 * Loads the realtime part and resolves with its `Connection` class.
 *
 * @example
 * ```ts
 * const Connection = await loadConnection();
 * const connection = new Connection({ endpoints, session, site, fetchHistory });
 * ```
 */
export async function loadConnection(): Promise<typeof Connection> {
  return (await import('./connection.js')).Connection;
}
