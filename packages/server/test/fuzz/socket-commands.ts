/**
 * fast-check arbitraries for the `/chat` fuzzer: who connects (and with which handshake), and what they send
 * in which order — every client event of the SDK's contract with valid, mutated or hostile payloads, with
 * and without an acknowledgement, with extra arguments or none, and events the contract does not have.
 */
import fc from 'fast-check';
import { z } from 'zod';
import { clientEventSchemas } from '@synctalk/sdk/schemas';
import { fromSchema, nastyString, nastyValue, payload, type Hints, type Json } from './arbitraries.js';

/** Who a connection signs in as. */
export const IDENTITIES = ['owner', 'member', 'siteAdmin', 'guest', 'stranger', 'platformAdmin'] as const;
export type Identity = (typeof IDENTITIES)[number];

export type Command =
  | {
      kind: 'event';
      event: string;
      payload: unknown;
      /** `ack`: one payload and a callback; `noAck`: no callback; `extra`: a second argument; `bare`: none. */
      shape: 'ack' | 'noAck' | 'extra' | 'bare';
      extra: unknown;
    }
  | { kind: 'unknown'; event: string; payload: unknown };

/** Socket.IO's reserved event names, which its client refuses to send. */
const RESERVED = new Set([
  'connect',
  'connect_error',
  'disconnect',
  'disconnecting',
  'newListener',
  'removeListener',
]);

/** The client events of the contract, as the server validates them (MESSAGE_MAX_LENGTH `maxTextLength`). */
export function contractEvents(maxTextLength: number): Record<string, Json> {
  const out: Record<string, Json> = {};
  for (const [event, schema] of Object.entries(clientEventSchemas({ maxTextLength }))) {
    out[event] = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Json;
  }
  return out;
}

/**
 * Payloads stay under the server's frame limit (64 KiB by default; 8,000 NULs take 48 KB in JSON): larger
 * frames only close the connection (test/chat-frame-size.test.ts).
 */
const PAYLOAD_LIMITS = { maxDepth: 1_000, maxLength: 8_000 };

export function commandArbitrary(events: Record<string, Json>, hints: Hints): fc.Arbitrary<Command> {
  const known = Object.keys(events);
  const contract = fc.oneof(
    ...known.map((event) =>
      fc.record({
        kind: fc.constant('event' as const),
        event: fc.constant(event),
        payload: payload(fromSchema(events[event]!, events[event]!, hints), PAYLOAD_LIMITS),
        shape: fc.oneof(
          { weight: 12, arbitrary: fc.constant('ack' as const) },
          fc.constantFrom('noAck' as const, 'extra' as const, 'bare' as const),
        ),
        extra: nastyValue({ maxDepth: 50, maxLength: 1_000 }),
      }),
    ),
  );
  const unknown = fc.record({
    kind: fc.constant('unknown' as const),
    event: fc
      .oneof(
        fc.constantFrom(
          'error',
          'message',
          'room:create',
          'admin:sites',
          '__proto__',
          'constructor',
          'toString',
        ),
        nastyString(200),
        fc.constantFrom(...known).map((e) => `${e} `),
      )
      .filter((e) => !RESERVED.has(e) && !known.includes(e)),
    payload: nastyValue(PAYLOAD_LIMITS),
  });
  return fc.oneof({ weight: 12, arbitrary: contract }, { weight: 1, arbitrary: unknown });
}

/** A connection's life: who, and what they send, in order (sends before joins and leaves before joins too). */
export function sessionArbitrary(events: Record<string, Json>, hints: Hints) {
  return fc.record({
    identity: fc.constantFrom(...IDENTITIES),
    commands: fc.array(commandArbitrary(events, hints), { minLength: 1, maxLength: 8 }),
  });
}

/** A handshake: `auth` (a credential by name, or anything), query parameters and an Origin. */
export function handshakeArbitrary() {
  const credential = fc.constantFrom(...IDENTITIES, 'expired', 'refreshToken', 'garbage', 'missing');
  const auth = fc.oneof(
    {
      weight: 4,
      arbitrary: fc.record(
        {
          credential,
          token: nastyString(6_000),
          site: fc.oneof(fc.constantFrom('own', 'other', 'default', 'unknown'), nastyString(200)),
          extra: fc.dictionary(fc.string({ maxLength: 10 }), nastyValue({ maxDepth: 50, maxLength: 1_000 }), {
            maxKeys: 2,
          }),
        },
        { requiredKeys: ['credential'] },
      ),
    },
    { weight: 1, arbitrary: nastyValue({ maxDepth: 200, maxLength: 5_000 }).map((raw) => ({ raw })) },
  );
  return fc.record({
    auth,
    query: fc.dictionary(
      // Not Engine.IO's own parameters (EIO, transport, sid): those are the transport's business.
      fc
        .oneof(fc.constantFrom('token', 'access_token', 'site', 'auth'), fc.string({ maxLength: 8 }))
        .filter((k) => !['EIO', 'transport', 'sid', 't', 'b64'].includes(k)),
      fc.string({ maxLength: 40 }),
      { maxKeys: 2 },
    ),
    origin: fc.constantFrom('none', 'allowed', 'evil', 'null'),
  });
}
