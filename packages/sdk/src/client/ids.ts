/** Client-made ids. */

/** The part of Web Crypto used here (typed locally: the DOM lib is not in every consumer's build). */
interface RandomSource {
  randomUUID?: () => string;
  getRandomValues?: (array: Uint8Array) => Uint8Array;
}

/**
 * A new `clientMsgId` (the idempotency key of a send): a random UUID, from `crypto.randomUUID` where the
 * platform has it (browsers in secure contexts, Node 20+), else from `crypto.getRandomValues`.
 *
 * @example
 * ```ts
 * const clientMsgId = newClientMsgId(); // '3b241101-e2bb-4255-8caf-4136c566a962'
 * ```
 */
export function newClientMsgId(): string {
  const c = (globalThis as { crypto?: RandomSource }).crypto;
  if (c && typeof c.randomUUID === 'function') return c.randomUUID();
  if (!c || typeof c.getRandomValues !== 'function') {
    throw new Error('No secure random source (crypto.getRandomValues) on this platform');
  }
  const bytes = c.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6]! & 0x0f) | 0x40;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
