import fc from 'fast-check';
import * as reference from 'engine.io-parser';
import { describe, expect, it } from 'vitest';
import { decodePacket, encodePacket, protocol } from './text-packets.js';

const types = ['open', 'close', 'ping', 'pong', 'message', 'upgrade', 'noop'] as const;

describe('text Engine.IO packets', () => {
  it('speak the same protocol version', () => {
    expect(protocol).toBe(reference.protocol);
  });

  it('encode like engine.io-parser', () => {
    fc.assert(
      fc.property(fc.constantFrom(...types), fc.option(fc.string(), { nil: undefined }), (type, data) => {
        let ours = '';
        let theirs: unknown;
        encodePacket({ type, data }, true, (e) => (ours = e));
        reference.encodePacket({ type, data } as never, true, (e) => (theirs = e));
        expect(ours).toBe(theirs);
      }),
    );
  });

  it('decode like engine.io-parser, including refusals', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        if (text.startsWith('b')) return; // base64 binary: never sent to a JSON-only client
        expect(decodePacket(text)).toEqual(reference.decodePacket(text, 'arraybuffer'));
      }),
    );
    for (const text of ['4hello', '2', '3probe', '0{"sid":"x"}', '9', '', 'x']) {
      expect(decodePacket(text), text).toEqual(reference.decodePacket(text, 'arraybuffer'));
    }
  });
});
