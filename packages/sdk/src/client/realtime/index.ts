/**
 * `@synctalk/sdk/realtime`: the `Connection` class as a value, for code that needs the class itself (e.g.
 * `instanceof Connection`). `client.connect()` loads this part on first use, so the root entry exports the
 * class as a type only; its events and options are types of the root entry.
 */
export { Connection } from './connection.js';
