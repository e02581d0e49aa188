/**
 * The realtime connection: socket.io-client on the `/chat` namespace, kept alive across drops and node
 * failures. It owns the reconnect loop (so it can take a fresh token and the next server URL on every
 * attempt), rejoins every room with the seq it last delivered, sends each message until acknowledged, and
 * answers `auth:expiring` with a refreshed token.
 */
import { io, type Socket } from 'socket.io-client';
import type { ErrorBody } from '../../protocol/errors.js';
import type {
  ClientToServerEvents,
  PresenceState,
  RoomHeadsEvent,
  ServerToClientEvents,
} from '../../protocol/events.js';
import type { Message, MessagePage } from '../../protocol/messages.js';
import { Emitter } from '../emitter.js';
import { errorFromBody, isErrorBody, SyncTalkError } from '../errors.js';
import { newClientMsgId } from '../ids.js';
import { backoffDelay } from './backoff.js';
import type { ConnectionEvents, ConnectionStatus, JoinedRoom } from './events.js';
import type { ConnectionDeps, SendOptions } from './options.js';
import { connectionClosedError, Outbox } from './outbox.js';
import type { OutgoingMessage, PendingSend } from './pending-send.js';
import { emitAck, requestAck, type AckResult, type RequestEvent } from './requests.js';
import type { RoomPositions } from './room-positions.js';
import { RoomSubscriptions } from './room-subscriptions.js';
import { chooseTransports, type Transport } from './transport/transports.js';

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
 * chat.on('send:status', (outgoing) => renderOutgoing(outgoing)); // pending, then sent or failed
 * chat.on('status', (status) => setBanner(status !== 'connected' ? 'Reconnecting…' : ''));
 * await chat.joinRoom('42');
 * await chat.send('42', 'Hello!');
 * ```
 */
export class Connection {
  readonly #emitter = new Emitter<ConnectionEvents>();
  readonly #rooms: RoomSubscriptions;
  readonly #outbox: Outbox;
  /** Each room's newest presence on the current socket (see `#newer`). */
  readonly #presence = new Map<string, PresenceState>();
  /** With `resume`: each room's last delivered seq, kept in storage. */
  #positions: RoomPositions | undefined;
  readonly #ackTimeoutMs: number;
  #socket: ChatSocket | undefined;
  #socketToken: string | undefined;
  /** The Engine.IO transports, checked by `start()`. */
  #transports: Transport[] = ['websocket'];
  #userId: string | undefined;
  #state: ConnectionStatus = 'connecting';
  #attempt = 0;
  #retriedAuth = false;
  #reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  readonly #waiters: { resolve(): void; reject(error: unknown): void }[] = [];

  readonly #deps: ConnectionDeps;
  constructor(deps: ConnectionDeps) {
    this.#deps = deps;

    this.#ackTimeoutMs = deps.options?.ackTimeoutMs ?? 10_000;
    this.#outbox = new Outbox({
      connected: () => this.#socket?.connected === true,
      transmit: async (payload) =>
        (await emitAck(this.#current(), 'message:send', payload, this.#ackTimeoutMs)) as
          { message: Message } | ErrorBody,
      stored: (message) => this.#rooms.accept(message, 'sent'),
      changed: (outgoing) => this.#emitter.emit('send:status', outgoing),
    });
    this.#rooms = new RoomSubscriptions({
      socket: () => this.#socket,
      ackTimeoutMs: this.#ackTimeoutMs,
      fetchHistory: deps.fetchHistory,
      deliver: (message, source) => {
        this.#positions?.record(message.roomId, message.seq);
        this.#emitter.emit('message:new', message, { source });
      },
      joined: (joined, rejoin) => {
        this.#positions?.record(joined.room.id, joined.lastSeq);
        // A `presence` newer than the join answer may have come while the room caught up: report that one.
        if (!this.#newer(joined.presence)) joined.presence = this.#presence.get(joined.room.id)!;
        this.#emitter.emit('room:joined', joined, { rejoin });
      },
      report: (error) => this.#report(error),
    });
  }

  /** The connection's status. */
  get status(): ConnectionStatus {
    return this.#state;
  }

  /** The rooms this connection receives (joined with `joinRoom`, rejoined after every reconnect). */
  get joinedRooms(): string[] {
    return this.#rooms.ids;
  }

  /** Number of sends not yet stored (`failed` ones not counted: see `outgoing()`). */
  get pendingSends(): number {
    return this.#outbox.size;
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
    return this.#emitter.on(event, listener);
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
    return this.#emitter.once(event, listener);
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
    this.#emitter.off(event, listener);
  }

  /**
   * Starts connecting; resolves once connected. Rejects when the server refuses the session (after one
   * token refresh) or nothing answers within `connectTimeoutMs`; the connection is then closed. With a
   * `storage`, first restores the sends a previous connection left in it (and, with `resume`, the room
   * positions). `client.connect()` calls it.
   */
  start(): Promise<void> {
    if (this.#deps.options?.resume && !this.#deps.storage) {
      const error = new TypeError('connect({ resume: true }) needs a storage: createClient({ storage })');
      this.#fail(undefined);
      return Promise.reject(error);
    }
    try {
      this.#transports = chooseTransports(this.#deps.options?.transports);
    } catch (error) {
      // A transport this build cannot speak (browsers: WebSocket only).
      this.#fail(undefined);
      return Promise.reject(error as Error);
    }
    const ready = this.#whenConnected();
    const timeoutMs = this.#deps.options?.connectTimeoutMs ?? 20_000;
    const timer = setTimeout(() => {
      if (this.#state === 'connecting') {
        const urls = this.#deps.endpoints.urls.join(', ');
        this.#fail(
          new SyncTalkError('unavailable', `Could not connect to ${urls} within ${timeoutMs} ms`, {
            status: 0,
          }),
        );
      }
    }, timeoutMs);
    void this.#restore().then(() => this.#open());
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
   * With `connect({ resume: true })`, a join without `lastSeq` starts after the room's position remembered in
   * storage (from this page or an earlier one), if there is one: only what followed is delivered, so the app
   * must still have what came before (its own copy, or the timeline helper).
   *
   * @example
   * ```ts
   * const { room, presence } = await chat.joinRoom('42');
   * // resuming from a position you stored yourself (or let `connect({ resume: true })` keep it):
   * await chat.joinRoom('43', { lastSeq: localStorage.getItem('room-43-seq') ?? undefined });
   * ```
   */
  joinRoom(roomId: string, options: { lastSeq?: string } = {}): Promise<JoinedRoom> {
    if (this.#closed()) return Promise.reject(connectionClosedError());
    return this.#rooms.join(roomId, options.lastSeq ?? this.#positions?.get(roomId));
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
    if (!this.#rooms.forget(roomId, left)) return;
    if (this.#socket?.connected) await requestAck(this.#socket, 'room:leave', { roomId }, this.#ackTimeoutMs);
  }

  /**
   * Sends a message, and returns it at once as a `PendingSend` (`status: 'pending'`, its `clientMsgId`, …) so
   * the app can show it right away; awaiting it gives the stored message. It is sent again with the same
   * `clientMsgId` until the server answers — after timeouts, reconnects (to any node) and retryable errors —
   * so it is stored exactly once; sends of one room are stored in the order they were made. A refusal no retry
   * fixes (`forbidden` when muted, `validation_failed`, `conflict`, …) rejects the promise and leaves the
   * send `failed` in `outgoing()` until `retrySend` or `discardSend`. Closing the connection rejects the
   * promises of sends not yet stored (`unavailable`); with a `storage` they stay there and the next
   * connection sends them. Every change is a `send:status` event.
   *
   * @example
   * ```ts
   * const pending = chat.send('42', 'On my way', { replyTo: question.id });
   * showPending(pending.clientMsgId, pending.text);
   * const message = await pending;
   * ```
   */
  send(roomId: string, text: string, options: SendOptions = {}): PendingSend {
    const clientMsgId = options.clientMsgId ?? newClientMsgId();
    return this.#outbox.add({ roomId, clientMsgId, text, replyTo: options.replyTo }, options.signal);
  }

  /**
   * The sends not yet stored — pending, and failed ones kept for a retry — of one room or of all, in the
   * order they were made. Snapshots: `send:status` reports every change.
   *
   * @example
   * ```ts
   * const unsent = chat.outgoing('42');
   * render([...stored, ...unsent.map((o) => ({ ...o, pending: o.status === 'pending' }))]);
   * ```
   */
  outgoing(roomId?: string): OutgoingMessage[] {
    return this.#outbox.list(roomId);
  }

  /**
   * Sends a `failed` send again, with the same `clientMsgId` (e.g. after being unmuted). False when no failed
   * send has that id.
   *
   * @example
   * ```ts
   * retryButton.onclick = () => chat.retrySend(outgoing.clientMsgId);
   * ```
   */
  retrySend(clientMsgId: string): boolean {
    return this.#outbox.retry(clientMsgId);
  }

  /**
   * Drops a pending or failed send, from memory and storage (`send:status` reports it `discarded`; its
   * promise rejects with an `AbortError`). A transmission already on its way may still be stored. False
   * when there is no such send.
   *
   * @example
   * ```ts
   * deleteButton.onclick = () => chat.discardSend(outgoing.clientMsgId);
   * ```
   */
  discardSend(clientMsgId: string): boolean {
    return this.#outbox.discard(clientMsgId);
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
    if (this.#closed()) throw connectionClosedError();
    await this.#whenConnected();
    return requestAck(this.#current(), event, payload, this.#ackTimeoutMs);
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

  /**
   * The signed-in user this connection runs as, once known (after the first connection attempt).
   *
   * @example
   * ```ts
   * chat.on('message:new', (m) => m.author.id !== chat.userId && notify(m));
   * ```
   */
  get userId(): string | undefined {
    return this.#userId;
  }

  /**
   * A page of a room's history over REST, through the client that made this connection (what the connection
   * catches up with; `createTimeline` pages with it too).
   *
   * @example
   * ```ts
   * const { messages, hasMore } = await chat.history('42', { after: '100', before: '151', limit: 50 });
   * ```
   */
  history(roomId: string, query: { after: string; before?: string; limit: number }): Promise<MessagePage> {
    return this.#deps.fetchHistory(roomId, query);
  }

  /**
   * Makes sure nothing was missed: asks the server for the latest seq of every joined room (or of `roomId`)
   * and fetches whatever this connection has not delivered yet, as `message:new` with source `'history'`.
   * Resolves once caught up (a room still joining is caught up by its join). The server also sends these
   * heads on its own every ROOM_HEADS_INTERVAL (30 s by default), so a lost broadcast is made up for within
   * that interval anyway; this is for when the app wants to know now.
   *
   * @example
   * ```ts
   * document.addEventListener('visibilitychange', () => {
   *   if (document.visibilityState === 'visible') void chat.catchUp();
   * });
   * await chat.catchUp('42');
   * ```
   */
  async catchUp(roomId?: string): Promise<void> {
    const { rooms } = await this.request('room:heads', roomId === undefined ? {} : { roomIds: [roomId] });
    await this.#rooms.heads(rooms);
  }

  /**
   * Closes the connection for good: no reconnects; unacknowledged sends and pending joins reject (sends stay
   * in the storage, if any, for the next connection; remembered room positions are written).
   *
   * @example
   * ```ts
   * window.addEventListener('pagehide', () => chat.close());
   * ```
   */
  close(): void {
    this.#fail(undefined);
  }

  // ---- connecting ---------------------------------------------------------------------------------------

  #closed(): boolean {
    return this.#state === 'closed';
  }

  /**
   * With a storage: keeps the outbox in it, after putting back the sends a previous connection (or another
   * tab) left there, and with `resume` loads the room positions. Storage failures are reported (`error`)
   * and do not stop the connection.
   */
  async #restore(): Promise<void> {
    const { storage, session, endpoints, site, options } = this.#deps;
    if (!storage) return;
    let tokens;
    try {
      tokens = await session.current();
    } catch {
      // The token store failed: `open()` reports it.
      return;
    }
    if (this.#closed()) return;
    // Loaded only with a storage (its own chunk where bundles are split): apps without one do not carry it.
    const { openPersistence } = await import('./persistence.js');
    if (this.#closed()) return;
    const opened = await openPersistence({
      storage,
      server: endpoints.urls[0]!,
      site,
      tokens,
      resume: options?.resume === true,
      snapshot: () => this.#outbox.stored(),
      report: (error) => this.#report(error),
    });
    if (!opened || this.#closed()) return;
    this.#outbox.persistTo(opened.store, opened.restored);
    this.#positions = opened.positions;
  }

  #current(): ChatSocket {
    if (!this.#socket?.connected) throw new SyncTalkError('unavailable', 'Not connected', { status: 0 });
    return this.#socket;
  }

  #whenConnected(): Promise<void> {
    if (this.#socket?.connected) return Promise.resolve();
    if (this.#closed()) return Promise.reject(connectionClosedError());
    return new Promise((resolve, reject) => this.#waiters.push({ resolve, reject }));
  }

  #setStatus(status: ConnectionStatus): void {
    if (this.#state === status) return;
    this.#state = status;
    this.#emitter.emit('status', status);
  }

  #report(error: unknown): void {
    const e =
      error instanceof SyncTalkError
        ? error
        : new SyncTalkError('internal', error instanceof Error ? error.message : String(error), {
            status: 0,
            cause: error,
          });
    this.#emitter.emit('error', e);
  }

  async #open(): Promise<void> {
    this.#reconnectTimer = undefined;
    if (this.#closed()) return;
    const { endpoints, session, site, options = {} } = this.#deps;
    const url = endpoints.current();
    let token: string;
    try {
      token = await session.accessToken(HANDSHAKE_MIN_VALIDITY_MS);
      this.#userId = (await session.current())?.userId;
    } catch (error) {
      // Signed out, or the refresh token was refused: nothing to connect with. A network failure: retry.
      if (error instanceof SyncTalkError && !error.retryable) return this.#fail(error);
      return this.#scheduleReconnect();
    }
    if (this.#closed()) return;
    const socket: ChatSocket = io(`${url}/chat`, {
      ...options.socketOptions,
      auth: site ? { token, site } : { token },
      transports: this.#transports,
      reconnection: false,
      forceNew: true,
      autoConnect: false,
      timeout: options.socketOptions?.timeout ?? this.#ackTimeoutMs,
    });
    this.#socket = socket;
    this.#socketToken = token;
    socket.on('connect', () => this.#onConnect(socket));
    socket.on('connect_error', (error) => this.#onConnectError(socket, url, error));
    socket.on('disconnect', (reason) => this.#onDisconnect(socket, url, reason));
    socket.onAny((event: string, ...args: unknown[]) => this.#onServerEvent(socket, event, args));
    socket.connect();
  }

  #onConnect(socket: ChatSocket): void {
    if (socket !== this.#socket) return;
    this.#attempt = 0;
    this.#retriedAuth = false;
    this.#setStatus('connected');
    // Versions are compared among one socket's states.
    this.#presence.clear();
    for (const w of this.#waiters.splice(0)) w.resolve();
    this.#rooms.rejoinAll();
    this.#outbox.flush();
  }

  #onConnectError(socket: ChatSocket, url: string, error: Error & { data?: unknown }): void {
    if (socket !== this.#socket) return;
    this.#drop(socket);
    const body = error.data;
    const refusal = isErrorBody(body) ? errorFromBody(body) : undefined;
    if (refusal?.code === 'rate_limited') {
      // This node refuses us for a while (e.g. after a flood cut-off): wait as asked, on any node.
      return this.#scheduleReconnect((refusal.retryAfter ?? 1) * 1000);
    }
    if (!refusal || !FATAL_HANDSHAKE.has(refusal.code)) {
      // No answer from that server (refused, unreachable, timed out), or a refusal another node may not
      // give: try the next URL.
      this.#deps.endpoints.failed(url);
      return this.#scheduleReconnect();
    }
    if ((refusal.code === 'token_expired' || refusal.code === 'unauthorized') && !this.#retriedAuth) {
      // The token may have expired on the way, or been replaced: one refresh, then one more try.
      this.#retriedAuth = true;
      this.#deps.session.refresh(this.#socketToken, HANDSHAKE_MIN_VALIDITY_MS).then(
        () => void this.#open(),
        (refreshError: unknown) =>
          refreshError instanceof SyncTalkError && refreshError.retryable
            ? this.#scheduleReconnect()
            : this.#fail(refreshError instanceof SyncTalkError ? refreshError : refusal),
      );
      return;
    }
    this.#fail(refusal);
  }

  #onDisconnect(socket: ChatSocket, url: string, reason: Socket.DisconnectReason): void {
    if (socket !== this.#socket) return;
    this.#drop(socket);
    if (this.#closed()) return;
    this.#setStatus('reconnecting');
    // The server dropped us or vanished: any other node will do, and this one may be gone.
    if (reason !== 'io server disconnect') this.#deps.endpoints.failed(url);
    this.#scheduleReconnect();
  }

  #drop(socket: ChatSocket): void {
    if (this.#socket === socket) this.#socket = undefined;
    socket.offAny();
    socket.removeAllListeners();
    socket.close();
  }

  /** Opens a new connection after the backoff delay, or `minDelayMs` if that is longer. */
  #scheduleReconnect(minDelayMs = 0): void {
    if (this.#closed() || this.#reconnectTimer) return;
    if (this.#state === 'connected') this.#setStatus('reconnecting');
    const delay = Math.max(minDelayMs, backoffDelay(this.#attempt, this.#deps.options?.reconnect));
    this.#attempt += 1;
    this.#reconnectTimer = setTimeout(() => void this.#open(), delay);
  }

  /** Ends the connection: `error` set for a refusal, unset for `close()`. */
  #fail(error: SyncTalkError | undefined): void {
    if (this.#closed()) return;
    this.#state = 'closed';
    clearTimeout(this.#reconnectTimer);
    this.#reconnectTimer = undefined;
    if (this.#socket) this.#drop(this.#socket);
    const reason = error ?? connectionClosedError();
    for (const w of this.#waiters.splice(0)) w.reject(reason);
    this.#rooms.forgetAll(reason);
    this.#outbox.close(reason);
    void this.#positions?.flush();
    this.#emitter.emit('status', 'closed');
    if (error) this.#emitter.emit('error', error);
  }

  // ---- server events ------------------------------------------------------------------------------------

  #onServerEvent(socket: ChatSocket, event: string, args: unknown[]): void {
    if (socket !== this.#socket) return;
    const payload = args[0] as { roomId?: string; userId?: string } | undefined;
    switch (event) {
      case 'message:new': {
        this.#rooms.accept(args[0] as Message, 'live');
        return;
      }
      case 'presence':
        if (!this.#newer(args[0] as PresenceState)) return;
        break;
      case 'auth:expiring':
        void this.#refreshSocketToken(socket, (args[0] as { expiresInMs: number }).expiresInMs);
        break;
      case 'member:removed':
        // Another member's removal; when it is this user's, the server has taken this user's connections
        // out of the room: stop rejoining it, as for a deleted room.
        if (payload?.userId !== this.#userId) break;
      // falls through
      case 'room:deleted': {
        const gone = new SyncTalkError('forbidden', `Room ${payload?.roomId} is no longer available`, {
          status: 0,
        });
        this.#rooms.forget(payload?.roomId, gone);
        break;
      }
      case 'room:heads':
        // Rooms whose latest message was never received (a lost broadcast) fetch up to it.
        void this.#rooms.heads((args[0] as RoomHeadsEvent | undefined)?.rooms ?? []);
        break;
    }
    (this.#emitter.emit as (event: string, ...args: unknown[]) => void)(event, ...args);
  }

  /**
   * Whether `state` is newer than the room's last reported presence (then kept as it). A room's states come
   * by separate paths (the join answer, broadcasts from this node and, through Redis, from others) and may
   * cross: one as old as or older than what was reported (by `version`, a decimal string) is stale. Without
   * a version (an older server) a state is taken as it comes.
   */
  #newer(state: PresenceState): boolean {
    const kept = this.#presence.get(state.roomId)?.version;
    if (kept && state.version && BigInt(state.version) <= BigInt(kept)) return false;
    this.#presence.set(state.roomId, state);
    return true;
  }

  /** `auth:expiring`: a token that outlives the current one, sent with `auth:refresh`. */
  async #refreshSocketToken(socket: ChatSocket, expiresInMs: number): Promise<void> {
    try {
      const tokens = await this.#deps.session.refresh(this.#socketToken, expiresInMs + 1000);
      if (socket !== this.#socket || !socket.connected) return;
      await requestAck(socket, 'auth:refresh', { token: tokens.accessToken }, this.#ackTimeoutMs);
      this.#socketToken = tokens.accessToken;
    } catch (error) {
      // The server disconnects at expiry; the reconnect then refreshes again or reports the session over.
      if (socket === this.#socket) this.#report(error);
    }
  }
}
