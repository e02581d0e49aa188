import { describe, expect, it } from 'vitest';
import { SyncTalkError } from '../../errors.js';
import { chooseTransports as allTransports } from './transports.js';
import { chooseTransports } from './websocket-transports.js';

const refusal = (requested: Parameters<typeof chooseTransports>[0]) => {
  try {
    chooseTransports(requested);
  } catch (error) {
    return error;
  }
  throw new Error(`accepted ${JSON.stringify(requested)}`);
};

describe('transports of the browser builds (WebSocket only)', () => {
  it("connects over WebSocket when none are named, or only ['websocket'] is", () => {
    expect(chooseTransports(undefined)).toEqual(['websocket']);
    expect(chooseTransports(['websocket'])).toEqual(['websocket']);
  });

  it.each([[['polling']], [['polling', 'websocket']], [['websocket', 'webtransport']], [[]]] as const)(
    'refuses %j with validation_failed, naming what was asked',
    (requested) => {
      const error = refusal(requested);
      expect(error).toBeInstanceOf(SyncTalkError);
      expect(error).toMatchObject({ code: 'validation_failed', status: 0, retryable: false });
      expect((error as Error).message).toContain(JSON.stringify(requested));
      expect((error as Error).message).toContain('WebSocket only');
    },
  );
});

describe('transports of the Node builds (every transport)', () => {
  it('uses what is asked for, WebSocket by default', () => {
    expect(allTransports(undefined)).toEqual(['websocket']);
    expect(allTransports(['polling', 'websocket'])).toEqual(['polling', 'websocket']);
  });
});
