import fc from 'fast-check';
import * as reference from 'socket.io-parser';
import { describe, expect, it } from 'vitest';
import { decodePacket, Decoder, encodePacket, type Packet } from './json-parser.js';

function referenceDecode(text: string): unknown {
  const decoder = new reference.Decoder();
  let out: unknown;
  decoder.on('decoded', (packet: unknown) => (out = packet));
  decoder.add(text);
  return out;
}

const json = fc.jsonValue();
const nsp = fc.constantFrom('/', '/chat', '/a-b_c');
const id = fc.option(fc.nat({ max: 1_000_000 }), { nil: undefined });
const packets: fc.Arbitrary<Packet> = fc.oneof(
  fc.record({
    type: fc.constant(0),
    nsp,
    data: fc.option(fc.dictionary(fc.string(), json), { nil: undefined }),
  }),
  fc.record({ type: fc.constant(1), nsp }),
  fc.record({
    type: fc.constant(2),
    nsp,
    id,
    data: fc.tuple(fc.constantFrom('message:new', 'typing', 'x'), json),
  }),
  fc.record({
    type: fc.constant(3),
    nsp,
    id: fc.nat({ max: 1_000_000 }),
    data: fc.array(json, { maxLength: 3 }),
  }),
  fc.record({ type: fc.constant(4), nsp, data: fc.oneof(fc.string(), fc.dictionary(fc.string(), json)) }),
);

const withoutUndefined = (p: Packet) => JSON.parse(JSON.stringify(p)) as unknown;

describe('JSON-only Socket.IO parser', () => {
  it('encodes exactly like socket.io-parser', () => {
    fc.assert(
      fc.property(packets, (packet) => {
        expect([encodePacket(packet)]).toEqual(new reference.Encoder().encode(packet as never));
      }),
    );
  });

  it('decodes what socket.io-parser encodes, as socket.io-parser does', () => {
    fc.assert(
      fc.property(packets, (packet) => {
        const [text] = new reference.Encoder().encode(packet as never) as string[];
        expect(withoutUndefined(decodePacket(text!))).toEqual(
          withoutUndefined(referenceDecode(text!) as Packet),
        );
      }),
    );
  });

  it('refuses what socket.io-parser refuses', () => {
    for (const text of [
      '2["connect"]',
      '0/chat,"str"',
      '1/chat,{}',
      '3/chat,5{}',
      '9',
      '2/chat,[',
      '2/chat,{"a":1}',
    ]) {
      expect(() => referenceDecode(text), text).toThrow();
      expect(() => decodePacket(text), text).toThrow();
    }
  });

  it('emits decoded packets and refuses binary chunks', () => {
    const decoder = new Decoder();
    const seen: Packet[] = [];
    decoder.on('decoded', (p) => seen.push(p));
    decoder.add('2/chat,7["message:new",{"seq":"1"}]');
    expect(seen).toEqual([{ type: 2, nsp: '/chat', id: 7, data: ['message:new', { seq: '1' }] }]);
    expect(() => decoder.add(new Uint8Array([1]))).toThrow(/binary/);
  });
});
