import { describe, expect, it } from 'vitest';
import type { AuthUser } from '../auth/tokens.js';
import { AppError } from '../platform/errors.js';
import {
  assertRoomPermission,
  canInRoom,
  checkRoomPermission,
  type Membership,
  type RoomAction,
  type RoomRole,
} from './membership.js';

const user: AuthUser = { id: '7', siteId: '1', roles: ['ROLE_USER'], kind: 'password', exp: 0 };
const admin: AuthUser = { ...user, roles: ['ROLE_USER', 'ROLE_ADMIN'] };
const publicRoom = { siteId: '1', visibility: 'public' as const };
const privateRoom = { siteId: '1', visibility: 'private' as const };

function member(role: RoomRole, extra: Partial<Membership> = {}): Membership {
  return {
    roomId: '3',
    userId: '7',
    role,
    lastReadSeq: '0',
    mutedUntil: null,
    bannedAt: null,
    joinedAt: new Date(),
    ...extra,
  };
}

const ACTIONS: RoomAction[] = [
  'view',
  'read',
  'send',
  'moderate',
  'rotate_code',
  'delete_any_message',
  'edit_any_message',
  'update_room',
  'delete_room',
  'manage_roles',
];

function allowed(
  m: Membership | undefined,
  u: AuthUser = user,
  room: { siteId: string; visibility: 'public' | 'private' } = publicRoom,
): RoomAction[] {
  return ACTIONS.filter((a) => canInRoom(m, a, u, room));
}

describe('assertRoomPermission', () => {
  it('grants each room role its actions', () => {
    expect(allowed(member('member'))).toEqual(['view', 'read', 'send']);
    expect(allowed(member('moderator'))).toEqual([
      'view',
      'read',
      'send',
      'moderate',
      'rotate_code',
      'delete_any_message',
    ]);
    expect(allowed(member('owner'))).toEqual(ACTIONS);
  });

  it('lets site admins do everything in their own site, member or not, banned or muted', () => {
    expect(allowed(undefined, admin)).toEqual(ACTIONS);
    expect(allowed(undefined, admin, privateRoom)).toEqual(ACTIONS);
    const muted = member('member', { mutedUntil: new Date(Date.now() + 60_000) });
    expect(allowed({ ...muted, userId: admin.id }, admin)).toEqual(ACTIONS);
  });

  it("refuses another site's room with not_found, admins included", () => {
    const foreign = { siteId: '2', visibility: 'public' as const };
    for (const u of [user, admin]) {
      const error = checkRoomPermission(member('owner'), 'view', u, foreign);
      expect(error?.code).toBe('not_found');
    }
  });

  it('refuses banned users everything with forbidden', () => {
    const banned = member('member', { bannedAt: new Date() });
    expect(allowed(banned)).toEqual([]);
    expect(checkRoomPermission(banned, 'view', user, publicRoom)?.code).toBe('forbidden');
    expect(checkRoomPermission(banned, 'read', user, privateRoom)?.code).toBe('forbidden');
  });

  it('lets non-members view public rooms only; private rooms do not exist for them', () => {
    expect(allowed(undefined)).toEqual(['view']);
    expect(checkRoomPermission(undefined, 'send', user, publicRoom)?.code).toBe('forbidden');
    for (const action of ACTIONS) {
      expect(checkRoomPermission(undefined, action, user, privateRoom)?.code).toBe('not_found');
    }
    // Without the room, a non-member is simply not allowed.
    expect(checkRoomPermission(undefined, 'read', user)?.code).toBe('forbidden');
  });

  it('stops muted members from sending until the mute ends', () => {
    const until = new Date(Date.now() + 60_000);
    const muted = member('moderator', { mutedUntil: until });
    const error = checkRoomPermission(muted, 'send', user, publicRoom);
    expect(error?.code).toBe('forbidden');
    expect(error?.details).toEqual({ mutedUntil: until.toISOString() });
    expect(canInRoom(muted, 'read', user, publicRoom)).toBe(true);
    expect(canInRoom(muted, 'moderate', user, publicRoom)).toBe(true);
    const expired = member('member', { mutedUntil: new Date(Date.now() - 1000) });
    expect(canInRoom(expired, 'send', user, publicRoom)).toBe(true);
  });

  it('throws AppError, and refuses a membership of another user as a programming error', () => {
    expect(() => assertRoomPermission(member('member'), 'delete_room', user, publicRoom)).toThrow(AppError);
    expect(() => assertRoomPermission(member('owner'), 'delete_room', user, publicRoom)).not.toThrow();
    expect(() => assertRoomPermission(member('owner', { userId: '8' }), 'read', user)).toThrow(
      /checked for user/,
    );
  });
});
