import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server as EngineServer, type ServerOptions, type Socket as ServerSocket } from 'engine.io';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket as NodeWebSocket, WebSocketServer } from 'ws';
import { Socket } from './websocket-engine.js';

// Node 20 has no global WebSocket: the ws package's client is the same API.
globalThis.WebSocket ??= NodeWebSocket as unknown as typeof WebSocket;

interface Listening {
  url: string;
  close(): Promise<void>;
}

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function listen(http: HttpServer): Promise<string> {
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
}

function closeHttp(http: HttpServer): Promise<void> {
  http.closeAllConnections();
  return new Promise((resolve) => http.close(() => resolve()));
}

/** A real Engine.IO server (the one under the SyncTalk server's Socket.IO), WebSocket only. */
async function engineServer(options: ServerOptions = {}): Promise<Listening & { server: EngineServer }> {
  const http = createServer();
  const server = new EngineServer({ transports: ['websocket'], ...options });
  server.attach(http);
  const url = await listen(http);
  const close = async () => {
    server.close();
    await closeHttp(http);
  };
  cleanups.push(close);
  return { url, server, close };
}

/** A bare WebSocket server at the Engine.IO path that sends `frames` to every client, then nothing. */
async function scriptedServer(frames: string[]): Promise<Listening & { closed: Promise<void> }> {
  const http = createServer();
  const wss = new WebSocketServer({ server: http, path: '/engine.io/' });
  let clientClosed!: () => void;
  const closed = new Promise<void>((resolve) => (clientClosed = resolve));
  wss.on('connection', (ws) => {
    for (const frame of frames) ws.send(frame);
    ws.on('close', () => clientClosed());
  });
  const url = await listen(http);
  const close = async () => {
    wss.close();
    await closeHttp(http);
  };
  cleanups.push(close);
  return { url, close, closed };
}

function engine(url: string, options?: ConstructorParameters<typeof Socket>[1]): Socket {
  const socket = new Socket(url, options);
  cleanups.push(() => socket.close());
  return socket;
}

interface Once {
  once(event: string, listener: (...args: unknown[]) => void): unknown;
}

/** The arguments of `emitter`'s next `event`. */
function next(emitter: object, event: string): Promise<unknown[]> {
  return new Promise((resolve) => (emitter as Once).once(event, (...args) => resolve(args)));
}

const handshake = (pingInterval: number, pingTimeout: number) =>
  `0${JSON.stringify({ sid: 's1', upgrades: [], pingInterval, pingTimeout, maxPayload: 1e6 })}`;

describe('WebSocket Engine.IO client', () => {
  it('opens with the server’s handshake and carries messages both ways, in order', async () => {
    const { url, server } = await engineServer();
    server.generateId = () => 'session-1';
    const connection = next(server, 'connection');
    const socket = engine(url, { query: { site: 'st_1' } });
    socket.write('written before the handshake');
    await next(socket, 'open');
    const [peer] = (await connection) as [ServerSocket];
    expect(socket.id).toBe('session-1');
    expect(socket.transport.writable).toBe(true);
    const query = new URL(peer.request.url!, url).searchParams;
    expect(Object.fromEntries(query)).toMatchObject({ site: 'st_1', EIO: '4', transport: 'websocket' });

    const received: unknown[] = [];
    peer.on('message', (data) => received.push(data));
    socket.write('one');
    socket.write('two ✓');
    await expect.poll(() => received).toEqual(['written before the handshake', 'one', 'two ✓']);

    const data = next(socket, 'data');
    peer.send('[2,"hi"]');
    expect(await data).toEqual(['[2,"hi"]']);
  });

  it('answers every heartbeat, so the server keeps the connection', async () => {
    // The server gives up on a client that misses one pong for 500 ms.
    const { url, server } = await engineServer({ pingInterval: 20, pingTimeout: 500 });
    const connection = next(server, 'connection');
    const socket = engine(url);
    let pings = 0;
    socket.on('ping', () => (pings += 1));
    const [peer] = (await connection) as [ServerSocket];
    for (let i = 0; i < 3; i += 1) await next(peer, 'heartbeat');
    expect(pings).toBeGreaterThanOrEqual(3);
    expect(peer.readyState).toBe('open');
    expect(socket.readyState).toBe('open');
  });

  it('closes with "ping timeout" when the server’s heartbeat stops', async () => {
    const { url, closed } = await scriptedServer([handshake(10, 10)]);
    const socket = engine(url);
    const close = next(socket, 'close');
    await next(socket, 'open');
    expect((await close)[0]).toBe('ping timeout');
    expect(socket.readyState).toBe('closed');
    expect(socket.id).toBeNull();
    await closed; // and the WebSocket is closed
  });

  it('closes with "transport close" when the server ends the connection', async () => {
    const { url, server } = await engineServer();
    const connection = next(server, 'connection');
    const socket = engine(url);
    const [peer] = (await connection) as [ServerSocket];
    await expect.poll(() => socket.readyState).toBe('open');
    const close = next(socket, 'close');
    peer.close();
    expect((await close)[0]).toBe('transport close');
  });

  it('closes with "forced close" on close(), and the server sees it go', async () => {
    const { url, server } = await engineServer();
    const connection = next(server, 'connection');
    const socket = engine(url);
    const [peer] = (await connection) as [ServerSocket];
    await expect.poll(() => socket.readyState).toBe('open');
    const gone = next(peer, 'close');
    const close = next(socket, 'close');
    socket.close();
    expect((await close)[0]).toBe('forced close');
    expect((await gone)[0]).toBe('transport close');
    socket.write('after close'); // dropped, no throw
  });

  it('reports an error, then "transport error", when nothing answers', async () => {
    const { url, close: stop } = await scriptedServer([]);
    await stop(); // the port is free now: connections are refused
    const socket = engine(url);
    const events: unknown[] = [];
    socket.on('error', (error) => events.push(['error', error.message]));
    const close = next(socket, 'close');
    expect((await close)[0]).toBe('transport error');
    expect(events).toEqual([['error', 'websocket error']]);
  });

  it('reports a WebSocket that cannot be made to listeners added after the constructor', async () => {
    const { url } = await scriptedServer([]);
    // Duplicate subprotocols: the WebSocket constructor throws.
    const socket = engine(url, { protocols: ['chat', 'chat'] });
    const error = next(socket, 'error');
    const close = next(socket, 'close');
    expect((await error)[0]).toBeInstanceOf(Error);
    expect((await close)[0]).toBe('transport error');
  });

  it('fails on a packet it cannot parse', async () => {
    const { url } = await scriptedServer([handshake(10_000, 10_000), '9 not a packet']);
    const socket = engine(url);
    const [error] = (await next(socket, 'error')) as [Error & { code?: unknown }];
    expect(error.message).toBe('server error');
    expect(error.code).toBe('parser error');
    expect(socket.readyState).toBe('closed');
  });

  it('passes messages on only while open', async () => {
    const { url } = await scriptedServer([handshake(10_000, 10_000), '4first', '4second']);
    const socket = engine(url);
    const data: unknown[] = [];
    socket.on('data', (text) => {
      data.push(text);
      socket.close();
    });
    await next(socket, 'close');
    expect(data).toEqual(['first']);
  });
});
