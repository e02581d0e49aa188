/**
 * The chat benchmark's `raw` configuration: a bare Socket.IO server that answers the benchmark's clients
 * the way the real one does, without the real one's work. It is the ceiling the other configurations are
 * measured against: what the same clients, rooms and payloads cost on this machine when the server does
 * nothing but acknowledge and broadcast.
 *
 * - the handshake accepts any connection; the user id is read from the access token's `sub` claim without
 *   verifying it (no key, no site lookup);
 * - `room:join` joins the Socket.IO room of the chat room and answers a join result of the real shape, with
 *   no history (nothing is stored);
 * - `message:send` numbers the message in its room (a counter in memory), broadcasts `message:new` to the
 *   room and acknowledges `{ message }`, in that order, like the real server; the message has every field
 *   of a real one, so frames are about the same size;
 * - one process, Socket.IO's in-memory adapter; no validation, no permissions, no rate limits, no presence,
 *   no database, no Redis.
 *
 * Run as a child process like the real nodes (`node --import tsx bench/raw-chat-server.ts`, HOST and PORT
 * from the environment, PORT=0 for a free one); it prints `… listening on <url>` as a JSON log line, then
 * nothing, and stops on SIGTERM.
 */
import { createServer } from 'node:http';
import { Server } from 'socket.io';
import type { ClientToServerEvents, Message, RoomJoinResult, ServerToClientEvents } from '@synctalk/sdk';
import { maxFrameBytes } from '../src/platform/realtime/socket-server.js';
import { coalesceWrites } from '../src/platform/realtime/write-coalescing.js';
import { chatRoomName } from '../src/platform/realtime/room-names.js';

/** The real server's default MESSAGE_MAX_LENGTH, which sizes its frame limit. */
const MAX_TEXT_LENGTH = 4000;

interface RawSocketData {
  userId: string;
}

/** The `sub` claim of a JWT, decoded without checking the signature; undefined when there is none. */
function subjectOf(token: unknown): string | undefined {
  if (typeof token !== 'string') return undefined;
  try {
    const claims = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()) as {
      sub?: unknown;
    };
    return typeof claims.sub === 'string' ? claims.sub : undefined;
  } catch {
    return undefined;
  }
}

const io = new Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, RawSocketData>({
  // The real server's engine options where they bear on throughput: the same frame ceiling, and Socket.IO's
  // defaults otherwise (no per-message deflate, which the real server leaves off too). Its origin checks
  // (`allowRequest`, CORS) are skipped: requests from Node carry no Origin, so they cost it nothing either.
  path: '/socket.io',
  serveClient: false,
  maxHttpBufferSize: maxFrameBytes(MAX_TEXT_LENGTH),
});

const nsp = io.of('/chat');
const seqs = new Map<string, number>();
let nextId = 0;

nsp.use((socket, next) => {
  const auth = socket.handshake.auth as { token?: unknown };
  socket.data.userId = subjectOf(auth.token) ?? '0';
  next();
});

nsp.on('connection', (socket) => {
  const { userId } = socket.data;
  // About as long as the benchmark's usernames, which the real server shows as display names.
  const author = { id: userId, displayName: `bench-u${userId}`, avatarUrl: null };

  socket.on('room:join', ({ roomId }, ack) => {
    void Promise.resolve(socket.join(chatRoomName(roomId))).then(() => {
      const now = new Date().toISOString();
      const lastSeq = String(seqs.get(roomId) ?? 0);
      const result: RoomJoinResult = {
        room: {
          id: roomId,
          code: null,
          title: `Room ${roomId}`,
          description: '',
          visibility: 'public',
          ownerId: userId,
          memberCount: 0,
          lastSeq,
          lastMessageAt: null,
          createdAt: now,
          updatedAt: now,
        },
        membership: null,
        presence: { roomId, online: [], count: 0, version: '0' },
        messages: [],
        hasMore: false,
      };
      ack?.(result);
    });
  });

  socket.on('message:send', ({ roomId, clientMsgId, text, replyTo }, ack) => {
    const seq = (seqs.get(roomId) ?? 0) + 1;
    seqs.set(roomId, seq);
    nextId += 1;
    const message: Message = {
      id: String(nextId),
      roomId,
      seq: String(seq),
      author,
      clientMsgId,
      text,
      replyTo: replyTo ?? null,
      createdAt: new Date().toISOString(),
      editedAt: null,
      deletedAt: null,
      reactions: [],
    };
    nsp.to(chatRoomName(roomId)).emit('message:new', message);
    ack?.({ message });
  });
});

const http = createServer();
io.attach(http);
// The real server corks each connection's TCP socket for a tick so that the frames of one tick leave in
// one write. That saving is the transport's, not the application's: the ceiling has it too, so that the
// ratios measure what authentication, the database and the adapters cost, not the absence of this.
io.engine.on('connection', coalesceWrites);
http.listen(Number(process.env.PORT ?? 0), process.env.HOST ?? '127.0.0.1', () => {
  const address = http.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const host = process.env.HOST ?? '127.0.0.1';
  console.log(JSON.stringify({ level: 30, msg: `raw chat server listening on http://${host}:${port}` }));
});
process.once('SIGTERM', () => {
  void io.close(() => process.exit(0));
});
