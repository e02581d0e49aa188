/**
 * The widget's store: one `@synctalk/sdk` client and its connection, and everything the UI shows. Data flows
 * one way: SDK events → store → `change` → UI; UI actions call store methods, which call the SDK. The widget
 * never talks to the server any other way, so the SDK's exactly-once, in-order delivery is the widget's too.
 */
import {
  createClient,
  Emitter,
  SyncTalkError,
  type AuthResponse,
  type Connection,
  type ConnectionStatus,
  type Message,
  type MyRoom,
  type OutgoingMessage,
  type PublicSite,
  type Room,
  type RoomVisibility,
  type SyncTalkClient,
  type User,
} from '@synctalk/sdk';
import type { ResolvedOptions } from '../options.js';
import { sessionKey, webTokenStore } from './storage.js';
import { isMuted, maxSeq, roomState, totalUnread, type RoomState } from './rooms.js';
import { compareSeq } from './timeline.js';

export type View =
  { name: 'rooms' } | { name: 'browse' } | { name: 'create' } | { name: 'room'; roomId: string };
export type SignInView = 'guest' | 'login' | 'signup';

export interface WidgetState {
  phase: 'starting' | 'signed-out' | 'connecting' | 'ready' | 'failed';
  site: PublicSite | null;
  me: User | null;
  status: ConnectionStatus | 'idle';
  open: boolean;
  view: View;
  signInView: SignInView;
  /** A sign-in or form action is running. */
  busy: boolean;
  /** The last refusal to show (sign-in, join, create…), cleared by the next action. */
  error: string | null;
  rooms: Map<string, RoomState>;
  directory: { items: Room[]; nextCursor: string | null; loading: boolean; loaded: boolean };
}

/** What hosts can listen to (`SyncTalk('on', …)`). */
export type WidgetEvents = {
  /** A message from someone else arrived live. */
  message: (message: Message) => void;
  /** The total unread count changed. */
  unread: (count: number) => void;
  open: () => void;
  close: () => void;
  /** The widget knows whether someone is signed in (once per start). */
  ready: (info: { user: User | null }) => void;
  error: (error: { code: string; message: string }) => void;
};

export interface StoreDeps {
  /** Called after every state change (batched by the caller). */
  changed(): void;
  /** Whether the page is visible (messages in an open room count as read only then). */
  pageVisible?(): boolean;
}

const TYPING_SEND_EVERY_MS = 3_000;
const MY_ROOMS_LIMIT = 50;

export class ChatStore {
  readonly client: SyncTalkClient;
  readonly events = new Emitter<WidgetEvents>();
  readonly state: WidgetState;
  #connection: Connection | undefined;
  #offs: (() => void)[] = [];
  #lastUnread = 0;
  #typingSentAt = new Map<string, number>();
  #destroyed = false;
  #generation = 0;
  #readySent = false;
  /** Whether the open room's list is scrolled to its end (set by the UI). */
  atBottom = true;

  readonly #deps: StoreDeps;

  constructor(
    readonly options: ResolvedOptions,
    deps: StoreDeps,
  ) {
    this.#deps = deps;
    this.client = createClient({
      baseUrl: options.server,
      site: options.site,
      tokens: webTokenStore(options.storage, sessionKey(options.server, options.site)),
    });
    this.state = {
      phase: 'starting',
      site: null,
      me: null,
      status: 'idle',
      open: false,
      view: { name: 'rooms' },
      signInView: 'guest',
      busy: false,
      error: null,
      rooms: new Map(),
      directory: { items: [], nextCursor: null, loading: false, loaded: false },
    };
  }

  #changed(): void {
    if (this.#destroyed) return;
    const unread = totalUnread(this.state.rooms.values());
    if (unread !== this.#lastUnread) {
      this.#lastUnread = unread;
      this.events.emit('unread', unread);
    }
    this.#deps.changed();
  }

  get unread(): number {
    return this.#lastUnread;
  }

  /** The room shown now, if any. */
  get current(): RoomState | undefined {
    const view = this.state.view;
    return view.name === 'room' ? this.state.rooms.get(view.roomId) : undefined;
  }

  // ---- start, sign-in, sign-out --------------------------------------------------------------------------

  /** Loads the site, resumes a stored session (then connects) or shows sign-in. */
  async start(): Promise<void> {
    const generation = this.#generation;
    try {
      this.state.site = await this.client.siteInfo.info();
      const s = this.state.site.settings;
      this.state.signInView = s.guestsEnabled && !s.verifiedOnly ? 'guest' : 'login';
    } catch (error) {
      return this.#fail(error);
    }
    let me: User | null = null;
    if (await this.client.auth.tokens()) {
      try {
        me = await this.client.me.get();
      } catch (error) {
        // A session the server no longer accepts: sign in again. Anything else is reported.
        if (!(error instanceof SyncTalkError) || error.status !== 401) return this.#fail(error);
        await this.client.auth.logout().catch(() => undefined);
      }
    }
    // A sign-in started meanwhile (e.g. `identify` queued before the script loaded) decides instead.
    if (generation !== this.#generation || this.#destroyed) return;
    if (me) await this.#begin(me);
    else {
      this.state.phase = 'signed-out';
      this.#changed();
    }
    this.#ready();
  }

  /** `ready`, once: the widget knows whether someone is signed in. */
  #ready(): void {
    if (this.#readySent || this.#destroyed) return;
    this.#readySent = true;
    this.events.emit('ready', { user: this.state.me });
  }

  setSignInView(view: SignInView): void {
    this.state.signInView = view;
    this.state.error = null;
    this.#changed();
  }

  signInAsGuest(displayName: string): Promise<void> {
    return this.#signIn(() => this.client.auth.guest({ displayName: displayName.trim() }));
  }

  logIn(username: string, password: string): Promise<void> {
    return this.#signIn(() => this.client.auth.login({ username: username.trim(), password }));
  }

  signUp(username: string, password: string, displayName?: string): Promise<void> {
    const name = displayName?.trim();
    return this.#signIn(() =>
      this.client.auth.signup({
        username: username.trim(),
        password,
        ...(name ? { displayName: name } : {}),
      }),
    );
  }

  /** Signs in silently with a site token from the host's backend (replacing any session). */
  identify(token: string): Promise<void> {
    return this.#signIn(async () => {
      await this.#endSession();
      return this.client.auth.siteToken(token);
    });
  }

  /**
   * Kakao Login in a popup: the SDK's flow, which opens the window at once, within the click that calls this
   * (popup blockers allow only that), and accepts only that window's answer from the server's callback page.
   */
  kakao(): Promise<void> {
    return this.#signIn(() =>
      this.client.auth.kakaoPopup().catch((error: unknown) => {
        // The SDK's advice on where to call it is for developers; the visitor can only allow pop-ups.
        throw (error as { details?: { reason?: string } } | undefined)?.details?.reason === 'blocked'
          ? new SyncTalkError('forbidden', 'The sign-in window was blocked: allow pop-ups and try again', {
              status: 0,
            })
          : error;
      }),
    );
  }

  #signIn(run: () => Promise<AuthResponse>): Promise<void> {
    return this.#busyWith(async () => {
      try {
        const auth = await run();
        if (this.#destroyed) return;
        this.#generation += 1;
        await this.#begin(auth.user);
      } catch (error) {
        if (this.state.phase === 'starting') this.state.phase = 'signed-out';
        throw error;
      } finally {
        this.#ready();
      }
    });
  }

  /**
   * Runs one form action (a sign-in, a join, a create) at a time: `busy` while it runs, its refusal shown
   * afterwards.
   */
  async #busyWith(run: () => Promise<void>): Promise<void> {
    if (this.state.busy) return;
    this.state.busy = true;
    this.state.error = null;
    this.#changed();
    try {
      await run();
    } catch (error) {
      this.report(error);
    } finally {
      this.state.busy = false;
      this.#changed();
    }
  }

  /** Signs out: ends the session on the server, clears the stored tokens, shows sign-in. */
  async logout(): Promise<void> {
    await this.#endSession();
    await this.client.auth.logout().catch(() => undefined);
    this.state.phase = 'signed-out';
    this.#changed();
  }

  async #endSession(): Promise<void> {
    this.#generation += 1;
    this.#disconnect();
    this.state.me = null;
    this.state.rooms = new Map();
    this.state.directory = { items: [], nextCursor: null, loading: false, loaded: false };
    this.state.view = { name: 'rooms' };
    this.state.status = 'idle';
  }

  /** Signed in as `me`: connect and subscribe to my rooms (or the fixed room). */
  async #begin(me: User): Promise<void> {
    const generation = this.#generation;
    this.state.me = me;
    this.state.phase = 'connecting';
    this.state.error = null;
    this.#changed();
    let connection: Connection;
    try {
      connection = await this.client.connect();
    } catch (error) {
      if (generation === this.#generation) this.#fail(error);
      return;
    }
    if (generation !== this.#generation || this.#destroyed) {
      connection.close();
      return;
    }
    this.#connection = connection;
    this.#wire(connection);
    this.state.status = connection.status;
    try {
      const fixed = this.options.room;
      if (fixed) {
        const room =
          'id' in fixed
            ? await this.client.rooms.join(fixed.id)
            : await this.client.rooms.joinByCode(fixed.code);
        await this.#subscribe(room);
        this.state.view = { name: 'room', roomId: room.id };
        await this.showRoom(room.id);
      } else {
        const page = await this.client.rooms.myRooms({ limit: MY_ROOMS_LIMIT });
        await Promise.all(page.items.map((room) => this.#subscribe(room)));
      }
    } catch (error) {
      if (generation === this.#generation) this.report(error);
    }
    if (generation !== this.#generation) return;
    this.state.phase = 'ready';
    this.#changed();
  }

  #disconnect(): void {
    for (const off of this.#offs) off();
    this.#offs = [];
    this.#connection?.close();
    this.#connection = undefined;
  }

  #fail(error: unknown): void {
    this.state.phase = this.state.me ? 'failed' : this.state.site ? 'signed-out' : 'failed';
    this.report(error);
  }

  /** Shows a refusal and tells the host. */
  report(error: unknown): void {
    const e =
      error instanceof SyncTalkError
        ? error
        : new SyncTalkError('internal', String((error as Error)?.message ?? error), { status: 0 });
    this.state.error = e.message;
    this.events.emit('error', { code: e.code, message: e.message });
    this.#changed();
  }

  // ---- connection events ---------------------------------------------------------------------------------

  #wire(c: Connection): void {
    const room = (id: string) => this.state.rooms.get(id);
    this.#offs.push(
      c.on('status', (status) => {
        this.state.status = status;
        this.#changed();
      }),
      c.on('message:new', (message, { source }) => this.#onMessage(message, source !== 'sent')),
      c.on('send:status', ({ message }) => {
        // Stored: shown at once, also when the room's delivery still waits for an earlier message.
        if (message) this.#onMessage(message, false);
        this.#changed();
      }),
      c.on('room:joined', ({ room: r, membership, presence }) => {
        const state = room(r.id);
        if (!state) return;
        state.room = r;
        state.online = presence.count;
        if (membership) {
          state.mutedUntil = membership.mutedUntil;
          state.lastReadSeq = maxSeq(state.lastReadSeq, membership.lastReadSeq);
        }
        this.#changed();
      }),
      c.on('message:updated', (e) => room(e.roomId)?.timeline.applyUpdate(e) && this.#changed()),
      c.on('message:deleted', (e) => room(e.roomId)?.timeline.applyDelete(e) && this.#changed()),
      c.on(
        'reaction:updated',
        (e) => room(e.roomId)?.timeline.applyReaction(e, this.state.me?.id) && this.#changed(),
      ),
      c.on('presence', (p) => {
        const state = room(p.roomId);
        if (!state) return;
        state.online = p.count;
        this.#changed();
      }),
      c.on('typing', (t) => {
        const state = room(t.roomId);
        if (!state || t.userId === this.state.me?.id) return;
        if (t.typing) state.typing.set(t.userId, Date.now() + t.expiresInMs);
        else state.typing.delete(t.userId);
        this.#changed();
      }),
      c.on('read', (e) => {
        const state = room(e.roomId);
        if (!state || e.userId !== this.state.me?.id) return;
        // My marker moved on another tab or device.
        this.#moveReadMarker(state, e.seq);
        this.#changed();
      }),
      c.on('room:updated', (r) => {
        const state = room(r.id);
        if (!state) return;
        state.room = { ...state.room, ...r };
        this.#changed();
      }),
      c.on('room:deleted', ({ roomId }) => this.#roomGone(roomId, 'deleted')),
      c.on('member:removed', ({ roomId, userId }) => {
        if (userId === this.state.me?.id) this.#roomGone(roomId, 'removed');
      }),
      c.on('member:updated', (e) => {
        const state = room(e.roomId);
        if (!state || e.userId !== this.state.me?.id) return;
        state.mutedUntil = e.mutedUntil;
        this.#changed();
      }),
      c.on('error', (error) => {
        this.events.emit('error', { code: error.code, message: error.message });
        if (c.status === 'closed') this.#fail(error);
      }),
    );
  }

  #onMessage(message: Message, notify: boolean): void {
    const state = this.state.rooms.get(message.roomId);
    if (!state) return;
    const [added] = state.timeline.add([message]);
    if (!added) return;
    const mine = message.author.id === this.state.me?.id;
    if (compareSeq(message.seq, state.room.lastSeq) > 0) state.room = { ...state.room, lastSeq: message.seq };
    if (!mine) state.typing.delete(message.author.id);
    if (compareSeq(message.seq, state.lastReadSeq) > 0) {
      if (mine || this.#isSeen(state)) this.#markRead(state);
      else if (!message.deletedAt) state.unread += 1;
    }
    if (notify && !mine) this.events.emit('message', message);
    this.#changed();
  }

  /** Whether new messages in `state` are being seen right now. */
  #isSeen(state: RoomState): boolean {
    return this.state.open && this.current === state && this.atBottom && (this.#deps.pageVisible?.() ?? true);
  }

  #moveReadMarker(state: RoomState, seq: string): void {
    state.lastReadSeq = maxSeq(state.lastReadSeq, seq);
    if (compareSeq(seq, state.room.lastSeq) >= 0) state.unread = 0;
  }

  /** Marks everything in `state` read, locally at once and on the server. */
  #markRead(state: RoomState): void {
    const seq = state.room.lastSeq;
    if (compareSeq(seq, '0') <= 0) return;
    const before = state.lastReadSeq;
    state.lastReadSeq = maxSeq(before, seq);
    state.unread = 0;
    if (compareSeq(seq, before) > 0 && this.#connection) {
      this.#connection.markRead(state.room.id, seq).catch(() => undefined);
    }
  }

  #roomGone(roomId: string, why: 'deleted' | 'removed'): void {
    const state = this.state.rooms.get(roomId);
    if (!state) return;
    state.gone = why;
    state.unread = 0;
    this.#changed();
  }

  // ---- rooms -----------------------------------------------------------------------------------------------

  /** Adds `room` to my rooms and receives its messages from its current end on. */
  async #subscribe(room: MyRoom): Promise<RoomState> {
    let state = this.state.rooms.get(room.id);
    if (!state) {
      state = roomState(room);
      this.state.rooms.set(room.id, state);
    } else {
      state.room = room;
      state.gone = null;
    }
    await this.#connection?.joinRoom(room.id, { lastSeq: state.timeline.lastSeq ?? room.lastSeq });
    return state;
  }

  /** Opens a room of mine: its latest messages, the "new messages" line, and marks it read. */
  async showRoom(roomId: string): Promise<void> {
    const state = this.state.rooms.get(roomId);
    if (!state) return;
    this.state.view = { name: 'room', roomId };
    this.state.error = null;
    state.markerSeq = state.unread > 0 ? state.lastReadSeq : null;
    this.atBottom = true;
    this.#changed();
    if (!state.timeline.loaded) {
      try {
        const page = await this.client.messages.history(roomId, { limit: 50 });
        state.timeline.add(page.messages);
        state.timeline.loaded = true;
        state.timeline.hasOlder = page.hasMore;
      } catch (error) {
        this.report(error);
      }
    }
    if (this.#isSeen(state)) this.#markRead(state);
    this.#changed();
  }

  /** Loads the page of history before the oldest message shown. */
  async loadOlder(roomId: string): Promise<boolean> {
    const state = this.state.rooms.get(roomId);
    const before = state?.timeline.firstSeq;
    if (!state || !before || !state.timeline.hasOlder || state.loadingOlder) return false;
    state.loadingOlder = true;
    this.#changed();
    try {
      const page = await this.client.messages.history(roomId, { before, limit: 50 });
      state.timeline.addOlder(page.messages, page.hasMore);
      return page.messages.length > 0;
    } catch (error) {
      this.report(error);
      return false;
    } finally {
      state.loadingOlder = false;
      this.#changed();
    }
  }

  show(view: View): void {
    this.state.view = view;
    this.state.error = null;
    if (view.name === 'browse' && !this.state.directory.loaded) void this.loadDirectory();
    this.#changed();
  }

  async loadDirectory(more = false): Promise<void> {
    const dir = this.state.directory;
    if (dir.loading || (more && !dir.nextCursor)) return;
    dir.loading = true;
    this.#changed();
    try {
      const page = await this.client.rooms.list({
        limit: 20,
        ...(more && dir.nextCursor ? { cursor: dir.nextCursor } : {}),
      });
      dir.items = more ? dir.items.concat(page.items) : page.items;
      dir.nextCursor = page.nextCursor;
      dir.loaded = true;
    } catch (error) {
      this.report(error);
    } finally {
      dir.loading = false;
      this.#changed();
    }
  }

  /** Joins a public room (or opens it when I am a member) and shows it. */
  joinRoom(roomId: string): Promise<void> {
    return this.#roomAction(() => this.client.rooms.join(roomId));
  }

  joinByCode(code: string): Promise<void> {
    return this.#roomAction(() => this.client.rooms.joinByCode(code));
  }

  createRoom(title: string, visibility: RoomVisibility): Promise<void> {
    return this.#roomAction(async () => {
      const room = await this.client.rooms.create({ title: title.trim(), visibility });
      return this.client.rooms.join(room.id);
    });
  }

  #roomAction(run: () => Promise<MyRoom>): Promise<void> {
    return this.#busyWith(async () => {
      const room = await run();
      await this.#subscribe(room);
      await this.showRoom(room.id);
    });
  }

  // ---- messages --------------------------------------------------------------------------------------------

  /**
   * Sends a message through the connection's outbox: shown at once as pending (`outgoing`), then as stored,
   * or as failed with retry and discard. Every change comes back as `send:status`.
   */
  send(roomId: string, text: string, replyTo: string | null = null): void {
    const body = text.trim();
    if (!this.state.rooms.has(roomId) || !body || !this.#connection) return;
    this.#typingSentAt.delete(roomId);
    this.#connection.send(roomId, body, replyTo ? { replyTo } : {});
  }

  /** The room's sends not stored yet (pending, or failed and kept for a retry), in the order they were made. */
  outgoing(state: RoomState): OutgoingMessage[] {
    return state.timeline.unsent(this.#connection?.outgoing(state.room.id) ?? [], this.state.me?.id);
  }

  /** Sends a failed message again, with the same client id (so it can never be stored twice). */
  retry(clientMsgId: string): void {
    this.#connection?.retrySend(clientMsgId);
  }

  discard(clientMsgId: string): void {
    this.#connection?.discardSend(clientMsgId);
  }

  async edit(roomId: string, messageId: string, text: string): Promise<boolean> {
    return this.#request(() =>
      this.#connection!.request('message:edit', { roomId, messageId, text: text.trim() }),
    );
  }

  async remove(roomId: string, messageId: string): Promise<boolean> {
    return this.#request(() => this.#connection!.request('message:delete', { roomId, messageId }));
  }

  /** Adds my reaction, or removes it when I already reacted with `emoji`. */
  async toggleReaction(roomId: string, messageId: string, emoji: string): Promise<boolean> {
    const message = this.state.rooms.get(roomId)?.timeline.find(messageId);
    const mine = message?.reactions.some((r) => r.emoji === emoji && r.me);
    return this.#request(async () => {
      const result = await this.#connection!.request(mine ? 'reaction:remove' : 'reaction:add', {
        roomId,
        messageId,
        emoji,
      });
      this.state.rooms.get(roomId)?.timeline.applyReaction(result, this.state.me?.id);
    });
  }

  async #request(run: () => Promise<unknown>): Promise<boolean> {
    if (!this.#connection) return false;
    try {
      await run();
      this.#changed();
      return true;
    } catch (error) {
      this.report(error);
      return false;
    }
  }

  /** The composer changed: tell the room I am typing (at most every 3 s), or that I stopped. */
  typing(roomId: string, active: boolean): void {
    const c = this.#connection;
    if (!c || c.status !== 'connected') return;
    const last = this.#typingSentAt.get(roomId);
    if (active) {
      if (last !== undefined && Date.now() - last < TYPING_SEND_EVERY_MS) return;
      this.#typingSentAt.set(roomId, Date.now());
      c.request('typing:start', { roomId }).catch(() => undefined);
    } else if (last !== undefined) {
      this.#typingSentAt.delete(roomId);
      c.request('typing:stop', { roomId }).catch(() => undefined);
    }
  }

  /** The UI scrolled the open room to its end (or away from it). */
  setAtBottom(atBottom: boolean): void {
    this.atBottom = atBottom;
    const state = this.current;
    if (atBottom && state && state.unread > 0 && this.#isSeen(state)) {
      this.#markRead(state);
      this.#changed();
    }
  }

  /** The page became visible again: what is on screen counts as read. */
  pageShown(): void {
    this.setAtBottom(this.atBottom);
  }

  isMuted(state: RoomState): boolean {
    return isMuted(state.mutedUntil, Date.now());
  }

  // ---- open / close ------------------------------------------------------------------------------------

  setOpen(open: boolean): void {
    if (this.state.open === open) return;
    this.state.open = open;
    const state = this.current;
    if (open && state) {
      state.markerSeq = state.unread > 0 ? state.lastReadSeq : null;
      this.atBottom = true;
      if (this.#isSeen(state)) this.#markRead(state);
    }
    this.#changed();
    this.events.emit(open ? 'open' : 'close');
  }

  destroy(): void {
    this.#generation += 1;
    this.#disconnect();
    this.#destroyed = true;
  }
}
