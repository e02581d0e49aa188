import { describe, expect, it } from 'vitest';
import type { Message, Room } from '@synctalk/sdk';
import { lastActivity, orderRooms, roomState, type RoomState } from './rooms.js';

function room(id: string, over: Partial<Room> = {}): RoomState {
  return roomState({
    id,
    code: null,
    title: `Room ${id}`,
    description: '',
    visibility: 'public',
    ownerId: '1',
    memberCount: 2,
    lastSeq: '0',
    lastMessageAt: null,
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    ...over,
  });
}

function held(state: RoomState, createdAt: string): RoomState {
  state.timeline.add([
    {
      id: `m${state.room.id}`,
      roomId: state.room.id,
      seq: '1',
      author: { id: '7', displayName: 'Ann', avatarUrl: null },
      clientMsgId: 'c1',
      text: 'hi',
      replyTo: null,
      createdAt,
      editedAt: null,
      deletedAt: null,
      reactions: [],
    } satisfies Message,
  ]);
  return state;
}

describe('last activity', () => {
  it('is the later of the server time and the newest message held, null before any', () => {
    expect(lastActivity(room('1'))).toBeNull();
    expect(lastActivity(room('1', { lastMessageAt: '2026-03-01T10:00:00.000Z' }))).toBe(
      '2026-03-01T10:00:00.000Z',
    );
    const live = held(room('1', { lastMessageAt: '2026-03-01T10:00:00.000Z' }), '2026-03-01T10:05:00.000Z');
    expect(lastActivity(live)).toBe('2026-03-01T10:05:00.000Z');
    const stale = held(room('1', { lastMessageAt: '2026-03-02T00:00:00.000Z' }), '2026-03-01T10:05:00.000Z');
    expect(lastActivity(stale)).toBe('2026-03-02T00:00:00.000Z');
  });

  it('orders rooms with unread first, then by last message, not by when the room was edited', () => {
    const quiet = room('1', {
      updatedAt: '2026-05-01T00:00:00.000Z',
      lastMessageAt: '2026-02-01T00:00:00.000Z',
    });
    const busy = room('2', { lastMessageAt: '2026-04-01T00:00:00.000Z' });
    const unread = room('3', { lastMessageAt: '2026-01-15T00:00:00.000Z' });
    unread.unread = 2;
    const empty = room('4', { createdAt: '2026-03-01T00:00:00.000Z' });
    expect(orderRooms([quiet, busy, unread, empty]).map((r) => r.room.id)).toEqual(['3', '2', '4', '1']);
  });
});
