/**
 * Sends on a plain `/chat` socket, for scenarios that must see what the server answers while something is
 * broken (the SDK hides refusals: it sends again until stored).
 */
import type { ErrorBody, Message } from '@synctalk/sdk';
import type { ChatClient } from '../helpers/cluster.js';
import type { Chaos } from './harness.js';

export type Outcome = { ok: Message } | { error: ErrorBody['error'] } | { timeout: true };

/** One `message:send`; a missing answer within 15 s is a `timeout` (a hang). */
export async function rawSend(socket: ChatClient, roomId: string, clientMsgId: string): Promise<Outcome> {
  try {
    const res = await socket
      .timeout(15_000)
      .emitWithAck('message:send', { roomId, clientMsgId, text: clientMsgId });
    return 'error' in res ? { error: res.error } : { ok: res.message };
  } catch {
    return { timeout: true };
  }
}

/** `ok`, the error code, or `timeout`. */
export function codeOf(outcome: Outcome): string {
  return 'ok' in outcome ? 'ok' : 'error' in outcome ? outcome.error.code : 'timeout';
}

/**
 * Sends `clientMsgId` again until it is stored, as the SDK would (every refusal must be `unavailable`), and
 * records the acknowledgement as client `client`'s: the end checks then expect it once in the room.
 */
export async function sendUntilStored(
  h: Chaos,
  client: number,
  socket: ChatClient,
  roomId: string,
  clientMsgId: string,
): Promise<Message> {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    const outcome = await rawSend(socket, roomId, clientMsgId);
    if ('ok' in outcome) {
      h.acks.push({ client, clientMsgId, roomId, message: outcome.ok, ms: 0, sentAt: 0 });
      return outcome.ok;
    }
    if (codeOf(outcome) !== 'unavailable') throw new Error(`${clientMsgId}: refused as ${codeOf(outcome)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${clientMsgId}: never stored`);
}
