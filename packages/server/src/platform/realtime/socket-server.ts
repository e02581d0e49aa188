/**
 * The Socket.IO server. Fan-out across nodes goes through the adapter the shared store provides (sharded or
 * classic Redis adapter), or Socket.IO's in-memory adapter on a single node. Browser origins are checked
 * before any transport is opened (`allowRequest`, and CORS headers for long-polling); the `/chat` namespace
 * (chat/chat.ts) authenticates each connection.
 *
 * The server is created unattached so domains can hold it while routes are declared; `attach(http)` binds
 * it to the HTTP server once that exists.
 */
import type { IncomingMessage } from 'node:http';
import { Server } from 'socket.io';
import { WebSocketServer, type ServerOptions } from 'ws';
import type { SharedStore } from '../redis.js';

/**
 * The websocket server engine.io runs on, reading one message of a connection per turn of the event loop
 * (`ws`'s `allowSynchronousEvents: false`). A client's TCP read can hold hundreds of small messages (64 KiB
 * of a flood held 400–500 events); read at once, the whole read would be decoded and dispatched in one
 * synchronous stretch of 10–20 ms before the event budget (checked per event) refuses any of it, and
 * everyone else on the node would wait that long. One message per turn lets other connections' reads,
 * timers and database answers in between: a stretch is one event long. Messages of one connection keep
 * their order.
 */
class OneMessagePerTurn extends WebSocketServer {
  constructor(options: ServerOptions) {
    super({ ...options, allowSynchronousEvents: false });
  }
}

/**
 * The largest frame a client may send (Socket.IO's `maxHttpBufferSize`; a larger websocket message closes
 * the connection). Sized for the largest valid event, a message of `maxTextLength` characters: at most 4
 * bytes each in UTF-8, times 3 for text sent decomposed (NFD) that normalization composes, plus room for
 * the other fields; never below 64 KiB. The default 4,000 characters give 64 KiB.
 */
export function maxFrameBytes(maxTextLength: number): number {
  return Math.max(64 * 1024, maxTextLength * 12 + 16 * 1024);
}

export interface RealtimeOptions {
  store: SharedStore;
  /** MESSAGE_MAX_LENGTH, which sizes the frame limit (`maxFrameBytes`). */
  maxTextLength: number;
  /**
   * Whether a browser Origin may connect at all (requests without one, e.g. from Node, always may); `req`
   * tells the server's own origin.
   */
  isOriginAllowed: (origin: string, req: IncomingMessage) => Promise<boolean>;
  /** Socket.IO's engine path. */
  path?: string;
  /** Called when an origin check fails unexpectedly (database down). */
  onError?: (error: unknown) => void;
}

/**
 * The Socket.IO server, typed as the caller's `S` (its event maps and socket data: the domains' contract,
 * which the platform does not know).
 */
export function createRealtime<S extends Server = Server>(options: RealtimeOptions): S {
  const adapter = options.store.socketAdapter();
  const check = (req: IncomingMessage, done: (allowed: boolean) => void) => {
    const origin = req.headers.origin;
    if (!origin) return done(true);
    options.isOriginAllowed(origin, req).then(done, (error: unknown) => {
      options.onError?.(error);
      done(false);
    });
  };
  const io = new Server({
    path: options.path ?? '/socket.io',
    serveClient: false,
    wsEngine: OneMessagePerTurn,
    // Frame ceiling, checked before parsing; application limits are checked per event.
    maxHttpBufferSize: maxFrameBytes(options.maxTextLength),
    ...(adapter ? { adapter } : {}),
    // Websocket upgrades are not subject to CORS, so the origin is checked here for every transport.
    allowRequest: (req, callback) =>
      check(req, (allowed) => callback(allowed ? null : 'Origin not allowed', allowed)),
    // Long-polling from a browser needs CORS headers on each request (the request is an IncomingMessage).
    cors: (req, callback) =>
      check(req as IncomingMessage, (allowed) => callback(null, { origin: allowed, credentials: true })),
  });
  return io as S;
}
