/**
 * One TCP write per connection per tick. Engine.io hands a websocket connection's pending packets to its
 * transport in batches, and `ws` writes each packet as its own frame, each a system call of its own: 200
 * refusals answered to a flooding client, or a hot room's messages to one member, become 200 writes. While
 * a batch is written, the connection's TCP socket is corked, and uncorked at the end of the tick, so every
 * frame written in that tick leaves in one `writev`. Frames are not reordered, nor delayed past the current
 * tick unless held (below).
 *
 * `holdWrites` goes further for a connection being refused for flooding: its writes wait a few
 * milliseconds, so the answers to a flood read one event at a time leave together, not one write each.
 *
 * Long-polling is left alone (each poll is already one HTTP response).
 */
import type { Socket as NetSocket } from 'node:net';

/** The parts of an engine.io connection this uses (its public `flush` event and its transport). */
export interface EngineConnection {
  transport: unknown;
  on(event: 'flush', listener: () => void): unknown;
}

/** The TCP socket under a websocket transport (`ws` keeps it as `_socket`), or undefined for polling. */
function tcpSocketOf(transport: unknown): NetSocket | undefined {
  const ws = (transport as { name?: string; socket?: { _socket?: NetSocket } } | undefined) ?? {};
  if (ws.name !== 'websocket') return undefined;
  const tcp = ws.socket?._socket;
  return tcp && typeof tcp.cork === 'function' && typeof tcp.uncork === 'function' ? tcp : undefined;
}

/**
 * Corks `conn`'s TCP socket whenever engine.io flushes packets to it, until the end of the tick. Call it
 * once per engine.io connection (`io.engine.on('connection', coalesceWrites)`).
 */
export function coalesceWrites(conn: EngineConnection): void {
  let corked: NetSocket | undefined;
  conn.on('flush', () => {
    if (corked) return;
    const tcp = tcpSocketOf(conn.transport);
    if (!tcp || tcp.destroyed) return;
    corked = tcp;
    tcp.cork();
    process.nextTick(() => {
      corked = undefined;
      tcp.uncork();
    });
  });
}

const held = new WeakSet<NetSocket>();

/**
 * Holds back every write to `conn`'s TCP socket for `ms` (from the first call; calls meanwhile change
 * nothing), then sends them together. Meant for answers nobody waits on promptly (refusals to a flooding
 * connection): engine.io queues what it is given meanwhile and sends it as one batch.
 */
export function holdWrites(conn: Pick<EngineConnection, 'transport'>, ms: number): void {
  const tcp = tcpSocketOf(conn.transport);
  if (!tcp || tcp.destroyed || held.has(tcp)) return;
  held.add(tcp);
  tcp.cork();
  setTimeout(() => {
    held.delete(tcp);
    tcp.uncork();
  }, ms).unref();
}
