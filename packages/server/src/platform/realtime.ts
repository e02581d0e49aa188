/**
 * The Socket.IO server and its `/chat` namespace. Fan-out across nodes goes through the adapter the shared
 * store provides (sharded or classic Redis adapter), or Socket.IO's in-memory adapter on a single node.
 */
import type { Server as HttpServer } from 'node:http';
import { Server } from 'socket.io';
import type { SharedStore } from './redis.js';

export interface RealtimeOptions {
  store: SharedStore;
  /** Socket.IO's engine path. */
  path?: string;
}

export function createRealtime(http: HttpServer, options: RealtimeOptions): Server {
  const adapter = options.store.socketAdapter();
  const io = new Server(http, {
    path: options.path ?? '/socket.io',
    serveClient: false,
    // Payload ceiling per message; application limits are checked per event.
    maxHttpBufferSize: 256 * 1024,
    ...(adapter ? { adapter } : {}),
  });
  return io;
}
