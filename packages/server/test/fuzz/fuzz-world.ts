/**
 * The cast the fuzz suites aim at: a site with guests on, its owner, member, site admin and a guest, a
 * platform admin, a user of another site, and rooms and messages of theirs. Fuzzed calls may delete the rooms,
 * ban the members, rotate the secret or switch the site's settings: `refresh()` (before each batch) makes new
 * rooms and puts the sites back, so every batch reaches past the permission checks.
 */
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import jwt from 'jsonwebtoken';
import type { Room } from '@synctalk/sdk';
import type { Site } from '../../src/sites/sites.repository.js';
import {
  defaultSite,
  joinRoom,
  newAdmin,
  newRoom,
  newSite,
  newUser,
  uniqueName,
  type TestUser,
} from '../helpers/factories.js';
import { request } from '../helpers/http.js';
import { TEST_JWT_SECRET, type TestServer } from '../helpers/server.js';
import type { Hints } from './arbitraries.js';

/** The origin the fuzzed site allows. */
export const SITE_ORIGIN = 'https://shop.fuzz.example';

export interface Guest {
  token: string;
  userId: string;
}

export interface FuzzWorld {
  /** The site most calls are for (guests enabled). */
  site: Site;
  /** Its signing secret (changed by every `refresh`). */
  secret: string;
  /** Another site, and the default one. */
  other: Site;
  default: Site;
  owner: TestUser;
  member: TestUser;
  siteAdmin: TestUser;
  platformAdmin: TestUser;
  /** A user of `other`. */
  stranger: TestUser;
  guest: Guest;
  /** A public room of `owner` with `member` (and the guest) in it, and a message of `member` there. */
  room: Room;
  messageId: string;
  /** A private room of `owner`. */
  privateRoom: Room;
  /** A room and a message of `stranger`'s site. */
  foreignRoomId: string;
  foreignMessageId: string;
  /** A site token for `site` signed with `secret` (a fresh one each call). */
  siteToken(): string;
  /** New rooms and messages, the sites' settings, origins and secret put back. */
  refresh(): Promise<void>;
}

const SETTINGS = { verifiedOnly: false, guestsEnabled: true, signupEnabled: true };

async function signInGuest(t: TestServer, site: Site): Promise<Guest> {
  const res = await request(t.url, 'POST', '/v1/auth/guest', {
    headers: { 'x-synctalk-site': site.publicId },
    body: { displayName: 'Fuzz guest' },
  });
  if (res.status !== 201) throw new Error(`guest sign-in failed: ${res.status}`);
  return { token: res.body.accessToken, userId: res.body.user.id };
}

export async function fuzzWorld(t: TestServer): Promise<FuzzWorld> {
  const created = await newSite(t, { origins: [SITE_ORIGIN], settings: SETTINGS });
  const site = created.site;
  const other = (await newSite(t)).site;
  const dflt = await defaultSite(t);
  const owner = await newUser(t, { site });
  const member = await newUser(t, { site });
  const siteAdmin = await newAdmin(t, { site });
  const platformAdmin = await newAdmin(t);
  const stranger = await newUser(t, { site: other });
  const guest = await signInGuest(t, site);

  const world: FuzzWorld = {
    site,
    secret: created.secret,
    other,
    default: dflt,
    owner,
    member,
    siteAdmin,
    platformAdmin,
    stranger,
    guest,
    room: undefined as unknown as Room,
    messageId: '',
    privateRoom: undefined as unknown as Room,
    foreignRoomId: '',
    foreignMessageId: '',
    siteToken: () =>
      jwt.sign({ site: site.publicId, name: 'Fuzz customer' }, world.secret, {
        algorithm: 'HS256',
        subject: `customer-${uniqueName('c')}`,
        expiresIn: '5m',
        jwtid: randomUUID(),
      }),
    async refresh() {
      const sites = t.server.deps.sites;
      await sites.repo.update(site.id, {
        name: site.name,
        allowedOrigins: [SITE_ORIGIN],
        settings: SETTINGS,
      });
      await sites.repo.update(other.id, { allowedOrigins: other.allowedOrigins, settings: other.settings });
      await sites.repo.update(dflt.id, { allowedOrigins: dflt.allowedOrigins, settings: dflt.settings });
      world.secret = (await sites.rotate(site, 'fuzz')).secret;
      world.room = await newRoom(t, owner);
      await joinRoom(t, member, world.room);
      const asGuest = await request(t.url, 'POST', `/v1/rooms/${world.room.id}/join`, {
        headers: { 'x-synctalk-site': site.publicId },
        token: guest.token,
      });
      if (asGuest.status !== 200) throw new Error(`guest join failed: ${asGuest.status}`);
      world.privateRoom = await newRoom(t, owner, { visibility: 'private' });
      world.messageId = await send(t, member, world.room.id);
      const foreign = await newRoom(t, stranger);
      world.foreignRoomId = foreign.id;
      world.foreignMessageId = await send(t, stranger, foreign.id);
    },
  };
  await world.refresh();
  return world;
}

async function send(t: TestServer, author: TestUser, roomId: string): Promise<string> {
  const res = await request(t.url, 'POST', `/v1/rooms/${roomId}/messages`, {
    headers: author.headers,
    body: { clientMsgId: randomUUID(), text: 'fuzz seed message' },
  });
  if (res.status !== 201) throw new Error(`seed message failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.message.id;
}

/** An access token signed with the test secret: expired, or with `claims` that are wrong. */
export function forgedToken(claims: Record<string, unknown>, secret = TEST_JWT_SECRET): string {
  return jwt.sign(claims, secret, { algorithm: 'HS256', noTimestamp: true });
}

/**
 * Limits raised so the fuzzers measure handling, not rate limiting (the limits have tests of their own); the
 * event budget stays on, only far above what the fuzzers send.
 */
export const FUZZ_ENV = {
  LOGIN_MAX_PER_USERNAME: '100000',
  LOGIN_MAX_PER_ACCOUNT: '10000000',
  LOGIN_MAX_PER_IP: '1000000',
  GUEST_MAX_PER_IP: '1000000',
  MESSAGE_RATE_LIMIT: '100000',
  SOCKET_EVENT_RATE: '100000',
  SOCKET_EVENT_BURST: '100000',
  SOCKET_QUEUE_MAX: '10000',
  SOCKET_FLOOD_DISCONNECT: '1000000',
};

/** Real values for the fields and parameters the schemas name, so fuzzed calls also reach real rows. */
export function worldHints(world: FuzzWorld): Hints {
  const ids =
    (...values: string[]) =>
    () =>
      fc.constantFrom(...values);
  const roomIds = ids(world.room.id, world.privateRoom.id, world.foreignRoomId, '1', '999999999999999999');
  const userIds = ids(
    world.owner.user.id,
    world.member.user.id,
    world.siteAdmin.user.id,
    world.platformAdmin.user.id,
    world.stranger.user.id,
    world.guest.userId,
  );
  const messageIds = ids(world.messageId, world.foreignMessageId, '1', '999999999999999999');
  return {
    id: roomIds,
    roomId: roomIds,
    roomIds: () => fc.array(roomIds(), { maxLength: 4 }),
    userId: userIds,
    messageId: messageIds,
    replyTo: messageIds,
    publicId: ids(world.site.publicId, world.other.publicId, world.default.publicId),
    site: ids(world.site.publicId, world.other.publicId),
    emoji: ids('👍', '🎉', '❤️', '👍🏽'),
    seq: ids('0', '1', '2', '3'),
    lastSeq: ids('0', '1', '2', '3'),
    before: ids('0', '1', '2', '3'),
    after: ids('0', '1', '2', '3'),
    username: ids(world.owner.user.username ?? 'owner', world.member.user.username ?? 'member'),
    password: ids(world.owner.password, world.member.password),
    refreshToken: ids(world.owner.auth.refreshToken, world.member.auth.refreshToken),
    token: () =>
      fc.oneof(
        fc.constant(null).map(() => world.siteToken()),
        fc.constant(world.member.token),
      ),
    code: ids(world.room.code ?? 'ABCDEFGH', world.privateRoom.code ?? 'ABCDEFGH'),
    origin: ids(SITE_ORIGIN, 'https://evil.example'),
    allowedOrigins: () => fc.array(fc.constantFrom(SITE_ORIGIN, 'http://localhost:3000'), { maxLength: 3 }),
  };
}
