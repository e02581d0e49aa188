/**
 * The Socket.IO server. Fan-out across nodes goes through the adapter the shared store provides (sharded or
 * classic Redis adapter), or Socket.IO's in-memory adapter on a single node. Browser origins are checked
 * before any transport is opened (`allowRequest`, and CORS headers for long-polling); the `/chat` namespace
 * (src/realtime/) authenticates each connection.
 *
 * The server is created unattached so domains can hold it while routes are declared; `attach(http)` binds
 * it to the HTTP server once that exists.
 */
import { Server } from 'socket.io';
import type { ChatServer } from '../realtime/types.js';
import type { SharedStore } from './redis.js';

export interface RealtimeOptions {
  store: SharedStore;
  /** Whether a browser Origin may connect at all (requests without one, e.g. from Node, always may). */
  isOriginAllowed: (origin: string) => Promise<boolean>;
  /** Socket.IO's engine path. */
  path?: string;
  /** Called when an origin check fails unexpectedly (database down). */
  onError?: (error: unknown) => void;
}

export function createRealtime(options: RealtimeOptions): ChatServer {
  const adapter = options.store.socketAdapter();
  const check = (origin: string | undefined, done: (allowed: boolean) => void) => {
    if (!origin) return done(true);
    options.isOriginAllowed(origin).then(done, (error: unknown) => {
      options.onError?.(error);
      done(false);
    });
  };
  const io: ChatServer = new Server({
    path: options.path ?? '/socket.io',
    serveClient: false,
    // Payload ceiling per message; application limits are checked per event.
    maxHttpBufferSize: 256 * 1024,
    ...(adapter ? { adapter } : {}),
    // Websocket upgrades are not subject to CORS, so the origin is checked here for every transport.
    allowRequest: (req, callback) =>
      check(req.headers.origin, (allowed) => callback(allowed ? null : 'Origin not allowed', allowed)),
    // Long-polling from a browser needs CORS headers on each request.
    cors: {
      origin: (origin, callback) => check(origin, (allowed) => callback(null, allowed)),
      credentials: true,
    },
  });
  return io;
}
