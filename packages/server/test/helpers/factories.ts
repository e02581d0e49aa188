/**
 * Small factories for test data. They go through the server's own services (not raw SQL), so what they make
 * is what the API would make.
 */
import { randomBytes } from 'node:crypto';
import bcrypt from 'bcrypt';
import type { AuthResponse, SiteRole } from '@synctalk/sdk';
import { usersRepository, type UserRecord } from '../../src/auth/users.repository.js';
import type { Site, SiteSettings } from '../../src/sites/sites.repository.js';
import type { TestServer } from './server.js';
import type { AuthUser } from '../../src/auth/tokens.js';
import { roomsService } from '../../src/rooms/rooms.service.js';
import type { Room } from '@synctalk/sdk';

let counter = 0;
export function uniqueName(prefix = 'u'): string {
  counter += 1;
  return `${prefix}${counter}${randomBytes(3).toString('hex')}`.slice(0, 32);
}

export async function defaultSite(t: TestServer): Promise<Site> {
  return (await t.server.deps.sites.repo.findDefault())!;
}

/** A new site with its secret; `origins` default to one made-up origin. */
export async function newSite(
  t: TestServer,
  options: { name?: string; origins?: string[]; settings?: SiteSettings } = {},
): Promise<{ site: Site; secret: string }> {
  return t.server.deps.sites.create({
    name: options.name ?? uniqueName('site'),
    allowedOrigins: options.origins ?? [`https://${uniqueName('o')}.example`],
    settings: options.settings,
  });
}

export interface TestUser {
  user: UserRecord;
  password: string;
  auth: AuthResponse;
  token: string;
  /** Headers for requests as this user on their site. */
  headers: Record<string, string>;
}

/** A password user signed in on `site` (default site when omitted). */
export async function newUser(
  t: TestServer,
  options: { site?: Site; username?: string; displayName?: string; roles?: SiteRole[] } = {},
): Promise<TestUser> {
  const site = options.site ?? (await defaultSite(t));
  const username = options.username ?? uniqueName();
  const password = `pw-${randomBytes(6).toString('hex')}`;
  const user = await usersRepository(t.server.db).createPasswordUser({
    siteId: site.id,
    username,
    displayName: options.displayName ?? username,
    passwordHash: await bcrypt.hash(password, 4),
    roles: options.roles ?? ['ROLE_USER'],
  });
  if (!user) throw new Error(`username ${username} taken`);
  const auth = await t.server.deps.sessions.issue(user);
  return {
    user,
    password,
    auth,
    token: auth.accessToken,
    headers: { authorization: `Bearer ${auth.accessToken}`, 'x-synctalk-site': site.publicId },
  };
}

export function newAdmin(t: TestServer, options: { site?: Site } = {}): Promise<TestUser> {
  return newUser(t, { ...options, roles: ['ROLE_USER', 'ROLE_ADMIN'] });
}

/** The `AuthUser` a request by `u` would carry (for calling services directly). */
export function authUserOf(u: TestUser): AuthUser {
  return { id: u.user.id, siteId: u.user.siteId, roles: u.user.roles, kind: u.user.kind, exp: 0 };
}

/** A room created by `owner` through the rooms service (the owner becomes its owner member). */
export async function newRoom(
  t: TestServer,
  owner: TestUser,
  options: { title?: string; description?: string; visibility?: 'public' | 'private' } = {},
): Promise<Room> {
  const site = (await t.server.deps.sites.repo.findById(owner.user.siteId))!;
  return roomsService(t.server.deps).create(site, authUserOf(owner), {
    title: options.title ?? uniqueName('room'),
    description: options.description,
    visibility: options.visibility ?? 'public',
  });
}

/** How many users `site` has (every user of every site when omitted): "nothing was created" checks. */
export async function countUsers(t: TestServer, site?: Site): Promise<number> {
  const q = t.server.db('users');
  if (site) q.where({ site_id: site.id });
  const [row] = await q.count<{ count: string }[]>({ count: '*' });
  return Number(row!.count);
}

/** How many refresh tokens were ever issued (all sites): "no session was started" checks. */
export async function countRefreshTokens(t: TestServer): Promise<number> {
  const [row] = await t.server.db('refresh_tokens').count<{ count: string }[]>({ count: '*' });
  return Number(row!.count);
}

/** Makes `member` a member of `room` through the rooms service (as `POST /v1/rooms/:id/join` would). */
export async function joinRoom(t: TestServer, member: TestUser, room: Room): Promise<void> {
  const site = (await t.server.deps.sites.repo.findById(member.user.siteId))!;
  await roomsService(t.server.deps).joinById(site, authUserOf(member), room.id);
}

/** Alice and Bob (new users on `t`'s default site) in a new public room Alice owns: the usual cast. */
export async function roomOfTwo(t: TestServer): Promise<{ alice: TestUser; bob: TestUser; room: Room }> {
  const alice = await newUser(t);
  const bob = await newUser(t);
  const room = await newRoom(t, alice);
  await joinRoom(t, bob, room);
  return { alice, bob, room };
}

/** The site's public live room ids in the database's own order for `sort`: what the directory must list. */
export async function directoryOrder(t: TestServer, site: Site, sort: 'newest' | 'title'): Promise<string[]> {
  const q = t.server
    .db('rooms')
    .select('id')
    .where({ site_id: site.id, visibility: 'public' })
    .whereNull('deleted_at');
  if (sort === 'newest') q.orderBy('id', 'desc');
  else q.orderBy([{ column: 'title_sort' }, { column: 'id' }]);
  return (await q).map((r: { id: string }) => String(r.id));
}
