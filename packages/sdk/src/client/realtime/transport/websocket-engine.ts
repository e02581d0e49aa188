/**
 * The Engine.IO client of the SDK's browser builds and the widget bundle: protocol 4 over WebSocket, text
 * packets only, which is all a JSON-only Socket.IO client on the SDK's default transport uses. Those builds
 * swap it in for engine.io-client under socket.io-client's `Manager` (see
 * packages/sdk/build/websocket-only.ts), which leaves out HTTP long-polling, WebTransport, upgrades between
 * transports and binary frames. What the `Manager` sees is the same: `open`
 * after the server's handshake, `data` for each message, `ping` for each heartbeat (answered with a pong),
 * `error` for a failed WebSocket, and `close` with engine.io-client's reasons: `transport close` (the
 * WebSocket closed, or the browser went offline), `transport error`, `ping timeout` (no heartbeat within the
 * server's pingInterval + pingTimeout) and `forced close` (`close()`).
 */
import { Emitter } from '@socket.io/component-emitter';
import { decodePacket, encodePacket, protocol, type EnginePacket } from './text-packets.js';

export { parse } from './url-parts.js';

export interface EngineOptions {
  /** The server's Engine.IO path (socket.io-client passes `/socket.io`). Default `/engine.io`. */
  path?: string;
  /** More query parameters for the handshake request. */
  query?: string | Record<string, string>;
  /** WebSocket subprotocols. */
  protocols?: string | string[];
}

interface EngineEvents {
  open: () => void;
  data: (data: string) => void;
  ping: () => void;
  error: (error: Error) => void;
  close: (reason: string, description?: unknown) => void;
}

/** The server's handshake (the `open` packet). */
interface Handshake {
  sid: string;
  pingInterval: number;
  pingTimeout: number;
}

/** Runs `fn` after the current task's synchronous work (as engine.io-client's `nextTick` does in browsers). */
export const nextTick = (fn: () => void): void => void Promise.resolve().then(fn);

/** socket.io-client's `Manager` takes its timer functions from here. */
export function installTimerFunctions(target: object): void {
  Object.assign(target, {
    setTimeoutFn: setTimeout.bind(globalThis),
    clearTimeoutFn: clearTimeout.bind(globalThis),
  });
}

/**
 * One Engine.IO connection over a WebSocket, opened at once.
 *
 * @example
 * ```ts
 * const engine = new Socket('https://chat.example.com', { path: '/socket.io' });
 * engine.on('open', () => engine.write('40/chat,'));
 * engine.on('data', (text) => console.log(text));
 * ```
 */
export class Socket extends Emitter<EngineEvents, EngineEvents, EngineEvents> {
  readyState: 'opening' | 'open' | 'closed' = 'opening';
  /** The session id the server gave in its handshake, while open. */
  id: string | null = null;
  /** What socket.io-client reads of the transport: whether a packet goes out now. */
  readonly transport = { name: 'websocket', writable: false };
  #ws: WebSocket | undefined;
  /** Packets written before the handshake, sent after it. */
  #queue: string[] = [];
  #pingWindow = 0;
  #pingTimer: ReturnType<typeof setTimeout> | undefined;
  /** When the next heartbeat is due at the latest: a throttled timer (a sleeping laptop) may fire late. */
  #pingDeadline = Infinity;
  #offline: (() => void) | undefined;

  constructor(uri: string, options: EngineOptions = {}) {
    super();
    const url = new URL(uri);
    url.protocol = /^(https|wss):$/.test(url.protocol) ? 'wss:' : 'ws:';
    url.pathname = `${(options.path ?? '/engine.io').replace(/\/$/, '')}/`;
    new URLSearchParams(options.query).forEach((value, key) => url.searchParams.set(key, value));
    url.searchParams.set('EIO', String(protocol));
    url.searchParams.set('transport', 'websocket');
    // Offline means the connection is gone, though the WebSocket may take long to notice (not for localhost,
    // like engine.io-client).
    if (typeof addEventListener === 'function' && url.hostname !== 'localhost') {
      this.#offline = () => this.#close('transport close', { description: 'network connection lost' });
      addEventListener('offline', this.#offline);
    }
    try {
      const ws = new WebSocket(url, options.protocols);
      ws.onmessage = ({ data }) => this.#onPacket(decodePacket(data));
      ws.onerror = () => this.#fail(new Error('websocket error'));
      ws.onclose = (event) =>
        this.#close('transport close', { description: 'websocket connection closed', context: event });
      this.#ws = ws;
    } catch (error) {
      // e.g. a ws: URL from an https: page. After the caller's listeners are in place.
      nextTick(() => this.#fail(error as Error));
    }
  }

  /** Sends a message (queued until the handshake). */
  write(message: string): this {
    this.#send('message', message);
    return this;
  }

  /** Closes the connection (`close` with `forced close`). */
  close(): this {
    this.#close('forced close');
    return this;
  }

  /**
   * Whether the server's heartbeat is overdue though its timer has not fired yet (it closes the connection
   * then). socket.io-client asks before each emit, so that it buffers instead of writing into a dead socket.
   */
  _hasPingExpired(): boolean {
    if (!this.#pingDeadline) return true;
    const expired = Date.now() > this.#pingDeadline;
    if (expired) {
      this.#pingDeadline = 0;
      nextTick(() => this.#close('ping timeout'));
    }
    return expired;
  }

  #onPacket({ type, data }: EnginePacket): void {
    if (this.readyState === 'closed') return;
    switch (type) {
      case 'open':
        return this.#onHandshake(JSON.parse(data as string) as Handshake);
      case 'ping':
        this.#send('pong');
        this.emitReserved('ping');
        return this.#resetPing();
      case 'message':
        this.emitReserved('data', data as string);
        return;
      case 'error':
        return this.#fail(Object.assign(new Error('server error'), { code: data }));
    }
  }

  #onHandshake(handshake: Handshake): void {
    this.id = handshake.sid;
    this.#pingWindow = handshake.pingInterval + handshake.pingTimeout;
    this.readyState = 'open';
    this.transport.writable = true;
    this.emitReserved('open');
    // An `open` listener may have closed it.
    if (this.readyState !== 'open') return;
    for (const text of this.#queue.splice(0)) this.#ws!.send(text);
    this.#resetPing();
  }

  #send(type: string, data?: string): void {
    if (this.readyState === 'closed') return;
    encodePacket({ type, data }, false, (text) =>
      this.readyState === 'open' ? this.#ws!.send(text) : this.#queue.push(text),
    );
  }

  #resetPing(): void {
    clearTimeout(this.#pingTimer);
    this.#pingDeadline = Date.now() + this.#pingWindow;
    this.#pingTimer = setTimeout(() => this.#close('ping timeout'), this.#pingWindow);
  }

  #fail(error: Error): void {
    if (this.readyState === 'closed') return;
    this.emitReserved('error', error);
    this.#close('transport error', error);
  }

  #close(reason: string, description?: unknown): void {
    if (this.readyState === 'closed') return;
    clearTimeout(this.#pingTimer);
    if (this.#offline) removeEventListener('offline', this.#offline);
    const ws = this.#ws;
    if (ws) {
      ws.onmessage = ws.onerror = ws.onclose = null;
      ws.close();
    }
    this.readyState = 'closed';
    this.transport.writable = false;
    this.id = null;
    this.#queue = [];
    this.emitReserved('close', reason, description);
  }
}
