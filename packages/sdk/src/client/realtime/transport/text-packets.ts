/**
 * Engine.IO packets as text, for the SDK's browser builds and the widget bundle: the same encoding as
 * engine.io-parser (protocol 4) for text packets, which is all a JSON-only Socket.IO client sends and receives
 * over WebSocket. The WebSocket engine uses it where engine.io-client uses engine.io-parser (see
 * packages/sdk/build/websocket-only.ts); the tests compare it with engine.io-parser.
 */
export const protocol = 4;

const TYPES = ['open', 'close', 'ping', 'pong', 'message', 'upgrade', 'noop'];

export interface EnginePacket {
  type: string;
  data?: unknown;
}

export function encodePacket(
  packet: EnginePacket,
  _supportsBinary: boolean,
  callback: (encoded: string) => void,
): void {
  callback(TYPES.indexOf(packet.type) + (typeof packet.data === 'string' ? packet.data : ''));
}

export function decodePacket(encoded: unknown): EnginePacket {
  const type = typeof encoded === 'string' ? TYPES[Number(encoded[0])] : undefined;
  if (!type || !/^[0-6]/.test(encoded as string)) return { type: 'error', data: 'parser error' };
  return (encoded as string).length > 1 ? { type, data: (encoded as string).slice(1) } : { type };
}
