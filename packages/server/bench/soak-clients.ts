/**
 * The soak's clients: each one a real `@synctalk/sdk` client with its realtime connection, a member of its
 * home room for the whole run, that sends, visits other rooms (join, send, leave), has its connection cut
 * under it (the SDK reconnects and catches up by itself), and refreshes its access token whenever the
 * server says it is expiring. Each keeps what it was delivered, for the checks at the end.
 */
import { Agent, type ClientRequestArgs } from 'node:http';
import type { NetConnectOpts, Socket } from 'node:net';
import { createConnection } from 'node:net';
import {
  createClient,
  type Connection,
  type Message,
  type SyncTalkClient,
  type Tokens,
  type TokenStore,
} from '@synctalk/sdk';

/**
 * The HTTP agent of one client's WebSocket: remembers the TCP connection it opened last, so the soak can cut
 * it the way a network does (the socket is destroyed; neither end says goodbye), and counts the connections
 * it opened (one per connection attempt of the SDK).
 */
export class DroppableAgent extends Agent {
  socket: Socket | undefined;
  opened = 0;

  override createConnection(options: ClientRequestArgs): Socket {
    const socket = createConnection(options as NetConnectOpts);
    this.socket = socket;
    this.opened += 1;
    return socket;
  }

  /** Cuts the open connection; false if there is none. */
  drop(): boolean {
    const socket = this.socket;
    if (!socket || socket.destroyed) return false;
    socket.destroy();
    return true;
  }
}

export interface SoakCounters {
  sends: number;
  acked: number;
  sendFailures: number;
  visits: number;
  visitFailures: number;
  drops: number;
  /** Times a connection went from `reconnecting` back to `connected`. */
  reconnects: number;
  /** Access-token refreshes (every save of new tokens after the sign-in). */
  refreshes: number;
  /** `error` events of the connections (refresh or history fetch failures, rejoins refused). */
  connectionErrors: number;
  /** Deliveries by source: live broadcasts, join answers, REST catch-up pages, own send acknowledgements. */
  delivered: Record<'live' | 'join' | 'history' | 'sent', number>;
  /** Deliveries out of order or repeated within a room's subscription, and for rooms not subscribed. */
  disorder: number;
  stray: number;
  /** The first few reasons sends were refused, visits failed and connections reported errors. */
  problems: string[];
}

export function newCounters(): SoakCounters {
  return {
    sends: 0,
    acked: 0,
    sendFailures: 0,
    visits: 0,
    visitFailures: 0,
    drops: 0,
    reconnects: 0,
    refreshes: 0,
    connectionErrors: 0,
    delivered: { live: 0, join: 0, history: 0, sent: 0 },
    disorder: 0,
    stray: 0,
    problems: [],
  };
}

/** An acknowledged send: the number in its clientMsgId and what the server stored. */
export interface AckedSend {
  n: number;
  roomId: string;
  id: string;
  seq: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function note(counters: SoakCounters, what: string, error: unknown): void {
  if (counters.problems.length >= 10) return;
  const e = error as { code?: string; message?: string };
  counters.problems.push(`${what}: ${e?.code ?? ''} ${e?.message ?? String(error)}`.slice(0, 300));
}

export class SoakClient {
  readonly client: SyncTalkClient;
  chat: Connection | undefined;
  readonly #agent = new DroppableAgent();
  homeRoomId = '';
  /** Every delivery of the home room, in delivery order: seq and message id. */
  readonly home: { seq: number; id: string }[] = [];
  /** The room visited now, and the last seq it delivered there. */
  #visit: { roomId: string; lastSeq: number } | undefined;
  visiting = false;
  readonly #pending = new Set<Promise<unknown>>();
  #signedIn = false;
  #wasReconnecting = false;

  constructor(
    nodeUrls: string[],
    readonly counters: SoakCounters,
    readonly acked: AckedSend[],
  ) {
    let tokens: Tokens | null = null;
    const store: TokenStore = {
      load: () => tokens,
      save: (next) => {
        if (next && this.#signedIn) counters.refreshes += 1;
        tokens = next;
      },
    };
    this.client = createClient({ baseUrl: nodeUrls, tokens: store });
  }

  async signUp(username: string, password: string): Promise<void> {
    await this.client.auth.signup({ username, password });
    this.#signedIn = true;
  }

  async connect(): Promise<void> {
    const chat = await this.client.connect({
      // socket.io-client hands `agent` to the WebSocket in Node.
      socketOptions: { agent: this.#agent as unknown as string },
      reconnect: { initialMs: 200, maxMs: 5_000 },
    });
    this.chat = chat;
    chat.on('status', (status) => {
      if (status === 'reconnecting') this.#wasReconnecting = true;
      if (status === 'connected' && this.#wasReconnecting) {
        this.#wasReconnecting = false;
        this.counters.reconnects += 1;
      }
    });
    chat.on('error', (error) => {
      this.counters.connectionErrors += 1;
      note(this.counters, 'connection error', error);
    });
    chat.on('message:new', (message: Message, { source }) => this.#deliver(message, source));
  }

  #deliver(message: Message, source: keyof SoakCounters['delivered']): void {
    this.counters.delivered[source] += 1;
    const seq = Number(message.seq);
    if (message.roomId === this.homeRoomId) {
      const last = this.home.at(-1)?.seq ?? 0;
      if (seq !== last + 1) this.counters.disorder += 1;
      this.home.push({ seq, id: message.id });
    } else if (this.#visit && message.roomId === this.#visit.roomId) {
      if (this.#visit.lastSeq > 0 && seq !== this.#visit.lastSeq + 1) this.counters.disorder += 1;
      this.#visit.lastSeq = seq;
    } else {
      this.counters.stray += 1;
    }
  }

  async joinHome(roomId: string, create: boolean, title: string): Promise<string> {
    if (create) {
      const room = await this.client.rooms.create({ title, visibility: 'public' });
      roomId = room.id;
    } else {
      await this.client.rooms.join(roomId);
    }
    this.homeRoomId = roomId;
    return roomId;
  }

  async subscribeHome(): Promise<void> {
    await this.chat!.joinRoom(this.homeRoomId);
  }

  /** Sends message `n` (clientMsgId `<prefix><n>`) to `roomId`; the SDK retries it until stored. */
  send(roomId: string, prefix: string, n: number): Promise<void> {
    this.counters.sends += 1;
    const sent = Promise.resolve(this.chat!.send(roomId, `soak ${n}`, { clientMsgId: `${prefix}${n}` })).then(
      (message) => {
        this.counters.acked += 1;
        this.acked.push({ n, roomId: message.roomId, id: message.id, seq: message.seq });
      },
      (error: unknown) => {
        this.counters.sendFailures += 1;
        note(this.counters, 'send refused', error);
      },
    );
    this.#track(sent);
    return sent;
  }

  /** Joins `roomId` (membership and subscription), sends there, stays `stayMs` (less once `stopping`), leaves. */
  visit(roomId: string, prefix: string, n: number, stayMs: number, stopping: () => boolean): void {
    this.visiting = true;
    this.counters.visits += 1;
    const run = async () => {
      await this.client.rooms.join(roomId);
      this.#visit = { roomId, lastSeq: 0 };
      await this.chat!.joinRoom(roomId);
      // Stored before the visitor leaves (a send arriving after the membership ended is refused).
      const sent = this.send(roomId, prefix, n);
      const until = performance.now() + stayMs;
      while (performance.now() < until && !stopping()) await sleep(200);
      await sent;
      await this.chat!.leaveRoom(roomId);
      this.#visit = undefined;
      await this.client.rooms.leave(roomId);
    };
    this.#track(
      run()
        .catch((error: unknown) => {
          this.counters.visitFailures += 1;
          note(this.counters, `visit of room ${roomId} failed`, error);
        })
        .finally(() => {
          this.#visit = undefined;
          this.visiting = false;
        }),
    );
  }

  /** Cuts the connection under the SDK; false if it had none open. */
  drop(): boolean {
    if (this.chat?.status !== 'connected' || !this.#agent.drop()) return false;
    this.counters.drops += 1;
    return true;
  }

  #track(p: Promise<unknown>): void {
    this.#pending.add(p);
    void p.finally(() => this.#pending.delete(p));
  }

  /** Resolves once every send and visit started has settled. */
  async settled(): Promise<void> {
    while (this.#pending.size > 0) await Promise.allSettled([...this.#pending]);
  }

  close(): void {
    this.chat?.close();
    this.#agent.destroy();
  }
}
