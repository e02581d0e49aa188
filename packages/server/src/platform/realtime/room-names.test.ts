import { describe, expect, it } from 'vitest';
import { chatRoomName, roomIdOf, SOCKET_ID_LENGTH, userRoomName } from './room-names.js';

describe('socket room names', () => {
  // Every id width a bigint can have, including the one that would make "room:<id>" 20 characters long.
  const ids = Array.from({ length: 19 }, (_, i) => (i === 0 ? '7' : `1${'0'.repeat(i)}`));
  ids.push('9223372036854775807', '123456789012345');

  it('are never as long as a socket id, whatever the id', () => {
    for (const id of ids) {
      expect(chatRoomName(id).length, id).not.toBe(SOCKET_ID_LENGTH);
      expect(userRoomName(id).length, id).not.toBe(SOCKET_ID_LENGTH);
    }
    // The naive name would have collided for a 15-digit id.
    expect(`room:${'123456789012345'}`).toHaveLength(SOCKET_ID_LENGTH);
    expect(chatRoomName('123456789012345')).toHaveLength(24);
  });

  it('keep rooms and users apart and read back the id', () => {
    for (const id of ids) {
      expect(roomIdOf(chatRoomName(id))).toBe(id);
      expect(roomIdOf(userRoomName(id))).toBeUndefined();
      expect(chatRoomName(id)).not.toBe(userRoomName(id));
    }
    expect(chatRoomName('42')).toBe('room:0000000000000000042');
  });

  it('ignore other names and refuse non-numeric ids', () => {
    expect(roomIdOf('AbCdEfGhIjKlMnOpQrSt')).toBeUndefined();
    expect(roomIdOf('room:42')).toBeUndefined();
    expect(roomIdOf('room:000000000000000004x')).toBeUndefined();
    expect(() => chatRoomName('4 2')).toThrow();
    expect(() => chatRoomName('12345678901234567890')).toThrow();
  });
});
