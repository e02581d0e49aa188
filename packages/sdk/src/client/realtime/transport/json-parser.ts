/**
 * A JSON-only Socket.IO packet parser for the SDK's browser builds and the widget bundle: the same wire format
 * as socket.io-parser (protocol 5) for packets without binary attachments, which is every packet SyncTalk
 * sends. Socket.IO clients accept a custom parser; those builds swap this one in for the default (see
 * packages/sdk/build/websocket-only.ts) to leave out the binary machinery. The tests compare it with
 * socket.io-parser.
 */
import { Emitter } from '@socket.io/component-emitter';

export const protocol = 5;

export const PacketType = {
  CONNECT: 0,
  DISCONNECT: 1,
  EVENT: 2,
  ACK: 3,
  CONNECT_ERROR: 4,
  BINARY_EVENT: 5,
  BINARY_ACK: 6,
} as const;

export interface Packet {
  type: number;
  nsp: string;
  id?: number;
  data?: unknown;
}

/** Event names a server may not send (they are the client's own lifecycle events). */
const RESERVED = ['connect', 'connect_error', 'disconnect', 'disconnecting', 'newListener', 'removeListener'];

const isObject = (value: unknown) => Object.prototype.toString.call(value) === '[object Object]';

function payloadValid(type: number, data: unknown): boolean {
  switch (type) {
    case PacketType.CONNECT:
      return isObject(data);
    case PacketType.DISCONNECT:
      return data === undefined;
    case PacketType.CONNECT_ERROR:
      return typeof data === 'string' || isObject(data);
    case PacketType.EVENT:
      return (
        Array.isArray(data) &&
        (typeof data[0] === 'number' || (typeof data[0] === 'string' && !RESERVED.includes(data[0])))
      );
    default:
      return Array.isArray(data);
  }
}

/** One packet as the text socket.io-parser would send. */
export function encodePacket(packet: Packet): string {
  let text = String(packet.type);
  if (packet.nsp && packet.nsp !== '/') text += `${packet.nsp},`;
  if (packet.id != null) text += packet.id;
  if (packet.data != null) text += JSON.stringify(packet.data);
  return text;
}

/** Parses one packet; throws on anything socket.io-parser would refuse, and on binary packets. */
export function decodePacket(text: string): Packet {
  const m = /^([0-4])(\/[^,]*)?,?(\d*)([\s\S]*)$/.exec(text);
  if (!m) throw new Error(`unsupported packet ${text.slice(0, 20)}`);
  const packet: Packet = { type: Number(m[1]), nsp: m[2] ?? '/' };
  if (m[3]) packet.id = Number(m[3]);
  if (m[4]) {
    const data: unknown = JSON.parse(m[4]);
    if (!payloadValid(packet.type, data)) throw new Error('invalid payload');
    packet.data = data;
  }
  return packet;
}

export class Encoder {
  encode(packet: Packet): string[] {
    return [encodePacket(packet)];
  }
}

export class Decoder extends Emitter<
  Record<string, never>,
  Record<string, never>,
  { decoded: (packet: Packet) => void }
> {
  add(chunk: unknown): void {
    if (typeof chunk !== 'string') throw new Error('binary packets are not supported');
    this.emitReserved('decoded', decodePacket(chunk));
  }

  destroy(): void {}
}
