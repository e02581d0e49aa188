/**
 * The realtime connection: socket.io-client on the `/chat` namespace, kept alive across drops and node
 * failures. It owns the reconnect loop (so it can take a fresh token and the next server URL on every
 * attempt), rejoins every room with the seq it last delivered, sends each message until acknowledged, and
 * answers `auth:expiring` with a refreshed token.
 */
import { io, type Socket } from 'socket.io-client';
import type { ErrorBody } from '../../protocol/errors.js';
import type { ClientToServerEvents, ServerToClientEvents } from '../../protocol/events.js';
import type { Message } from '../../protocol/messages.js';
import { Emitter } from '../emitter.js';
import { errorFromBody, isErrorBody, SyncTalkError } from '../errors.js';
import { newClientMsgId } from '../ids.js';
import { backoffDelay } from './backoff.js';
import type { ConnectionEvents, ConnectionStatus, JoinedRoom } from './events.js';
import type { ConnectionDeps, SendOptions } from './options.js';
import { connectionClosedError, Outbox } from './outbox.js';
import { emitAck, requestAck, type AckResult, type RequestEvent } from './requests.js';
import { RoomSubscriptions } from './room-subscriptions.js';
import { Timeline, type TimelineOptions } from './timeline.js';

type ChatSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** The access token must stay valid at least this long to open a connection with it. */
const HANDSHAKE_MIN_VALIDITY_MS = 2_000;
/** Handshake refusals that no retry can fix. */
const FATAL_HANDSHAKE = new Set([
  'unauthorized',
  'token_expired',
  'origin_not_allowed',
  'not_found',
  'forbidden',
]);

/**
 * A live connection to the chat. Made by `client.connect()`.
 *
 * @example
 * ```ts
 * const chat = await client.connect();
 * chat.on('message:new', (message) => render(message));      // once per message, in order
 * chat.on('status', (status) => setBanner(status !== 'connected' ? 'Reconnecting…' : ''));
 * await chat.joinRoom('42');
 * await chat.send('42', 'Hello!');
 * ```
 */
export class Connection {
  private readonly emitter = new Emitter<ConnectionEvents>();
  private readonly rooms: RoomSubscriptions;
  private readonly outbox: Outbox;
  private readonly ackTimeoutMs: number;
  private socket: ChatSocket | undefined;
  private socketToken: string | undefined;
  private userId: string | undefined;
  private state: ConnectionStatus = 'connecting';
  private attempt = 0;
  private retriedAuth = false;
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  private waiters: { resolve(): void; reject(error: unknown): void }[] = [];

  constructor(private readonly deps: ConnectionDeps) {
    this.ackTimeoutMs = deps.options?.ackTimeoutMs ?? 10_000;
    this.outbox = new Outbox({
      connected: () => this.socket?.connected === true,
      transmit: async (payload) =>
        (await emitAck(this.current(), 'message:send', payload, this.ackTimeoutMs)) as
          { message: Message } | ErrorBody,
      stored: (message) => this.rooms.accept(message, 'sent'),
    });
    this.rooms = new RoomSubscriptions({
      socket: () => this.socket,
      ackTimeoutMs: this.ackTimeoutMs,
      fetchHistory: deps.fetchHistory,
      deliver: (message, source) => this.emitter.emit('message:new', message, { source }),
      joined: (joined, rejoin) => this.emitter.emit('room:joined', joined, { rejoin }),
      report: (error) => this.report(error),
    });
  }

  /** The connection's status. */
  get status(): ConnectionStatus {
    return this.state;
  }

  /** The rooms this connection receives (joined with `joinRoom`, rejoined after every reconnect). */
  get joinedRooms(): string[] {
    return this.rooms.ids;
  }

  /** Number of sends not yet acknowledged. */
  get pendingSends(): number {
    return this.outbox.size;
  }

  /**
   * Listens to a server event (`message:new`, `presence`, `typing`, …) or a connection event (`status`,
   * `error`, `room:joined`). Returns a function that stops listening.
   *
   * @example
   * ```ts
   * const off = chat.on('typing', ({ roomId, userId, typing }) => showTyping(roomId, userId, typing));
   * off();
   * ```
   */
  on<E extends keyof ConnectionEvents>(event: E, listener: ConnectionEvents[E]): () => void {
    return this.emitter.on(event, listener);
  }

  /**
   * Like `on`, for the next event only.
   *
   * @example
   * ```ts
   * chat.once('room:joined', ({ presence }) => console.log(presence.count, 'online'));
   * ```
   */
  once<E extends keyof ConnectionEvents>(event: E, listener: ConnectionEvents[E]): () => void {
    return this.emitter.once(event, listener);
  }

  /**
   * Stops a listener added with `on`.
   *
   * @example
   * ```ts
   * chat.off('message:new', render);
   * ```
   */
  off<E extends keyof ConnectionEvents>(event: E, listener: ConnectionEvents[E]): void {
    this.emitter.off(event, listener);
  }

  /**
   * Starts connecting; resolves once connected. Rejects when the server refuses the session (after one
   * token refresh) or nothing answers within `connectTimeoutMs`; the connection is then closed.
   * `client.connect()` calls it.
   */
  start(): Promise<void> {
    const ready = this.whenConnected();
    const timeoutMs = this.deps.options?.connectTimeoutMs ?? 20_000;
    const timer = setTimeout(() => {
      if (this.state === 'connecting') {
        const urls = this.deps.endpoints.urls.join(', ');
        this.fail(
          new SyncTalkError('unavailable', `Could not connect to ${urls} within ${timeoutMs} ms`, {
            status: 0,
          }),
        );
      }
    }, timeoutMs);
    void this.open();
    return ready.finally(() => clearTimeout(timer));
  }

  /**
   * Starts receiving a room's events and messages (the user must be a member: `client.rooms.join` first
   * for public rooms). Resolves with the room, my membership and its presence once joined and caught up.
   *
   * Every message of the room then arrives as `message:new`, exactly once and in `seq` order: first the
   * latest ones (or, with `lastSeq`, everything after it), then live ones. After a reconnect the connection
   * rejoins with the last seq it delivered and delivers what was missed. Waits for the connection while
   * reconnecting.
   *
   * @example
   * ```ts
   * const { room, presence } = await chat.joinRoom('42');
   * // resuming from a stored position (e.g. after a page reload):
   * await chat.joinRoom('43', { lastSeq: localStorage.getItem('room-43-seq') ?? undefined });
   * ```
   */
  joinRoom(roomId: string, options: { lastSeq?: string } = {}): Promise<JoinedRoom> {
    if (this.state === 'closed') return Promise.reject(connectionClosedError());
    return this.rooms.join(roomId, options.lastSeq);
  }

  /**
   * Stops receiving a room (the membership stays; `client.rooms.leave` ends it).
   *
   * @example
   * ```ts
   * await chat.leaveRoom('42');
   * ```
   */
  async leaveRoom(roomId: string): Promise<void> {
    const left = new SyncTalkError('conflict', `Room ${roomId} was left before it was joined`, { status: 0 });
    if (!this.rooms.forget(roomId, left)) return;
    if (this.socket?.connected) await requestAck(this.socket, 'room:leave', { roomId }, this.ackTimeoutMs);
  }

  /**
   * Sends a message. It gets a `clientMsgId` (unless given) and is sent again with that same id until the
   * server acknowledges it — after timeouts, reconnects (to any node) and retryable errors — so it is stored
   * exactly once. Resolves with the stored message; rejects with a `SyncTalkError` the server gave that no
   * retry can fix (`forbidden` when muted, `validation_failed`, …), or when the connection is closed.
   *
   * @example
   * ```ts
   * const message = await chat.send('42', 'On my way', { replyTo: question.id });
   * ```
   */
  send(roomId: string, text: string, options: SendOptions = {}): Promise<Message> {
    if (this.state === 'closed') return Promise.reject(connectionClosedError());
    const payload = {
      roomId,
      clientMsgId: options.clientMsgId ?? newClientMsgId(),
      text,
      ...(options.replyTo !== undefined ? { replyTo: options.replyTo } : {}),
    };
    return this.outbox.add(payload, options.signal);
  }

  /**
   * Sends any client event and resolves with its acknowledgement, throwing `SyncTalkError` for an error
   * answer (or `unavailable` without one). Waits for the connection while reconnecting. Not retried.
   *
   * @example
   * ```ts
   * await chat.request('message:edit', { roomId: '42', messageId: m.id, text: 'fixed typo' });
   * await chat.request('reaction:add', { roomId: '42', messageId: m.id, emoji: '🎉' });
   * await chat.request('typing:start', { roomId: '42' });
   * ```
   */
  async request<E extends RequestEvent>(
    event: E,
    payload: Parameters<ClientToServerEvents[E]>[0],
  ): Promise<AckResult<E>> {
    if (this.state === 'closed') throw connectionClosedError();
    await this.whenConnected();
    return requestAck(this.current(), event, payload, this.ackTimeoutMs);
  }

  /**
   * Moves my read marker forward.
   *
   * @example
   * ```ts
   * chat.on('message:new', (m) => visible && void chat.markRead(m.roomId, m.seq));
   * ```
   */
  markRead(roomId: string, seq: string): Promise<AckResult<'read:update'>> {
    return this.request('read:update', { roomId, seq });
  }

  // ---- timeline (issue #11): a room's messages ready to render; see timeline.ts ----------------------------

  /**
   * A live, sorted, de-duplicated view of a room for rendering: joins the room (fine when already joined),
   * starts from its latest page, applies edits, deletions and reactions as they happen, and pages back with
   * `loadOlder()`. See `Timeline`.
   *
   * @example
   * ```ts
   * const timeline = chat.timeline('42');
   * timeline.on('change', (items) => render(items));
   * await timeline.ready;
   * if (timeline.hasOlder) await timeline.loadOlder();
   * ```
   */
  timeline(roomId: string, options?: TimelineOptions): Timeline {
    if (this.state === 'closed') throw connectionClosedError();
    return new Timeline(
      roomId,
      {
        on: this.on.bind(this),
        joinRoom: (id) => this.joinRoom(id),
        fetchHistory: this.deps.fetchHistory,
        userId: () => this.userId,
        // With the outbox: sends: { outgoing: (id) => this.outgoing(id),
        //                          onStatus: (listener) => this.on('send:status', listener) },
      },
      options,
    );
  }

  // ---- end of timeline --------------------------------------------------------------------------------------

  /**
   * Closes the connection for good: no reconnects; unacknowledged sends and pending joins reject.
   *
   * @example
   * ```ts
   * window.addEventListener('pagehide', () => chat.close());
   * ```
   */
  close(): void {
    this.fail(undefined);
  }

  // ---- connecting ---------------------------------------------------------------------------------------

  private closed(): boolean {
    return this.state === 'closed';
  }

  private current(): ChatSocket {
    if (!this.socket?.connected) throw new SyncTalkError('unavailable', 'Not connected', { status: 0 });
    return this.socket;
  }

  private whenConnected(): Promise<void> {
    if (this.socket?.connected) return Promise.resolve();
    if (this.state === 'closed') return Promise.reject(connectionClosedError());
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  private setStatus(status: ConnectionStatus): void {
    if (this.state === status) return;
    this.state = status;
    this.emitter.emit('status', status);
  }

  private report(error: unknown): void {
    const e =
      error instanceof SyncTalkError
        ? error
        : new SyncTalkError('internal', error instanceof Error ? error.message : String(error), {
            status: 0,
            cause: error,
          });
    this.emitter.emit('error', e);
  }

  private async open(): Promise<void> {
    this.reconnectTimer = undefined;
    if (this.state === 'closed') return;
    const { endpoints, session, site, options = {} } = this.deps;
    const url = endpoints.current();
    let token: string;
    try {
      token = await session.accessToken(HANDSHAKE_MIN_VALIDITY_MS);
      this.userId = (await session.current())?.userId;
    } catch (error) {
      // Signed out, or the refresh token was refused: nothing to connect with. A network failure: retry.
      if (error instanceof SyncTalkError && !error.retryable) return this.fail(error);
      return this.scheduleReconnect();
    }
    if (this.closed()) return;
    const socket: ChatSocket = io(`${url}/chat`, {
      ...options.socketOptions,
      auth: site ? { token, site } : { token },
      transports: options.transports ?? ['websocket'],
      reconnection: false,
      forceNew: true,
      autoConnect: false,
      timeout: options.socketOptions?.timeout ?? this.ackTimeoutMs,
    });
    this.socket = socket;
    this.socketToken = token;
    socket.on('connect', () => this.onConnect(socket));
    socket.on('connect_error', (error) => this.onConnectError(socket, url, error));
    socket.on('disconnect', (reason) => this.onDisconnect(socket, url, reason));
    socket.onAny((event: string, ...args: unknown[]) => this.onServerEvent(socket, event, args));
    socket.connect();
  }

  private onConnect(socket: ChatSocket): void {
    if (socket !== this.socket) return;
    this.attempt = 0;
    this.retriedAuth = false;
    this.setStatus('connected');
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w.resolve();
    this.rooms.rejoinAll();
    this.outbox.flush();
  }

  private onConnectError(socket: ChatSocket, url: string, error: Error & { data?: unknown }): void {
    if (socket !== this.socket) return;
    this.drop(socket);
    const body = error.data;
    if (!isErrorBody(body)) {
      // No answer from that server (refused, unreachable, timed out): try the next URL.
      this.deps.endpoints.failed(url);
      return this.scheduleReconnect();
    }
    const refusal = errorFromBody(body);
    if (refusal.code === 'rate_limited') {
      // This node refuses us for a while (e.g. after a flood cut-off): wait as asked, on any node.
      return this.scheduleReconnect((refusal.retryAfter ?? 1) * 1000);
    }
    if (!FATAL_HANDSHAKE.has(refusal.code)) {
      this.deps.endpoints.failed(url);
      return this.scheduleReconnect();
    }
    if ((refusal.code === 'token_expired' || refusal.code === 'unauthorized') && !this.retriedAuth) {
      // The token may have expired on the way, or been replaced: one refresh, then one more try.
      this.retriedAuth = true;
      this.deps.session.refresh(this.socketToken, HANDSHAKE_MIN_VALIDITY_MS).then(
        () => void this.open(),
        (refreshError: unknown) =>
          refreshError instanceof SyncTalkError && refreshError.retryable
            ? this.scheduleReconnect()
            : this.fail(refreshError instanceof SyncTalkError ? refreshError : refusal),
      );
      return;
    }
    this.fail(refusal);
  }

  private onDisconnect(socket: ChatSocket, url: string, reason: Socket.DisconnectReason): void {
    if (socket !== this.socket) return;
    this.drop(socket);
    if (this.state === 'closed') return;
    this.setStatus('reconnecting');
    // The server dropped us or vanished: any other node will do, and this one may be gone.
    if (reason !== 'io server disconnect') this.deps.endpoints.failed(url);
    this.scheduleReconnect();
  }

  private drop(socket: ChatSocket): void {
    if (this.socket === socket) this.socket = undefined;
    socket.offAny();
    socket.removeAllListeners();
    socket.close();
  }

  /** Opens a new connection after the backoff delay, or `minDelayMs` if that is longer. */
  private scheduleReconnect(minDelayMs = 0): void {
    if (this.state === 'closed' || this.reconnectTimer) return;
    if (this.state === 'connected') this.setStatus('reconnecting');
    const delay = Math.max(minDelayMs, backoffDelay(this.attempt, this.deps.options?.reconnect));
    this.attempt += 1;
    this.reconnectTimer = setTimeout(() => void this.open(), delay);
  }

  /** Ends the connection: `error` set for a refusal, unset for `close()`. */
  private fail(error: SyncTalkError | undefined): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    if (this.socket) this.drop(this.socket);
    const reason = error ?? connectionClosedError();
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w.reject(reason);
    this.rooms.forgetAll(reason);
    this.outbox.failAll(reason);
    this.emitter.emit('status', 'closed');
    if (error) this.emitter.emit('error', error);
  }

  // ---- server events ------------------------------------------------------------------------------------

  private onServerEvent(socket: ChatSocket, event: string, args: unknown[]): void {
    if (socket !== this.socket) return;
    const payload = args[0] as { roomId?: string; userId?: string } | undefined;
    switch (event) {
      case 'message:new': {
        this.rooms.accept(args[0] as Message, 'live');
        return;
      }
      case 'auth:expiring':
        void this.refreshSocketToken(socket, (args[0] as { expiresInMs: number }).expiresInMs);
        break;
      case 'member:removed':
        // The server has taken this user's connections out of the room: stop rejoining it.
        if (payload?.userId === this.userId) this.rooms.forget(payload?.roomId, this.gone(payload?.roomId));
        break;
      case 'room:deleted':
        this.rooms.forget(payload?.roomId, this.gone(payload?.roomId));
        break;
    }
    (this.emitter.emit as (event: string, ...args: unknown[]) => void)(event, ...args);
  }

  private gone(roomId: string | undefined): SyncTalkError {
    return new SyncTalkError('forbidden', `Room ${roomId} is no longer available`, { status: 0 });
  }

  /** `auth:expiring`: a token that outlives the current one, sent with `auth:refresh`. */
  private async refreshSocketToken(socket: ChatSocket, expiresInMs: number): Promise<void> {
    try {
      const tokens = await this.deps.session.refresh(this.socketToken, expiresInMs + 1000);
      if (socket !== this.socket || !socket.connected) return;
      await requestAck(socket, 'auth:refresh', { token: tokens.accessToken }, this.ackTimeoutMs);
      this.socketToken = tokens.accessToken;
    } catch (error) {
      // The server disconnects at expiry; the reconnect then refreshes again or reports the session over.
      if (socket === this.socket) this.report(error);
    }
  }
}
