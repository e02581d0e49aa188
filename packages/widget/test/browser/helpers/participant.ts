/**
 * A chat participant driven from the test itself (not a browser): a `/chat` socket on a chosen node that
 * sends messages like any client would.
 */
import { randomUUID } from 'node:crypto';
import type { Message } from '@synctalk/sdk';
import { ack, connectChat, type ChatClient } from '../../../../server/test/helpers/cluster.js';
import type { TestUser } from '../../../../server/test/helpers/factories.js';

export interface Participant {
  socket: ChatClient;
  send(text: string): Promise<Message>;
  close(): void;
}

export async function participant(chatUrl: string, user: TestUser, roomId: string): Promise<Participant> {
  const socket = await connectChat(chatUrl, { token: user.token, site: user.headers['x-synctalk-site'] });
  const joined = await ack(socket, 'room:join', { roomId });
  if (joined.error) throw new Error(`room:join refused: ${JSON.stringify(joined.error)}`);
  return {
    socket,
    async send(text) {
      const res = await ack(socket, 'message:send', { roomId, clientMsgId: randomUUID(), text });
      if (res.error) throw new Error(`message:send refused: ${JSON.stringify(res.error)}`);
      return res.message as Message;
    },
    close: () => socket.close(),
  };
}
