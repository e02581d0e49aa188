/**
 * Type-level checks of the contract, run by `tsc` (`npm run typecheck`), not by vitest: the SDK's protocol
 * types are exactly what the wire schemas infer, and the shapes below are pinned, so changing a schema
 * without meaning to change the protocol fails the type-check here and wherever either side uses it.
 */
import { expectTypeOf } from 'vitest';
import type { z } from 'zod';
import type {
  Ack,
  ClientToServerEvents,
  CreateRoomRequest,
  ErrorBody,
  Message,
  MyRoom,
  Room,
  RoomMember,
  SendMessagePayload,
  ServerToClientEvents,
  User,
} from '../index.js';
import type { userSchema } from './auth.js';
import type {
  clientEventAcks,
  ClientEventSchemas,
  errorBodySchema,
  sendMessagePayload,
  serverEventSchemas,
} from './events.js';
import type { messageResponse } from './messages.js';
import type { createRoomBody, memberResponse, myRoomResponse, roomResponse } from './rooms.js';

// The SDK's names are the schemas' inferred types: responses on the output side, requests on the input side.
expectTypeOf<Room>().toEqualTypeOf<z.output<typeof roomResponse>>();
expectTypeOf<MyRoom>().toEqualTypeOf<z.output<typeof myRoomResponse>>();
expectTypeOf<RoomMember>().toEqualTypeOf<z.output<typeof memberResponse>>();
expectTypeOf<User>().toEqualTypeOf<z.output<typeof userSchema>>();
expectTypeOf<Message>().toEqualTypeOf<z.output<typeof messageResponse>>();
expectTypeOf<CreateRoomRequest>().toEqualTypeOf<z.input<typeof createRoomBody>>();
expectTypeOf<SendMessagePayload>().toEqualTypeOf<z.input<ReturnType<typeof sendMessagePayload>>>();
// The hand-written error body and its schema agree.
expectTypeOf<ErrorBody>().toEqualTypeOf<z.output<typeof errorBodySchema>>();

// The pinned shapes: a schema change shows up here first.
expectTypeOf<Room>().toEqualTypeOf<{
  id: string;
  code: string | null;
  title: string;
  description: string;
  visibility: 'public' | 'private';
  ownerId: string;
  memberCount: number;
  lastSeq: string;
  lastMessageAt: string | null;
  createdAt: string;
  updatedAt: string;
}>();
expectTypeOf<CreateRoomRequest>().toEqualTypeOf<{
  title: string;
  description?: string | undefined;
  visibility: 'public' | 'private';
}>();
expectTypeOf<SendMessagePayload>().toEqualTypeOf<{
  roomId: string;
  clientMsgId: string;
  text: string;
  replyTo?: string | undefined;
}>();
expectTypeOf<RoomMember['user']>().toEqualTypeOf<
  Pick<User, 'id' | 'username' | 'displayName' | 'avatarUrl' | 'kind'>
>();

// The event maps follow the contract maps: every event, with its payload schema's input and its ack's output.
expectTypeOf<keyof ClientToServerEvents>().toEqualTypeOf<keyof ClientEventSchemas>();
expectTypeOf<keyof ClientToServerEvents>().toEqualTypeOf<keyof typeof clientEventAcks>();
expectTypeOf<keyof ServerToClientEvents>().toEqualTypeOf<keyof typeof serverEventSchemas>();
expectTypeOf<ClientToServerEvents['message:send']>().toEqualTypeOf<
  (payload: SendMessagePayload, ack?: Ack<{ message: Message }>) => void
>();
expectTypeOf<ClientToServerEvents['room:leave']>()
  .parameter(1)
  .toEqualTypeOf<Ack<{ ok: true }> | undefined>();
expectTypeOf<ServerToClientEvents['room:updated']>().parameter(0).toEqualTypeOf<Room>();
expectTypeOf<ServerToClientEvents['auth:expired']>().parameter(0).toEqualTypeOf<ErrorBody>();
// room:heads is both a server event and the ack of the client's request of the same name.
expectTypeOf<ServerToClientEvents['room:heads']>()
  .parameter(0)
  .toEqualTypeOf<{ rooms: { roomId: string; lastSeq: string }[] }>();
expectTypeOf<ClientToServerEvents['room:heads']>()
  .parameter(1)
  .toEqualTypeOf<Ack<{ rooms: { roomId: string; lastSeq: string }[] }> | undefined>();
expectTypeOf<ClientToServerEvents['room:heads']>()
  .parameter(0)
  .toEqualTypeOf<{ roomIds?: string[] | undefined }>();

// A client cannot send what the schema would refuse by shape.
const send: ClientToServerEvents['message:send'] = () => undefined;
// @ts-expect-error -- clientMsgId is required by the message:send schema
send({ roomId: '1', text: 'hi' });
// @ts-expect-error -- the payload schema has no `body`; `text` it is
send({ roomId: '1', clientMsgId: 'a', body: 'hi' });
